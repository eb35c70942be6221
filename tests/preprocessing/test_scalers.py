"""StandardScaler, MinMaxScaler, IQR outlier flags: properties, NaN, errors."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from fastml.preprocessing import (
    IQROutlierFlagger,
    MinMaxScaler,
    StandardScaler,
    iqr_outlier_mask,
)


def _data(seed=0, n=300, nan=False):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3) * [2.0, 0.5, 10.0] + [1.0, -4.0, 50.0]
    if nan:
        X[rng.rand(n, 3) < 0.1] = np.nan
    return X


def test_standard_scaler_zero_mean_unit_variance_and_roundtrip():
    X = _data()
    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-12)
    assert scaler.n_samples_seen_ == 300
    assert_allclose(scaler.scale_, np.sqrt(scaler.var_))


def test_standard_scaler_nan_ignored_and_preserved():
    X = _data(nan=True)
    scaler = StandardScaler().fit(X)
    assert_allclose(scaler.mean_, np.nanmean(X, axis=0), rtol=1e-12)
    assert_allclose(scaler.var_, np.nanvar(X, axis=0), rtol=1e-12)
    assert_array_equal(scaler.n_samples_seen_, (~np.isnan(X)).sum(axis=0))
    Z = scaler.transform(X)
    assert_array_equal(np.isnan(Z), np.isnan(X))


def test_standard_scaler_weights_equal_repetition():
    X = _data(n=50)
    w = np.random.RandomState(1).randint(0, 4, size=50)
    weighted = StandardScaler().fit(X, sample_weight=w.astype(float))
    repeated = StandardScaler().fit(np.repeat(X, w, axis=0))
    assert_allclose(weighted.mean_, repeated.mean_, rtol=1e-12)
    assert_allclose(weighted.var_, repeated.var_, rtol=1e-12)
    assert weighted.n_samples_seen_ == w.sum()
    with pytest.raises(
        ValueError, match="Negative values in data passed to sample_weight"
    ):
        StandardScaler().fit(X, sample_weight=-np.ones(50))
    with pytest.raises(ValueError, match="sample_weight.shape == \\(3,\\)"):
        StandardScaler().fit(X, sample_weight=np.ones(3))


def test_standard_scaler_partial_fit_equals_fit():
    X = _data(n=1000, nan=True)
    full = StandardScaler().fit(X)
    inc = StandardScaler()
    for batch in np.array_split(X, [1, 2, 500, 999]):
        inc.partial_fit(batch)
    assert_allclose(inc.mean_, full.mean_, rtol=1e-12)
    assert_allclose(inc.var_, full.var_, rtol=1e-12)
    assert_array_equal(inc.n_samples_seen_, full.n_samples_seen_)
    # fit resets what partial_fit accumulated
    inc.fit(X[:10])
    assert_allclose(inc.mean_, np.nanmean(X[:10], axis=0), rtol=1e-12)
    assert_array_equal(inc.n_samples_seen_, (~np.isnan(X[:10])).sum(axis=0))


def test_standard_scaler_options_and_constant_feature():
    X = np.column_stack([np.full(20, 7.0), np.arange(20.0)])
    scaler = StandardScaler().fit(X)
    assert scaler.scale_[0] == 1.0  # constant feature: no division by ~0
    assert_array_equal(scaler.transform(X)[:, 0], 0.0)
    s = StandardScaler(with_mean=False).fit(X)
    assert_allclose(s.transform(X), X / s.scale_)
    s = StandardScaler(with_std=False).fit(X)
    assert s.scale_ is None and s.var_ is None
    assert_allclose(s.transform(X), X - X.mean(axis=0))
    s = StandardScaler(with_mean=False, with_std=False).fit(X)
    assert s.mean_ is None and s.n_samples_seen_ == 20
    assert_array_equal(s.transform(X), X)


def test_scalers_copy_false_and_dtypes():
    X = _data()
    X32 = X.astype(np.float32)
    assert StandardScaler().fit_transform(X32).dtype == np.float32
    assert MinMaxScaler().fit_transform(X32).dtype == np.float32
    assert StandardScaler().fit_transform(X.astype(int)).dtype == np.float64
    Xc = X.copy()
    out = StandardScaler(copy=False).fit(Xc).transform(Xc)
    assert np.shares_memory(out, Xc)  # copy=False asks for in-place, as in sklearn
    Xr = X.copy()
    Xr.setflags(write=False)
    out = StandardScaler(copy=False).fit(Xr).transform(Xr)
    assert not np.shares_memory(out, Xr)


def test_minmax_scaler():
    X = _data(nan=True)
    scaler = MinMaxScaler(feature_range=(-1, 2)).fit(X)
    Z = scaler.transform(X)
    assert_allclose(np.nanmin(Z, axis=0), -1.0, atol=1e-12)
    assert_allclose(np.nanmax(Z, axis=0), 2.0, atol=1e-12)
    assert_array_equal(np.isnan(Z), np.isnan(X))
    assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-12)
    clipped = MinMaxScaler(clip=True).fit(X).transform(X * 5)
    assert np.nanmin(clipped) >= 0 and np.nanmax(clipped) <= 1
    const = MinMaxScaler().fit(np.full((4, 1), 3.0))
    assert const.scale_[0] == 1.0 and const.transform([[3.0]])[0, 0] == 0.0
    with pytest.raises(ValueError, match="Minimum of desired feature range"):
        MinMaxScaler(feature_range=(1, 0)).fit(X)
    with pytest.raises(ValueError, match="'feature_range' parameter"):
        MinMaxScaler(feature_range=3).fit(X)
    inc = MinMaxScaler()
    for batch in np.array_split(X, 4):
        inc.partial_fit(batch)
    assert_array_equal(inc.data_min_, scaler.data_min_)
    assert inc.n_samples_seen_ == 300


def test_iqr_outliers():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 2)
    X[:3, 0] = [10.0, -12.0, np.nan]
    flagger = IQROutlierFlagger().fit(X)
    q1, q3 = np.nanpercentile(X, [25, 75], axis=0)
    assert_allclose(flagger.q1_, q1)
    assert_allclose(flagger.q3_, q3)
    assert_allclose(flagger.lower_, q1 - 1.5 * (q3 - q1))
    assert_allclose(flagger.upper_, q3 + 1.5 * (q3 - q1))
    mask = flagger.transform(X)
    assert mask.dtype == bool and mask.shape == X.shape
    assert mask[0, 0] and mask[1, 0] and not mask[2, 0]  # NaN is never flagged
    expected = (X < flagger.lower_) | (X > flagger.upper_)
    assert_array_equal(mask, expected)
    assert_array_equal(iqr_outlier_mask(X), mask)
    assert_array_equal(iqr_outlier_mask(X[:, 0]), mask[:, 0])
    # a larger factor flags a subset
    wide = iqr_outlier_mask(X, factor=3.0)
    assert not np.any(wide & ~mask)
    # linear (NumPy default) quartiles on a small example: 1..5 -> Q1=2, Q3=4
    small = IQROutlierFlagger().fit([[1.0], [2.0], [3.0], [4.0], [5.0]])
    assert small.q1_[0] == 2.0 and small.q3_[0] == 4.0
    # all-NaN column flags nothing
    assert not iqr_outlier_mask(np.full((4, 1), np.nan)).any()
    with pytest.raises(ValueError, match="factor must be a finite number >= 0"):
        iqr_outlier_mask(X, factor=-1)
    with pytest.raises(ValueError, match="factor must be a finite number >= 0"):
        IQROutlierFlagger(factor="1.5").fit(X)
