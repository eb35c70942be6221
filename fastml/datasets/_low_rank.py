"""Gaussian mixture on a random low-dimensional subspace (for ANN and k-means)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.datasets._common import (
    check_float_dtype,
    check_int,
    check_real,
    rng_from,
)

__all__ = ["make_low_rank_mixture"]


def make_low_rank_mixture(
    n_samples: int = 1000,
    n_features: int = 64,
    *,
    intrinsic_dim: int = 8,
    n_components: int = 10,
    center_scale: float = 4.0,
    cluster_std: float = 1.0,
    noise: float = 0.05,
    shuffle: bool = True,
    random_state: Any = None,
    dtype: Any = np.float64,
    return_basis: bool = False,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mixture of Gaussians with low intrinsic dimension embedded in many features.

    Real embedding vectors (text, images) have a high ambient dimension but much
    lower intrinsic dimension and form clusters; this generator mimics that for
    nearest-neighbour and clustering benchmarks. It draws:

    1. a random orthonormal basis ``B`` of shape (n_features, intrinsic_dim) (QR
       factor of a standard-normal matrix);
    2. ``n_components`` component means ``m_k ~ N(0, center_scale**2 I)`` in the
       ``intrinsic_dim``-dimensional latent space;
    3. for each sample of component ``k``: ``z = m_k + cluster_std * N(0, I)`` in the
       latent space and ``x = B @ z + noise * N(0, I)`` in ``n_features``
       dimensions.

    Components have sizes differing by at most one. The singular values of ``X``
    show the structure: ``intrinsic_dim`` large ones (of order
    ``sqrt(n_samples) * (center_scale + cluster_std)``), then a floor of order
    ``sqrt(n_samples) * noise``. The residual ``X - X @ B @ B.T`` is pure noise.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of points, >= 1.
    n_features : int, default=64
        Ambient dimension, >= ``intrinsic_dim``.
    intrinsic_dim : int, default=8
        Dimension of the subspace holding the mixture, >= 1.
    n_components : int, default=10
        Number of Gaussian components, >= 1.
    center_scale : float >= 0, default=4.0
        Standard deviation of the component means around the origin (latent space).
    cluster_std : float >= 0, default=1.0
        Standard deviation of each component along every latent axis.
    noise : float >= 0, default=0.05
        Standard deviation of the isotropic noise added in all ``n_features``
        dimensions.
    shuffle : bool, default=True
        Permute the samples (otherwise they are grouped by component).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.
    dtype : {np.float64, np.float32}, default=np.float64
        dtype of ``X`` (and of the basis). ANN benchmarks usually want float32.
    return_basis : bool, default=False
        Also return the orthonormal basis ``B``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The points, C-contiguous.
    y : ndarray of shape (n_samples,)
        Component index of each point (int64).
    basis : ndarray of shape (n_features, intrinsic_dim)
        Orthonormal columns spanning the subspace, only when ``return_basis=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.datasets import make_low_rank_mixture
    >>> X, y = make_low_rank_mixture(500, 32, intrinsic_dim=4, noise=0.01,
    ...                              random_state=0)
    >>> s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    >>> bool(s[3] > 50 * s[4])
    True
    """
    func = "make_low_rank_mixture"
    n_samples = check_int(n_samples, "n_samples", func, min_val=1)
    n_features = check_int(n_features, "n_features", func, min_val=1)
    intrinsic_dim = check_int(intrinsic_dim, "intrinsic_dim", func, min_val=1)
    n_components = check_int(n_components, "n_components", func, min_val=1)
    center_scale = check_real(center_scale, "center_scale", func, min_val=0.0)
    cluster_std = check_real(cluster_std, "cluster_std", func, min_val=0.0)
    noise = check_real(noise, "noise", func, min_val=0.0)
    out_dtype = check_float_dtype(dtype, func)
    if intrinsic_dim > n_features:
        raise ValueError(
            f"{func}: intrinsic_dim ({intrinsic_dim}) must not exceed n_features "
            f"({n_features})."
        )
    rng = rng_from(random_state)

    basis, _ = np.linalg.qr(rng.standard_normal((n_features, intrinsic_dim)))
    means = center_scale * rng.standard_normal((n_components, intrinsic_dim))
    counts = np.full(n_components, n_samples // n_components, dtype=np.int64)
    counts[: n_samples % n_components] += 1
    labels = np.repeat(np.arange(n_components, dtype=np.int64), counts)
    latent = means[labels] + cluster_std * rng.standard_normal(
        (n_samples, intrinsic_dim)
    )
    X = latent @ basis.T
    if noise > 0.0:
        X += noise * rng.standard_normal((n_samples, n_features))
    if shuffle:
        order = rng.permutation(n_samples)
        X = X[order]
        labels = labels[order]
    X = np.ascontiguousarray(X, dtype=out_dtype)
    if return_basis:
        return X, labels, np.ascontiguousarray(basis, dtype=out_dtype)
    return X, labels
