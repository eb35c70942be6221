"""Hierarchical clustering against scipy.cluster.hierarchy and scikit-learn.

Data: continuous Gaussian samples (no ties with probability 1), plus integer grids
(many exact ties) where the shared tie rule (first strict minimum in index order)
must also give scipy's merges.
"""

import numpy as np
import pytest

H = pytest.importorskip("scipy.cluster.hierarchy")

from fastml.cluster import AgglomerativeClustering, dendrogram, fcluster, linkage  # noqa: E402

METHODS = ["single", "complete", "average", "weighted", "centroid", "median", "ward"]
SKLEARN_LINKAGES = ["ward", "complete", "average", "single"]


def _data(seed, n=80, d=4):
    return np.random.default_rng(seed).normal(size=(n, d))


def _assert_same_linkage(Z, ref):
    # merges, ids and sizes exactly; heights to 1e-12 relative: both sides apply the
    # same Lance-Williams operations, so they only differ where scipy's pdist rounds
    # a distance's last bit differently (it sums the squares in another order)
    np.testing.assert_array_equal(Z[:, [0, 1, 3]], ref[:, [0, 1, 3]])
    np.testing.assert_allclose(Z[:, 2], ref[:, 2], rtol=1e-12, atol=0)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linkage_matches_scipy(method, seed):
    X = _data(seed)
    _assert_same_linkage(linkage(X, method), H.linkage(X, method))


@pytest.mark.parametrize("method", METHODS)
def test_linkage_condensed_input_matches_scipy(method):
    from scipy.spatial.distance import pdist

    y = pdist(_data(3, 50, 3))
    _assert_same_linkage(linkage(y, method), H.linkage(y, method))


@pytest.mark.parametrize("method", ["single", "complete", "average", "ward"])
def test_linkage_with_ties_matches_scipy(method):
    # integer grid: many equal distances; the tie rule is scipy's
    X = np.random.default_rng(4).integers(0, 4, size=(40, 2)).astype(float)
    X = np.unique(X, axis=0)
    _assert_same_linkage(linkage(X, method), H.linkage(X, method))


@pytest.mark.parametrize("method", METHODS)
def test_fcluster_matches_scipy(method):
    X = _data(5, 60, 3)
    Z, ref = linkage(X, method), H.linkage(X, method)
    for t in [1, 2, 3, 7, 59, 60, 100]:
        np.testing.assert_array_equal(
            fcluster(Z, t, criterion="maxclust"),
            H.fcluster(ref, t, criterion="maxclust"),
        )
    for t in np.quantile(ref[:, 2], [0.05, 0.5, 0.95]):
        np.testing.assert_array_equal(
            fcluster(Z, t, criterion="distance"),
            H.fcluster(ref, t, criterion="distance"),
        )


@pytest.mark.parametrize("method", ["single", "average", "ward", "centroid"])
@pytest.mark.parametrize("color_threshold", [None, 0.0, 1.0])
def test_dendrogram_matches_scipy(method, color_threshold):
    X = _data(6, 30, 2)
    Z = linkage(X, method)
    ours = dendrogram(Z, no_plot=True, color_threshold=color_threshold)
    ref = H.dendrogram(
        H.linkage(X, method), no_plot=True, color_threshold=color_threshold
    )
    for key in ("ivl", "leaves", "color_list", "leaves_color_list"):
        assert ours[key] == ref[key], key
    # coordinates: leaf positions are exact; heights carry the 1e-12 of the linkage
    np.testing.assert_array_equal(ours["icoord"], ref["icoord"])
    np.testing.assert_allclose(ours["dcoord"], ref["dcoord"], rtol=1e-12)


sklearn_cluster = pytest.importorskip("sklearn.cluster")


@pytest.mark.parametrize("link", SKLEARN_LINKAGES)
@pytest.mark.parametrize("n_clusters", [1, 2, 3, 8, 80])
def test_agglomerative_labels_match_sklearn(link, n_clusters):
    # scikit-learn's labels are deterministic (the order of its cluster heap), so
    # they are compared exactly, not up to a permutation
    X = _data(7)
    ours = AgglomerativeClustering(n_clusters=n_clusters, linkage=link).fit(X)
    ref = sklearn_cluster.AgglomerativeClustering(
        n_clusters=n_clusters, linkage=link
    ).fit(X)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_array_equal(ours.children_, ref.children_)
    assert ours.n_leaves_ == ref.n_leaves_
    assert ours.n_clusters_ == ref.n_clusters_
    assert ours.n_connected_components_ == ref.n_connected_components_


@pytest.mark.parametrize("link", SKLEARN_LINKAGES)
@pytest.mark.parametrize("threshold", [0.0, 0.5, 2.0, 1e9])
def test_agglomerative_distance_threshold_matches_sklearn(link, threshold):
    X = _data(8)
    kw = dict(n_clusters=None, distance_threshold=threshold, linkage=link)
    ours = AgglomerativeClustering(**kw).fit(X)
    ref = sklearn_cluster.AgglomerativeClustering(**kw).fit(X)
    assert ours.n_clusters_ == ref.n_clusters_
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    # distances: scikit-learn's single linkage computes its own distances (another
    # summation order), hence 1e-12 relative
    np.testing.assert_allclose(ours.distances_, ref.distances_, rtol=1e-12)


def test_agglomerative_on_blobs_matches_sklearn():
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=300, centers=5, random_state=0)
    for link in SKLEARN_LINKAGES:
        ours = AgglomerativeClustering(n_clusters=5, linkage=link).fit_predict(X)
        ref = sklearn_cluster.AgglomerativeClustering(
            n_clusters=5, linkage=link
        ).fit_predict(X)
        np.testing.assert_array_equal(ours, ref)
