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


@pytest.mark.parametrize("seed", range(3))
def test_error_family_matches_loops(seed):
    y, p, w = _data(seed, n_outputs=1)
    y, p = y.ravel(), p.ravel()
    pos_y, pos_p = np.abs(y) + 0.1, np.abs(p) + 0.1

    def wmean(values):
        return sum(wi * v for wi, v in zip(w, values)) / sum(w)

    mse = wmean([(a - b) ** 2 for a, b in zip(y, p)])
    cases = {
        "root_mean_squared_error": (y, p, np.sqrt(mse)),
        "mean_absolute_percentage_error": (
            y,
            p,
            wmean([abs(a - b) / abs(a) for a, b in zip(y, p)]),
        ),
        "mean_squared_log_error": (
            pos_y,
            pos_p,
            wmean([(np.log1p(a) - np.log1p(b)) ** 2 for a, b in zip(pos_y, pos_p)]),
        ),
        "root_mean_squared_log_error": (
            pos_y,
            pos_p,
            np.sqrt(
                wmean([(np.log1p(a) - np.log1p(b)) ** 2 for a, b in zip(pos_y, pos_p)])
            ),
        ),
        "mean_poisson_deviance": (
            pos_y,
            pos_p,
            wmean([2 * (a * np.log(a / b) - a + b) for a, b in zip(pos_y, pos_p)]),
        ),
        "mean_gamma_deviance": (
            pos_y,
            pos_p,
            wmean([2 * (np.log(b / a) + a / b - 1) for a, b in zip(pos_y, pos_p)]),
        ),
    }
    for name, (t, q, expected) in cases.items():
        assert getattr(fm, name)(t, q, sample_weight=w) == pytest.approx(
            expected, rel=1e-12
        ), name
    residual_mean = wmean(y - p)
    var_res = wmean([(a - b - residual_mean) ** 2 for a, b in zip(y, p)])
    var_y = wmean([(a - wmean(y)) ** 2 for a in y])
    assert fm.explained_variance_score(y, p, sample_weight=w) == pytest.approx(
        1 - var_res / var_y, rel=1e-12
    )
    assert fm.explained_variance_score(y, p + 3.0) == pytest.approx(
        fm.explained_variance_score(y, p), rel=1e-12
    )
    assert fm.max_error(y, p) == max(abs(a - b) for a, b in zip(y, p))
    assert fm.median_absolute_error(y, p) == np.median(np.abs(y - p))


@pytest.mark.parametrize("power", [-1.0, 0, 1, 1.5, 2, 3])
def test_tweedie_deviance_special_powers(power):
    y, p, w = _data(3, n=50, n_outputs=1)
    y, p = np.abs(y.ravel()) + 0.1, np.abs(p.ravel()) + 0.1
    got = fm.mean_tweedie_deviance(y, p, sample_weight=w, power=power)
    if power == 0:
        expected = fm.mean_squared_error(y, p, sample_weight=w)
    elif power == 1:
        expected = fm.mean_poisson_deviance(y, p, sample_weight=w)
    elif power == 2:
        expected = fm.mean_gamma_deviance(y, p, sample_weight=w)
    else:  # the general formula, term by term
        dev = 2 * (
            y ** (2 - power) / ((1 - power) * (2 - power))
            - y * p ** (1 - power) / (1 - power)
            + p ** (2 - power) / (2 - power)
        )
        expected = np.average(dev, weights=w)
    assert got == pytest.approx(expected, rel=1e-12)
    assert fm.mean_tweedie_deviance(y, y, power=power) == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_weighted_median_is_median_of_repeated_samples(seed):
    # Integer weights are repetitions: the weighted median of the absolute errors is
    # the plain median of the data with each row repeated w times (even totals
    # included, where the two middle values are averaged).
    rng = np.random.default_rng(seed)
    n = 30 + seed
    y = np.round(rng.normal(size=(n, 2)), 1)  # ties
    p = np.round(rng.normal(size=(n, 2)), 1)
    w = rng.integers(0, 4, n)
    w[0] = 1
    repeated = np.repeat(np.arange(n), w)
    assert_allclose(
        fm.median_absolute_error(y, p, sample_weight=w, multioutput="raw_values"),
        np.median(np.abs(y[repeated] - p[repeated]), axis=0),
        rtol=1e-12,
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
        (
            lambda: fm.mean_squared_log_error([1, -1], [1, 2]),
            ValueError,
            "Mean Squared Logarithmic Error cannot be used",
        ),
        (
            lambda: fm.mean_poisson_deviance([1, -1], [1, 2]),
            ValueError,
            "non-negative y and strictly positive y_pred",
        ),
        (
            lambda: fm.mean_gamma_deviance([1, 0], [1, 2]),
            ValueError,
            "strictly positive y and y_pred",
        ),
        (
            lambda: fm.mean_tweedie_deviance([1, 2], [1, 2], power=0.5),
            ValueError,
            "'power' parameter of mean_tweedie_deviance",
        ),
        (
            lambda: fm.max_error([[1, 2], [3, 4]], [[1, 2], [3, 4]]),
            ValueError,
            "Multioutput not supported in max_error",
        ),
        (
            lambda: fm.explained_variance_score([1, 2], [1, 2], multioutput=None),
            ValueError,
            "'multioutput' parameter of explained_variance_score",
        ),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
