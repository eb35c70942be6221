"""Metrics kernels against the naive loops of tests/naive/metrics.py.

Tolerances:
- integer counts (unweighted or int64 weights) and the unweighted threshold counts:
  exact equality (both sides count integers).
- weighted confusion counts: rtol=1e-12. The kernel adds a block's weights in row
  order and then the blocks in block order, the loop adds in row order: the sums
  differ by a few ulp at most.
- AUC / average precision: rtol=atol=1e-12. The unweighted AUC is an exact integer
  area divided once; the naive pairwise sum and the Kahan-summed AP differ from the
  exact values by ~n ulp for n <= 2,000.
"""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.metrics import ranking as R
from fastml.kernels.metrics._counting import (
    BLOCK_ROWS,
    MAX_PARTIAL_CELLS,
    count_confusion,
)
from naive import metrics as naive
from numpy.testing import assert_allclose, assert_array_equal

# ---------------------------------------------------------------------------------
# count_confusion (Cython)


def _indices(rng, n, n_classes, out_of_range=False):
    t = rng.integers(0, n_classes, n).astype(np.int64)
    p = rng.integers(0, n_classes, n).astype(np.int64)
    if out_of_range and n:
        t[rng.random(n) < 0.05] = -1
        p[rng.random(n) < 0.05] = n_classes + 3
    return t, p


def _weights(rng, n, kind):
    if kind == "none":
        return None
    if kind == "int":
        return rng.integers(-2, 5, n).astype(np.int64)
    return rng.random(n) * 10 - 1


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n", [0, 1, 17, 1000])
@pytest.mark.parametrize("n_classes", [1, 3, 12])
@pytest.mark.parametrize("kind", ["none", "int", "float"])
def test_count_confusion_matches_naive(seed, n, n_classes, kind):
    rng = np.random.default_rng(seed)
    t, p = _indices(rng, n, n_classes, out_of_range=seed == 2)
    w = _weights(rng, n, kind)
    got = count_confusion(t, p, w, n_classes, 1)
    want = naive.naive_confusion_counts(t, p, w, n_classes)
    assert got.dtype == want.dtype
    if kind == "float":
        assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    else:
        assert_array_equal(got, want)


@pytest.mark.parametrize("kind", ["none", "int", "float"])
def test_count_confusion_many_blocks_and_threads(kind):
    # Several blocks: the partial matrices are summed in block order, so the result
    # is bit-identical for any thread count.
    rng = np.random.default_rng(7)
    n = 3 * BLOCK_ROWS + 123
    t, p = _indices(rng, n, 5, out_of_range=True)
    w = _weights(rng, n, kind)
    one = count_confusion(t, p, w, 5, 1)
    two = count_confusion(t, p, w, 5, 2)
    four = count_confusion(t, p, w, 5, 4)
    assert_array_equal(one, two)
    assert_array_equal(one, four)
    # The naive loop over 200k rows is a few seconds; use numpy's bincount instead.
    keep = (t >= 0) & (t < 5) & (p >= 0) & (p < 5)
    flat = t[keep] * 5 + p[keep]
    want = np.bincount(flat, weights=None if w is None else w[keep], minlength=25)
    if kind == "float":
        assert_allclose(one.ravel(), want, rtol=1e-12, atol=1e-9)
    else:
        assert_array_equal(one.ravel(), want.astype(np.int64))


def test_count_confusion_many_classes_caps_partial_memory():
    # n_classes**2 > MAX_PARTIAL_CELLS: a single block (no huge partial buffers).
    n_classes = int(np.sqrt(MAX_PARTIAL_CELLS)) + 1
    rng = np.random.default_rng(0)
    t, p = _indices(rng, 2 * BLOCK_ROWS, n_classes)
    got = count_confusion(t, p, None, n_classes, 2)
    assert got.shape == (n_classes, n_classes)
    assert got.sum() == 2 * BLOCK_ROWS
    assert got[t[0], p[0]] >= 1


def test_count_confusion_read_only_inputs_and_unchanged():
    rng = np.random.default_rng(1)
    t, p = _indices(rng, 500, 4)
    w = rng.random(500)
    copies = (t.copy(), p.copy(), w.copy())
    for a in (t, p, w):
        a.setflags(write=False)
    got = count_confusion(t, p, w, 4, 2)
    assert_allclose(got, naive.naive_confusion_counts(t, p, w, 4), rtol=1e-12)
    for a, c in zip((t, p, w), copies):
        assert_array_equal(a, c)


def test_count_confusion_errors():
    t = np.zeros(3, dtype=np.int64)
    with pytest.raises(ValueError, match="different lengths"):
        count_confusion(t, t[:2], None, 2, 1)
    with pytest.raises(ValueError, match="n_threads"):
        count_confusion(t, t, None, 2, 0)
    with pytest.raises(ValueError, match="n_classes"):
        count_confusion(t, t, None, -1, 1)
    with pytest.raises(TypeError, match="float64 or int64"):
        count_confusion(t, t, np.ones(3, dtype=np.float32), 2, 1)
    with pytest.raises(ValueError, match="shape"):
        count_confusion(t, t, np.ones(2), 2, 1)
    with pytest.raises((ValueError, TypeError)):
        count_confusion(t.astype(np.int32), t, None, 2, 1)


# ---------------------------------------------------------------------------------
# ranking (Numba)


def _ranking_case(seed, n, ties, dtype, pos_rate=0.4):
    rng = np.random.default_rng(seed)
    is_pos = rng.random(n) < pos_rate
    s = rng.normal(size=n) + 0.8 * is_pos
    if ties == "heavy":
        s = np.round(s * 2) / 2
    elif ties == "some":
        s = np.round(s, 1)
    elif ties == "all":
        s = np.zeros(n)
    return s.astype(dtype), is_pos


CASES = [
    (seed, n, ties, dtype)
    for seed, n in enumerate([1, 2, 5, 40, 300, 1500])
    for ties in ("none", "heavy", "all")
    for dtype in (np.float64, np.float32)
]


def _sorted_parts(s, is_pos):
    pos, neg = R.split_scores(s, is_pos)
    return np.sort(pos), np.sort(neg)


@pytest.mark.parametrize("case", CASES)
def test_split_scores(case):
    s, is_pos = _ranking_case(*case)
    pos, neg = R.split_scores(s, is_pos)
    assert pos.dtype == s.dtype and neg.dtype == s.dtype
    assert_array_equal(pos, s[is_pos])
    assert_array_equal(neg, s[~is_pos])


@pytest.mark.parametrize("case", CASES)
def test_compute_auc_sorted(case):
    s, is_pos = _ranking_case(*case)
    pos, neg = _sorted_parts(s, is_pos)
    got = R.compute_auc_sorted(pos, neg)
    want = naive.naive_auc_pairwise(s, is_pos)
    if len(pos) == 0 or len(neg) == 0:
        assert np.isnan(got)
    else:
        assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_compute_average_precision_sorted(case):
    s, is_pos = _ranking_case(*case)
    pos, neg = _sorted_parts(s, is_pos)
    got = R.compute_average_precision_sorted(pos, neg)
    want = naive.naive_average_precision(s, is_pos)
    if len(pos) == 0:
        assert np.isnan(got)
    else:
        assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_count_thresholds_sorted(case):
    s, is_pos = _ranking_case(*case)
    fps, tps, thr = R.count_thresholds_sorted(*_sorted_parts(s, is_pos))
    want_fps, want_tps, want_thr = naive.naive_threshold_counts(s, is_pos)
    assert thr.dtype == s.dtype
    assert_array_equal(fps, want_fps)
    assert_array_equal(tps, want_tps)
    assert_array_equal(thr, want_thr)


@pytest.mark.parametrize("case", CASES)
def test_count_thresholds_weighted(case):
    s, is_pos = _ranking_case(*case)
    w = np.random.default_rng(case[0]).random(len(s)) * 2
    order = np.argsort(-s, kind="stable")
    fps, tps, thr = R.count_thresholds_weighted(
        np.ascontiguousarray(s[order]), is_pos[order], w[order]
    )
    want_fps, want_tps, want_thr = naive.naive_threshold_counts(s, is_pos, w)
    assert_allclose(fps, want_fps, rtol=1e-12, atol=1e-12)
    assert_allclose(tps, want_tps, rtol=1e-12, atol=1e-12)
    assert_array_equal(thr, want_thr)
    # Cumulative sums in row order: the last counts are the class totals.
    if len(s):
        assert_allclose(tps[-1], w[is_pos].sum(), rtol=1e-12)


def test_auc_extremes_and_large_exact():
    # Perfect, inverted and all-tied rankings.
    assert R.compute_auc_sorted(np.array([2.0, 3.0]), np.array([0.0, 1.0])) == 1.0
    assert R.compute_auc_sorted(np.array([0.0, 1.0]), np.array([2.0, 3.0])) == 0.0
    assert R.compute_auc_sorted(np.zeros(3), np.zeros(4)) == 0.5
    assert R.compute_average_precision_sorted(np.array([5.0]), np.array([1.0])) == 1.0
    # Large input: the integer area equals the rank-sum (Mann-Whitney) formula.
    rng = np.random.default_rng(3)
    s = np.round(rng.normal(size=200_000), 2)
    is_pos = rng.random(200_000) < 0.3
    pos, neg = _sorted_parts(s, is_pos)
    from scipy.stats import rankdata

    ranks = rankdata(s)
    n_pos, n_neg = is_pos.sum(), (~is_pos).sum()
    u = ranks[is_pos].sum() - n_pos * (n_pos + 1) / 2
    assert_allclose(R.compute_auc_sorted(pos, neg), u / (n_pos * n_neg), rtol=1e-13)


def test_ranking_kernels_read_only():
    s, is_pos = _ranking_case(0, 100, "some", np.float64)
    pos, neg = _sorted_parts(s, is_pos)
    for a in (s, is_pos, pos, neg):
        a.setflags(write=False)
    assert R.split_scores(s, is_pos)[0].shape == pos.shape
    assert_allclose(
        R.compute_auc_sorted(pos, neg), naive.naive_auc_pairwise(s, is_pos), rtol=1e-12
    )
    R.count_thresholds_sorted(pos, neg)
