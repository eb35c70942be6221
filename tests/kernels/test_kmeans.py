"""k-means kernels (through their orchestration) vs the naive loops."""

from __future__ import annotations

import numpy as np
import pytest
from naive.kmeans import assign as naive_assign
from naive.kmeans import lloyd as naive_lloyd

from fastml.cluster._kmeans import _kmeans_elkan, _kmeans_lloyd, _lloyd_pass


def _blobs(seed, n=600, d=4, k=5, dtype=np.float64):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, d)) * 4
    X = centers[rng.integers(0, k, n)] + rng.standard_normal((n, d))
    return X.astype(dtype), X[rng.choice(n, k, replace=False)].astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lloyd_pass_matches_naive(dtype, seed):
    X, C = _blobs(seed, dtype=dtype)
    w = np.random.default_rng(seed).random(len(X))
    labels = np.empty(len(X), dtype=np.int64)
    sq = np.empty(len(X))
    sums, wsums, inertia = _lloyd_pass(X, w, C, 2, True, labels, sq)
    lab_n, sq_n = naive_assign(X, C)
    np.testing.assert_array_equal(labels, lab_n)
    np.testing.assert_allclose(sq, sq_n, rtol=1e-10)
    np.testing.assert_allclose(inertia, np.dot(w, sq_n), rtol=1e-10)
    for c in range(len(C)):
        m = lab_n == c
        np.testing.assert_allclose(
            sums[c], (X[m].astype(float) * w[m, None]).sum(0), rtol=1e-10, atol=1e-10
        )
        np.testing.assert_allclose(wsums[c], w[m].sum(), rtol=1e-12)


@pytest.mark.parametrize("run", [_kmeans_lloyd, _kmeans_elkan])
@pytest.mark.parametrize("seed", [0, 3])
def test_iterations_match_naive_lloyd(run, seed):
    X, C = _blobs(seed, n=800, k=6)
    w = np.ones(len(X))
    labels, inertia, centers, n_iter = run(X, w, C, 4, -1.0, 1)
    # tol < 0: up to 4 updates (fewer on strict convergence), then the labels of
    # the final centres; the naive loop does the same number of updates.
    lab_n, cen_n = naive_lloyd(X, C, n_iter)
    np.testing.assert_allclose(centers, cen_n, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(labels, lab_n)


def test_threads_do_not_change_results():
    X, C = _blobs(7, n=20000, d=6, k=8, dtype=np.float32)
    w = np.random.default_rng(0).random(len(X))
    r1 = _kmeans_lloyd(X, w, C, 10, 0.0, 1)
    r2 = _kmeans_lloyd(X, w, C, 10, 0.0, 2)
    np.testing.assert_array_equal(r1[0], r2[0])
    np.testing.assert_array_equal(r1[2], r2[2])
    assert r1[1] == r2[1]
    e1 = _kmeans_elkan(X, w, C, 10, 0.0, 1)
    e2 = _kmeans_elkan(X, w, C, 10, 0.0, 2)
    np.testing.assert_array_equal(e1[2], e2[2])
    np.testing.assert_array_equal(e1[0], r1[0])


def test_kmeanspp_threads_and_distinct():
    from fastml.cluster import kmeans_plusplus

    X, _ = _blobs(4, n=5000, d=3, k=10)
    c1, i1 = kmeans_plusplus(X, 10, random_state=0, n_jobs=1)
    c2, i2 = kmeans_plusplus(X, 10, random_state=0, n_jobs=2)
    np.testing.assert_array_equal(i1, i2)
    assert len(set(i1.tolist())) == 10
    np.testing.assert_array_equal(c1, X[i1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_kmeanspp_matches_naive(dtype, seed, weighted):
    from naive.kmeans import kmeanspp as naive_kmeanspp

    from fastml.cluster import kmeans_plusplus

    # 9000 rows: several row groups, so the two-level sampling (group totals,
    # then the group's running sum) is exercised across group boundaries.
    X, _ = _blobs(seed, n=9000, d=5, k=9, dtype=dtype)
    w = np.random.default_rng(seed).random(len(X)) if weighted else None
    k = 12
    ref = naive_kmeanspp(X, k, w, seed)
    for n_jobs in (1, 2):
        centers, idx = kmeans_plusplus(
            X, k, sample_weight=w, random_state=seed, n_jobs=n_jobs
        )
        np.testing.assert_array_equal(idx, ref)
        np.testing.assert_array_equal(centers, X[ref])


def test_kmeanspp_duplicates_and_trials():
    from naive.kmeans import kmeanspp as naive_kmeanspp

    from fastml.cluster import kmeans_plusplus

    # Many duplicate rows (zero distances, zero-probability rows) and an explicit
    # number of local trials above 8.
    rng = np.random.default_rng(5)
    X = rng.integers(0, 4, (3000, 3)).astype(np.float64)
    idx = kmeans_plusplus(X, 20, random_state=3, n_local_trials=11)[1]
    np.testing.assert_array_equal(idx, naive_kmeanspp(X, 20, None, 3, 11))
