"""MiniBatchKMeans: k-means on random mini-batches (Sculley 2010), on the
assignment kernels and seeding of fastml/cluster/_kmeans.py."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from fastml.cluster._kmeans import (
    _init_centers,
    _KMeansBase,
    _lloyd_pass,
    _tolerance,
    _validate_kmeans_params,
)
from fastml.utils.validation import (
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["MiniBatchKMeans"]


class MiniBatchKMeans(_KMeansBase):
    """k-means on random mini-batches (Sculley 2010), with per-centre learning rates.

    Parameters
    ----------
    n_clusters : int, default=8
    init : {"k-means++", "random"}, callable or array, default="k-means++"
        Seeding, run on ``init_size`` random samples.
    max_iter : int, default=100
        Maximum number of passes over the data (epochs).
    batch_size : int, default=1024
    verbose : int, default=0
        Unused.
    compute_labels : bool, default=True
        Compute ``labels_`` and ``inertia_`` on the full data after fitting.
    random_state : int, RandomState or None
    tol : float, default=0.0
        Stop when the squared centre change of a step is at most
        ``tol * mean(var(X, axis=0))`` (0 disables).
    max_no_improvement : int or None, default=10
        Stop after this many steps without improvement of the smoothed batch
        inertia (None disables).
    init_size : int or None
        Samples used for seeding (default ``3 * batch_size``).
    n_init : "auto" or int, default="auto"
        Seedings tried (the best on a held-out sample is kept); "auto": 3 for
        k-means++/random, 1 for arrays.
    reassignment_ratio : float, default=0.01
        Centres whose count falls below this fraction of the largest count are
        moved to random batch samples (every 10 steps).
    n_jobs : int or None

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,), int32
    inertia_ : float
    n_iter_ : int
    n_steps_ : int
    n_features_in_ : int
    """

    _counts: np.ndarray
    _n_since_reassign: int
    _rng: np.random.RandomState
    n_steps_: int

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        max_iter: int = 100,
        batch_size: int = 1024,
        verbose: int = 0,
        compute_labels: bool = True,
        random_state: Any = None,
        tol: float = 0.0,
        max_no_improvement: int | None = 10,
        init_size: int | None = None,
        n_init: Any = "auto",
        reassignment_ratio: float = 0.01,
        n_jobs: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.verbose = verbose
        self.compute_labels = compute_labels
        self.random_state = random_state
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.n_jobs = n_jobs

    def _seed(
        self, X: np.ndarray, weights: np.ndarray, rng: np.random.RandomState
    ) -> np.ndarray:
        n_samples = X.shape[0]
        batch = min(int(self.batch_size), n_samples)
        init_size = self.init_size if self.init_size is not None else 3 * batch
        init_size = min(max(int(init_size), self.n_clusters), n_samples)
        is_array = not isinstance(self.init, str) and not callable(self.init)
        n_init = self.n_init
        if n_init == "auto":
            n_init = 1 if is_array else 3
        x_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
        valid_idx = rng.randint(0, n_samples, init_size)
        X_valid, w_valid = X[valid_idx], weights[valid_idx]
        best, best_inertia = None, np.inf
        for _ in range(1 if is_array else int(n_init)):
            centers = _init_centers(
                self, X, x_sq, weights, rng, 1, init_size=init_size
            ).astype(X.dtype)
            labels = np.empty(init_size, dtype=np.int64)
            sq = np.empty(init_size)
            _, _, inertia = _lloyd_pass(X_valid, w_valid, centers, 1, False, labels, sq)
            if inertia < best_inertia:
                best, best_inertia = centers, inertia
        assert best is not None
        return np.ascontiguousarray(best)

    def _step(
        self,
        Xb: np.ndarray,
        wb: np.ndarray,
        rng: np.random.RandomState,
    ) -> tuple[float, float]:
        """One mini-batch update; returns (batch inertia, squared centre change)."""
        centers = self.cluster_centers_
        labels = np.empty(Xb.shape[0], dtype=np.int64)
        sq = np.empty(Xb.shape[0])
        sums, wsums, inertia = _lloyd_pass(Xb, wb, centers, 1, True, labels, sq)
        old = centers.astype(np.float64)
        counts = self._counts
        new_counts = counts + wsums
        moved = wsums > 0
        new = old.copy()
        new[moved] = (old[moved] * counts[moved, None] + sums[moved]) / new_counts[
            moved, None
        ]
        self._counts = new_counts
        self._n_since_reassign += 1
        if (
            self.reassignment_ratio > 0
            and self._n_since_reassign >= 10
            and new_counts.max() > 0
        ):
            low = new_counts < self.reassignment_ratio * new_counts.max()
            n_low = int(low.sum())
            if 0 < n_low < len(low):
                picks = rng.choice(Xb.shape[0], size=n_low, replace=False)
                new[low] = Xb[picks]
                self._counts[low] = new_counts[~low].min()
            self._n_since_reassign = 0
        change = float(np.sum((new - old) ** 2))
        self.cluster_centers_ = new.astype(centers.dtype)
        return inertia, change

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> MiniBatchKMeans:
        """Cluster X by mini-batch updates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,) or None

        Returns
        -------
        self
        """
        X = validate_data(self, X, dtype=(np.float64, np.float32), order="C")
        _validate_kmeans_params(self, X.shape[0])
        if not isinstance(self.batch_size, numbers.Integral) or self.batch_size < 1:
            raise ValueError(
                "The 'batch_size' parameter must be an int in the range [1, inf). "
                f"Got {self.batch_size!r} instead."
            )
        weights = check_sample_weight(sample_weight, X.shape[0])
        rng = self._rng = check_random_state(self.random_state)
        n_samples = X.shape[0]
        batch = min(int(self.batch_size), n_samples)
        self.cluster_centers_ = self._seed(X, weights, rng)
        self._counts = np.zeros(self.n_clusters)
        self._n_since_reassign = 0
        tol = _tolerance(X, float(self.tol))
        n_steps = max(1, (int(self.max_iter) * n_samples) // batch)
        ewa, ewa_min, no_improve = None, np.inf, 0
        alpha = min(1.0, batch * 2.0 / (n_samples + 1))
        step = 0
        for step in range(n_steps):
            idx = rng.randint(0, n_samples, batch)
            inertia, change = self._step(X[idx], weights[idx], rng)
            if step == 0:
                continue  # the first step's figures mostly measure the seeding
            batch_inertia = inertia / batch
            ewa = (
                batch_inertia
                if ewa is None
                else ewa * (1 - alpha) + batch_inertia * alpha
            )
            if tol > 0 and change <= tol:
                break
            if ewa < ewa_min:
                ewa_min, no_improve = ewa, 0
            else:
                no_improve += 1
            if (
                self.max_no_improvement is not None
                and no_improve >= self.max_no_improvement
            ):
                break
        self.n_steps_ = step + 1
        self.n_iter_ = int(np.ceil(self.n_steps_ * batch / n_samples))
        if self.compute_labels:
            labels, inertia = self._labels_inertia(X, weights)
            self.labels_ = labels
            self.inertia_ = float(inertia)
        return self

    def partial_fit(
        self, X: Any, y: Any = None, sample_weight: Any = None
    ) -> MiniBatchKMeans:
        """One mini-batch update with X as the batch (seeding on the first call).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like of shape (n_samples,) or None

        Returns
        -------
        self
        """
        first = not hasattr(self, "cluster_centers_")
        X = validate_data(
            self, X, dtype=(np.float64, np.float32), order="C", reset=first
        )
        weights = check_sample_weight(sample_weight, X.shape[0])
        if first:
            _validate_kmeans_params(self, X.shape[0])
            self._rng = check_random_state(self.random_state)
            self.cluster_centers_ = self._seed(X, weights, self._rng)
            self._counts = np.zeros(self.n_clusters)
            self._n_since_reassign = 0
            self.n_steps_ = 0
        X = X.astype(self.cluster_centers_.dtype, copy=False)
        self._step(X, weights, self._rng)
        self.n_steps_ += 1
        if self.compute_labels:
            labels, inertia = self._labels_inertia(X, weights)
            self.labels_ = labels
            self.inertia_ = float(inertia)
        return self
