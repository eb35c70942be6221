"""Prediction kernel (kernels/tree/predict.py) vs the naive walk (tests/naive/hist.py)."""

import numpy as np
import pytest
from fastml.kernels.tree.predict import (
    PACKED_NODE_DTYPE,
    SMALL_BATCH,
    pack_trees,
    predict_leaf,
    predict_packed,
    predict_raw,
)
from naive.hist import naive_predict


def random_forest(seed, n_trees, n_features, max_depth=5):
    """Random valid trees in the flat format (children after parents)."""
    rng = np.random.default_rng(seed)
    cols = {
        k: []
        for k in ("feature", "threshold", "default_left", "left", "right", "value")
    }
    tree_ptr = [0]
    for _ in range(n_trees):
        nodes = [0]  # depth of each node in creation order
        feats, thr, dl, left, right, val = [], [], [], [], [], []
        i = 0
        while i < len(nodes):
            depth = nodes[i]
            if depth < max_depth and rng.random() < 0.75:
                feats.append(int(rng.integers(n_features)))
                thr.append(
                    float(
                        rng.choice([rng.normal(), -np.inf, np.inf], p=[0.9, 0.05, 0.05])
                    )
                )
                dl.append(int(rng.integers(2)))
                left.append(len(nodes))
                right.append(len(nodes) + 1)
                nodes += [depth + 1, depth + 1]
                val.append(0.0)
            else:
                feats.append(-1)
                thr.append(0.0)
                dl.append(0)
                left.append(-1)
                right.append(-1)
                val.append(float(rng.normal()))
            i += 1
        for key, v in zip(cols, (feats, thr, dl, left, right, val)):
            cols[key] += v
        tree_ptr.append(tree_ptr[-1] + len(nodes))
    return (
        np.array(cols["feature"], np.int32),
        np.array(cols["threshold"], np.float64),
        np.array(cols["default_left"], np.uint8),
        np.array(cols["left"], np.int32),
        np.array(cols["right"], np.int32),
        np.array(cols["value"], np.float64),
        np.array(tree_ptr, np.int64),
    )


def _X(seed, n, n_features, dtype):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(dtype)
    X[rng.random(X.shape) < 0.1] = np.nan
    return X


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_rows", [1, SMALL_BATCH, SMALL_BATCH + 1, 1000])
@pytest.mark.parametrize("n_groups", [1, 3])
@pytest.mark.parametrize("seed", [0, 1])
def test_predict_raw_matches_naive(dtype, n_rows, n_groups, seed):
    forest = random_forest(seed, 12, 5)
    X = _X(seed, n_rows, 5, dtype)
    for tree_stop in (12, 7, 0):
        expected = naive_predict(X, *forest[:6], forest[6], n_groups, tree_stop, 0.5)
        for n_threads in (1, 2):
            out = np.full((n_rows, n_groups), 0.5)
            predict_raw(X, *forest, n_groups, tree_stop, out, n_threads=n_threads)
            # Same additions in the same (tree) order: identical.
            np.testing.assert_array_equal(out, expected)


def test_predict_raw_float32_compares_in_float64():
    # A threshold between two float32 neighbours: x < t is decided exactly.
    x = np.float32(1.0)
    t = (np.float64(x) + np.float64(np.nextafter(x, np.float32(2)))) / 2
    forest = (
        np.array([0, -1, -1], np.int32),
        np.array([t, 0, 0]),
        np.zeros(3, np.uint8),
        np.array([1, -1, -1], np.int32),
        np.array([2, -1, -1], np.int32),
        np.array([0.0, 1.0, 2.0]),
        np.array([0, 3], np.int64),
    )
    X = np.array([[x], [np.nextafter(x, np.float32(2))]], dtype=np.float32)
    out = np.zeros((2, 1))
    predict_raw(X, *forest, 1, 1, out)
    assert out[:, 0].tolist() == [1.0, 2.0]


def test_predict_raw_validates_shapes():
    forest = random_forest(0, 2, 3)
    X = _X(0, 4, 3, np.float64)
    with pytest.raises(ValueError, match="tree_stop"):
        predict_raw(X, *forest, 1, 3, np.zeros((4, 1)))
    with pytest.raises(ValueError, match="out must have shape"):
        predict_raw(X, *forest, 2, 2, np.zeros((4, 1)))
    with pytest.raises(ValueError):
        predict_raw(np.asfortranarray(np.ones((4, 3))), *forest, 1, 2, np.zeros((4, 1)))


@pytest.mark.parametrize("n_threads", [1, 2])
def test_predict_leaf_matches_walk(n_threads):
    forest = random_forest(3, 6, 4)
    feature, threshold, default_left, left, right, value, tree_ptr = forest
    X = _X(3, 200, 4, np.float64)
    out = np.empty((200, 6), np.int32)
    predict_leaf(
        X,
        feature,
        threshold,
        default_left,
        left,
        right,
        tree_ptr,
        6,
        out,
        n_threads=n_threads,
    )
    # Leaves reached give the raw prediction back.
    raw = np.zeros((200, 1))
    predict_raw(X, *forest, 1, 6, raw)
    assert (feature[tree_ptr[:-1][None, :] + out] == -1).all()
    np.testing.assert_allclose(
        value[tree_ptr[:-1][None, :] + out].sum(axis=1), raw[:, 0]
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_rows", [1, 127, 128, 129, 1000])
@pytest.mark.parametrize("simd", [None, False])
@pytest.mark.parametrize("max_depth", [2, 6, 9])
def test_predict_packed_matches_raw(dtype, n_rows, simd, max_depth):
    forest = random_forest(max_depth, 15, 6, max_depth=max_depth)
    packed = pack_trees(*forest)
    X = _X(max_depth, n_rows, 6, dtype)
    for n_groups, start, stop in [(1, 0, 15), (3, 0, 15), (3, 6, 9), (1, 4, 4)]:
        expected = np.full((n_rows, n_groups), 0.25)
        # predict_raw sums trees [0, stop): shift the pointer to start at `start`.
        predict_raw(X, *forest[:6], forest[6][start:], n_groups, stop - start, expected)
        if start % n_groups:
            continue
        for n_threads in (1, 2):
            out = np.full((n_rows, n_groups), 0.25)
            predict_packed(
                X, packed, n_groups, start, stop, out, n_threads=n_threads, simd=simd
            )
            np.testing.assert_array_equal(out, expected)


def test_pack_trees_layout():
    forest = random_forest(5, 4, 3, max_depth=4)
    packed = pack_trees(*forest)
    feature, threshold, default_left, left, right, value, tree_ptr = forest
    assert packed["nodes"].dtype == PACKED_NODE_DTYPE
    np.testing.assert_array_equal(packed["roots"], tree_ptr[:-1])
    nodes = packed["nodes"]
    for t in range(4):
        lo, hi = tree_ptr[t], tree_ptr[t + 1]
        for i in range(lo, hi):
            if nodes["threshold"][i] == np.inf and nodes["next"][i] == i:
                continue  # a leaf loops on itself
            assert lo < nodes["next"][i] < hi - 1
        leaves = (feature[lo:hi] < 0).sum()
        assert (packed["values"][lo:hi] != 0).sum() <= leaves
        np.testing.assert_allclose(
            np.sort(packed["values"][lo:hi][packed["values"][lo:hi] != 0]),
            np.sort(value[lo:hi][(feature[lo:hi] < 0) & (value[lo:hi] != 0)]),
        )
    # float32 thresholds are rounded up: x < t iff x < t32 for float32 x.
    t64 = nodes["threshold"]
    t32 = packed["thr32"]
    finite = np.isfinite(t64)
    assert (t32[finite].astype(np.float64) >= t64[finite]).all()
    below = np.nextafter(t32[finite], np.float32(-np.inf)).astype(np.float64)
    assert (below < t64[finite]).all()


def test_pack_trees_rejects_broken_trees():
    forest = list(random_forest(0, 1, 3, max_depth=3))
    forest[3] = forest[3].copy()
    internal = np.flatnonzero(forest[0] >= 0)[0]
    forest[3][internal] = forest[4][internal]  # both children the same node
    with pytest.raises(ValueError, match="invalid tree"):
        pack_trees(*forest)
