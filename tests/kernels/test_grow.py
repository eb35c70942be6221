"""Row partition, tree growth and binned prediction vs tests/naive/hist.py."""

import numpy as np
import pytest
from fastml.kernels.gbdt.grow import (
    GrowWorkspace,
    grow_tree,
    grow_tree_scan,
    partition_rows,
    predict_tree_binned,
)
from fastml.kernels.hist.build import hist_stride
from naive.hist import naive_grow_tree


def _binned(seed, n, n_features, max_bin, missing_rate=0.1, dtype=np.uint8):
    rng = np.random.default_rng(seed)
    n_bins = rng.integers(2, max_bin + 1, size=n_features).astype(np.int32)
    bins = np.empty((n, n_features), dtype=dtype)
    for f in range(n_features):
        bins[:, f] = rng.integers(0, n_bins[f], size=n)
    bins[rng.random((n, n_features)) < missing_rate] = max_bin
    # A target depending on a few features, logistic-like gradients.
    z = (bins[:, 0].astype(float) - n_bins[0] / 2) + 0.5 * (bins[:, 1] % 3)
    y = (z + rng.normal(size=n) > 0).astype(float)
    p = 0.4
    gh = np.stack([p - y, np.full(n, p * (1 - p))], axis=1).astype(np.float32)
    gh[:, 1] *= rng.uniform(0.5, 1.5, size=n).astype(np.float32)  # weights
    cut_ptr = np.concatenate([[0], np.cumsum(n_bins - 1)]).astype(np.int64)
    cut_values = np.concatenate(
        [np.arange(1, nb, dtype=np.float64) - 0.5 for nb in n_bins]
    )
    return bins, gh, n_bins, cut_values, cut_ptr


def _grow(
    bins,
    gh,
    rows,
    n_bins,
    cut_values,
    cut_ptr,
    max_bin,
    params,
    max_depth,
    max_leaves,
    lossguide,
    n_threads=1,
    features=None,
    n_groups=1,
    group=0,
):
    n, n_features = bins.shape
    stride = hist_stride(max_bin)
    ws = GrowWorkspace(n_features, stride, n_threads, n_slots=1)
    cap = 2 * max(max_leaves, 2**max_depth if max_depth > 0 else 1) + 1
    out = dict(
        feature=np.empty(cap, np.int32),
        split_bin=np.empty(cap, np.int32),
        threshold=np.empty(cap),
        default_left=np.empty(cap, np.uint8),
        left=np.empty(cap, np.int32),
        right=np.empty(cap, np.int32),
        value=np.empty(cap),
        gain=np.empty(cap),
        cover=np.empty(cap),
    )
    raw = np.zeros((n, n_groups))
    idx = np.array(rows, dtype=np.int32)
    feats = np.arange(n_features, dtype=np.int32) if features is None else features
    n_nodes = grow_tree(
        bins,
        gh,
        idx,
        np.empty(len(idx), np.int32),
        feats,
        features is None,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        stride,
        np.array(params, dtype=np.float64),
        max_depth,
        max_leaves,
        lossguide,
        ws,
        raw,
        group,
        out["feature"],
        out["split_bin"],
        out["threshold"],
        out["default_left"],
        out["left"],
        out["right"],
        out["value"],
        out["gain"],
        out["cover"],
    )
    return {k: v[:n_nodes] for k, v in out.items()}, raw, idx


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_threads", [1, 2])
def test_partition_rows_is_a_stable_partition(seed, n_threads):
    rng = np.random.default_rng(seed)
    n = 50_000
    bins = rng.integers(0, 20, size=(n, 3)).astype(np.uint8)
    bins[rng.random((n, 3)) < 0.1] = 255
    idx = rng.permutation(n).astype(np.int32)
    splits = np.array(
        [[0, 20_000, 1, 7, 1], [20_000, 20_000, 0, 3, 0], [25_000, n, 2, 12, 0]],
        dtype=np.int64,
    )
    before = idx.copy()
    n_left = partition_rows(bins, idx, splits, 255, n_threads=n_threads)
    for k, (b, e, f, sb, dl) in enumerate(splits):
        seg = before[b:e]
        v = bins[seg, f].astype(int)
        left = np.where(v == 255, bool(dl), v <= sb)
        expected = np.concatenate([seg[left], seg[~left]])
        np.testing.assert_array_equal(idx[b:e], expected)
        assert n_left[k] == left.sum()
    np.testing.assert_array_equal(idx[20_000:25_000], before[20_000:25_000])


GROW_PARAMS = [
    # reg_lambda, reg_alpha, min_child_weight, max_delta_step, gamma, learning_rate
    (1.0, 0.0, 1.0, 0.0, 0.0, 0.3),
    (0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
    (2.0, 0.5, 5.0, 0.0, 1.0, 0.1),
    (1.0, 0.0, 1.0, 0.5, 0.0, 0.5),
]


@pytest.mark.parametrize("params", GROW_PARAMS)
@pytest.mark.parametrize(
    "max_depth,max_leaves,lossguide",
    [(3, 0, False), (4, 5, False), (0, 7, True), (3, 6, True)],
)
def test_grow_tree_matches_naive(params, max_depth, max_leaves, lossguide):
    max_bin = 15
    bins, gh, n_bins, cut_values, cut_ptr = _binned(7, 300, 4, max_bin)
    rows = np.arange(300)
    tree, raw, _ = _grow(
        bins,
        gh,
        rows,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        params,
        max_depth,
        max_leaves,
        lossguide,
    )
    expected, leaf_of_row = naive_grow_tree(
        bins, gh, rows, n_bins, max_bin, params, max_depth, max_leaves, lossguide
    )
    for key in ("feature", "split_bin", "default_left", "left", "right"):
        np.testing.assert_array_equal(tree[key], expected[key], err_msg=key)
    np.testing.assert_allclose(tree["value"], expected["value"], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(tree["cover"], expected["cover"], rtol=1e-12)
    np.testing.assert_allclose(tree["gain"], expected["gain"], rtol=1e-10, atol=1e-12)
    # Thresholds in raw units from the cut points (-inf/+inf: missing-only splits).
    for i, (f, b) in enumerate(zip(tree["feature"], tree["split_bin"])):
        if f < 0:
            continue
        if b < 0:
            assert tree["threshold"][i] == -np.inf
        elif b >= n_bins[f] - 1:
            assert tree["threshold"][i] == np.inf
        else:
            assert tree["threshold"][i] == cut_values[cut_ptr[f] + b]
    # Training predictions received the leaf values.
    np.testing.assert_allclose(raw[:, 0], [leaf_of_row[r] for r in rows], rtol=1e-12)
    if max_leaves > 0:
        assert (tree["feature"] < 0).sum() <= max_leaves
    if max_depth > 0:
        assert len(tree["feature"]) <= 2 ** (max_depth + 1) - 1


def test_grow_tree_subsample_feature_subset_and_groups():
    max_bin = 31
    bins, gh, n_bins, cut_values, cut_ptr = _binned(8, 400, 5, max_bin)
    rows = np.sort(np.random.default_rng(0).choice(400, 250, replace=False))
    feats = np.array([0, 2, 3], dtype=np.int32)
    params = (1.0, 0.0, 1.0, 0.0, 0.0, 0.3)
    tree, raw, idx = _grow(
        bins,
        gh,
        rows,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        params,
        4,
        0,
        False,
        features=feats,
        n_groups=3,
        group=2,
    )
    expected, leaf_of_row = naive_grow_tree(
        bins, gh, rows, n_bins, max_bin, params, 4, 0, False, features=[0, 2, 3]
    )
    np.testing.assert_array_equal(tree["feature"], expected["feature"])
    assert set(tree["feature"][tree["feature"] >= 0]) <= {0, 2, 3}
    np.testing.assert_array_equal(np.sort(idx), rows)  # a permutation of the rows
    assert not raw[:, :2].any()
    mask = np.zeros(400, bool)
    mask[rows] = True
    assert not raw[~mask, 2].any()
    np.testing.assert_allclose(raw[rows, 2], [leaf_of_row[r] for r in rows])


@pytest.mark.parametrize("lossguide", [False, True])
def test_grow_tree_independent_of_threads(lossguide):
    max_bin = 255
    bins, gh, n_bins, cut_values, cut_ptr = _binned(9, 120_000, 6, max_bin)
    rows = np.arange(120_000)
    params = (1.0, 0.0, 1.0, 0.0, 0.0, 0.3)
    a = _grow(
        bins,
        gh,
        rows,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        params,
        6,
        31,
        lossguide,
        n_threads=1,
    )
    b = _grow(
        bins,
        gh,
        rows,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        params,
        6,
        31,
        lossguide,
        n_threads=2,
    )
    for key in a[0]:
        np.testing.assert_array_equal(a[0][key], b[0][key], err_msg=key)
    np.testing.assert_array_equal(a[1], b[1])
    assert len(a[0]["feature"]) > 20


def test_grow_tree_no_split_possible():
    bins = np.zeros((10, 2), dtype=np.uint8)  # constant features
    gh = np.ones((10, 2), dtype=np.float32)
    n_bins = np.ones(2, dtype=np.int32)
    tree, raw, _ = _grow(
        bins,
        gh,
        np.arange(10),
        n_bins,
        np.empty(0),
        np.zeros(3, np.int64),
        255,
        (1.0, 0, 1.0, 0, 0, 0.5),
        6,
        0,
        False,
    )
    assert list(tree["feature"]) == [-1]
    assert tree["value"][0] == pytest.approx(0.5 * -10 / 11)
    np.testing.assert_allclose(raw[:, 0], 0.5 * -10 / 11)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_predict_tree_binned_matches_training_predictions(n_threads):
    max_bin = 63
    bins, gh, n_bins, cut_values, cut_ptr = _binned(10, 60_000, 4, max_bin)
    params = (1.0, 0.0, 1.0, 0.0, 0.0, 0.3)
    tree, raw, _ = _grow(
        bins,
        gh,
        np.arange(60_000),
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        params,
        5,
        0,
        False,
    )
    out = np.zeros((60_000, 2))
    rows = np.arange(60_000, dtype=np.int32)
    predict_tree_binned(
        bins,
        rows,
        tree["feature"],
        tree["split_bin"],
        tree["default_left"],
        tree["left"],
        tree["right"],
        tree["value"],
        max_bin,
        out,
        1,
        n_threads=n_threads,
    )
    np.testing.assert_array_equal(out[:, 1], raw[:, 0])
    assert not out[:, 0].any()


def _grow_scan(
    bins,
    gh,
    rows,
    n_bins,
    cut_values,
    cut_ptr,
    max_bin,
    params,
    max_depth,
    max_leaves,
    n_threads=1,
    features=None,
    n_groups=1,
    group=0,
):
    n, n_features = bins.shape
    stride = hist_stride(max_bin)
    ws = GrowWorkspace(n_features, stride, n_threads, n_slots=1)
    cap = 2 * max(max_leaves, 2**max_depth) + 1
    out = dict(
        feature=np.empty(cap, np.int32),
        split_bin=np.empty(cap, np.int32),
        threshold=np.empty(cap),
        default_left=np.empty(cap, np.uint8),
        left=np.empty(cap, np.int32),
        right=np.empty(cap, np.int32),
        value=np.empty(cap),
        gain=np.empty(cap),
        cover=np.empty(cap),
    )
    raw = np.zeros((n, n_groups))
    pos = np.full(n, -1, dtype=np.int32)
    pos[rows] = 0
    feats = np.arange(n_features, dtype=np.int32) if features is None else features
    n_nodes = grow_tree_scan(
        bins,
        gh,
        pos,
        feats,
        features is None,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        stride,
        np.array(params, dtype=np.float64),
        max_depth,
        max_leaves,
        ws,
        raw,
        group,
        out["feature"],
        out["split_bin"],
        out["threshold"],
        out["default_left"],
        out["left"],
        out["right"],
        out["value"],
        out["gain"],
        out["cover"],
    )
    return {k: v[:n_nodes] for k, v in out.items()}, raw, pos


@pytest.mark.parametrize("params", GROW_PARAMS)
@pytest.mark.parametrize("max_depth,max_leaves", [(3, 0), (5, 0), (4, 7)])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_grow_tree_scan_equals_grow_tree(params, max_depth, max_leaves, dtype):
    max_bin = 15 if dtype == np.uint8 else 300
    bins, gh, n_bins, cut_values, cut_ptr = _binned(11, 500, 4, max_bin, dtype=dtype)
    rows = np.arange(500)
    ref, raw_ref, _ = _grow(
        bins,
        gh,
        rows,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        params,
        max_depth,
        max_leaves,
        False,
    )
    for n_threads in (1, 2):
        tree, raw, _ = _grow_scan(
            bins,
            gh,
            rows,
            n_bins,
            cut_values,
            cut_ptr,
            max_bin,
            params,
            max_depth,
            max_leaves,
            n_threads,
        )
        for key in ref:
            np.testing.assert_array_equal(tree[key], ref[key], err_msg=key)
        np.testing.assert_array_equal(raw, raw_ref)


def test_grow_tree_scan_subsample_features_groups_and_threads():
    max_bin = 255
    bins, gh, n_bins, cut_values, cut_ptr = _binned(12, 80_000, 6, max_bin)
    rows = np.sort(np.random.default_rng(1).choice(80_000, 50_000, replace=False))
    feats = np.array([0, 1, 4, 5], dtype=np.int32)
    params = (1.0, 0.0, 1.0, 0.0, 0.0, 0.3)
    ref, raw_ref, _ = _grow(
        bins,
        gh,
        rows,
        n_bins,
        cut_values,
        cut_ptr,
        max_bin,
        params,
        6,
        0,
        False,
        features=feats,
        n_groups=2,
        group=1,
    )
    # The index grower only updates the sampled rows; the others follow the tree.
    left_out = np.setdiff1d(np.arange(80_000), rows).astype(np.int32)
    predict_tree_binned(
        bins,
        left_out,
        ref["feature"],
        ref["split_bin"],
        ref["default_left"],
        ref["left"],
        ref["right"],
        ref["value"],
        max_bin,
        raw_ref,
        1,
    )
    for n_threads in (1, 2):
        tree, raw, pos = _grow_scan(
            bins,
            gh,
            rows,
            n_bins,
            cut_values,
            cut_ptr,
            max_bin,
            params,
            6,
            0,
            n_threads,
            features=feats,
            n_groups=2,
            group=1,
        )
        for key in ref:
            np.testing.assert_array_equal(tree[key], ref[key], err_msg=key)
        np.testing.assert_array_equal(raw, raw_ref)
        mask = np.zeros(80_000, bool)
        mask[rows] = True
        assert (pos[mask] >= 0).all() and (pos[~mask] < 0).all()
        leaves = np.where(pos < 0, -pos - 1, pos)
        assert (tree["feature"][leaves] == -1).all()
