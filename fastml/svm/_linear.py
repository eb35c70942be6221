"""LinearSVC: linear support vector classification (one-vs-rest).

The dual problems are solved by coordinate descent (kernels/svm/linear.py, Hsieh et
al. 2008, as LIBLINEAR); with ``dual=False`` the squared-hinge primal
``1/2 |w|^2 + sum_i C_i max(0, 1 - y_i w.x_i)^2`` is minimised by Newton's method on
its generalised Hessian ``I + 2 X_A' diag(C_A) X_A`` (A: samples inside the margin)
with a backtracking line search, stopping when ``|grad| <= tol * max(min(n+, n-), 1)
/ n * |grad(0)|`` (LIBLINEAR's primal criterion). The intercept is the weight of an
extra constant feature ``intercept_scaling``, regularised like the others, as in
LIBLINEAR.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from fastml.base import BaseEstimator, ClassifierMixin
from fastml.exceptions import ConvergenceWarning, InvalidParameterError
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)

__all__ = ["LinearSVC"]


def _invalid(name: str, expected: str, value: Any) -> InvalidParameterError:
    return InvalidParameterError(
        f"The {name!r} parameter of LinearSVC must be {expected}. Got {value!r} "
        "instead."
    )


class LinearSVC(ClassifierMixin, BaseEstimator):
    """Linear support vector classification (LIBLINEAR's formulations).

    Parameters
    ----------
    penalty : {"l2"}, default="l2"
        Only the l2 penalty is implemented.
    loss : {"hinge", "squared_hinge"}, default="squared_hinge"
    dual : bool or "auto", default="auto"
        Solve the dual (coordinate descent) or the primal (squared hinge only);
        "auto" picks the primal when ``n_samples >= n_features`` and the loss allows
        it, as scikit-learn does.
    tol : float, default=1e-4
        Stopping tolerance.
    C : float, default=1.0
        Inverse regularisation strength (> 0).
    multi_class : {"ovr"}, default="ovr"
        One-vs-rest (the only strategy implemented).
    fit_intercept : bool, default=True
    intercept_scaling : float, default=1.0
        Value of the synthetic constant feature whose weight is the intercept (its
        weight is regularised; a larger value weakens that).
    class_weight : dict or "balanced", default=None
        Multiplies C of the positive class of each one-vs-rest problem (LIBLINEAR's
        rule; with two classes, C of each class).
    verbose : int, default=0
        Unused.
    random_state : int, RandomState instance or None, default=None
        Seeds the coordinate order of the dual solver.
    max_iter : int, default=1000
        Outer iterations at most.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
    intercept_ : ndarray of shape (1,) or (n_classes,), or 0.0
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : int
        Largest number of iterations over the one-vs-rest problems.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from fastml.svm import LinearSVC
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LinearSVC(dual=True, tol=1e-5, max_iter=10000, random_state=0)
    >>> bool(clf.fit(X, y).score(X, y) > 0.9)
    True
    """

    def __init__(
        self,
        penalty: str = "l2",
        loss: str = "squared_hinge",
        *,
        dual: bool | str = "auto",
        tol: float = 1e-4,
        C: float = 1.0,
        multi_class: str = "ovr",
        fit_intercept: bool = True,
        intercept_scaling: float = 1.0,
        class_weight: dict[Any, float] | str | None = None,
        verbose: int = 0,
        random_state: Any = None,
        max_iter: int = 1000,
    ) -> None:
        self.penalty = penalty
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.multi_class = multi_class
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.verbose = verbose
        self.random_state = random_state
        self.max_iter = max_iter

    @classmethod
    def _test_instance(cls) -> LinearSVC:
        # scikit-learn's estimator checks compare fits with weighted and with
        # repeated samples: equal at the optimum, so solve to a tight tolerance
        # (scikit-learn marks that check as an expected failure for its LinearSVC).
        return cls(tol=1e-10, max_iter=10000)

    def _validate_params(self) -> None:
        if self.penalty not in ("l1", "l2"):
            raise _invalid("penalty", "a str among {'l1', 'l2'}", self.penalty)
        if self.loss not in ("hinge", "squared_hinge"):
            raise _invalid("loss", "a str among {'hinge', 'squared_hinge'}", self.loss)
        if not (isinstance(self.dual, (bool, np.bool_)) or self.dual == "auto"):
            raise _invalid("dual", "a str among {'auto'} or an instance of 'bool'",
                           self.dual)  # fmt: skip
        for name, low in (("tol", 0.0), ("C", 0.0), ("intercept_scaling", 0.0)):
            v: Any = getattr(self, name)
            if (
                not isinstance(v, numbers.Real)
                or isinstance(v, bool)
                or not float(v) > low
            ):
                raise _invalid(name, f"a float in the range ({low}, inf)", v)
        if self.multi_class not in ("ovr", "crammer_singer"):
            raise _invalid(
                "multi_class", "a str among {'crammer_singer', 'ovr'}", self.multi_class
            )
        if (
            not isinstance(self.max_iter, numbers.Integral)
            or isinstance(self.max_iter, bool)
            or self.max_iter < 0
        ):
            raise _invalid("max_iter", "an int in the range [0, inf)", self.max_iter)
        cw = self.class_weight
        if not (cw is None or isinstance(cw, dict) or cw == "balanced"):
            raise _invalid(
                "class_weight",
                "an instance of 'dict', a str among {'balanced'} or None",
                cw,
            )

    def _resolve_dual(self, n_samples: int, n_features: int) -> bool:
        pen, loss = self.penalty, self.loss
        primal_ok = loss == "squared_hinge"
        dual_ok = pen == "l2"
        if self.dual == "auto":
            if n_samples < n_features:
                return dual_ok
            return not primal_ok
        dual = bool(self.dual)
        params = f"Parameters: penalty={pen!r}, loss={loss!r}, dual={dual}"
        if pen == "l1" and loss == "hinge":
            raise ValueError(
                "Unsupported set of arguments: The combination of penalty='l1' and "
                f"loss='hinge' is not supported, {params}"
            )
        if dual and not dual_ok:
            raise ValueError(
                "Unsupported set of arguments: The combination of penalty='l1' and "
                f"loss='squared_hinge' are not supported when dual=True, {params}"
            )
        if not dual and not primal_ok:
            raise ValueError(
                "Unsupported set of arguments: The combination of penalty='l2' and "
                f"loss='hinge' are not supported when dual=False, {params}"
            )
        return dual

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearSVC:
        """Fit the one-vs-rest linear SVMs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample multipliers of C.

        Returns
        -------
        self : LinearSVC
        """
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        check_classification_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        y_idx = y_idx.ravel()
        if classes.shape[0] < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the "
                f"data contains only one class: {classes[0]!r}"
            )
        dual = self._resolve_dual(X.shape[0], X.shape[1])
        if self.penalty == "l1":
            raise NotImplementedError(
                "penalty='l1' is not implemented by fastml's LinearSVC"
            )
        if self.multi_class != "ovr":
            raise NotImplementedError(
                "multi_class='crammer_singer' is not implemented by fastml's LinearSVC"
            )
        weight = check_sample_weight(sample_weight, X.shape[0])
        cw = _class_weights(self.class_weight, classes, y_idx, weight)
        self.classes_ = classes
        n_classes = classes.shape[0]
        bias = float(self.intercept_scaling) if self.fit_intercept else 0.0
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        C = float(self.C)
        problems = [1] if n_classes == 2 else list(range(n_classes))
        coef = np.zeros((len(problems), X.shape[1]))
        intercept = np.zeros(len(problems))
        n_iter = 0
        for row, k in enumerate(problems):
            y_pm = np.where(y_idx == k, 1.0, -1.0)
            if n_classes == 2:
                C_i = C * cw[y_idx] * weight
            else:
                C_i = np.where(y_idx == k, C * cw[k], C) * weight
            if dual:
                w, it = _fit_dual(X, y_pm, C_i, self.loss, bias, self.tol,
                                  self.max_iter, seed)  # fmt: skip
            else:
                w, it = _fit_primal(X, y_pm, C_i, bias, self.tol, self.max_iter)
            coef[row] = w[:-1]
            intercept[row] = w[-1] * bias
            n_iter = max(n_iter, it)
        self.coef_ = coef
        self.intercept_ = intercept if self.fit_intercept else 0.0
        self.n_iter_ = n_iter
        if n_iter >= self.max_iter:
            warnings.warn(
                "Liblinear failed to converge, increase the number of iterations.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed distances to the hyperplanes (times |w|).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (positive means
        ``classes_[1]``), else (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """Class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]


def _class_weights(
    class_weight: Any, classes: np.ndarray, y_idx: np.ndarray, weight: np.ndarray
) -> np.ndarray:
    from fastml.svm._classes import _class_weights as weights

    return weights(class_weight, classes, y_idx, weight)


def _fit_dual(
    X: np.ndarray,
    y_pm: np.ndarray,
    C_i: np.ndarray,
    loss: str,
    bias: float,
    tol: float,
    max_iter: int,
    seed: int,
) -> tuple[np.ndarray, int]:
    from fastml.kernels.svm.linear import solve_linear_dual

    keep = C_i > 0
    Xk = X if keep.all() else np.ascontiguousarray(X[keep])
    Ck = C_i[keep]
    if loss == "hinge":
        upper, diag = Ck, np.zeros_like(Ck)
    else:
        upper, diag = np.full_like(Ck, np.inf), 0.5 / Ck
    w = np.zeros(X.shape[1] + 1)
    alpha = np.zeros(Ck.shape[0])
    it = solve_linear_dual(
        Xk, np.ascontiguousarray(y_pm[keep]), upper, diag, float(bias), float(tol),
        int(max_iter), int(seed), w, alpha,
    )  # fmt: skip
    return w, int(it)


def _fit_primal(
    X: np.ndarray,
    y_pm: np.ndarray,
    C_i: np.ndarray,
    bias: float,
    tol: float,
    max_iter: int,
) -> tuple[np.ndarray, int]:
    """Newton's method on the squared-hinge primal (see the module docstring)."""
    Xb = np.hstack([X, np.full((X.shape[0], 1), bias)])
    d = Xb.shape[1]
    n_pos = int((y_pm > 0).sum())
    n_neg = y_pm.shape[0] - n_pos
    eps = tol * max(min(n_pos, n_neg), 1) / y_pm.shape[0]
    w = np.zeros(d)

    def fun_grad(w: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        m = 1.0 - y_pm * (Xb @ w)
        act = m > 0
        f = 0.5 * w @ w + float(np.sum(C_i[act] * m[act] ** 2))
        g = w - 2.0 * Xb[act].T @ (C_i[act] * y_pm[act] * m[act])
        return f, g, act

    f, g, act = fun_grad(w)
    g0 = np.linalg.norm(g)
    it = 0
    while it < max_iter:
        if np.linalg.norm(g) <= eps * g0:
            break
        XA = Xb[act]
        H = np.eye(d) + 2.0 * (XA.T * C_i[act]) @ XA
        step = np.linalg.solve(H, -g)
        gd = float(g @ step)
        t = 1.0
        while True:
            f_new, g_new, act_new = fun_grad(w + t * step)
            if f_new <= f + 0.01 * t * gd or t < 1e-12:
                break
            t *= 0.5
        w = w + t * step
        f, g, act = f_new, g_new, act_new
        it += 1
    return w, it
