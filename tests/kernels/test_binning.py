"""bin_data vs np.searchsorted (tests/naive/binning.py)."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.hist.binning import bin_data, n_lookup_cells
from fastml.kernels.hist.cuts import sketch_feature_cuts
from naive.binning import naive_bin_data


def run(X, cv, cp, missing_bin, dtype, n_threads=2):
    out = np.empty(X.shape, dtype=dtype)
    with num_threads(n_threads):
        bin_data(X, cv, cp, missing_bin, out)
    return out


def make_X(seed, n, dtype):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.standard_normal(n),
            rng.lognormal(0, 3, n),  # heavy tail: many thresholds per lookup cell
            np.round(rng.standard_normal(n) * 3),  # ties, low cardinality
            rng.integers(0, 2, n).astype(float),
            np.full(n, 5.0),  # constant: no threshold
            rng.uniform(-1e30, 1e30, n),
        ]
    ).astype(dtype)
    X[rng.random(X.shape) < 0.1] = np.nan
    return X


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("max_bin", [2, 16, 255, 256, 1000])
@pytest.mark.parametrize("seed", [0, 1])
def test_bin_data_matches_searchsorted(dtype, max_bin, seed):
    X = make_X(seed, 3000, dtype)
    w = np.random.default_rng(seed).random(3000)
    cv, cp = sketch_feature_cuts(X, w, max_bin, 0.0)
    out_dtype = np.uint8 if max_bin <= 255 else np.uint16
    got = run(X, cv, cp, max_bin, out_dtype)
    np.testing.assert_array_equal(got, naive_bin_data(X, cv, cp, max_bin, out_dtype))
    assert np.all(got[np.isnan(X)] == max_bin)
    assert got.dtype == out_dtype and got.flags.c_contiguous


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bin_data_values_at_and_around_thresholds(dtype):
    # values exactly at thresholds go right (bin(t_j) = j), just below go left
    rng = np.random.default_rng(3)
    t = np.sort(rng.choice(np.arange(-500, 500), 300, replace=False)).astype(np.float64)
    t = t.astype(dtype).astype(np.float64)
    cp = np.array([0, t.shape[0]], dtype=np.int64)
    vals = np.concatenate(
        [t, np.nextafter(t.astype(dtype), dtype(-np.inf)), [-np.inf, np.inf, -0.0, 0.0]]
    ).astype(dtype)[:, None]
    got = run(np.ascontiguousarray(vals), t, cp, 400, np.uint16)
    np.testing.assert_array_equal(got, naive_bin_data(vals, t, cp, 400, np.uint16))
    np.testing.assert_array_equal(got[: t.shape[0], 0], np.arange(1, t.shape[0] + 1))


def test_bin_data_float32_values_against_float64_thresholds():
    # a float64 threshold between two adjacent float32 values splits them
    a = np.float32(1.0)
    b = np.nextafter(a, np.float32(2.0))
    mid = 0.5 * np.float64(a) + 0.5 * np.float64(b)
    X = np.array([[a], [b]], dtype=np.float32)
    got = run(X, np.array([mid]), np.array([0, 1], dtype=np.int64), 9, np.uint8)
    assert got[:, 0].tolist() == [0, 1]


def test_bin_data_extreme_threshold_sets():
    X = np.array(
        [
            [-np.inf, 0.0, 1.0],
            [1e-310, 5e-324, 2.0],
            [np.inf, np.nan, 3.0],
            [7.0, 1e308, -1e308],
        ]
    )
    # infinite last threshold, subnormal span, huge span, single threshold
    cv = np.array([1e-310, 2e-310, np.inf, 0.0, 5e-324, -1e308, 1e308])
    cp = np.array([0, 3, 5, 7], dtype=np.int64)
    got = run(X, cv, cp, 255, np.uint8)
    np.testing.assert_array_equal(got, naive_bin_data(X, cv, cp, 255, np.uint8))


def test_bin_data_no_thresholds_and_empty():
    X = np.array([[1.0, np.nan], [-3.0, 2.0]])
    cp = np.zeros(3, dtype=np.int64)
    got = run(X, np.empty(0), cp, 7, np.uint8)
    assert got.tolist() == [[0, 7], [0, 0]]
    out = run(np.empty((0, 2)), np.empty(0), cp, 7, np.uint8)
    assert out.shape == (0, 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bin_data_thread_count_and_readonly(dtype):
    X = make_X(4, 20000, dtype)
    cv, cp = sketch_feature_cuts(X, np.ones(20000), 255, 0.001)
    one = run(X, cv, cp, 255, np.uint8, n_threads=1)
    Xr = X.copy()
    Xr.setflags(write=False)
    cvr, cpr = cv.copy(), cp.copy()
    cvr.setflags(write=False)
    cpr.setflags(write=False)
    two = run(Xr, cvr, cpr, 255, np.uint8, n_threads=2)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(X, make_X(4, 20000, dtype))  # input untouched


def test_many_thresholds_uint16():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((70000, 2))
    cv, cp = sketch_feature_cuts(X, np.ones(70000), 65535, 0.0)
    assert np.diff(cp).tolist() == [65534, 65534]
    got = run(X, cv, cp, 65535, np.uint16)
    np.testing.assert_array_equal(got, naive_bin_data(X, cv, cp, 65535, np.uint16))


def test_n_lookup_cells():
    assert [n_lookup_cells(m) for m in (0, 1, 4, 5, 254, 20000)] == [
        16,
        16,
        16,
        32,
        1024,
        65536,
    ]
