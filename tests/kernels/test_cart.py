"""CART builder (kernels/tree/cart.py through fastml.tree._builder) against the
exhaustive naive search of tests/naive/cart.py, node by node.

The builder visits features in a random order, so among cuts of exactly equal
improvement (frequent in small nodes) it may pick any: each internal node is checked
to reach the naive *optimal* weighted children impurity with one of the optimal
(feature, threshold) pairs, not a particular one. Tolerances: impurities and values
are recomputed by the naive code with other summation orders, rtol 1e-9 (the
absolute error's median sums, up to ~1e-13 relative here).
"""

import numpy as np
import pytest
from fastml.kernels.tree.prune import prune_path
from naive.cart import best_split, node_stats
from naive.cart import prune_path as naive_prune_path

from fastml.tree._builder import build_tree, prepare_data

CLS = ["gini", "entropy"]
REG = ["squared_error", "absolute_error", "poisson"]


def _data(seed, n=50, n_features=4, kind="cls", ties=False, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_features)
    if ties:
        X = np.round(X, 1)
    X = X.astype(dtype)
    if kind == "cls":
        y = rng.randint(0, 3, n)
    elif kind == "poisson":
        y = rng.poisson(2.0, n).astype(np.float64)
    else:
        y = np.round(rng.randn(n) * 3, 3)
    return X, y


def _weights(seed, n, kind):
    rng = np.random.RandomState(seed + 100)
    if kind is None:
        return None
    if kind == "int":
        return rng.randint(0, 4, n).astype(np.float64)
    return rng.uniform(0.5, 2.0, n)


def _members(tree, X32):
    """Boolean (n_nodes, n_samples): rows going through each node."""
    path = tree.decision_path(X32).toarray().astype(bool)
    return path.T


def _check_tree(
    tree,
    X,
    y,
    w,
    criterion,
    n_classes,
    *,
    min_samples_leaf=1,
    min_weight_leaf=0.0,
    max_depth=None,
    random_splitter=False,
    allow_unsplit=False,
):
    X32 = np.asarray(X, dtype=np.float32)
    w_full = np.ones(len(y)) if w is None else w
    active = w_full > 0
    members = _members(tree, X32) & active[None, :]
    depth = np.zeros(tree.node_count, dtype=int)
    for node in range(tree.node_count):
        rows = members[node]
        assert tree.n_node_samples[node] == rows.sum()
        np.testing.assert_allclose(
            tree.weighted_n_node_samples[node], w_full[rows].sum(), rtol=1e-12
        )
        imp, value = node_stats(y[rows], w_full[rows], criterion, n_classes)
        np.testing.assert_allclose(tree.impurity[node], imp, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(
            tree.value[node].reshape(-1), value, rtol=1e-9, atol=1e-12
        )
        left = tree.children_left[node]
        if left == -1:
            assert tree.feature[node] == -2 and tree.threshold[node] == -2
            if max_depth is not None and depth[node] >= max_depth:
                continue
            if rows.sum() < 2 * min_samples_leaf or imp <= 1e-12:
                continue
            best, _ = best_split(
                X32[rows],
                y[rows],
                w_full[rows],
                criterion,
                n_classes,
                min_samples_leaf=min_samples_leaf,
                min_weight_leaf=min_weight_leaf,
            )
            if not (random_splitter or allow_unsplit):
                # Without a leaf budget, a leaf with impurity has no valid cut.
                assert best == np.inf, (node, best, imp)
            continue
        right = tree.children_right[node]
        assert left > node and right > node
        depth[left] = depth[right] = depth[node] + 1
        f, thr = tree.feature[node], tree.threshold[node]
        go_left = X32[:, f].astype(np.float64) <= thr
        np.testing.assert_array_equal(members[left], rows & go_left)
        np.testing.assert_array_equal(members[right], rows & ~go_left)
        wl, wr = w_full[rows & go_left].sum(), w_full[rows & ~go_left].sum()
        assert members[left].sum() >= min_samples_leaf
        assert members[right].sum() >= min_samples_leaf
        assert wl >= min_weight_leaf and wr >= min_weight_leaf
        if random_splitter:
            xs = X32[rows, f]
            assert xs.min() <= thr < xs.max()
            continue
        best, optimal = best_split(
            X32[rows],
            y[rows],
            w_full[rows],
            criterion,
            n_classes,
            min_samples_leaf=min_samples_leaf,
            min_weight_leaf=min_weight_leaf,
        )
        wn = w_full[rows].sum()
        score = (wl * tree.impurity[left] + wr * tree.impurity[right]) / wn
        np.testing.assert_allclose(score, best, rtol=1e-9, atol=1e-12)
        assert any(g == f and np.float64(t) == thr for g, t in optimal), (
            node,
            f,
            thr,
            optimal[:5],
        )


@pytest.mark.parametrize("criterion", CLS)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("weights", [None, "int", "float"])
def test_classification_tree_matches_naive(criterion, seed, weights):
    X, y = _data(seed, ties=seed == 1)
    w = _weights(seed, len(y), weights)
    tree = build_tree(
        prepare_data(X), y, w, n_classes=3, criterion=criterion, seed=seed
    )
    _check_tree(tree, X, y, w, criterion, 3)


@pytest.mark.parametrize("criterion", REG)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("weights", [None, "int"])
def test_regression_tree_matches_naive(criterion, seed, weights):
    kind = "poisson" if criterion == "poisson" else "reg"
    X, y = _data(seed, n=40, kind=kind, ties=seed == 1, dtype=np.float32)
    w = _weights(seed, len(y), weights)
    tree = build_tree(prepare_data(X), y, w, criterion=criterion, seed=seed)
    _check_tree(tree, X, y, w, criterion, 0)


@pytest.mark.parametrize("criterion", ["gini", "squared_error"])
def test_constraints_respected(criterion):
    n_classes = 3 if criterion == "gini" else 0
    X, y = _data(3, n=60, kind="cls" if n_classes else "reg")
    tree = build_tree(
        prepare_data(X),
        y,
        None,
        n_classes=n_classes,
        criterion=criterion,
        min_samples_leaf=4,
        max_depth=3,
        min_weight_leaf=5.0,
        seed=0,
    )
    _check_tree(
        tree,
        X,
        y,
        None,
        criterion,
        n_classes,
        min_samples_leaf=4,
        min_weight_leaf=5.0,
        max_depth=3,
    )
    assert tree.max_depth <= 3


@pytest.mark.parametrize("criterion", ["gini", "squared_error", "absolute_error"])
def test_random_splitter_valid(criterion):
    n_classes = 3 if criterion == "gini" else 0
    X, y = _data(4, n=60, kind="cls" if n_classes else "reg")
    tree = build_tree(
        prepare_data(X),
        y,
        None,
        n_classes=n_classes,
        criterion=criterion,
        splitter="random",
        max_features=2,
        seed=5,
    )
    _check_tree(tree, X, y, None, criterion, n_classes, random_splitter=True)
    again = build_tree(
        prepare_data(X),
        y,
        None,
        n_classes=n_classes,
        criterion=criterion,
        splitter="random",
        max_features=2,
        seed=5,
    )
    np.testing.assert_array_equal(tree.threshold, again.threshold)


def test_best_first_growth():
    X, y = _data(5, n=80)
    tree = build_tree(prepare_data(X), y, None, n_classes=3, max_leaf_nodes=7, seed=0)
    assert tree.n_leaves == 7
    _check_tree(tree, X, y, None, "gini", 3, allow_unsplit=True)
    full = build_tree(prepare_data(X), y, None, n_classes=3, seed=0)
    assert full.n_leaves > 7


def test_zero_weight_rows_absent():
    X, y = _data(6, n=50)
    w = np.ones(50)
    w[::3] = 0.0
    tree = build_tree(prepare_data(X), y, w, n_classes=3, seed=0)
    keep = w > 0
    sub = build_tree(prepare_data(X[keep]), y[keep], None, n_classes=3, seed=0)
    assert tree.n_node_samples[0] == keep.sum()
    np.testing.assert_array_equal(tree.feature, sub.feature)
    np.testing.assert_array_equal(tree.threshold, sub.threshold)


def test_constant_features_and_single_sample():
    X, y = _data(7, n=30)
    X[:, 1] = 2.5
    X[:, 3] = -1.0
    tree = build_tree(prepare_data(X), y, None, n_classes=3, seed=0)
    assert not np.isin(tree.feature, [1, 3]).any()
    _check_tree(tree, X, y, None, "gini", 3)
    one = build_tree(prepare_data(X[:1]), y[:1], None, n_classes=3, seed=0)
    assert one.node_count == 1 and one.n_node_samples[0] == 1
    same = build_tree(
        prepare_data(np.ones((5, 2))), np.arange(5) % 2, None, n_classes=2, seed=0
    )
    assert same.node_count == 1


@pytest.mark.parametrize("criterion", ["gini", "squared_error"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_prune_path_matches_naive(criterion, seed):
    n_classes = 3 if criterion == "gini" else 0
    X, y = _data(seed, n=60, kind="cls" if n_classes else "reg")
    tree = build_tree(
        prepare_data(X), y, None, n_classes=n_classes, criterion=criterion, seed=seed
    )
    alphas, imps = prune_path(
        tree.children_left,
        tree.children_right,
        tree.weighted_n_node_samples,
        tree.impurity,
    )
    ref_a, ref_i = naive_prune_path(
        tree.children_left,
        tree.children_right,
        tree.weighted_n_node_samples,
        tree.impurity,
    )
    # Different summation orders of the same risks: 1e-12 relative, 1e-15 absolute.
    np.testing.assert_allclose(alphas, ref_a, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(imps, ref_i, rtol=1e-12, atol=1e-15)
    assert np.all(np.diff(alphas) >= -1e-15)


@pytest.mark.parametrize("criterion", ["entropy", "poisson", "absolute_error"])
@pytest.mark.parametrize("splitter", ["best", "random"])
@pytest.mark.parametrize("max_leaf_nodes", [None, 6])
def test_every_kind_of_tree_valid(criterion, splitter, max_leaf_nodes):
    # Each (criterion family, splitter, growth order) has its own compiled growth
    # kernel (kernels/tree/cart.py _make_grow): check every one against the naive
    # reference, including the combinations no other test grows.
    n_classes = 3 if criterion == "entropy" else 0
    kind = {"entropy": "cls", "poisson": "poisson"}.get(criterion, "reg")
    X, y = _data(7, n=50, kind=kind)
    tree = build_tree(
        prepare_data(X),
        y,
        None,
        n_classes=n_classes,
        criterion=criterion,
        splitter=splitter,
        max_leaf_nodes=max_leaf_nodes,
        # All features for the best splitter: the check wants the best cut overall.
        max_features=None if splitter == "best" else 3,
        seed=3,
    )
    if max_leaf_nodes is not None:
        assert tree.n_leaves <= max_leaf_nodes
    _check_tree(
        tree,
        X,
        y,
        None,
        criterion,
        n_classes,
        random_splitter=splitter == "random",
        allow_unsplit=max_leaf_nodes is not None,
    )
