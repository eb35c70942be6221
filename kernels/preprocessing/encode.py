"""Category lookup, one-hot fill and target-encoding kernels (Numba).

These kernels serve the numeric paths of ``fastml.preprocessing``'s encoders. Object and
string columns never reach them: they are encoded with NumPy (``np.unique`` /
``np.searchsorted``) or a Python dict in ``fastml/preprocessing/_encode.py``.

Naive references: ``tests/naive/preprocessing.py`` (``naive_lookup_categories``,
``naive_onehot_columns``, ``naive_target_encoding``, ``naive_target_encoding_auto``);
compared in ``tests/kernels/test_preprocessing.py``.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit_parallel, prange

__all__ = [
    "apply_target_encoding",
    "lookup_categories",
    "map_onehot_columns",
    "fill_onehot",
    "fit_target_encoding",
    "fit_target_encoding_auto",
]


@jit_parallel
def lookup_categories(values, categories, out):  # pragma: no cover - compiled
    """Index of each value in a sorted category array, -1 when absent.

    Parameters
    ----------
    values : ndarray of shape (n_samples,), float64 or int64, C-contiguous (IN)
        The column to encode.
    categories : ndarray of shape (n_categories,), same dtype as ``values`` (IN)
        Strictly increasing; for float64 a NaN category may only be the last entry.
    out : ndarray of shape (n_samples,), int64 (OUT)
        ``out[i] = k`` when ``values[i] == categories[k]``, NaN maps to the NaN
        category when there is one, anything else gives -1.

    Notes
    -----
    A branch-free binary search per value over the non-NaN categories (the
    comparison selects the next half instead of branching on it, so the data-dependent
    branch that a plain search mispredicts about half of the time is gone), rows in
    parallel; O(n_samples log n_categories). It fuses NumPy's ``searchsorted``, the
    equality check and the NaN special case into one pass.
    """
    n_samples = values.shape[0]
    n_cats = categories.shape[0]
    nan_idx = -1
    n_search = n_cats
    if n_cats > 0 and categories[n_cats - 1] != categories[n_cats - 1]:
        nan_idx = n_cats - 1
        n_search = n_cats - 1
    for i in prange(n_samples):
        v = values[i]
        if v != v:  # NaN (never true for integers)
            out[i] = nan_idx
            continue
        if n_search == 0:
            out[i] = -1
            continue
        # largest lo with categories[lo] <= v (or 0)
        lo = 0
        length = n_search
        while length > 1:
            half = length >> 1
            mid = lo + half
            lo = mid if categories[mid] <= v else lo
            length -= half
        out[i] = lo if categories[lo] == v else -1


@jit_parallel
def map_onehot_columns(codes, offsets, drop_idx, out):  # pragma: no cover - compiled
    """Output column of each (sample, feature) code in a one-hot matrix, -1 for none.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_features), int64 (IN)
        Category index per cell, -1 for unknown (encoded as all zeros).
    offsets : ndarray of shape (n_features,), int64 (IN)
        First output column of each feature's block.
    drop_idx : ndarray of shape (n_features,), int64 (IN)
        Category dropped per feature, -1 when none: its cells map to -1 and the
        categories after it shift one column to the left.
    out : ndarray of shape (n_samples, n_features), int64 (OUT)

    Notes
    -----
    Rows in parallel, no reduction. ``out`` feeds both the dense fill
    (:func:`fill_onehot`) and the CSR ``indices`` of a sparse result.
    """
    n_samples, n_features = codes.shape
    for i in prange(n_samples):
        for j in range(n_features):
            c = codes[i, j]
            d = drop_idx[j]
            if c < 0 or c == d:
                out[i, j] = -1
            elif d >= 0 and c > d:
                out[i, j] = offsets[j] + c - 1
            else:
                out[i, j] = offsets[j] + c


@jit_parallel
def fill_onehot(columns, out):  # pragma: no cover - compiled
    """Write ones at ``out[i, columns[i, j]]`` for every ``columns[i, j] >= 0``.

    Parameters
    ----------
    columns : ndarray of shape (n_samples, n_features), int64 (IN)
        Output of :func:`map_onehot_columns`.
    out : ndarray of shape (n_samples, n_outputs), float64 or float32 (IN/OUT)
        Zero-initialised; receives the ones.
    """
    n_samples, n_features = columns.shape
    for i in prange(n_samples):
        for j in range(n_features):
            c = columns[i, j]
            if c >= 0:
                out[i, c] = 1.0


@jit_parallel
def fit_target_encoding(
    codes, y, row_idx, offsets, smooth, y_mean, out
):  # pragma: no cover - compiled
    """Smoothed category means of ``y`` with a fixed smoothing weight.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_features), int64 (IN)
        Category index per cell; -1 (unknown) cells are skipped.
    y : ndarray of shape (n_samples,), float64 (IN)
        Target (0/1 for a binary target, one indicator column per class for a
        multiclass one).
    row_idx : ndarray of shape (n_rows,), int64 (IN)
        Rows to learn from, summed in this order (all rows, or a cross-fitting
        fold's training rows).
    offsets : ndarray of shape (n_features + 1,), int64 (IN)
        ``out[offsets[j]:offsets[j + 1]]`` holds feature ``j``'s encodings.
    smooth : float
        Weight ``m`` of the prior ``y_mean``.
    y_mean : float
        Mean of ``y`` over ``row_idx``.
    out : ndarray of shape (offsets[-1],), float64 (OUT)

    Notes
    -----
    Eq. 7 of Micci-Barreca (2001): ``(m * y_mean + sum_{i in c} y_i) / (m + n_c)``;
    a category with zero total weight gets ``y_mean``. The sum starts at
    ``m * y_mean`` and adds the targets in row order, so results are bitwise
    reproducible. Features in parallel, each summed serially: the result does not
    depend on the thread count.
    """
    n_features = codes.shape[1]
    n_rows = row_idx.shape[0]
    for j in prange(n_features):
        start = offsets[j]
        n_cats = offsets[j + 1] - start
        sums = np.full(n_cats, smooth * y_mean)
        counts = np.full(n_cats, smooth)
        for r in range(n_rows):
            i = row_idx[r]
            c = codes[i, j]
            if c < 0:
                continue
            sums[c] += y[i]
            counts[c] += 1.0
        for c in range(n_cats):
            if counts[c] == 0.0:
                out[start + c] = y_mean
            else:
                out[start + c] = sums[c] / counts[c]


@jit_parallel
def fit_target_encoding_auto(
    codes, y, row_idx, offsets, y_mean, y_variance, out
):  # pragma: no cover - compiled
    """Category means of ``y`` shrunk towards ``y_mean`` by an empirical-Bayes weight.

    Parameters
    ----------
    codes, y, row_idx, offsets, out
        As in :func:`fit_target_encoding`.
    y_mean : float
        Mean of ``y`` over ``row_idx``.
    y_variance : float
        Population variance of ``y`` over ``row_idx``.

    Notes
    -----
    Eq. 5-6 of Micci-Barreca (2001) with the within-category variance ``s_c^2``
    estimated from the data: ``lambda_c = n_c v / (n_c v + s_c^2)`` with
    ``v = y_variance`` and ``s_c^2 = sum_{i in c} (y_i - mean_c)^2 / n_c``;
    the encoding is ``lambda_c mean_c + (1 - lambda_c) y_mean``, and ``y_mean``
    when ``lambda_c`` is undefined (empty category, or zero variance everywhere).
    Two serial passes per feature (means, then squared deviations) in row order;
    features in parallel.
    """
    n_features = codes.shape[1]
    n_rows = row_idx.shape[0]
    for j in prange(n_features):
        start = offsets[j]
        n_cats = offsets[j + 1] - start
        means = np.zeros(n_cats)
        counts = np.zeros(n_cats, dtype=np.int64)
        sq_diffs = np.zeros(n_cats)
        for r in range(n_rows):
            i = row_idx[r]
            c = codes[i, j]
            if c < 0:
                continue
            counts[c] += 1
            means[c] += y[i]
        for c in range(n_cats):
            means[c] /= counts[c]
        for r in range(n_rows):
            i = row_idx[r]
            c = codes[i, j]
            if c < 0:
                continue
            diff = y[i] - means[c]
            sq_diffs[c] += diff * diff
        for c in range(n_cats):
            n_c = counts[c]
            lam = y_variance * n_c / (y_variance * n_c + sq_diffs[c] / n_c)
            if lam != lam:
                out[start + c] = y_mean
            else:
                out[start + c] = lam * means[c] + (1.0 - lam) * y_mean


@jit_parallel
def apply_target_encoding(
    codes, rows, encodings, offsets, means, out
):  # pragma: no cover - compiled
    """Write the encodings of ``rows`` into ``out``; unknown cells get the mean.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, n_features), int64 (IN)
        Category index per cell, -1 for unknown.
    rows : ndarray of shape (n_rows,), int64 (IN)
        Rows to encode (all rows, or a cross-fitting fold's held-out rows).
    encodings : ndarray of shape (n_targets, offsets[-1]), float64 (IN)
        Flat encodings per target column (1 target, or one per class).
    offsets : ndarray of shape (n_features + 1,), int64 (IN)
    means : ndarray of shape (n_targets,), float64 (IN)
        Encoding of unknown categories, per target.
    out : ndarray of shape (n_samples, n_features * n_targets), float64 (OUT)
        ``out[i, j * n_targets + k]`` for ``i`` in ``rows``; other rows untouched.

    Notes
    -----
    A gather, rows in parallel; replaces NumPy's fancy-index gather, ``where`` and
    scatter (three passes and two temporaries per fold) by one pass.
    """
    n_rows = rows.shape[0]
    n_features = codes.shape[1]
    n_targets = encodings.shape[0]
    for r in prange(n_rows):
        i = rows[r]
        for j in range(n_features):
            c = codes[i, j]
            for k in range(n_targets):
                if c < 0:
                    out[i, j * n_targets + k] = means[k]
                else:
                    out[i, j * n_targets + k] = encodings[k, offsets[j] + c]
