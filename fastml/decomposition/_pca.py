"""Principal component analysis with scikit-learn's parameters and results.

Solvers (``svd_solver``):

- "full": LAPACK's divide-and-conquer SVD (gesdd, through scipy) of the centred data;
- "covariance_eigh": eigendecomposition of the covariance matrix, built in one pass
  (float64 column moments, then the centred Gram matrix by blocks of BLAS syrk;
  see :mod:`fastml.decomposition._linalg` for the precision choices). The fast path
  when n_samples >> n_features;
- "randomized": Halko et al. (2011) on the implicitly centred data (never copied);
- "arpack": scipy's ARPACK ``svds`` on the centred data (a copy);
- "auto": covariance_eigh when n_features <= 1000 and n_samples >= 10 n_features,
  else full for small problems (max dimension <= 500) or ``n_components="mle"``,
  else randomized when 1 <= n_components < 0.8 min(n_samples, n_features), else
  full (scikit-learn 1.9's rule).

Signs: every component's entry of largest absolute value is positive (scikit-learn's
``svd_flip`` rule, decided on the components).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.linalg

from fastml.decomposition._base import _BasePCA
from fastml.decomposition._linalg import (
    centered_gram,
    column_moments,
    flip_rows,
    infer_dimension,
    randomized_svd_centered,
    randomized_svd_gram,
    use_gram_path,
)
from fastml.decomposition._params import (
    BOOLEAN,
    NONE,
    RANDOM_STATE,
    Interval,
    Options,
    check_param,
)
from fastml.utils.validation import (
    check_array,
    check_is_fitted,
    check_random_state,
    validate_data,
)

__all__ = ["PCA"]


class PCA(_BasePCA):
    """Principal component analysis (linear dimension reduction by the SVD of the
    centred data).

    Parameters
    ----------
    n_components : int, float, "mle" or None, default=None
        Components to keep: an int; a float in (0, 1) keeps the fewest components
        whose explained variance ratios sum to more than it (full/covariance_eigh
        solvers); "mle" uses Minka's estimate (full/covariance_eigh); None keeps
        min(n_samples, n_features).
    copy : bool, default=True
        Kept for compatibility: fastml never modifies the caller's X.
    whiten : bool, default=False
        Scale the projections to unit variance.
    svd_solver : {"auto", "full", "covariance_eigh", "arpack", "randomized"}, \
default="auto"
        See the module documentation.
    tol : float, default=0.0
        Tolerance of the arpack solver.
    iterated_power : int or "auto", default="auto"
        Power iterations of the randomized solver ("auto": 7 when n_components <
        0.1 min(n_samples, n_features), else 4).
    n_oversamples : int, default=10
        Extra random vectors of the randomized solver.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}, default="auto"
        Renormalisation between power iterations ("auto": none for at most 2
        iterations, else LU).
    random_state : int, RandomState instance or None, default=None
        Seeds the randomized and arpack solvers.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
        Principal axes, by decreasing explained variance.
    explained_variance_ : ndarray of shape (n_components_,)
        Variance along each component (ddof=1).
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        Fraction of the total variance along each component.
    singular_values_ : ndarray of shape (n_components_,)
        Singular values of the centred data.
    mean_ : ndarray of shape (n_features,)
        Column means of the training data.
    n_components_ : int
        Number of components kept.
    n_samples_ : int
        Training rows.
    noise_variance_ : float
        Probabilistic-PCA noise variance (mean of the discarded variances).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when X has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.decomposition import PCA
    >>> X = np.array([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    >>> pca = PCA(n_components=2).fit(X)
    >>> np.round(pca.explained_variance_ratio_, 4)
    array([0.9924, 0.0076])
    """

    def __init__(
        self,
        n_components: Any = None,
        *,
        copy: bool = True,
        whiten: bool = False,
        svd_solver: str = "auto",
        tol: float = 0.0,
        iterated_power: Any = "auto",
        n_oversamples: int = 10,
        power_iteration_normalizer: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.tol = tol
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

    def _check_params(self) -> None:
        check_param(
            self,
            "n_components",
            self.n_components,
            [
                Interval("int", 0, None, "left"),
                Interval("float", 0, 1, "neither"),
                Options("mle"),
                NONE,
            ],
        )
        check_param(self, "copy", self.copy, [BOOLEAN])
        check_param(self, "whiten", self.whiten, [BOOLEAN])
        check_param(
            self,
            "svd_solver",
            self.svd_solver,
            [Options("auto", "full", "covariance_eigh", "arpack", "randomized")],
        )
        check_param(self, "tol", self.tol, [Interval("real", 0, None, "left")])
        check_param(
            self,
            "iterated_power",
            self.iterated_power,
            [Options("auto"), Interval("int", 0, None, "left")],
        )
        check_param(
            self,
            "n_oversamples",
            self.n_oversamples,
            [Interval("int", 1, None, "left")],
        )
        check_param(
            self,
            "power_iteration_normalizer",
            self.power_iteration_normalizer,
            [Options("auto", "QR", "LU", "none")],
        )
        check_param(self, "random_state", self.random_state, [RANDOM_STATE])

    def fit(self, X: Any, y: Any = None) -> PCA:
        """Fit the principal components of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : PCA
        """
        self._fit(X)
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """Fit and return the projections of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components_)
        """
        U, S, X_arr = self._fit(X)
        k = self.n_components_
        if U is None:
            return self._project(X_arr)
        U = U[:, :k]
        if self.whiten:
            return U * np.sqrt(X_arr.shape[0] - 1)
        return U * S[:k]

    def _fit(self, X: Any) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        self._check_params()
        # Finite values are checked by the moments pass (see below), not here.
        X = validate_data(
            self,
            X,
            dtype=(np.float64, np.float32),
            ensure_all_finite=False,
            ensure_min_samples=2,
        )
        n_samples, n_features = X.shape
        solver = self.svd_solver
        n_components = self.n_components
        if n_components is None:
            n_components = min(X.shape) - (1 if solver == "arpack" else 0)
        if solver == "auto":
            if n_features <= 1000 and n_samples >= 10 * n_features:
                solver = "covariance_eigh"
            elif max(X.shape) <= 500 or n_components == "mle":
                solver = "full"
            elif 1 <= n_components < 0.8 * min(X.shape):
                solver = "randomized"
            else:
                solver = "full"
        self._fit_svd_solver = solver
        # One pass gives the moments (or the Gram matrix) and, through the sums'
        # finiteness, the finite check: only a failing X is scanned again for the
        # error message.
        gram = m2 = None
        n_iter, normalizer = self._power_iterations(n_components, min(X.shape))
        gram_path = (
            solver == "randomized"
            and isinstance(n_components, numbers.Integral)
            and use_gram_path(
                n_samples, n_features, n_iter, int(n_components) + self.n_oversamples
            )
        )
        with np.errstate(invalid="ignore", over="ignore"):
            if solver == "covariance_eigh" or gram_path:
                mean64, gram, finite = centered_gram(X)
            else:
                mean64, m2 = column_moments(X)
                finite = bool(np.all(np.isfinite(m2)) and np.all(np.isfinite(mean64)))
        if not finite:
            check_array(X, dtype=None, estimator=self, input_name="X")
        if solver in ("full", "covariance_eigh"):
            return self._fit_full(X, n_components, mean64, gram, solver)
        return self._fit_truncated(X, n_components, mean64, m2, gram, solver)

    def _power_iterations(self, n_components: Any, low: int) -> tuple[int, str]:
        n_iter = self.iterated_power
        if n_iter == "auto":
            small = isinstance(n_components, numbers.Real) and n_components < 0.1 * low
            n_iter = 7 if small else 4
        normalizer = self.power_iteration_normalizer
        if normalizer == "auto":
            normalizer = "none" if n_iter <= 2 else "LU"
        return int(n_iter), normalizer

    def _fit_full(
        self,
        X: np.ndarray,
        n_components: Any,
        mean64: np.ndarray,
        gram: np.ndarray | None,
        solver: str,
    ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        n_samples, n_features = X.shape
        if n_components == "mle":
            if n_samples < n_features:
                raise ValueError(
                    "n_components='mle' is only supported if n_samples >= n_features"
                )
        elif not 0 <= n_components <= min(n_samples, n_features):
            raise ValueError(
                f"n_components={n_components} must be between 0 and "
                f"min(n_samples, n_features)={min(n_samples, n_features)} with "
                f"svd_solver={solver!r}"
            )
        dtype = X.dtype
        mean = mean64.astype(dtype)
        U: np.ndarray | None
        if solver == "full":
            centred = X - mean
            U, S, Vt = scipy.linalg.svd(
                centred, full_matrices=False, check_finite=False
            )
            explained = S**2 / (n_samples - 1)
        else:
            assert gram is not None
            cov = gram / (n_samples - 1)
            evals, evecs = np.linalg.eigh(cov)
            evals = evals[::-1].copy()
            evals[evals < 0.0] = 0.0
            explained = evals.astype(dtype)
            S = np.sqrt(evals * (n_samples - 1)).astype(dtype)
            Vt = np.ascontiguousarray(evecs[:, ::-1].T).astype(dtype)
            U = None
        Vt, U = flip_rows(Vt, U)
        total = explained.sum()
        ratio = explained / total
        if n_components == "mle":
            n_components = infer_dimension(explained.astype(np.float64), n_samples)
        elif 0 < n_components < 1.0:
            n_components = int(
                np.searchsorted(np.cumsum(ratio), n_components, side="right") + 1
            )
        n_components = int(n_components)
        if n_components < min(n_features, n_samples):
            self.noise_variance_ = explained[n_components:].mean()
        else:
            self.noise_variance_ = dtype.type(0.0)
        self.mean_ = mean
        self.n_samples_ = n_samples
        self.n_components_ = n_components
        self.components_ = np.ascontiguousarray(Vt[:n_components])
        self.explained_variance_ = explained[:n_components].copy()
        self.explained_variance_ratio_ = ratio[:n_components].copy()
        self.singular_values_ = S[:n_components].copy()
        return U, S, X

    def _fit_truncated(
        self,
        X: np.ndarray,
        n_components: Any,
        mean64: np.ndarray,
        m2: np.ndarray | None,
        gram: np.ndarray | None,
        solver: str,
    ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        n_samples, n_features = X.shape
        low = min(n_samples, n_features)
        if isinstance(n_components, str):
            raise ValueError(
                f"n_components={n_components!r} cannot be a string with "
                f"svd_solver='{solver}'"
            )
        if not 1 <= n_components <= low:
            raise ValueError(
                f"n_components={n_components!r} must be between 1 and "
                f"min(n_samples, n_features)={low!r} with svd_solver='{solver}'"
            )
        if solver == "arpack" and n_components == low:
            raise ValueError(
                f"n_components={n_components!r} must be strictly less than "
                f"min(n_samples, n_features)={low!r} with svd_solver='{solver}'"
            )
        if not isinstance(n_components, numbers.Integral):
            raise ValueError(
                f"n_components={n_components!r} must be of type int when greater "
                f"than or equal to 1, was of type={type(n_components)!r}"
            )
        n_components = int(n_components)
        dtype = X.dtype
        random_state = check_random_state(self.random_state)
        if solver == "arpack":
            from scipy.sparse.linalg import svds

            v0 = random_state.uniform(-1, 1, size=low)
            centred = X - mean64.astype(dtype)
            U, S, Vt = svds(centred, k=n_components, tol=self.tol, v0=v0)
            S = S[::-1]
            U, Vt = U[:, ::-1], Vt[::-1]
        else:
            n_iter, normalizer = self._power_iterations(n_components, low)
            options: dict[str, Any] = {
                "n_oversamples": self.n_oversamples,
                "n_iter": n_iter,
                "power_iteration_normalizer": normalizer,
                "random_state": random_state,
            }
            found = None
            if gram is not None:
                state = random_state.get_state()
                found = randomized_svd_gram(gram, n_components, dtype=dtype, **options)
                if found is None:  # rank-deficient: redo on X with the same draw
                    random_state.set_state(state)
            if found is not None:
                U = None
                S, Vt = found
            else:
                U, S, Vt = randomized_svd_centered(X, mean64, n_components, **options)
        if m2 is None:
            assert gram is not None
            m2 = np.diag(gram).copy()
        Vt, U_flipped = flip_rows(Vt, U)
        self.mean_ = mean64.astype(dtype)
        self.n_samples_ = n_samples
        self.n_components_ = n_components
        self.components_ = np.ascontiguousarray(Vt, dtype=dtype)
        explained = (S**2 / (n_samples - 1)).astype(dtype)
        total = dtype.type(m2.sum() / (n_samples - 1))
        self.explained_variance_ = explained
        self.explained_variance_ratio_ = explained / total
        self.singular_values_ = np.asarray(S, dtype=dtype).copy()
        if n_components < low:
            self.noise_variance_ = dtype.type(
                (total - explained.sum()) / (low - n_components)
            )
        else:
            self.noise_variance_ = dtype.type(0.0)
        return U_flipped, np.asarray(S), X

    def score_samples(self, X: Any) -> np.ndarray:
        """Log-likelihood of each row under the probabilistic PCA model
        (Tipping and Bishop, 1999; Bishop, PRML section 12.2.1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ll : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        centred = X - self.mean_
        n_features = X.shape[1]
        precision = self.get_precision()
        log_like = -0.5 * np.sum(centred * (centred @ precision), axis=1)
        sign, logdet = np.linalg.slogdet(precision)
        if sign <= 0:
            logdet = -np.inf
        log_like -= 0.5 * (n_features * np.log(2.0 * np.pi) - logdet)
        return log_like

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood of the rows of X (see :meth:`score_samples`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        float
        """
        return float(np.mean(self.score_samples(X)))
