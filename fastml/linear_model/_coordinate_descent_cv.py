"""LassoCV and ElasticNetCV: the penalty chosen by k-fold cross-validation along
regularisation paths.

For every l1_ratio the alpha grid is computed on the whole (centred, weighted)
data; every fold then fits the whole path on its training rows (centred on their
own means, weights rescaled to sum to the number of training rows) with warm
starts, and scores the held-out rows by the (weighted) mean squared error. The
(l1_ratio, alpha) with the smallest mean error over folds is refitted on all rows.
This is scikit-learn's procedure, so ``mse_path_``, ``alpha_`` and the final
coefficients agree with it.

Folds run on ``n_jobs`` Python threads (the coordinate-descent kernels release the
GIL); the result does not depend on ``n_jobs``.
"""

from __future__ import annotations

import numbers
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import RegressorMixin
from fastml.linear_model._coordinate_descent import (
    ElasticNet,
    Lasso,
    _alpha_grid_from_max,
    _make_problems,
    _solve_path,
    _use_gram,
)
from fastml.linear_model._linear_base import (
    LinearModel,
    centered_xty,
    check_param,
    weighted_offsets,
)
from fastml.utils.validation import (
    check_random_state,
    check_sample_weight,
    check_scalar,
    column_or_1d,
    validate_data,
)

__all__ = ["ElasticNetCV", "LassoCV"]


def _alpha_grid(
    X: np.ndarray,
    y: np.ndarray,
    sw: np.ndarray | None,
    l1_ratio: float,
    fit_intercept: bool,
    positive: bool,
    eps: float,
    n_alphas: int,
) -> np.ndarray:
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for l1_ratio=0. "
            "Please supply a grid by providing your estimator with the appropriate "
            "`alphas=` argument."
        )
    X_offset, y_offset = weighted_offsets(X, y, sw, fit_intercept)
    xty = centered_xty(X, y, X_offset, y_offset, sw)
    total = X.shape[0] if sw is None else float(np.sum(sw))
    top = max(0.0, float(np.max(xty))) if positive else float(np.max(np.abs(xty)))
    return _alpha_grid_from_max(top / (total * l1_ratio), eps, n_alphas)


class _LinearModelCV(RegressorMixin, LinearModel):
    """Shared fit of LassoCV and ElasticNetCV."""

    eps: float
    alphas: Any
    fit_intercept: bool
    precompute: Any
    max_iter: int
    tol: float
    copy_X: bool
    cv: Any
    n_jobs: int | None
    positive: bool
    random_state: Any
    selection: str

    def _l1_ratios(self) -> list[float]:
        return [1.0]

    def _final_estimator(self, alpha: float, l1_ratio: float) -> ElasticNet:
        raise NotImplementedError

    def _validate_params(self) -> None:
        owner = type(self).__name__
        check_param(owner, "eps", self.eps, "float", low=0.0, closed="neither")
        if isinstance(self.alphas, numbers.Integral) and not isinstance(
            self.alphas, bool
        ):
            check_param(owner, "alphas", self.alphas, "int", low=1, closed="left")
        check_param(owner, "fit_intercept", self.fit_intercept, "bool")
        if not hasattr(self.precompute, "__array__"):
            check_param(owner, "precompute", self.precompute, "bool", options=("auto",))
        check_param(owner, "max_iter", self.max_iter, "int", low=0, closed="left")
        check_param(owner, "tol", self.tol, "float", low=0.0, closed="left")
        check_param(owner, "copy_X", self.copy_X, "bool")
        check_param(owner, "positive", self.positive, "bool")
        check_param(
            owner, "selection", self.selection, "options", options=("cyclic", "random")
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _LinearModelCV:
        """Choose the penalty by cross-validation and refit on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self
            Fitted estimator.
        """
        from fastml.model_selection import check_cv

        self._validate_params()
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=True,
        )
        if y.ndim > 1 and y.shape[1] > 1:
            raise ValueError(
                f"For multi-task outputs, use MultiTask{type(self).__name__}"
            )
        y = np.asarray(column_or_1d(y, warn=True), dtype=X.dtype)
        n_samples = X.shape[0]
        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, n_samples, dtype=np.float64)
        l1_ratios = self._l1_ratios()
        if isinstance(self.alphas, numbers.Integral):
            grids = [
                _alpha_grid(
                    X,
                    y,
                    sw,
                    r,
                    bool(self.fit_intercept),
                    bool(self.positive),
                    float(self.eps),
                    int(self.alphas),
                )
                for r in l1_ratios
            ]
        else:
            values = list(np.asarray(self.alphas).ravel())
            for index, alpha in enumerate(values):
                if isinstance(alpha, np.generic):
                    alpha = alpha.item()
                check_scalar(
                    alpha,
                    f"alphas[{index}]",
                    numbers.Real,
                    min_val=0.0,
                    include_boundaries="left",
                )
            ordered = np.sort(np.asarray(values, dtype=np.float64))[::-1]
            grids = [ordered.copy() for _ in l1_ratios]
        cv = check_cv(self.cv)
        folds = list(cv.split(X, y))
        tasks = [
            (r, grid, tr, te) for r, grid in zip(l1_ratios, grids) for tr, te in folds
        ]
        n_jobs = min(resolve_n_jobs(self.n_jobs), len(tasks))
        if n_jobs > 1:
            with ThreadPoolExecutor(max_workers=n_jobs) as pool:
                mses = list(pool.map(lambda t: self._fold_mse(X, y, sw, *t), tasks))
        else:
            mses = [self._fold_mse(X, y, sw, *t) for t in tasks]
        mse_paths = np.reshape(mses, (len(l1_ratios), len(folds), -1))
        mean_mse = mse_paths.mean(axis=1)
        self.mse_path_ = np.squeeze(np.moveaxis(mse_paths, 2, 1))
        best_mse = np.inf
        best_alpha = grids[0][0]
        best_ratio = l1_ratios[0]
        for ratio, grid, row in zip(l1_ratios, grids, mean_mse):
            i = int(np.argmin(row))
            if row[i] < best_mse:
                best_mse, best_alpha, best_ratio = row[i], grid[i], ratio
        self.alpha_ = float(best_alpha)
        self.l1_ratio_ = float(best_ratio)
        if isinstance(self.alphas, numbers.Integral):
            self.alphas_ = np.asarray(grids)
            if len(l1_ratios) == 1:
                self.alphas_ = self.alphas_[0]
        else:
            self.alphas_ = np.asarray(grids[0])
        model = self._final_estimator(self.alpha_, self.l1_ratio_)
        model.fit(X, y, sample_weight=sw)
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.dual_gap_ = model.dual_gap_
        self.n_iter_ = model.n_iter_
        return self

    def _fold_mse(
        self,
        X: np.ndarray,
        y: np.ndarray,
        sw: np.ndarray | None,
        l1_ratio: float,
        alphas: np.ndarray,
        train: np.ndarray,
        test: np.ndarray,
    ) -> np.ndarray:
        X_train, y_train = X[train], y[train]
        sw_train = sw_test = None
        if sw is not None:
            sw_train = sw[train] * (len(train) / np.sum(sw[train]))
            sw_test = sw[test]
        X_offset, y_offset = weighted_offsets(
            X_train, y_train[:, None], sw_train, bool(self.fit_intercept)
        )
        use_gram = _use_gram(self.precompute, *X_train.shape)
        # Folds already run on n_jobs threads: one Numba thread each.
        problem = _make_problems(
            X_train,
            y_train[:, None],
            X_offset,
            y_offset,
            sw_train,
            use_gram,
            n_threads=1 if resolve_n_jobs(self.n_jobs) > 1 else None,
        )[0]
        coefs, _, _ = _solve_path(
            problem,
            alphas,
            float(l1_ratio),
            None,
            max_iter=int(self.max_iter),
            tol=float(self.tol),
            rng=check_random_state(self.random_state),
            random=self.selection == "random",
            positive=bool(self.positive),
        )
        coefs = coefs.astype(X.dtype).astype(np.float64)
        intercepts = float(np.atleast_1d(y_offset)[0]) - X_offset @ coefs
        residues = X[test].astype(np.float64) @ coefs + intercepts - y[test][:, None]
        if sw_test is None:
            return np.mean(residues**2, axis=0)
        return np.average(residues**2, weights=sw_test, axis=0)


class LassoCV(_LinearModelCV):
    """Lasso with the penalty chosen by cross-validation along the lasso path.

    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or the candidate alphas.
    fit_intercept : bool, default=True
        Fit an intercept.
    precompute : "auto", bool or array-like, default="auto"
        Gram matrix use (see fastml.linear_model.Lasso).
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance (relative to ||y||^2).
    copy_X : bool, default=True
        X is never modified (kept for compatibility).
    cv : int, splitter, iterable or None, default=None
        Cross-validation (None: 5-fold).
    verbose : bool or int, default=False
        Unused (no output).
    n_jobs : int or None, default=None
        Threads running the folds.
    positive : bool, default=False
        Non-negative coefficients.
    random_state : int, RandomState or None, default=None
        Seed of the random coordinate order.
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order.

    Attributes
    ----------
    alpha_ : float
    alphas_ : ndarray of shape (n_alphas,)
    mse_path_ : ndarray of shape (n_alphas, n_folds)
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    dual_gap_ : float
    n_iter_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has string column names)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import LassoCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 5)
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.randn(60)
    >>> model = LassoCV(cv=3).fit(X, y)
    >>> model.coef_.round(1)
    array([ 1., -2.,  0.,  0., -0.])
    """

    def __init__(
        self,
        *,
        eps: float = 1e-3,
        alphas: Any = 100,
        fit_intercept: bool = True,
        precompute: Any = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        copy_X: bool = True,
        cv: Any = None,
        verbose: Any = False,
        n_jobs: int | None = None,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ) -> None:
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LassoCV:
        """Choose alpha by cross-validation and refit on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : LassoCV
            Fitted estimator.
        """
        super().fit(X, y, sample_weight)
        del self.l1_ratio_
        return self

    def _final_estimator(self, alpha: float, l1_ratio: float) -> ElasticNet:
        return Lasso(
            alpha=alpha,
            fit_intercept=self.fit_intercept,
            precompute=False if isinstance(self.precompute, str) else self.precompute,
            max_iter=self.max_iter,
            tol=self.tol,
            positive=self.positive,
            random_state=self.random_state,
            selection=self.selection,
        )


class ElasticNetCV(_LinearModelCV):
    """Elastic net with alpha and l1_ratio chosen by cross-validation along paths.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s) in [0, 1] to try (each gets its own alpha grid).
    eps, alphas, fit_intercept, precompute, max_iter, tol, cv, copy_X, verbose, \
n_jobs, positive, random_state, selection
        As in :class:`LassoCV`.

    Attributes
    ----------
    alpha_ : float
    l1_ratio_ : float
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, \
n_folds)
    coef_, intercept_, dual_gap_, n_iter_, n_features_in_, feature_names_in_
        As in :class:`LassoCV`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import ElasticNetCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 5)
    >>> y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.randn(60)
    >>> model = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=3).fit(X, y)
    >>> model.mse_path_.shape
    (2, 100, 3)
    """

    def __init__(
        self,
        *,
        l1_ratio: Any = 0.5,
        eps: float = 1e-3,
        alphas: Any = 100,
        fit_intercept: bool = True,
        precompute: Any = "auto",
        max_iter: int = 1000,
        tol: float = 1e-4,
        cv: Any = None,
        copy_X: bool = True,
        verbose: Any = 0,
        n_jobs: int | None = None,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ) -> None:
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratios(self) -> list[float]:
        ratios = [float(r) for r in np.atleast_1d(np.asarray(self.l1_ratio)).ravel()]
        for r in ratios:
            if not 0.0 <= r <= 1.0:
                raise ValueError(
                    f"The 'l1_ratio' parameter of ElasticNetCV must be in [0, 1]; "
                    f"got {r!r}."
                )
        return ratios

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ElasticNetCV:
        """Choose alpha and l1_ratio by cross-validation and refit on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : ElasticNetCV
            Fitted estimator.
        """
        super().fit(X, y, sample_weight)
        return self

    def _final_estimator(self, alpha: float, l1_ratio: float) -> ElasticNet:
        return ElasticNet(
            alpha=alpha,
            l1_ratio=l1_ratio,
            fit_intercept=self.fit_intercept,
            precompute=False if isinstance(self.precompute, str) else self.precompute,
            max_iter=self.max_iter,
            tol=self.tol,
            positive=self.positive,
            random_state=self.random_state,
            selection=self.selection,
        )
