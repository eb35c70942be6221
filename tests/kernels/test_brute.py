"""Brute-force neighbour kernels (through their orchestration) vs the naive sort."""

from __future__ import annotations

import numpy as np
import pytest
from naive.brute import kneighbors as naive_kneighbors

from fastml.neighbors._brute import brute_kneighbors, brute_radius

METRICS = [
    ("euclidean", 2.0),
    ("sqeuclidean", 2.0),
    ("manhattan", 1.0),
    ("chebyshev", np.inf),
    ("minkowski", 3.0),
    ("cosine", 2.0),
    ("inner_product", 2.0),
]


@pytest.mark.parametrize("metric,p", METRICS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", [0, 1])
def test_kneighbors_matches_naive(metric, p, dtype, seed):
    rng = np.random.default_rng(seed)
    Xf = rng.standard_normal((300, 7)).astype(dtype)
    Xq = rng.standard_normal((40, 7)).astype(dtype)
    k = 6
    d, i = brute_kneighbors(Xq, Xf, k, metric, p, 1)
    dn, inn = naive_kneighbors(Xq, Xf, k, metric, p)
    np.testing.assert_array_equal(i, inn)
    # float64 recomputation of the same float32 inputs: only summation order differs.
    np.testing.assert_allclose(d, dn, rtol=1e-10, atol=1e-12)


def test_ties_broken_by_index():
    # Integer grid: many exactly equal distances.
    rng = np.random.default_rng(0)
    Xf = rng.integers(0, 3, size=(200, 3)).astype(np.float32)
    Xq = rng.integers(0, 3, size=(30, 3)).astype(np.float32)
    for metric, p in METRICS[:5]:
        d, i = brute_kneighbors(Xq, Xf, 15, metric, p, 1)
        dn, inn = naive_kneighbors(Xq, Xf, 15, metric, p)
        np.testing.assert_array_equal(i, inn)


def test_blocks_and_threads(monkeypatch):
    # Several query blocks and point chunks; 1 vs 2 threads identical.
    import fastml.neighbors._brute as brute

    monkeypatch.setattr(brute, "_QUERY_BLOCK", 16)
    monkeypatch.setattr(brute, "_POINT_CHUNK", 50)
    rng = np.random.default_rng(3)
    Xf = rng.standard_normal((333, 5)).astype(np.float32)
    Xq = rng.standard_normal((70, 5)).astype(np.float32)
    d1, i1 = brute_kneighbors(Xq, Xf, 9, "euclidean", 2.0, 1)
    d2, i2 = brute_kneighbors(Xq, Xf, 9, "euclidean", 2.0, 2)
    dn, inn = naive_kneighbors(Xq, Xf, 9, "euclidean")
    np.testing.assert_array_equal(i1, inn)
    np.testing.assert_array_equal(d1, d2)
    np.testing.assert_array_equal(i1, i2)


def test_large_offset_cancellation():
    # Points far from the origin: the matrix-product form loses most digits, the
    # certificate must send uncertain queries to the exact fallback.
    rng = np.random.default_rng(5)
    Xf = (1e3 + rng.standard_normal((400, 4)) * 1e-2).astype(np.float32)
    Xq = (1e3 + rng.standard_normal((25, 4)) * 1e-2).astype(np.float32)
    d, i = brute_kneighbors(Xq, Xf, 5, "euclidean", 2.0, 1)
    dn, inn = naive_kneighbors(Xq, Xf, 5, "euclidean")
    np.testing.assert_array_equal(i, inn)
    np.testing.assert_allclose(d, dn, rtol=1e-9)


def test_k_equals_n_samples_and_one_point():
    rng = np.random.default_rng(1)
    Xf = rng.standard_normal((5, 3))
    d, i = brute_kneighbors(Xf, Xf, 5, "euclidean", 2.0, 1)
    assert sorted(i[0]) == list(range(5))
    d, i = brute_kneighbors(Xf[:2], Xf[:1], 1, "cosine", 2.0, 1)
    np.testing.assert_array_equal(i, [[0], [0]])


@pytest.mark.parametrize("metric,p", METRICS)
def test_radius_matches_naive(metric, p):
    from naive.brute import pairwise_distances

    rng = np.random.default_rng(2)
    Xf = rng.standard_normal((150, 4))
    Xq = rng.standard_normal((20, 4))
    full = pairwise_distances(Xq, Xf, metric, p)
    r = float(np.quantile(full, 0.1))
    dists, idxs = brute_radius(Xq, Xf, r, metric, p, 2, True)
    for q in range(len(Xq)):
        expected = np.flatnonzero(full[q] <= r)
        expected = expected[np.lexsort((expected, full[q, expected]))]
        np.testing.assert_array_equal(idxs[q], expected)
        np.testing.assert_allclose(dists[q], full[q, expected], rtol=1e-10, atol=1e-12)
