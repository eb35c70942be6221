"""Shared pieces of the linear models: centring, sample weights, the Gram matrix,
intercept recovery, prediction and parameter checks.

Conventions (scikit-learn's): with ``fit_intercept=True`` the data are centred on
their (weighted) means ``X_offset`` / ``y_offset``; the model is fitted on the centred
data and the intercept is recovered as ``y_offset - X_offset @ coef``. Sample weights
enter the least-squares term as ``sum_i s_i (y_i - x_i w)^2``, i.e. the centred rows
are scaled by ``sqrt(s_i)``.

Other linear-model modules (logistic regression included) may import:

- :func:`check_param` - type/range check with scikit-learn's message;
- :func:`weighted_offsets` - (weighted) column means of X and y;
- :func:`centered_gram` - ``(X - m)' diag(s) (X - m)`` in float64, blocked BLAS;
- :func:`centered_xty` - ``(X - m)' diag(s) (y - c)`` in float64;
- :func:`center_scale` - an explicit centred / sqrt(s)-scaled copy of X and y;
- :class:`LinearModel` - ``predict`` / ``_decision_function`` / ``_set_intercept``.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from fastml.base import BaseEstimator
from fastml.exceptions import InvalidParameterError
from fastml.utils.validation import check_is_fitted, validate_data

__all__ = [
    "LinearModel",
    "center_scale",
    "centered_gram",
    "centered_xty",
    "check_param",
    "weighted_offsets",
]

_BLOCK_ROWS = 16384
_NUMBA_GRAM_MAX_WORK = 2**28


def _describe(kind: str, low: float | None, high: float | None, closed: str) -> str:
    left = "[" if closed in ("left", "both") else "("
    right = "]" if closed in ("right", "both") else ")"
    lo = "-inf" if low is None else f"{low:g}" if kind == "float" else str(low)
    hi = "inf" if high is None else f"{high:g}" if kind == "float" else str(high)
    if low is None:
        left = "("
    if high is None:
        right = ")"
    return f"{left}{lo}, {hi}{right}"


def check_param(
    owner: str,
    name: str,
    value: Any,
    kind: str,
    *,
    low: float | None = None,
    high: float | None = None,
    closed: str = "both",
    options: tuple[Any, ...] = (),
) -> None:
    """Raise scikit-learn's InvalidParameterError unless ``value`` is valid.

    Parameters
    ----------
    owner : str
        Name of the estimator or function, used in the message.
    name : str
        Parameter name.
    value : object
        The value to check.
    kind : {"float", "int", "bool", "options"}
        "float" accepts real numbers (not bool), "int" integers (not bool), "bool"
        booleans, "options" one of ``options``.
    low, high, closed :
        The interval for "float"/"int"; ``closed`` is "both", "left", "right" or
        "neither".
    options : tuple
        Allowed values for "options" (and extra accepted values for the others).
    """
    if options and any(
        value is opt or (type(value) is type(opt) and value == opt) for opt in options
    ):
        return
    ok = False
    if kind == "bool":
        ok = isinstance(value, (bool, np.bool_))
        expected = "an instance of 'bool'"
    elif kind in ("float", "int"):
        cls = numbers.Real if kind == "float" else numbers.Integral
        ok = isinstance(value, cls) and not isinstance(value, (bool, np.bool_))
        if ok:
            v = float(value)
            if low is not None:
                ok = ok and (v >= low if closed in ("left", "both") else v > low)
            if high is not None:
                ok = ok and (v <= high if closed in ("right", "both") else v < high)
        expected = (
            f"a {kind} in the range {_describe(kind, low, high, closed)}"
            if kind == "float"
            else f"an int in the range {_describe(kind, low, high, closed)}"
        )
    else:
        expected = "a str among " + "{" + ", ".join(repr(o) for o in options) + "}"
    if not ok:
        if kind != "options" and options:
            expected += " or " + " or ".join(repr(o) for o in options)
        raise InvalidParameterError(
            f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} "
            "instead."
        )


def weighted_offsets(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None,
    fit_intercept: bool,
) -> tuple[np.ndarray, np.ndarray | float]:
    """Column means of X and y (weighted when ``sample_weight`` is given).

    Returns float64 ``X_offset`` of shape (n_features,) and ``y_offset`` (a float for
    1-D y, shape (n_targets,) otherwise); zeros without an intercept.
    """
    n_features = X.shape[1]
    if not fit_intercept:
        y_off: np.ndarray | float = (
            0.0 if y.ndim == 1 else np.zeros(y.shape[1], dtype=np.float64)
        )
        return np.zeros(n_features, dtype=np.float64), y_off
    if sample_weight is None:
        x_off = np.mean(X, axis=0, dtype=np.float64)
        y_mean = np.mean(y, axis=0, dtype=np.float64)
    else:
        sw = sample_weight.astype(np.float64)
        total = sw.sum()
        x_off = (sw @ X.astype(np.float64, copy=False)) / total
        y_mean = (sw @ y.astype(np.float64, copy=False)) / total
    return np.asarray(x_off, dtype=np.float64), (
        float(y_mean) if y.ndim == 1 else np.asarray(y_mean, dtype=np.float64)
    )


def centered_gram(
    X: np.ndarray,
    X_offset: np.ndarray,
    sample_weight: np.ndarray | None = None,
    n_threads: int | None = None,
) -> np.ndarray:
    """``(X - X_offset)' diag(s) (X - X_offset)`` as float64 (n_features, n_features).

    ``n_threads`` (Numba threads of the kernel path) None keeps the caller's Numba
    setting; an int runs the kernel under ``num_threads(n_threads)`` (which also
    serialises concurrent calls under Numba's workqueue layer).

    X is never copied whole. Small products (n_samples * n_features^2 <= 2^28) go
    through the Numba kernel fastml.kernels.linear.gram.accumulate_gram: float64
    accumulation, fixed row blocks (the same result for any thread count), no BLAS
    thread start-up. Larger ones through BLAS syrk on centred blocks of 16384 rows in
    X's dtype (float32 blocks for float32 X, the precision scikit-learn itself works
    in), accumulated across blocks in float64: on a quiet machine BLAS is ~2-3 x
    faster than the kernel there (100,000 x 200 float32: the kernel made Lasso 0.88 x
    and Ridge 2.2 x scikit-learn's time). Under heavy load from other processes a
    2-thread OpenBLAS product can stall (its threads wait for each other); the
    kernel does not, but quiet-machine speed is what fastml is measured by.
    """
    n_samples, n_features = X.shape
    if n_samples * n_features * n_features <= _NUMBA_GRAM_MAX_WORK:
        from fastml.kernels.linear.gram import accumulate_gram

        block_rows = max(1024, -(-n_samples // 16))
        block_rows = -(-block_rows // 4) * 4
        n_blocks = max(1, -(-n_samples // block_rows))
        partial = np.zeros((n_blocks, n_features, n_features))
        weighted = sample_weight is not None
        root = (
            np.sqrt(np.asarray(sample_weight, dtype=np.float64))
            if weighted
            else np.ones(1)
        )
        args = (
            X,
            np.ascontiguousarray(X_offset, dtype=np.float64),
            root,
            weighted,
            block_rows,
            partial,
        )
        if n_threads is None:
            accumulate_gram(*args)
        else:
            from fastml.kernels._jit import num_threads

            with num_threads(n_threads):
                accumulate_gram(*args)
        upper = partial.sum(axis=0)
    else:
        from scipy.linalg import blas

        syrk = blas.ssyrk if X.dtype == np.float32 else blas.dsyrk
        gram = np.zeros((n_features, n_features), dtype=np.float64)
        offset = X_offset.astype(X.dtype)
        centre = bool(np.any(X_offset != 0.0))
        for start in range(0, n_samples, _BLOCK_ROWS):
            block = X[start : start + _BLOCK_ROWS]
            if centre:
                block = block - offset
            if sample_weight is not None:
                root = np.sqrt(sample_weight[start : start + _BLOCK_ROWS])
                block = block * root.astype(X.dtype)[:, None]
            # syrk on the F-ordered view block.T: the upper triangle of
            # block' block, half the multiply-adds of a general product.
            gram += syrk(1.0, block.T, trans=0, lower=0)
        upper = gram
    upper = np.triu(upper)
    return upper + np.triu(upper, 1).T


def centered_xty(
    X: np.ndarray,
    y: np.ndarray,
    X_offset: np.ndarray,
    y_offset: np.ndarray | float,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """``(X - X_offset)' diag(s) (y - y_offset)`` in float64.

    Shape (n_features,) for 1-D y, (n_features, n_targets) otherwise. Uses
    ``X' v - X_offset * sum(v)`` with ``v = s * (y - y_offset)``, exact for the
    centred product since ``sum(s * (y - y_offset)) = 0`` up to rounding.
    """
    yc = y.astype(np.float64) - y_offset
    if sample_weight is not None:
        yc = yc * (sample_weight if y.ndim == 1 else sample_weight[:, None])
    xty = X.T @ yc.astype(X.dtype) if X.dtype == np.float32 else X.T @ yc
    xty = np.asarray(xty, dtype=np.float64)
    total = yc.sum(axis=0)
    if y.ndim == 1:
        return xty - X_offset * total
    return xty - np.outer(X_offset, total)


def center_scale(
    X: np.ndarray,
    y: np.ndarray,
    X_offset: np.ndarray,
    y_offset: np.ndarray | float,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """New arrays ``sqrt(s) * (X - X_offset)`` and ``sqrt(s) * (y - y_offset)``.

    X keeps its dtype; y is returned in X's dtype.
    """
    Xc = X - X_offset.astype(X.dtype)
    yc = (y - np.asarray(y_offset, dtype=np.float64)).astype(X.dtype)
    if sample_weight is not None:
        root = np.sqrt(sample_weight).astype(X.dtype)
        Xc *= root[:, None]
        yc = yc * (root if y.ndim == 1 else root[:, None])
    return Xc, yc


class LinearModel(BaseEstimator):
    """Prediction ``X @ coef_.T + intercept_`` shared by the linear regressors."""

    coef_: Any
    intercept_: Any

    def _set_intercept(
        self, X_offset: np.ndarray, y_offset: np.ndarray | float, fit_intercept: bool
    ) -> None:
        coef = np.asarray(self.coef_)
        if fit_intercept:
            intercept = np.asarray(y_offset, dtype=np.float64) - np.dot(
                coef.astype(np.float64), X_offset
            )
            if coef.ndim == 1:
                self.intercept_ = float(intercept)
            else:
                self.intercept_ = intercept.astype(coef.dtype)
        else:
            self.intercept_ = 0.0

    def _decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        coef = np.asarray(self.coef_)
        out = X @ coef.T.astype(X.dtype, copy=False) + self.intercept_
        return np.asarray(out)

    def predict(self, X: Any) -> np.ndarray:
        """Predict with the fitted linear model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            ``X @ coef_.T + intercept_``.
        """
        return self._decision_function(X)
