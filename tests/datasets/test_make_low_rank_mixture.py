"""Properties of fastml.datasets.make_low_rank_mixture."""

import numpy as np
import pytest

from fastml.datasets import make_low_rank_mixture


def test_shapes_labels_and_basis():
    X, y, B = make_low_rank_mixture(
        1003, 40, intrinsic_dim=6, n_components=4, random_state=0, return_basis=True
    )
    assert X.shape == (1003, 40) and X.dtype == np.float64 and X.flags.c_contiguous
    assert y.shape == (1003,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [251, 251, 251, 250])
    assert B.shape == (40, 6)
    np.testing.assert_allclose(B.T @ B, np.eye(6), atol=1e-12)


@pytest.mark.parametrize("intrinsic_dim", [1, 5, 12])
def test_intrinsic_dimension_visible_in_singular_values(intrinsic_dim):
    noise = 0.02
    n = 2000
    X, _ = make_low_rank_mixture(
        n,
        48,
        intrinsic_dim=intrinsic_dim,
        n_components=8,
        noise=noise,
        random_state=1,
    )
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    # Signal directions have variance >= cluster_std**2 = 1, so their singular
    # values are >= ~sqrt(n); the noise floor is ~noise * (sqrt(n) + sqrt(48)).
    assert s[intrinsic_dim - 1] > 0.5 * np.sqrt(n)
    assert s[intrinsic_dim] < 2 * noise * (np.sqrt(n) + np.sqrt(48))


def test_residual_off_the_subspace_is_the_noise():
    noise = 0.1
    X, _, B = make_low_rank_mixture(
        5000, 30, intrinsic_dim=3, noise=noise, random_state=2, return_basis=True
    )
    resid = X - (X @ B) @ B.T
    # 27 of 30 noise dimensions survive the projection: per-entry variance
    # noise**2 * 27/30.
    np.testing.assert_allclose(resid.std(), noise * np.sqrt(27 / 30), rtol=0.02)


def test_components_are_clusters_in_the_subspace():
    X, y, B = make_low_rank_mixture(
        3000,
        20,
        intrinsic_dim=4,
        n_components=3,
        center_scale=10.0,
        cluster_std=0.5,
        noise=0.0,
        shuffle=False,
        random_state=3,
        return_basis=True,
    )
    Z = X @ B
    for k in range(3):
        # Within-component sd along latent axes is cluster_std (rotated basis keeps
        # isotropy): the total variance is intrinsic_dim * cluster_std**2.
        var = Z[y == k].var(0).sum()
        np.testing.assert_allclose(var, 4 * 0.25, rtol=0.1)
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 1000))


def test_deterministic_and_float32():
    a = make_low_rank_mixture(100, 10, intrinsic_dim=2, random_state=7)
    b = make_low_rank_mixture(100, 10, intrinsic_dim=2, random_state=7)
    c = make_low_rank_mixture(
        100, 10, intrinsic_dim=2, random_state=7, dtype=np.float32
    )
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert c[0].dtype == np.float32
    np.testing.assert_array_equal(c[0], a[0].astype(np.float32))


def test_full_dimension_and_single_component():
    X, y = make_low_rank_mixture(20, 3, intrinsic_dim=3, n_components=1, random_state=0)
    assert X.shape == (20, 3) and np.all(y == 0)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(intrinsic_dim=65), ValueError, "must not exceed n_features"),
        (dict(intrinsic_dim=0), ValueError, "'intrinsic_dim' parameter"),
        (dict(n_components=0), ValueError, "'n_components' parameter"),
        (dict(noise=-0.1), ValueError, "'noise' parameter"),
        (dict(cluster_std=np.inf), ValueError, "'cluster_std' parameter"),
        (dict(n_samples=2.0), TypeError, "'n_samples' parameter"),
        (dict(dtype=np.complex128), ValueError, "float64 or float32"),
    ],
)
def test_parameter_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_low_rank_mixture(**kwargs)
