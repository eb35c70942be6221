"""HNSW: two Python threads on one index; the estimator's exact-search fallback."""

from __future__ import annotations

import threading

import numpy as np
from naive.hnsw import brute_knn

from fastml.neighbors import HNSWNearestNeighbors, Index


def _data(n, dim, seed):
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _run_in_threads(funcs):
    """Start every function in its own thread at once; return their results."""
    results = [None] * len(funcs)
    errors = []
    start = threading.Barrier(len(funcs))

    def target(i):
        try:
            start.wait()
            results[i] = funcs[i]()
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(len(funcs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a querying thread hung"
    if errors:
        raise errors[0]
    return results


def test_two_python_threads_query_one_index():
    X = _data(3000, 16, 0)
    Q = _data(400, 16, 1)
    index = Index("l2", 16)
    index.init_index(3000, M=12, ef_construction=80)
    index.add_items(X, num_threads=2)
    index.set_ef(40)
    expected = index.knn_query(Q, k=5, num_threads=1)

    def query(num_threads):
        def run():
            # Many calls, so that the two threads' searches overlap.
            return [index.knn_query(Q, k=5, num_threads=num_threads) for _ in range(8)]

        return run

    # One thread per search in each Python thread, then two (OpenMP teams
    # started from two Python threads at once).
    for num_threads in (1, 2):
        for per_thread in _run_in_threads([query(num_threads), query(num_threads)]):
            for labels, dist in per_thread:
                np.testing.assert_array_equal(labels, expected[0])
                np.testing.assert_array_equal(dist, expected[1])


def test_query_while_another_thread_adds():
    X = _data(2000, 8, 2)
    index = Index("l2", 8)
    index.init_index(2000, M=8, ef_construction=40)
    index.add_items(X[:1000])
    index.set_ef(30)

    def add():
        for start in range(1000, 2000, 250):
            index.add_items(X[start : start + 250], np.arange(start, start + 250))
        return index.element_count

    def query():
        out = []
        for _ in range(10):
            labels, dist = index.knn_query(X[:50], k=3)
            out.append((labels, dist))
        return out

    count, answers = _run_in_threads([add, query])
    assert count == 2000
    for labels, dist in answers:
        # Whatever part of the additions a query saw, it returns valid labels
        # with consistent distances (the graph is never seen half-linked).
        assert labels.shape == (50, 3) and labels.max() < 2000
        true_d = ((X[labels.astype(np.int64)] - X[:50, None, :]) ** 2).sum(axis=2)
        np.testing.assert_allclose(dist, true_d, rtol=1e-4, atol=1e-4)
    final = index.knn_query(X[:50], k=1)[0][:, 0]
    np.testing.assert_array_equal(final, np.arange(50))


def _cut_graph(index):
    """Remove every link: a search from the entry point then finds one node."""
    index._links0[:, 0] = 0
    index._upper[:, 0] = 0


def test_estimator_exact_fallback_fills_short_rows():
    X = _data(300, 5, 3).astype(np.float64)
    Q = _data(20, 5, 4).astype(np.float64)
    nn = HNSWNearestNeighbors(n_neighbors=4, ef=10).fit(X)
    _cut_graph(nn.index_)
    # The graph search alone now comes back short for every row.
    labels, _ = nn.index_.knn_query(Q, k=4, pad_missing=True)
    assert (labels < 0).any(axis=1).all()
    dist, idx = nn.kneighbors(Q)
    truth, truth_d = brute_knn(Q, X, 4, 0)
    np.testing.assert_array_equal(idx, truth)
    # Distances: float32 squared distances, then the square root (1e-5 relative
    # is float32 rounding of values of order 10).
    np.testing.assert_allclose(dist, np.sqrt(truth_d), rtol=1e-5, atol=1e-6)


def test_estimator_exact_fallback_self_query():
    X = _data(200, 4, 5).astype(np.float64)
    nn = HNSWNearestNeighbors(n_neighbors=3, metric="sqeuclidean").fit(X)
    _cut_graph(nn.index_)
    dist, idx = nn.kneighbors()
    truth, truth_d = brute_knn(X, X, 4, 0)
    # Each point is dropped from its own list (no duplicate points here).
    np.testing.assert_array_equal(idx, truth[:, 1:])
    np.testing.assert_allclose(dist, truth_d[:, 1:], rtol=1e-5, atol=1e-6)
    # Only the short rows go to the exact scan: the others keep the graph's
    # answer. With the graph intact every row is full and nothing changes.
    full = HNSWNearestNeighbors(n_neighbors=3, ef=200).fit(X)
    np.testing.assert_array_equal(full.kneighbors(X[:10])[1], truth[:10, :3])
