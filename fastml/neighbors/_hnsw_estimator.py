"""A scikit-learn style estimator over the HNSW :class:`~fastml.neighbors.Index`."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator
from fastml.neighbors._hnsw import Index
from fastml.utils.validation import check_is_fitted, validate_data

__all__ = ["HNSWNearestNeighbors"]

_METRIC_SPACE = {
    "euclidean": "l2",
    "sqeuclidean": "l2",
    "cosine": "cosine",
    "ip": "ip",
}


class HNSWNearestNeighbors(BaseEstimator):
    """Approximate nearest neighbours with an HNSW graph (fit / kneighbors).

    Parameters
    ----------
    n_neighbors : int, default=5
        Neighbours returned by ``kneighbors`` by default.
    metric : {"euclidean", "sqeuclidean", "cosine", "ip"}, default="euclidean"
        Distance; "cosine" is 1 - cosine similarity, "ip" is 1 - inner product.
    M : int, default=16
        Links per node (2M on the bottom layer).
    ef_construction : int, default=200
        Beam width while building.
    ef : int, default=50
        Beam width of queries (at least ``n_neighbors`` is used).
    random_state : int, default=100
        Seed of the level draws.
    n_jobs : int or None, default=None
        Threads (None: 1, -1: all CPUs). The graph does not depend on it.

    Attributes
    ----------
    index_ : Index
        The graph; labels are row numbers of the training data.
    n_samples_fit_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Defined when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.neighbors import HNSWNearestNeighbors
    >>> X = np.random.default_rng(0).standard_normal((300, 4))
    >>> nn = HNSWNearestNeighbors(n_neighbors=3).fit(X)
    >>> dist, idx = nn.kneighbors(X[:2])
    >>> idx[:, 0].tolist()
    [0, 1]
    """

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        metric: str = "euclidean",
        M: int = 16,
        ef_construction: int = 200,
        ef: int = 50,
        random_state: int = 100,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.metric = metric
        self.M = M
        self.ef_construction = ef_construction
        self.ef = ef
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        if self.metric not in _METRIC_SPACE:
            raise ValueError(
                f"metric must be one of {sorted(_METRIC_SPACE)}, got {self.metric!r}."
            )
        for name in ("n_neighbors", "M", "ef_construction", "ef"):
            value = getattr(self, name)
            low = 2 if name == "M" else 1
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {value!r}.")
            if value < low:
                raise ValueError(f"{name} must be >= {low}, got {value}.")

    def fit(self, X: Any, y: Any = None) -> HNSWNearestNeighbors:
        """Build the graph over X (array-like of shape (n_samples, n_features))."""
        self._check_params()
        X = validate_data(self, X, dtype=(np.float64, np.float32))
        n_threads = resolve_n_jobs(self.n_jobs)
        seed = int(self.random_state) if self.random_state is not None else 100
        index = Index(_METRIC_SPACE[self.metric], X.shape[1])
        index.init_index(
            X.shape[0],
            M=int(self.M),
            ef_construction=int(self.ef_construction),
            random_seed=seed,
        )
        index.add_items(X, np.arange(X.shape[0]), num_threads=n_threads)
        self.index_ = index
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(
        self,
        X: Any = None,
        n_neighbors: int | None = None,
        return_distance: bool = True,
    ) -> Any:
        """Approximate k nearest neighbours of each row of X.

        With ``X=None`` the neighbours of the training points are returned, each
        point excluded from its own list (as scikit-learn does).

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors), float64
            Only when ``return_distance=True``.
        neigh_ind : ndarray of shape (n_queries, n_neighbors), int64
        """
        check_is_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(
                f"n_neighbors does not take {type(k)} value, enter integer value"
            )
        if k <= 0:
            raise ValueError(f"Expected n_neighbors > 0. Got {k}")
        self_query = X is None
        if self_query:
            Q = self.index_.get_items(np.arange(self.n_samples_fit_))
            k_query = k + 1
        else:
            Q = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
            k_query = k
        if k_query > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {k_query}, "
                f"n_samples_fit = {self.n_samples_fit_}, n_samples = {Q.shape[0]}"
            )
        index = self.index_
        index.set_ef(max(int(self.ef), k_query))
        n_threads = resolve_n_jobs(self.n_jobs)
        idx, dist = index.knn_query(
            Q, k=k_query, num_threads=n_threads, pad_missing=True
        )
        if np.any(idx < 0):
            # The graph search came back short (a badly connected graph): fill
            # those rows exactly, with the whole training set as the filter.
            rows = np.flatnonzero((idx < 0).any(axis=1))
            idx[rows], dist[rows] = index._knn_exact(Q[rows], k_query, n_threads)
        if self_query:
            rows = np.arange(idx.shape[0])[:, None]
            is_self = idx == rows
            # Drop the point itself when present, else the farthest neighbour.
            drop = np.where(is_self.any(axis=1), is_self.argmax(axis=1), k_query - 1)
            keep = np.ones(idx.shape, dtype=bool)
            keep[np.arange(idx.shape[0]), drop] = False
            idx = idx[keep].reshape(-1, k)
            dist = dist[keep].reshape(-1, k)
        dist64 = dist.astype(np.float64)
        if self.metric == "euclidean":
            dist64 = np.sqrt(np.maximum(dist64, 0.0))
        idx = idx.astype(np.int64)
        return (dist64, idx) if return_distance else idx
