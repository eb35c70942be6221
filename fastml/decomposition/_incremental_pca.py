"""Incremental PCA: principal components of data read in batches.

Each batch updates the column means and variances with the pairwise formulae of
Chan, Golub and LeVeque (1979) and the components with the incremental SVD of Ross,
Lim, Lin and Yang (2008, "Incremental learning for robust visual tracking", IJCV):
the SVD of the stacked matrix

    [ diag(S) Vt                                          ]   previous components
    [ X_batch - mean(X_batch)                             ]   the centred batch
    [ sqrt(n_seen n_batch / n_total) (mean_seen - mean_batch) ]   mean correction

whose right singular vectors are the components of all rows seen so far (exactly,
when no component was discarded).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.linalg

from fastml.decomposition._base import _BasePCA
from fastml.decomposition._linalg import flip_rows
from fastml.decomposition._params import BOOLEAN, NONE, Interval, check_param
from fastml.utils.validation import is_sparse, validate_data

__all__ = ["IncrementalPCA"]


def _batches(n: int, batch_size: int, min_batch_size: int) -> Iterator[slice]:
    """Consecutive slices of ``batch_size`` rows; a short tail (fewer than
    ``min_batch_size`` rows) is merged into the previous batch."""
    start = 0
    for _ in range(n // batch_size):
        end = start + batch_size
        if end + min_batch_size > n:
            continue
        yield slice(start, end)
        start = end
    if start < n:
        yield slice(start, n)


class IncrementalPCA(_BasePCA):
    """Principal component analysis fitted batch by batch (constant memory).

    Parameters
    ----------
    n_components : int or None, default=None
        Components to keep; None keeps min(n_samples of the first batch,
        n_features).
    whiten : bool, default=False
        Scale the projections to unit variance.
    copy : bool, default=True
        Kept for compatibility: fastml never modifies the caller's X.
    batch_size : int or None, default=None
        Rows per batch in :meth:`fit`; None uses 5 * n_features.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, n_features)
    explained_variance_ : ndarray of shape (n_components_,)
    explained_variance_ratio_ : ndarray of shape (n_components_,)
    singular_values_ : ndarray of shape (n_components_,)
    mean_ : ndarray of shape (n_features,)
        Running column means.
    var_ : ndarray of shape (n_features,)
        Running column variances (ddof=0).
    noise_variance_ : float
    n_components_ : int
    n_samples_seen_ : int
    batch_size_ : int
        Rows per batch used by :meth:`fit`.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.decomposition import IncrementalPCA
    >>> X = np.array([[-1, -1], [-2, -1], [-3, -2], [1, 1], [2, 1], [3, 2]])
    >>> ipca = IncrementalPCA(n_components=2, batch_size=3).fit(X)
    >>> ipca.n_samples_seen_
    6
    """

    var_: np.ndarray
    singular_values_: np.ndarray
    n_samples_seen_: int

    def __init__(
        self,
        n_components: int | None = None,
        *,
        whiten: bool = False,
        copy: bool = True,
        batch_size: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.whiten = whiten
        self.copy = copy
        self.batch_size = batch_size

    def _check_params(self) -> None:
        check_param(
            self,
            "n_components",
            self.n_components,
            [Interval("int", 1, None, "left"), NONE],
        )
        check_param(self, "whiten", self.whiten, [BOOLEAN])
        check_param(self, "copy", self.copy, [BOOLEAN])
        check_param(
            self,
            "batch_size",
            self.batch_size,
            [Interval("int", 1, None, "left"), NONE],
        )

    def _reset(self) -> None:
        for name in (
            "components_",
            "n_samples_seen_",
            "mean_",
            "var_",
            "singular_values_",
            "explained_variance_",
            "explained_variance_ratio_",
            "noise_variance_",
            "n_components_",
        ):
            self.__dict__.pop(name, None)

    def fit(self, X: Any, y: Any = None) -> IncrementalPCA:
        """Fit on X in batches of ``batch_size`` rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : IncrementalPCA
        """
        self._check_params()
        self._reset()
        X = validate_data(self, X, dtype=(np.float64, np.float32), ensure_min_samples=2)
        n_samples, n_features = X.shape
        self.batch_size_ = (
            5 * n_features if self.batch_size is None else int(self.batch_size)
        )
        for batch in _batches(n_samples, self.batch_size_, self.n_components or 0):
            self._partial_fit(X[batch])
        return self

    def partial_fit(
        self, X: Any, y: Any = None, check_input: bool = True
    ) -> IncrementalPCA:
        """Update the fit with one batch of rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        check_input : bool, default=True
            Validate X (set False only for arrays already validated).

        Returns
        -------
        self : IncrementalPCA
        """
        first_pass = not hasattr(self, "components_")
        if first_pass:
            self._check_params()
        if check_input:
            if is_sparse(X):
                raise TypeError(
                    "IncrementalPCA.partial_fit does not support sparse input. Either "
                    "convert data to dense or use IncrementalPCA.fit to do so in "
                    "batches."
                )
            X = validate_data(
                self,
                X,
                dtype=(np.float64, np.float32),
                reset=first_pass,
                ensure_min_samples=2 if first_pass else 1,
            )
        self._partial_fit(X)
        return self

    def _partial_fit(self, X: np.ndarray) -> None:
        n_samples, n_features = X.shape
        components = getattr(self, "components_", None)
        if self.n_components is None:
            if components is None:
                n_components = min(n_samples, n_features)
            else:
                n_components = components.shape[0]
        elif not self.n_components <= n_features:
            raise ValueError(
                f"n_components={self.n_components!r} invalid for "
                f"n_features={n_features}, need more rows than columns for "
                "IncrementalPCA processing"
            )
        elif self.n_components > n_samples and components is None:
            raise ValueError(
                f"n_components={self.n_components} must be less or equal to the "
                f"batch number of samples {n_samples} for the first partial_fit call."
            )
        else:
            n_components = self.n_components
        if components is not None and components.shape[0] != n_components:
            raise ValueError(
                f"Number of input features has changed from {components.shape[0]} to "
                f"{n_components} between calls to partial_fit! Try setting "
                "n_components to a fixed value."
            )
        dtype = X.dtype
        n_seen = int(getattr(self, "n_samples_seen_", 0))
        batch_mean = X.mean(axis=0, dtype=np.float64)
        batch_m2 = ((X - batch_mean) ** 2).sum(axis=0, dtype=np.float64)
        n_total = n_seen + n_samples
        if n_seen == 0:
            mean, m2 = batch_mean, batch_m2
            stacked = X - batch_mean.astype(dtype)
        else:
            old_mean = np.asarray(self.mean_, dtype=np.float64)
            old_m2 = np.asarray(self.var_, dtype=np.float64) * n_seen
            delta = batch_mean - old_mean
            mean = old_mean + delta * (n_samples / n_total)
            m2 = old_m2 + batch_m2 + delta**2 * (n_seen * n_samples / n_total)
            correction = np.sqrt(n_seen / n_total * n_samples) * (old_mean - batch_mean)
            stacked = np.vstack(
                (
                    self.singular_values_[:, None] * self.components_,
                    X - batch_mean.astype(dtype),
                    correction.astype(dtype)[None, :],
                )
            )
        var = m2 / n_total
        U, S, Vt = scipy.linalg.svd(stacked, full_matrices=False, check_finite=False)
        Vt, _ = flip_rows(Vt)
        explained = S**2 / (n_total - 1)
        ratio = S**2 / np.sum(var * n_total)
        self.n_samples_seen_ = n_total
        self.n_components_ = int(n_components)
        self.components_ = np.ascontiguousarray(Vt[:n_components])
        self.singular_values_ = S[:n_components]
        self.mean_ = mean.astype(dtype)
        self.var_ = var.astype(dtype)
        self.explained_variance_ = explained[:n_components]
        self.explained_variance_ratio_ = ratio[:n_components].astype(dtype)
        if n_components not in (n_samples, n_features):
            self.noise_variance_ = explained[n_components:].mean()
        else:
            self.noise_variance_ = dtype.type(0.0)
