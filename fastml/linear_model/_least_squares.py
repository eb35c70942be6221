"""Ordinary least squares (LinearRegression), unconstrained or non-negative."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.base import RegressorMixin
from fastml.linear_model._linear_base import (
    LinearModel,
    center_scale,
    check_param,
    weighted_offsets,
)
from fastml.utils.validation import check_sample_weight, validate_data

__all__ = ["LinearRegression"]


class LinearRegression(RegressorMixin, LinearModel):
    """Ordinary least squares: minimise ``sum_i s_i (y_i - x_i w - b)^2``.

    The unconstrained problem is solved by LAPACK's SVD-based least squares
    (``scipy.linalg.lstsq``, driver gelsd), which returns the minimum-norm solution
    of collinear or rank-deficient designs; ``positive=True`` solves the
    non-negative problem with the Lawson-Hanson active-set method
    (``scipy.optimize.nnls``).

    Parameters
    ----------
    fit_intercept : bool, default=True
        Fit an intercept (the data are centred first).
    copy_X : bool, default=True
        X is never modified (kept for compatibility).
    tol : float, default=1e-6
        Relative cut-off of small singular values in the least-squares solve
        (``cond`` of ``scipy.linalg.lstsq``, as in scikit-learn).
    n_jobs : int or None, default=None
        Unused: the solve is a single LAPACK call.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    rank_ : int
        Rank of the (centred, weighted) design (not set when ``positive``).
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Its singular values (not set when ``positive``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has string column names)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import LinearRegression
    >>> X = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 3.0]])
    >>> y = X @ np.array([1.0, 2.0]) + 3.0
    >>> model = LinearRegression().fit(X, y)
    >>> model.coef_.round(6), round(model.intercept_, 6)
    (array([1., 2.]), 3.0)
    """

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        tol: float = 1e-6,
        n_jobs: int | None = None,
        positive: bool = False,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.tol = tol
        self.n_jobs = n_jobs
        self.positive = positive

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """Fit the least-squares model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : LinearRegression
            Fitted estimator.
        """
        from scipy import linalg, optimize

        owner = "LinearRegression"
        check_param(owner, "fit_intercept", self.fit_intercept, "bool")
        check_param(owner, "copy_X", self.copy_X, "bool")
        check_param(owner, "tol", self.tol, "float", low=0.0, closed="left")
        check_param(owner, "positive", self.positive, "bool")
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=True,
        )
        y = np.asarray(y, dtype=X.dtype)
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, X.shape[0], dtype=np.float64)
        X_offset, y_offset = weighted_offsets(X, y, sw, bool(self.fit_intercept))
        Xc, yc = center_scale(X, y, X_offset, y_offset, sw)
        if self.positive:
            if yc.ndim == 1:
                coef = optimize.nnls(Xc.astype(np.float64), yc.astype(np.float64))[0]
            else:
                coef = np.vstack(
                    [
                        optimize.nnls(Xc.astype(np.float64), col)[0]
                        for col in yc.astype(np.float64).T
                    ]
                )
        else:
            solution, _, rank, singular = linalg.lstsq(Xc, yc, cond=self.tol)
            coef = solution.T
            self.rank_ = int(rank)
            self.singular_ = singular
        self.coef_ = np.asarray(coef, dtype=X.dtype)
        if y.ndim == 1:
            self._set_intercept(X_offset, float(y_offset), bool(self.fit_intercept))
        else:
            self._set_intercept(X_offset, np.asarray(y_offset), self.fit_intercept)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
