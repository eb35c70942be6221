"""k-means clustering: KMeans (Lloyd and Elkan) and k-means++ seeding.

MiniBatchKMeans is in fastml/cluster/_minibatch.py and the elbow helper
(kmeans_elbow, Elbow) in fastml/cluster/_elbow.py; both build on this module.

Orchestration of the kernels in fastml/kernels/cluster/kmeans.py. The rows are cut
into a fixed number of groups (a function of the data size only); each group gets its
own partial centre sums, added in group order, so results are identical for any
``n_jobs``. Within a Lloyd pass each thread runs BLAS products of 4096-row chunks
with the (-2-scaled) centres, BLAS limited to one thread, and the fused
argmin/accumulate kernel.

As in scikit-learn, the data are centred (the column means subtracted) before
clustering, which reduces the cancellation of the matrix-product distances, and the
tolerance is relative: ``tol * mean(var(X, axis=0))`` compared with the sum of
squared centre shifts.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml._parallel import run_chunks
from fastml.base import BaseEstimator, TransformerMixin
from fastml.exceptions import ConvergenceWarning
from fastml.neighbors._brute import blas_single_thread
from fastml.utils.validation import (
    check_array,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["KMeans", "kmeans_plusplus"]

_CHUNK = 4096
_MAX_GROUPS = 32
_PARTIAL_BUDGET = 1 << 26  # bytes of partial centre sums


def _kernels() -> Any:
    from fastml.kernels.cluster import kmeans

    return kmeans


def _group_bounds(n_samples: int, n_clusters: int, n_features: int) -> np.ndarray:
    """Row boundaries of the fixed groups (independent of the thread count)."""
    by_memory = max(1, _PARTIAL_BUDGET // max(1, 8 * n_clusters * (n_features + 1)))
    n_groups = max(1, min(_MAX_GROUPS, -(-n_samples // _CHUNK), by_memory))
    return np.array([n_samples * g // n_groups for g in range(n_groups + 1)])


def _run_groups(
    func: Any, bounds: np.ndarray, n_threads: int, blas: bool = True
) -> None:
    n_groups = len(bounds) - 1

    def work(g0: int, g1: int) -> None:
        for g in range(g0, g1):
            func(g, int(bounds[g]), int(bounds[g + 1]))

    if n_threads <= 1 or n_groups == 1:
        work(0, n_groups)
        return
    if not blas:
        run_chunks(work, n_groups, n_threads)
        return
    with blas_single_thread():
        run_chunks(work, n_groups, n_threads)


def _lloyd_pass(
    X: np.ndarray,
    weights: np.ndarray,
    centers: np.ndarray,
    n_threads: int,
    update: bool,
    labels: np.ndarray,
    sample_sqdist: np.ndarray,
    exact: bool = True,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Labels (in place) and, when ``update``, the summed centre sums and weights.

    With ``exact=False`` the rows' exact squared distances (``sample_sqdist``) and
    the inertia (returned as 0) are skipped: a quarter of the kernel's time, and
    the Lloyd iterations need them only when a cluster empties."""
    km = _kernels()
    n_samples, n_features = X.shape
    n_clusters = centers.shape[0]
    bounds = _group_bounds(n_samples, n_clusters, n_features)
    n_groups = len(bounds) - 1
    sums = np.zeros((n_groups if update else 1, n_clusters, n_features))
    wsums = np.zeros((n_groups if update else 1, n_clusters))
    inertia = np.zeros(n_groups)
    scaled_t = np.ascontiguousarray((centers * X.dtype.type(-2.0)).T)
    center_sq = np.einsum("ij,ij->i", centers, centers, dtype=np.float64).astype(
        X.dtype
    )
    no_sqdist = np.empty(0)

    def group(g: int, r0: int, r1: int) -> None:
        gi = g if update else 0
        buffer = np.empty(min(_CHUNK, r1 - r0) * n_clusters, dtype=X.dtype)
        total = 0.0
        for c0 in range(r0, r1, _CHUNK):
            c1 = min(c0 + _CHUNK, r1)
            dots = buffer[: (c1 - c0) * n_clusters].reshape(c1 - c0, n_clusters)
            np.dot(X[c0:c1], scaled_t, out=dots)
            total += km.assign_lloyd(
                X[c0:c1], dots, center_sq, centers, weights[c0:c1], labels[c0:c1],
                sample_sqdist[c0:c1] if exact else no_sqdist, sums[gi], wsums[gi],
                update,
            )  # fmt: skip
        inertia[g] = total

    _run_groups(group, bounds, n_threads)
    total_inertia = 0.0
    for g in range(n_groups):
        total_inertia += inertia[g]
    if not update:
        return sums[0], wsums[0], total_inertia
    sum_all = sums[0].copy()
    wsum_all = wsums[0].copy()
    for g in range(1, n_groups):
        sum_all += sums[g]
        wsum_all += wsums[g]
    return sum_all, wsum_all, total_inertia


def _sample_sqdist(
    X: np.ndarray, centers: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    out = np.empty(X.shape[0])
    for r0 in range(0, X.shape[0], _CHUNK):
        r1 = min(r0 + _CHUNK, X.shape[0])
        diff = X[r0:r1].astype(np.float64) - centers[labels[r0:r1]]
        out[r0:r1] = np.einsum("ij,ij->i", diff, diff)
    return out


def _new_centers(
    X: np.ndarray,
    weights: np.ndarray,
    sums: np.ndarray,
    wsums: np.ndarray,
    labels: np.ndarray,
    sample_sqdist: np.ndarray,
    old_centers: np.ndarray,
) -> np.ndarray:
    """Means of the clusters; an empty cluster takes the point farthest from its
    centre (ties by index), which leaves its old cluster."""
    empty = np.flatnonzero(wsums == 0)
    if empty.size:
        order = np.lexsort((np.arange(X.shape[0]), -sample_sqdist))
        for slot, cluster in enumerate(empty):
            if slot >= order.size:
                break
            far = order[slot]
            w = weights[far]
            old = labels[far]
            row = X[far].astype(np.float64) * w
            sums[old] -= row
            wsums[old] -= w
            sums[cluster] = row
            wsums[cluster] = w
    centers = old_centers.astype(np.float64, copy=True)
    nonzero = wsums > 0
    centers[nonzero] = sums[nonzero] / wsums[nonzero, None]
    return centers


def _inertia(
    X: np.ndarray, weights: np.ndarray, centers: np.ndarray, labels: np.ndarray
) -> float:
    return float(np.dot(weights, _sample_sqdist(X, centers.astype(np.float64), labels)))


def _kmeans_lloyd(
    X: np.ndarray,
    weights: np.ndarray,
    centers_init: np.ndarray,
    max_iter: int,
    tol: float,
    n_threads: int,
) -> tuple[np.ndarray, float, np.ndarray, int]:
    n_samples = X.shape[0]
    centers = centers_init.astype(X.dtype, copy=True)
    labels = np.full(n_samples, -1, dtype=np.int64)
    labels_old = labels.copy()
    sqdist = np.empty(n_samples)
    strict = False
    n_iter = 0
    for it in range(max_iter):
        n_iter = it + 1
        sums, wsums, _ = _lloyd_pass(
            X, weights, centers, n_threads, True, labels, sqdist, exact=False
        )
        if np.any(wsums == 0):  # relocation needs each row's distance
            sqdist = _sample_sqdist(X, centers.astype(np.float64), labels)
        new = _new_centers(X, weights, sums, wsums, labels, sqdist, centers)
        shift = float(np.sum((new - centers.astype(np.float64)) ** 2))
        centers = new.astype(X.dtype)
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if shift <= tol:
            break
        labels_old[:] = labels
    if not strict:
        _lloyd_pass(X, weights, centers, n_threads, False, labels, sqdist)
    inertia = _inertia(X, weights, centers, labels)
    return labels, inertia, centers, n_iter


def _half_center_distances(centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = centers.astype(np.float64)
    diff = c[:, None, :] - c[None, :, :]
    half = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff)) / 2.0
    if len(c) > 1:
        nxt = np.partition(half, kth=1, axis=0)[1]
    else:
        nxt = np.full(1, np.inf)
    return np.ascontiguousarray(half), np.ascontiguousarray(nxt)


def _kmeans_elkan(
    X: np.ndarray,
    weights: np.ndarray,
    centers_init: np.ndarray,
    max_iter: int,
    tol: float,
    n_threads: int,
) -> tuple[np.ndarray, float, np.ndarray, int]:
    km = _kernels()
    n_samples, n_features = X.shape
    n_clusters = centers_init.shape[0]
    centers = centers_init.astype(X.dtype, copy=True)
    labels = np.full(n_samples, -1, dtype=np.int64)
    labels_old = labels.copy()
    upper = np.zeros(n_samples)
    lower = np.zeros((n_samples, n_clusters))
    half, nxt = _half_center_distances(centers)
    bounds = _group_bounds(n_samples, n_clusters, n_features)
    n_groups = len(bounds) - 1

    def init(g: int, r0: int, r1: int) -> None:
        km.elkan_init_bounds(
            X[r0:r1], centers, half, labels[r0:r1], upper[r0:r1], lower[r0:r1]
        )

    _run_groups(init, bounds, n_threads)

    def assign(update: bool) -> tuple[np.ndarray, np.ndarray]:
        sums = np.zeros((n_groups, n_clusters, n_features))
        wsums = np.zeros((n_groups, n_clusters))

        def group(g: int, r0: int, r1: int) -> None:
            km.elkan_assign(
                X[r0:r1], weights[r0:r1], centers, half, nxt, labels[r0:r1],
                upper[r0:r1], lower[r0:r1], sums[g], wsums[g], update,
            )  # fmt: skip

        _run_groups(group, bounds, n_threads)
        sum_all, wsum_all = sums[0].copy(), wsums[0].copy()
        for g in range(1, n_groups):
            sum_all += sums[g]
            wsum_all += wsums[g]
        return sum_all, wsum_all

    strict = False
    n_iter = 0
    for it in range(max_iter):
        n_iter = it + 1
        sums, wsums = assign(True)
        sqdist = (
            _sample_sqdist(X, centers.astype(np.float64), labels)
            if np.any(wsums == 0)
            else np.zeros(0)
        )
        new = _new_centers(X, weights, sums, wsums, labels, sqdist, centers)
        new_cast = new.astype(X.dtype)
        shift_vec = np.sqrt(
            np.sum((new_cast.astype(np.float64) - centers.astype(np.float64)) ** 2, 1)
        )
        upper += shift_vec[labels]
        lower -= shift_vec[None, :]
        np.maximum(lower, 0.0, out=lower)
        centers = new_cast
        half, nxt = _half_center_distances(centers)
        if np.array_equal(labels, labels_old):
            strict = True
            break
        if float(np.sum(shift_vec**2)) <= tol:
            break
        labels_old[:] = labels
    if not strict:
        assign(False)
    inertia = _inertia(X, weights, centers, labels)
    return labels, inertia, centers, n_iter


def kmeans_plusplus(
    X: Any,
    n_clusters: int,
    *,
    sample_weight: Any = None,
    x_squared_norms: Any = None,
    random_state: Any = None,
    n_local_trials: int | None = None,
    n_jobs: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-means++ seeding (Arthur & Vassilvitskii 2007, with local trials).

    Each new centre is the best of ``n_local_trials`` (default ``2 + floor(ln k)``)
    candidates drawn with probability proportional to ``w * D(x)^2``, the best being
    the one that most lowers the potential ``sum w D(x)^2``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_clusters : int
    sample_weight : array-like of shape (n_samples,) or None
    x_squared_norms : array-like of shape (n_samples,) or None
        Squared row norms, computed when None.
    random_state : int, RandomState or None
    n_local_trials : int or None
    n_jobs : int or None

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    indices : ndarray of shape (n_clusters,), int64
        Rows of X chosen as centres.
    """
    X = check_array(X, dtype=(np.float64, np.float32), order="C")
    n_samples = X.shape[0]
    if n_samples < n_clusters:
        raise ValueError(f"n_samples={n_samples} should be >= n_clusters={n_clusters}.")
    weights = check_sample_weight(sample_weight, n_samples)
    if x_squared_norms is None:
        x_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
    else:
        x_sq = np.asarray(x_squared_norms, dtype=np.float64)
    return _kmeanspp(
        X, n_clusters, x_sq, weights, check_random_state(random_state),
        resolve_n_jobs(n_jobs), n_local_trials,
    )  # fmt: skip


def _kmeanspp(
    X: np.ndarray,
    n_clusters: int,
    x_sq: np.ndarray,
    weights: np.ndarray,
    rng: np.random.RandomState,
    n_threads: int,
    n_local_trials: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy k-means++ (the random draws of scikit-learn's implementation).

    Per new centre, one pass over the data: each fixed row group runs BLAS
    products of its chunks with the candidates (``-2 cand``) and the fused gains
    kernel, which also keeps every candidate's product-form distances; adding the
    chosen centre then reads only its column of those distances and computes an
    exact distance only where it may be the row's nearest centre, while building
    the group's running sum of ``w D(x)^2`` for the next draw (two-level
    sampling: group totals, then the group's own running sum).
    """
    km = _kernels()
    n_samples, n_features = X.shape
    trials = (
        2 + int(np.log(n_clusters)) if n_local_trials is None else int(n_local_trials)
    )
    trials = max(1, trials)
    centers = np.empty((n_clusters, n_features), dtype=X.dtype)
    indices = np.full(n_clusters, -1, dtype=np.int64)
    bounds = _group_bounds(n_samples, trials, n_features)
    n_groups = len(bounds) - 1
    closest = np.full(n_samples, np.inf)
    cumulative = np.empty(n_samples)
    group_total = np.zeros(n_groups)
    approx = np.empty((trials, n_samples), dtype=X.dtype)
    gains = np.zeros((n_groups, trials))
    # Rounding bound of |x|^2 + |c|^2 - 2<x, c> with the products in X's dtype
    # (n_features terms) and the result stored in X's dtype, relative to
    # |x|^2 + |c|^2; doubled for safety.
    margin = float((n_features + 4) * np.finfo(X.dtype).eps)
    no_approx = np.empty(0, dtype=X.dtype)

    def add_center(c: int, row: int, column: int) -> None:
        centers[c] = X[row]
        indices[c] = row
        c_sq = float(x_sq[row])

        def group(g: int, r0: int, r1: int) -> None:
            group_total[g] = km.kmeanspp_add_center(
                X[r0:r1], centers[c],
                approx[column, r0:r1] if column >= 0 else no_approx,
                x_sq[r0:r1], c_sq, margin, closest[r0:r1], weights[r0:r1],
                cumulative[r0:r1],
            )  # fmt: skip

        _run_groups(group, bounds, n_threads, blas=False)

    def draw(size: int) -> np.ndarray:
        offsets = np.cumsum(group_total)
        rand_vals = rng.uniform(size=size) * offsets[-1]
        out = np.empty(size, dtype=np.int64)
        for s, r in enumerate(rand_vals):
            g = min(int(np.searchsorted(offsets, r)), n_groups - 1)
            base = float(offsets[g - 1]) if g else 0.0
            r0, r1 = int(bounds[g]), int(bounds[g + 1])
            local = int(np.searchsorted(cumulative[r0:r1], r - base))
            out[s] = min(r0 + local, n_samples - 1)
        return out

    add_center(0, int(rng.choice(n_samples, p=weights / weights.sum())), -1)
    for c in range(1, n_clusters):
        cand_idx = draw(trials)
        scaled_t = np.ascontiguousarray((X[cand_idx] * X.dtype.type(-2.0)).T)
        cand_sq = np.ascontiguousarray(x_sq[cand_idx])

        def trial(
            g: int,
            r0: int,
            r1: int,
            scaled_t: np.ndarray = scaled_t,
            cand_sq: np.ndarray = cand_sq,
        ) -> None:
            buffer = np.empty((min(_CHUNK, r1 - r0), trials), dtype=X.dtype)
            total = np.zeros(trials)
            for c0 in range(r0, r1, _CHUNK):
                c1 = min(c0 + _CHUNK, r1)
                dots = buffer[: c1 - c0]
                np.dot(X[c0:c1], scaled_t, out=dots)
                total += km.kmeanspp_trial_gains(
                    dots, x_sq[c0:c1], cand_sq, closest[c0:c1], weights[c0:c1],
                    approx, c0,
                )  # fmt: skip
            gains[g] = total

        _run_groups(trial, bounds, n_threads)
        total = gains[0].copy()
        for g in range(1, n_groups):
            total += gains[g]
        # Largest decrease = lowest potential; ties go to the first candidate.
        best = int(np.argmax(total))
        add_center(c, int(cand_idx[best]), best)
    return centers, indices


def _tolerance(X: np.ndarray, tol: float) -> float:
    if tol == 0:
        return 0.0
    return float(np.mean(np.var(X, axis=0, dtype=np.float64)) * tol)


def _validate_kmeans_params(est: Any, n_samples: int) -> None:
    k: Any = est.n_clusters
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(
            "The 'n_clusters' parameter must be an int in the range [1, inf). Got "
            f"{k!r} instead."
        )
    if n_samples < int(k):
        raise ValueError(f"n_samples={n_samples} should be >= n_clusters={k}.")
    mi: Any = est.max_iter
    if isinstance(mi, bool) or not isinstance(mi, numbers.Integral) or mi < 1:
        raise ValueError(
            "The 'max_iter' parameter must be an int in the range [1, inf). Got "
            f"{mi!r} instead."
        )
    if not isinstance(est.tol, numbers.Real) or est.tol < 0:
        raise ValueError(
            "The 'tol' parameter must be a float in the range [0.0, inf). Got "
            f"{est.tol!r} instead."
        )
    n_init: Any = est.n_init
    valid_int = isinstance(n_init, numbers.Integral) and int(n_init) >= 1
    if not (n_init == "auto" or valid_int):
        raise ValueError(
            "The 'n_init' parameter must be a str among {'auto'} or an int in the "
            f"range [1, inf). Got {n_init!r} instead."
        )
    init = est.init
    if isinstance(init, str):
        if init not in ("k-means++", "random"):
            raise ValueError(
                "The 'init' parameter must be a str among {'k-means++', 'random'}, "
                f"an array-like or a callable. Got {init!r} instead."
            )
    elif not callable(init):
        arr = np.asarray(init)
        if arr.ndim != 2 or arr.shape[0] != k:
            raise ValueError(
                f"The shape of the initial centers {arr.shape} does not match the "
                f"number of clusters {k}."
            )
        if arr.shape[1] != est.n_features_in_:
            raise ValueError(
                f"The shape of the initial centers {arr.shape} does not match the "
                f"number of features of the data {est.n_features_in_}."
            )


def _init_centers(
    est: Any,
    X: np.ndarray,
    x_sq: np.ndarray,
    weights: np.ndarray,
    rng: np.random.RandomState,
    n_threads: int,
    init_size: int | None = None,
) -> np.ndarray:
    n_samples = X.shape[0]
    k = est.n_clusters
    if init_size is not None and init_size < n_samples:
        idx = rng.randint(0, n_samples, init_size)
        X, x_sq, weights = X[idx], x_sq[idx], weights[idx]
        n_samples = init_size
    init = est.init
    if isinstance(init, str) and init == "k-means++":
        return _kmeanspp(X, k, x_sq, weights, rng, n_threads)[0]
    if isinstance(init, str) and init == "random":
        seeds = rng.permutation(n_samples)[:k]
        return X[seeds].copy()
    if callable(init):
        centers = check_array(init(X, k, random_state=rng), dtype=X.dtype)
    else:
        centers = check_array(init, dtype=X.dtype, copy=True)
    return centers


class _KMeansBase(TransformerMixin, BaseEstimator):
    n_clusters: int
    n_jobs: int | None
    cluster_centers_: np.ndarray
    labels_: np.ndarray
    inertia_: float

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
        raise NotImplementedError

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "clusterer"
        return tags

    def _check_test_data(self, X: Any) -> np.ndarray:
        X = validate_data(
            self, X, dtype=(np.float64, np.float32), order="C", reset=False
        )
        return X.astype(self.cluster_centers_.dtype, copy=False)

    def _labels_inertia(self, X: np.ndarray, weights: np.ndarray) -> tuple[Any, float]:
        labels = np.empty(X.shape[0], dtype=np.int64)
        sqdist = np.empty(X.shape[0])
        _, _, inertia = _lloyd_pass(
            X, weights, self.cluster_centers_, resolve_n_jobs(self.n_jobs), False,
            labels, sqdist,
        )  # fmt: skip
        return labels.astype(np.int32), inertia

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest centre of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,), int32
        """
        check_is_fitted(self, "cluster_centers_")
        X = self._check_test_data(X)
        return self._labels_inertia(X, np.ones(X.shape[0]))[0]

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> Any:
        """``fit(X)`` then the labels of X.

        Returns
        -------
        ndarray of shape (n_samples,), int32
        """
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X: Any) -> np.ndarray:
        """Euclidean distances of each sample to every centre.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_clusters)
        """
        check_is_fitted(self, "cluster_centers_")
        X = self._check_test_data(X)
        c = self.cluster_centers_.astype(np.float64)
        out = np.empty((X.shape[0], c.shape[0]), dtype=X.dtype)
        for r0 in range(0, X.shape[0], _CHUNK):
            r1 = min(r0 + _CHUNK, X.shape[0])
            diff = X[r0:r1, None, :].astype(np.float64) - c[None, :, :]
            out[r0:r1] = np.sqrt(np.einsum("ijk,ijk->ij", diff, diff))
        return out

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """``fit(X, sample_weight=...)`` then ``transform(X)``."""
        return self.fit(X, **fit_params).transform(X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Opposite of the inertia of X against the fitted centres.

        Returns
        -------
        float
        """
        check_is_fitted(self, "cluster_centers_")
        X = self._check_test_data(X)
        weights = check_sample_weight(sample_weight, X.shape[0])
        return -self._labels_inertia(X, weights)[1]

    def _warn_distinct(self) -> None:
        n_distinct = len(np.unique(self.labels_))
        if n_distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({n_distinct}) found smaller than "
                f"n_clusters ({self.n_clusters}). Possibly due to duplicate points "
                "in X.",
                ConvergenceWarning,
                stacklevel=3,
            )


class KMeans(_KMeansBase):
    """k-means clustering (Lloyd or Elkan iterations, k-means++ seeding).

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"}, callable or array of shape (n_clusters, n_features)
        "k-means++": greedy k-means++ with ``2 + floor(ln k)`` local trials;
        "random": k distinct rows drawn at random; or the initial centres.
    n_init : "auto" or int, default="auto"
        Number of seedings; the run with the lowest inertia is kept. "auto": 1 for
        k-means++ and arrays, 10 for "random".
    max_iter : int, default=300
    tol : float, default=1e-4
        Convergence when the summed squared centre shift is at most
        ``tol * mean(var(X, axis=0))``.
    verbose : int, default=0
        Unused (kept for scikit-learn compatibility).
    random_state : int, RandomState or None
    copy_x : bool, default=True
        Unused: the caller's X is never modified.
    algorithm : {"lloyd", "elkan"}, default="lloyd"
    n_jobs : int or None, default=None
        Threads; the result does not depend on it.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,), int32
    inertia_ : float
        Weighted sum of squared distances of the samples to their centre.
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.cluster import KMeans
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(km.cluster_centers_[:, 0].tolist())
    [0.0, 10.0]
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        n_init: Any = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        verbose: int = 0,
        random_state: Any = None,
        copy_x: bool = True,
        algorithm: str = "lloyd",
        n_jobs: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.copy_x = copy_x
        self.algorithm = algorithm
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Cluster X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,) or None

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=(np.float64, np.float32), order="C", copy=True)
        _validate_kmeans_params(self, X.shape[0])
        if self.algorithm not in ("lloyd", "elkan"):
            raise ValueError(
                "The 'algorithm' parameter must be a str among {'lloyd', 'elkan'}. "
                f"Got {self.algorithm!r} instead."
            )
        weights = check_sample_weight(sample_weight, X.shape[0])
        n_threads = resolve_n_jobs(self.n_jobs)
        rng = check_random_state(self.random_state)
        tol = _tolerance(X, float(self.tol))
        is_array = not isinstance(self.init, str) and not callable(self.init)
        n_init = self.n_init
        if n_init == "auto":
            n_init = 10 if isinstance(self.init, str) and self.init == "random" else 1
        if is_array and n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init "
                f"in {type(self).__name__} instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=2,
            )
            n_init = 1
        # Centre the data (X is our own copy): better-conditioned matrix products.
        mean = X.mean(axis=0)
        X -= mean
        x_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
        run = _kmeans_elkan if self.algorithm == "elkan" else _kmeans_lloyd
        if self.n_clusters == 1:
            run = _kmeans_lloyd
        best: tuple[np.ndarray, float, np.ndarray, int] | None = None
        for _ in range(int(n_init)):
            centers0 = self._initial(X, x_sq, weights, rng, n_threads, mean, is_array)
            result = run(X, weights, centers0, int(self.max_iter), tol, n_threads)
            if best is None or result[1] < best[1]:
                best = result
        assert best is not None
        labels, inertia, centers, n_iter = best
        self.cluster_centers_ = (centers.astype(np.float64) + mean).astype(X.dtype)
        self.labels_ = labels.astype(np.int32)
        self.inertia_ = float(inertia)
        self.n_iter_ = int(n_iter)
        self._warn_distinct()
        return self

    def _initial(
        self,
        X: np.ndarray,
        x_sq: np.ndarray,
        weights: np.ndarray,
        rng: np.random.RandomState,
        n_threads: int,
        mean: np.ndarray,
        is_array: bool,
    ) -> np.ndarray:
        centers = _init_centers(self, X, x_sq, weights, rng, n_threads)
        if is_array or callable(self.init):
            if is_array:
                centers = centers - mean.astype(centers.dtype)
        return np.ascontiguousarray(centers, dtype=X.dtype)
