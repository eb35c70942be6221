"""fastml.kernels.gbdt.exact against the naive reference tests/naive/exact.py.

Both follow the same arithmetic in the same order (float64 sums accumulated in scan
order, gains rounded to float32 as documented in the kernel), so trees are compared
for exact equality, every array and every bit.
"""

from __future__ import annotations

import fastml.kernels.gbdt.exact as exact_module
import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.gbdt.exact import build_exact_tree, presort_columns
from naive.exact import build_exact_tree as naive_tree
from naive.exact import predict_tree
from numpy.testing import assert_array_equal

FIELDS = (
    "feature",
    "threshold",
    "default_left",
    "left",
    "right",
    "value",
    "gain",
    "cover",
)
DTYPES = dict(
    feature=np.int32,
    threshold=np.float64,
    default_left=np.uint8,
    left=np.int32,
    right=np.int32,
    value=np.float64,
    gain=np.float64,
    cover=np.float64,
)
DEFAULTS = dict(
    max_depth=4,
    max_leaves=0,
    min_child_weight=1.0,
    reg_lambda=1.0,
    reg_alpha=0.0,
    gamma=0.0,
    learning_rate=0.3,
)


def kernel_tree(X, g, h, row_idx=None, feature_idx=None, order=None, **params):
    p = {**DEFAULTS, **params}
    X = np.ascontiguousarray(X, dtype=np.float64)
    if order is None:
        order = presort_columns(X)
    rows = np.arange(X.shape[0]) if row_idx is None else np.asarray(row_idx)
    feats = np.arange(X.shape[1]) if feature_idx is None else np.asarray(feature_idx)
    out = build_exact_tree(
        X,
        order[0],
        order[1],
        order[2],
        np.asarray(g, dtype=np.float64),
        np.asarray(h, dtype=np.float64),
        rows.astype(np.int64),
        feats.astype(np.int64),
        p["max_depth"],
        p["max_leaves"],
        p["min_child_weight"],
        p["reg_lambda"],
        p["reg_alpha"],
        p["gamma"],
        p["learning_rate"],
    )
    return dict(zip(FIELDS, out, strict=True))


def assert_same_tree(a, b):
    for name in FIELDS:
        assert a[name].dtype == DTYPES[name], name
        assert_array_equal(a[name], b[name], err_msg=name)


def check(X, g, h, row_idx=None, feature_idx=None, **params):
    ours = kernel_tree(X, g, h, row_idx, feature_idx, **params)
    ref = naive_tree(X, g, h, row_idx, feature_idx, **{**DEFAULTS, **params})
    assert_same_tree(ours, ref)
    return ours


def data(seed, n=120, d=5, levels=6, nan=0.1, hess="random"):
    """Few distinct values per feature (many ties), some NaN, one constant column."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, levels, size=(n, d)).astype(np.float64) * 0.37 - 1.0
    X[rng.random(X.shape) < nan] = np.nan
    if d > 2:
        X[:, 2] = 1.5  # constant feature
    g = rng.normal(size=n)
    h = rng.uniform(0.05, 1.0, size=n) if hess == "random" else np.ones(n)
    return X, g, h


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("nan", [0.0, 0.15])
def test_random_ties_nan(seed, nan):
    X, g, h = data(seed, nan=nan)
    tree = check(X, g, h)
    assert (tree["feature"] >= 0).sum() > 0  # grew something


@pytest.mark.parametrize("seed", range(3))
def test_continuous_values(seed):
    rng = np.random.default_rng(100 + seed)
    X = rng.normal(size=(150, 4))
    X[rng.random(X.shape) < 0.05] = np.nan
    g = rng.normal(size=150)
    h = rng.uniform(0.1, 0.3, size=150)
    check(X, g, h, max_depth=5, min_child_weight=0.5)


@pytest.mark.parametrize(
    "params",
    [
        dict(min_child_weight=0.0, reg_lambda=0.0),
        dict(min_child_weight=5.0),
        dict(min_child_weight=40.0),
        dict(reg_alpha=2.0),
        dict(reg_alpha=1e3),  # every gradient sum soft-thresholded to 0: no split
        dict(gamma=1.0),
        dict(gamma=1e9),
        dict(reg_lambda=10.0, learning_rate=0.05),
        dict(max_depth=1),
        dict(max_depth=0),  # no depth limit
        dict(max_depth=0, max_leaves=5),
        dict(max_depth=3, max_leaves=2),
    ],
)
def test_parameters(params):
    X, g, h = data(7, n=100)
    check(X, g, h, **params)


def test_gamma_prunes_bottom_up():
    X, g, h = data(3, n=150, nan=0.0, hess="ones")
    full = check(X, g, h, max_depth=4)
    internal = full["feature"] >= 0
    gains = np.sort(full["gain"][internal])
    # a gamma between two split gains removes some splits but keeps the root
    gamma = float(gains[len(gains) // 2])
    pruned = check(X, g, h, max_depth=4, gamma=gamma)
    assert 1 < len(pruned["feature"]) < len(full["feature"])
    kept = pruned["feature"] >= 0
    is_leaf = pruned["feature"] < 0
    leaf_parents = kept & is_leaf[np.maximum(pruned["left"], 0)]
    leaf_parents &= is_leaf[np.maximum(pruned["right"], 0)]
    # a split whose children are both leaves has gain >= gamma (else it was pruned)
    assert np.all(pruned["gain"][leaf_parents] >= np.float32(gamma))
    # everything is pruned when gamma exceeds every gain
    root_only = check(X, g, h, max_depth=4, gamma=float(gains[-1]) * 2)
    assert len(root_only["feature"]) == 1


def test_gamma_equal_to_gain_is_kept():
    X, g, h = data(5, n=80, nan=0.0, hess="ones")
    full = check(X, g, h, max_depth=1)
    assert len(full["feature"]) == 3
    same = check(X, g, h, max_depth=1, gamma=float(full["gain"][0]))
    assert len(same["feature"]) == 3
    above = np.nextafter(np.float32(full["gain"][0]), np.float32(np.inf))
    assert len(check(X, g, h, max_depth=1, gamma=float(above))["feature"]) == 1


def test_min_child_weight_respected():
    X, g, h = data(11, n=200, nan=0.1)
    tree = check(X, g, h, max_depth=6, min_child_weight=8.0)
    internal = tree["feature"] >= 0
    for nid in np.flatnonzero(internal):
        assert tree["cover"][tree["left"][nid]] >= 8.0
        assert tree["cover"][tree["right"][nid]] >= 8.0


def test_subsets_of_rows_and_features():
    X, g, h = data(2, n=150, d=6)
    rng = np.random.default_rng(0)
    rows = np.sort(rng.choice(150, size=90, replace=False))
    feats = np.array([5, 0, 3])  # any order
    tree = check(X, g, h, row_idx=rows, feature_idx=feats)
    assert set(tree["feature"][tree["feature"] >= 0]) <= {0, 3, 5}
    assert tree["cover"][0] == pytest.approx(h[rows].sum(), rel=1e-12)
    # rows outside the subset are never read
    g2, h2 = g.copy(), h.copy()
    outside = np.setdiff1d(np.arange(150), rows)
    g2[outside], h2[outside] = 1e30, -5.0
    assert_same_tree(kernel_tree(X, g2, h2, rows, feats), tree)


def test_one_sample_and_empty_subset():
    X = np.array([[1.0, np.nan]])
    tree = check(X, [0.5], [0.25], min_child_weight=0.0)
    assert len(tree["feature"]) == 1
    assert tree["value"][0] == np.float32(np.float32(-0.5 / 1.25) * np.float32(0.3))
    # min_child_weight above the node's cover: the leaf weight is 0 (as XGBoost)
    assert check(X, [0.5], [0.25], min_child_weight=1.0)["value"][0] == 0.0
    X, g, h = data(0, n=10)
    empty = check(X, g, h, row_idx=np.array([], dtype=np.int64))
    assert len(empty["feature"]) == 1 and empty["cover"][0] == 0.0


def test_all_nan_and_constant_columns_never_split():
    rng = np.random.default_rng(4)
    X = np.full((60, 3), np.nan)
    X[:, 1] = 2.0
    g = rng.normal(size=60)
    tree = check(X, g, np.ones(60))
    assert len(tree["feature"]) == 1
    # a constant column with missing values splits "value vs missing" only
    X[::3, 1] = np.nan
    tree = check(X, g, np.ones(60), min_child_weight=0.0)
    # constant column: backward scan only, so values go right and missing rows left
    assert tree["feature"][0] == 1 and tree["default_left"][0] == 1
    assert tree["threshold"][0] < 2.0


def test_zero_hessians():
    X, g, h = data(9, n=100)
    h[::4] = 0.0
    check(X, g, h, min_child_weight=0.0)
    check(X, g, h, min_child_weight=1.0)


def test_duplicate_features_tie_to_lower_index():
    X, g, h = data(6, n=100, d=3, nan=0.0)
    X2 = np.hstack([X[:, [1]], X, X[:, [1]]])
    tree = check(X2, g, h, max_depth=3)
    # column 0 and 2 are the same values: column 2 never wins a tie against 0
    assert 2 not in set(tree["feature"]) and 4 not in set(tree["feature"])


def test_default_direction_rules():
    # dense column: only the backward scan runs, so the default direction is left
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    g = np.where(x > 0, 1.0, -1.0)
    X = x[:, None].copy()
    tree = check(X, g, np.ones(50), max_depth=1)
    assert tree["default_left"][0] == 1
    # a column with a missing value elsewhere: a node without missing rows keeps the
    # forward scan's candidate on ties (missing rows right)
    X_nan = np.vstack([X, [[np.nan]]])
    g_nan = np.append(g, 0.0)
    h_nan = np.append(np.ones(50), 1e-3)
    rows = np.arange(50)  # the NaN row is outside the subset
    tree = check(X_nan, g_nan, h_nan, row_idx=rows, max_depth=1)
    assert tree["default_left"][0] == 0
    # missing rows with large positive gradients join the side where they gain most
    X_m = X_nan.copy()
    X_m = np.vstack([X_m, np.full((5, 1), np.nan)])
    g_m = np.append(g_nan, np.full(5, 1.0))
    h_m = np.append(h_nan, np.ones(5))
    tree = check(X_m, g_m, h_m, max_depth=1)
    pred = predict_tree(tree, np.array([[np.nan], [10.0], [-10.0]]))
    assert pred[0] == pred[1] and pred[0] != pred[2]


def node_rows(tree, X):
    """Rows reaching each node (by walking the tree)."""
    members = {0: np.arange(X.shape[0])}
    for nid in range(len(tree["feature"])):
        f = tree["feature"][nid]
        if f < 0:
            continue
        rows = members[nid]
        v = X[rows, f]
        go_left = np.where(
            np.isnan(v), tree["default_left"][nid] == 1, v < tree["threshold"][nid]
        )
        members[tree["left"][nid]] = rows[go_left]
        members[tree["right"][nid]] = rows[~go_left]
    return members


def test_threshold_is_midpoint_of_node_values():
    rng = np.random.default_rng(8)
    X = rng.integers(0, 20, size=(80, 2)).astype(np.float64) / 4
    X[rng.random(X.shape) < 0.1] = np.nan
    g, h = rng.normal(size=80), np.ones(80)
    tree = check(X, g, h, max_depth=4)
    members = node_rows(tree, X)
    n_internal = 0
    for nid in np.flatnonzero(tree["feature"] >= 0):
        v = X[members[nid], tree["feature"][nid]]
        v = v[~np.isnan(v)]
        t = tree["threshold"][nid]
        below, above = v[v < t], v[v >= t]
        if len(below) and len(above):
            assert t == (below.max() + above.min()) / 2
            n_internal += 1
    assert n_internal > 0


def test_adjacent_float_values_separate():
    a = 1.0
    b = np.nextafter(a, 2.0)
    X = np.array([[a], [a], [b], [b]])
    tree = check(X, [1.0, 1.0, -1.0, -1.0], np.ones(4), min_child_weight=0.0)
    assert tree["feature"][0] == 0
    assert a < tree["threshold"][0] <= b
    pred = predict_tree(tree, X)
    assert pred[0] != pred[2]


def test_huge_values():
    X = np.array([[-1e300], [-1e300], [1e300], [1e300], [np.nan]])
    g = np.array([1.0, 1.0, -1.0, -1.0, 3.0])
    tree = check(X, g, np.ones(5), min_child_weight=0.0)
    assert np.all(np.isfinite(tree["threshold"]))


@pytest.fixture(params=["serial", "parallel"])
def scan_path(request, monkeypatch):
    """Run the level scan on the calling thread, or through prange even when small."""
    threshold = 10**18 if request.param == "serial" else 0
    monkeypatch.setattr(exact_module, "_PARALLEL_MIN_WORK", threshold)
    return request.param


@pytest.mark.parametrize("seed", range(2))
def test_both_scan_paths_match_naive(seed, scan_path):
    X, g, h = data(20 + seed, n=150, d=6, nan=0.1)
    check(X, g, h, max_depth=5, reg_alpha=0.3)


@pytest.mark.parametrize("seed", range(2))
def test_thread_count_does_not_matter(seed):
    """Large enough for the parallel scan (rows x features above the threshold)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(6000, 24)).round(2)
    X[rng.random(X.shape) < 0.05] = np.nan
    g, h = rng.normal(size=6000), rng.uniform(0.1, 1.0, size=6000)
    assert 6000 * 24 > exact_module._PARALLEL_MIN_WORK
    with num_threads(1):
        one = kernel_tree(X, g, h, max_depth=6)
    with num_threads(2):
        two = kernel_tree(X, g, h, max_depth=6)
    assert_same_tree(one, two)


def test_presort_columns():
    X, _, _ = data(12, n=50, d=4, nan=0.2)
    order, values, n_valid = presort_columns(X)
    assert order.dtype == np.int64 and order.flags.c_contiguous
    assert values.dtype == np.float64 and values.flags.c_contiguous
    assert order.shape == values.shape == (4, 50)
    for f in range(4):
        col = X[:, f]
        assert n_valid[f] == np.sum(~np.isnan(col))
        valid = order[f, : n_valid[f]]
        expected = sorted(np.flatnonzero(~np.isnan(col)), key=lambda r: (col[r], r))
        assert_array_equal(valid, expected)
        assert_array_equal(order[f, n_valid[f] :], np.flatnonzero(np.isnan(col)))
        assert_array_equal(values[f], col[order[f]])


def test_inputs_unchanged_and_readonly():
    X, g, h = data(13, n=60)
    X.setflags(write=False)
    g.setflags(write=False)
    h.setflags(write=False)
    copies = X.copy(), g.copy(), h.copy()
    kernel_tree(X, g, h)
    assert_array_equal(X, copies[0])
    assert_array_equal(g, copies[1])
    assert_array_equal(h, copies[2])


def test_predictions_reproduce_leaf_sums():
    """A depth-1 tree's leaves are -G/(H + lambda) * lr of its two row groups."""
    X, g, h = data(14, n=90, nan=0.0)
    tree = check(X, g, h, max_depth=1, learning_rate=1.0)
    pred = predict_tree(tree, X)
    for side in np.unique(pred):
        rows = pred == side
        w = -g[rows].sum() / (h[rows].sum() + 1.0)
        assert side == pytest.approx(w, rel=1e-6)  # float32 rounding of the leaf


def test_trees_feed_the_shared_prediction_kernel():
    """Several trees appended into the model arrays predict as the naive walk does."""
    predict = pytest.importorskip("fastml.kernels.tree.predict")
    X, g, h = data(15, n=150, nan=0.1)
    trees = [kernel_tree(X, g * (k + 1), h, max_depth=3 + k) for k in range(3)]
    arrays = {name: np.concatenate([t[name] for t in trees]) for name in FIELDS}
    tree_ptr = np.cumsum([0] + [len(t["feature"]) for t in trees]).astype(np.int64)
    out = np.zeros((X.shape[0], 1))
    predict.predict_raw(
        X,
        arrays["feature"],
        arrays["threshold"],
        arrays["default_left"],
        arrays["left"],
        arrays["right"],
        arrays["value"],
        tree_ptr,
        1,
        len(trees),
        out,
    )
    expected = sum(predict_tree(t, X) for t in trees)
    assert_array_equal(out[:, 0], expected)


def test_float32_and_fortran_inputs_give_the_same_tree():
    """presort_columns and build_exact_tree take any float array layout (converted)."""
    X, g, h = data(16, n=120, nan=0.1)
    X32 = X.astype(np.float32)
    X = X32.astype(np.float64)  # float32-representable, so both dtypes hold one data
    ref = check(X, g, h)
    for Xv in (np.asfortranarray(X), X32, np.asfortranarray(X32)):
        presorted = presort_columns(Xv)
        out = build_exact_tree(
            Xv, *presorted, g, h, np.arange(120), np.arange(5), *DEFAULTS.values()
        )
        assert_same_tree(dict(zip(FIELDS, out, strict=True)), ref)
