"""kernels/tree/forest.py against the naive walks of tests/naive/forest.py."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.tree.forest import accumulate_oob, sum_leaf_rows
from naive.forest import oob_sums, random_trees


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_values", [1, 3])
def test_kernels_match_naive(seed, dtype, n_values):
    rng = np.random.default_rng(seed)
    n_rows, n_features, n_trees = 150, 4, 7
    X = rng.normal(size=(n_rows, n_features)).astype(dtype)
    trees = random_trees(rng, n_trees, n_features, n_values)
    # Some rows sit exactly on thresholds: x <= t goes left.
    feature, threshold = trees[0], trees[1]
    X[:5, feature[0]] = threshold[0]
    inbag = (rng.random((n_rows, n_trees)) < 0.6).astype(np.uint8)
    inbag[0] = 1  # a row in bag for every tree

    out = np.zeros((n_rows, n_values))
    n_oob = np.zeros(n_rows, dtype=np.int64)
    # Two chunks, as the thread pool splits the rows.
    accumulate_oob(X, *trees, inbag, 0, 60, out, n_oob)
    accumulate_oob(X, *trees, inbag, 60, n_rows, out, n_oob)
    ref, ref_n = oob_sums(X, *trees, inbag)
    np.testing.assert_array_equal(n_oob, ref_n)
    # Same additions in the same (tree) order: equal up to rounding of the walk only.
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)
    assert n_oob[0] == 0 and np.all(out[0] == 0)


@pytest.mark.parametrize("n_values", [1, 3])
def test_sum_leaf_rows_matches_naive(n_values):
    rng = np.random.default_rng(n_values)
    value = rng.random((40, n_values))
    leaf_idx = rng.integers(0, 40, size=(25, 6)).astype(np.float64)
    out = np.ones((25, n_values))  # added to
    sum_leaf_rows(leaf_idx, value, out)
    ref = 1.0 + sum(value[leaf_idx[:, t].astype(int)] for t in range(6))
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)


def test_packed_walk_with_index_values_gives_the_leaves():
    # The forest's multiclass path: trees packed with their node indices as leaf
    # values; the shared kernel with one output column per tree returns the leaf id
    # (in the flat arrays' numbering) of every row in every tree.
    from fastml.kernels.tree.predict import pack_trees, predict_packed
    from naive.forest import leaf_of

    rng = np.random.default_rng(5)
    feature, threshold, left, right, _, ptr = random_trees(rng, 5, 3, 1)
    X = rng.normal(size=(300, 3)).astype(np.float32)
    n_nodes = feature.shape[0]
    leaf = feature < 0
    flat_feature = np.where(leaf, -1, feature).astype(np.int32)
    packed = pack_trees(
        flat_feature,
        np.nextafter(threshold, np.inf),
        np.zeros(n_nodes, dtype=np.uint8),
        np.where(leaf, -1, left).astype(np.int32),
        np.where(leaf, -1, right).astype(np.int32),
        np.arange(n_nodes, dtype=np.float64),
        ptr,
    )
    out = np.zeros((300, 5))
    predict_packed(X, packed, 5, 0, 5, out, 1)
    ref = [
        [leaf_of(x, feature, threshold, left, right, ptr[t]) for t in range(5)]
        for x in X
    ]
    np.testing.assert_array_equal(out, np.array(ref, dtype=np.float64))


def test_single_leaf_trees_and_nan():
    # A single-leaf tree contributes its root value; NaN goes right.
    feature = np.array([-1, 0, -1, -1], dtype=np.int64)
    threshold = np.array([-2.0, 0.5, -2.0, -2.0])
    left = np.array([0, 1, 0, 0], dtype=np.int64)
    right = np.array([0, 2, 0, 0], dtype=np.int64)
    value = np.array([[1.0], [0.0], [10.0], [20.0]])
    ptr = np.array([0, 1, 4], dtype=np.int64)
    X = np.array([[0.0], [1.0], [np.nan]])
    out = np.zeros((3, 1))
    n_oob = np.zeros(3, dtype=np.int64)
    inbag = np.zeros((3, 2), dtype=np.uint8)
    accumulate_oob(
        X, feature, threshold, left, right, value, ptr, inbag, 0, 3, out, n_oob
    )
    np.testing.assert_array_equal(out[:, 0], [11.0, 21.0, 21.0])
    np.testing.assert_array_equal(n_oob, [2, 2, 2])
