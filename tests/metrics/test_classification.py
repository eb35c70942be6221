"""fastml.metrics classification metrics: API, rates vs naive counts, bad input.

Tolerance: rtol=1e-12 wherever a value is compared with the naive per-sample loop
(the same ratios of sums, the sums differing by a few ulp in summation order).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from naive.metrics import naive_binary_counts, naive_confusion_counts
from numpy.testing import assert_allclose, assert_array_equal

import fastml.metrics as fm
from fastml.exceptions import UndefinedMetricWarning
from fastml.metrics._validation import fast_unique


def _pair(seed, n=300, k=4):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, k, n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, k, n))
    return y_true, y_pred


def _naive_rates(y_true, y_pred, labels, w):
    counts = np.array([naive_binary_counts(y_true, y_pred, c, w) for c in labels])
    return counts.T  # tp, fp, fn, tn arrays


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("weighted", [False, True])
def test_rates_match_naive_one_vs_rest_counts(seed, weighted):
    y_true, y_pred = _pair(seed)
    w = np.random.default_rng(seed).random(len(y_true)) if weighted else None
    labels = np.unique(y_true)
    tp, fp, fn, tn = _naive_rates(y_true, y_pred, labels, w)
    support = tp + fn
    expected = {
        "recall_score": tp / (tp + fn),
        "precision_score": tp / (tp + fp),
        "specificity_score": tn / (tn + fp),
        "false_positive_rate": fp / (fp + tn),
        "false_negative_rate": fn / (fn + tp),
        "jaccard_score": tp / (tp + fp + fn),
    }
    micro = {
        "recall_score": tp.sum() / (tp + fn).sum(),
        "precision_score": tp.sum() / (tp + fp).sum(),
        "specificity_score": tn.sum() / (tn + fp).sum(),
        "false_positive_rate": fp.sum() / (fp + tn).sum(),
        "false_negative_rate": fn.sum() / (fn + tp).sum(),
        "jaccard_score": tp.sum() / (tp + fp + fn).sum(),
    }
    for name, per_label in expected.items():
        func = getattr(fm, name)
        kw = dict(sample_weight=w)
        assert_allclose(func(y_true, y_pred, average=None, **kw), per_label, rtol=1e-12)
        assert_allclose(
            func(y_true, y_pred, average="macro", **kw), per_label.mean(), rtol=1e-12
        )
        assert_allclose(
            func(y_true, y_pred, average="weighted", **kw),
            np.average(per_label, weights=support),
            rtol=1e-12,
        )
        assert_allclose(
            func(y_true, y_pred, average="micro", **kw), micro[name], rtol=1e-12
        )


@pytest.mark.parametrize("seed", range(3))
def test_binary_rate_identities(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, 200)
    y_pred = rng.integers(0, 2, 200)
    spec = fm.specificity_score(y_true, y_pred)
    assert spec == pytest.approx(fm.recall_score(y_true, y_pred, pos_label=0), abs=0)
    assert fm.false_positive_rate(y_true, y_pred) == pytest.approx(1 - spec, rel=1e-12)
    assert fm.false_negative_rate(y_true, y_pred) == pytest.approx(
        1 - fm.recall_score(y_true, y_pred), rel=1e-12
    )
    assert fm.sensitivity_score is fm.recall_score
    assert fm.true_positive_rate is fm.recall_score
    assert fm.true_negative_rate is fm.specificity_score
    p, r, f, s = fm.precision_recall_fscore_support(y_true, y_pred, average=None)
    assert_allclose(f, 2 * p * r / (p + r), rtol=1e-12)
    assert_array_equal(s, np.bincount(y_true))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("weighted", [False, True])
def test_confusion_scores_match_naive_counts(seed, weighted):
    y_true, y_pred = _pair(seed)
    w = np.random.default_rng(seed).random(len(y_true)) if weighted else None
    labels = np.unique(y_true)
    tp, fp, fn, tn = _naive_rates(y_true, y_pred, labels, w)
    recall = tp / (tp + fn)
    balanced = fm.balanced_accuracy_score(y_true, y_pred, sample_weight=w)
    assert balanced == pytest.approx(recall.mean(), rel=1e-12)
    chance = 1 / len(labels)
    assert fm.balanced_accuracy_score(
        y_true, y_pred, sample_weight=w, adjusted=True
    ) == pytest.approx((recall.mean() - chance) / (1 - chance), rel=1e-12)
    # Balanced accuracy is accuracy with every true class given the same weight.
    class_w = 1.0 if w is None else w
    class_w = class_w / np.bincount(y_true, weights=w)[y_true]
    assert balanced == pytest.approx(
        fm.accuracy_score(y_true, y_pred, sample_weight=class_w), rel=1e-12
    )
    # MCC: the correlation of the one-hot encodings (Pearson, summed over classes).
    onehot_t = (y_true[:, None] == labels).astype(float)
    onehot_p = (y_pred[:, None] == labels).astype(float)
    ww = np.ones(len(y_true)) if w is None else w
    ct = onehot_t - np.average(onehot_t, axis=0, weights=ww)
    cp = onehot_p - np.average(onehot_p, axis=0, weights=ww)
    cov = np.sum(ww[:, None] * ct * cp)
    var_t = np.sum(ww[:, None] * ct * ct)
    var_p = np.sum(ww[:, None] * cp * cp)
    assert fm.matthews_corrcoef(y_true, y_pred, sample_weight=w) == pytest.approx(
        cov / np.sqrt(var_t * var_p), rel=1e-10
    )


def test_confusion_scores_special_cases():
    assert fm.matthews_corrcoef([0, 1, 1, 0], [0, 1, 1, 0]) == 1.0
    assert fm.matthews_corrcoef([0, 1, 1, 0], [1, 0, 0, 1]) == -1.0
    assert fm.matthews_corrcoef([0, 1, 1, 0], [1, 1, 1, 1]) == 0.0  # one predicted
    assert fm.balanced_accuracy_score([0, 0, 1, 1], [0, 0, 0, 0]) == 0.5
    assert fm.balanced_accuracy_score([0, 0, 1, 1], [0, 0, 0, 0], adjusted=True) == 0
    with pytest.warns(UserWarning, match="y_pred contains classes not in y_true"):
        assert fm.balanced_accuracy_score([0, 0, 1], [0, 2, 1]) == 0.75
    with pytest.raises(ValueError, match="multilabel-indicator is not supported"):
        fm.matthews_corrcoef([[0, 1], [1, 1]], [[0, 1], [1, 0]])
    with pytest.raises(fm.InvalidParameterError, match="'adjusted' parameter"):
        fm.balanced_accuracy_score([0, 1], [0, 1], adjusted="yes")


def test_jaccard_multilabel_samples_match_set_loops():
    rng = np.random.default_rng(7)
    y_true = rng.integers(0, 2, size=(50, 4))
    y_pred = rng.integers(0, 2, size=(50, 4))
    y_true[0] = y_pred[0] = 1  # every sample has a label: no 0/0
    y_true[:, 0] = 1
    w = rng.random(50)
    per_sample = [
        np.sum(t & p) / np.sum(t | p) for t, p in zip(y_true.astype(bool), y_pred)
    ]
    assert fm.jaccard_score(y_true, y_pred, average="samples") == pytest.approx(
        np.mean(per_sample), rel=1e-12
    )
    assert fm.jaccard_score(
        y_true, y_pred, average="samples", sample_weight=w
    ) == pytest.approx(np.average(per_sample, weights=w), rel=1e-12)
    with pytest.warns(UndefinedMetricWarning, match="Jaccard is ill-defined"):
        assert fm.jaccard_score([0, 0], [0, 0]) == 0.0
    with pytest.raises(fm.InvalidParameterError, match="'zero_division' param"):
        fm.jaccard_score([0, 1], [0, 1], zero_division=np.nan)


def test_negative_rates_zero_division():
    y_true = [1, 1, 1]  # no negative sample: specificity and FPR are 0/0
    y_pred = [1, 0, 1]
    with pytest.warns(UndefinedMetricWarning, match="Specificity is ill-defined"):
        assert fm.specificity_score(y_true, y_pred) == 0.0
    with pytest.warns(UndefinedMetricWarning, match="due to no negative samples"):
        assert fm.false_positive_rate(y_true, y_pred) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fm.specificity_score(y_true, y_pred, zero_division=1.0) == 1.0
        assert np.isnan(fm.false_positive_rate(y_true, y_pred, zero_division=np.nan))
        assert fm.false_negative_rate(y_true, y_pred) == pytest.approx(1 / 3)
    with pytest.warns(UndefinedMetricWarning, match="False negative rate is"):
        fm.false_negative_rate([0, 0], [0, 1])


def test_confusion_matrix_matches_naive_and_thread_count():
    # > 1 block of rows: the Cython kernel runs its OpenMP block loop.
    rng = np.random.default_rng(0)
    n = 300_000
    y_true = rng.integers(0, 6, n)
    y_pred = rng.integers(0, 6, n)
    w = rng.random(n)
    cm = fm.confusion_matrix(y_true, y_pred, sample_weight=w)
    flat = np.bincount(y_true * 6 + y_pred, weights=w, minlength=36).reshape(6, 6)
    assert_allclose(cm, flat, rtol=1e-12)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    with threadpoolctl.threadpool_limits(1):
        cm_one = fm.confusion_matrix(y_true, y_pred, sample_weight=w)
    assert_array_equal(cm, cm_one)  # bit-identical for any thread count
    small = naive_confusion_counts(y_true[:500], y_pred[:500], None, 6)
    assert_array_equal(fm.confusion_matrix(y_true[:500], y_pred[:500]), small)


@pytest.mark.parametrize(
    "convert",
    [
        list,
        tuple,
        lambda a: a.reshape(-1, 1),
        lambda a: a.astype(np.int32),
        lambda a: a.astype(np.float32),
        lambda a: np.array([f"c{v}" for v in a], dtype=object),
    ],
)
def test_input_containers_give_the_same_result(convert):
    y_true, y_pred = _pair(1, n=120, k=3)
    expected = fm.f1_score(y_true, y_pred, average="macro")
    assert fm.f1_score(convert(y_true), convert(y_pred), average="macro") == expected
    cm = fm.confusion_matrix(convert(y_true), convert(y_pred))
    assert_array_equal(cm, fm.confusion_matrix(y_true, y_pred))


def test_pandas_inputs():
    pd = pytest.importorskip("pandas")
    y_true, y_pred = _pair(2, n=100, k=3)
    assert fm.accuracy_score(pd.Series(y_true), pd.Series(y_pred)) == fm.accuracy_score(
        y_true, y_pred
    )
    assert_array_equal(
        fm.confusion_matrix(pd.Series(y_true), pd.Series(y_pred)),
        fm.confusion_matrix(y_true, y_pred),
    )


def test_read_only_inputs_and_caller_arrays_unchanged():
    y_true, y_pred = _pair(3, n=2000, k=5)
    w = np.random.default_rng(3).random(2000)
    copies = [a.copy() for a in (y_true, y_pred, w)]
    expected = [
        fm.confusion_matrix(y_true, y_pred, sample_weight=w),
        fm.precision_recall_fscore_support(y_true, y_pred, sample_weight=w),
        fm.specificity_score(y_true, y_pred, average="weighted", sample_weight=w),
        fm.classification_report(y_true, y_pred, sample_weight=w),
    ]
    for a in (y_true, y_pred, w):
        a.setflags(write=False)
    got = [
        fm.confusion_matrix(y_true, y_pred, sample_weight=w),
        fm.precision_recall_fscore_support(y_true, y_pred, sample_weight=w),
        fm.specificity_score(y_true, y_pred, average="weighted", sample_weight=w),
        fm.classification_report(y_true, y_pred, sample_weight=w),
    ]
    assert_array_equal(got[0], expected[0])
    for g, e in zip(got[1], expected[1]):
        assert_array_equal(g, e)
    assert got[2] == expected[2] and got[3] == expected[3]
    for a, c in zip((y_true, y_pred, w), copies):
        assert_array_equal(a, c)


def test_large_inputs_use_the_fast_label_paths():
    # >= 1024 samples: label discovery avoids np.unique; labels of every kind.
    rng = np.random.default_rng(4)
    base_true = rng.integers(0, 2, 5000)
    base_pred = rng.integers(0, 2, 5000)
    expected = fm.confusion_matrix(base_true, base_pred)
    for lab in ([-1, 1], [False, True], ["no", "yes"], [0.0, 1.0], [7, 300]):
        lab = np.array(lab)
        cm = fm.confusion_matrix(lab[base_true], lab[base_pred])
        assert_array_equal(cm, expected)
        assert fm.recall_score(
            lab[base_true], lab[base_pred], pos_label=lab[1].item()
        ) == pytest.approx(fm.recall_score(base_true, base_pred), rel=1e-15)


@pytest.mark.parametrize(
    "values",
    [
        np.array([0, 1] * 700),
        np.array([3] * 2000),
        np.array([5, 9, 5, 7] * 500, dtype=np.int8),
        np.arange(-600, 600) * 3,
        np.array([0, 2**40] * 600, dtype=np.int64),
        np.array([1, 2**63 + 5] * 600, dtype=np.uint64),
        np.array([True, False] * 600),
        np.array([True] * 1500),
        np.array([False] * 1500),
        np.array([0.0, 1.0] * 600),
        np.array([2.5] * 1200),
        np.array([0.0, 0.5, 1.0] * 600),
        np.array(["a", "b"] * 600),
        np.array([0, 1]),
    ],
)
def test_fast_unique_equals_np_unique(values):
    got = fast_unique(values)
    want = np.unique(values)
    assert got.dtype == want.dtype
    assert_array_equal(got, want)


def test_invalid_parameters_raise_invalid_parameter_error():
    y = [0, 1, 1, 0]
    with pytest.raises(fm.InvalidParameterError, match="'average' parameter of"):
        fm.precision_score(y, y, average="foo")
    with pytest.raises(ValueError, match="'zero_division' parameter"):
        fm.recall_score(y, y, zero_division=2)
    with pytest.raises(TypeError, match="'normalize' parameter of confusion_matrix"):
        fm.confusion_matrix(y, y, normalize="rows")
    with pytest.raises(
        ValueError, match=r"'beta' parameter of fbeta_score .*\[0.0, inf\]"
    ):
        fm.fbeta_score(y, y, beta=-1.0)
    with pytest.raises(ValueError, match="'digits' parameter"):
        fm.classification_report(y, y, digits=1.5)
    with pytest.raises(ValueError, match="'y_true' parameter of accuracy_score"):
        fm.accuracy_score(3, y)


@pytest.mark.parametrize(
    "y_true,y_pred,match",
    [
        ([], [], "Found empty input array"),
        ([0, 1, np.nan], [0, 1, 1], "Input y_true contains NaN"),
        ([0, 1, 1], [0, np.inf, 1], "Input y_pred contains infinity"),
        ([0, 1], [0, 1, 1], "inconsistent numbers of samples"),
        ([0.5, 1.0], [0.5, 1.0], "continuous is not supported"),
        (["a", "b"], [0, 1], "Mix of label input types"),
        ([0, 1, 2], [0, 1, 1], "Target is multiclass but average='binary'"),
    ],
)
def test_bad_targets(y_true, y_pred, match):
    with pytest.raises(ValueError, match=match):
        fm.f1_score(y_true, y_pred)


def test_confusion_matrix_labels_and_normalize():
    y_true = ["cat", "dog", "dog", "emu", "cat"]
    y_pred = ["cat", "cat", "dog", "emu", "emu"]
    cm = fm.confusion_matrix(y_true, y_pred, labels=["emu", "cat"])
    assert_array_equal(cm, [[1, 0], [1, 1]])
    norm = fm.confusion_matrix(y_true, y_pred, normalize="true")
    assert_allclose(norm.sum(axis=1), 1.0)
    with pytest.warns(UserWarning, match="A single label was found"):
        fm.confusion_matrix([1, 1], [1, 1])
    with pytest.raises(ValueError, match="At least one label specified must be in"):
        fm.confusion_matrix(y_true, y_pred, labels=["gnu"])


def test_classification_report_dict_structure():
    y_true, y_pred = _pair(5, n=100, k=3)
    report = fm.classification_report(y_true, y_pred, output_dict=True)
    assert list(report) == ["0", "1", "2", "accuracy", "macro avg", "weighted avg"]
    assert report["accuracy"] == fm.accuracy_score(y_true, y_pred)
    p, r, f, s = fm.precision_recall_fscore_support(y_true, y_pred)
    assert report["1"] == {
        "precision": p[1],
        "recall": r[1],
        "f1-score": f[1],
        "support": float(s[1]),
    }
    text = fm.classification_report(y_true, y_pred, target_names=["a", "b", "c"])
    assert text.splitlines()[2].split()[0] == "a"


def test_accuracy_multilabel():
    y_true = np.array([[1, 0, 1], [0, 1, 0], [1, 1, 1]])
    y_pred = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 1]])
    assert fm.accuracy_score(y_true, y_pred) == pytest.approx(2 / 3)
    assert fm.accuracy_score(np.asfortranarray(y_true), y_pred, normalize=False) == 2.0


def test_log_loss_values_and_clipping():
    y = [0, 1, 2, 1]
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
    expected = -np.mean(np.log(p[np.arange(4), y]))
    assert fm.log_loss(y, p) == pytest.approx(expected, rel=1e-12)
    # A zero probability on the true class is clipped to machine epsilon.
    hard = np.array([[1.0, 0.0], [1.0, 0.0]])
    eps = np.finfo(np.float64).eps
    assert fm.log_loss([0, 1], hard) == pytest.approx(-np.log(eps) / 2, rel=1e-12)
    eps32 = np.finfo(np.float32).eps
    assert fm.log_loss([0, 1], hard.astype(np.float32)) == pytest.approx(
        -np.log(np.float32(eps32)) / 2, rel=1e-6
    )
    with pytest.warns(UserWarning, match="do not sum to one"):
        fm.log_loss(y, p * 1.1 / 1.2)
    p.setflags(write=False)
    before = p.copy()
    fm.log_loss(y, p)
    assert_array_equal(p, before)


def test_brier_score_values_and_labels():
    y = np.array([0, 1, 2, 1])
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
    onehot = np.eye(3)[y]
    w = np.array([1.0, 2.0, 0.5, 3.0])
    per_row = ((onehot - p) ** 2).sum(axis=1)
    assert fm.brier_score_loss(y, p) == pytest.approx(per_row.mean(), rel=1e-12)
    assert fm.brier_score_loss(y, p, sample_weight=w) == pytest.approx(
        np.average(per_row, weights=w), rel=1e-12
    )
    assert fm.brier_score_loss(y, p, scale_by_half=True) == pytest.approx(
        per_row.mean() / 2, rel=1e-12
    )
    # Binary: the positive-class column alone gives the mean squared difference,
    # the same as both columns halved.
    yb = np.array(["no", "yes", "yes", "no"])
    pb = np.array([0.1, 0.9, 0.4, 0.3])
    expected = np.mean((pb - (yb == "yes")) ** 2)
    assert fm.brier_score_loss(yb, pb, pos_label="yes") == pytest.approx(
        expected, rel=1e-12
    )
    assert fm.brier_score_loss(yb, np.column_stack([1 - pb, pb])) == pytest.approx(
        expected, rel=1e-12
    )
    # Numeric labels outside {0, 1}: the larger one is positive by default.
    assert fm.brier_score_loss([3, 7, 7, 3], pb) == pytest.approx(
        np.mean((pb - [0, 1, 1, 0]) ** 2), rel=1e-12
    )
    with pytest.raises(ValueError, match="pos_label is not specified"):
        fm.brier_score_loss(yb, pb)
    with pytest.raises(ValueError, match="should be binary"):
        fm.brier_score_loss([0, 1, 2, 1], pb)
    with pytest.raises(ValueError, match="values less than 0"):
        fm.brier_score_loss([0, 1, 1, 0], pb - 0.2)
    with pytest.raises(fm.InvalidParameterError, match="'scale_by_half' parameter"):
        fm.brier_score_loss([0, 1, 1, 0], pb, scale_by_half="yes")


def test_concurrent_calls_from_python_threads():
    # Kernels release the GIL (Cython nogil + OpenMP, Numba nogil): concurrent calls
    # from Python threads must neither crash nor change results.
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(8)
    n = 300_000
    y_true = rng.integers(0, 4, n)
    y_pred = rng.integers(0, 4, n)
    w = rng.random(n)
    y_bin = (y_true == 1).astype(int)
    score = rng.normal(size=n) + y_bin
    expected = (
        fm.confusion_matrix(y_true, y_pred, sample_weight=w),
        fm.roc_auc_score(y_bin, score),
        fm.average_precision_score(y_bin, score),
    )

    def work(_):
        return (
            fm.confusion_matrix(y_true, y_pred, sample_weight=w),
            fm.roc_auc_score(y_bin, score),
            fm.average_precision_score(y_bin, score),
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(8)))
    for cm, auc, ap in results:
        assert_array_equal(cm, expected[0])
        assert auc == expected[1] and ap == expected[2]
