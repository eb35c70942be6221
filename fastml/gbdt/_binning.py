"""Quantile binning of the features for histogram gradient boosting.

:class:`BinMapper` learns, per feature, at most ``max_bin - 1`` thresholds from the
weighted quantile sketch (``fastml.kernels.hist.sketch`` and ``.cuts``) and maps values to bin
indices with ``fastml.kernels.hist.binning.bin_data``:

- value bins ``0 .. n_thresholds(f)``, ``bin(v) = #{t <= v}``, so bin ``b`` holds the
  values ``t_b <= v < t_{b+1}``; a split "bin <= b goes left" is the raw rule
  ``v < cut_values[cut_ptr[f] + b]`` (see :meth:`BinMapper.threshold_of`);
- NaN goes to the missing bin ``max_bin`` (histograms have ``max_bin + 1`` slots);
- bins are uint8 when ``max_bin <= 255`` (the missing bin 255 still fits), uint16 up
  to ``max_bin = 65535``.

Thresholds are midpoints between consecutive distinct values of the sample; features
with at most ``max_bin`` distinct values get one bin per value. Comparisons are made
in float64 (a float32 value is widened exactly), as at prediction time.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

__all__ = ["BinMapper", "MAX_BIN_LIMIT", "DEFAULT_SUBSAMPLE"]

MAX_BIN_LIMIT = 65535
DEFAULT_SUBSAMPLE = 200_000


def _check_max_bin(max_bin: Any) -> int:
    if (
        isinstance(max_bin, bool)
        or not isinstance(max_bin, numbers.Integral)
        or not 2 <= int(max_bin) <= MAX_BIN_LIMIT
    ):
        raise ValueError(
            f"max_bin must be an integer in the range [2, {MAX_BIN_LIMIT}], "
            f"got {max_bin!r}."
        )
    return int(max_bin)


def _float_matrix(X: Any, name: str = "X", allow_f: bool = False) -> np.ndarray:
    """X as a C-contiguous float32/float64 2-D array (float32 kept, others float64).

    With ``allow_f`` an F-contiguous array is kept as it is (no copy).
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2D array for {name}, got {X.ndim}D instead.")
    if X.dtype not in (np.float32, np.float64):
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must contain numbers: {exc}") from None
    if allow_f and X.flags.f_contiguous:
        return X
    return np.ascontiguousarray(X)


def jittered_rows(n_samples: int, n_rows: int, seed: int) -> np.ndarray:
    """A sorted sample of ``n_rows`` distinct row indices of ``range(n_samples)``.

    Jittered systematic sampling: the rows are cut into ``n_rows`` consecutive
    strata ``[floor(j n / k), floor((j + 1) n / k))`` and one row is drawn uniformly
    in each (numpy's PCG64 seeded with ``seed``). Every row has probability
    ``1 / stratum size`` (``floor(n / k)`` or ``ceil(n / k)``) of being drawn, the
    sample covers the whole file evenly (robust to data sorted by a column), and it
    costs ``O(n_rows)``. Deterministic for a given ``(n_samples, n_rows, seed)``.
    """
    if n_rows >= n_samples:
        return np.arange(n_samples, dtype=np.int64)
    edges = (np.arange(n_rows + 1, dtype=np.int64) * n_samples) // n_rows
    rng = np.random.default_rng(seed)
    return rng.integers(edges[:-1], edges[1:], dtype=np.int64)


class BinMapper:
    """Map a float feature matrix to per-feature quantile bins.

    Parameters
    ----------
    max_bin : int, default=256
        At most ``max_bin`` value bins per feature (``max_bin - 1`` thresholds), in
        ``[2, 65535]``; the missing bin is ``max_bin``.
    subsample : int or None, default=200_000
        Thresholds are learned from at most this many rows (LightGBM's default
        sample size for binning), drawn by :func:`jittered_rows`; None uses every
        row.
    eps : float, default=0.0
        Rank accuracy of the sketch (see ``sketch_feature_cuts``): each threshold's
        left weight is within ``eps * W`` of the best exact boundary for its target
        rank, on the sample. 0 (the default) gives exact weighted quantiles of the
        sample (NumPy sort per column: as fast as the compiled sketch at 200,000
        rows, and nothing to compile). ``eps > 0`` uses the compiled sketch: chunk
        summaries of 16,384 rows pruned to ``max(max_bin, ceil(1 / eps))`` entries
        and merged, whose memory does not grow with the number of rows (for
        ``subsample=None`` on very large data).
    random_state : int, default=0
        Seed of the row sample.
    n_threads : int, default=1
        Threads for the sketch (split over features) and the binning (split over
        rows); the results do not depend on it.

    Attributes
    ----------
    cut_values : ndarray of shape (n_cuts_total,), float64
        Thresholds of feature f: ``cut_values[cut_ptr[f]:cut_ptr[f + 1]]``, strictly
        increasing.
    cut_ptr : ndarray of shape (n_features + 1,), int64
    dtype : numpy.dtype
        uint8 when ``max_bin <= 255``, else uint16.
    n_features : int
        Number of features seen in :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.gbdt._binning import BinMapper
    >>> X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 1.0], [3.0, 5.0]])
    >>> mapper = BinMapper(max_bin=4).fit(X)
    >>> mapper.transform(X)
    array([[0, 0],
           [1, 4],
           [2, 0],
           [3, 1]], dtype=uint8)
    >>> mapper.threshold_of(1, 0)
    3.0
    """

    def __init__(
        self,
        max_bin: int = 256,
        subsample: int | None = DEFAULT_SUBSAMPLE,
        eps: float = 0.0,
        random_state: int = 0,
        n_threads: int = 1,
    ) -> None:
        self.max_bin = max_bin
        self.subsample = subsample
        self.eps = eps
        self.random_state = random_state
        self.n_threads = n_threads

    # ------------------------------------------------------------------ fitting

    def fit(self, X: Any, sample_weight: Any = None) -> BinMapper:
        """Learn the thresholds of every feature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            float32 data is kept as float32; NaN means missing.
        sample_weight : array-like of shape (n_samples,) or None
            Rows with weight <= 0 do not contribute; None means unit weights.

        Returns
        -------
        self : BinMapper
        """
        from fastml.kernels.hist.cuts import sketch_feature_cuts

        max_bin = _check_max_bin(self.max_bin)
        X = _float_matrix(X, allow_f=True)  # only sampled rows are read: no copy
        n_samples, n_features = X.shape
        if sample_weight is None:
            weights = np.ones(n_samples)
        else:
            weights = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
            if weights.shape[0] != n_samples:
                raise ValueError(
                    f"sample_weight.shape == ({weights.shape[0]},), expected "
                    f"({n_samples},)!"
                )
        eps = float(self.eps)
        if not eps >= 0.0:
            raise ValueError(f"eps must be >= 0, got {self.eps!r}.")
        n_rows = n_samples
        if self.subsample is not None:
            if int(self.subsample) < 1:
                raise ValueError(f"subsample must be >= 1, got {self.subsample!r}.")
            n_rows = min(n_samples, int(self.subsample))
        row_idx = jittered_rows(n_samples, n_rows, int(self.random_state))
        n_threads = max(1, int(self.n_threads))
        # the sampled rows, F-ordered (each feature's values contiguous), one copy
        sample = np.empty((row_idx.shape[0], n_features), dtype=X.dtype, order="F")
        np.take(X, row_idx, axis=0, out=sample, mode="clip")
        cut_values, cut_ptr = sketch_feature_cuts(
            sample,
            np.ascontiguousarray(weights[row_idx]),
            max_bin,
            eps,
            n_threads=n_threads,
        )
        self.cut_values = cut_values
        self.cut_ptr = cut_ptr
        self.dtype = np.dtype(np.uint8 if max_bin <= 255 else np.uint16)
        self.n_features = n_features
        self._max_bin_fitted = max_bin
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Bin indices of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        bins : ndarray of shape (n_samples, n_features), ``self.dtype``, C-contiguous
            ``#{t <= v}`` per value, ``missing_bin`` for NaN.
        """
        from fastml.kernels.hist.binning import bin_data

        self._check_fitted()
        X = _float_matrix(X)
        if X.shape[1] != self.n_features:
            raise ValueError(
                f"X has {X.shape[1]} features, but BinMapper is expecting "
                f"{self.n_features} features as input."
            )
        out = np.empty(X.shape, dtype=self.dtype)
        if X.size:
            bin_data(
                X,
                self.cut_values,
                self.cut_ptr,
                self.missing_bin,
                out,
                n_threads=max(1, int(self.n_threads)),
            )
        return out

    def fit_transform(self, X: Any, sample_weight: Any = None) -> np.ndarray:
        """:meth:`fit` then :meth:`transform` of the same X."""
        X = _float_matrix(X)
        return self.fit(X, sample_weight).transform(X)

    # ------------------------------------------------------------------ queries

    @property
    def missing_bin(self) -> int:
        """Bin index of NaN values (``max_bin``)."""
        self._check_fitted()
        return self._max_bin_fitted

    @property
    def n_thresholds(self) -> np.ndarray:
        """Number of thresholds per feature, ndarray of shape (n_features,), int64.

        Feature f has ``n_thresholds[f] + 1`` value bins (1 for a constant or
        all-NaN feature).
        """
        self._check_fitted()
        return np.diff(self.cut_ptr)

    def thresholds(self, feature: int) -> np.ndarray:
        """The thresholds of one feature (a read-only view), ascending."""
        self._check_fitted()
        f = self._check_feature(feature)
        view = self.cut_values[self.cut_ptr[f] : self.cut_ptr[f + 1]].view()
        view.flags.writeable = False
        return view

    def threshold_of(self, feature: int, bin: int) -> float:
        """Raw threshold of the split "bin <= ``bin``" of ``feature``.

        The split sends a value ``v`` left iff ``v < threshold`` (NaN follows the
        split's default direction): the threshold is ``t_{bin+1} =
        cut_values[cut_ptr[feature] + bin]``, for ``0 <= bin < n_thresholds[feature]``.
        """
        self._check_fitted()
        f = self._check_feature(feature)
        n = int(self.cut_ptr[f + 1] - self.cut_ptr[f])
        if not 0 <= int(bin) < n:
            raise IndexError(
                f"bin {bin} has no threshold: feature {f} has {n} thresholds "
                f"(bins 0 to {n - 1} can be split on)."
            )
        return float(self.cut_values[self.cut_ptr[f] + int(bin)])

    def _check_feature(self, feature: int) -> int:
        f = int(feature)
        if not 0 <= f < self.n_features:
            raise IndexError(
                f"feature {feature} is out of range for {self.n_features} features."
            )
        return f

    def _check_fitted(self) -> None:
        if not hasattr(self, "cut_ptr"):
            from fastml.exceptions import NotFittedError

            raise NotFittedError(
                "This BinMapper instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
