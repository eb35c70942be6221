"""kernels/tree/forest.py against the naive walks of tests/naive/forest.py."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.tree.forest import accumulate_oob, accumulate_values
from naive.forest import oob_sums, random_trees, value_sums


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

    total = np.zeros((n_rows, n_values))
    accumulate_values(X, *trees, 0, 100, total)
    accumulate_values(X, *trees, 100, n_rows, total)
    np.testing.assert_allclose(total, value_sums(X, *trees), rtol=0, atol=1e-12)


def test_single_leaf_trees_and_nan():
    # A forest of stumps-without-splits returns the root values; NaN goes right.
    feature = np.array([-1, 0, -1, -1], dtype=np.int64)
    threshold = np.array([-2.0, 0.5, -2.0, -2.0])
    left = np.array([0, 1, 0, 0], dtype=np.int64)
    right = np.array([0, 2, 0, 0], dtype=np.int64)
    value = np.array([[1.0], [0.0], [10.0], [20.0]])
    ptr = np.array([0, 1, 4], dtype=np.int64)
    X = np.array([[0.0], [1.0], [np.nan]])
    out = np.zeros((3, 1))
    accumulate_values(X, feature, threshold, left, right, value, ptr, 0, 3, out)
    np.testing.assert_array_equal(out[:, 0], [11.0, 21.0, 21.0])
