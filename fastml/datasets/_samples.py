"""Synthetic classification, regression and blob data sets (vectorised NumPy).

These are fastml's own generators: the semantics are documented on each function and
tested as properties (shapes, class balance, which features carry signal, cluster
spread). They do not reproduce scikit-learn's random streams.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastml.datasets._common import (
    check_float_dtype,
    check_int,
    check_real,
    rng_from,
)

__all__ = ["make_classification", "make_regression", "make_blobs"]


def _largest_remainder(total: int, proportions: np.ndarray) -> np.ndarray:
    """Split ``total`` into integer parts proportional to ``proportions``.

    Each part is ``floor(total * p)`` plus one for the parts with the largest
    fractional remainders (ties go to the lower index), so the parts sum to ``total``
    and each differs from ``total * p`` by less than one.
    """
    exact = total * proportions
    counts = np.floor(exact).astype(np.int64)
    missing = total - int(counts.sum())
    if missing > 0:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:missing]] += 1
    return counts


def _even_split(total: int, n_parts: int) -> np.ndarray:
    """``total`` split into ``n_parts`` parts differing by at most one."""
    counts = np.full(n_parts, total // n_parts, dtype=np.int64)
    counts[: total % n_parts] += 1
    return counts


def _hypercube_vertices(
    n_vertices: int, n_dims: int, rng: np.random.RandomState
) -> np.ndarray:
    """``n_vertices`` distinct random vertices of {-1, +1}^n_dims, as float64 rows."""
    if n_dims <= 16:
        # Small cube: draw vertex codes without replacement (at most 65536 of them).
        codes = rng.choice(2**n_dims, size=n_vertices, replace=False)
        bits = (codes[:, None] >> np.arange(n_dims)[None, :]) & 1
        return 2.0 * bits - 1.0
    # Large cube: random sign vectors rarely collide; redraw until enough distinct.
    vertices = np.empty((0, n_dims))
    while vertices.shape[0] < n_vertices:
        draw = 2.0 * rng.randint(0, 2, size=(n_vertices, n_dims)) - 1.0
        vertices = np.unique(np.vstack([vertices, draw]), axis=0)
    order = rng.permutation(vertices.shape[0])[:n_vertices]
    return vertices[order]


def _class_proportions(weights: Any, n_classes: int, func: str) -> np.ndarray:
    if weights is None:
        return np.full(n_classes, 1.0 / n_classes)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape[0] not in (n_classes, n_classes - 1) or w.shape[0] == 0:
        raise ValueError(
            f"{func}: weights has {w.shape[0]} entries; it must have n_classes "
            f"({n_classes}) or n_classes - 1 ({n_classes - 1}) entries."
        )
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"{func}: weights must be finite and non-negative.")
    if w.shape[0] == n_classes - 1:
        if w.sum() > 1.0 + 1e-12:
            raise ValueError(
                f"{func}: with n_classes - 1 weights, their sum ({w.sum():g}) must "
                "not exceed 1; the last class gets 1 - sum(weights)."
            )
        w = np.append(w, max(0.0, 1.0 - w.sum()))
    if w.sum() <= 0:
        raise ValueError(f"{func}: weights must not all be zero.")
    return w / w.sum()


def make_classification(
    n_samples: int = 100,
    n_features: int = 20,
    *,
    n_informative: int = 2,
    n_redundant: int = 2,
    n_repeated: int = 0,
    n_classes: int = 2,
    n_clusters_per_class: int = 2,
    weights: Sequence[float] | np.ndarray | None = None,
    flip_y: float = 0.01,
    class_sep: float = 1.0,
    shuffle: bool = True,
    random_state: Any = None,
    dtype: Any = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """Random n-class classification problem built from Gaussian clusters.

    Each class is made of ``n_clusters_per_class`` Gaussian clusters living in the
    ``n_informative``-dimensional space. Cluster centres are distinct random vertices
    of the hypercube with side ``2 * class_sep`` centred at the origin; a cluster's
    points are ``center + z @ A`` with ``z`` standard normal and ``A`` a random
    matrix with entries uniform in [-1, 1] (so each cluster has its own covariance
    ``A.T @ A``). The remaining columns are, in this order before shuffling:

    - ``n_redundant`` random linear combinations of the informative columns
      (weights uniform in [-1, 1]);
    - ``n_repeated`` exact copies of informative or redundant columns chosen at
      random;
    - ``n_features - n_informative - n_redundant - n_repeated`` columns of
      standard-normal noise, independent of the class.

    Class sizes follow ``weights`` exactly (largest-remainder rounding of
    ``n_samples * weight``), split as evenly as possible among the class's clusters.
    Then a fraction ``flip_y`` of the samples get a label drawn uniformly among all
    classes (which may be their own), so the class counts are only approximately
    ``weights`` when ``flip_y > 0``. With ``shuffle`` the rows and the columns are
    permuted (so the informative columns are no longer the first ones).

    Parameters
    ----------
    n_samples : int, default=100
        Number of samples, >= 1.
    n_features : int, default=20
        Total number of features, at least
        ``n_informative + n_redundant + n_repeated``.
    n_informative : int, default=2
        Number of informative features, >= 1, with
        ``n_classes * n_clusters_per_class <= 2 ** n_informative``.
    n_redundant : int, default=2
        Number of linear combinations of the informative features.
    n_repeated : int, default=0
        Number of duplicated informative or redundant features.
    n_classes : int, default=2
        Number of classes, >= 2.
    n_clusters_per_class : int, default=2
        Number of Gaussian clusters per class, >= 1.
    weights : array-like of shape (n_classes,) or (n_classes - 1,), default=None
        Class proportions. ``None`` means balanced classes. With ``n_classes``
        entries they are normalised to sum to one; with ``n_classes - 1`` entries
        (summing to at most one) the last class gets the rest.
    flip_y : float in [0, 1], default=0.01
        Fraction of samples whose label is redrawn uniformly at random.
    class_sep : float >= 0, default=1.0
        Half the side of the hypercube: larger values separate the classes more.
    shuffle : bool, default=True
        Permute the samples and the features.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator; a fixed int gives the same data set every call.
    dtype : {np.float64, np.float32}, default=np.float64
        dtype of ``X``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features, C-contiguous, of dtype ``dtype``.
    y : ndarray of shape (n_samples,)
        Integer class labels in ``0 .. n_classes - 1`` (int64).

    Examples
    --------
    >>> from fastml.datasets import make_classification
    >>> X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    >>> X.shape, y.shape, sorted(set(y.tolist()))
    ((200, 5), (200,), [0, 1])
    """
    func = "make_classification"
    n_samples = check_int(n_samples, "n_samples", func, min_val=1)
    n_features = check_int(n_features, "n_features", func, min_val=1)
    n_informative = check_int(n_informative, "n_informative", func, min_val=1)
    n_redundant = check_int(n_redundant, "n_redundant", func, min_val=0)
    n_repeated = check_int(n_repeated, "n_repeated", func, min_val=0)
    n_classes = check_int(n_classes, "n_classes", func, min_val=2)
    n_clusters_per_class = check_int(
        n_clusters_per_class, "n_clusters_per_class", func, min_val=1
    )
    flip_y = check_real(flip_y, "flip_y", func, min_val=0.0, max_val=1.0)
    class_sep = check_real(class_sep, "class_sep", func, min_val=0.0)
    out_dtype = check_float_dtype(dtype, func)
    n_useful = n_informative + n_redundant + n_repeated
    if n_useful > n_features:
        raise ValueError(
            f"{func}: n_informative + n_redundant + n_repeated ({n_useful}) must not "
            f"exceed n_features ({n_features})."
        )
    n_clusters = n_classes * n_clusters_per_class
    if n_informative < 63 and n_clusters > 2**n_informative:
        raise ValueError(
            f"{func}: n_classes * n_clusters_per_class ({n_clusters}) must not exceed "
            f"2 ** n_informative ({2**n_informative}): each cluster needs its own "
            "hypercube vertex."
        )
    proportions = _class_proportions(weights, n_classes, func)
    rng = rng_from(random_state)

    class_counts = _largest_remainder(n_samples, proportions)
    # cluster_counts[c, j]: size of the j-th cluster of class c.
    cluster_counts = np.stack(
        [_even_split(int(c), n_clusters_per_class) for c in class_counts]
    )
    centers = class_sep * _hypercube_vertices(n_clusters, n_informative, rng)

    X = np.empty((n_samples, n_features), dtype=np.float64)
    y = np.empty(n_samples, dtype=np.int64)
    informative = rng.standard_normal((n_samples, n_informative))
    start = 0
    for c in range(n_classes):
        for j in range(n_clusters_per_class):
            stop = start + int(cluster_counts[c, j])
            mixing = 2.0 * rng.uniform(size=(n_informative, n_informative)) - 1.0
            center = centers[c * n_clusters_per_class + j]
            informative[start:stop] = informative[start:stop] @ mixing + center
            y[start:stop] = c
            start = stop
    X[:, :n_informative] = informative

    col = n_informative
    if n_redundant > 0:
        combination = 2.0 * rng.uniform(size=(n_informative, n_redundant)) - 1.0
        X[:, col : col + n_redundant] = informative @ combination
        col += n_redundant
    if n_repeated > 0:
        source = rng.randint(0, col, size=n_repeated)
        X[:, col : col + n_repeated] = X[:, source]
        col += n_repeated
    if col < n_features:
        X[:, col:] = rng.standard_normal((n_samples, n_features - col))

    if flip_y > 0.0:
        flip = rng.uniform(size=n_samples) < flip_y
        y[flip] = rng.randint(0, n_classes, size=int(flip.sum()))

    if shuffle:
        rows = rng.permutation(n_samples)
        columns = rng.permutation(n_features)
        X = X[rows][:, columns]
        y = y[rows]
    return np.ascontiguousarray(X, dtype=out_dtype), y


def make_regression(
    n_samples: int = 100,
    n_features: int = 100,
    *,
    n_informative: int = 10,
    n_targets: int = 1,
    bias: float = 0.0,
    noise: float = 0.0,
    shuffle: bool = True,
    coef: bool = False,
    random_state: Any = None,
    dtype: Any = np.float64,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random linear regression problem with a few informative features.

    ``X`` is standard normal. The true coefficients are uniform in [0, 100] on
    ``n_informative`` features and zero on the others, and
    ``y = X @ coef + bias + noise * e`` with ``e`` standard normal. With ``shuffle``
    the rows and the columns are permuted (the returned ``coef`` follows the column
    permutation, so ``X @ coef + bias`` is still the noiseless target).

    Parameters
    ----------
    n_samples : int, default=100
        Number of samples, >= 1.
    n_features : int, default=100
        Number of features, >= 1.
    n_informative : int, default=10
        Number of features with a non-zero coefficient, >= 0; values above
        ``n_features`` are clipped to ``n_features``.
    n_targets : int, default=1
        Number of regression targets; ``y`` is 1-D when it is 1.
    bias : float, default=0.0
        Intercept added to every target.
    noise : float >= 0, default=0.0
        Standard deviation of the Gaussian noise added to ``y``.
    shuffle : bool, default=True
        Permute the samples and the features.
    coef : bool, default=False
        Also return the true coefficients.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.
    dtype : {np.float64, np.float32}, default=np.float64
        dtype of ``X``, ``y`` and ``coef``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The features.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        The targets.
    coef : ndarray of shape (n_features,) or (n_features, n_targets)
        The true coefficients, only when ``coef=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.datasets import make_regression
    >>> X, y, w = make_regression(50, 4, n_informative=2, coef=True, random_state=0)
    >>> bool(np.allclose(X @ w, y)), int(np.count_nonzero(w))
    (True, 2)
    """
    func = "make_regression"
    n_samples = check_int(n_samples, "n_samples", func, min_val=1)
    n_features = check_int(n_features, "n_features", func, min_val=1)
    n_informative = check_int(n_informative, "n_informative", func, min_val=0)
    n_targets = check_int(n_targets, "n_targets", func, min_val=1)
    bias = check_real(bias, "bias", func)
    noise = check_real(noise, "noise", func, min_val=0.0)
    out_dtype = check_float_dtype(dtype, func)
    # Clipped rather than refused so the default (10) works with fewer features.
    n_informative = min(n_informative, n_features)
    rng = rng_from(random_state)

    X = rng.standard_normal((n_samples, n_features))
    true_coef = np.zeros((n_features, n_targets))
    true_coef[:n_informative] = 100.0 * rng.uniform(size=(n_informative, n_targets))
    y = X @ true_coef + bias
    if noise > 0.0:
        y += noise * rng.standard_normal(y.shape)
    if shuffle:
        rows = rng.permutation(n_samples)
        columns = rng.permutation(n_features)
        X = X[rows][:, columns]
        y = y[rows]
        true_coef = true_coef[columns]
    if n_targets == 1:
        y = y[:, 0]
        true_coef = true_coef[:, 0]
    X = np.ascontiguousarray(X, dtype=out_dtype)
    y = np.ascontiguousarray(y, dtype=out_dtype)
    if coef:
        return X, y, np.ascontiguousarray(true_coef, dtype=out_dtype)
    return X, y


def _blob_counts(n_samples: Any, func: str) -> tuple[int | None, np.ndarray | None]:
    """(total, None) for an int ``n_samples``; (None, per-centre counts) for a list."""
    if isinstance(n_samples, numbers.Integral) and not isinstance(n_samples, bool):
        return check_int(n_samples, "n_samples", func, min_val=1), None
    counts = np.asarray(n_samples)
    if counts.ndim != 1 or counts.shape[0] == 0 or counts.dtype.kind not in "iu":
        raise TypeError(
            f"{func}: n_samples must be an int or a non-empty sequence of ints, "
            f"got {n_samples!r}."
        )
    if np.any(counts < 0) or counts.sum() == 0:
        raise ValueError(
            f"{func}: per-centre sample counts must be non-negative with a positive "
            f"total, got {counts.tolist()}."
        )
    return None, counts.astype(np.int64)


def make_blobs(
    n_samples: int | Sequence[int] = 100,
    n_features: int = 2,
    *,
    centers: int | np.ndarray | Sequence[Sequence[float]] | None = None,
    cluster_std: float | Sequence[float] | np.ndarray = 1.0,
    center_box: tuple[float, float] = (-10.0, 10.0),
    shuffle: bool = True,
    random_state: Any = None,
    return_centers: bool = False,
    dtype: Any = np.float64,
) -> tuple[np.ndarray, np.ndarray] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, for clustering.

    Blob ``k`` draws its points as ``centers[k] + cluster_std[k] * z`` with ``z``
    standard normal in ``n_features`` dimensions; its label is ``k``.

    Parameters
    ----------
    n_samples : int or sequence of int, default=100
        An int is the total, split as evenly as possible among the centres (the
        first ones get one more). A sequence gives each centre's count; then
        ``centers`` must be None (one random centre per entry) or an array with one
        row per entry.
    n_features : int, default=2
        Dimension of the points when the centres are drawn at random; ignored when
        ``centers`` is an array (its width is used).
    centers : int, array-like of shape (n_centers, n_features) or None, default=None
        Number of random centres, or the centres themselves. None means 3 centres
        for an int ``n_samples`` and one per entry of a sequence. Random centres are
        uniform in ``center_box`` on every axis.
    cluster_std : float or array-like of shape (n_centers,), default=1.0
        Standard deviation of each blob (one value for all, or one per centre).
    center_box : tuple of float (min, max), default=(-10.0, 10.0)
        Bounding box of the random centres.
    shuffle : bool, default=True
        Permute the samples (otherwise they are grouped by blob).
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.
    return_centers : bool, default=False
        Also return the centres.
    dtype : {np.float64, np.float32}, default=np.float64
        dtype of ``X`` (and of the returned centres).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The points.
    y : ndarray of shape (n_samples,)
        Blob index of each point (int64).
    centers : ndarray of shape (n_centers, n_features)
        The centres, only when ``return_centers=True``.

    Examples
    --------
    >>> from fastml.datasets import make_blobs
    >>> X, y, C = make_blobs([5, 10], n_features=3, random_state=0,
    ...                      return_centers=True)
    >>> X.shape, C.shape, [int((y == k).sum()) for k in range(2)]
    ((15, 3), (2, 3), [5, 10])
    """
    func = "make_blobs"
    total, per_center = _blob_counts(n_samples, func)
    out_dtype = check_float_dtype(dtype, func)
    low, high = (check_real(v, "center_box", func) for v in center_box)
    if low > high:
        raise ValueError(f"{func}: center_box must be (min, max) with min <= max.")
    rng = rng_from(random_state)

    given_centers: np.ndarray | None = None
    if centers is None:
        n_centers = 3 if per_center is None else per_center.shape[0]
    elif isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        if per_center is not None:
            raise ValueError(
                f"{func}: when n_samples is a sequence, centers must be None or an "
                "array with one row per entry of n_samples, not an int."
            )
        n_centers = check_int(centers, "centers", func, min_val=1)
    else:
        given_centers = np.asarray(centers, dtype=np.float64)
        if given_centers.ndim != 2 or given_centers.shape[0] == 0:
            raise ValueError(
                f"{func}: centers must be an int or a 2-D array of shape "
                f"(n_centers, n_features), got shape {given_centers.shape}."
            )
        if not np.all(np.isfinite(given_centers)):
            raise ValueError(f"{func}: centers must be finite.")
        n_centers = given_centers.shape[0]
        if per_center is not None and per_center.shape[0] != n_centers:
            raise ValueError(
                f"{func}: n_samples has {per_center.shape[0]} entries but centers has "
                f"{n_centers} rows; they must match."
            )
    if given_centers is None:
        n_features = check_int(n_features, "n_features", func, min_val=1)
        given_centers = rng.uniform(low, high, size=(n_centers, n_features))
    n_features = given_centers.shape[1]

    std = np.asarray(cluster_std, dtype=np.float64)
    if std.ndim == 0:
        std = np.full(n_centers, float(std))
    if std.shape != (n_centers,):
        raise ValueError(
            f"{func}: cluster_std must be a float or have one entry per centre "
            f"({n_centers}), got shape {std.shape}."
        )
    if not np.all(np.isfinite(std)) or np.any(std < 0):
        raise ValueError(f"{func}: cluster_std must be finite and non-negative.")

    if per_center is not None:
        counts = per_center
    else:
        assert total is not None  # an int n_samples when no per-centre counts
        counts = _even_split(total, n_centers)
    n_total = int(counts.sum())
    labels = np.repeat(np.arange(n_centers, dtype=np.int64), counts)
    X = given_centers[labels] + std[labels, None] * rng.standard_normal(
        (n_total, n_features)
    )
    if shuffle:
        order = rng.permutation(n_total)
        X = X[order]
        labels = labels[order]
    X = np.ascontiguousarray(X, dtype=out_dtype)
    if return_centers:
        return X, labels, np.ascontiguousarray(given_centers, dtype=out_dtype)
    return X, labels
