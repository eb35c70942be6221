"""Brute-force neighbours vs scikit-learn's brute force.

Parameter mapping: identical names (n_neighbors, radius, metric, p, weights);
scikit-learn is run with algorithm="brute". Data are continuous random draws, so
exact distance ties (where scikit-learn's order is not by index) do not occur.
"""

from __future__ import annotations

import numpy as np
import pytest

sk_neighbors = pytest.importorskip("sklearn.neighbors")

from fastml.neighbors import (  # noqa: E402
    KNeighborsClassifier,
    KNeighborsRegressor,
    NearestNeighbors,
)

METRICS = [
    ("euclidean", 2),
    ("sqeuclidean", 2),
    ("manhattan", 2),
    ("cosine", 2),
    ("minkowski", 3),
    ("minkowski", 2),
    ("chebyshev", 2),
]


def _unit(A):
    A = A.astype(np.float64)
    return A / np.linalg.norm(A, axis=1, keepdims=True)


@pytest.mark.parametrize("metric,p", METRICS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_kneighbors_same_as_sklearn(metric, p, dtype):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 16)).astype(dtype)
    Q = rng.standard_normal((200, 16)).astype(dtype)
    ours = NearestNeighbors(n_neighbors=10, metric=metric, p=p).fit(X)
    ref = sk_neighbors.NearestNeighbors(
        n_neighbors=10, metric=metric, p=p, algorithm="brute"
    ).fit(X)
    d, i = ours.kneighbors(Q)
    dr, ir = ref.kneighbors(Q)
    if metric == "cosine" and dtype == np.float32:
        # scikit-learn ranks float32 cosine distances in float32 arithmetic (and
        # returns float32), so near-ties (gaps < ~1e-6) may come out swapped; fastml
        # ranks exact float64 distances. Where the indices differ, the two
        # neighbours must be tied to float32 precision.
        diff = i != ir
        assert diff.mean() < 0.01
        exact = 1.0 - np.sum(_unit(Q)[np.nonzero(diff)[0]] * _unit(X)[ir[diff]], axis=1)
        np.testing.assert_allclose(exact, d[diff], atol=2e-6)
    else:
        np.testing.assert_array_equal(i, ir)
    # 1e-5 relative in float32 (the bound): both sides compute from the same
    # float32 inputs, scikit-learn partly in float32 arithmetic; float64: 1e-10.
    rtol = 1e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(d, dr, rtol=rtol, atol=1e-6 if rtol == 1e-5 else 1e-12)
    if metric == "cosine" and dtype == np.float32:
        return
    d, i = ours.kneighbors()
    dr, ir = ref.kneighbors()
    np.testing.assert_array_equal(i, ir)
    g = ours.kneighbors_graph(Q, mode="distance")
    gr = ref.kneighbors_graph(Q, mode="distance")
    np.testing.assert_array_equal(g.indices, gr.indices)
    np.testing.assert_array_equal(g.indptr, gr.indptr)


@pytest.mark.parametrize("metric,p", METRICS[:5])
def test_radius_same_as_sklearn(metric, p):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((800, 5))
    Q = rng.standard_normal((50, 5))
    radius = {"cosine": 0.3, "sqeuclidean": 2.0}.get(metric, 1.5)
    ours = NearestNeighbors(radius=radius, metric=metric, p=p).fit(X)
    ref = sk_neighbors.NearestNeighbors(
        radius=radius, metric=metric, p=p, algorithm="brute"
    ).fit(X)
    d, i = ours.radius_neighbors(Q, sort_results=True)
    dr, ir = ref.radius_neighbors(Q, sort_results=True)
    for q in range(len(Q)):
        np.testing.assert_array_equal(i[q], ir[q])
        np.testing.assert_allclose(d[q], dr[q], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_predictions_same_as_sklearn(weights):
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    Xtr, Xte, ytr = X[::2], X[1::2], y[::2]
    clf = KNeighborsClassifier(n_neighbors=7, weights=weights).fit(Xtr, ytr)
    ref = sk_neighbors.KNeighborsClassifier(
        n_neighbors=7, weights=weights, algorithm="brute"
    ).fit(Xtr, ytr)
    np.testing.assert_array_equal(clf.predict(Xte), ref.predict(Xte))
    np.testing.assert_allclose(
        clf.predict_proba(Xte), ref.predict_proba(Xte), rtol=1e-12, atol=1e-12
    )
    reg = KNeighborsRegressor(n_neighbors=7, weights=weights).fit(Xtr, Xtr[:, 0])
    reg_ref = sk_neighbors.KNeighborsRegressor(
        n_neighbors=7, weights=weights, algorithm="brute"
    ).fit(Xtr, Xtr[:, 0])
    # Same neighbours and the same weighted means up to summation order.
    np.testing.assert_allclose(reg.predict(Xte), reg_ref.predict(Xte), rtol=1e-12)
