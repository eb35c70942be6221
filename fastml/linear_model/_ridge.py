"""Ridge regression (Cholesky or SVD) and RidgeCV (efficient leave-one-out).

Ridge minimises ``sum_i s_i (y_i - x_i w - b)^2 + alpha ||w||^2`` (the intercept is
not penalised; the data are centred on their weighted means first).

Solvers:

- "cholesky": the normal equations ``(X'X + alpha I) w = X'y`` with X'X formed by a
  blocked BLAS syrk (fastml/linear_model/_linear_base.py, float64 accumulation) and
  solved by Cholesky; when n_features > n_samples the dual system
  ``(X X' + alpha I) c = y, w = X'c`` instead. A singular system falls back to the
  SVD.
- "svd": ``w = V diag(s / (s^2 + alpha)) U'y`` from the thin SVD of X.
- "auto": "cholesky" (or the bounded solver when ``positive=True``).
- "lsqr", "sparse_cg", "sag", "saga": iterative solvers of scikit-learn that converge
  to the same unique minimiser; fastml solves those requests exactly with the
  Cholesky path (``n_iter_`` is None).
- "lbfgs" (``positive=True``): the non-negative problem is solved exactly as a
  non-negative least-squares problem on the augmented design
  ``[X; sqrt(alpha) I]``, ``[y; 0]`` (scipy.optimize.nnls).

RidgeCV's leave-one-out errors use the closed form of generalised cross-validation:
with H the hat matrix of the ridge fit (intercept column unpenalised), the
leave-one-out residual is ``(y_i - yhat_i) / (1 - H_ii)``. With the decomposition of
the design augmented by the intercept column ``[X - mean, sqrt(s)]``, for every alpha
``(I - H) / alpha = U diag(1/(s^2 + alpha) - 1/alpha) U' + I / alpha`` with the
intercept's direction given the weight ``-1/alpha`` (no penalty); "svd" takes U from
the thin SVD of the augmented design, "eigen" from the eigendecomposition of
its covariance (n_samples > n_features) or of its Gram matrix (otherwise).
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from fastml.base import RegressorMixin
from fastml.linear_model._linear_base import (
    LinearModel,
    center_scale,
    centered_gram,
    centered_xty,
    check_param,
    weighted_offsets,
)
from fastml.utils.validation import check_sample_weight, check_scalar, validate_data

__all__ = ["Ridge", "RidgeCV"]

_SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")


def _check_alpha_array(alpha: Any, n_targets: int) -> np.ndarray:
    """Alphas as a float64 array of length 1 or n_targets."""
    alphas = np.atleast_1d(np.asarray(alpha, dtype=np.float64)).ravel()
    if np.any(alphas < 0):
        raise ValueError(
            f"alpha must be non-negative (alpha >= 0), got {np.asarray(alpha)!r}."
        )
    if alphas.size not in (1, n_targets):
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{alphas.size} != {n_targets}"
        )
    return alphas


def _solve_cholesky(
    X: np.ndarray,
    Y: np.ndarray,
    X_offset: np.ndarray,
    y_offset: np.ndarray,
    sw: np.ndarray | None,
    alphas: np.ndarray,
) -> np.ndarray:
    """Coefficients (n_targets, n_features) by the normal equations (float64)."""
    from scipy import linalg

    n_samples, n_features = X.shape
    n_targets = Y.shape[1]
    if n_features > n_samples:
        Xc, Yc = center_scale(X, Y, X_offset, y_offset, sw)
        Xc64 = Xc.astype(np.float64, copy=False)
        kernel = Xc64 @ Xc64.T
        dual = np.empty((n_samples, n_targets))
        for k in range(n_targets):
            a = alphas[0] if alphas.size == 1 else alphas[k]
            system = kernel + a * np.eye(n_samples)
            dual[:, k] = linalg.solve(system, Yc[:, k], assume_a="pos")
        return (Xc64.T @ dual).T
    gram = centered_gram(X, X_offset, sw)
    xty = centered_xty(X, Y, X_offset, y_offset, sw)
    coef = np.empty((n_targets, n_features))
    if alphas.size == 1 or np.all(alphas == alphas[0]):
        system = gram + alphas[0] * np.eye(n_features)
        coef[:] = linalg.solve(system, xty, assume_a="pos").T
        return coef
    for k in range(n_targets):
        system = gram + alphas[k] * np.eye(n_features)
        coef[k] = linalg.solve(system, xty[:, k], assume_a="pos")
    return coef


def _solve_svd(
    X: np.ndarray,
    Y: np.ndarray,
    X_offset: np.ndarray,
    y_offset: np.ndarray,
    sw: np.ndarray | None,
    alphas: np.ndarray,
) -> np.ndarray:
    Xc, Yc = center_scale(X, Y, X_offset, y_offset, sw)
    U, s, Vt = np.linalg.svd(Xc.astype(np.float64), full_matrices=False)
    keep = s > 1e-15
    s = s[keep]
    U = U[:, keep]
    Vt = Vt[keep]
    uty = U.T @ Yc.astype(np.float64)
    n_targets = Y.shape[1]
    coef = np.empty((n_targets, X.shape[1]))
    for k in range(n_targets):
        a = alphas[0] if alphas.size == 1 else alphas[k]
        coef[k] = Vt.T @ (s / (s * s + a) * uty[:, k])
    return coef


def _solve_positive(
    X: np.ndarray,
    Y: np.ndarray,
    X_offset: np.ndarray,
    y_offset: np.ndarray,
    sw: np.ndarray | None,
    alphas: np.ndarray,
) -> np.ndarray:
    from scipy import optimize

    Xc, Yc = center_scale(X, Y, X_offset, y_offset, sw)
    n_features = X.shape[1]
    coef = np.empty((Y.shape[1], n_features))
    for k in range(Y.shape[1]):
        a = alphas[0] if alphas.size == 1 else alphas[k]
        design = np.vstack([Xc.astype(np.float64), np.sqrt(a) * np.eye(n_features)])
        target = np.concatenate([Yc[:, k].astype(np.float64), np.zeros(n_features)])
        coef[k] = optimize.nnls(design, target)[0]
    return coef


class Ridge(RegressorMixin, LinearModel):
    """Linear least squares with an L2 penalty (ridge regression / Tikhonov).

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty strength (>= 0), one per target if an array.
    fit_intercept : bool, default=True
        Fit an (unpenalised) intercept.
    copy_X : bool, default=True
        X is never modified (kept for compatibility).
    max_iter : int or None, default=None
        Unused (all solvers are direct).
    tol : float, default=1e-4
        Unused (all solvers are direct).
    solver : {"auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", \
"lbfgs"}, default="auto"
        See the module notes: the iterative names are solved exactly by Cholesky;
        "lbfgs" requires ``positive=True``.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState or None, default=None
        Unused (no randomised solver).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : None
    solver_ : str
        The solver used ("cholesky", "svd" or "lbfgs").
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has string column names)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import Ridge
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> Ridge(alpha=1.0).fit(X, np.array([0.0, 0.1, 1.0])).coef_.round(4)
    array([0.35, 0.15])
    """

    def __init__(
        self,
        alpha: Any = 1.0,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        max_iter: int | None = None,
        tol: float = 1e-4,
        solver: str = "auto",
        positive: bool = False,
        random_state: Any = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit the ridge model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights (a float gives every sample that weight).

        Returns
        -------
        self : Ridge
            Fitted estimator.
        """
        owner = "Ridge"
        if not hasattr(self.alpha, "__len__") and not hasattr(self.alpha, "__array__"):
            check_param(owner, "alpha", self.alpha, "float", low=0.0, closed="left")
        check_param(owner, "fit_intercept", self.fit_intercept, "bool")
        check_param(owner, "copy_X", self.copy_X, "bool")
        check_param(owner, "positive", self.positive, "bool")
        check_param(owner, "solver", self.solver, "options", options=_SOLVERS)
        if self.positive and self.solver not in ("auto", "lbfgs"):
            raise ValueError(
                "solver='lbfgs' or 'auto' are the only solvers supporting "
                f"positive=True. Please change solver or set positive=False. Got "
                f"solver={self.solver!r}."
            )
        if self.solver == "lbfgs" and not self.positive:
            raise ValueError(
                "'lbfgs' solver can be used only when positive=True. Please use "
                "another solver."
            )
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=True,
        )
        y = np.asarray(y, dtype=X.dtype)
        self._fit_arrays(X, y, sample_weight, self.alpha)
        return self

    def _fit_arrays(
        self, X: np.ndarray, y: np.ndarray, sample_weight: Any, alpha: Any
    ) -> None:
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, X.shape[0], dtype=np.float64)
        Y = y[:, None] if y.ndim == 1 else y
        alphas = _check_alpha_array(alpha, Y.shape[1])
        X_offset, y_offset = weighted_offsets(X, Y, sw, bool(self.fit_intercept))
        y_off = np.asarray(y_offset, dtype=np.float64)
        if self.positive:
            solver = "lbfgs"
            coef = _solve_positive(X, Y, X_offset, y_off, sw, alphas)
        elif self.solver == "svd":
            solver = "svd"
            coef = _solve_svd(X, Y, X_offset, y_off, sw, alphas)
        else:
            solver = "cholesky"
            try:
                with warnings.catch_warnings():
                    # An ill-conditioned (but positive definite) system is solved as
                    # is; an exactly singular one falls back to the SVD below.
                    warnings.simplefilter("ignore")
                    coef = _solve_cholesky(X, Y, X_offset, y_off, sw, alphas)
                if not np.all(np.isfinite(coef)):
                    raise np.linalg.LinAlgError("non-finite solution")
            except np.linalg.LinAlgError:
                solver = "svd"
                coef = _solve_svd(X, Y, X_offset, y_off, sw, alphas)
        self.solver_ = solver
        self.n_iter_ = None
        if y.ndim == 1:
            self.coef_ = coef[0].astype(X.dtype)
            self._set_intercept(X_offset, float(y_off[0]), bool(self.fit_intercept))
        else:
            self.coef_ = coef.astype(X.dtype)
            self._set_intercept(X_offset, y_off, bool(self.fit_intercept))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _augmented_design(
    X: np.ndarray, X_offset: np.ndarray, sqrt_sw: np.ndarray, fit_intercept: bool
) -> np.ndarray:
    """``[sqrt(s) * (X - mean), sqrt(s)]`` (the last column only with an intercept)."""
    Xc = (X.astype(np.float64) - X_offset) * sqrt_sw[:, None]
    if fit_intercept:
        return np.hstack([Xc, sqrt_sw[:, None]])
    return Xc


def _loo_basis(design: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Left singular vectors U (n_samples, r) and squared singular values of the
    design, keeping the directions with a non-zero singular value."""
    n_samples, n_columns = design.shape
    if mode == "svd":
        U, s, _ = np.linalg.svd(design, full_matrices=False)
        s2 = s * s
    elif n_samples <= n_columns:  # eigen of the Gram matrix
        s2, U = np.linalg.eigh(design @ design.T)
    else:  # eigen of the covariance, U = design V / s
        s2, V = np.linalg.eigh(design.T @ design)
        s2 = np.maximum(s2, 0.0)
        keep = s2 > s2.max() * n_columns * np.finfo(np.float64).eps
        s2, V = s2[keep], V[:, keep]
        U = design @ V / np.sqrt(s2)
        return U, s2
    keep = s2 > max(s2.max(), 0.0) * max(design.shape) * np.finfo(np.float64).eps
    return U[:, keep], s2[keep]


class _IdentityRegressor:
    """Stands in for an estimator whose predictions are already known."""

    _estimator_type = "regressor"

    def predict(self, X: np.ndarray) -> np.ndarray:
        return X


def _score_predictions(
    scorer: Any,
    predictions: np.ndarray,
    Y: np.ndarray,
    y_ndim: int,
    per_target: bool,
    sample_weight: np.ndarray | None,
) -> Any:
    identity = _IdentityRegressor()
    kw = {} if sample_weight is None else {"sample_weight": sample_weight}
    if per_target:
        return np.array(
            [
                scorer(identity, predictions[:, k], Y[:, k], **kw)
                for k in range(Y.shape[1])
            ]
        )
    if y_ndim == 1:
        return float(scorer(identity, predictions[:, 0], Y[:, 0], **kw))
    return float(scorer(identity, predictions, Y, **kw))


class RidgeCV(RegressorMixin, LinearModel):
    """Ridge regression choosing alpha by (efficient) leave-one-out or k-fold CV.

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties (> 0 for leave-one-out).
    fit_intercept : bool, default=True
        Fit an (unpenalised) intercept.
    scoring : str, callable or None, default=None
        None: leave-one-out mean squared error (cv=None) or the R^2 of
        ``Ridge.score`` (k-fold). Otherwise a scorer name or callable, applied to
        the leave-one-out predictions (cv=None) or to each fold.
    cv : int, splitter, iterable or None, default=None
        None: efficient leave-one-out; otherwise k-fold cross-validation through
        fastml.model_selection.
    gcv_mode : {"auto", "svd", "eigen"} or None, default=None
        Decomposition used by leave-one-out (see the module notes).
    store_cv_results : bool, default=False
        Keep the leave-one-out squared errors in ``cv_results_``.
    alpha_per_target : bool, default=False
        Choose one alpha per target (leave-one-out only).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
        Score of the chosen alpha (the negative mean squared leave-one-out error
        for cv=None, scoring=None).
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, \
n_targets, n_alphas)
        Squared leave-one-out errors (scoring=None) or leave-one-out predictions
        (with a scorer); ``store_cv_results=True`` only.
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has string column names)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import RidgeCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(30, 3)
    >>> y = X @ np.array([1.0, 0.0, -2.0]) + 0.1 * rng.randn(30)
    >>> float(RidgeCV(alphas=[0.01, 1.0, 100.0]).fit(X, y).alpha_)
    0.01
    """

    def __init__(
        self,
        alphas: Any = (0.1, 1.0, 10.0),
        *,
        fit_intercept: bool = True,
        scoring: Any = None,
        cv: Any = None,
        gcv_mode: str | None = None,
        store_cv_results: bool = False,
        alpha_per_target: bool = False,
    ) -> None:
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RidgeCV:
        """Fit the ridge model with the alpha chosen by cross-validation.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : RidgeCV
            Fitted estimator.
        """
        owner = "RidgeCV"
        check_param(owner, "fit_intercept", self.fit_intercept, "bool")
        check_param(owner, "store_cv_results", self.store_cv_results, "bool")
        check_param(owner, "alpha_per_target", self.alpha_per_target, "bool")
        check_param(
            owner,
            "gcv_mode",
            self.gcv_mode,
            "options",
            options=(None, "auto", "svd", "eigen"),
        )
        alphas_in = self.alphas
        if isinstance(alphas_in, numbers.Number):
            alphas_list = [alphas_in]
        else:
            alphas_list = list(np.asarray(alphas_in).ravel())
        for index, alpha in enumerate(alphas_list):
            if isinstance(alpha, np.generic):
                alpha = alpha.item()
            check_scalar(
                alpha,
                f"alphas[{index}]",
                numbers.Real,
                min_val=0.0,
                include_boundaries="neither" if self.cv is None else "left",
            )
        alphas = np.asarray(alphas_list, dtype=np.float64)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            multi_output=True,
            y_numeric=True,
        )
        y = np.asarray(y, dtype=X.dtype)
        if self.cv is None:
            self._fit_loo(X, y, sample_weight, alphas)
        else:
            self._fit_kfold(X, y, sample_weight, alphas)
        return self

    def _fit_loo(
        self, X: np.ndarray, y: np.ndarray, sample_weight: Any, alphas: np.ndarray
    ) -> None:
        scorer = None
        if self.scoring is not None:
            from fastml.model_selection import get_scorer

            scorer = get_scorer(self.scoring)
        n_samples = X.shape[0]
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, n_samples, dtype=np.float64)
        Y = y[:, None] if y.ndim == 1 else y
        n_targets = Y.shape[1]
        X_offset, y_offset = weighted_offsets(X, Y, sw, bool(self.fit_intercept))
        sqrt_sw = np.ones(n_samples) if sw is None else np.sqrt(sw)
        design = _augmented_design(X, X_offset, sqrt_sw, bool(self.fit_intercept))
        Yc = (Y.astype(np.float64) - np.asarray(y_offset)) * sqrt_sw[:, None]
        mode = "svd" if self.gcv_mode == "svd" else "eigen"
        U, s2 = _loo_basis(design, mode)
        intercept_dim = -1
        if self.fit_intercept:
            cosines = np.abs(U.T @ sqrt_sw) / np.linalg.norm(sqrt_sw)
            intercept_dim = int(np.argmax(cosines))
        uty = U.T @ Yc
        u2 = U * U
        per_target = bool(self.alpha_per_target) and n_targets > 1
        if self.store_cv_results:
            cv_results = np.empty((n_samples, n_targets, alphas.size))
        best_score: Any = None
        best_alpha: Any = None
        for i, alpha in enumerate(alphas):
            weights = 1.0 / (s2 + alpha) - 1.0 / alpha
            if intercept_dim >= 0:
                weights[intercept_dim] = -1.0 / alpha
            # (I - H) y / alpha and diag(I - H) / alpha
            c = U @ (weights[:, None] * uty) + Yc / alpha
            g_diag = u2 @ weights + 1.0 / alpha
            looe = c / g_diag[:, None]
            if scorer is None:
                squared = looe**2
                if self.store_cv_results:
                    cv_results[:, :, i] = squared
                score = -squared.mean(axis=0) if per_target else -float(squared.mean())
            else:
                # Leave-one-out predictions in the original scale of y.
                predictions = Y.astype(np.float64) - looe / sqrt_sw[:, None]
                if self.store_cv_results:
                    cv_results[:, :, i] = predictions
                score = _score_predictions(
                    scorer, predictions, Y.astype(np.float64), y.ndim, per_target, sw
                )
            if best_score is None:
                best_score = score
                best_alpha = np.full(n_targets, alpha) if per_target else alpha
            elif per_target:
                better = score > best_score
                best_score = np.where(better, score, best_score)
                best_alpha = np.where(better, alpha, best_alpha)
            elif score > best_score:
                best_score, best_alpha = score, alpha
        self.alpha_ = best_alpha if per_target else float(best_alpha)
        self.best_score_ = best_score
        if self.store_cv_results:
            self.cv_results_ = (
                cv_results[:, 0, :] if y.ndim == 1 else cv_results
            ).astype(X.dtype)
        ridge = Ridge(alpha=1.0, fit_intercept=self.fit_intercept)
        ridge._fit_arrays(X, y, sw, np.asarray(self.alpha_))
        self.coef_ = ridge.coef_
        self.intercept_ = ridge.intercept_

    def _fit_kfold(
        self, X: np.ndarray, y: np.ndarray, sample_weight: Any, alphas: np.ndarray
    ) -> None:
        from fastml.model_selection import check_cv, cross_val_score

        if self.store_cv_results:
            raise ValueError("cv!=None and store_cv_results=True are incompatible")
        if self.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible")
        cv = check_cv(self.cv, y)
        params = {} if sample_weight is None else {"sample_weight": sample_weight}
        best_score = -np.inf
        best_alpha = float(alphas[0])
        for alpha in alphas:
            scores = cross_val_score(
                Ridge(alpha=float(alpha), fit_intercept=self.fit_intercept),
                X,
                y,
                cv=cv,
                scoring=self.scoring,
                params=params,
            )
            score = float(np.mean(scores))
            if score > best_score:
                best_score, best_alpha = score, float(alpha)
        self.alpha_ = best_alpha
        self.best_score_ = best_score
        ridge = Ridge(alpha=best_alpha, fit_intercept=self.fit_intercept)
        ridge.fit(X, y, sample_weight=sample_weight)
        self.coef_ = ridge.coef_
        self.intercept_ = ridge.intercept_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
