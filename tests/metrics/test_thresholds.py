"""fastml.metrics.select_thresholds against brute force over every threshold.

Tolerance: rtol=1e-12 (ratios of the same counts computed by loops).
"""

from __future__ import annotations

import numpy as np
import pytest
from naive.metrics import naive_pareto_mask, naive_roc_points
from numpy.testing import assert_allclose, assert_array_equal

import fastml.metrics as fm


def _case(seed, n=300, ties=True):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    y[:2] = [0, 1]
    s = rng.normal(size=n) + y
    return y, (np.round(s, 1) if ties else s)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("weighted", [False, True])
def test_matches_brute_force(seed, weighted):
    y, s = _case(seed, ties=seed % 2 == 0)
    w = np.random.default_rng(seed).random(len(y)) if weighted else None
    sel = fm.select_thresholds(y, s, sample_weight=w)
    fpr, tpr, thr = naive_roc_points(s, y == 1, w)
    keep = naive_pareto_mask(fpr, tpr)
    assert_allclose(sel.pareto_fpr, fpr[keep], rtol=1e-12, atol=1e-15)
    assert_allclose(sel.pareto_tpr, tpr[keep], rtol=1e-12, atol=1e-15)
    assert_array_equal(sel.pareto_thresholds, thr[keep])
    # Youden: best J, first (largest) threshold among ties.
    j = tpr - fpr
    assert sel.youden_j == pytest.approx(j.max(), rel=1e-12)
    assert sel.youden_threshold == thr[np.flatnonzero(np.isclose(j, j.max()))[0]]
    assert sel.youden_threshold in sel.pareto_thresholds
    # F1 at every finite threshold, from the classification metric itself.
    f1s = [
        fm.f1_score(y, (s >= t).astype(int), sample_weight=w, zero_division=0.0)
        for t in thr[1:]
    ]
    best = int(np.argmax(f1s))
    assert sel.f1 == pytest.approx(f1s[best], rel=1e-12)
    assert sel.f1_threshold == thr[1:][best]
    pred = (s >= sel.f1_threshold).astype(int)
    assert sel.f1_precision == pytest.approx(
        fm.precision_score(y, pred, sample_weight=w), rel=1e-12
    )
    assert sel.f1_recall == pytest.approx(
        fm.recall_score(y, pred, sample_weight=w), rel=1e-12
    )


def test_result_object_and_labels():
    y, s = _case(9)
    sel = fm.select_thresholds(np.array(["neg", "pos"])[y], s, pos_label="pos")
    ref = fm.select_thresholds(y, s)
    d = sel.to_dict()
    assert set(d) == {
        "pareto_fpr",
        "pareto_tpr",
        "pareto_thresholds",
        "youden_threshold",
        "youden_j",
        "youden_fpr",
        "youden_tpr",
        "f1_threshold",
        "f1",
        "f1_precision",
        "f1_recall",
    }
    assert_array_equal(d["pareto_thresholds"], ref.pareto_thresholds)
    assert sel.f1 == ref.f1
    assert np.all(np.diff(sel.pareto_fpr) > 0) and np.all(np.diff(sel.pareto_tpr) > 0)
    with pytest.raises(AttributeError):
        sel.f1 = 0.0  # frozen


def test_separable_and_errors():
    sel = fm.select_thresholds([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert_array_equal(sel.pareto_thresholds, [0.8])
    assert sel.youden_j == 1.0 and sel.f1 == 1.0
    with pytest.raises(ValueError, match="needs both classes"):
        fm.select_thresholds([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="Negative values"):
        fm.select_thresholds([0, 1, 1], [0.1, 0.2, 0.3], sample_weight=[1, -1, 1])
    with pytest.raises(ValueError, match="Input contains NaN"):
        fm.select_thresholds([0, 1, 1], [0.1, np.nan, 0.3])
    y, s = _case(1)
    y.setflags(write=False)
    s.setflags(write=False)
    fm.select_thresholds(y, s)
