"""API, edge cases and bad input of the brute-force neighbour estimators."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from naive.brute import kneighbors as naive_kneighbors

from fastml.neighbors import KNeighborsClassifier, KNeighborsRegressor, NearestNeighbors


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((120, 4)), rng.standard_normal((15, 4))


def test_kneighbors_default_metric_and_self_exclusion(data):
    X, Q = data
    nn = NearestNeighbors(n_neighbors=4).fit(X)
    d, i = nn.kneighbors(Q)
    dn, inn = naive_kneighbors(Q, X, 4, "euclidean")
    np.testing.assert_array_equal(i, inn)
    np.testing.assert_allclose(d, dn, rtol=1e-12)
    d, i = nn.kneighbors()
    assert not np.any(i == np.arange(len(X))[:, None])
    _, inn = naive_kneighbors(X, X, 5, "euclidean")
    np.testing.assert_array_equal(i, inn[:, 1:])
    assert nn.kneighbors(Q, 2, return_distance=False).shape == (15, 2)


def test_duplicates_self_exclusion():
    X = np.zeros((4, 2))
    d, i = NearestNeighbors(n_neighbors=2).fit(X).kneighbors()
    np.testing.assert_array_equal(i, [[1, 2], [0, 2], [0, 1], [0, 1]])


def test_graph_is_csr(data):
    X, Q = data
    nn = NearestNeighbors(n_neighbors=3).fit(X)
    g = nn.kneighbors_graph(Q, mode="distance")
    assert g.format == "csr" and g.shape == (15, 120)
    d, i = nn.kneighbors(Q)
    np.testing.assert_allclose(g.toarray()[np.arange(15)[:, None], i], d)
    c = nn.kneighbors_graph()
    np.testing.assert_array_equal(c.sum(axis=1).A1, 3)
    with pytest.raises(ValueError, match="Unsupported mode"):
        nn.kneighbors_graph(Q, mode="bad")


def test_radius_neighbors(data):
    X, Q = data
    nn = NearestNeighbors(radius=1.2).fit(X)
    dist, ind = nn.radius_neighbors(Q, sort_results=True)
    assert dist.dtype == object and ind.dtype == object
    for q in range(len(Q)):
        full = np.linalg.norm(X - Q[q], axis=1)
        np.testing.assert_array_equal(np.sort(ind[q]), np.flatnonzero(full <= 1.2))
        assert np.all(np.diff(dist[q]) >= 0)
    ind = nn.radius_neighbors(return_distance=False)
    assert all(i not in row for i, row in enumerate(ind))
    with pytest.raises(ValueError, match="return_distance must be True"):
        nn.radius_neighbors(Q, return_distance=False, sort_results=True)


def test_classifier_predict_and_proba(data):
    X, Q = data
    y = np.where(X[:, 0] > 0, "pos", "neg")
    for weights in ["uniform", "distance"]:
        clf = KNeighborsClassifier(n_neighbors=5, weights=weights).fit(X, y)
        proba = clf.predict_proba(Q)
        np.testing.assert_allclose(proba.sum(1), 1.0)
        np.testing.assert_array_equal(clf.predict(Q), clf.classes_[proba.argmax(1)])
    clf = KNeighborsClassifier(n_neighbors=1, weights="distance").fit(X, y)
    np.testing.assert_array_equal(clf.predict(X), y)  # distance 0 -> own label


def test_regressor_uniform_distance_multioutput(data):
    X, Q = data
    y = X[:, 0] * 2 + 1
    reg = KNeighborsRegressor(n_neighbors=3).fit(X, y)
    _, i = NearestNeighbors(n_neighbors=3).fit(X).kneighbors(Q)
    np.testing.assert_allclose(reg.predict(Q), y[i].mean(1))
    reg = KNeighborsRegressor(n_neighbors=1, weights="distance").fit(X, y)
    np.testing.assert_allclose(reg.predict(X), y)
    Y = np.c_[y, -y]
    out = KNeighborsRegressor(n_neighbors=3).fit(X, Y).predict(Q)
    assert out.shape == (15, 2)


def test_bad_input(data):
    X, Q = data
    nn = NearestNeighbors(n_neighbors=3).fit(X)
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        nn.kneighbors(Q, n_neighbors=121)
    with pytest.raises(ValueError, match="X has 3 features, but NearestNeighbors"):
        nn.kneighbors(Q[:, :3])
    bad = Q.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        nn.kneighbors(bad)
    with pytest.raises(ValueError, match="NaN"):
        NearestNeighbors().fit(bad)
    with pytest.raises(ValueError, match="Expected 2D array"):
        NearestNeighbors().fit(X[:, 0])
    with pytest.raises(ValueError, match="minimum of 1 is required"):
        NearestNeighbors().fit(np.empty((0, 3)))
    with pytest.raises(ValueError, match="Expected n_neighbors > 0"):
        nn.kneighbors(Q, n_neighbors=0)
    with pytest.raises(ValueError, match="'metric' parameter"):
        NearestNeighbors(metric="hamming").fit(X)
    with pytest.raises(ValueError, match="'p' parameter"):
        NearestNeighbors(p=0.5).fit(X)
    with pytest.raises(ValueError, match="weights"):
        KNeighborsClassifier(weights="bad").fit(X, X[:, 0] > 0)
    with pytest.raises(ValueError, match="Unknown label type"):
        KNeighborsClassifier().fit(X, X[:, 0])


def test_layouts_and_caller_arrays_unchanged(data):
    X, Q = data
    Xc, Qc = X.copy(), Q.copy()
    ref = NearestNeighbors(n_neighbors=3).fit(X).kneighbors(Q)
    Xf = np.asfortranarray(X)
    Xr = X.copy()
    Xr.setflags(write=False)
    for A in (Xf, Xr, X.astype(np.float32)):
        d, i = NearestNeighbors(n_neighbors=3).fit(A).kneighbors(Q)
        np.testing.assert_array_equal(i, ref[1])
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(Q, Qc)
    one = NearestNeighbors(n_neighbors=1).fit(X[:1])
    np.testing.assert_array_equal(one.kneighbors(Q)[1], 0)


def test_pickle_and_n_jobs(data):
    X, Q = data
    nn = NearestNeighbors(n_neighbors=3, n_jobs=2).fit(X)
    nn2 = pickle.loads(pickle.dumps(nn))
    np.testing.assert_array_equal(nn.kneighbors(Q)[1], nn2.kneighbors(Q)[1])
    np.testing.assert_array_equal(
        nn.kneighbors(Q)[0], NearestNeighbors(n_neighbors=3).fit(X).kneighbors(Q)[0]
    )
