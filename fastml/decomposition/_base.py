"""Shared behaviour of PCA and IncrementalPCA: projection, reconstruction, the
probabilistic-PCA covariance/precision, feature names, and the scree data/plot."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.base import BaseEstimator, TransformerMixin
from fastml.utils.validation import check_array, check_is_fitted, validate_data

__all__ = ["_BasePCA"]


class _BasePCA(TransformerMixin, BaseEstimator):
    """Fitted state: components_ (k, p), explained_variance_ (k,), mean_ (p,),
    noise_variance_, n_components_, whiten."""

    components_: np.ndarray
    explained_variance_: np.ndarray
    explained_variance_ratio_: np.ndarray
    mean_: np.ndarray
    noise_variance_: Any
    n_components_: int
    n_features_in_: int
    whiten: bool

    def _loadings(self) -> tuple[np.ndarray, np.ndarray]:
        """Components as used by the generative model (scaled when whitened) and the
        explained variances minus the noise, clipped at zero."""
        components = self.components_
        exp_var = self.explained_variance_
        if self.whiten:
            components = components * np.sqrt(exp_var[:, None])
        diff = np.where(
            exp_var > self.noise_variance_, exp_var - self.noise_variance_, 0
        )
        return components, diff

    def get_covariance(self) -> np.ndarray:
        """Covariance of the data under the probabilistic PCA model.

        ``components_.T @ diag(explained_variance_ - noise) @ components_ +
        noise * I`` (Tipping and Bishop, 1999).

        Returns
        -------
        cov : ndarray of shape (n_features, n_features)
        """
        check_is_fitted(self)
        components, diff = self._loadings()
        cov = (components.T * diff) @ components
        cov.flat[:: cov.shape[0] + 1] += self.noise_variance_
        return cov

    def get_precision(self) -> np.ndarray:
        """Inverse of :meth:`get_covariance`, by the matrix inversion lemma.

        Returns
        -------
        precision : ndarray of shape (n_features, n_features)
        """
        check_is_fitted(self)
        n_features = self.components_.shape[1]
        if self.n_components_ == 0:
            return np.eye(n_features) / self.noise_variance_
        if self.noise_variance_ == 0.0:
            return np.linalg.inv(self.get_covariance())
        components, diff = self._loadings()
        noise = self.noise_variance_
        inner = components @ components.T / noise
        with np.errstate(divide="ignore"):
            inner.flat[:: inner.shape[0] + 1] += 1.0 / diff
        precision = components.T @ np.linalg.inv(inner) @ components
        precision /= -(noise**2)
        precision.flat[:: n_features + 1] += 1.0 / noise
        return precision

    def transform(self, X: Any) -> np.ndarray:
        """Project X on the principal components.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        return self._project(X)

    def _project(self, X: np.ndarray) -> np.ndarray:
        out = X @ self.components_.T
        out -= (self.mean_ @ self.components_.T)[None, :]
        if self.whiten:
            scale = np.sqrt(self.explained_variance_)
            scale = np.maximum(scale, np.finfo(scale.dtype).eps)
            out /= scale
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Map projected data back to the feature space (undoing whitening).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        X = check_array(X, dtype=(np.float64, np.float32), input_name="X")
        components = self.components_
        if self.whiten:
            components = np.sqrt(self.explained_variance_[:, None]) * components
        return X @ components + self.mean_

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names "<classname>0", "<classname>1", ...

        Parameters
        ----------
        input_features : array-like of str or None
            Only checked against ``feature_names_in_`` when given.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        if input_features is not None:
            names_in = getattr(self, "feature_names_in_", None)
            given = np.asarray(input_features, dtype=object)
            if names_in is not None and not np.array_equal(given, names_in):
                raise ValueError("input_features is not equal to feature_names_in_")
            if names_in is None and len(given) != self.n_features_in_:
                raise ValueError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(given)}"
                )
        prefix = type(self).__name__.lower()
        return np.asarray(
            [f"{prefix}{i}" for i in range(self.components_.shape[0])], dtype=object
        )

    def scree_data(self) -> dict[str, np.ndarray]:
        """Scree-plot data of the kept components.

        Returns
        -------
        dict with keys
            ``component`` (1, 2, ..., n_components_), ``explained_variance``,
            ``explained_variance_ratio`` and ``cumulative_ratio`` (running sum of the
            ratios), each an ndarray of shape (n_components_,).
        """
        check_is_fitted(self)
        ratio = np.asarray(self.explained_variance_ratio_, dtype=np.float64)
        return {
            "component": np.arange(1, ratio.shape[0] + 1),
            "explained_variance": np.asarray(self.explained_variance_, np.float64),
            "explained_variance_ratio": ratio,
            "cumulative_ratio": np.cumsum(ratio),
        }

    def plot_scree(self, ax: Any = None) -> Any:
        """Bar chart of the explained-variance ratios with their running sum.

        matplotlib is imported only here (an optional dependency).

        Parameters
        ----------
        ax : matplotlib Axes or None
            Drawn into; a new figure's axes when None.

        Returns
        -------
        ax : matplotlib Axes
        """
        data = self.scree_data()
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plot_scree requires matplotlib") from exc
        if ax is None:
            _, ax = plt.subplots()
        ax.bar(data["component"], data["explained_variance_ratio"], label="component")
        ax.plot(data["component"], data["cumulative_ratio"], "o-", label="cumulative")
        ax.set_xlabel("component")
        ax.set_ylabel("explained variance ratio")
        ax.set_ylim(0, 1.05)
        ax.legend()
        return ax

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
