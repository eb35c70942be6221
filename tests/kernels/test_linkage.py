"""Linkage kernels against the naive agglomeration of tests/naive/linkage.py."""

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.cluster import linkage as K
from naive.linkage import (
    naive_condensed_euclidean,
    naive_fcluster_distance,
    naive_linkage,
)

from fastml.cluster import fcluster, linkage

METHODS = ["single", "complete", "average", "weighted", "centroid", "median", "ward"]


def _data(seed, n, d):
    # continuous Gaussian data: no two cluster distances tie (with probability 1)
    return np.random.default_rng(seed).normal(size=(n, d))


@pytest.mark.parametrize("n_threads", [1, 2])
def test_condensed_matches_naive(n_threads):
    X = _data(0, 37, 5)
    out = np.empty(37 * 36 // 2)
    with num_threads(n_threads):
        K.fill_condensed_euclidean(X, out)
    # the kernel sums squares over the features in order, as the naive loop does
    # up to numpy's pairwise summation; 1e-14 relative covers that
    np.testing.assert_allclose(out, naive_condensed_euclidean(X), rtol=1e-14, atol=0)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("seed,n,d", [(0, 2, 1), (1, 3, 2), (2, 17, 3), (3, 30, 1)])
def test_linkage_matches_naive(method, seed, n, d):
    X = _data(seed, n, d)
    Z = linkage(X, method)
    ref = naive_linkage(X, method)
    np.testing.assert_array_equal(Z[:, [0, 1, 3]], ref[:, [0, 1, 3]])
    # heights: Lance-Williams recurrences vs the definitions, a few roundings apart
    np.testing.assert_allclose(Z[:, 2], ref[:, 2], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("method", ["single", "complete", "average", "ward"])
def test_monotone_and_valid_tree(method):
    X = _data(5, 50, 4)
    Z = linkage(X, method)
    n = 50
    assert np.all(np.diff(Z[:, 2]) >= 0)
    # each id used once, only after it is formed
    used = Z[:, :2].astype(int).ravel()
    assert sorted(used) == list(range(2 * n - 2))
    assert np.all(Z[:, 0] < Z[:, 1])
    assert np.all(Z[:, :2] < n + np.arange(n - 1)[:, None])
    assert Z[-1, 3] == n


def test_single_linkage_is_minimum_spanning_tree_weight():
    X = _data(6, 40, 3)
    Z = linkage(X, "single")
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    # Kruskal on the full matrix
    iu = np.triu_indices(40, 1)
    order = np.argsort(D[iu], kind="stable")
    parent = list(range(40))

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    total = 0.0
    for e in order:
        a, b = find(iu[0][e]), find(iu[1][e])
        if a != b:
            parent[a] = b
            total += D[iu][e]
    assert np.isclose(Z[:, 2].sum(), total, rtol=1e-12)


def test_condensed_input_equals_observations():
    X = _data(7, 25, 3)
    y = naive_condensed_euclidean(X)
    y_copy = y.copy()
    for method in METHODS:
        np.testing.assert_allclose(linkage(y, method), linkage(X, method), rtol=1e-12)
    np.testing.assert_array_equal(y, y_copy)  # the caller's matrix is untouched


@pytest.mark.parametrize("method", ["single", "average", "ward"])
def test_fcluster_distance_matches_naive_partition(method):
    X = _data(8, 40, 2)
    Z = linkage(X, method)
    for t in np.quantile(Z[:, 2], [0.0, 0.3, 0.7, 1.0]):
        labels = fcluster(Z, t, criterion="distance")
        roots = naive_fcluster_distance(Z, t)
        # same partition: labels and roots are functions of each other
        pairs = set(zip(labels.tolist(), roots.tolist()))
        assert len(pairs) == len(set(labels)) == len(set(roots))


def test_fcluster_maxclust_counts():
    X = _data(9, 40, 2)
    Z = linkage(X, "ward")
    for k in [1, 2, 5, 39, 40, 100]:
        labels = fcluster(Z, k, criterion="maxclust")
        assert len(np.unique(labels)) == min(k, 40)
        assert labels.min() == 1 and labels.max() == min(k, 40)


def test_ties_follow_index_order():
    # four corners of a unit square: all nearest distances tie; scipy's rule
    # (first strict minimum in index order) gives these merges
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    Z = linkage(X, "single")
    np.testing.assert_array_equal(Z[:, :2], [[0, 1], [2, 4], [3, 5]])
    Z = linkage(X, "complete")
    np.testing.assert_array_equal(Z[:, :2], [[0, 1], [2, 3], [4, 5]])
