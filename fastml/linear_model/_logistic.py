"""Logistic regression (binary and multinomial) with l2, l1, elastic-net or no penalty.

Objective (scikit-learn 1.9's, so that coefficients agree): with per-sample weights
s_i (sample_weight times class_weight), r = l1_ratio,

    C * sum_i s_i loss_i(W, b) + (1 - r) / 2 ||W||_F^2 + r ||W||_1,

the intercepts b unpenalised; loss_i is the binary log-loss of the score
x_i . w + b (y coded 1 for ``classes_[1]``), or for three classes or more the
multinomial (softmax) cross-entropy over K score rows (K coefficient rows, no
reference class, as scikit-learn fits them). C = inf drops the penalty.

Solvers:

- "lbfgs": scipy's L-BFGS-B drives the optimisation on the objective divided by
  C * sum_i s_i (scikit-learn's scaling, so ``tol`` is the same gradient
  tolerance and the iterations follow the same path), with the loss and gradient
  from one fused compiled pass over X (fastml.kernels.linear.logistic).
- "saga": SAGA (Defazio et al. 2014) in a compiled serial kernel, for l1 and
  elastic-net (and l2 / none), with scikit-learn's step size and stopping rule.
- "newton-cg", "newton-cholesky": accepted for compatibility and solved by the
  L-BFGS driver (the same objective and optimum; ``n_iter_`` counts L-BFGS
  iterations). "sag": solved by the SAGA kernel (SAG's objective is SAGA's with
  no L1 part). "liblinear" is not implemented (it also penalises the intercept,
  a different objective): a ValueError says so.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import BaseEstimator, ClassifierMixin
from fastml.exceptions import ConvergenceWarning, InvalidParameterError
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import (
    check_is_fitted,
    check_sample_weight,
    seed_from_random_state,
    validate_data,
)

__all__ = ["LogisticRegression"]

_SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")
_LBFGS_LIKE = ("lbfgs", "newton-cg", "newton-cholesky")

_CONVERGENCE_HELP = (
    "Please also refer to the documentation for alternative solver options:\n"
    "    https://scikit-learn.org/stable/modules/linear_model.html"
    "#logistic-regression"
)


def _kernels() -> Any:
    from fastml.kernels.linear import logistic

    return logistic


# Below this many entries of X one evaluation takes well under a millisecond and a
# second thread costs more (hand-off and wake-up) than it saves.
_MIN_ENTRIES_PER_THREAD = 250_000


def _loss_gradient(
    X: np.ndarray,
    target: np.ndarray,
    sample_weight: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    grad: np.ndarray,
    n_threads: int,
) -> float:
    """Summed weighted log-loss and its gradient at (coef, intercept), one pass.

    ``coef`` is (n_features, K) with K = 1 (binary: ``target`` 0/1 float64) or the
    number of classes (multinomial: ``target`` int64 labels); ``grad`` (OUT) is
    (n_features + 1, K), the intercepts' gradient in the last row. The row blocks
    are split over ``n_threads`` Python threads (serial nogil kernels), and the
    per-block sums added in block order: the result is the same for any
    ``n_threads``.
    """
    from fastml._parallel import run_chunks

    kernels = _kernels()
    n_samples, n_features = X.shape
    n_rows = coef.shape[1]
    n_blocks = max(1, -(-n_samples // kernels.BLOCK_ROWS))
    n_threads = max(1, min(n_threads, X.size // _MIN_ENTRIES_PER_THREAD))
    partial_loss = np.zeros(n_blocks)
    if coef.shape[1] == 1 and target.dtype == np.float64:
        partial = np.zeros((n_blocks, n_features + 1))
        w = np.ascontiguousarray(coef[:, 0])
        b = float(intercept[0])

        def run(start: int, stop: int) -> None:
            kernels.loss_gradient_binary(
                X, target, sample_weight, w, b, start, stop, partial, partial_loss
            )

        run_chunks(run, n_blocks, n_threads)
        grad[:, 0] = partial.sum(axis=0)
    else:
        partial3 = np.zeros((n_blocks, n_features + 1, n_rows))
        W = np.ascontiguousarray(coef)
        c = np.ascontiguousarray(intercept)

        def run3(start: int, stop: int) -> None:
            kernels.loss_gradient_multinomial(
                X, target, sample_weight, W, c, start, stop, partial3, partial_loss
            )

        run_chunks(run3, n_blocks, n_threads)
        grad[:] = partial3.sum(axis=0)
    return float(partial_loss.sum())


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _param_error(name: str, expected: str, value: Any) -> InvalidParameterError:
    return InvalidParameterError(
        f"The '{name}' parameter of LogisticRegression must be {expected}. "
        f"Got {value!r} instead."
    )


def _validate_params(est: LogisticRegression) -> None:
    """Type and range checks, worded as scikit-learn words them."""
    if not (
        est.penalty is None or est.penalty in ("l1", "l2", "elasticnet", "deprecated")
    ):
        raise _param_error(
            "penalty", "a str among {'elasticnet', 'l1', 'l2'} or None", est.penalty
        )
    if not _is_real(est.C) or np.isnan(est.C) or est.C <= 0:
        raise _param_error("C", "a float in the range (0.0, inf]", est.C)
    if est.l1_ratio is not None and (
        not _is_real(est.l1_ratio) or not 0 <= est.l1_ratio <= 1
    ):
        raise _param_error(
            "l1_ratio", "a float in the range [0.0, 1.0] or None", est.l1_ratio
        )
    for name in ("dual", "fit_intercept", "warm_start"):
        if not isinstance(getattr(est, name), (bool, np.bool_)):
            raise _param_error(name, "an instance of 'bool'", getattr(est, name))
    if not _is_real(est.tol) or np.isnan(est.tol) or est.tol < 0:
        raise _param_error("tol", "a float in the range [0.0, inf)", est.tol)
    if not _is_real(est.intercept_scaling) or not est.intercept_scaling > 0:
        raise _param_error(
            "intercept_scaling",
            "a float in the range (0.0, inf)",
            est.intercept_scaling,
        )
    if not (
        est.class_weight is None
        or isinstance(est.class_weight, dict)
        or (isinstance(est.class_weight, str) and est.class_weight == "balanced")
    ):
        raise _param_error(
            "class_weight",
            "an instance of 'dict', a str among {'balanced'} or None",
            est.class_weight,
        )
    if not (isinstance(est.solver, str) and est.solver in _SOLVERS):
        raise _param_error(
            "solver",
            "a str among {" + ", ".join(repr(s) for s in sorted(_SOLVERS)) + "}",
            est.solver,
        )
    if (
        not isinstance(est.max_iter, numbers.Integral)
        or isinstance(est.max_iter, (bool, np.bool_))
        or est.max_iter < 0
    ):
        raise _param_error("max_iter", "an int in the range [0, inf)", est.max_iter)
    if est.n_jobs is not None and (
        not isinstance(est.n_jobs, numbers.Integral) or isinstance(est.n_jobs, bool)
    ):
        raise _param_error("n_jobs", "an instance of 'int' or None", est.n_jobs)


def _resolve_penalty(est: LogisticRegression) -> tuple[str | None, float]:
    """The effective penalty and C, with scikit-learn 1.9's deprecation warnings."""
    l1_ratio = est.l1_ratio
    if est.penalty == "deprecated":
        if l1_ratio is None or l1_ratio == 0:
            penalty: str | None = "l2"
            if l1_ratio is None:
                warnings.warn(
                    "'l1_ratio=None' was deprecated in version 1.8 and will trigger "
                    "an error in 1.10. Use 0<=l1_ratio<=1 instead.",
                    FutureWarning,
                    stacklevel=3,
                )
        elif l1_ratio == 1:
            penalty = "l1"
        else:
            penalty = "elasticnet"
        if est.C == np.inf:
            penalty = None
    else:
        penalty = est.penalty
        warnings.warn(
            "'penalty' was deprecated in version 1.8 and will be removed in 1.10. "
            "To avoid this warning, leave 'penalty' set to its default value and use "
            "'l1_ratio' or 'C' instead. Use l1_ratio=0 instead of penalty='l2', "
            "l1_ratio=1 instead of penalty='l1', l1_ratio set to a float between 0 "
            "and 1 instead of penalty='elasticnet', and C=np.inf instead of "
            "penalty=None.",
            FutureWarning,
            stacklevel=3,
        )
    solver = est.solver
    if solver not in ("liblinear", "saga") and penalty not in ("l2", None):
        raise ValueError(
            f"Solver {solver} supports only 'l2' or None penalties, got {penalty} "
            "penalty."
        )
    if solver != "liblinear" and est.dual:
        raise ValueError(f"Solver {solver} supports only dual=False, got dual=True")
    if penalty == "elasticnet" and solver != "saga":
        raise ValueError(
            f"Only 'saga' solver supports elasticnet penalty, got solver={solver}."
        )
    if penalty != "elasticnet" and l1_ratio is not None and 0 < l1_ratio < 1:
        warnings.warn(
            "l1_ratio parameter is only used when penalty is 'elasticnet'. Got "
            f"(penalty={penalty})",
            UserWarning,
            stacklevel=3,
        )
    if (est.penalty == "l2" and l1_ratio != 0) or (
        est.penalty == "l1" and l1_ratio != 1
    ):
        warnings.warn(
            f"Inconsistent values: penalty={est.penalty} with l1_ratio={l1_ratio}. "
            "penalty is deprecated. Please use l1_ratio only.",
            UserWarning,
            stacklevel=3,
        )
    if penalty == "elasticnet" and l1_ratio is None:
        raise ValueError("l1_ratio must be specified when penalty is elasticnet.")
    C = float(est.C)
    if est.penalty is None:
        if est.C != 1.0:
            warnings.warn(
                "Setting penalty=None will ignore the C and l1_ratio parameters",
                UserWarning,
                stacklevel=3,
            )
        C = np.inf
        penalty = "l2"
    if solver == "liblinear":
        raise ValueError(
            "The 'liblinear' solver is not implemented in fastml (it also penalises "
            "the intercept, a different objective). Use solver='lbfgs' for l2 or no "
            "penalty, or solver='saga' for l1 and elasticnet."
        )
    return penalty, C


def _class_weights(
    class_weight: Any, classes: np.ndarray, y_idx: np.ndarray, sample_weight: np.ndarray
) -> np.ndarray:
    """Per-class weights (scikit-learn's rule; "balanced" counts weighted samples)."""
    n_classes = classes.shape[0]
    if class_weight is None or len(class_weight) == 0:
        return np.ones(n_classes)
    if isinstance(class_weight, str):
        counts = np.bincount(y_idx, weights=sample_weight, minlength=n_classes)
        return counts.sum() / (n_classes * counts)
    weights = np.ones(n_classes)
    unweighted = []
    for i, c in enumerate(classes):
        key: Any
        try:
            key = int(c)
        except (TypeError, ValueError):
            key = str(c)
        if key in class_weight:
            weights[i] = class_weight[key]
        else:
            unweighted.append(key)
    if unweighted and n_classes - len(unweighted) != len(class_weight):
        raise ValueError(f"The classes, {unweighted}, are not in class_weight")
    return weights


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression classifier (binary, or multinomial for 3+ classes).

    Minimises ``C * sum_i s_i loss_i + (1 - l1_ratio) / 2 ||W||^2 + l1_ratio ||W||_1``
    (the intercept unpenalised), scikit-learn 1.9's objective, so fitted coefficients
    agree with scikit-learn's at the same tolerance.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet"} or None, default="deprecated"
        Deprecated in scikit-learn 1.8 (kept working here, with its FutureWarning):
        use ``l1_ratio`` (0: l2, 1: l1, in between: elastic net) and ``C=np.inf``
        (no penalty) instead.
    C : float, default=1.0
        Inverse regularisation strength, in (0, inf]; ``np.inf`` means no penalty.
    l1_ratio : float, default=0.0
        Elastic-net mixing in [0, 1]; anything but 0 needs ``solver="saga"``.
    dual : bool, default=False
        Only False is supported (the dual form is liblinear's).
    tol : float, default=1e-4
        L-BFGS: projected-gradient tolerance of the scaled objective. SAGA: relative
        change of the coefficients over an epoch.
    fit_intercept : bool, default=True
        Fit unpenalised intercepts.
    intercept_scaling : float, default=1
        Accepted for compatibility; only liblinear uses it (not implemented).
    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into the sample weights; "balanced" uses
        ``sum(w) / (n_classes * weighted class counts)``.
    random_state : int, RandomState instance or None, default=None
        Seeds SAGA's row sampling; unused by L-BFGS.
    solver : {"lbfgs", "saga", "newton-cg", "newton-cholesky", "sag", \
"liblinear"}, default="lbfgs"
        See the module notes: the newton solvers map to L-BFGS, "sag" to SAGA,
        "liblinear" raises.
    max_iter : int, default=100
        Maximum L-BFGS iterations or SAGA epochs.
    verbose : int, default=0
        Accepted for compatibility; fastml does not print.
    warm_start : bool, default=False
        Start from the previous fit's coefficients.
    n_jobs : int or None, default=None
        Threads of the loss/gradient passes (None: 1; -1: all cores); problems
        with fewer than 500,000 entries in X use fewer threads (a second thread
        costs more than it saves there). scikit-learn 1.9 ignores this parameter
        (deprecated there); fastml uses it. Results do not depend on it.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of shape (1,), int32
        Iterations (L-BFGS) or epochs (SAGA) run, at most ``max_iter``.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X had string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> clf = LogisticRegression().fit(X, [0, 0, 1, 1])
    >>> clf.predict([[0.5], [2.5]]).tolist()
    [0, 1]
    """

    # fitted attributes (declared for type checkers; set by fit)
    coef_: np.ndarray
    intercept_: np.ndarray
    classes_: np.ndarray
    n_iter_: np.ndarray

    def __init__(
        self,
        penalty: str | None = "deprecated",
        *,
        C: float = 1.0,
        l1_ratio: float | None = 0.0,
        dual: bool = False,
        tol: float = 1e-4,
        fit_intercept: bool = True,
        intercept_scaling: float = 1,
        class_weight: dict[Any, float] | str | None = None,
        random_state: Any = None,
        solver: str = "lbfgs",
        max_iter: int = 100,
        verbose: int = 0,
        warm_start: bool = False,
        n_jobs: int | None = None,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.dual = dual
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.solver = solver
        self.max_iter = max_iter
        self.verbose = verbose
        self.warm_start = warm_start
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (float32 is kept as float32; other dtypes become float64).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights (multiplied by ``class_weight``).

        Returns
        -------
        self : LogisticRegression
        """
        _validate_params(self)
        penalty, C = _resolve_penalty(self)
        X, y = validate_data(self, X, y, dtype=(np.float64, np.float32), order="C")
        check_classification_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        y_idx = np.ascontiguousarray(y_idx.reshape(-1), dtype=np.int64)
        self.classes_ = classes
        n_classes = classes.shape[0]
        if n_classes < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the "
                f"data contains only one class: {classes[0]!r}"
            )
        n_samples, n_features = X.shape
        weighted = sample_weight is not None or self.class_weight is not None
        sw = check_sample_weight(sample_weight, n_samples, dtype=np.float64)
        if self.class_weight is not None:
            sw = sw * _class_weights(self.class_weight, classes, y_idx, sw)[y_idx]
        binary = n_classes == 2
        n_rows = 1 if binary else n_classes
        n_dof = n_features + int(self.fit_intercept)

        # (n_dof, K) parameter block: the classes of one feature adjacent, the
        # intercepts in the last row (scikit-learn's flat L-BFGS layout).
        params = np.zeros((n_dof, n_rows))
        previous = getattr(self, "coef_", None) if self.warm_start else None
        if previous is not None:
            init = np.asarray(previous, dtype=np.float64)
            if self.fit_intercept:
                init = np.hstack([init, np.asarray(self.intercept_)[:, None]])
            if init.shape != (n_rows, n_dof):
                expected = (n_dof,) if binary else (n_classes, n_dof)
                raise ValueError(
                    f"Initialization coef is of shape {init.shape}, expected shape "
                    f"{expected}" + (f" or (1, {n_dof})" if binary else "")
                )
            params[:] = init.T

        n_threads = resolve_n_jobs(self.n_jobs)
        if self.solver == "sag" or self.solver == "saga":
            n_iter = self._fit_saga(X, y_idx, sw, binary, penalty, C, params, n_samples)
        else:
            n_iter = self._fit_lbfgs(
                X, y_idx, sw if weighted else None, binary, C, params, n_threads
            )
        params = params.astype(X.dtype, copy=False)
        coef = np.ascontiguousarray(params[:n_features].T)
        if self.fit_intercept:
            intercept = np.ascontiguousarray(params[n_features])
        else:
            intercept = np.zeros(n_rows, dtype=X.dtype)
        self.coef_ = coef
        self.intercept_ = intercept
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        return self

    def _fit_lbfgs(
        self,
        X: np.ndarray,
        y_idx: np.ndarray,
        sw: np.ndarray | None,
        binary: bool,
        C: float,
        params: np.ndarray,
        n_threads: int,
    ) -> int:
        from scipy import optimize

        n_samples, n_features = X.shape
        n_rows = params.shape[1]
        fit_intercept = self.fit_intercept
        sw_sum = float(n_samples) if sw is None else float(np.sum(sw))
        sw_arg = np.empty(0) if sw is None else sw
        l2 = 0.0 if C == np.inf else 1.0 / (C * sw_sum)
        target = y_idx.astype(np.float64) if binary else y_idx
        grad_full = np.empty((n_features + 1, n_rows))
        zero_b = np.zeros(n_rows)

        def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
            block = flat.reshape(-1, n_rows)
            coef = np.ascontiguousarray(block[:n_features])
            intercept = block[n_features] if fit_intercept else zero_b
            loss = _loss_gradient(
                X, target, sw_arg, coef, intercept, grad_full, n_threads
            )
            grad = grad_full[: block.shape[0]] / sw_sum
            value = loss / sw_sum
            if l2 > 0.0:
                value += 0.5 * l2 * float(np.sum(coef * coef))
                grad[:n_features] += l2 * coef
            return value, grad.ravel()

        # scipy drives L-BFGS-B with BLAS at its process-wide setting: fastml does
        # not change BLAS threads at run time (a global side effect on the
        # caller's own numpy work); the loss kernels themselves use no BLAS.
        result = optimize.minimize(
            objective,
            params.ravel(),
            method="L-BFGS-B",
            jac=True,
            options={
                "maxiter": self.max_iter,
                "maxls": 50,
                "gtol": self.tol,
                "ftol": 64 * np.finfo(float).eps,
            },
        )
        n_iter = min(int(result.nit), self.max_iter)
        if result.status != 0:
            message = (
                f"lbfgs failed to converge after {n_iter} iteration(s) "
                f"(status={result.status}):\n{result.message}\n"
            )
            if n_iter == self.max_iter:
                message += (
                    "\nIncrease the number of iterations to improve the convergence "
                    f"(max_iter={self.max_iter})."
                )
            message += (
                "\nYou might also want to scale the data as shown in:\n"
                "    https://scikit-learn.org/stable/modules/preprocessing.html\n"
                + _CONVERGENCE_HELP
            )
            warnings.warn(message, ConvergenceWarning, stacklevel=3)
        params[:] = result.x.reshape(params.shape)
        return n_iter

    def _fit_saga(
        self,
        X: np.ndarray,
        y_idx: np.ndarray,
        sw: np.ndarray,
        binary: bool,
        penalty: str | None,
        C: float,
        params: np.ndarray,
        n_samples: int,
    ) -> int:
        kernels = _kernels()
        n_features = X.shape[1]
        n_rows = params.shape[1]
        if penalty is None or C == np.inf:
            l1_part = 0.0
            scale = 0.0
        else:
            scale = 1.0 / (C * n_samples)
            l1_part = {"l2": 0.0, "l1": 1.0}.get(penalty, float(self.l1_ratio or 0.0))
        alpha = scale * (1.0 - l1_part)
        beta = scale * l1_part
        # Largest per-row Lipschitz constant of s_i loss_i (1/4 binary, 1/2 softmax).
        row_sq = np.einsum("ij,ij->i", X, X, dtype=np.float64)
        lipschitz = (0.25 if binary else 0.5) * float(
            np.max(sw * (row_sq + int(self.fit_intercept)))
        ) + alpha
        step = 1.0 / (2.0 * lipschitz + min(2.0 * n_samples * alpha, lipschitz))
        coef = np.ascontiguousarray(params[:n_features])
        intercept = (
            np.ascontiguousarray(params[n_features])
            if self.fit_intercept
            else np.zeros(n_rows)
        )
        n_epochs = kernels.saga_fit(
            X,
            y_idx.astype(np.float64),
            sw,
            not binary,
            self.fit_intercept,
            alpha,
            beta,
            step,
            self.max_iter,
            float(self.tol),
            seed_from_random_state(self.random_state),
            coef,
            intercept,
        )
        params[:n_features] = coef
        if self.fit_intercept:
            params[n_features] = intercept
        if n_epochs > self.max_iter:
            warnings.warn(
                "The max_iter was reached which means the coef_ did not converge",
                ConvergenceWarning,
                stacklevel=3,
            )
            return self.max_iter
        return int(n_epochs)

    # -------------------------------------------------------------- predict
    def decision_function(self, X: Any) -> np.ndarray:
        """Scores ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) (binary) or (n_samples, n_classes)
            For binary problems, the score of ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """Class labels: the highest score's class (binary: score > 0).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            idx = (scores > 0).astype(np.intp)
        else:
            idx = np.argmax(scores, axis=1)
        return self.classes_[idx]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (sigmoid for two classes, softmax otherwise).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in the order of ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            # sigmoid without overflow: exp of a non-positive argument only
            e = np.exp(-np.abs(scores))
            positive = np.where(scores >= 0, 1.0, e) / (1.0 + e)
            return np.column_stack([1.0 - positive, positive])
        scores = scores - scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return np.log(self.predict_proba(X))
