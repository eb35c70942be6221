"""fastml.metrics regression metrics: values vs direct formulas, options, bad input.

Tolerance: rtol=1e-12 for float64 (the same sums, possibly in another order).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import fastml.metrics as fm
from fastml.exceptions import UndefinedMetricWarning


def _data(seed, n=200, n_outputs=3):
    rng = np.random.default_rng(seed)
    y = rng.normal(size=(n, n_outputs)) * np.arange(1, n_outputs + 1)
    p = y + rng.normal(size=(n, n_outputs))
    w = rng.random(n)
    return y, p, w


def _loop_r2(y, p, w):
    mean = sum(wi * yi for wi, yi in zip(w, y)) / sum(w)
    ss_res = sum(wi * (yi - pi) ** 2 for wi, yi, pi in zip(w, y, p))
    ss_tot = sum(wi * (yi - mean) ** 2 for wi, yi in zip(w, y))
    return 1 - ss_res / ss_tot, ss_tot


@pytest.mark.parametrize("seed", range(3))
def test_values_match_loops(seed):
    y, p, w = _data(seed)
    for k in range(3):
        col_y, col_p = y[:, k], p[:, k]
        mse = sum(wi * (a - b) ** 2 for wi, a, b in zip(w, col_y, col_p)) / sum(w)
        mae = sum(wi * abs(a - b) for wi, a, b in zip(w, col_y, col_p)) / sum(w)
        r2, _ = _loop_r2(col_y, col_p, w)
        assert fm.mean_squared_error(col_y, col_p, sample_weight=w) == pytest.approx(
            mse, rel=1e-12
        )
        assert fm.mean_absolute_error(col_y, col_p, sample_weight=w) == pytest.approx(
            mae, rel=1e-12
        )
        assert fm.r2_score(col_y, col_p, sample_weight=w) == pytest.approx(
            r2, rel=1e-12
        )
    raw = fm.r2_score(y, p, sample_weight=w, multioutput="raw_values")
    tots = [_loop_r2(y[:, k], p[:, k], w)[1] for k in range(3)]
    assert fm.r2_score(y, p, sample_weight=w) == pytest.approx(raw.mean(), rel=1e-12)
    assert fm.r2_score(
        y, p, sample_weight=w, multioutput="variance_weighted"
    ) == pytest.approx(np.average(raw, weights=tots), rel=1e-12)
    custom = np.array([0.2, 0.3, 0.5])
    assert fm.mean_squared_error(y, p, multioutput=custom) == pytest.approx(
        np.average(((y - p) ** 2).mean(axis=0), weights=custom), rel=1e-12
    )


def test_r2_special_values():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    assert fm.r2_score(y, y) == 1.0
    assert fm.r2_score(y, np.full(4, y.mean())) == 0.0
    const = np.ones(4)
    assert fm.r2_score(const, const) == 1.0
    assert fm.r2_score(const, y) == 0.0
    assert fm.r2_score(const, y, force_finite=False) == -np.inf
    with np.errstate(all="ignore"):
        assert np.isnan(fm.r2_score(const, const, force_finite=False))
    with pytest.warns(UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(fm.r2_score([1.0], [2.0]))


def test_dtypes_and_containers():
    y, p, _ = _data(4, n_outputs=1)
    y, p = y.ravel(), p.ravel()
    mse = fm.mean_squared_error(y, p)
    assert fm.mean_squared_error(list(y), list(p)) == mse
    assert fm.mean_squared_error(y.reshape(-1, 1), p.reshape(-1, 1)) == mse
    # float32 inputs are computed in float32 (scikit-learn's rule): ~1e-7 relative.
    mse32 = fm.mean_squared_error(y.astype(np.float32), p.astype(np.float32))
    assert mse32 == pytest.approx(mse, rel=1e-5)
    pd = pytest.importorskip("pandas")
    frame_y = pd.DataFrame({"a": y, "b": 2 * y})
    frame_p = pd.DataFrame({"a": p, "b": 2 * p})
    assert_allclose(
        fm.mean_absolute_error(frame_y, frame_p, multioutput="raw_values"),
        [np.mean(np.abs(y - p)), 2 * np.mean(np.abs(y - p))],
        rtol=1e-12,
    )


def test_read_only_and_unchanged():
    y, p, w = _data(5)
    expected = fm.r2_score(y, p, sample_weight=w, multioutput="raw_values")
    copies = [a.copy() for a in (y, p, w)]
    for a in (y, p, w):
        a.setflags(write=False)
    assert_array_equal(
        fm.r2_score(y, p, sample_weight=w, multioutput="raw_values"), expected
    )
    fm.mean_squared_error(np.asfortranarray(y), p, sample_weight=w)
    for a, c in zip((y, p, w), copies):
        assert_array_equal(a, c)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: fm.mean_squared_error([1, 2], [1]), ValueError, "inconsistent"),
        (lambda: fm.mean_squared_error([1, 2], [1, np.nan]), ValueError, "NaN"),
        (lambda: fm.mean_squared_error([], []), ValueError, "0 sample"),
        (
            lambda: fm.mean_squared_error([[1, 2]], [[1, 2, 3]]),
            ValueError,
            "different number of output",
        ),
        (
            lambda: fm.mean_squared_error(
                [1, 2], [1, 2], multioutput="variance_weighted"
            ),
            ValueError,
            "'multioutput' parameter of mean_squared_error",
        ),
        (
            lambda: fm.mean_absolute_error([1, 2], [1, 2], multioutput=[0.5, 0.5]),
            ValueError,
            "only in multi-output",
        ),
        (
            lambda: fm.r2_score([1, 2], [1, 2], sample_weight=[0, 0]),
            ValueError,
            "at least one non-zero",
        ),
        (
            lambda: fm.r2_score([1, 2], [1, 2], force_finite=1),
            TypeError,
            "force_finite",
        ),
        (lambda: fm.r2_score(["a", "b"], [1, 2]), ValueError, "could not convert"),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
