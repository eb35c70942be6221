"""Properties of fastml.datasets.make_regression."""

import numpy as np
import pytest

from fastml.datasets import make_regression


def test_shapes_and_noiseless_target_is_linear():
    X, y, coef = make_regression(
        200, 12, n_informative=5, bias=3.0, coef=True, random_state=0
    )
    assert X.shape == (200, 12) and y.shape == (200,) and coef.shape == (12,)
    assert X.dtype == y.dtype == coef.dtype == np.float64
    assert np.count_nonzero(coef) == 5
    assert np.all((coef >= 0) & (coef <= 100))
    np.testing.assert_allclose(X @ coef + 3.0, y, rtol=1e-12, atol=1e-9)


def test_default_returns_two_arrays():
    out = make_regression(random_state=0)
    assert len(out) == 2 and out[0].shape == (100, 100)


def test_noise_is_the_residual_standard_deviation():
    X, y, coef = make_regression(
        20000, 5, n_informative=3, noise=2.5, coef=True, random_state=1
    )
    resid = y - X @ coef
    # sd of the sample sd for n=20000 is 2.5/sqrt(40000) ~ 0.0125: 0.1 is > 8 sd.
    assert abs(resid.std() - 2.5) < 0.1
    assert abs(resid.mean()) < 0.1


def test_multi_target():
    X, y, coef = make_regression(
        50, 6, n_informative=2, n_targets=3, coef=True, random_state=0
    )
    assert y.shape == (50, 3) and coef.shape == (6, 3)
    assert np.count_nonzero(np.any(coef != 0, axis=1)) == 2
    np.testing.assert_allclose(X @ coef, y, atol=1e-9)


def test_informative_features_carry_the_signal_without_shuffle():
    X, y, coef = make_regression(
        500, 10, n_informative=4, shuffle=False, coef=True, random_state=2
    )
    assert np.all(coef[:4] > 0) and np.all(coef[4:] == 0)
    corr = np.array([abs(np.corrcoef(X[:, j], y)[0, 1]) for j in range(10)])
    # Uninformative columns are independent of y (|r| ~ 1/sqrt(500) ~ 0.045).
    assert corr[4:].max() < 0.2


def test_deterministic_and_float32():
    a = make_regression(40, 4, random_state=9)
    b = make_regression(40, 4, random_state=9, dtype=np.float32)
    np.testing.assert_array_equal(a[0].astype(np.float32), b[0])
    np.testing.assert_array_equal(a[1].astype(np.float32), b[1])
    assert b[0].dtype == b[1].dtype == np.float32
    c = make_regression(40, 4, random_state=9)
    np.testing.assert_array_equal(a[0], c[0])


def test_n_informative_is_clipped_to_n_features():
    _, _, coef = make_regression(20, 4, n_informative=10, coef=True, random_state=0)
    assert np.count_nonzero(coef) == 4


def test_zero_informative_gives_constant_target():
    _, y = make_regression(30, 3, n_informative=0, bias=1.5, random_state=0)
    np.testing.assert_array_equal(y, np.full(30, 1.5))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n_samples=0), ValueError, "'n_samples' parameter"),
        (dict(n_informative=-1), ValueError, "'n_informative' parameter"),
        (dict(noise=-1.0), ValueError, "'noise' parameter"),
        (dict(n_targets=0), ValueError, "'n_targets' parameter"),
        (dict(bias="a"), TypeError, "'bias' parameter"),
        (dict(dtype=np.float16), ValueError, "float64 or float32"),
    ],
)
def test_parameter_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_regression(**kwargs)
