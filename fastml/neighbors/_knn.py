"""Exact (brute-force) nearest-neighbour estimators.

NearestNeighbors, KNeighborsClassifier and KNeighborsRegressor with scikit-learn's API.
The search itself lives in fastml/neighbors/_brute.py (blocked, bounded memory);
this module validates inputs and turns neighbour lists into graphs and predictions.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from fastml.neighbors._brute import (
    brute_kneighbors,
    brute_radius,
    canonical_metric,
)
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import check_is_fitted, validate_data

__all__ = ["NearestNeighbors", "KNeighborsClassifier", "KNeighborsRegressor"]

_METRICS = (
    "euclidean",
    "l2",
    "sqeuclidean",
    "manhattan",
    "l1",
    "cityblock",
    "cosine",
    "minkowski",
    "chebyshev",
    "inner_product",
)


class _NeighborsBase(BaseEstimator):
    """Shared fitting, validation and search of the brute-force estimators."""

    n_neighbors: int | None
    radius: float
    algorithm: str
    metric: str
    p: float
    n_jobs: int | None

    def _check_params(self) -> None:
        if self.n_neighbors is not None:
            if isinstance(self.n_neighbors, bool) or not isinstance(
                self.n_neighbors, numbers.Integral
            ):
                raise TypeError(
                    f"n_neighbors does not take {type(self.n_neighbors)} value, enter "
                    "integer value"
                )
            if self.n_neighbors <= 0:
                raise ValueError(f"Expected n_neighbors > 0. Got {self.n_neighbors}")
        if self.algorithm not in ("auto", "brute"):
            raise ValueError(
                "The 'algorithm' parameter must be a str among {'auto', 'brute'}. Got "
                f"{self.algorithm!r} instead."
            )
        if self.metric not in _METRICS:
            raise ValueError(
                f"The 'metric' parameter must be a str among {sorted(_METRICS)}. Got "
                f"{self.metric!r} instead."
            )
        if not isinstance(self.p, numbers.Real) or not self.p >= 1:
            raise ValueError(
                "The 'p' parameter must be a float in the range [1.0, inf]. Got "
                f"{self.p!r} instead."
            )
        resolve_n_jobs(self.n_jobs)

    def _fit_X(
        self, X: Any, y: Any = None, supervised: bool = False, **y_kwargs: Any
    ) -> Any:
        self._check_params()
        if not supervised:
            X = validate_data(self, X, dtype=(np.float64, np.float32), order="C")
            out = X
        else:
            X, y = validate_data(
                self, X, y, dtype=(np.float64, np.float32), order="C", **y_kwargs
            )
            out = (X, y)
        self._fit_X_ = X
        self.n_samples_fit_ = X.shape[0]
        name, p = canonical_metric(self.metric, float(self.p))
        self.effective_metric_ = name
        self.effective_metric_params_ = {"p": p} if name == "minkowski" else {}
        self._p = p
        return out

    def _query(self, X: Any) -> np.ndarray:
        X = validate_data(
            self, X, dtype=(np.float64, np.float32), order="C", reset=False
        )
        if X.dtype != self._fit_X_.dtype:
            X = X.astype(self._fit_X_.dtype)
        return X

    def kneighbors(
        self,
        X: Any = None,
        n_neighbors: int | None = None,
        return_distance: bool = True,
    ) -> Any:
        """Find the k nearest fitted points of each query.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features) or None
            Queries; None queries the fitted points, each excluding itself.
        n_neighbors : int or None
            Number of neighbours (default: the ``n_neighbors`` parameter).
        return_distance : bool, default=True
            Return the distances as well.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors), float64
            Distances, ascending (only when ``return_distance``).
        neigh_ind : ndarray of shape (n_queries, n_neighbors), int64
            Indices of the neighbours; ties are broken by the smaller index.
        """
        check_is_fitted(self, "_fit_X_")
        if n_neighbors is None:
            n_neighbors = self.n_neighbors
        if isinstance(n_neighbors, bool) or not isinstance(
            n_neighbors, numbers.Integral
        ):
            raise TypeError(
                f"n_neighbors does not take {type(n_neighbors)} value, enter integer "
                "value"
            )
        if n_neighbors <= 0:
            raise ValueError(f"Expected n_neighbors > 0. Got {n_neighbors}")
        query_is_train = X is None
        if query_is_train:
            X = self._fit_X_
            n_neighbors += 1
        else:
            X = self._query(X)
        n_samples_fit = self.n_samples_fit_
        if n_neighbors > n_samples_fit:
            shown = n_neighbors - 1 if query_is_train else n_neighbors
            if query_is_train:
                raise ValueError(
                    "Expected n_neighbors < n_samples_fit, but n_neighbors = "
                    f"{shown}, n_samples_fit = {n_samples_fit}, n_samples = "
                    f"{X.shape[0]}"
                )
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_neighbors = {shown}, "
                f"n_samples_fit = {n_samples_fit}, n_samples = {X.shape[0]}"
            )
        dist, ind = brute_kneighbors(
            X,
            self._fit_X_,
            int(n_neighbors),
            self.effective_metric_,
            self._p,
            resolve_n_jobs(self.n_jobs),
        )
        if query_is_train:
            # Drop each point itself (or, among duplicates ranked before it, the
            # last column) so n_neighbors other points remain.
            n_queries = X.shape[0]
            keep = ind != np.arange(n_queries)[:, None]
            no_self = keep.all(axis=1)
            keep[no_self, -1] = False
            ind = ind[keep].reshape(n_queries, n_neighbors - 1)
            dist = dist[keep].reshape(n_queries, n_neighbors - 1)
        return (dist, ind) if return_distance else ind

    def kneighbors_graph(
        self, X: Any = None, n_neighbors: int | None = None, mode: str = "connectivity"
    ) -> Any:
        """Sparse graph of the k nearest neighbours (scipy.sparse CSR).

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features) or None
            Queries; None uses the fitted points, each excluding itself.
        n_neighbors : int or None
            Number of neighbours (default: the ``n_neighbors`` parameter).
        mode : {"connectivity", "distance"}, default="connectivity"
            Ones, or the distances, as the stored values.

        Returns
        -------
        csr_matrix of shape (n_queries, n_samples_fit)
        """
        from scipy.sparse import csr_matrix

        if mode not in ("connectivity", "distance"):
            raise ValueError(
                'Unsupported mode, must be one of "connectivity", or "distance" but '
                f"got {mode!r} instead"
            )
        if n_neighbors is None:
            n_neighbors = self.n_neighbors
        if mode == "connectivity":
            ind = self.kneighbors(X, n_neighbors, return_distance=False)
            values = np.ones(ind.size, dtype=np.float64)
        else:
            dist, ind = self.kneighbors(X, n_neighbors, return_distance=True)
            values = dist.ravel()
        n_queries, k = ind.shape
        indptr = np.arange(0, n_queries * k + 1, k, dtype=np.int64)
        return csr_matrix(
            (values, ind.ravel(), indptr), shape=(n_queries, self.n_samples_fit_)
        )

    def radius_neighbors(
        self,
        X: Any = None,
        radius: float | None = None,
        return_distance: bool = True,
        sort_results: bool = False,
    ) -> Any:
        """All fitted points within ``radius`` (inclusive) of each query.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features) or None
            Queries; None uses the fitted points, each excluding itself.
        radius : float or None
            Default: the ``radius`` parameter.
        return_distance : bool, default=True
        sort_results : bool, default=False
            Sort each query's neighbours by (distance, index); requires
            ``return_distance``.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries,), dtype object
            Arrays of distances (only when ``return_distance``).
        neigh_ind : ndarray of shape (n_queries,), dtype object
            Arrays of int64 indices (in index order unless ``sort_results``).
        """
        check_is_fitted(self, "_fit_X_")
        if sort_results and not return_distance:
            raise ValueError("return_distance must be True if sort_results is True.")
        if radius is None:
            radius = self.radius
        query_is_train = X is None
        X = self._fit_X_ if query_is_train else self._query(X)
        dists, idxs = brute_radius(
            X,
            self._fit_X_,
            float(radius),
            self.effective_metric_,
            self._p,
            resolve_n_jobs(self.n_jobs),
            sort_results,
        )
        if query_is_train:
            for i in range(len(idxs)):
                mask = idxs[i] != i
                idxs[i] = idxs[i][mask]
                dists[i] = dists[i][mask]
        neigh_ind = np.empty(len(idxs), dtype=object)
        neigh_ind[:] = idxs
        if not return_distance:
            return neigh_ind
        neigh_dist = np.empty(len(dists), dtype=object)
        neigh_dist[:] = dists
        return neigh_dist, neigh_ind


class NearestNeighbors(_NeighborsBase):
    """Unsupervised exact nearest-neighbour search (brute force, blocked).

    Parameters
    ----------
    n_neighbors : int, default=5
        Default number of neighbours of :meth:`kneighbors`.
    radius : float, default=1.0
        Default radius of :meth:`radius_neighbors`.
    algorithm : {"auto", "brute"}, default="auto"
        Only brute force is implemented (exact for every metric).
    metric : str, default="minkowski"
        "euclidean" ("l2"), "sqeuclidean", "manhattan" ("l1", "cityblock"),
        "cosine", "minkowski" (with ``p``), "chebyshev", or "inner_product" (the
        distance ``1 - <x, y>``).
    p : float, default=2
        Minkowski power (1: manhattan, 2: euclidean, inf: chebyshev).
    n_jobs : int or None, default=None
        Threads (None: 1, -1: all CPUs).

    Attributes
    ----------
    n_samples_fit_ : int
    n_features_in_ : int
    effective_metric_ : str
    effective_metric_params_ : dict

    Notes
    -----
    Euclidean, squared euclidean, cosine and inner-product distances are ranked with
    BLAS matrix products over blocks, then the candidates' exact distances are
    recomputed in float64 and certified against the products' rounding error, so
    the neighbours are those of exact arithmetic with ties broken by index.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.neighbors import NearestNeighbors
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]])
    >>> nn = NearestNeighbors(n_neighbors=2).fit(X)
    >>> dist, ind = nn.kneighbors([[0.9, 0.0]])
    >>> ind
    array([[1, 0]])
    """

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        radius: float = 1.0,
        algorithm: str = "auto",
        metric: str = "minkowski",
        p: float = 2,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.radius = radius
        self.algorithm = algorithm
        self.metric = metric
        self.p = p
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> NearestNeighbors:
        """Store the points to search.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._fit_X(X)
        return self


def _neighbor_weights(
    dist: np.ndarray, weights: str | Callable[[np.ndarray], np.ndarray]
) -> np.ndarray | None:
    """None for uniform; 1/d for "distance" (a row with zero distances weighs only
    those); or the user's callable."""
    if weights == "uniform":
        return None
    if weights == "distance":
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        zero = np.isinf(w)
        rows = zero.any(axis=1)
        w[rows] = zero[rows]
        return w
    if callable(weights):
        return np.asarray(weights(dist), dtype=np.float64)
    raise ValueError(
        "weights not recognized: should be 'uniform', 'distance', or a callable "
        "function"
    )


def _check_weights(weights: Any) -> None:
    if weights not in ("uniform", "distance") and not callable(weights):
        raise ValueError(
            "The 'weights' parameter must be a str among {'uniform', 'distance'} or a "
            f"callable. Got {weights!r} instead."
        )


class KNeighborsClassifier(ClassifierMixin, _NeighborsBase):
    """Classifier voting among the k nearest neighbours (exact, brute force).

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"} or callable, default="uniform"
        Equal votes, votes weighted by 1 / distance (a query at distance 0 from
        some points takes only their votes), or a function of the distance array.
    algorithm : {"auto", "brute"}, default="auto"
    metric : str, default="minkowski"
        See :class:`NearestNeighbors`.
    p : float, default=2
    n_jobs : int or None, default=None

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    n_samples_fit_ : int
    effective_metric_ : str

    Examples
    --------
    >>> from fastml.neighbors import KNeighborsClassifier
    >>> clf = KNeighborsClassifier(n_neighbors=1).fit([[0.0], [1.0]], ["a", "b"])
    >>> clf.predict([[0.2]])
    array(['a'], dtype='<U1')
    """

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: str | Callable[[np.ndarray], np.ndarray] = "uniform",
        algorithm: str = "auto",
        metric: str = "minkowski",
        p: float = 2,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.metric = metric
        self.p = p
        self.n_jobs = n_jobs

    radius = 1.0

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Store the training points and their labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self
        """
        _check_weights(self.weights)
        X, y = self._fit_X(X, y, supervised=True)
        check_classification_targets(y)
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        self._y = y_idx.astype(np.int64).ravel()
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: the (weighted) share of each class among the k
        neighbours.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        ndarray of shape (n_queries, n_classes), float64
        """
        check_is_fitted(self, "_fit_X_")
        dist, ind = self.kneighbors(X)
        w = _neighbor_weights(dist, self.weights)
        labels = self._y[ind]
        n_queries, n_classes = labels.shape[0], len(self.classes_)
        votes = np.zeros((n_queries, n_classes), dtype=np.float64)
        rows = np.repeat(np.arange(n_queries), labels.shape[1])
        np.add.at(votes, (rows, labels.ravel()), 1.0 if w is None else w.ravel())
        total = votes.sum(axis=1, keepdims=True)
        total[total == 0.0] = 1.0
        return votes / total

    def predict(self, X: Any) -> np.ndarray:
        """The (weighted) majority class among the k neighbours; ties go to the
        first class in ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        ndarray of shape (n_queries,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class KNeighborsRegressor(RegressorMixin, _NeighborsBase):
    """Regression by the (weighted) mean target of the k nearest neighbours.

    Parameters
    ----------
    n_neighbors : int, default=5
    weights : {"uniform", "distance"} or callable, default="uniform"
        See :class:`KNeighborsClassifier`.
    algorithm : {"auto", "brute"}, default="auto"
    metric : str, default="minkowski"
        See :class:`NearestNeighbors`.
    p : float, default=2
    n_jobs : int or None, default=None

    Attributes
    ----------
    n_features_in_ : int
    n_samples_fit_ : int
    effective_metric_ : str

    Examples
    --------
    >>> from fastml.neighbors import KNeighborsRegressor
    >>> reg = KNeighborsRegressor(n_neighbors=2).fit([[0.0], [1.0], [5.0]], [0, 1, 5])
    >>> reg.predict([[0.4]])
    array([0.5])
    """

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: str | Callable[[np.ndarray], np.ndarray] = "uniform",
        algorithm: str = "auto",
        metric: str = "minkowski",
        p: float = 2,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.metric = metric
        self.p = p
        self.n_jobs = n_jobs

    radius = 1.0

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> KNeighborsRegressor:
        """Store the training points and targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self
        """
        _check_weights(self.weights)
        X, y = self._fit_X(X, y, supervised=True, y_numeric=True, multi_output=True)
        self._y = np.asarray(y, dtype=np.float64)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Mean (or 1/distance-weighted mean) target of the k neighbours.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)

        Returns
        -------
        ndarray of shape (n_queries,) or (n_queries, n_outputs), float64
        """
        check_is_fitted(self, "_fit_X_")
        dist, ind = self.kneighbors(X)
        w = _neighbor_weights(dist, self.weights)
        y_neigh = self._y[ind]  # (n_queries, k) or (n_queries, k, n_outputs)
        if w is None:
            return np.mean(y_neigh, axis=1)
        if y_neigh.ndim == 3:
            w = w[:, :, None]
        return np.sum(y_neigh * w, axis=1) / np.sum(w, axis=1)
