"""Histogram building and split finding vs the naive references (tests/naive/hist.py)."""

import math

import numpy as np
import pytest
from fastml.kernels.hist.build import build_histograms, grid_scales, hist_stride
from fastml.kernels.hist.split import find_best_splits
from fastml.kernels.hist.split import leaf_weight as k_leaf_weight
from fastml.kernels.hist.split import similarity as k_similarity
from naive.hist import (
    grid_values,
    leaf_weight,
    naive_best_split,
    naive_grid_scales,
    naive_histogram,
    similarity,
)


def _data(seed, n, n_features, max_bin, dtype=np.uint8, missing_rate=0.1):
    rng = np.random.default_rng(seed)
    n_bins = rng.integers(1, max_bin + 1, size=n_features).astype(np.int32)
    bins = np.empty((n, n_features), dtype=dtype)
    for f in range(n_features):
        bins[:, f] = rng.integers(0, n_bins[f], size=n)
    bins[rng.random((n, n_features)) < missing_rate] = max_bin
    gh = np.empty((n, 2), dtype=np.float32)
    gh[:, 0] = rng.normal(size=n)
    gh[:, 1] = rng.uniform(0.05, 1.0, size=n)
    return bins, gh, n_bins


def _nodes(seed, n, n_nodes):
    """A permutation of rows cut into n_nodes consecutive (ascending) ranges."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(n)
    cuts = np.sort(rng.choice(np.arange(1, n), size=n_nodes - 1, replace=False))
    bounds = np.concatenate([[0], cuts, [n]])
    idx = np.empty(n, dtype=np.int32)
    for k in range(n_nodes):
        seg = np.sort(perm[bounds[k] : bounds[k + 1]])
        idx[bounds[k] : bounds[k + 1]] = seg
    return idx, bounds


def test_hist_stride_pads_4k_strides():
    assert hist_stride(255) == 260
    assert hist_stride(63) == 64
    assert hist_stride(1000) == 1001


def test_grid_scales_match_naive():
    bins, gh, _ = _data(0, 500, 3, 15)
    idx = np.arange(500, dtype=np.int32)
    assert grid_scales(gh, idx) == naive_grid_scales(gh, idx)
    sg, sh = grid_scales(gh, idx)
    # Powers of two with sum |grid| below 2**52.
    assert math.frexp(sg)[0] == 0.5 and math.frexp(sh)[0] == 0.5
    g, h = grid_values(gh, idx, sg, sh)
    assert np.abs(g).sum() < 2**52 and np.abs(h).sum() < 2**52
    zero = np.zeros_like(gh)
    assert grid_scales(zero, idx) == (1.0, 1.0)


@pytest.mark.parametrize(
    "dtype,max_bin", [(np.uint8, 255), (np.uint8, 16), (np.uint16, 300)]
)
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_tasks,n_threads", [(1, 1), (3, 1), (4, 2), (7, 2)])
def test_build_histograms_exact(dtype, max_bin, seed, n_tasks, n_threads):
    n, n_features, n_nodes = 700, 5, 4
    bins, gh, _ = _data(seed, n, n_features, max_bin, dtype)
    idx, bounds = _nodes(seed, n, n_nodes)
    stride = hist_stride(max_bin)
    sg, sh = grid_scales(gh, idx)
    slots = np.array([2, 0, 4, 1])
    nodes = np.stack([bounds[:-1], bounds[1:], slots], axis=1).astype(np.int64)
    pool = np.full((5, 2 * n_features * stride), np.nan)
    build_histograms(
        bins,
        gh,
        idx,
        nodes,
        np.arange(n_features, dtype=np.int32),
        True,
        stride,
        sg,
        sh,
        pool,
        n_tasks=n_tasks,
        min_work=1,
        n_threads=n_threads,
    )
    for k in range(n_nodes):
        rows = idx[bounds[k] : bounds[k + 1]]
        expected = naive_histogram(bins, gh, rows, stride, sg, sh)
        # Exact: integer-valued sums below 2**53.
        np.testing.assert_array_equal(
            pool[slots[k]].reshape(n_features, stride, 2), expected
        )
    assert np.isnan(pool[3]).all()  # untouched slot


def test_build_histograms_independent_of_tasks_and_threads():
    bins, gh, _ = _data(3, 5000, 7, 63)
    idx, bounds = _nodes(3, 5000, 9)
    stride = hist_stride(63)
    sg, sh = grid_scales(gh, idx)
    nodes = np.stack([bounds[:-1], bounds[1:], np.arange(9)], axis=1).astype(np.int64)
    feats = np.arange(7, dtype=np.int32)
    results = []
    for n_tasks, n_threads in [(1, 1), (2, 2), (5, 2), (16, 1)]:
        pool = np.zeros((9, 2 * 7 * stride))
        build_histograms(
            bins,
            gh,
            idx,
            nodes,
            feats,
            True,
            stride,
            sg,
            sh,
            pool,
            n_tasks=n_tasks,
            min_work=1,
            n_threads=n_threads,
        )
        results.append(pool)
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)


def test_build_histograms_feature_subset_and_empty_node():
    bins, gh, _ = _data(4, 300, 6, 31)
    idx = np.arange(300, dtype=np.int32)
    stride = hist_stride(31)
    sg, sh = grid_scales(gh, idx)
    feats = np.array([1, 4], dtype=np.int32)
    nodes = np.array([[0, 300, 0], [300, 300, 1]], dtype=np.int64)
    pool = np.full((2, 2 * 6 * stride), 7.0)
    build_histograms(bins, gh, idx, nodes, feats, False, stride, sg, sh, pool)
    expected = naive_histogram(bins, gh, idx, stride, sg, sh, features=[1, 4])
    np.testing.assert_array_equal(pool[0].reshape(6, stride, 2), expected)
    assert not pool[1].any()  # an empty node is all zeros


def test_build_histograms_rejects_bad_tables():
    bins, gh, _ = _data(5, 50, 2, 7)
    idx = np.arange(50, dtype=np.int32)
    pool = np.zeros((1, 2 * 2 * 8))
    feats = np.arange(2, dtype=np.int32)
    with pytest.raises(ValueError, match="out of bounds"):
        build_histograms(
            bins, gh, idx, np.array([[0, 60, 0]]), feats, True, 8, 1.0, 1.0, pool
        )
    with pytest.raises(ValueError, match="pool rows"):
        build_histograms(
            bins, gh, idx, np.array([[0, 50, 0]]), feats, True, 9, 1.0, 1.0, pool
        )


PARAMS = [
    (1.0, 0.0, 1.0, 0.0),
    (0.0, 0.0, 0.0, 0.0),
    (2.0, 0.5, 3.0, 0.0),
    (1.0, 0.3, 0.5, 0.7),
]


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_find_best_splits_matches_brute_force(params, seed):
    n, n_features, max_bin = 160, 4, 9
    bins, gh, n_bins = _data(seed, n, n_features, max_bin, missing_rate=0.15)
    idx, bounds = _nodes(seed, n, 3)
    stride = hist_stride(max_bin)
    sg, sh = grid_scales(gh, idx)
    gq = np.zeros(n)
    hq = np.zeros(n)
    gq[idx], hq[idx] = grid_values(gh, idx, sg, sh)
    nodes = np.stack([bounds[:-1], bounds[1:], np.arange(3)], axis=1).astype(np.int64)
    pool = np.zeros((3, 2 * n_features * stride))
    feats = np.arange(n_features, dtype=np.int32)
    build_histograms(bins, gh, idx, nodes, feats, True, stride, sg, sh, pool)
    node_gq = np.array([gq[idx[a:b]].sum() for a, b in zip(bounds[:-1], bounds[1:])])
    node_hq = np.array([hq[idx[a:b]].sum() for a, b in zip(bounds[:-1], bounds[1:])])
    p = np.array(params)
    for n_threads in (1, 2):
        gain, feat, sbin, dl, gl, hl = find_best_splits(
            pool,
            np.arange(3),
            node_gq,
            node_hq,
            feats,
            n_bins,
            stride,
            max_bin,
            1 / sg,
            1 / sh,
            p,
            n_threads=n_threads,
        )
        for k in range(3):
            rows = idx[bounds[k] : bounds[k + 1]]
            e_gain, e_f, e_b, e_dl, e_gl, e_hl = naive_best_split(
                bins, gq, hq, rows, n_bins, max_bin, 1 / sg, 1 / sh, params
            )
            if e_f < 0:
                assert feat[k] == -1 and gain[k] == -np.inf
                continue
            # Same sums in a different order: gains agree to rounding.
            assert gain[k] == pytest.approx(e_gain, rel=1e-12, abs=1e-12)
            assert (feat[k], sbin[k], dl[k]) == (e_f, e_b, e_dl)
            assert (gl[k], hl[k]) == (e_gl, e_hl)


def test_find_best_splits_degenerate_nodes():
    stride = hist_stride(7)
    n_features = 2
    p = np.array([1.0, 0.0, 1.0, 0.0])
    # Feature 0 constant (one bin), feature 1: all rows missing except one bin.
    bins = np.array([[0, 7], [0, 7], [0, 2], [0, 7]], dtype=np.uint8)
    gh = np.array([[1, 1], [-1, 1], [2, 1], [-2, 1]], dtype=np.float32)
    idx = np.arange(4, dtype=np.int32)
    sg, sh = grid_scales(gh, idx)
    pool = np.zeros((1, 2 * n_features * stride))
    build_histograms(
        bins,
        gh,
        idx,
        np.array([[0, 4, 0]]),
        np.arange(2, dtype=np.int32),
        True,
        stride,
        sg,
        sh,
        pool,
    )
    gq, hq = grid_values(gh, idx, sg, sh)
    n_bins = np.array([1, 3], dtype=np.int32)
    gain, feat, sbin, dl, *_ = find_best_splits(
        pool,
        np.array([0]),
        np.array([gq.sum()]),
        np.array([hq.sum()]),
        np.arange(2, dtype=np.int32),
        n_bins,
        stride,
        7,
        1 / sg,
        1 / sh,
        p,
    )
    e = naive_best_split(
        bins, np.array(gq), np.array(hq), idx, n_bins, 7, 1 / sg, 1 / sh, tuple(p)
    )
    assert (feat[0], sbin[0], dl[0]) == e[1:4]
    # The only valid split separates missing from non-missing values of feature 1.
    assert feat[0] == 1
    # min_child_weight too large for any child: no candidate.
    gain, feat, *_ = find_best_splits(
        pool,
        np.array([0]),
        np.array([gq.sum()]),
        np.array([hq.sum()]),
        np.arange(2, dtype=np.int32),
        n_bins,
        stride,
        7,
        1 / sg,
        1 / sh,
        np.array([1.0, 0.0, 3.0, 0.0]),
    )
    assert feat[0] == -1 and gain[0] == -np.inf


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("g", [-3.0, -0.2, 0.0, 0.1, 5.0])
@pytest.mark.parametrize("h", [0.0, 0.4, 2.0, 10.0])
def test_leaf_weight_and_similarity(params, g, h):
    p = np.array(params)
    assert k_leaf_weight(g, h, p) == pytest.approx(leaf_weight(g, h, params), abs=1e-15)
    assert k_similarity(g, h, p) == pytest.approx(similarity(g, h, params), abs=1e-15)
