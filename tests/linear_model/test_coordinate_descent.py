"""Lasso, ElasticNet, lasso_path, enet_path, LassoCV, ElasticNetCV: behaviour, edge
cases, messages and bad input (no peer library needed)."""

import pickle
import warnings

import numpy as np
import pytest
from naive.linear import enet_kkt_violation, enet_objective

from fastml.exceptions import ConvergenceWarning, InvalidParameterError
from fastml.linear_model import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    Ridge,
    enet_path,
    lasso_path,
)


def _data(seed=0, n=80, p=10, n_informative=3, noise=0.5):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    coef = np.zeros(p)
    coef[:n_informative] = [3.0, -2.0, 1.5][:n_informative]
    y = X @ coef + noise * rng.randn(n) + 1.0
    return X, y, coef


def _kkt(model, X, y, alpha, l1_ratio, sw=None):
    # Optimality of the centred problem in the kernel's scaling (n * alpha).
    n = len(X)
    w = np.ones(n) if sw is None else sw * n / sw.sum()
    xm = w @ X / w.sum()
    ym = w @ y / w.sum()
    root = np.sqrt(w)
    return enet_kkt_violation(
        (X - xm) * root[:, None],
        (y - ym) * root,
        np.asarray(model.coef_, np.float64),
        alpha * l1_ratio * n,
        alpha * (1 - l1_ratio) * n,
    )


def test_textbook_sparsity_lasso_vs_ridge_vs_enet():
    # Lasso zeroes the unneeded coefficients exactly; ridge only shrinks them;
    # the elastic net sits in between (zeros, but fewer, and less shrinkage).
    X, y, coef = _data(1, n=200, p=12, noise=1.0)
    lasso = Lasso(alpha=0.2).fit(X, y)
    ridge = Ridge(alpha=200.0).fit(X, y)
    enet = ElasticNet(alpha=0.2, l1_ratio=0.3).fit(X, y)
    useless = coef == 0
    assert np.all(lasso.coef_[useless] == 0.0)
    assert np.all(lasso.coef_[~useless] != 0.0)
    assert np.all(ridge.coef_ != 0.0)
    assert np.all(np.abs(ridge.coef_[useless]) < 0.2)
    ols = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y, rcond=None)[0][:-1]
    # shrunk as a whole (the norm; single coefficients may grow)
    assert np.linalg.norm(ridge.coef_) < np.linalg.norm(ols)
    n_zero = {
        m: int(np.sum(c == 0.0))
        for m, c in [
            ("lasso", lasso.coef_),
            ("enet", enet.coef_),
            ("ridge", ridge.coef_),
        ]
    }
    assert n_zero["lasso"] >= n_zero["enet"] > n_zero["ridge"] == 0
    # Along a path the lasso keeps zeros exactly until alpha falls far enough.
    alphas, coefs, _ = lasso_path(X - X.mean(0), y - y.mean(), alphas=[1.0, 0.3, 0.01])
    assert (
        np.sum(coefs[:, 0] != 0) <= np.sum(coefs[:, 1] != 0) <= np.sum(coefs[:, 2] != 0)
    )


@pytest.mark.parametrize("Est, kw", [(Lasso, {}), (ElasticNet, {"l1_ratio": 0.4})])
@pytest.mark.parametrize("precompute", [False, True, "auto"])
@pytest.mark.parametrize("selection", ["cyclic", "random"])
def test_optimality_and_objective(Est, kw, precompute, selection):
    X, y, _ = _data(2)
    sw = np.random.RandomState(0).rand(len(X)) + 0.5
    model = Est(
        alpha=0.05,
        tol=1e-10,
        precompute=precompute,
        selection=selection,
        random_state=0,
        max_iter=10000,
        **kw,
    ).fit(X, y, sample_weight=sw)
    l1_ratio = kw.get("l1_ratio", 1.0)
    assert _kkt(model, X, y, 0.05, l1_ratio, sw) <= 1e-6 * len(X)
    assert model.dual_gap_ >= 0 and model.n_iter_ >= 1
    # The intercept is the weighted-mean offset.
    xm = sw @ X / sw.sum()
    ym = sw @ y / sw.sum()
    assert model.intercept_ == pytest.approx(ym - xm @ model.coef_, abs=1e-10)


def test_wide_design_and_multi_target():
    rng = np.random.RandomState(3)
    X = rng.randn(15, 40)
    Y = np.c_[X[:, 0] * 2, X[:, 1] - X[:, 2]]
    model = ElasticNet(alpha=0.01, tol=1e-10, max_iter=100000).fit(X, Y)
    assert model.coef_.shape == (2, 40) and model.intercept_.shape == (2,)
    assert len(model.n_iter_) == 2 and model.dual_gap_.shape == (2,)
    for k in range(2):
        single = ElasticNet(alpha=0.01, tol=1e-10, max_iter=100000).fit(X, Y[:, k])
        np.testing.assert_allclose(model.coef_[k], single.coef_, atol=1e-12)
    assert model.predict(X).shape == (15, 2)


def test_positive_warm_start_and_float32():
    X, y, _ = _data(4)
    y = -y
    model = Lasso(alpha=0.01, positive=True).fit(X, y)
    assert np.all(model.coef_ >= 0)
    warm = Lasso(alpha=0.05, warm_start=True, tol=1e-8).fit(X, y)
    first = warm.n_iter_
    warm.set_params(alpha=0.049).fit(X, y)
    assert warm.n_iter_ <= first  # starts next to the new optimum
    m64 = Lasso(alpha=0.05, tol=1e-10).fit(X, y)
    m32 = Lasso(alpha=0.05, tol=1e-10).fit(X.astype(np.float32), y.astype(np.float32))
    assert m32.coef_.dtype == np.float32
    np.testing.assert_allclose(m32.coef_, m64.coef_, atol=1e-4)  # float32 input


def test_convergence_warning_reports_duality_gap():
    X, y, _ = _data(5)
    with pytest.warns(
        ConvergenceWarning,
        match=r"Objective did not converge.*"
        r"Duality gap: [0-9.e+-]+, tolerance: [0-9.e+-]+",
    ):
        Lasso(alpha=1e-4, max_iter=1, tol=1e-12).fit(X, y)


def test_alpha_zero_warns_and_negative_alpha_rejected():
    X, y, _ = _data(6)
    with pytest.warns(UserWarning, match="With alpha=0, this algorithm does not"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            Lasso(alpha=0.0, max_iter=5).fit(X, y)
    msg = r"The 'alpha' parameter of Lasso must be a float in the range \[0, inf\)"
    with pytest.raises(InvalidParameterError, match=msg):
        Lasso(alpha=-1.0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'l1_ratio' parameter"):
        ElasticNet(l1_ratio=1.5).fit(X, y)
    with pytest.raises(InvalidParameterError, match="'selection' parameter"):
        Lasso(selection="greedy").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'max_iter' parameter"):
        Lasso(max_iter=0).fit(X, y)


def test_constant_target_and_collinear_design():
    X, y, _ = _data(7)
    model = Lasso(alpha=0.1).fit(X, np.full(len(X), 3.0))
    assert np.all(model.coef_ == 0) and model.intercept_ == pytest.approx(3.0)
    assert model.n_iter_ == 0  # the zero start already has a zero gap
    Xc = np.c_[X[:, :3], X[:, :3]]  # duplicated columns
    for Est in (Lasso, ElasticNet):
        m = Est(alpha=0.01, tol=1e-10, max_iter=100000).fit(Xc, y)
        assert np.all(np.isfinite(m.coef_))
        # The fit is as good as on the de-duplicated design.
        ref = Est(alpha=0.01, tol=1e-10, max_iter=100000).fit(X[:, :3], y)
        obj = enet_objective(
            Xc, y, m.coef_, m.intercept_, 0.01, 1.0 if Est is Lasso else 0.5
        )
        obj_ref = enet_objective(
            X[:, :3], y, ref.coef_, ref.intercept_, 0.01, 1.0 if Est is Lasso else 0.5
        )
        assert obj <= obj_ref + 1e-9


def test_gram_given_and_centering_warning():
    X, y, _ = _data(8)
    Xc = X - X.mean(0)
    gram = Xc.T @ Xc
    a = Lasso(alpha=0.05, precompute=gram, tol=1e-10).fit(Xc, y)
    b = Lasso(alpha=0.05, tol=1e-10).fit(Xc, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-10)
    with pytest.warns(UserWarning, match="Gram matrix was provided but X was"):
        Lasso(alpha=0.05, precompute=X.T @ X).fit(X + 5.0, y)


def test_paths_shapes_order_warm_start_and_coef_init():
    X, y, _ = _data(9)
    alphas, coefs, gaps, n_iters = enet_path(
        X, y, l1_ratio=0.7, alphas=7, eps=1e-2, return_n_iter=True
    )
    assert alphas.shape == (7,) and coefs.shape == (10, 7) and gaps.shape == (7,)
    assert np.all(np.diff(alphas) < 0) and alphas[-1] == pytest.approx(alphas[0] * 1e-2)
    assert np.all(coefs[:, 0] == 0)  # alpha_max zeroes everything
    assert len(n_iters) == 7
    a2, c2, _ = lasso_path(X, y, alphas=[0.01, 1.0, 0.1])
    np.testing.assert_array_equal(a2, [1.0, 0.1, 0.01])
    _, c3, _ = lasso_path(X, y, alphas=[0.1], coef_init=c2[:, 1])
    np.testing.assert_allclose(c3[:, 0], c2[:, 1], atol=1e-3)
    with pytest.raises(ValueError, match="not supported for l1_ratio=0"):
        enet_path(X, y, l1_ratio=0.0)
    with pytest.warns(FutureWarning, match="'n_alphas' was deprecated"):
        enet_path(X, y, n_alphas=3)
    with pytest.raises(ValueError, match="Unexpected parameters"):
        lasso_path(X, y, alphas=3, bogus=1)


def test_cv_estimators_shapes_and_choice():
    X, y, _ = _data(10, n=90)
    cv = LassoCV(cv=3, alphas=20).fit(X, y)
    assert cv.alphas_.shape == (20,) and cv.mse_path_.shape == (20, 3)
    assert cv.alpha_ in cv.alphas_
    best = np.argmin(cv.mse_path_.mean(axis=1))
    assert cv.alpha_ == cv.alphas_[best]
    assert not hasattr(cv, "l1_ratio_")
    refit = Lasso(alpha=cv.alpha_).fit(X, y)
    np.testing.assert_allclose(cv.coef_, refit.coef_)
    en = ElasticNetCV(l1_ratio=[0.3, 1.0], cv=3, alphas=10, n_jobs=2).fit(X, y)
    assert en.mse_path_.shape == (2, 10, 3) and en.alphas_.shape == (2, 10)
    assert en.l1_ratio_ in (0.3, 1.0)
    serial = ElasticNetCV(l1_ratio=[0.3, 1.0], cv=3, alphas=10, n_jobs=1).fit(X, y)
    np.testing.assert_array_equal(en.mse_path_, serial.mse_path_)  # any n_jobs
    with pytest.raises(ValueError, match="alphas\\[1\\] == -1"):
        LassoCV(alphas=[1.0, -1.0]).fit(X, y)
    with pytest.raises(ValueError, match="For multi-task outputs"):
        LassoCV().fit(X, np.c_[y, y])


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, LassoCV])
def test_bad_input(Est):
    X, y, _ = _data(11, n=30, p=4)
    est = Est() if Est is not LassoCV else Est(cv=3, alphas=5)
    with pytest.raises(ValueError, match="NaN"):
        est.fit(np.where(X > 1.5, np.nan, X), y)
    with pytest.raises(ValueError, match="infinity|inf"):
        est.fit(X, np.where(y > 1, np.inf, y))
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    with pytest.raises(ValueError):
        est.fit(np.array([["a"] * 4] * 30, dtype=object), y)
    with pytest.raises(ValueError, match="Negative values in data passed"):
        est.fit(X, y, sample_weight=-np.ones(len(y)))
    # F-ordered, read-only inputs: same answer, caller's arrays untouched.
    Xf = np.asfortranarray(X.copy())
    yr = y.copy()
    Xf.setflags(write=False)
    yr.setflags(write=False)
    a = Est(**({} if Est is not LassoCV else {"cv": 3, "alphas": 5})).fit(Xf, yr)
    b = Est(**({} if Est is not LassoCV else {"cv": 3, "alphas": 5})).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(Xf, X)
    with pytest.raises(ValueError, match="X has 3 features, but"):
        b.predict(X[:, :3])
    # Zero weights = removed rows.
    sw = np.ones(len(y))
    sw[:5] = 0
    m1 = Lasso(alpha=0.05, tol=1e-12).fit(X, y, sample_weight=sw)
    m2 = Lasso(alpha=0.05, tol=1e-12).fit(X[5:], y[5:])
    np.testing.assert_allclose(m1.coef_, m2.coef_, atol=1e-8)
    # One row: no crash, finite constant model.
    one = Lasso().fit(X[:1], y[:1])
    assert np.all(one.coef_ == 0) and one.intercept_ == pytest.approx(y[0])


def test_pickle_and_sparse_coef():
    X, y, _ = _data(12)
    m = ElasticNet(alpha=0.1).fit(X, y)
    m2 = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(m.predict(X), m2.predict(X))
    assert m.sparse_coef_.shape == (1, 10)


def test_concurrent_fits_from_two_threads():
    # The kernels release the GIL; two Python threads fitting at once (each
    # running the parallel Gram kernel) give the serial results.
    from concurrent.futures import ThreadPoolExecutor

    X, y, _ = _data(13, n=300, p=12)
    serial = [Lasso(alpha=a).fit(X, y).coef_ for a in (0.01, 0.1)]
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(lambda a: Lasso(alpha=a).fit(X, y).coef_, (0.01, 0.1)))
    for a, b in zip(serial, both):
        np.testing.assert_array_equal(a, b)
