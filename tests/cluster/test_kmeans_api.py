"""API, edge cases and bad input of KMeans, MiniBatchKMeans and kmeans_elbow."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from fastml.cluster import Elbow, KMeans, MiniBatchKMeans, kmeans_elbow
from fastml.exceptions import ConvergenceWarning


@pytest.fixture
def blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    return centers[rng.integers(0, 3, 300)] + rng.standard_normal((300, 2)) * 0.5


@pytest.mark.parametrize("algorithm", ["lloyd", "elkan"])
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_fit_finds_blobs(blobs, algorithm, init):
    km = KMeans(3, init=init, algorithm=algorithm, random_state=0).fit(blobs)
    assert km.labels_.dtype == np.int32 and km.labels_.shape == (300,)
    np.testing.assert_allclose(
        np.sort(np.round(km.cluster_centers_).ravel()), [0, 0, 0, 0, 10, 10], atol=1
    )
    np.testing.assert_array_equal(km.predict(blobs), km.labels_)
    dist = km.transform(blobs)
    assert dist.shape == (300, 3)
    np.testing.assert_array_equal(dist.argmin(1), km.labels_)
    np.testing.assert_allclose(km.score(blobs), -km.inertia_, rtol=1e-10)
    np.testing.assert_allclose(km.inertia_, (dist.min(1) ** 2).sum(), rtol=1e-10)
    assert 1 <= km.n_iter_ <= 300


def test_sample_weight_equals_repetition(blobs):
    w = np.random.default_rng(1).integers(1, 4, len(blobs))
    init = blobs[:3]
    a = KMeans(3, init=init).fit(blobs, sample_weight=w)
    b = KMeans(3, init=init).fit(np.repeat(blobs, w, axis=0))
    np.testing.assert_allclose(a.cluster_centers_, b.cluster_centers_, rtol=1e-10)
    np.testing.assert_allclose(a.inertia_, b.inertia_, rtol=1e-10)
    # zero weights: those rows do not move the centres
    w0 = np.ones(len(blobs))
    w0[:50] = 0
    c = KMeans(3, init=init).fit(blobs, sample_weight=w0)
    d = KMeans(3, init=init - 0).fit(blobs[50:])
    np.testing.assert_allclose(c.cluster_centers_, d.cluster_centers_, rtol=1e-10)


def test_empty_cluster_relocated():
    X = np.array([[0.0], [0.1], [0.2], [10.0], [10.1]])
    init = np.array([[0.0], [10.0], [100.0]])  # the third centre gets no points
    km = KMeans(3, init=init, max_iter=10).fit(X)
    assert len(np.unique(km.labels_)) == 3
    assert np.all(np.isfinite(km.cluster_centers_))


def test_n_jobs_same_result(blobs):
    a = KMeans(3, random_state=1, n_jobs=1).fit(blobs)
    b = KMeans(3, random_state=1, n_jobs=2).fit(blobs)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)


def test_bad_input(blobs):
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_clusters=3"):
        KMeans(3).fit(blobs[:2])
    bad = blobs.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KMeans(3).fit(bad)
    with pytest.raises(ValueError, match="does not match the number of clusters"):
        KMeans(3, init=blobs[:2]).fit(blobs)
    with pytest.raises(ValueError, match="does not match the number of features"):
        KMeans(3, init=np.zeros((3, 5))).fit(blobs)
    with pytest.raises(ValueError, match="'algorithm' parameter"):
        KMeans(3, algorithm="full").fit(blobs)
    with pytest.raises(ValueError, match="'n_clusters' parameter"):
        KMeans(0).fit(blobs)
    km = KMeans(3, random_state=0).fit(blobs)
    with pytest.raises(ValueError, match="X has 3 features, but KMeans"):
        km.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="Negative values in data passed"):
        KMeans(3).fit(blobs, sample_weight=-np.ones(len(blobs)))


def test_duplicates_warn_and_caller_unchanged():
    X = np.zeros((10, 2))
    X[5:] = 1.0
    Xc = X.copy()
    with pytest.warns(ConvergenceWarning, match="distinct clusters"):
        KMeans(3, random_state=0).fit(X)
    np.testing.assert_array_equal(X, Xc)


def test_float32_layouts_pickle(blobs):
    X32 = np.asfortranarray(blobs.astype(np.float32))
    km = KMeans(3, random_state=0).fit(X32)
    assert km.cluster_centers_.dtype == np.float32
    km2 = pickle.loads(pickle.dumps(km))
    np.testing.assert_array_equal(km2.predict(X32), km.labels_)


def test_minibatch(blobs):
    full = KMeans(3, random_state=0).fit(blobs)
    mb = MiniBatchKMeans(3, batch_size=64, random_state=0).fit(blobs)
    assert mb.inertia_ <= 1.05 * full.inertia_
    np.testing.assert_array_equal(mb.predict(blobs), mb.labels_)
    pf = MiniBatchKMeans(3, random_state=0)
    for chunk in np.array_split(blobs, 10):
        pf.partial_fit(chunk)
    assert pf.score(blobs) >= -1.2 * full.inertia_
    assert pf.n_steps_ == 10


def test_elbow(blobs):
    res = kmeans_elbow(blobs, range(1, 8), random_state=0)
    assert isinstance(res, Elbow)
    assert res.suggested_k == 3
    assert np.all(np.diff(res.inertias) <= 1e-9 * res.inertias[0])
    with pytest.raises(ValueError, match="increasing"):
        kmeans_elbow(blobs, [3, 2])
    plt = pytest.importorskip("matplotlib.pyplot")
    ax = res.plot()
    assert ax.get_xlabel() == "number of clusters k"
    plt.close("all")
