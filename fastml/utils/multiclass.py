"""Target-type inference for classifiers and metrics (scikit-learn's categories)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.utils.validation import column_or_1d, is_sparse

__all__ = ["type_of_target", "unique_labels", "check_classification_targets"]


def type_of_target(y: Any, input_name: str = "") -> str:
    """The kind of target ``y`` holds.

    One of "continuous", "continuous-multioutput", "binary", "multiclass",
    "multiclass-multioutput", "multilabel-indicator" or "unknown", with the same
    rules as scikit-learn (floats with integral values count as discrete).
    """
    if is_sparse(y):
        raise TypeError("Sparse targets are not supported by fastml.")
    if isinstance(y, str):
        raise ValueError(
            f"Expected array-like (array or non-string sequence), got {y!r}"
        )
    arr = np.asarray(y)
    if (
        arr.dtype == object
        and arr.ndim == 1
        and arr.size
        and not isinstance(arr.flat[0], str)
    ):
        # Ragged sequences of sequences are not a supported target format.
        if any(isinstance(v, (list, tuple, np.ndarray)) for v in arr[:5]):
            raise ValueError(
                "You appear to be using a legacy multi-label data representation. "
                "Sequence of sequences are no longer supported; use a binary array or "
                "sparse matrix instead."
            )
    if arr.ndim > 2 or (arr.dtype == object and arr.ndim == 2 and arr.shape[1] == 0):
        return "unknown"
    if arr.ndim == 2 and arr.shape[1] == 0:
        return "unknown"
    if arr.dtype == object and arr.size and not isinstance(arr.flat[0], str):
        return "unknown"
    if arr.ndim == 2 and arr.shape[1] > 1:
        if arr.dtype.kind in "biuf" and arr.size:
            values = np.unique(arr)
            if len(values) <= 2 and np.all(np.isin(values, [0, 1])):
                return "multilabel-indicator"
        suffix = "-multioutput"
    else:
        suffix = ""
    if arr.dtype.kind == "f":
        finite = arr[np.isfinite(arr)] if arr.size else arr
        if finite.size != arr.size:
            raise ValueError(f"Input {input_name or 'y'} contains NaN or infinity.")
        if np.any(arr != arr.astype(np.int64)):
            return "continuous" + suffix
    if arr.dtype.kind == "c":
        raise ValueError("Complex data not supported")
    if suffix:
        return "multiclass" + suffix
    flat = arr.ravel()
    n_unique = len(np.unique(flat)) if flat.size else 0
    if n_unique > 2 or (arr.ndim == 2 and arr.shape[1] > 1):
        return "multiclass"
    return "binary"


def unique_labels(*ys: Any) -> np.ndarray:
    """Sorted union of the labels of several targets (all of one kind)."""
    if not ys:
        raise ValueError("No argument has been passed.")
    kinds = {type_of_target(y) for y in ys}
    if kinds == {"binary", "multiclass"}:
        kinds = {"multiclass"}
    if len(kinds) > 1:
        raise ValueError(f"Mix type of y not allowed, got types {kinds}")
    labels = [np.asarray(y).ravel() for y in ys]
    if kinds == {"multilabel-indicator"}:
        widths = {np.asarray(y).shape[1] for y in ys}
        if len(widths) > 1:
            raise ValueError(
                "Multi-label binary indicator input with different numbers of labels"
            )
        return np.arange(widths.pop())
    is_str = {lab.dtype.kind in "USO" for lab in labels if lab.size}
    if len(is_str) > 1:
        raise ValueError("Mix of label input types (string and number)")
    return np.unique(np.concatenate(labels)) if labels else np.array([])


def check_classification_targets(y: Any) -> None:
    """Raise ValueError unless ``y`` is a classification target."""
    kind = type_of_target(y, input_name="y")
    if kind not in (
        "binary",
        "multiclass",
        "multiclass-multioutput",
        "multilabel-indicator",
    ):
        raise ValueError(
            f"Unknown label type: {kind}. Maybe you are trying to fit a classifier, "
            "which expects discrete classes on a regression target with continuous "
            "values."
        )


def encode_labels(y: Any) -> tuple[np.ndarray, np.ndarray]:
    """(classes, y as int64 indices into classes) for a 1-D label vector."""
    y = column_or_1d(y)
    classes, y_idx = np.unique(y, return_inverse=True)
    return classes, y_idx.astype(np.int64, copy=False)
