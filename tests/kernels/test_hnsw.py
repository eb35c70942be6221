"""HNSW kernels against the naive references in tests/naive/hnsw.py."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.neighbors import hnsw
from naive.hnsw import brute_knn, distances, graph_problems, recall

from fastml.neighbors import Index


@pytest.mark.parametrize("dim", [1, 7, 8, 16, 17, 33, 96])
@pytest.mark.parametrize("space", [0, 1])
def test_pairwise_distances_match_numpy(dim, space):
    rng = np.random.default_rng(dim)
    a = rng.standard_normal((5, dim)).astype(np.float32)
    b = rng.standard_normal((6, dim)).astype(np.float32)
    out = np.empty((5, 6), dtype=np.float32)
    hnsw.pairwise_distances(a, b, space, out)
    # float32 accumulation in a different order than the float64 reference.
    np.testing.assert_allclose(out, distances(a, b, space), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("space", [0, 1])
def test_exact_knn_matches_brute_force(seed, space):
    rng = np.random.default_rng(seed)
    data = rng.standard_normal((300, 12)).astype(np.float32)
    queries = rng.standard_normal((20, 12)).astype(np.float32)
    cand = np.sort(rng.choice(300, 40, replace=False)).astype(np.int32)
    idx = np.empty((20, 5), dtype=np.int32)
    dist = np.empty((20, 5), dtype=np.float32)
    hnsw.exact_knn(data, cand, space, queries, 5, idx, dist, 2)
    ref_idx, ref_dist = brute_knn(queries, data, 5, space, cand)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-5, atol=1e-5)


def test_exact_knn_pads_when_few_candidates():
    data = np.eye(4, dtype=np.float32)
    idx = np.empty((1, 3), dtype=np.int32)
    dist = np.empty((1, 3), dtype=np.float32)
    hnsw.exact_knn(data, np.array([2], np.int32), 0, data[:1], 3, idx, dist, 1)
    assert idx.tolist() == [[2, -1, -1]]
    assert np.isinf(dist[0, 1:]).all()


def _built(n=1500, dim=16, m=8, seed=0, n_threads=1, space="l2"):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, dim)).astype(np.float32)
    index = Index(space, dim)
    index.init_index(n, M=m, ef_construction=64, random_seed=seed)
    index.add_items(X, num_threads=n_threads)
    return index, X


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_graph_invariants(seed):
    index, _ = _built(seed=seed)
    problems = graph_problems(
        index._links0,
        index._upper,
        index._upper_off,
        index._levels,
        index.element_count,
        index.M,
    )
    assert problems == []
    assert index._levels[index._entry] == index._levels[: index.element_count].max()


def test_levels_follow_the_geometric_law():
    index, _ = _built(n=4000, m=8)
    levels = index._levels[:4000]
    # P(level >= 1) = 1/M = 0.125; 4000 draws: std ~ 0.005, allow 4 std.
    assert abs((levels >= 1).mean() - 1 / 8) < 0.02


def test_build_identical_for_any_thread_count():
    a, _ = _built(n_threads=1)
    b, _ = _built(n_threads=2)
    np.testing.assert_array_equal(a._links0, b._links0)
    np.testing.assert_array_equal(a._upper, b._upper)
    assert a._entry == b._entry


@pytest.mark.parametrize("space", ["l2", "ip"])
def test_search_recall_and_exhaustive_ef(space):
    index, X = _built(space=space)
    rng = np.random.default_rng(5)
    Q = rng.standard_normal((100, 16)).astype(np.float32)
    code = 0 if space == "l2" else 1
    truth, truth_d = brute_knn(Q, X, 10, code)
    index.set_ef(100)
    labels, dist = index.knn_query(Q, k=10, num_threads=2)
    assert recall(labels.astype(np.int64), truth) >= 0.95
    # An ef as large as the index visits everything reachable: exact answers.
    index.set_ef(1500)
    labels, dist = index.knn_query(Q, k=10)
    assert recall(labels.astype(np.int64), truth) >= 0.999
    np.testing.assert_allclose(np.sort(dist, 1), truth_d, rtol=1e-4, atol=1e-4)


def test_search_identical_for_any_thread_count():
    index, _ = _built()
    Q = np.random.default_rng(9).standard_normal((64, 16)).astype(np.float32)
    a = index.knn_query(Q, k=5, num_threads=1)
    b = index.knn_query(Q, k=5, num_threads=2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_simd_flag_is_bool():
    assert isinstance(hnsw.simd_available(), bool)
