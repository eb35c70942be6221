"""Hierarchical (agglomerative) clustering: linkage, flat cuts, dendrograms, estimator.

Algorithms (kernels in ``fastml.kernels.cluster.linkage``):

- single linkage: Prim's minimum spanning tree on Euclidean distances computed on the
  fly from X -- O(n^2 d) time, O(n d) memory (no distance matrix at all);
- complete, average, weighted, ward: nearest-neighbour chain with Lance-Williams
  updates on the condensed distance matrix (float64, n (n - 1) / 2 entries), which is
  computed in parallel straight into one buffer and updated in place: peak memory is
  that one matrix (scipy holds the matrix and a working copy of it, twice as much);
- centroid, median: Muellner's generic algorithm on the same in-place matrix.

The results are scipy's linkage matrices: on data without ties the same merges, ids
and sizes, and heights equal to scipy's bit for bit whenever the pairwise distances
are (they are computed as sqrt of the sum of squared differences over the features in
order; scipy's pdist may round the last bit differently). Tie rule: scipy's (first
strict minimum in index order; see the kernel module).
"""

from __future__ import annotations

import heapq
import numbers
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator
from fastml.utils.validation import check_array, check_is_fitted, validate_data

__all__ = [
    "linkage",
    "fcluster",
    "dendrogram",
    "AgglomerativeClustering",
]

_METHODS = ("single", "complete", "average", "weighted", "centroid", "median", "ward")
_EUCLIDEAN_ONLY = ("centroid", "median", "ward")
_LINK_COLORS = ("C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9")


def _kernels() -> Any:
    from fastml.kernels.cluster import linkage as kernels

    return kernels


def _linkage_tree(
    X: np.ndarray | None,
    condensed: np.ndarray | None,
    n: int,
    method: str,
    n_threads: int,
    smaller_first: bool = True,
) -> np.ndarray:
    """Linkage matrix from observations X (C float64) or a condensed buffer (consumed)."""
    from fastml.kernels._jit import num_threads

    K = _kernels()
    code = K.METHOD_CODES[method]
    if method == "single" and X is not None:
        Z = K.prim_single_linkage(X)
    else:
        if condensed is None:
            assert X is not None
            condensed = np.empty(n * (n - 1) // 2, dtype=np.float64)
            with num_threads(n_threads):
                K.fill_condensed_euclidean(X, condensed)
        if method in ("centroid", "median"):
            Z = K.generic_linkage(condensed, n, code)
            del condensed
            return np.asarray(Z)
        Z = K.nn_chain_linkage(condensed, n, code)
        del condensed
    Z = Z[np.argsort(Z[:, 2], kind="stable")]
    K.relabel_linkage(Z, n, smaller_first)
    return np.asarray(Z)


def _check_finite_condensed(y: np.ndarray) -> None:
    if not np.all(np.isfinite(y)):
        raise ValueError(
            "The condensed distance matrix must contain only finite values."
        )


def linkage(
    y: Any,
    method: str = "single",
    metric: str = "euclidean",
    *,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Agglomerative clustering; returns scipy's linkage matrix.

    Parameters
    ----------
    y : array-like of shape (n_samples, n_features) or (n_samples * (n_samples - 1) / 2,)
        Observations (2-D), or a condensed matrix of pairwise distances (1-D, scipy's
        ``pdist`` order). The caller's array is never modified.
    method : {"single", "complete", "average", "weighted", "centroid", "median", \
"ward"}, default="single"
        Linkage criterion (scipy's definitions).
    metric : {"euclidean"}, default="euclidean"
        Distance between observations (2-D input only).
    n_jobs : int or None, default=None
        Threads for the pairwise-distance pass (None means 1, -1 all CPUs).

    Returns
    -------
    Z : ndarray of shape (n_samples - 1, 4)
        Row k merges clusters ``Z[k, 0] < Z[k, 1]`` (ids below n_samples are
        observations, id n_samples + j the cluster made by row j) at height
        ``Z[k, 2]`` into a cluster of ``Z[k, 3]`` observations. Rows are sorted by
        height (stable) except for centroid and median, which keep the merge order.

    Notes
    -----
    Single linkage: Prim's minimum spanning tree without a distance matrix
    (O(n^2 d) time, O(n d) memory). Complete, average, weighted and ward:
    nearest-neighbour chain, centroid and median: Muellner's generic algorithm, both
    on one condensed float64 matrix updated in place (4 n^2 bytes; scipy uses twice
    that). Ties are broken as scipy does.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.cluster import linkage
    >>> X = np.array([[0.0], [1.0], [5.0], [7.0]])
    >>> linkage(X, "single")
    array([[0., 1., 1., 2.],
           [2., 3., 2., 2.],
           [4., 5., 4., 4.]])
    """
    if method not in _METHODS:
        raise ValueError(f"Invalid method: {method}")
    arr = np.asarray(y)
    if arr.ndim == 2 and method in _EUCLIDEAN_ONLY and metric != "euclidean":
        raise ValueError(
            f"`method={method}` requires the distance metric to be Euclidean"
        )
    if metric != "euclidean":
        raise ValueError(
            f"Unsupported metric {metric!r}: only 'euclidean' is available."
        )
    n_threads = resolve_n_jobs(n_jobs)
    if arr.ndim == 1:
        condensed = check_array(
            arr.reshape(-1, 1),
            dtype=np.float64,
            ensure_all_finite=False,
            ensure_min_samples=0,
            copy=True,
        ).ravel()
        m = condensed.shape[0]
        n = int(np.ceil(np.sqrt(2 * m)))
        if m == 0:
            raise ValueError(
                "The number of observations cannot be determined on an empty "
                "distance matrix."
            )
        if n * (n - 1) // 2 != m:
            raise ValueError(
                "Length n of condensed distance matrix 'y' must be a binomial "
                "coefficient, i.e.there must be a k such that (k \\choose 2)=n)!"
            )
        _check_finite_condensed(condensed)
        return _linkage_tree(None, condensed, n, method, n_threads)
    if arr.ndim != 2:
        raise ValueError("`y` must be 1 or 2 dimensional.")
    X = check_array(
        y,
        dtype=np.float64,
        order="C",
        ensure_all_finite=False,
        ensure_min_samples=0,
        ensure_min_features=0,
    )
    n = X.shape[0]
    if n < 2:
        raise ValueError(
            "The number of observations cannot be determined on an empty distance "
            "matrix."
        )
    if not np.all(np.isfinite(X)):
        # pdist of non-finite observations has non-finite (or NaN) distances
        raise ValueError(
            "The condensed distance matrix must contain only finite values."
        )
    return _linkage_tree(X, None, n, method, n_threads)


def _check_linkage_matrix(Z: Any) -> np.ndarray:
    Z = np.ascontiguousarray(Z, dtype=np.float64)
    if Z.ndim != 2 or Z.shape[1] != 4:
        raise ValueError(
            "Linkage matrix 'Z' must have shape=2 (i.e. be two-dimensional)."
        )
    if Z.shape[0] == 0:
        raise ValueError("Linkage must be computed on at least two observations.")
    n = Z.shape[0] + 1
    ids = Z[:, :2]
    if not np.all(np.isfinite(Z)) or np.any(ids < 0) or np.any(Z[:, 2:] < 0):
        raise ValueError("Linkage 'Z' contains negative or non-finite values.")
    if np.any(ids >= n + np.arange(n - 1)[:, None]):
        raise ValueError("Linkage 'Z' uses non-singleton cluster before it is formed.")
    return Z


def fcluster(Z: Any, t: float, criterion: str = "distance") -> np.ndarray:
    """Flat clusters from a linkage matrix (scipy's ``fcluster``).

    Parameters
    ----------
    Z : ndarray of shape (n_samples - 1, 4)
        Linkage matrix (:func:`linkage`).
    t : float
        For ``"distance"``: observations in a subtree whose merges all have height
        <= t form one cluster. For ``"maxclust"``: the largest number of clusters;
        the smallest such height threshold is used.
    criterion : {"distance", "maxclust"}, default="distance"
        Note that scipy's default is "inconsistent", which is not provided.

    Returns
    -------
    labels : ndarray of shape (n_samples,), dtype int32
        Cluster numbers 1..k, numbered as scipy numbers them.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.cluster import fcluster, linkage
    >>> Z = linkage(np.array([[0.0], [1.0], [5.0], [7.0]]), "single")
    >>> fcluster(Z, 2, criterion="maxclust")
    array([1, 1, 2, 2], dtype=int32)
    """
    Z = _check_linkage_matrix(Z)
    n = Z.shape[0] + 1
    K = _kernels()
    md = K.max_dist_per_node(Z, n)
    if criterion == "distance":
        return np.asarray(K.cut_linkage_maxdist(Z, n, md, float(t)))
    if criterion == "maxclust":
        if t < 1:
            raise ValueError(
                f"t must be a positive number of clusters for maxclust, got {t}."
            )
        max_nc = int(t)
        if max_nc >= n:
            return np.arange(1, n + 1, dtype=np.int32)
        cutoff = K.maxclust_threshold(Z, n, md, max_nc)
        return np.asarray(K.cut_linkage_maxdist(Z, n, md, cutoff))
    raise ValueError(f"Invalid cluster formation criterion: {criterion}")


def dendrogram(
    Z: Any,
    *,
    color_threshold: float | None = None,
    labels: Any = None,
    above_threshold_color: str = "C0",
    no_plot: bool = False,
    ax: Any = None,
) -> dict[str, Any]:
    """Dendrogram coordinates (scipy's ``dendrogram``) and an optional plot.

    Parameters
    ----------
    Z : ndarray of shape (n_samples - 1, 4)
        Linkage matrix.
    color_threshold : float or None, default=None
        Links below it are coloured per cluster ("C1".."C9", cycling), links at or
        above it ``above_threshold_color``. None means 0.7 * max(Z[:, 2]).
    labels : sequence of str or None, default=None
        Leaf labels (default: the observation indices).
    above_threshold_color : str, default="C0"
    no_plot : bool, default=False
        Only compute the coordinates (matplotlib is not imported).
    ax : matplotlib Axes or None, default=None
        Axes to draw in (default: the current axes).

    Returns
    -------
    dict
        ``icoord``, ``dcoord`` (one 4-point path per merge, post-order with the
        first child first), ``ivl`` (leaf labels left to right), ``leaves`` (leaf
        indices left to right), ``color_list`` and ``leaves_color_list``: the same
        values as ``scipy.cluster.hierarchy.dendrogram(Z, no_plot=True)``.
    """
    Z = _check_linkage_matrix(Z)
    n = Z.shape[0] + 1
    if labels is not None and len(labels) != n:
        raise ValueError("Dimensions of Z and labels must be consistent.")
    if color_threshold is None:
        color_threshold = float(Z[:, 2].max()) * 0.7
    icoord: list[list[float]] = []
    dcoord: list[list[float]] = []
    colors: list[str] = []
    leaves: list[int] = []
    current_color = 0
    below = False
    # iterative post-order walk; each frame: [node, phase, link colour]
    result: dict[int, tuple[float, float, float]] = {}  # node -> (x, width, height)
    stack: list[list[Any]] = [[2 * n - 2, 0, ""]]
    offset = 0.0
    while stack:
        frame = stack[-1]
        node, phase = frame[0], frame[1]
        if node < n:
            leaves.append(node)
            result[node] = (offset + 5.0, 10.0, 0.0)
            offset += 10.0
            stack.pop()
            continue
        a, b = int(Z[node - n, 0]), int(Z[node - n, 1])
        if phase == 0:
            frame[1] = 1
            stack.append([a, 0, ""])
        elif phase == 1:
            h = float(Z[node - n, 2])
            if h >= color_threshold or color_threshold <= 0:
                color = above_threshold_color
                if below:
                    current_color = (current_color + 1) % len(_LINK_COLORS)
                below = False
            else:
                below = True
                color = _LINK_COLORS[current_color]
            frame[1] = 2
            frame[2] = color
            stack.append([b, 0, ""])
        else:
            xa, _, ha = result.pop(a)
            xb, _, hb = result.pop(b)
            h = float(Z[node - n, 2])
            icoord.append([xa, xa, xb, xb])
            dcoord.append([ha, h, h, hb])
            colors.append(frame[2])
            result[node] = ((xa + xb) / 2.0, 0.0, h)
            stack.pop()
    ivl = [str(i) if labels is None else labels[i] for i in leaves]
    leaves_colors: list[Any] = [None] * n
    for xs, ys, c in zip(icoord, dcoord, colors):
        for x, yv in zip(xs, ys):
            if yv == 0.0 and x % 5 == 0 and x % 2 == 1:
                leaves_colors[(int(x) - 5) // 10] = c
    out = {
        "icoord": icoord,
        "dcoord": dcoord,
        "ivl": ivl,
        "leaves": leaves,
        "color_list": colors,
        "leaves_color_list": leaves_colors,
    }
    if not no_plot:
        _plot_dendrogram(out, ax)
    return out


def _plot_dendrogram(data: dict[str, Any], ax: Any) -> None:
    import matplotlib.pyplot as plt  # optional dependency, imported on use

    if ax is None:
        ax = plt.gca()
    for xs, ys, c in zip(data["icoord"], data["dcoord"], data["color_list"]):
        ax.plot(xs, ys, color=c)
    n = len(data["leaves"])
    ax.set_xticks(np.arange(n) * 10.0 + 5.0)
    ax.set_xticklabels(data["ivl"], rotation=90)
    ax.set_xlim(0, 10.0 * n)
    top = max((max(ys) for ys in data["dcoord"]), default=1.0)
    ax.set_ylim(0, top * 1.05 if top > 0 else 1.0)


def _hc_cut(n_clusters: int, children: np.ndarray, n_leaves: int) -> np.ndarray:
    """Labels of the n_clusters top subtrees, numbered as scikit-learn numbers them.

    The top clusters are found by repeatedly splitting the most recently formed
    (highest id) cluster; label i goes to the i-th entry of the resulting binary
    heap (a list kept with heapq on negated ids), which is scikit-learn's order.
    """
    if n_clusters > n_leaves:
        raise ValueError(
            "Cannot extract more clusters than samples: "
            f"{n_clusters} clusters were given for a tree with {n_leaves} leaves."
        )
    heap = [-(int(max(children[-1])) + 1)]
    for _ in range(n_clusters - 1):
        a, b = children[-heap[0] - n_leaves]
        heapq.heappush(heap, -int(a))
        heapq.heappushpop(heap, -int(b))
    n_nodes = 2 * n_leaves - 1
    node_label = np.full(n_nodes, -1, dtype=np.intp)
    for i, node in enumerate(heap):
        node_label[-node] = i
    for k in range(n_leaves - 2, -1, -1):
        lab = node_label[n_leaves + k]
        if lab >= 0:
            node_label[children[k, 0]] = lab
            node_label[children[k, 1]] = lab
    return node_label[:n_leaves].copy()


class AgglomerativeClustering(BaseEstimator):
    """Agglomerative clustering (scikit-learn's ``AgglomerativeClustering``).

    Builds the whole merge tree with :func:`linkage` and cuts it into
    ``n_clusters`` clusters, or where merges reach ``distance_threshold``.

    Parameters
    ----------
    n_clusters : int or None, default=2
        Number of clusters; None when ``distance_threshold`` is given.
    metric : {"euclidean", "l2"}, default="euclidean"
        Distance between samples.
    linkage : {"ward", "complete", "average", "single"}, default="ward"
        Linkage criterion.
    distance_threshold : float or None, default=None
        Merges at or above this height are not made (then n_clusters must be None).
    compute_full_tree : "auto" or bool, default="auto"
        Accepted for compatibility: the whole tree is always built (as scikit-learn
        does without a connectivity matrix); must not be False with
        ``distance_threshold``.
    compute_distances : bool, default=False
        Store ``distances_`` even without ``distance_threshold``.
    n_jobs : int or None, default=None
        Threads for the pairwise-distance pass (None means 1).

    Attributes
    ----------
    n_clusters_ : int
    labels_ : ndarray of shape (n_samples,)
        Cluster of each sample, numbered exactly as scikit-learn numbers them.
    n_leaves_ : int
    n_connected_components_ : int
        Always 1 (no connectivity constraint).
    children_ : ndarray of shape (n_samples - 1, 2)
        Children of each merge (ids as in :func:`linkage`; for single linkage in
        scikit-learn's order, the first child being the cluster Prim's tree grew
        from).
    distances_ : ndarray of shape (n_samples - 1,)
        Merge heights (when ``distance_threshold`` or ``compute_distances``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.cluster import AgglomerativeClustering
    >>> X = np.array([[1.0, 2.0], [1.0, 4.0], [1.0, 0.0], [4.0, 2.0], [4.0, 4.0],
    ...               [4.0, 0.0]])
    >>> AgglomerativeClustering().fit(X).labels_
    array([1, 1, 1, 0, 0, 0])
    """

    _estimator_type = "clusterer"

    def __init__(
        self,
        n_clusters: int | None = 2,
        *,
        metric: str = "euclidean",
        linkage: str = "ward",
        distance_threshold: float | None = None,
        compute_full_tree: str | bool = "auto",
        compute_distances: bool = False,
        n_jobs: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.metric = metric
        self.linkage = linkage
        self.distance_threshold = distance_threshold
        self.compute_full_tree = compute_full_tree
        self.compute_distances = compute_distances
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "clusterer"
        return tags

    def _validate_params(self) -> None:
        name = type(self).__name__
        k = self.n_clusters
        if k is not None and (
            isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1
        ):
            raise ValueError(
                f"The 'n_clusters' parameter of {name} must be an int in the range "
                f"[1, inf) or None. Got {k!r} instead."
            )
        t = self.distance_threshold
        if t is not None and (
            isinstance(t, bool) or not isinstance(t, numbers.Real) or not t >= 0
        ):
            raise ValueError(
                f"The 'distance_threshold' parameter of {name} must be a float in "
                f"the range [0, inf) or None. Got {t!r} instead."
            )
        if self.linkage not in ("ward", "complete", "average", "single"):
            raise ValueError(
                f"The 'linkage' parameter of {name} must be a str among {{'average', "
                f"'complete', 'single', 'ward'}}. Got {self.linkage!r} instead."
            )
        if self.metric not in ("euclidean", "l2"):
            raise ValueError(
                f"The 'metric' parameter of {name} must be 'euclidean' or 'l2' "
                f"(other metrics are not implemented). Got {self.metric!r} instead."
            )
        if self.compute_full_tree not in ("auto", True, False):
            raise ValueError(
                f"The 'compute_full_tree' parameter of {name} must be 'auto' or a "
                f"bool. Got {self.compute_full_tree!r} instead."
            )
        if not ((k is None) ^ (t is None)):
            raise ValueError(
                "Exactly one of n_clusters and distance_threshold has to be set, and "
                "the other needs to be None."
            )
        if t is not None and self.compute_full_tree is False:
            raise ValueError(
                "compute_full_tree must be True if distance_threshold is set."
            )

    def fit(self, X: Any, y: Any = None) -> AgglomerativeClustering:
        """Build the merge tree of X and cut it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples (at least 2).
        y : Ignored

        Returns
        -------
        self : AgglomerativeClustering
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64, order="C", ensure_min_samples=2)
        n = X.shape[0]
        single = self.linkage == "single"
        Z = _linkage_tree(
            X,
            None,
            n,
            self.linkage,
            resolve_n_jobs(self.n_jobs),
            smaller_first=not single,
        )
        self.children_ = Z[:, :2].astype(np.intp)
        self.n_leaves_ = n
        self.n_connected_components_ = 1
        if self.distance_threshold is not None or self.compute_distances:
            self.distances_ = Z[:, 2].copy()
        if self.distance_threshold is not None:
            self.n_clusters_ = int(
                np.count_nonzero(Z[:, 2] >= self.distance_threshold) + 1
            )
        else:
            assert self.n_clusters is not None
            self.n_clusters_ = int(self.n_clusters)
        self.labels_ = _hc_cut(self.n_clusters_, self.children_, n)
        return self

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return ``labels_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : Ignored

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self.fit(X).labels_

    def _check_fitted(self) -> None:
        check_is_fitted(self)
