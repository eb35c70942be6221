"""fastml.metrics ranking metrics: values vs naive references, invariants, bad input.

Tolerance: rtol=atol=1e-12 against the naive pairwise AUC / per-threshold counts
(same quantities; only the summation order differs, a few ulp for n <= 2,000).
"""

from __future__ import annotations

import numpy as np
import pytest
from naive.metrics import (
    naive_auc_pairwise,
    naive_average_precision,
    naive_threshold_counts,
)
from numpy.testing import assert_allclose, assert_array_equal

import fastml.metrics as fm
from fastml.exceptions import UndefinedMetricWarning


def _case(seed, n=400, ties=False, pos_rate=0.35):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < pos_rate).astype(np.int64)
    y[:2] = [0, 1]
    s = rng.normal(size=n) + 0.9 * y
    if ties:
        s = np.round(s, 1)
    return y, s


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_scores_match_naive(seed, ties, weighted):
    y, s = _case(seed, ties=ties)
    w = np.random.default_rng(seed).random(len(y)) * 3 if weighted else None
    is_pos = y == 1
    assert_allclose(
        fm.roc_auc_score(y, s, sample_weight=w),
        naive_auc_pairwise(s, is_pos, w),
        rtol=1e-12,
        atol=1e-12,
    )
    assert_allclose(
        fm.average_precision_score(y, s, sample_weight=w),
        naive_average_precision(s, is_pos, w),
        rtol=1e-12,
        atol=1e-12,
    )
    fps, tps, thr = naive_threshold_counts(s, is_pos, w)
    fpr, tpr, thresholds = fm.roc_curve(y, s, sample_weight=w, drop_intermediate=False)
    assert_allclose(fpr[1:], fps / fps[-1], rtol=1e-12, atol=1e-12)
    assert_allclose(tpr[1:], tps / tps[-1], rtol=1e-12, atol=1e-12)
    assert_array_equal(thresholds[1:], thr)
    precision, recall, pr_thr = fm.precision_recall_curve(y, s, sample_weight=w)
    assert_array_equal(pr_thr, thr[::-1])
    assert_allclose(precision[:-1], (tps / (tps + fps))[::-1], rtol=1e-12)
    assert_allclose(recall[:-1], (tps / tps[-1])[::-1], rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_invariances(seed):
    y, s = _case(seed, ties=True)
    auc = fm.roc_auc_score(y, s)
    # Strictly increasing transforms keep the ranking; negation mirrors the AUC.
    assert fm.roc_auc_score(y, np.exp(s) * 3 + 1) == pytest.approx(auc, abs=1e-15)
    assert fm.roc_auc_score(y, -s) == pytest.approx(1 - auc, abs=1e-12)
    assert fm.roc_auc_score(1 - y, s) == pytest.approx(1 - auc, abs=1e-12)
    # Scores exactly representable in float32 give the same answer as float32.
    s32 = s.astype(np.float32)
    assert fm.roc_auc_score(y, s32) == fm.roc_auc_score(y, s32.astype(np.float64))
    assert fm.average_precision_score(y, s32) == pytest.approx(
        fm.average_precision_score(y, s32.astype(np.float64)), abs=0
    )
    # Integer weights equal repeated rows.
    w = np.random.default_rng(seed).integers(1, 4, len(y))
    rep_y, rep_s = np.repeat(y, w), np.repeat(s, w)
    assert fm.roc_auc_score(y, s, sample_weight=w) == pytest.approx(
        fm.roc_auc_score(rep_y, rep_s), rel=1e-12
    )
    assert fm.average_precision_score(y, s, sample_weight=w) == pytest.approx(
        fm.average_precision_score(rep_y, rep_s), rel=1e-12
    )


def test_roc_curve_shape_properties():
    y, s = _case(7, n=3000, ties=True)
    fpr, tpr, thr = fm.roc_curve(y, s)
    assert thr[0] == np.inf and np.all(np.diff(thr) < 0)
    assert fpr[0] == 0 and tpr[0] == 0 and fpr[-1] == 1 and tpr[-1] == 1
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert thr.dtype == np.float64
    # drop_intermediate keeps the area.
    full = fm.roc_curve(y, s, drop_intermediate=False)
    assert len(full[0]) >= len(fpr)
    assert fm.auc(full[0], full[1]) == pytest.approx(fm.auc(fpr, tpr), rel=1e-12)
    assert fm.auc(fpr, tpr) == pytest.approx(fm.roc_auc_score(y, s), rel=1e-12)


@pytest.mark.parametrize(
    "labels,pos_label", [([-1, 1], None), ([False, True], None), (["n", "p"], "p")]
)
def test_label_encodings_large(labels, pos_label):
    # >= 1024 samples exercises the O(n) label discovery.
    y, s = _case(3, n=5000)
    lab = np.array(labels)[y]
    assert fm.roc_auc_score(lab, s) == fm.roc_auc_score(y, s)
    fpr, tpr, _ = fm.roc_curve(lab, s, pos_label=pos_label)
    ref = fm.roc_curve(y, s)
    assert_array_equal(fpr, ref[0])
    assert_array_equal(tpr, ref[1])
    pos = labels[1] if pos_label is None else pos_label
    assert fm.average_precision_score(lab, s, pos_label=pos) == (
        fm.average_precision_score(y, s)
    )


def test_degenerate_inputs_warn():
    with pytest.warns(UndefinedMetricWarning, match="Only one class is present"):
        assert np.isnan(fm.roc_auc_score([1, 1, 1], [0.1, 0.2, 0.3]))
    with pytest.warns(UndefinedMetricWarning, match="No negative samples"):
        fpr, _, _ = fm.roc_curve([1, 1], [0.1, 0.2])
    assert np.all(np.isnan(fpr))
    with pytest.warns(UserWarning, match="No positive class found"):
        assert fm.average_precision_score([0, 0], [0.1, 0.2]) == 0.0
    assert fm.roc_auc_score([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert fm.roc_auc_score([0, 1], [0.1, 0.9]) == 1.0


def test_input_containers_read_only_and_unchanged():
    y, s = _case(2, n=1500)
    w = np.random.default_rng(2).random(1500)
    expected = (
        fm.roc_auc_score(y, s),
        fm.average_precision_score(y, s, sample_weight=w),
        fm.roc_curve(y, s)[1],
    )
    copies = [a.copy() for a in (y, s, w)]
    for a in (y, s, w):
        a.setflags(write=False)
    assert fm.roc_auc_score(y, s) == expected[0]
    assert fm.average_precision_score(y, s, sample_weight=w) == expected[1]
    assert_array_equal(fm.roc_curve(y, s)[1], expected[2])
    assert fm.roc_auc_score(list(y), list(s)) == expected[0]
    assert fm.roc_auc_score(y.reshape(-1, 1), s.reshape(-1, 1)) == expected[0]
    for a, c in zip((y, s, w), copies):
        assert_array_equal(a, c)
    pd = pytest.importorskip("pandas")
    assert fm.roc_auc_score(pd.Series(y), pd.Series(s)) == expected[0]


def test_multiclass_and_multilabel_api():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    p = rng.random((300, 3))
    p /= p.sum(axis=1, keepdims=True)
    ovr = fm.roc_auc_score(y, p, multi_class="ovr", average=None)
    for k in range(3):
        assert ovr[k] == pytest.approx(fm.roc_auc_score(y == k, p[:, k]), rel=1e-12)
    # One-vs-one: the mean over pairs of the two one-against-the-other AUCs.
    pairs = []
    for a, b in ((0, 1), (0, 2), (1, 2)):
        m = (y == a) | (y == b)
        pairs.append(
            (
                fm.roc_auc_score(y[m] == a, p[m, a])
                + fm.roc_auc_score(y[m] == b, p[m, b])
            )
            / 2
        )
    assert fm.roc_auc_score(y, p, multi_class="ovo") == pytest.approx(
        np.mean(pairs), rel=1e-12
    )
    assert fm.roc_auc_score(y, np.asfortranarray(p), multi_class="ovr") == (
        fm.roc_auc_score(y, p, multi_class="ovr")
    )
    y_ml = (rng.random((300, 3)) < 0.4).astype(int)
    ap = fm.average_precision_score(y_ml, p, average=None)
    for k in range(3):
        assert ap[k] == pytest.approx(
            fm.average_precision_score(y_ml[:, k], p[:, k]), rel=1e-12
        )


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(y_score=[0.1, np.nan, 0.3]), ValueError, "Input contains NaN"),
        (dict(y_score=[0.1, 0.3]), ValueError, "inconsistent numbers of samples"),
        (dict(y_true=[0, 1, 2]), ValueError, "multiclass format is not supported"),
        (dict(y_true=["a", "b", "a"]), ValueError, "pos_label is not specified"),
        (dict(sample_weight=[0, 0, 0]), ValueError, "at least one non-zero"),
        (dict(drop_intermediate=1), TypeError, "'drop_intermediate' parameter"),
        (dict(pos_label=[1]), TypeError, "'pos_label' parameter of roc_curve"),
    ],
)
def test_roc_curve_errors(kwargs, exc, match):
    args = dict(y_true=[0, 1, 1], y_score=[0.1, 0.2, 0.3])
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        fm.roc_curve(**args)


def test_roc_auc_errors():
    y, s = [0, 1, 1], [0.1, 0.2, 0.3]
    with pytest.raises(ValueError, match="'max_fpr' parameter"):
        fm.roc_auc_score(y, s, max_fpr=1.5)
    with pytest.raises(ValueError, match="multi_class must be in"):
        fm.roc_auc_score([0, 1, 2], np.eye(3))
    with pytest.raises(ValueError, match="sum up to 1.0"):
        fm.roc_auc_score([0, 1, 2], np.eye(3) * 2, multi_class="ovr")
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        fm.average_precision_score(y, s, pos_label=2)


def test_partial_auc_bounds():
    y, s = _case(5, n=2000)
    for max_fpr in (0.01, 0.1, 0.5):
        value = fm.roc_auc_score(y, s, max_fpr=max_fpr)
        assert 0.5 <= value <= 1.0
    perfect = fm.roc_auc_score([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], max_fpr=0.3)
    assert perfect == pytest.approx(1.0)
