"""The text (or dict) classification report."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from fastml.metrics._precision_recall import _prfs
from fastml.metrics._validation import (
    check_array_like,
    check_bool,
    check_targets,
    check_y_arg,
    check_zero_division,
    raise_invalid,
    unique_labels_metrics,
)

__all__ = ["classification_report"]

_HEADERS = ("precision", "recall", "f1-score", "support")


def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Any = None,
    sample_weight: Any = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: Any = "warn",
) -> str | dict[str, Any]:
    """Per-label precision, recall, F1 and support, with their averages.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or label indicator matrix
        True labels.
    y_pred : array-like of the same shape
        Predicted labels.
    labels : array-like of shape (n_labels,), default=None
        Labels in the report, in this order. Default: the sorted labels present.
    target_names : array-like of str, default=None
        Display names of the labels (same length as ``labels``).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    digits : int, default=2
        Digits after the decimal point in the text report (ignored for dicts).
    output_dict : bool, default=False
        Return a dict ``{label: {"precision": ..., "recall": ..., "f1-score": ...,
        "support": ...}, "accuracy": float, "macro avg": {...}, ...}`` instead of text.
    zero_division : {"warn", 0.0, 1.0, np.nan}, default="warn"
        Value at a zero denominator.

    Returns
    -------
    report : str or dict
        The "micro avg" row is called "accuracy" (and shows only the F1 column)
        when the target is binary/multiclass and every label present is reported,
        since micro-averaged precision, recall and F1 all equal accuracy then.

    Examples
    --------
    >>> from fastml.metrics import classification_report
    >>> print(classification_report([0, 1, 2, 2, 2], [0, 0, 2, 2, 1]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       0.50      1.00      0.67         1
               1       0.00      0.00      0.00         1
               2       1.00      0.67      0.80         3
    <BLANKLINE>
        accuracy                           0.60         5
       macro avg       0.50      0.56      0.49         5
    weighted avg       0.70      0.60      0.61         5
    <BLANKLINE>
    """
    func = "classification_report"
    check_y_arg(y_true, "y_true", func)
    check_y_arg(y_pred, "y_pred", func)
    check_array_like(labels, "labels", func, allow_none=True)
    check_array_like(target_names, "target_names", func, allow_none=True)
    check_array_like(sample_weight, "sample_weight", func, allow_none=True)
    if (
        isinstance(digits, bool)
        or not isinstance(digits, (int, np.integer))
        or digits < 0
    ):
        raise_invalid(func, "digits", "an int in the range [0, inf)", digits)
    check_bool(output_dict, "output_dict", func)
    zero_value = check_zero_division(zero_division, func)

    y_type, present, y_true_arr, y_pred_arr, _ = check_targets(
        y_true, y_pred, sample_weight
    )
    labels_given = labels is not None
    labels_arr = present if labels is None else np.asarray(labels)
    micro_is_accuracy = y_type in ("binary", "multiclass") and (
        not labels_given
        or set(labels_arr.tolist())
        >= set(unique_labels_metrics(y_true_arr, y_pred_arr).tolist())
    )
    if target_names is not None and len(labels_arr) != len(target_names):
        if labels_given:
            warnings.warn(
                f"labels size, {len(labels_arr)}, does not match size of target_names, "
                f"{len(target_names)}",
                UserWarning,
                stacklevel=2,
            )
        else:
            raise ValueError(
                f"Number of classes, {len(labels_arr)}, does not match size of "
                f"target_names, {len(target_names)}. Try specifying the labels "
                "parameter"
            )
    names = (
        [f"{label}" for label in labels_arr.tolist()]
        if target_names is None
        else list(target_names)
    )

    def scores(average: str | None) -> tuple[Any, Any, Any, Any]:
        return _prfs(
            y_true_arr,
            y_pred_arr,
            beta=1.0,
            labels=labels_arr,
            pos_label=1,
            average=average,
            warn_for=("precision", "recall", "f-score"),
            sample_weight=sample_weight,
            zero_division=zero_division,
            zero_value=zero_value,
        )

    p, r, f1, support = scores(None)
    rows = list(zip(names, p, r, f1, support))
    averages = ["micro", "macro", "weighted"]
    if y_type == "multilabel-indicator":
        averages.append("samples")
    total_support = np.sum(support)

    if output_dict:
        report: dict[str, Any] = {}
        for name, *values in rows:
            report[name] = dict(zip(_HEADERS, [float(v) for v in values]))
        for average in averages:
            heading = (
                "accuracy"
                if average == "micro" and micro_is_accuracy
                else average + " avg"
            )
            avg_p, avg_r, avg_f1, _ = scores(average)
            report[heading] = dict(
                zip(_HEADERS, [float(v) for v in (avg_p, avg_r, avg_f1, total_support)])
            )
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report

    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    text = f"{'':>{width}s} " + "".join(f" {h:>9}" for h in _HEADERS) + "\n\n"

    def row(name: str, prec: Any, rec: Any, f: Any, sup: Any) -> str:
        return (
            f"{name:>{width}s} "
            f" {prec:>9.{digits}f} {rec:>9.{digits}f} {f:>9.{digits}f} {sup:>9}\n"
        )

    for name, prec, rec, f, sup in rows:
        text += row(name, prec, rec, f, sup)
    text += "\n"
    for average in averages:
        avg_p, avg_r, avg_f1, _ = scores(average)
        if average == "micro" and micro_is_accuracy:
            text += (
                f"{'accuracy':>{width}s} "
                f" {'':>9.{digits}} {'':>9.{digits}} {avg_f1:>9.{digits}f}"
                f" {total_support:>9}\n"
            )
        else:
            text += row(average + " avg", avg_p, avg_r, avg_f1, total_support)
    return text
