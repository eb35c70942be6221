"""Lasso and elastic net by coordinate descent; their regularisation paths.

The objective (per target) is scikit-learn's::

    1 / (2 n_samples) ||y - X w||^2 + alpha * l1_ratio * ||w||_1
        + alpha * (1 - l1_ratio) / 2 * ||w||^2

solved by the kernels of fastml/kernels/linear/cd.py with scikit-learn's stopping
rule (duality gap below ``tol * ||y||^2`` checked after epochs whose largest
coefficient change is below ``tol`` times the largest coefficient) and Gap Safe
screening, so the iterates and the epoch at which they stop are those of
scikit-learn.

Solver choice: when n_samples > n_features (and n_features <= 2048) the Gram
matrix X'X is formed once by a blocked BLAS product and coordinate descent runs on
it: an update costs O(n_features) instead of O(n_samples), and the Gram product
(a BLAS-3 pass) costs about as much as two or three epochs of the residual
updates. The updates are the same as the residual ones in exact arithmetic, so the
coefficients agree with scikit-learn's to rounding for every ``precompute`` value;
``precompute=False`` therefore means "no user Gram matrix required" and the
cheaper solver is chosen. A user-supplied Gram matrix is used as given.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from fastml.base import RegressorMixin
from fastml.exceptions import ConvergenceWarning
from fastml.linear_model._linear_base import (
    LinearModel,
    centered_gram,
    centered_xty,
    check_param,
    weighted_offsets,
)
from fastml.utils.validation import (
    check_array,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["ElasticNet", "Lasso", "enet_path", "lasso_path"]

_RAND_R_MAX = 2147483647
_GRAM_MAX_FEATURES = 2048

_MESSAGE_CONV = (
    "Objective did not converge. You might want to increase the number of "
    "iterations, check the scale of the features or consider increasing "
    "regularisation."
)
_MESSAGE_RIDGE = (
    "Linear regression models with a zero l1 penalization strength are more "
    "efficiently fitted using one of the solvers implemented in "
    "fastml.linear_model.Ridge/RidgeCV instead."
)


@dataclass
class _Problem:
    """A centred (weighted) least-squares problem for one target.

    Either the Gram form (``gram``, ``xty``, ``y_norm2``) or the column form
    (``xt``: X' as C-contiguous (n_features, n_samples), ``y``).
    """

    n_samples: int
    n_features: int
    gram: np.ndarray | None = None
    xty: np.ndarray | None = None
    y_norm2: float = 0.0
    xt: np.ndarray | None = None
    y: np.ndarray | None = None

    def alpha_max(self, l1_ratio: float, positive: bool) -> float:
        xty = self.xty
        if xty is None:
            assert self.xt is not None and self.y is not None
            xty = self.xt.astype(np.float64) @ self.y.astype(np.float64)
        top = max(0.0, float(np.max(xty))) if positive else float(np.max(np.abs(xty)))
        return top / (self.n_samples * l1_ratio)


def _use_gram(precompute: Any, n_samples: int, n_features: int) -> bool:
    if isinstance(precompute, str):  # "auto"
        return n_samples > n_features
    if precompute is True:
        return True
    return n_samples > n_features and n_features <= _GRAM_MAX_FEATURES


def _make_problems(
    X: np.ndarray,
    Y: np.ndarray,
    X_offset: np.ndarray,
    y_offset: Any,
    sample_weight: np.ndarray | None,
    use_gram: bool,
    gram: np.ndarray | None = None,
    n_threads: int | None = None,
) -> list[_Problem]:
    """One problem per column of Y (2-D), sharing the Gram matrix or X'."""
    n_samples, n_features = X.shape
    y_off = np.atleast_1d(np.asarray(y_offset, dtype=np.float64))
    problems = []
    if use_gram:
        if gram is None:
            gram = centered_gram(X, X_offset, sample_weight, n_threads)
        xty = centered_xty(X, Y, X_offset, y_off, sample_weight)
        for k in range(Y.shape[1]):
            yc = Y[:, k].astype(np.float64) - y_off[k]
            w2 = yc * yc if sample_weight is None else sample_weight * yc * yc
            problems.append(
                _Problem(n_samples, n_features, gram, xty[:, k], float(np.sum(w2)))
            )
        return problems
    xt = np.empty((n_features, n_samples), dtype=X.dtype)
    np.subtract(X.T, X_offset.astype(X.dtype)[:, None], out=xt)
    root = None
    if sample_weight is not None:
        root = np.sqrt(sample_weight).astype(X.dtype)
        xt *= root[None, :]
    for k in range(Y.shape[1]):
        yc = (Y[:, k].astype(np.float64) - y_off[k]).astype(X.dtype)
        if root is not None:
            yc = yc * root
        problems.append(_Problem(n_samples, n_features, xt=xt, y=yc))
    return problems


def _solve_path(
    problem: _Problem,
    alphas: np.ndarray,
    l1_ratio: float,
    coef_init: np.ndarray | None,
    *,
    max_iter: int,
    tol: float,
    rng: np.random.RandomState,
    random: bool,
    positive: bool,
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Coefficients (n_features, n_alphas), scaled gaps and epochs along ``alphas``.

    Each fit starts from the previous one (warm start along the path).
    """
    from fastml.kernels.linear.cd import enet_cd_gram, enet_cd_residual

    n = problem.n_samples
    w = (
        np.zeros(problem.n_features)
        if coef_init is None
        else np.array(coef_init, dtype=np.float64).ravel()
    )
    coefs = np.empty((problem.n_features, len(alphas)))
    gaps = np.empty(len(alphas))
    n_iters = []
    for i, alpha in enumerate(alphas):
        l1_reg = float(alpha) * l1_ratio * n
        l2_reg = float(alpha) * (1.0 - l1_ratio) * n
        seed = int(rng.randint(0, _RAND_R_MAX))
        if problem.gram is not None:
            gap, tol_scaled, n_iter, converged = enet_cd_gram(
                w, l1_reg, l2_reg, problem.gram, problem.xty, problem.y_norm2,
                int(max_iter), float(tol), seed, random, positive, True,
            )  # fmt: skip
        else:
            gap, tol_scaled, n_iter, converged = enet_cd_residual(
                w, l1_reg, l2_reg, problem.xt, problem.y, int(max_iter), float(tol),
                seed, random, positive, True,
            )  # fmt: skip
        if not converged:
            message = (
                f"{_MESSAGE_CONV} Duality gap: {gap:.6e}, tolerance: {tol_scaled:.3e}"
            )
            if l1_reg < np.finfo(np.float64).eps:
                message += "\n" + _MESSAGE_RIDGE
            warnings.warn(message, ConvergenceWarning, stacklevel=4)
        coefs[:, i] = w
        gaps[i] = gap / n
        n_iters.append(int(n_iter))
    return coefs, gaps, n_iters


def _alpha_grid_from_max(alpha_max: float, eps: float, n_alphas: int) -> np.ndarray:
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def _resolve_path_alphas(n_alphas: Any, alphas: Any) -> Any:
    """scikit-learn 1.9's transition: ``alphas`` an int or a grid, ``n_alphas``
    deprecated."""
    count: Any = 100
    if not (isinstance(n_alphas, str) and n_alphas == "deprecated"):
        warnings.warn(
            "'n_alphas' was deprecated in 1.9 and will be removed in 1.11. 'alphas' "
            "now accepts an integer value which removes the need to pass 'n_alphas'. "
            "The default value of 'alphas' will change from None to 100 in 1.11. Pass "
            "an explicit value to 'alphas' and leave 'n_alphas' to its default value "
            "to silence this warning.",
            FutureWarning,
            stacklevel=3,
        )
        count = n_alphas
    if isinstance(alphas, str) and alphas == "warn":
        return count
    if alphas is None:
        warnings.warn(
            "'alphas=None' is deprecated and will be removed in 1.11, at which point "
            "the default value will be set to 100. Set 'alphas=100' to silence this "
            "warning.",
            FutureWarning,
            stacklevel=3,
        )
        return count
    return alphas


def enet_path(
    X: Any,
    y: Any,
    *,
    l1_ratio: float = 0.5,
    eps: float = 1e-3,
    n_alphas: Any = "deprecated",
    alphas: Any = "warn",
    precompute: Any = "auto",
    Xy: Any = None,
    copy_X: bool = True,
    coef_init: Any = None,
    verbose: Any = False,
    return_n_iter: bool = False,
    positive: bool = False,
    check_input: bool = True,
    **params: Any,
) -> tuple[Any, ...]:
    """Compute the elastic-net regularisation path by coordinate descent.

    The objective is ``1 / (2 n_samples) ||y - X w||^2 + alpha * l1_ratio ||w||_1
    + alpha * (1 - l1_ratio) / 2 ||w||^2``; X and y are used as given (no centring).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Target (one target; multi-task paths are not implemented).
    l1_ratio : float, default=0.5
        Mixing parameter in (0, 1]; 1 is the lasso.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default="deprecated"
        Deprecated spelling of an integer ``alphas``.
    alphas : int or array-like, default=100 (spelled "warn")
        Number of alphas of the automatic grid, or the alphas themselves (sorted
        in decreasing order before use).
    precompute : "auto", bool or array-like of shape (n_features, n_features)
        Gram matrix use (see the module notes); an array is used as X'X.
    Xy : array-like of shape (n_features,), default=None
        Precomputed X'y (only used with a Gram matrix).
    copy_X : bool, default=True
        Unused: X is never modified.
    coef_init : array-like of shape (n_features,), default=None
        Starting coefficients.
    verbose : bool or int, default=False
        Unused (no output).
    return_n_iter : bool, default=False
        Also return the number of epochs per alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    check_input : bool, default=True
        Validate X and y.
    **params : dict
        ``tol`` (1e-4), ``max_iter`` (1000), ``random_state`` (None) and
        ``selection`` ("cyclic" or "random").

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : list of int (when ``return_n_iter``)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import enet_path
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> alphas, coefs, gaps = enet_path(X, np.array([1.0, 0.0, 1.0]), alphas=3)
    >>> coefs.shape
    (2, 3)
    """
    tol = params.pop("tol", 1e-4)
    max_iter = params.pop("max_iter", 1000)
    random_state = params.pop("random_state", None)
    selection = params.pop("selection", "cyclic")
    if params:
        raise ValueError("Unexpected parameters in params", params.keys())
    if selection not in ("random", "cyclic"):
        raise ValueError("selection should be either random or cyclic.")
    grid = _resolve_path_alphas(n_alphas, alphas)
    if check_input:
        X = check_array(X, dtype=(np.float64, np.float32), order="C")
        y = check_array(y, dtype=X.dtype, ensure_2d=False, input_name="y")
    X = np.asarray(X)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(
            "fastml's enet_path fits one target at a time: pass a 1-D y "
            "(multi-task paths are not implemented)."
        )
    n_samples, n_features = X.shape
    zeros = np.zeros(n_features)
    if hasattr(precompute, "__array__"):
        gram = np.ascontiguousarray(precompute, dtype=np.float64)
        xty = (
            np.asarray(Xy, dtype=np.float64).ravel()
            if Xy is not None
            else np.asarray(X.T @ y, dtype=np.float64)
        )
        problem = _Problem(
            n_samples, n_features, gram, xty, float(np.dot(y, y.astype(np.float64)))
        )
    else:
        problem = _make_problems(
            X, y[:, None], zeros, 0.0, None, _use_gram(precompute, *X.shape)
        )[0]
        if Xy is not None and problem.gram is not None:
            problem.xty = np.asarray(Xy, dtype=np.float64).ravel()
    if isinstance(grid, numbers.Integral):
        if l1_ratio == 0:
            raise ValueError(
                "Automatic alpha grid generation is not supported for l1_ratio=0. "
                "Please supply a grid by providing your estimator with the "
                "appropriate `alphas=` argument."
            )
        grid_alphas = _alpha_grid_from_max(
            problem.alpha_max(l1_ratio, positive), eps, int(grid)
        )
    else:
        grid_alphas = np.sort(np.asarray(grid, dtype=np.float64).ravel())[::-1]
    coefs, gaps, n_iters = _solve_path(
        problem,
        grid_alphas,
        float(l1_ratio),
        coef_init,
        max_iter=max_iter,
        tol=tol,
        rng=check_random_state(random_state),
        random=selection == "random",
        positive=bool(positive),
    )
    coefs = coefs.astype(X.dtype)
    if return_n_iter:
        return grid_alphas, coefs, gaps, n_iters
    return grid_alphas, coefs, gaps


def lasso_path(
    X: Any,
    y: Any,
    *,
    eps: float = 1e-3,
    n_alphas: Any = "deprecated",
    alphas: Any = "warn",
    precompute: Any = "auto",
    Xy: Any = None,
    copy_X: bool = True,
    coef_init: Any = None,
    verbose: Any = False,
    return_n_iter: bool = False,
    positive: bool = False,
    **params: Any,
) -> tuple[Any, ...]:
    """Compute the lasso path by coordinate descent: :func:`enet_path` with
    ``l1_ratio=1``.

    Parameters
    ----------
    X, y, eps, n_alphas, alphas, precompute, Xy, copy_X, coef_init, verbose, \
return_n_iter, positive, **params
        As in :func:`enet_path`.

    Returns
    -------
    alphas, coefs, dual_gaps[, n_iters]
        As in :func:`enet_path`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import lasso_path
    >>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.5]])
    >>> alphas, coefs, _ = lasso_path(X, np.array([1.0, 2.0, 3.1]), alphas=[1.0, 0.1])
    >>> coefs.shape
    (2, 2)
    """
    return enet_path(
        X,
        y,
        l1_ratio=1.0,
        eps=eps,
        n_alphas=n_alphas,
        alphas=alphas,
        precompute=precompute,
        Xy=Xy,
        copy_X=copy_X,
        coef_init=coef_init,
        verbose=verbose,
        return_n_iter=return_n_iter,
        positive=positive,
        **params,
    )


class ElasticNet(RegressorMixin, LinearModel):
    """Linear regression with combined L1 and L2 penalties (coordinate descent).

    Minimises ``1 / (2 n_samples) ||y - X w||^2 + alpha * l1_ratio ||w||_1
    + alpha * (1 - l1_ratio) / 2 ||w||^2`` (sample weights rescaled to sum to
    n_samples weight the squared errors).

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0; 0 is least squares, better fitted by
        LinearRegression).
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1]: 1 is the lasso, 0 the ridge penalty.
    fit_intercept : bool, default=True
        Fit an intercept (the data are centred first).
    precompute : bool, "auto" or array-like of shape (n_features, n_features), \
default=False
        Gram matrix X'X to use; fastml chooses the Gram solver by itself when
        n_samples > n_features (same iterates, see the module notes).
    max_iter : int, default=1000
        Maximum number of epochs.
    copy_X : bool, default=True
        X is never modified (kept for compatibility).
    tol : float, default=1e-4
        Tolerance: the duality gap must fall below ``tol * ||y||^2``.
    warm_start : bool, default=False
        Start from the previous ``coef_``.
    positive : bool, default=False
        Constrain coefficients to be non-negative.
    random_state : int, RandomState or None, default=None
        Seed of the random coordinate order (``selection="random"``).
    selection : {"cyclic", "random"}, default="cyclic"
        Coordinate order.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the end of the optimisation (of the objective above).
    n_iter_ : int or list of int
        Epochs run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str (when X has string column names)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import ElasticNet
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 2.0]])
    >>> model = ElasticNet(alpha=0.01).fit(X, np.array([1.0, 1.0, 3.0, 5.0]))
    >>> model.coef_.round(2)
    array([1.  , 0.98])
    """

    _path_l1_ratio_fixed: float | None = None

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        precompute: Any = False,
        max_iter: int = 1000,
        copy_X: bool = True,
        tol: float = 1e-4,
        warm_start: bool = False,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratio(self) -> float:
        return float(self.l1_ratio)

    def _validate_params(self) -> None:
        owner = type(self).__name__
        check_param(owner, "alpha", self.alpha, "float", low=0.0, closed="left")
        if "l1_ratio" in self.get_params():
            check_param(owner, "l1_ratio", self.l1_ratio, "float", low=0.0, high=1.0)
        check_param(owner, "fit_intercept", self.fit_intercept, "bool")
        if not hasattr(self.precompute, "__array__"):
            check_param(owner, "precompute", self.precompute, "bool", options=("auto",))
        check_param(owner, "max_iter", self.max_iter, "int", low=1, closed="left")
        check_param(owner, "copy_X", self.copy_X, "bool")
        check_param(owner, "tol", self.tol, "float", low=0.0, closed="left")
        check_param(owner, "warm_start", self.warm_start, "bool")
        check_param(owner, "positive", self.positive, "bool")
        check_param(
            owner, "selection", self.selection, "options", options=("cyclic", "random")
        )

    def fit(
        self, X: Any, y: Any, sample_weight: Any = None, check_input: bool = True
    ) -> ElasticNet:
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets (each target is fitted separately).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled internally to sum to n_samples.
        check_input : bool, default=True
            Kept for compatibility; inputs are always validated.

        Returns
        -------
        self : ElasticNet
            Fitted estimator.
        """
        self._validate_params()
        if self.alpha == 0:
            warnings.warn(
                "With alpha=0, this algorithm does not converge well. You are "
                "advised to use the LinearRegression estimator",
                stacklevel=2,
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
        n_samples, n_features = X.shape
        if isinstance(sample_weight, numbers.Number):
            sample_weight = None
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, n_samples, dtype=np.float64)
            sw = sw * (n_samples / np.sum(sw))
        Y = y[:, None] if y.ndim == 1 else y
        X_offset, y_offset = weighted_offsets(X, Y, sw, bool(self.fit_intercept))
        user_gram = None
        if hasattr(self.precompute, "__array__"):
            if self.fit_intercept and not np.allclose(X_offset, 0.0):
                warnings.warn(
                    "Gram matrix was provided but X was centered to fit intercept: "
                    "recomputing Gram matrix.",
                    UserWarning,
                    stacklevel=2,
                )
            else:
                user_gram = np.ascontiguousarray(self.precompute, dtype=np.float64)
        use_gram = user_gram is not None or _use_gram(
            self.precompute, n_samples, n_features
        )
        problems = _make_problems(X, Y, X_offset, y_offset, sw, use_gram, user_gram)
        n_targets = Y.shape[1]
        if self.warm_start and hasattr(self, "coef_"):
            start = np.atleast_2d(np.asarray(self.coef_, dtype=np.float64))
        else:
            start = np.zeros((n_targets, n_features))
        rng = check_random_state(self.random_state)
        coef = np.empty((n_targets, n_features))
        gaps = np.empty(n_targets)
        n_iters = []
        for k, problem in enumerate(problems):
            c, g, it = _solve_path(
                problem,
                np.array([float(self.alpha)]),
                self._l1_ratio(),
                start[k],
                max_iter=self.max_iter,
                tol=self.tol,
                rng=rng,
                random=self.selection == "random",
                positive=bool(self.positive),
            )
            coef[k] = c[:, 0]
            gaps[k] = g[0]
            n_iters.append(it[0])
        if n_targets == 1 and y.ndim == 1:
            self.coef_ = coef[0].astype(X.dtype)
            self.dual_gap_: Any = float(gaps[0])
            self.n_iter_: Any = n_iters[0]
            self._set_intercept(
                X_offset, float(np.atleast_1d(y_offset)[0]), bool(self.fit_intercept)
            )
        else:
            self.coef_ = coef.astype(X.dtype)
            self.dual_gap_ = gaps
            self.n_iter_ = n_iters
            self._set_intercept(X_offset, np.atleast_1d(y_offset), self.fit_intercept)
        if not (
            np.all(np.isfinite(self.coef_)) and np.all(np.isfinite(self.intercept_))
        ):
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter "
                "values. The input data may contain large values and need to be "
                "preprocessed."
            )
        return self

    @property
    def sparse_coef_(self) -> Any:
        """``coef_`` as a scipy sparse CSR matrix."""
        from scipy import sparse

        return sparse.csr_matrix(np.atleast_2d(self.coef_))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty (the lasso), by coordinate descent.

    Minimises ``1 / (2 n_samples) ||y - X w||^2 + alpha ||w||_1``.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength (>= 0).
    fit_intercept, precompute, copy_X, max_iter, tol, warm_start, positive, \
random_state, selection
        As in :class:`ElasticNet`.

    Attributes
    ----------
    coef_, intercept_, dual_gap_, n_iter_, n_features_in_, feature_names_in_
        As in :class:`ElasticNet`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import Lasso
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> Lasso(alpha=0.1).fit(X, np.array([0.0, 1.0, 2.0])).coef_
    array([0.85, 0.  ])
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        precompute: Any = False,
        copy_X: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _l1_ratio(self) -> float:
        return 1.0
