"""Linear discriminant analysis with scikit-learn's parameters and results.

Model: classes share one covariance Sigma (the prior-weighted within-class
covariance) and have means mu_k; the posterior's log is linear in x,
``x^T Sigma^-1 mu_k - mu_k^T Sigma^-1 mu_k / 2 + log pi_k`` (up to a constant).

Solvers:

- "svd" (default): never forms Sigma. The within-class centred rows, scaled per
  feature by their standard deviation, are decomposed by an SVD; directions with
  singular values above ``tol`` whiten the within-class scatter (so a singular or
  collinear within-class scatter is handled by dropping the null directions). The
  prior-weighted class means in that whitened space are decomposed again: its right
  singular vectors are the discriminant directions (LD1 first, by between-class
  variance), orthonormal in the whitened space, i.e. orthogonal in the within-class
  metric. No shrinkage.
- "eigen": the generalised symmetric eigenproblem Sb v = lambda Sw v (Fisher's
  criterion, between- over within-class scatter; Duda, Hart and Stork 2001,
  section 3.8.3) with Sw = the within-class covariance and Sb = St - Sw; the
  eigenvectors (Sw-orthonormal) sorted by decreasing eigenvalue. Shrinkage allowed.
- "lsqr": coef_ solves Sigma coef_k = mu_k by least squares (classification only).

Shrinkage: "auto" (Ledoit-Wolf on standardised features) or a float in [0, 1].

The signs of the discriminant directions come from LAPACK (as in scikit-learn); they
are not normalised.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.linalg

from fastml.base import BaseEstimator, ClassifierMixin, TransformerMixin
from fastml.decomposition._params import (
    ARRAY_LIKE,
    BOOLEAN,
    HAS_FIT,
    NONE,
    Interval,
    Options,
    check_param,
)
from fastml.discriminant_analysis._covariance import estimate_cov
from fastml.utils.multiclass import check_classification_targets
from fastml.utils.validation import check_is_fitted, validate_data

__all__ = ["LinearDiscriminantAnalysis"]


class LinearDiscriminantAnalysis(ClassifierMixin, TransformerMixin, BaseEstimator):
    """Linear discriminant analysis: a Gaussian classifier with one shared covariance,
    and a supervised projection onto at most n_classes - 1 discriminant directions.

    Parameters
    ----------
    solver : {"svd", "lsqr", "eigen"}, default="svd"
        See the module documentation.
    shrinkage : "auto", float in [0, 1] or None, default=None
        Covariance shrinkage (lsqr and eigen solvers only).
    priors : array-like of shape (n_classes,) or None, default=None
        Class priors; None uses the class frequencies.
    n_components : int or None, default=None
        Discriminants kept by :meth:`transform` (at most min(n_classes - 1,
        n_features)); None keeps them all.
    store_covariance : bool, default=False
        Compute ``covariance_`` with the svd solver (always computed otherwise).
    tol : float, default=1e-4
        svd solver: singular values below it count as zero (rank estimate).
    covariance_estimator : estimator with ``fit`` and ``covariance_`` or None
        Replaces the empirical covariance (lsqr and eigen solvers).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_classes, n_features)
        Weights; shape (1, n_features) for two classes.
    intercept_ : ndarray of shape (n_classes,) or (1,)
    covariance_ : ndarray of shape (n_features, n_features)
        Prior-weighted within-class covariance.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Between-class variance explained by each discriminant.
    means_ : ndarray of shape (n_classes, n_features)
    priors_ : ndarray of shape (n_classes,)
    scalings_ : ndarray of shape (n_features, rank)
        Discriminant directions (columns), LD1 first.
    xbar_ : ndarray of shape (n_features,)
        Prior-weighted overall mean (svd solver).
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.discriminant_analysis import LinearDiscriminantAnalysis
    >>> X = np.array([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    >>> y = np.array([1, 1, 1, 2, 2, 2])
    >>> LinearDiscriminantAnalysis().fit(X, y).predict([[-0.8, -1]])
    array([1])
    """

    def __init__(
        self,
        solver: str = "svd",
        shrinkage: Any = None,
        priors: Any = None,
        n_components: int | None = None,
        store_covariance: bool = False,
        tol: float = 1e-4,
        covariance_estimator: Any = None,
    ) -> None:
        self.solver = solver
        self.shrinkage = shrinkage
        self.priors = priors
        self.n_components = n_components
        self.store_covariance = store_covariance
        self.tol = tol
        self.covariance_estimator = covariance_estimator

    def _check_params(self) -> None:
        check_param(self, "solver", self.solver, [Options("svd", "lsqr", "eigen")])
        check_param(
            self,
            "shrinkage",
            self.shrinkage,
            [Options("auto"), Interval("real", 0, 1, "both"), NONE],
        )
        check_param(
            self,
            "n_components",
            self.n_components,
            [Interval("int", 1, None, "left"), NONE],
        )
        check_param(self, "priors", self.priors, [ARRAY_LIKE, NONE])
        check_param(self, "store_covariance", self.store_covariance, [BOOLEAN])
        check_param(self, "tol", self.tol, [Interval("real", 0, None, "left")])
        check_param(
            self, "covariance_estimator", self.covariance_estimator, [HAS_FIT, NONE]
        )

    def fit(self, X: Any, y: Any) -> LinearDiscriminantAnalysis:
        """Fit the class means, the shared covariance and the discriminants.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : LinearDiscriminantAnalysis
        """
        self._check_params()
        X, y = validate_data(
            self, X, y, ensure_min_samples=2, dtype=(np.float64, np.float32)
        )
        check_classification_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        self.classes_ = classes
        n_samples, n_features = X.shape
        n_classes = classes.shape[0]
        if n_classes < 2:
            raise ValueError(
                "LinearDiscriminantAnalysis needs samples of at least 2 classes in "
                f"the data, but the data contains only one class: {classes[0]!r}"
            )
        if n_samples == n_classes:
            raise ValueError(
                "The number of samples must be more than the number of classes."
            )
        dtype = X.dtype
        X64 = X.astype(np.float64, copy=False)
        if self.priors is None:
            priors = np.bincount(y_idx, minlength=n_classes) / float(n_samples)
        else:
            priors = np.asarray(self.priors, dtype=np.float64).ravel()
            if priors.shape[0] != n_classes:
                raise ValueError(
                    f"Number of priors ({priors.shape[0]}) must match the number of "
                    f"classes ({n_classes})."
                )
        if np.any(priors < 0):
            raise ValueError("priors must be non-negative")
        if abs(priors.sum() - 1.0) > 1e-5:
            warnings.warn(
                "The priors do not sum to 1. Renormalizing", UserWarning, stacklevel=2
            )
            priors = priors / priors.sum()
        self.priors_ = priors

        max_components = min(n_classes - 1, n_features)
        if self.n_components is None:
            self._max_components = max_components
        else:
            if self.n_components > max_components:
                raise ValueError(
                    "n_components cannot be larger than min(n_features, n_classes - 1)."
                )
            self._max_components = int(self.n_components)

        means = np.zeros((n_classes, n_features))
        np.add.at(means, y_idx, X64)
        means /= np.bincount(y_idx, minlength=n_classes)[:, None]
        self.means_ = means

        if self.solver == "svd":
            if self.shrinkage is not None:
                raise NotImplementedError("shrinkage not supported with 'svd' solver.")
            if self.covariance_estimator is not None:
                raise ValueError(
                    "covariance estimator is not supported with svd solver. Try "
                    "another solver"
                )
            self._solve_svd(X64, y_idx)
        else:
            self.covariance_ = self._class_cov(X64, y_idx)
            if self.solver == "lsqr":
                self.coef_ = scipy.linalg.lstsq(self.covariance_, means.T)[0].T
                self.intercept_ = -0.5 * np.sum(means * self.coef_, axis=1) + np.log(
                    priors
                )
            else:
                self._solve_eigen(X64)
        if n_classes == 2:
            self.coef_ = (self.coef_[1] - self.coef_[0])[None, :]
            self.intercept_ = np.array([self.intercept_[1] - self.intercept_[0]])
        for name in (
            "coef_",
            "intercept_",
            "means_",
            "priors_",
            "scalings_",
            "xbar_",
            "covariance_",
            "explained_variance_ratio_",
        ):
            if name in self.__dict__:
                setattr(self, name, np.asarray(getattr(self, name), dtype=dtype))
        return self

    def _class_cov(self, X: np.ndarray, y_idx: np.ndarray) -> np.ndarray:
        n_features = X.shape[1]
        cov = np.zeros((n_features, n_features))
        for k in range(self.classes_.shape[0]):
            cov += self.priors_[k] * estimate_cov(
                X[y_idx == k], self.shrinkage, self.covariance_estimator
            )
        return cov

    def _solve_eigen(self, X: np.ndarray) -> None:
        within = self.covariance_
        total = estimate_cov(X, self.shrinkage, self.covariance_estimator)
        between = total - within
        try:
            evals, evecs = scipy.linalg.eigh(between, within)
        except np.linalg.LinAlgError as exc:
            raise np.linalg.LinAlgError(
                "The within-class covariance is singular (collinear or constant "
                "features), so the 'eigen' solver cannot whiten it. Use "
                "shrinkage='auto' or a float shrinkage, or solver='svd'. "
                f"(LAPACK: {exc})"
            ) from exc
        order = np.argsort(evals)[::-1]
        self.explained_variance_ratio_ = (evals[order] / np.sum(evals))[
            : self._max_components
        ]
        self.scalings_ = evecs[:, order]
        self.coef_ = (self.means_ @ self.scalings_) @ self.scalings_.T
        self.intercept_ = -0.5 * np.sum(self.means_ * self.coef_, axis=1) + np.log(
            self.priors_
        )

    def _solve_svd(self, X: np.ndarray, y_idx: np.ndarray) -> None:
        n_samples = X.shape[0]
        n_classes = self.classes_.shape[0]
        means = self.means_
        if self.store_covariance:
            self.covariance_ = self._class_cov(X, y_idx)
        # within-class centred rows, grouped by class (class order, then row order)
        order = np.argsort(y_idx, kind="stable")
        centred = X[order] - means[y_idx[order]]
        self.xbar_ = self.priors_ @ means
        std = centred.std(axis=0)
        std[std == 0] = 1.0
        scaled = np.sqrt(1.0 / n_samples) * (centred / std)
        _, S, Vt = scipy.linalg.svd(scaled, full_matrices=False)
        rank = int(np.sum(S > self.tol))
        # whitening of the within-class scatter (feature scaling undone)
        within_white = (Vt[:rank] / std).T / S[:rank]
        fac = 1.0 / (n_classes - 1)
        weighted = (
            np.sqrt(n_samples * self.priors_ * fac)[:, None] * (means - self.xbar_)
        ) @ within_white
        _, S, Vt = scipy.linalg.svd(weighted, full_matrices=False)
        if self._max_components == 0:
            self.explained_variance_ratio_ = np.empty((0,))
        else:
            self.explained_variance_ratio_ = (S**2 / np.sum(S**2))[
                : self._max_components
            ]
        rank = int(np.sum(S > self.tol * S[0]))
        self.scalings_ = within_white @ Vt.T[:, :rank]
        coef = (means - self.xbar_) @ self.scalings_
        self.intercept_ = -0.5 * np.sum(coef**2, axis=1) + np.log(self.priors_)
        self.coef_ = coef @ self.scalings_.T
        self.intercept_ -= self.xbar_ @ self.coef_.T

    def transform(self, X: Any) -> np.ndarray:
        """Project X on the discriminant directions (LD1 first).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            With the svd solver, at most the rank of the between-class scatter.
        """
        if self.solver == "lsqr":
            raise NotImplementedError(
                "transform not implemented for 'lsqr' solver (use 'svd' or 'eigen')."
            )
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        if self.solver == "svd":
            out = (X - self.xbar_) @ self.scalings_
        else:
            out = X @ self.scalings_
        return out[:, : self._max_components]

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear scores ``X @ coef_.T + intercept_`` (log-posterior up to a
        constant per row); shape (n_samples,) for two classes, the log-odds of the
        second class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """Class of highest posterior probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            idx = (scores > 0).astype(np.intp)
        else:
            idx = scores.argmax(axis=1)
        return self.classes_[idx]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            from scipy.special import expit

            positive = expit(scores)
            return np.column_stack([1.0 - positive, positive])
        shifted = scores - scores.max(axis=1, keepdims=True)
        np.exp(shifted, out=shifted)
        shifted /= shifted.sum(axis=1, keepdims=True)
        return shifted

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba` (zeros mapped to the smallest normal
        float first).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        proba[proba == 0.0] += np.finfo(proba.dtype).smallest_normal
        return np.log(proba)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names "lineardiscriminantanalysis0", ...

        Parameters
        ----------
        input_features : ignored (checked against ``feature_names_in_``)

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        names_in = getattr(self, "feature_names_in_", None)
        if input_features is not None and names_in is not None:
            if not np.array_equal(np.asarray(input_features, dtype=object), names_in):
                raise ValueError("input_features is not equal to feature_names_in_")
        return np.asarray(
            [f"lineardiscriminantanalysis{i}" for i in range(self._max_components)],
            dtype=object,
        )
