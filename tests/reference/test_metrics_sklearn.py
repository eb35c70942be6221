"""fastml.metrics against sklearn.metrics: values, warnings and errors.

Every case runs both libraries on the same input and compares the outcome:

- values to ``rtol = atol = 1e-12``: both compute the same closed-form quantities
  from the same counts; the only differences are floating-point summation orders
  (blocked partial sums, Kahan or exact integer areas on the fastml side), which
  for the sizes used here (<= 5,000 samples) are a few ulps, far below 1e-12;
- float32 inputs to the regression metrics and log loss are computed in float32 by
  both (scikit-learn 1.9's rule), with identical numpy reductions, hence also
  compared at 1e-12 relative... of float32 results: a 1e-6 relative tolerance is
  used there since numpy may pick different SIMD paths for the two call sites;
- warnings: the same set of (category name, message);
- errors: the same exception family and the same message (options printed in
  braces are compared as sets, since scikit-learn prints a Python set).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest

sklearn_metrics = pytest.importorskip("sklearn.metrics")

import fastml.metrics as fm  # noqa: E402

RTOL = 1e-12
ATOL = 1e-12


def _norm_message(msg: str) -> str:
    def sort_braces(match: re.Match[str]) -> str:
        items = sorted(s.strip() for s in match.group(1).split(","))
        return "{" + ", ".join(items) + "}"

    return re.sub(r"\{([^{}]*)\}", sort_braces, str(msg))


def _run(func: Any, args: tuple, kwargs: dict) -> tuple[str, Any, set]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = func(*args, **kwargs)
        except Exception as exc:  # compared below
            return "error", exc, set()
    seen = {(w.category.__name__, _norm_message(str(w.message))) for w in caught}
    # Numpy's own runtime warnings are implementation details of each side.
    seen = {s for s in seen if s[0] != "RuntimeWarning"}
    return "value", value, seen


def _assert_same_value(got: Any, want: Any, rtol: float, path: str = "") -> None:
    if isinstance(want, dict):
        assert isinstance(got, dict), path
        assert list(got) == list(want), path
        for key in want:
            _assert_same_value(got[key], want[key], rtol, f"{path}[{key!r}]")
        return
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_same_value(g, w, rtol, f"{path}[{i}]")
        return
    if want is None:
        assert got is None, path
        return
    if isinstance(want, str):
        assert got == want, f"{path}\n{got}\n!=\n{want}"
        return
    want_arr = np.asarray(want)
    got_arr = np.asarray(got)
    assert got_arr.shape == want_arr.shape, (path, got_arr.shape, want_arr.shape)
    if want_arr.dtype.kind in "biuf":
        np.testing.assert_allclose(
            got_arr.astype(np.float64),
            want_arr.astype(np.float64),
            rtol=rtol,
            atol=ATOL if rtol == RTOL else rtol,
            equal_nan=True,
            err_msg=path,
        )
    else:
        assert np.array_equal(got_arr, want_arr), path


def compare(
    name: str, *args: Any, rtol: float = RTOL, sk_name: str | None = None, **kwargs: Any
) -> Any:
    """Run fastml.metrics.<name> and sklearn.metrics.<sk_name or name>; compare."""
    fast = getattr(fm, name)
    ref = getattr(sklearn_metrics, sk_name or name)
    kind_ref, val_ref, warn_ref = _run(ref, args, kwargs)
    kind_fast, val_fast, warn_fast = _run(fast, args, kwargs)
    if kind_ref == "error":
        assert kind_fast == "error", (
            f"{name}: sklearn raised {val_ref!r}, fastml returned {val_fast!r}"
        )
        families = (NotImplementedError, ValueError, TypeError)
        for family in families:
            if isinstance(val_ref, family):
                assert isinstance(val_fast, family), (val_fast, val_ref)
                break
        assert _norm_message(str(val_fast)) == _norm_message(str(val_ref)), (
            f"{name}:\n fastml: {val_fast}\nsklearn: {val_ref}"
        )
        return None
    assert kind_fast == "value", f"{name}: fastml raised {val_fast!r}"
    _assert_same_value(val_fast, val_ref, rtol, name)
    assert warn_fast == warn_ref, f"{name}:\n fastml: {warn_fast}\nsklearn: {warn_ref}"
    return val_ref


# ---------------------------------------------------------------------------------
# case generators


def _labels(rng: np.random.Generator, n: int, n_classes: int, kind: str) -> np.ndarray:
    y = rng.integers(0, n_classes, size=n)
    if kind == "str":
        return np.array(["cat", "dog", "emu", "fox", "gnu", "hen"])[y]
    if kind == "float":
        return y.astype(np.float64) * 2 - 1  # integral floats: still classes
    if kind == "neg":
        return y - 1
    return y


CLASS_CASES = [
    (seed, n, k, kind)
    for seed, (n, k, kind) in enumerate(
        [
            (30, 2, "int"),
            (200, 2, "neg"),
            (500, 3, "int"),
            (1000, 5, "str"),
            (50, 4, "float"),
            (7, 6, "int"),
            (2000, 2, "str"),
            (300, 10, "int"),
        ]
    )
]


def _pair(seed: int, n: int, k: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y_true = _labels(rng, n, k, kind)
    # Predictions right 60% of the time, so every count is non-trivial.
    y_pred = np.where(rng.random(n) < 0.6, y_true, _labels(rng, n, k, kind))
    return y_true, y_pred


def _weights(seed: int, n: int, kind: str) -> Any:
    rng = np.random.default_rng(seed + 1000)
    if kind == "none":
        return None
    if kind == "int":
        return rng.integers(0, 4, size=n)
    if kind == "zeros_some":
        w = rng.random(n)
        w[: n // 3] = 0
        return w
    return rng.random(n) * 3


# ---------------------------------------------------------------------------------
# confusion counts


@pytest.mark.parametrize("case", CLASS_CASES)
@pytest.mark.parametrize("weights", ["none", "int", "float"])
@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix(case, weights, normalize):
    y_true, y_pred = _pair(*case)
    sw = _weights(case[0], y_true.shape[0], weights)
    cm = compare(
        "confusion_matrix", y_true, y_pred, sample_weight=sw, normalize=normalize
    )
    got = fm.confusion_matrix(y_true, y_pred, sample_weight=sw, normalize=normalize)
    assert got.dtype == np.asarray(cm).dtype


@pytest.mark.parametrize("case", CLASS_CASES[:5])
def test_confusion_matrix_labels(case):
    y_true, y_pred = _pair(*case)
    present = np.unique(np.concatenate([y_true, y_pred]))
    rng = np.random.default_rng(case[0])
    perm = present[rng.permutation(present.shape[0])]
    compare("confusion_matrix", y_true, y_pred, labels=perm)
    compare("confusion_matrix", y_true, y_pred, labels=perm[:2])
    compare("confusion_matrix", y_true, y_pred, labels=perm[:1])
    compare("confusion_matrix", y_true, y_pred, labels=np.concatenate([perm, perm[:1]]))


def test_confusion_matrix_degenerate():
    compare("confusion_matrix", [1, 1, 1], [1, 1, 1])
    compare("confusion_matrix", [1, 1, 1], [1, 1, 1], labels=[0, 1])
    compare("confusion_matrix", [], [])
    compare("confusion_matrix", [0, 1], [0, 1], labels=[])
    compare("confusion_matrix", [0, 1], [0, 1], labels=[5, 6])
    compare("confusion_matrix", [0, 1, 1], [0, 1, 0], sample_weight=[0, 0, 0])
    compare("confusion_matrix", [0, 1, 1], [0, 1, 0], sample_weight=[1.0, np.nan, 0])
    compare("confusion_matrix", [0, 1, 1], [0, 1, 0], sample_weight=[[1, 2, 3]])
    compare("confusion_matrix", [0, 1, 1], [0, 1, 0], sample_weight=[1, 2])
    compare("confusion_matrix", [0, 1, 1], [0, 1, 0], sample_weight=[1, -2, 3])
    compare(
        "confusion_matrix",
        [0, 1, 1],
        [0, 1, 0],
        sample_weight=np.array([True, False, True]),
    )
    compare("confusion_matrix", [0, 1], [0.5, 1])
    compare("confusion_matrix", [0.5, 1.5], [0.5, 1.5])
    compare("confusion_matrix", ["a", "b"], [0, 1])
    compare("confusion_matrix", [[0, 1], [1, 1]], [[0, 1], [1, 1]])
    compare("confusion_matrix", [0, 1, np.nan], [0, 1, 1])
    compare("confusion_matrix", [0, 1, np.inf], [0, 1, 1])
    compare("confusion_matrix", [0, 1, 2], [0, 1])
    compare("confusion_matrix", [0, 1], [0, 1], normalize="rows")
    compare("confusion_matrix", [0, 1], 1)
    compare("confusion_matrix", "ab", "ab")
    compare("confusion_matrix", [0, 1], [0, 1], labels=3)
    compare("confusion_matrix", [True, False, True], [True, True, False])
    compare("confusion_matrix", np.array([[0], [1], [1]]), [0, 1, 0])


# ---------------------------------------------------------------------------------
# precision / recall / F family


PRF = ["precision_score", "recall_score", "f1_score", "jaccard_score"]


@pytest.mark.parametrize("case", CLASS_CASES)
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("weights", ["none", "int", "float"])
def test_prf_multiclass_averages(case, average, weights):
    y_true, y_pred = _pair(*case)
    sw = _weights(case[0], y_true.shape[0], weights)
    for name in PRF:
        compare(name, y_true, y_pred, average=average, sample_weight=sw)
    compare("fbeta_score", y_true, y_pred, beta=0.5, average=average, sample_weight=sw)
    compare(
        "precision_recall_fscore_support",
        y_true,
        y_pred,
        beta=2.0,
        average=average,
        sample_weight=sw,
    )


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("pos_label", [1, 0])
def test_prf_binary(seed, pos_label):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 400))
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    sw = rng.random(n) if seed % 2 else None
    for name in PRF:
        compare(name, y_true, y_pred, pos_label=pos_label, sample_weight=sw)
    for beta in (0.0, 0.5, 1.0, 3.0, np.inf):
        compare("fbeta_score", y_true, y_pred, beta=beta, pos_label=pos_label)
    compare(
        "precision_recall_fscore_support",
        y_true,
        y_pred,
        average="binary",
        pos_label=pos_label,
    )


@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
@pytest.mark.parametrize("average", ["binary", None, "micro", "macro", "weighted"])
def test_prf_zero_division(zero_division, average):
    cases = [
        ([0, 0, 0, 0], [0, 0, 0, 0]),  # no positive at all
        ([0, 1, 0, 1], [0, 0, 0, 0]),  # nothing predicted positive
        ([0, 0, 0, 0], [0, 1, 0, 1]),  # no true positive sample
        ([1, 1, 1], [1, 1, 1]),  # one class, all right
    ]
    for y_true, y_pred in cases:
        for name in PRF:
            compare(name, y_true, y_pred, average=average, zero_division=zero_division)
        compare(
            "precision_recall_fscore_support",
            y_true,
            y_pred,
            average=average,
            zero_division=zero_division,
        )


@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
def test_prf_labels_subset_and_absent(zero_division):
    y_true, y_pred = _pair(3, 200, 5, "int")
    for labels in ([0, 2], [4, 1, 3], [0, 7], [8, 9], [2, 2, 1]):
        for average in (None, "micro", "macro", "weighted"):
            for name in PRF:
                compare(
                    name,
                    y_true,
                    y_pred,
                    labels=labels,
                    average=average,
                    zero_division=zero_division,
                )


def test_prf_errors_and_warnings():
    y3 = [0, 1, 2, 1]
    compare("precision_score", y3, y3)  # multiclass with average='binary'
    compare("precision_score", ["a", "b"], ["a", "b"])  # pos_label=1 invalid
    compare("precision_score", ["a", "b"], ["a", "b"], pos_label="b")
    compare("precision_score", ["a", "a"], ["a", "a"])  # one label: allowed
    compare("precision_score", y3, y3, average="macro", pos_label=2)  # ignored: warns
    compare("precision_score", y3, y3, average="foo")
    compare("precision_score", y3, y3, zero_division="foo")
    compare("precision_score", y3, y3, zero_division=0.5)
    compare("precision_score", y3, y3, pos_label=[1])
    compare("precision_score", y3, y3, sample_weight=3)
    compare("fbeta_score", [0, 1], [0, 1], beta=-1)
    compare("f1_score", [0, 1, 1], [0.5, 1, 1])
    compare("recall_score", [], [])
    compare("f1_score", [0, 1], [0, 1, 1])
    compare("recall_score", np.array([[0, 1], [1, 1]]), np.array([[0, 1], [1, 0]]))
    compare("precision_score", [0, 1, 1], [0, 1, 0], sample_weight=[0, 0, 0])


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted", "samples"])
@pytest.mark.parametrize("weighted", [False, True])
def test_prf_multilabel(average, weighted):
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 2, size=(60, 4))
    y_pred = rng.integers(0, 2, size=(60, 4))
    y_true[:, 3] = 0  # a label never present
    sw = rng.random(60) if weighted else None
    for name in PRF:
        compare(name, y_true, y_pred, average=average, sample_weight=sw)
    compare(
        "precision_recall_fscore_support",
        y_true,
        y_pred,
        average=average,
        sample_weight=sw,
        labels=[2, 0],
    )


# ---------------------------------------------------------------------------------
# accuracy, report, log loss


@pytest.mark.parametrize("case", CLASS_CASES)
@pytest.mark.parametrize("weights", ["none", "int", "float"])
@pytest.mark.parametrize("normalize", [True, False])
def test_accuracy(case, weights, normalize):
    y_true, y_pred = _pair(*case)
    sw = _weights(case[0], y_true.shape[0], weights)
    compare("accuracy_score", y_true, y_pred, normalize=normalize, sample_weight=sw)


@pytest.mark.parametrize("case", CLASS_CASES)
@pytest.mark.parametrize("weights", ["none", "int", "float"])
def test_confusion_scores(case, weights):
    y_true, y_pred = _pair(*case)
    sw = _weights(case[0], y_true.shape[0], weights)
    for adjusted in (False, True):
        compare(
            "balanced_accuracy_score",
            y_true,
            y_pred,
            sample_weight=sw,
            adjusted=adjusted,
        )
    compare("matthews_corrcoef", y_true, y_pred, sample_weight=sw)


def test_confusion_scores_degenerate():
    for name in ("balanced_accuracy_score", "matthews_corrcoef"):
        compare(name, [1, 1, 1], [1, 1, 1])
        compare(name, [0, 1, 1], [0, 0, 0])
        compare(name, [0, 1, 1], [0, 1, 2])
        compare(name, [0, 1, 1], [2, 2, 2])
        compare(name, [], [])
        compare(name, [[0, 1], [1, 1]], [[0, 1], [1, 0]])
        compare(name, ["a", "b"], [0, 1])
        compare(name, [0, 1, 1], [0, 1, 0], sample_weight=[0, 0, 0])
        compare(name, [0, 1, 1], [0, 1, 0], sample_weight=[1, 0, 0])
        compare(name, [0, 1, 1], [0, 1, 0], sample_weight="x")
        compare(name, [0, 1, 1], [0, 1, np.nan])
    compare("balanced_accuracy_score", [0, 1], [0, 1], adjusted="x")
    compare("balanced_accuracy_score", [0, 0, 0], [0, 0, 1], adjusted=True)


def test_accuracy_multilabel_and_errors():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=(40, 3))
    y_pred = rng.integers(0, 2, size=(40, 3))
    y_pred[:20] = y_true[:20]
    compare("accuracy_score", y_true, y_pred)
    compare(
        "accuracy_score", y_true, y_pred, normalize=False, sample_weight=rng.random(40)
    )
    compare("accuracy_score", [], [])
    compare("accuracy_score", [0, 1], [0, 1], normalize="foo")
    compare("accuracy_score", [0, 1], [0, 2, 1])


@pytest.mark.parametrize("case", CLASS_CASES)
@pytest.mark.parametrize("output_dict", [False, True])
def test_classification_report(case, output_dict):
    y_true, y_pred = _pair(*case)
    sw = _weights(case[0], y_true.shape[0], "float") if case[0] % 2 else None
    compare(
        "classification_report",
        y_true,
        y_pred,
        sample_weight=sw,
        output_dict=output_dict,
    )
    compare(
        "classification_report",
        y_true,
        y_pred,
        digits=4,
        output_dict=output_dict,
        zero_division=0.0,
    )


def test_classification_report_options():
    y_true, y_pred = _pair(2, 300, 3, "int")
    names = ["alpha", "beta", "gamma"]
    compare("classification_report", y_true, y_pred, target_names=names)
    compare("classification_report", y_true, y_pred, labels=[2, 0], output_dict=True)
    compare("classification_report", y_true, y_pred, labels=[2, 0, 1, 5])
    compare("classification_report", y_true, y_pred, labels=[2, 0], target_names=names)
    compare("classification_report", y_true, y_pred, target_names=names[:2])
    compare("classification_report", y_true, y_pred, digits=-1)
    compare("classification_report", [0, 0, 0], [0, 0, 0])
    rng = np.random.default_rng(1)
    ml_true = rng.integers(0, 2, size=(30, 3))
    ml_pred = rng.integers(0, 2, size=(30, 3))
    compare("classification_report", ml_true, ml_pred)
    compare("classification_report", ml_true, ml_pred, output_dict=True)


def _proba(rng: np.random.Generator, n: int, k: int, dtype: Any) -> np.ndarray:
    p = rng.random((n, k)) ** 3
    p /= p.sum(axis=1, keepdims=True)
    p[0, 0] = 0.0  # exercises the clipping
    return p.astype(dtype)


def _proba_case(seed: int, k: int, dtype: Any) -> tuple[Any, ...]:
    """(rng, labels with every class present, probabilities, tolerance)."""
    rng = np.random.default_rng(seed)
    n = 300
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    p = _proba(rng, n, k, dtype)
    # float32: same float32 arithmetic on both sides, up to numpy's SIMD choices.
    rtol = RTOL if dtype == np.float64 else 1e-6
    return rng, y, p, rtol


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("k", [2, 3, 6])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_log_loss(seed, k, dtype):
    rng, y, p, rtol = _proba_case(seed, k, dtype)
    compare("log_loss", y, p, rtol=rtol)
    compare("log_loss", y, p, sample_weight=rng.random(len(y)), rtol=rtol)
    compare("log_loss", y, p, normalize=False, rtol=rtol)
    if k == 2:
        compare("log_loss", y, p[:, 1], rtol=rtol)
    compare("log_loss", y, p * 1.01 if dtype == np.float64 else p * 0.9, rtol=rtol)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("k", [2, 3, 6])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_brier_score(seed, k, dtype):
    rng, y, p, rtol = _proba_case(seed, k, dtype)
    compare("brier_score_loss", y, p, rtol=rtol)
    compare("brier_score_loss", y, p, sample_weight=rng.random(len(y)), rtol=rtol)
    compare("brier_score_loss", y, p, scale_by_half=k == 2, rtol=rtol)
    if k == 2:
        compare("brier_score_loss", y, p[:, 1], rtol=rtol)
        compare("brier_score_loss", y, p[:, 1], pos_label=0, rtol=rtol)
        compare("brier_score_loss", np.array([-3, 5])[y], p[:, 1:], rtol=rtol)
    else:
        compare("brier_score_loss", y, p, labels=np.arange(k), rtol=rtol)


def test_brier_score_cases():
    p = [0.2, 0.7, 0.9]
    compare("brier_score_loss", [0, 1, 1], p)
    compare("brier_score_loss", ["a", "b", "b"], p)
    compare("brier_score_loss", ["a", "b", "b"], p, pos_label="a")
    compare("brier_score_loss", [0, 1, 2], p)
    compare("brier_score_loss", [0, 1, 1], [0.2, 1.3, 0.9])
    compare("brier_score_loss", [0, 1, 1], [0.2, -0.3, 0.9])
    compare("brier_score_loss", [0, 1, 1], [0.2, np.nan, 0.9])
    compare("brier_score_loss", [0, 1, np.nan], p)
    compare("brier_score_loss", [0, 1], p)
    compare("brier_score_loss", [0, 1, 1], p, sample_weight=[1, 2])
    compare("brier_score_loss", [0, 1, 1], p, scale_by_half="x")
    compare("brier_score_loss", [0, 1, 1], p, pos_label=[1])
    compare("brier_score_loss", [1, 1, 1], p)
    three = [[0.2, 0.8], [0.2, 0.8], [0.2, 0.8]]
    compare("brier_score_loss", [0, 1, 2], three)
    compare("brier_score_loss", [0, 0, 0], three, labels=[0])
    compare("brier_score_loss", [0, 1, 3], three, labels=[0, 1])
    compare("brier_score_loss", [0, 1, 2], [[0.2, 0.7, 0.2]] * 3)
    compare("brier_score_loss", [[0, 1], [1, 0]], [[0.2, 0.8], [0.6, 0.4]])


def test_log_loss_cases():
    compare("log_loss", [0.5, 1.5], [0.2, 0.3])
    compare("log_loss", [0, 1], [0.2, 0.3])
    compare("log_loss", [0, 0], [0.2, 0.3])
    compare("log_loss", [0, 0], [0.2, 0.3], labels=[0])
    compare("log_loss", [0, 0], [0.2, 0.3], labels=[0, 1])
    compare("log_loss", ["a", "b"], [0.2, 0.3], labels=["b", "a"])
    compare("log_loss", [0, 1], [0.2, 1.3])
    compare("log_loss", [0, 1], [0.2, -0.3])
    compare("log_loss", [0, 1], [0.2, np.nan])
    three = [[0.2, 0.8], [0.2, 0.8], [0.2, 0.8]]
    compare("log_loss", [0, 1, 2], three)
    compare("log_loss", [0, 1, 2], three, labels=[0, 1, 2])
    compare("log_loss", [0, 1, 3], three, labels=[0, 1])
    compare("log_loss", [[0, 1], [1, 0]], [[0.2, 0.8], [0.6, 0.4]])
    compare("log_loss", [0, 1], [0.2, 0.3], normalize=2)
    compare("log_loss", [0, 1], y_pred=[0.2, 0.3])
    compare("log_loss", [0, 1, 1], [0.2, 0.3], sample_weight=[1, 2, 3])
    compare("log_loss", ["no", "yes", "yes"], [[0.9, 0.1], [0.2, 0.8], [0.4, 0.6]])


# ---------------------------------------------------------------------------------
# ranking


def _scores(rng: np.random.Generator, n: int, ties: str, dtype: Any) -> np.ndarray:
    s = rng.normal(size=n)
    if ties == "heavy":
        s = np.round(s * 2) / 2
    elif ties == "some":
        s = np.round(s, 2)
    elif ties == "int":
        return rng.integers(-3, 4, n)
    return s.astype(dtype)


RANK_CASES = [
    (seed, n, ties, dtype)
    for seed, (n, ties, dtype) in enumerate(
        [
            (2, "none", np.float64),
            (10, "heavy", np.float64),
            (100, "none", np.float64),
            (500, "some", np.float64),
            (1000, "heavy", np.float32),
            (3000, "none", np.float32),
            (700, "int", np.float64),
            (5000, "some", np.float64),
        ]
    )
]


def _binary_case(seed, n, ties, dtype):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(np.int64)
    y[0], y[-1] = 0, 1
    s = _scores(rng, n, ties, dtype)
    if ties != "int":
        s = s + y * 0.7
        s = s.astype(dtype)
    return y, s


@pytest.mark.parametrize("case", RANK_CASES)
@pytest.mark.parametrize("weights", ["none", "float", "zeros_some"])
def test_roc_and_pr(case, weights):
    y, s = _binary_case(*case)
    sw = _weights(case[0], y.shape[0], weights)
    compare("roc_auc_score", y, s, sample_weight=sw)
    compare("average_precision_score", y, s, sample_weight=sw)
    for drop in (True, False):
        compare("roc_curve", y, s, sample_weight=sw, drop_intermediate=drop)
        compare(
            "precision_recall_curve", y, s, sample_weight=sw, drop_intermediate=drop
        )
    fast_thr = fm.precision_recall_curve(y, s, sample_weight=sw)[2]
    ref_thr = sklearn_metrics.precision_recall_curve(y, s, sample_weight=sw)[2]
    assert fast_thr.dtype == ref_thr.dtype


@pytest.mark.parametrize("case", RANK_CASES)
def test_roc_pos_label_and_labels(case):
    y, s = _binary_case(*case)
    for labels in (["neg", "pos"], [-1, 1], [3, 7]):
        y_lab = np.array(labels)[y]
        compare("roc_auc_score", y_lab, s)
        compare("average_precision_score", y_lab, s, pos_label=labels[0])
        compare("average_precision_score", y_lab, s, pos_label=labels[1])
        compare("roc_curve", y_lab, s, pos_label=labels[0])
        compare("roc_curve", y_lab, s)
        compare("precision_recall_curve", y_lab, s, pos_label=labels[1])


@pytest.mark.parametrize("max_fpr", [0.05, 0.3, 0.5, 1.0])
@pytest.mark.parametrize("case", RANK_CASES[1:6])
def test_roc_auc_max_fpr(case, max_fpr):
    y, s = _binary_case(*case)
    compare("roc_auc_score", y, s, max_fpr=max_fpr)
    compare(
        "roc_auc_score",
        y,
        s,
        max_fpr=max_fpr,
        sample_weight=_weights(1, len(y), "float"),
    )


def test_ranking_degenerate():
    s = [0.1, 0.5, 0.3]
    compare("roc_auc_score", [1, 1, 1], s)
    compare("roc_auc_score", [0, 0, 0], s)
    compare("roc_curve", [1, 1, 1], s)
    compare("roc_curve", [0, 0, 0], s)
    compare("precision_recall_curve", [0, 0, 0], s)
    compare("average_precision_score", [0, 0, 0], s)
    compare("average_precision_score", [1, 1, 1], s)
    compare("average_precision_score", ["a", "a", "a"], s)
    compare("roc_auc_score", [0, 1, 1], [0.5, 0.5, 0.5])
    compare("average_precision_score", [0, 1, 1], [0.5, 0.5, 0.5])
    compare("roc_curve", [0, 1], [0.2, 0.3])
    compare("roc_auc_score", [0, 1, 1], s, sample_weight=[1, 0, 0])  # class dropped
    compare("roc_auc_score", [0, 1, 1], s, sample_weight=[0, 0, 0])
    compare("roc_auc_score", [0, 1, 1], s, sample_weight=[1, -1, 2])
    compare("roc_auc_score", [0, 1, 1], [0.1, np.nan, 0.2])
    compare("roc_auc_score", [0, 1, 1], [0.1, np.inf, 0.2])
    compare("roc_curve", [0, 1, 1], [0.1, np.nan, 0.2])
    compare("roc_auc_score", [0, 1, 1], [0.1, 0.2])
    compare("roc_curve", ["a", "b", "b"], s)
    compare("roc_curve", [0, 1, 2], s)
    compare("roc_curve", [0, 1, 2], s, pos_label=2)
    compare("roc_curve", [0.5, 1.5, 2.5], s)
    compare("roc_curve", [0, 1, 1], s, drop_intermediate="x")
    compare("average_precision_score", ["a", "b", "b"], s)
    compare("average_precision_score", [0, 1, 1], s, pos_label=[1])
    compare("roc_auc_score", [0, 1, 1], s, average="binary")
    compare("roc_auc_score", [0, 1, 1], s, max_fpr=0)
    compare("roc_auc_score", [0, 1, 1], s, multi_class="foo")
    compare("roc_auc_score", [0, 1, 1], np.array([[0.1, 0.9], [0.2, 0.8], [0.6, 0.4]]))
    compare("auc", [0, 0.5, 1], [0, 0.7, 1])
    compare("auc", [1, 0.5, 0], [1, 0.7, 0])
    compare("auc", [0, 1, 0.5], [0, 0.7, 1])
    compare("auc", [0], [1])


def _multiclass_case(seed, n, k):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.0
    logits = np.round(logits, 1)  # ties
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    return y, p


@pytest.mark.parametrize("seed,n,k", [(0, 60, 3), (1, 400, 4), (2, 1000, 6)])
@pytest.mark.parametrize("multi_class", ["ovr", "ovo"])
@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_roc_auc_multiclass(seed, n, k, multi_class, average):
    y, p = _multiclass_case(seed, n, k)
    compare("roc_auc_score", y, p, multi_class=multi_class, average=average)
    compare(
        "roc_auc_score",
        y,
        p,
        multi_class=multi_class,
        average=average,
        sample_weight=np.random.default_rng(seed).random(n),
    )
    names = np.array(["a", "b", "c", "d", "e", "f"])[:k]
    compare(
        "roc_auc_score",
        names[y],
        p,
        multi_class=multi_class,
        average=average,
        labels=names,
    )


def test_roc_auc_multiclass_errors():
    y, p = _multiclass_case(0, 60, 3)
    compare("roc_auc_score", y, p)  # multi_class='raise'
    compare("roc_auc_score", y, p[:, :2], multi_class="ovr")
    compare("roc_auc_score", y, p * 2, multi_class="ovr")
    compare("roc_auc_score", y, p[:, 0], multi_class="ovr")
    compare("roc_auc_score", y, p, multi_class="ovr", max_fpr=0.5)
    compare("roc_auc_score", y, p, multi_class="ovo", average=None)
    compare("roc_auc_score", y, p, multi_class="ovo", average="samples")
    compare("roc_auc_score", y, p, multi_class="ovr", labels=[0, 0, 1])
    compare("roc_auc_score", y, p, multi_class="ovr", labels=[2, 1, 0])
    compare("roc_auc_score", y, p, multi_class="ovr", labels=[0, 1])
    compare("roc_auc_score", y, p, multi_class="ovr", labels=[0, 1, 5])
    compare("roc_auc_score", y, p, multi_class="ovo", sample_weight=np.ones(60))
    # Binary y_true with a 4-column y_score and labels: the multiclass path.
    y2 = np.where(y == 0, 0, 1)
    p4 = np.column_stack([p, np.zeros(60)])
    compare("roc_auc_score", y2, p4, multi_class="ovr", labels=[0, 1, 2, 3])
    compare("roc_auc_score", y2, p4, multi_class="ovo", labels=[0, 1, 2, 3])


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", "samples", None])
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_ranking(average, weighted):
    rng = np.random.default_rng(11)
    n, k = 80, 4
    y = rng.integers(0, 2, size=(n, k))
    y[:, 2] = 1  # one label always present: its AUC is undefined
    s = np.round(rng.normal(size=(n, k)) + y, 1)
    sw = rng.random(n) if weighted else None
    compare("roc_auc_score", y, s, average=average, sample_weight=sw)
    compare("average_precision_score", y, s, average=average, sample_weight=sw)


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_average_precision_multiclass(average):
    y, p = _multiclass_case(3, 500, 5)
    compare("average_precision_score", y, p, average=average)
    compare(
        "average_precision_score",
        y,
        p,
        average=average,
        sample_weight=np.random.default_rng(0).random(500),
    )
    compare("average_precision_score", y, p, pos_label=2)
    compare("average_precision_score", y, p[:, :3])


# ---------------------------------------------------------------------------------
# regression


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("weighted", [False, True])
def test_regression(seed, n_outputs, dtype, weighted):
    rng = np.random.default_rng(seed)
    n = [2, 17, 300, 1000][seed]
    shape = (n,) if n_outputs == 1 else (n, n_outputs)
    y_true = (rng.normal(size=shape) * 10).astype(dtype)
    y_pred = (y_true + rng.normal(size=shape) * 3).astype(dtype)
    sw = rng.random(n) if weighted else None
    # float32: the same float32 reductions on both sides, up to SIMD path choices.
    rtol = 1e-6 if dtype == np.float32 else RTOL
    options = ["uniform_average", "raw_values"]
    if n_outputs > 1:
        options.append(rng.random(n_outputs))
    for mo in options:
        compare(
            "mean_squared_error",
            y_true,
            y_pred,
            sample_weight=sw,
            multioutput=mo,
            rtol=rtol,
        )
        for name in (
            "mean_absolute_error",
            "root_mean_squared_error",
            "mean_absolute_percentage_error",
            "median_absolute_error",
        ):
            compare(name, y_true, y_pred, sample_weight=sw, multioutput=mo, rtol=rtol)
        for name in ("mean_squared_log_error", "root_mean_squared_log_error"):
            compare(
                name,
                np.abs(y_true),
                np.abs(y_pred),
                sample_weight=sw,
                multioutput=mo,
                rtol=rtol,
            )
    if n_outputs == 1:
        compare("max_error", y_true, y_pred, rtol=rtol)
    for mo in [*options, "variance_weighted"]:
        for force_finite in (True, False):
            compare(
                "explained_variance_score",
                y_true,
                y_pred,
                sample_weight=sw,
                multioutput=mo,
                force_finite=force_finite,
                rtol=rtol,
            )
    for mo in [*options, "variance_weighted", None]:
        for force_finite in (True, False):
            compare(
                "r2_score",
                y_true,
                y_pred,
                sample_weight=sw,
                multioutput=mo,
                force_finite=force_finite,
                rtol=rtol,
            )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("power", [-1.5, 0, 1, 1.2, 2, 3])
def test_tweedie_deviances(seed, dtype, power):
    rng = np.random.default_rng(seed)
    n = [5, 200, 1000][seed]
    y_true = (rng.gamma(2.0, size=n) * 5).astype(dtype) + 1
    y_pred = (y_true * rng.uniform(0.5, 1.5, n)).astype(dtype) + 1
    y_true[0] = 0 if power < 2 else y_true[0]  # a zero count: the 0 log 0 term
    sw = rng.random(n) if seed % 2 else None
    rtol = 1e-6 if dtype == np.float32 else RTOL
    compare(
        "mean_tweedie_deviance",
        y_true,
        y_pred,
        sample_weight=sw,
        power=power,
        rtol=rtol,
    )
    if power == 1:
        compare("mean_poisson_deviance", y_true, y_pred, sample_weight=sw, rtol=rtol)
    if power == 2:
        compare("mean_gamma_deviance", y_true, y_pred, sample_weight=sw, rtol=rtol)


def test_regression_degenerate():
    compare("r2_score", [1.0], [2.0])
    compare("r2_score", [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    compare("r2_score", [1.0, 1.0, 1.0], [1.0, 2.0, 1.0])
    compare("r2_score", [1.0, 1.0, 1.0], [1.0, 2.0, 1.0], force_finite=False)
    const = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 4.0]])
    compare("r2_score", const, const + 0.5, multioutput="variance_weighted")
    compare(
        "r2_score", const, const + 0.5, multioutput="raw_values", force_finite=False
    )
    compare(
        "r2_score",
        np.ones((3, 2)),
        np.ones((3, 2)) + 1,
        multioutput="variance_weighted",
    )
    compare("mean_squared_error", [1, 2], [1, 2, 3])
    compare("mean_squared_error", [[1, 2]], [[1, 2, 3]])
    compare("mean_squared_error", [1, 2], [1, np.nan])
    compare("mean_squared_error", [1, 2], [1, 2], multioutput="variance_weighted")
    compare("mean_squared_error", [1, 2], [1, 2], multioutput=[0.5, 0.5])
    compare("mean_squared_error", const, const, multioutput=[0.5, 0.2, 0.3])
    compare("mean_absolute_error", [1, 2], [1, 3], sample_weight=[0, 0])
    compare("mean_absolute_error", [1, 2], [1, 3], sample_weight=[1, -1])
    compare("r2_score", [1, 2], [1, 3], force_finite="x")
    compare("r2_score", [1, 2], [1, 3], multioutput="x")
    compare("mean_absolute_error", [], [])
    # the metrics added to the scorer table
    for name in (
        "root_mean_squared_error",
        "mean_absolute_percentage_error",
        "median_absolute_error",
        "mean_squared_log_error",
        "root_mean_squared_log_error",
        "explained_variance_score",
    ):
        compare(name, [1, 2], [1, 2, 3])
        compare(name, [1, 2], [1, np.nan])
        compare(name, [1, 2], [1, 3], sample_weight=[0, 0])
        compare(name, [1, 2], [1, 3], multioutput="x")
        compare(name, const, const + 0.5, multioutput=[0.2, 0.8])
        compare(name, [0.0, 2.0, 3.0], [0.0, 2.5, 3.0])
    compare("mean_absolute_percentage_error", [0.0, 1.0], [1.0, 1.0])
    compare("median_absolute_error", [1, 2, 3, 4], [1, 1, 1, 1])
    compare(
        "median_absolute_error", [1, 2, 3, 4], [1, 1, 1, 1], sample_weight=[1, 1, 1, 1]
    )
    compare(
        "median_absolute_error", [1, 2, 3, 4], [1, 1, 1, 1], sample_weight=[1, 0, 1, 0]
    )
    compare(
        "median_absolute_error", [1, 2, 3, 4], [1, 1, 1, 1], sample_weight=[0, 0, 1, 1]
    )
    compare(
        "median_absolute_error", [1, 2, 3, 4], [1, 1, 1, 1], sample_weight=[2, 0, 0, 2]
    )
    compare("mean_squared_log_error", [1, -1], [1, 2])
    compare("root_mean_squared_log_error", [1, 2], [1, -2])
    compare("explained_variance_score", [1.0, 1.0, 1.0], [1.0, 2.0, 1.0])
    compare("explained_variance_score", [1.0, 1.0], [2.0, 2.0], force_finite=False)
    compare("explained_variance_score", const, const + 0.5, multioutput=None)
    compare("max_error", [1, 2], [1, 4])
    compare("max_error", const, const)
    compare("mean_tweedie_deviance", [1, 2], [1, 2], power=0.5)
    compare("mean_tweedie_deviance", [1, 2], [1, 2], power="x")
    compare("mean_tweedie_deviance", [-1, 2], [1, 2], power=-1)
    compare("mean_tweedie_deviance", [-1, 2], [0, 2], power=-1)
    compare("mean_tweedie_deviance", const, const, power=1)
    compare("mean_poisson_deviance", [-1, 2], [1, 2])
    compare("mean_poisson_deviance", [1, 2], [0, 2])
    compare("mean_gamma_deviance", [0, 2], [1, 2])
    compare("mean_tweedie_deviance", [0, 2], [1, 2], power=2.5)


# ---------------------------------------------------------------------------------
# large inputs (several kernel blocks, O(n) label discovery) and random small cases


def test_large_inputs():
    rng = np.random.default_rng(123)
    n = 200_000
    y_true = rng.integers(0, 7, n)
    y_pred = np.where(rng.random(n) < 0.5, y_true, rng.integers(0, 7, n))
    w = rng.random(n)
    compare("confusion_matrix", y_true, y_pred)
    compare("confusion_matrix", y_true, y_pred, sample_weight=w)
    for average in (None, "micro", "macro", "weighted"):
        compare("precision_recall_fscore_support", y_true, y_pred, average=average)
        compare("f1_score", y_true, y_pred, average=average, sample_weight=w)
    compare("accuracy_score", y_true, y_pred, sample_weight=w)
    y = (y_true < 3).astype(np.int64)
    s = np.round(rng.normal(size=n) + y, 2)
    compare("roc_auc_score", y, s)
    compare("roc_auc_score", np.where(y == 1, "yes", "no"), s)
    compare("average_precision_score", y, s)
    compare("average_precision_score", y, s, sample_weight=w)
    compare("roc_curve", y, s)
    compare("precision_recall_curve", y, s, drop_intermediate=True)
    compare("roc_auc_score", y, s, max_fpr=0.2)


FUZZ_FUNCS = [
    ("confusion_matrix", {}),
    ("accuracy_score", {}),
    ("precision_score", {"average": "binary"}),
    ("recall_score", {"average": "macro", "zero_division": 1.0}),
    ("f1_score", {"average": "weighted"}),
    ("fbeta_score", {"beta": 2.0, "average": None, "zero_division": np.nan}),
    ("precision_recall_fscore_support", {"average": "micro"}),
    ("jaccard_score", {"average": "weighted", "zero_division": 1.0}),
    ("balanced_accuracy_score", {}),
    ("matthews_corrcoef", {}),
]


@pytest.mark.parametrize("seed", range(40))
def test_random_small_cases(seed):
    # Tiny random problems hit the degenerate paths (one class, empty predictions,
    # zero weights, all-tied scores) without listing them by hand.
    rng = np.random.default_rng(10_000 + seed)
    n = int(rng.integers(1, 12))
    k = int(rng.integers(1, 4))
    y_true = rng.integers(0, k, n)
    y_pred = rng.integers(0, k, n)
    sw = None
    if seed % 3 == 1:
        sw = rng.integers(0, 3, n).astype(float)
    elif seed % 3 == 2:
        sw = rng.random(n)
    for name, kwargs in FUZZ_FUNCS:
        compare(name, y_true, y_pred, sample_weight=sw, **kwargs)
    compare("classification_report", y_true, y_pred, sample_weight=sw)
    y_bin = (y_true == 0).astype(int)
    s = rng.integers(0, 3, n) / 2.0
    compare("roc_auc_score", y_bin, s, sample_weight=sw)
    compare("average_precision_score", y_bin, s, sample_weight=sw)
    compare("roc_curve", y_bin, s, sample_weight=sw)
    compare("precision_recall_curve", y_bin, s, sample_weight=sw)
    p = np.column_stack([1 - s / 2, s / 2])
    compare("log_loss", y_bin, p, sample_weight=sw, labels=[0, 1])
    compare("brier_score_loss", y_bin, s / 2, sample_weight=sw)
