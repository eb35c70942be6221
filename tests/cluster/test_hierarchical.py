"""API, edge cases and bad input of fastml.cluster's hierarchical clustering."""

import pickle

import numpy as np
import pytest

from fastml.cluster import AgglomerativeClustering, dendrogram, fcluster, linkage

X = np.random.default_rng(0).normal(size=(30, 3))


@pytest.mark.parametrize("bad", [np.empty((0, 3)), np.ones((1, 3)), np.empty(0)])
def test_linkage_too_few_observations(bad):
    with pytest.raises(ValueError, match="number of observations cannot be determined"):
        linkage(bad, "ward")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["single", "ward"])
def test_linkage_non_finite(value, method):
    bad = X.copy()
    bad[3, 1] = value
    with pytest.raises(ValueError, match="must contain only finite values"):
        linkage(bad, method)
    y = np.array([1.0, value, 2.0])
    with pytest.raises(ValueError, match="must contain only finite values"):
        linkage(y, method)


def test_linkage_bad_arguments():
    with pytest.raises(ValueError, match="Invalid method"):
        linkage(X, "nope")
    with pytest.raises(
        ValueError, match="requires the distance metric to be Euclidean"
    ):
        linkage(X, "ward", metric="cityblock")
    with pytest.raises(ValueError, match="binomial coefficient"):
        linkage(np.ones(4), "single")
    with pytest.raises(ValueError, match="1 or 2 dimensional"):
        linkage(np.ones((2, 2, 2)), "single")


def test_linkage_two_points_and_layouts():
    Z = linkage([[0.0, 0.0], [3.0, 4.0]], "average")
    np.testing.assert_array_equal(Z, [[0, 1, 5.0, 2]])
    ref = linkage(X, "complete")
    np.testing.assert_array_equal(linkage(np.asfortranarray(X), "complete"), ref)
    np.testing.assert_array_equal(
        linkage(X.astype(np.float32), "complete"),
        linkage(X.astype(np.float32).astype(np.float64), "complete"),
    )
    ro = X.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(linkage(ro, "complete"), ref)
    np.testing.assert_array_equal(linkage(X, "complete", n_jobs=2), ref)


def test_linkage_does_not_modify_input():
    Xc = X.copy()
    for method in ["single", "ward", "centroid"]:
        linkage(Xc, method)
    np.testing.assert_array_equal(Xc, X)


def test_fcluster_bad_input():
    Z = linkage(X, "ward")
    with pytest.raises(ValueError, match="Invalid cluster formation criterion"):
        fcluster(Z, 2, criterion="inconsistent")
    with pytest.raises(ValueError, match="positive number of clusters"):
        fcluster(Z, 0, criterion="maxclust")
    with pytest.raises(ValueError, match="two-dimensional"):
        fcluster(Z[:, :3], 2)
    with pytest.raises(ValueError, match="at least two observations"):
        fcluster(np.empty((0, 4)), 2)


def test_dendrogram_plot_and_labels():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    Z = linkage(X[:6], "ward")
    fig, ax = plt.subplots()
    out = dendrogram(Z, labels=list("abcdef"), ax=ax)
    assert sorted(out["ivl"]) == list("abcdef")
    assert len(ax.lines) == 5
    plt.close(fig)
    with pytest.raises(ValueError, match="consistent"):
        dendrogram(Z, labels=["a"], no_plot=True)


def test_agglomerative_bad_input():
    with pytest.raises(ValueError, match="Cannot extract more clusters than samples"):
        AgglomerativeClustering(n_clusters=31).fit(X)
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        AgglomerativeClustering().fit(X[:1])
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        AgglomerativeClustering().fit(X[:0])
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        AgglomerativeClustering().fit(bad)
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        AgglomerativeClustering().fit(bad)
    with pytest.raises(
        ValueError, match="Exactly one of n_clusters and distance_threshold"
    ):
        AgglomerativeClustering(distance_threshold=1.0).fit(X)
    with pytest.raises(
        ValueError, match="Exactly one of n_clusters and distance_threshold"
    ):
        AgglomerativeClustering(n_clusters=None).fit(X)
    with pytest.raises(ValueError, match="compute_full_tree must be True"):
        AgglomerativeClustering(
            n_clusters=None, distance_threshold=1.0, compute_full_tree=False
        ).fit(X)
    with pytest.raises(ValueError, match="'n_clusters' parameter"):
        AgglomerativeClustering(n_clusters=0).fit(X)
    with pytest.raises(ValueError, match="'linkage' parameter"):
        AgglomerativeClustering(linkage="centroid").fit(X)
    with pytest.raises(ValueError, match="'metric' parameter"):
        AgglomerativeClustering(metric="cosine").fit(X)
    with pytest.raises(ValueError, match="2 dimensional|2D array"):
        AgglomerativeClustering().fit(X[:, 0])
    with pytest.raises(ValueError):
        AgglomerativeClustering().fit(np.array([["a", "b"], ["c", "d"]], dtype=object))


def test_agglomerative_attributes_and_pickle():
    est = AgglomerativeClustering(n_clusters=4, compute_distances=True).fit(X)
    assert est.labels_.shape == (30,) and set(est.labels_) == {0, 1, 2, 3}
    assert est.children_.shape == (29, 2) and est.distances_.shape == (29,)
    assert est.n_features_in_ == 3 and est.n_leaves_ == 30
    assert not hasattr(AgglomerativeClustering().fit(X), "distances_")
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.labels_, est.labels_)
    # the labels are the cut of the stored tree: fcluster on the same tree agrees
    Z = linkage(X, "ward")
    flat = fcluster(Z, 4, criterion="maxclust")
    assert len(set(zip(flat.tolist(), est.labels_.tolist()))) == 4


def test_agglomerative_two_samples_and_duplicates():
    est = AgglomerativeClustering(n_clusters=2).fit([[0.0], [1.0]])
    np.testing.assert_array_equal(np.sort(est.labels_), [0, 1])
    dup = np.zeros((5, 2))
    labels = AgglomerativeClustering(n_clusters=1, linkage="single").fit_predict(dup)
    np.testing.assert_array_equal(labels, 0)
