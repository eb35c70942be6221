"""LinearRegression, Ridge and RidgeCV: behaviour against closed forms, edge cases,
messages and bad input (no peer library needed)."""

import numpy as np
import pytest
from naive.linear import ridge_closed_form, ridge_loo_squared_errors

from fastml.exceptions import InvalidParameterError
from fastml.linear_model import LinearRegression, Ridge, RidgeCV


def _data(seed=0, n=40, p=5, n_targets=None):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) * rng.uniform(0.5, 3, p) + rng.uniform(-2, 2, p)
    coef = rng.randn(p)
    y = X @ coef + 0.2 * rng.randn(n) + 0.7
    if n_targets:
        y = np.c_[y, -2 * y + rng.randn(n)]
    return X, y


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "lsqr", "sag"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_matches_closed_form(solver, fit_intercept):
    X, y = _data(1)
    sw = np.random.RandomState(2).rand(len(y)) + 0.1
    model = Ridge(alpha=2.5, solver=solver, fit_intercept=fit_intercept).fit(
        X, y, sample_weight=sw
    )
    coef, intercept = ridge_closed_form(X, y, 2.5, fit_intercept, sw)
    # Direct solves of a well-conditioned 5 x 5 system: float64 rounding only.
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-10, atol=1e-12)
    assert model.intercept_ == pytest.approx(intercept, abs=1e-10)
    assert model.n_iter_ is None
    assert model.solver_ in ("cholesky", "svd")


def test_ridge_wide_multi_target_and_alpha_per_target():
    rng = np.random.RandomState(3)
    X = rng.randn(8, 30)
    Y = rng.randn(8, 2)
    model = Ridge(alpha=[0.5, 4.0]).fit(X, Y)
    assert model.coef_.shape == (2, 30) and model.intercept_.shape == (2,)
    for k, a in enumerate([0.5, 4.0]):
        coef, intercept = ridge_closed_form(X, Y[:, k], a)
        np.testing.assert_allclose(model.coef_[k], coef, atol=1e-10)
        assert model.intercept_[k] == pytest.approx(intercept, abs=1e-10)
    svd = Ridge(alpha=[0.5, 4.0], solver="svd").fit(X, Y)
    np.testing.assert_allclose(svd.coef_, model.coef_, atol=1e-10)
    with pytest.raises(ValueError, match="Number of targets and number of penalties"):
        Ridge(alpha=[1.0, 2.0, 3.0]).fit(X, Y)


def test_ridge_positive_float32_singular_and_alpha_zero():
    X, y = _data(4)
    pos = Ridge(alpha=1.0, positive=True).fit(X, -y)
    assert np.all(pos.coef_ >= 0) and pos.solver_ == "lbfgs"
    m32 = Ridge(alpha=1.0).fit(X.astype(np.float32), y.astype(np.float32))
    assert m32.coef_.dtype == np.float32
    np.testing.assert_allclose(m32.coef_, Ridge(alpha=1.0).fit(X, y).coef_, rtol=1e-4)
    # Duplicated columns with alpha=0: singular normal equations -> SVD fallback,
    # minimum-norm least squares (equal weights on the twin columns).
    Xd = np.c_[X[:, :2], X[:, :2]]
    m = Ridge(alpha=0.0).fit(Xd, y)
    assert np.all(np.isfinite(m.coef_))
    np.testing.assert_allclose(m.coef_[:2], m.coef_[2:], atol=1e-6)
    with pytest.raises(InvalidParameterError, match="'alpha' parameter of Ridge"):
        Ridge(alpha=-1.0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'solver' parameter of Ridge"):
        Ridge(solver="magic").fit(X, y)
    with pytest.raises(ValueError, match="only solvers supporting positive=True"):
        Ridge(positive=True, solver="svd").fit(X, y)
    with pytest.raises(ValueError, match="'lbfgs' solver can be used only"):
        Ridge(solver="lbfgs").fit(X, y)


@pytest.mark.parametrize("gcv_mode", [None, "svd", "eigen"])
@pytest.mark.parametrize("shape", [(25, 4), (12, 20)])
def test_ridgecv_loo_equals_explicit_refits(gcv_mode, shape):
    rng = np.random.RandomState(5)
    X = rng.randn(*shape)
    y = X[:, 0] - X[:, 1] + 0.3 * rng.randn(shape[0])
    alphas = [0.1, 1.0, 10.0]
    model = RidgeCV(alphas=alphas, gcv_mode=gcv_mode, store_cv_results=True).fit(X, y)
    for i, a in enumerate(alphas):
        ref = ridge_loo_squared_errors(X, y, a)
        # Closed form vs n refits: float64 rounding of two different computations.
        np.testing.assert_allclose(model.cv_results_[:, i], ref, rtol=1e-7, atol=1e-10)
    mean = [ridge_loo_squared_errors(X, y, a).mean() for a in alphas]
    assert model.alpha_ == alphas[int(np.argmin(mean))]
    assert model.best_score_ == pytest.approx(-min(mean), rel=1e-7)
    coef, intercept = ridge_closed_form(X, y, model.alpha_)
    np.testing.assert_allclose(model.coef_, coef, atol=1e-10)


def test_ridgecv_multi_target_kfold_and_errors():
    X, Y = _data(6, n=30, n_targets=2)
    per = RidgeCV(alphas=[0.01, 1.0, 1000.0], alpha_per_target=True).fit(X, Y)
    assert per.alpha_.shape == (2,) and per.best_score_.shape == (2,)
    shared = RidgeCV(alphas=[0.01, 1.0, 1000.0], store_cv_results=True).fit(X, Y)
    assert np.ndim(shared.alpha_) == 0 and shared.cv_results_.shape == (30, 2, 3)
    kf = RidgeCV(alphas=[0.01, 1.0, 1000.0], cv=3).fit(X, Y[:, 0])
    assert kf.alpha_ in (0.01, 1.0, 1000.0) and -1 <= kf.best_score_ <= 1
    with pytest.raises(ValueError, match="alphas\\[0\\] == 0"):
        RidgeCV(alphas=[0.0, 1.0]).fit(X, Y)
    with pytest.raises(ValueError, match="store_cv_results=True are incompatible"):
        RidgeCV(cv=3, store_cv_results=True).fit(X, Y[:, 0])


def test_linear_regression_collinear_positive_and_weights():
    X, y = _data(7)
    model = LinearRegression().fit(X, y)
    ref = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0]
    np.testing.assert_allclose(model.coef_, ref[:-1], atol=1e-10)
    assert model.intercept_ == pytest.approx(ref[-1], abs=1e-10)
    assert model.rank_ == 5 and model.singular_.shape == (5,)
    Xd = np.c_[X, X[:, 0]]  # collinear: minimum-norm solution, rank 5
    md = LinearRegression().fit(Xd, y)
    assert md.rank_ == 5
    np.testing.assert_allclose(md.coef_[0], md.coef_[-1], atol=1e-8)
    np.testing.assert_allclose(md.predict(Xd), model.predict(X), atol=1e-8)
    pos = LinearRegression(positive=True).fit(X, -y)
    assert np.all(pos.coef_ >= 0)
    sw = np.r_[np.zeros(5), np.ones(len(y) - 5)]
    np.testing.assert_allclose(
        LinearRegression().fit(X, y, sample_weight=sw).coef_,
        LinearRegression().fit(X[5:], y[5:]).coef_,
        atol=1e-10,
    )
    const = LinearRegression().fit(X, np.full(len(y), 2.0))
    np.testing.assert_allclose(const.coef_, 0, atol=1e-12)
    assert const.intercept_ == pytest.approx(2.0)


@pytest.mark.parametrize("Est", [LinearRegression, Ridge, RidgeCV])
def test_bad_input(Est):
    X, y = _data(8, n=20, p=3)
    est = Est()
    with pytest.raises(ValueError, match="NaN"):
        est.fit(np.where(X > 1.5, np.nan, X), y)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="Negative values in data passed"):
        est.fit(X, y, sample_weight=-np.ones(len(y)))
    Xf = np.asfortranarray(X.copy())
    Xf.setflags(write=False)
    a = Est().fit(Xf, y)
    b = Est().fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-12)
    np.testing.assert_array_equal(Xf, X)
    with pytest.raises(ValueError, match="X has 2 features, but"):
        b.predict(X[:, :2])
