"""The vector-valued prediction kernel (predict_values, kernels/tree/_predict.pyx)
and the flat layout of fastml.tree._flat against a naive walk of the Tree arrays
(``x <= threshold`` goes left)."""

import numpy as np
import pytest
from fastml.kernels.tree.predict import predict_values

from fastml.tree._builder import build_tree, prepare_data
from fastml.tree._flat import apply_trees, flatten_trees, predict_sum, stack_values


def _naive_leaf(tree, row):
    node = 0
    while tree.children_left[node] != -1:
        x = row[tree.feature[node]]
        if np.isnan(x):
            go_left = bool(tree.missing_go_to_left[node])
        else:
            go_left = np.float64(x) <= tree.threshold[node]
        node = tree.children_left[node] if go_left else tree.children_right[node]
    return node


def _trees(seed, n_trees=3):
    rng = np.random.RandomState(seed)
    X = rng.randn(200, 5)
    y = rng.randint(0, 3, 200)
    prepared = prepare_data(X)
    trees = [
        build_tree(
            prepared,
            y,
            rng.randint(0, 3, 200).astype(float),
            n_classes=3,
            max_features=2,
            seed=s,
        )
        for s in range(n_trees)
    ]
    return X, trees


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_predict_sum_matches_naive(dtype, n_threads):
    X, trees = _trees(0)
    rng = np.random.RandomState(1)
    Xq = rng.randn(300, 5).astype(dtype)
    # Rows exactly on thresholds go left.
    Xq[:5, trees[0].feature[0]] = trees[0].threshold[0]
    flat = flatten_trees(trees)
    out = predict_sum(flat, Xq, stack_values(trees), n_threads=n_threads)
    ref = np.zeros_like(out)
    for t in trees:
        for r in range(len(Xq)):
            ref[r] += t.value[_naive_leaf(t, Xq[r])].reshape(-1)
    np.testing.assert_array_equal(out, ref)
    leaves = apply_trees(flat, Xq, n_threads=n_threads)
    for k, t in enumerate(trees):
        np.testing.assert_array_equal(t.apply(Xq, n_threads=n_threads), leaves[:, k])
        np.testing.assert_array_equal(
            leaves[:, k], [_naive_leaf(t, Xq[r]) for r in range(len(Xq))]
        )


def test_values_read_at_call_time_and_nan_default():
    X, trees = _trees(2, n_trees=1)
    tree = trees[0]
    Xq = X[:50].copy()
    before = tree.predict(Xq)
    leaves = tree.apply(Xq)
    tree.value[leaves[0]] += 10.0
    after = tree.predict(Xq)
    assert np.all(after[0] == before[0] + 10.0)
    Xn = Xq.copy()
    Xn[:, tree.feature[0]] = np.nan
    got = tree.apply(Xn)
    np.testing.assert_array_equal(got, [_naive_leaf(tree, r) for r in Xn])


def test_tree_range_and_shape_errors():
    X, trees = _trees(3, n_trees=2)
    flat = flatten_trees(trees)
    values = stack_values(trees)
    out = np.zeros((10, 3))
    Xq = np.ascontiguousarray(X[:10])
    predict_values(
        Xq,
        flat.feature,
        flat.threshold,
        flat.default_left,
        flat.left,
        flat.right,
        values,
        flat.tree_ptr,
        1,
        2,
        out,
        1,
    )
    np.testing.assert_array_equal(out, predict_sum(flat, Xq, values, tree_start=1))
    with pytest.raises(ValueError, match="tree range"):
        predict_values(
            Xq,
            flat.feature,
            flat.threshold,
            flat.default_left,
            flat.left,
            flat.right,
            values,
            flat.tree_ptr,
            0,
            3,
            out,
            1,
        )
    with pytest.raises(ValueError, match="out must have shape"):
        predict_values(
            Xq,
            flat.feature,
            flat.threshold,
            flat.default_left,
            flat.left,
            flat.right,
            values,
            flat.tree_ptr,
            0,
            2,
            np.zeros((10, 2)),
            1,
        )
    with pytest.raises(ValueError, match="rows"):
        predict_values(
            Xq,
            flat.feature,
            flat.threshold,
            flat.default_left,
            flat.left,
            flat.right,
            values[:-1],
            flat.tree_ptr,
            0,
            2,
            out,
            1,
        )
