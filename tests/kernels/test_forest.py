"""kernels/tree/forest.py (and the leaf-id use of the shared packed walk) against the
naive walks of tests/naive/forest.py."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.tree.forest import sum_leaf_rows, sum_oob_leaf_rows
from fastml.kernels.tree.predict import pack_trees, predict_packed
from naive.forest import leaf_of, oob_sums, random_trees


def _naive_leaves(X, trees):
    feature, threshold, left, right, _, ptr = trees
    return np.array(
        [
            [
                leaf_of(x, feature, threshold, left, right, ptr[t])
                for t in range(len(ptr) - 1)
            ]
            for x in X
        ],
        dtype=np.float64,
    )


def _packed_leaves(X, trees):
    # The forest's layout: trees packed with their node indices as leaf values; the
    # shared kernel with one output column per tree returns the leaf ids.
    feature, threshold, left, right, _, ptr = trees
    n_nodes = feature.shape[0]
    leaf = feature < 0
    packed = pack_trees(
        np.where(leaf, -1, feature).astype(np.int32),
        np.nextafter(threshold, np.inf),
        np.zeros(n_nodes, dtype=np.uint8),
        np.where(leaf, -1, left).astype(np.int32),
        np.where(leaf, -1, right).astype(np.int32),
        np.arange(n_nodes, dtype=np.float64),
        ptr,
    )
    n_trees = len(ptr) - 1
    out = np.zeros((X.shape[0], n_trees))
    predict_packed(X, packed, n_trees, 0, n_trees, out, 1)
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_packed_walk_with_index_values_gives_the_leaves(seed, dtype):
    rng = np.random.default_rng(seed)
    trees = random_trees(rng, 6, 4, 1)
    X = rng.normal(size=(300, 4)).astype(dtype)
    # Rows exactly on a threshold go left (x <= t).
    X[:5, trees[0][0]] = trees[1][0]
    np.testing.assert_array_equal(_packed_leaves(X, trees), _naive_leaves(X, trees))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_values", [1, 3])
def test_sums_match_naive(seed, n_values):
    rng = np.random.default_rng(seed)
    n_rows, n_features, n_trees = 150, 4, 7
    X = rng.normal(size=(n_rows, n_features))
    trees = random_trees(rng, n_trees, n_features, n_values)
    value = trees[4]
    leaves = _naive_leaves(X, trees)
    inbag = (rng.random((n_rows, n_trees)) < 0.6).astype(np.uint8)
    inbag[0] = 1  # a row in bag for every tree

    out = np.zeros((n_rows, n_values))
    n_oob = np.zeros(n_rows, dtype=np.int64)
    # Two row ranges, as the thread pool splits the rows.
    sum_oob_leaf_rows(leaves[:60], value, inbag[:60], out[:60], n_oob[:60])
    sum_oob_leaf_rows(leaves[60:], value, inbag[60:], out[60:], n_oob[60:])
    ref, ref_n = oob_sums(X, *trees, inbag)
    np.testing.assert_array_equal(n_oob, ref_n)
    # Same additions in the same (tree) order.
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)
    assert n_oob[0] == 0 and np.all(out[0] == 0)

    total = np.ones((n_rows, n_values))  # added to
    sum_leaf_rows(leaves, value, total)
    all_trees, _ = oob_sums(X, *trees, np.zeros_like(inbag))
    np.testing.assert_allclose(total, 1.0 + all_trees, rtol=0, atol=1e-12)


def test_single_leaf_trees():
    # A single-leaf tree: every row reaches the root.
    feature = np.array([-1, 0, -1, -1], dtype=np.int64)
    threshold = np.array([-2.0, 0.5, -2.0, -2.0])
    left = np.array([0, 1, 0, 0], dtype=np.int64)
    right = np.array([0, 2, 0, 0], dtype=np.int64)
    value = np.array([[1.0], [0.0], [10.0], [20.0]])
    ptr = np.array([0, 1, 4], dtype=np.int64)
    trees = (feature, threshold, left, right, value, ptr)
    X = np.array([[0.0], [1.0], [0.5]])
    leaves = _packed_leaves(X, trees)
    np.testing.assert_array_equal(leaves, [[0, 2], [0, 3], [0, 2]])
    out = np.zeros((3, 1))
    sum_leaf_rows(leaves, value, out)
    np.testing.assert_array_equal(out[:, 0], [11.0, 21.0, 11.0])
