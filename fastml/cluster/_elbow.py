"""The elbow helper: k-means inertia over a range of k and the knee as the
suggested number of clusters (optional matplotlib plot)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fastml.cluster._kmeans import KMeans

__all__ = ["Elbow", "kmeans_elbow"]


@dataclass
class Elbow:
    """Inertia of k-means over a range of k and the suggested k (the knee).

    Attributes
    ----------
    k_values : ndarray of shape (n_k,), int64
    inertias : ndarray of shape (n_k,), float64
    suggested_k : int
        The k farthest below the chord joining the first and last points of the
        normalised (k, inertia) curve (the "Kneedle" knee of a decreasing convex
        curve).
    """

    k_values: np.ndarray
    inertias: np.ndarray
    suggested_k: int
    models: list[Any] = field(default_factory=list, repr=False)

    def plot(self, ax: Any = None) -> Any:
        """Plot inertia against k with the knee marked (needs matplotlib).

        Parameters
        ----------
        ax : matplotlib Axes or None
            Axes to draw on (a new figure's when None).

        Returns
        -------
        matplotlib Axes
        """
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Elbow.plot needs matplotlib: pip install matplotlib"
            ) from exc
        if ax is None:
            _, ax = plt.subplots()
        ax.plot(self.k_values, self.inertias, marker="o")
        ax.axvline(self.suggested_k, linestyle="--", color="grey")
        ax.set_xlabel("number of clusters k")
        ax.set_ylabel("inertia")
        return ax


def _knee(k_values: np.ndarray, inertias: np.ndarray) -> int:
    if len(k_values) <= 2:
        return int(k_values[0])
    x = (k_values - k_values[0]) / max(1e-300, float(k_values[-1] - k_values[0]))
    span = float(inertias[0] - inertias[-1])
    if span <= 0:
        return int(k_values[0])
    y = (inertias - inertias[-1]) / span  # from 1 down to 0
    gap = (1.0 - x) - y  # chord minus curve: largest at the knee
    return int(k_values[int(np.argmax(gap))])


def kmeans_elbow(
    X: Any,
    k_values: Any = range(1, 11),
    *,
    sample_weight: Any = None,
    plot: bool = False,
    ax: Any = None,
    keep_models: bool = False,
    **kmeans_params: Any,
) -> Elbow:
    """Fit KMeans for each k and suggest the knee of the inertia curve.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    k_values : iterable of int, default=range(1, 11)
        Increasing numbers of clusters to try.
    sample_weight : array-like of shape (n_samples,) or None
    plot : bool, default=False
        Draw the curve (imports matplotlib).
    ax : matplotlib Axes or None
    keep_models : bool, default=False
        Keep the fitted KMeans models in the result.
    **kmeans_params
        Passed to :class:`KMeans` (e.g. ``random_state``, ``n_init``, ``n_jobs``).

    Returns
    -------
    Elbow

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.cluster import kmeans_elbow
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(c, 0.1, (30, 2)) for c in (0, 5, 10)])
    >>> kmeans_elbow(X, range(1, 8), random_state=0).suggested_k
    3
    """
    ks = np.asarray(list(k_values), dtype=np.int64)
    if ks.size == 0 or np.any(ks < 1) or np.any(np.diff(ks) <= 0):
        raise ValueError(
            "k_values must be a non-empty increasing sequence of ints >= 1."
        )
    inertias = np.empty(ks.size)
    models = []
    for i, k in enumerate(ks):
        model = KMeans(n_clusters=int(k), **kmeans_params).fit(
            X, sample_weight=sample_weight
        )
        inertias[i] = model.inertia_
        if keep_models:
            models.append(model)
    result = Elbow(ks, inertias, _knee(ks, inertias), models)
    if plot:
        result.plot(ax)
    return result
