"""The column-moments kernel against the two-pass float64 reference."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.decomposition.moments import column_moments
from naive.decomposition import naive_column_moments


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(1, 3), (7, 1), (100, 5), (1000, 17)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("block_rows", [1, 3, 64])
def test_column_moments_matches_naive(seed, shape, dtype, block_rows):
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=shape) * 3 + 5).astype(dtype)
    mean, m2 = column_moments(X, block_rows)
    ref_mean, ref_m2 = naive_column_moments(X)
    assert mean.dtype == np.float64 and m2.dtype == np.float64
    # float64 accumulation of the same (exactly representable) values: only
    # summation-order rounding separates the two, ~n * 1e-16 relative
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(m2, ref_m2, rtol=1e-10, atol=1e-10)


def test_constant_column_and_large_offset():
    rng = np.random.default_rng(0)
    X = np.empty((5000, 3))
    X[:, 0] = 7.25
    X[:, 1] = 1e8 + rng.normal(size=5000)  # mean huge next to the spread
    X[:, 2] = rng.normal(size=5000)
    mean, m2 = column_moments(X, 256)
    ref_mean, ref_m2 = naive_column_moments(X)
    assert m2[0] == 0.0  # block means are exact for a constant column
    np.testing.assert_allclose(m2[1:], ref_m2[1:], rtol=1e-9)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-14, atol=1e-12)


def test_non_finite_propagates():
    X = np.ones((50, 3))
    X[10, 1] = np.nan
    X[20, 2] = np.inf
    mean, m2 = column_moments(X, 8)
    assert np.isfinite(mean[0]) and np.isfinite(m2[0])
    assert not np.isfinite(m2[1]) and not np.isfinite(m2[2])


def test_thread_count_does_not_change_the_result():
    X = np.random.default_rng(3).normal(size=(10_000, 6))
    with num_threads(1):
        a = column_moments(X, 128)
    with num_threads(2):
        b = column_moments(X, 128)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
