"""LogisticRegression behaviour: attributes, predictions, weights, solvers, warm
starts, threads, parameter errors and bad input (fastml only; scikit-learn agreement
is in tests/reference/test_logistic_sklearn.py)."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from naive.logistic import objective

from fastml.base import clone
from fastml.exceptions import ConvergenceWarning
from fastml.linear_model import LogisticRegression

TIGHT = {"tol": 1e-10, "max_iter": 5000}


def _binary(seed: int = 0, n: int = 200, p: int = 5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    logits = X @ np.linspace(-1.5, 1.5, p) + 0.3
    y = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(int)
    return X, y


def _multi(seed: int = 1, n: int = 240, p: int = 4, k: int = 3):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((k, p)) * 1.5
    y = rng.integers(0, k, n)
    return centers[y] + rng.standard_normal((n, p)), y


def test_binary_attributes_and_predictions():
    X, y = _binary()
    clf = LogisticRegression().fit(X, y)
    assert clf.coef_.shape == (1, 5) and clf.intercept_.shape == (1,)
    assert clf.coef_.dtype == np.float64
    assert clf.n_iter_.shape == (1,) and clf.n_iter_.dtype == np.int32
    assert clf.n_features_in_ == 5
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    scores = clf.decision_function(X)
    np.testing.assert_allclose(scores, X @ clf.coef_[0] + clf.intercept_[0])
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores)), rtol=1e-14)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), (scores > 0).astype(int))
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba))
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)


def test_multinomial_attributes_and_predictions():
    X, y = _multi()
    labels = np.array(["a", "b", "c"])[y]
    clf = LogisticRegression().fit(X, labels)
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    scores = clf.decision_function(X)
    proba = clf.predict_proba(X)
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(proba, e / e.sum(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[scores.argmax(axis=1)])
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    # gradient of the intercepts is zero-sum: the fitted intercepts stay centred
    assert abs(clf.intercept_.sum()) < 1e-10


def test_optimum_is_stationary():
    # at the solution the objective's gradient vanishes (naive float64 gradient)
    from naive.logistic import binary_loss_gradient

    X, y = _binary()
    C = 0.7
    clf = LogisticRegression(C=C, **TIGHT).fit(X, y)
    _, g = binary_loss_gradient(
        X, y.astype(float), None, clf.coef_[0], clf.intercept_[0]
    )
    g = C * g
    g[:-1] += clf.coef_[0]
    assert np.abs(g).max() < 1e-6


def test_l1_sets_coefficients_to_zero_and_l2_does_not():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 10))
    y = (X[:, 0] - X[:, 1] + 0.5 * rng.standard_normal(300) > 0).astype(int)
    l1 = LogisticRegression(solver="saga", l1_ratio=1.0, C=0.05, **TIGHT).fit(X, y)
    enet = LogisticRegression(solver="saga", l1_ratio=0.5, C=0.05, **TIGHT).fit(X, y)
    l2 = LogisticRegression(C=0.05, **TIGHT).fit(X, y)
    n_zero = [int(np.sum(m.coef_ == 0)) for m in (l1, enet, l2)]
    assert n_zero[0] >= n_zero[1] >= n_zero[2] == 0
    assert n_zero[0] >= 5
    assert np.all(l1.coef_[0, :2] != 0)


def test_saga_minimises_the_documented_objective():
    X, y = _binary(3)
    clf = LogisticRegression(
        solver="saga", l1_ratio=0.4, C=0.3, random_state=0, **TIGHT
    ).fit(X, y)
    best = objective(X, y, None, clf.coef_, clf.intercept_, 0.3, 0.4)
    rng = np.random.default_rng(0)
    for _ in range(20):
        dc = rng.standard_normal(clf.coef_.shape) * 1e-3
        db = rng.standard_normal(1) * 1e-3
        assert (
            objective(X, y, None, clf.coef_ + dc, clf.intercept_ + db, 0.3, 0.4) > best
        )


def test_sample_weight_equivalences():
    X, y = _multi()
    # integer weights == repeated rows
    rng = np.random.default_rng(0)
    w = rng.integers(0, 3, X.shape[0])
    a = LogisticRegression(**TIGHT).fit(X, y, sample_weight=w)
    b = LogisticRegression(**TIGHT).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-6)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-6)
    # class_weight == the same weights as sample_weight
    cw = {0: 2.0, 1: 0.5, 2: 1.0}
    c = LogisticRegression(class_weight=cw, **TIGHT).fit(X, y)
    d = LogisticRegression(**TIGHT).fit(
        X, y, sample_weight=np.array([2.0, 0.5, 1.0])[y]
    )
    np.testing.assert_allclose(c.coef_, d.coef_, atol=1e-8)
    # balanced: n / (k * count)
    counts = np.bincount(y)
    e = LogisticRegression(class_weight="balanced", **TIGHT).fit(X, y)
    f = LogisticRegression(**TIGHT).fit(X, y, sample_weight=(len(y) / (3 * counts))[y])
    np.testing.assert_allclose(e.coef_, f.coef_, atol=1e-8)


def test_saga_sample_weight_zero_equals_dropping_rows():
    X, y = _binary(5)
    w = np.ones(len(y))
    w[::4] = 0.0
    # n_samples enters SAGA's 1/n scaling, so compare the objective's solution: C
    # scaled so both problems are C * sum_i s_i loss_i + penalty
    a = LogisticRegression(solver="saga", l1_ratio=1.0, C=0.2, random_state=0, **TIGHT)
    b = clone(a)
    a.fit(X, y, sample_weight=w)
    b.fit(X[w > 0], y[w > 0])
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-6)


def test_warm_start_reuses_the_solution():
    X, y = _multi()
    clf = LogisticRegression(warm_start=True, **TIGHT).fit(X, y)
    first = clf.coef_.copy()
    clf.fit(X, y)
    assert clf.n_iter_[0] <= 2
    np.testing.assert_allclose(clf.coef_, first, atol=1e-7)
    # a different number of classes cannot warm start
    with pytest.raises(ValueError, match="Initialization coef is of shape"):
        clf.fit(X, np.minimum(y, 1))


def test_n_jobs_does_not_change_the_model():
    X, y = _multi(n=3000)
    models = [LogisticRegression(n_jobs=n).fit(X, y) for n in (1, 2)]
    np.testing.assert_array_equal(models[0].coef_, models[1].coef_)
    np.testing.assert_array_equal(models[0].intercept_, models[1].intercept_)


def test_saga_random_state_is_reproducible():
    X, y = _binary()
    kw = {"solver": "saga", "l1_ratio": 1.0, "max_iter": 3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = LogisticRegression(random_state=1, **kw).fit(X, y)
        b = LogisticRegression(random_state=1, **kw).fit(X, y)
        c = LogisticRegression(random_state=2, **kw).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert not np.array_equal(a.coef_, c.coef_)


@pytest.mark.parametrize("solver", ["newton-cg", "newton-cholesky"])
def test_newton_solvers_map_to_lbfgs(solver):
    X, y = _multi()
    a = LogisticRegression(solver=solver, **TIGHT).fit(X, y)
    b = LogisticRegression(**TIGHT).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_sag_maps_to_saga():
    X, y = _binary()
    a = LogisticRegression(solver="sag", random_state=0, **TIGHT).fit(X, y)
    b = LogisticRegression(**TIGHT).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-6)


def test_float32_kept_and_layouts_equivalent():
    X, y = _binary()
    ref = LogisticRegression().fit(X, y)
    clf = LogisticRegression().fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
    assert clf.predict_proba(X.astype(np.float32)).shape == (len(y), 2)
    fortran = LogisticRegression().fit(np.asfortranarray(X), y)
    np.testing.assert_array_equal(fortran.coef_, ref.coef_)
    ro = X.copy()
    ro.flags.writeable = False
    np.testing.assert_array_equal(LogisticRegression().fit(ro, y).coef_, ref.coef_)
    listed = LogisticRegression().fit(X.tolist(), y.tolist())
    np.testing.assert_array_equal(listed.coef_, ref.coef_)


def test_callers_arrays_unchanged():
    X, y = _binary()
    w = np.linspace(0.5, 1.5, len(y))
    copies = (X.copy(), y.copy(), w.copy())
    clf = LogisticRegression(class_weight="balanced").fit(X, y, sample_weight=w)
    clf.predict_proba(X)
    LogisticRegression(solver="saga", l1_ratio=1.0, max_iter=5000).fit(
        X, y, sample_weight=w
    )
    for a, b in zip((X, y, w), copies, strict=True):
        np.testing.assert_array_equal(a, b)


def test_pickle_and_clone():
    X, y = _multi()
    clf = LogisticRegression(C=0.5).fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params() == clf.get_params()


def test_one_row_per_class_and_one_feature():
    X = np.array([[0.0], [1.0]])
    clf = LogisticRegression().fit(X, [0, 1])
    assert clf.coef_[0, 0] > 0
    np.testing.assert_array_equal(clf.predict(X), [0, 1])


def test_huge_C_on_separable_data_gives_finite_coefficients():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = LogisticRegression(C=1e12).fit(X, y)
        none = LogisticRegression(C=np.inf, max_iter=50).fit(X, y)
    for m in (clf, none):
        assert np.all(np.isfinite(m.coef_)) and m.coef_[0, 0] > 1
        np.testing.assert_array_equal(m.predict(X), y)
        assert np.all(np.isfinite(m.predict_proba(X)))
        assert np.all(np.isfinite(m.predict_log_proba(X)))


def test_non_convergence_warns():
    X, y = _multi()
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge after 2"):
        clf = LogisticRegression(max_iter=2).fit(X, y)
    assert clf.n_iter_[0] == 2
    with pytest.warns(ConvergenceWarning, match="The max_iter was reached"):
        clf = LogisticRegression(solver="saga", max_iter=1, tol=1e-12).fit(X, y)
    assert clf.n_iter_[0] == 1


def test_single_class_error():
    with pytest.raises(
        ValueError,
        match="at least 2 classes in the data, but the data contains only one class",
    ):
        LogisticRegression().fit(np.ones((3, 2)), ["x", "x", "x"])


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"C": 0}, "'C' parameter of LogisticRegression must be a float"),
        ({"C": -1.0}, "'C' parameter"),
        ({"l1_ratio": 1.5}, "'l1_ratio' parameter"),
        ({"tol": -1.0}, "'tol' parameter"),
        ({"max_iter": -1}, "'max_iter' parameter"),
        ({"max_iter": 1.5}, "'max_iter' parameter"),
        ({"solver": "newton"}, "'solver' parameter"),
        ({"penalty": "l3"}, "'penalty' parameter"),
        ({"class_weight": "auto"}, "'class_weight' parameter"),
        ({"fit_intercept": 1}, "'fit_intercept' parameter"),
        ({"solver": "liblinear"}, "'liblinear' solver is not implemented"),
        ({"l1_ratio": 0.5}, "Solver lbfgs supports only 'l2' or None penalties"),
        ({"class_weight": {5: 1.0}}, r"The classes, \[0, 1\], are not in class_weight"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _binary()
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


def test_penalty_none_warns_about_C():
    X, y = _binary()
    with (
        pytest.warns(UserWarning, match="Setting penalty=None will ignore the C"),
        pytest.warns(FutureWarning, match="'penalty' was deprecated in version 1.8"),
    ):
        a = LogisticRegression(penalty=None, C=0.5, **TIGHT).fit(X, y)
    b = LogisticRegression(C=np.inf, **TIGHT).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([[1.0, np.nan], [0.0, 1.0], [1.0, 1.0]]), "NaN"),
        (np.array([[1.0, np.inf], [0.0, 1.0], [1.0, 1.0]]), "infinity"),
        (np.array([1.0, 2.0, 3.0]), "Expected 2D array"),
        (np.empty((0, 2)), "0 sample"),
        (
            np.array([["a", "b"], ["c", "d"], ["e", "f"]], dtype=object),
            "could not convert",
        ),
    ],
)
def test_bad_X(X, match):
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, [0, 1, 0][: len(X)] if len(X) else [])


def test_bad_y_and_weights():
    X, y = _binary()
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, np.linspace(0, 1, len(y)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression().fit(X, y[:-1])
    with pytest.raises(ValueError, match="Negative values"):
        LogisticRegression().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight.shape"):
        LogisticRegression().fit(X, y, sample_weight=np.ones(3))


def test_predict_errors():
    X, y = _binary()
    with pytest.raises(ValueError, match="not fitted"):
        LogisticRegression().predict(X)
    clf = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression"):
        clf.predict(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        clf.predict_proba(np.full((1, 5), np.nan))


@pytest.mark.parametrize("solver", ["lbfgs", "saga"])
def test_float32_is_the_float64_problem_on_the_same_values(solver):
    # the kernels widen float32 entries exactly and compute in float64, so a float32
    # X gives the float64 fit of the same values, rounded once to float32
    X, y = _multi()
    X32 = X.astype(np.float32)
    kw = {"solver": solver, "l1_ratio": 1.0 if solver == "saga" else 0.0, "C": 0.5}
    a = LogisticRegression(random_state=0, **kw).fit(X32, y)
    b = LogisticRegression(random_state=0, **kw).fit(X32.astype(np.float64), y)
    assert a.coef_.dtype == np.float32
    np.testing.assert_array_equal(a.coef_, b.coef_.astype(np.float32))


def test_concurrent_fits_from_two_threads():
    from concurrent.futures import ThreadPoolExecutor

    X, y = _multi(n=2600, p=200)  # 520,000 entries: the passes use 2 threads
    ref = LogisticRegression(n_jobs=2).fit(X, y).coef_
    with ThreadPoolExecutor(2) as pool:
        fits = list(
            pool.map(lambda _: LogisticRegression(n_jobs=2).fit(X, y).coef_, range(4))
        )
    for coef in fits:
        np.testing.assert_array_equal(coef, ref)


def test_blas_threads_are_left_alone():
    # fastml never changes the process-wide BLAS thread setting, not even during a
    # fit (sequential or concurrent)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from concurrent.futures import ThreadPoolExecutor

    X, y = _binary()
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    LogisticRegression().fit(X, y)
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda _: LogisticRegression().fit(X, y), range(12)))
    after = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    assert after[: len(before)] == before


def test_collinear_columns_share_the_weight():
    # duplicated columns: the l2 optimum splits the weight equally (unique optimum)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 2))
    y = (X[:, 0] + 0.5 * rng.standard_normal(100) > 0).astype(int)
    clf = LogisticRegression(**TIGHT).fit(np.hstack([X, X]), y)
    np.testing.assert_allclose(clf.coef_[0, :2], clf.coef_[0, 2:], atol=1e-8)


def test_overflowing_scores_warn_instead_of_crashing():
    X = np.random.default_rng(0).standard_normal((50, 3)) * 1e200
    y = (X[:, 0] > 0).astype(int)
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        clf = LogisticRegression().fit(X, y)
    assert np.all(np.isfinite(clf.coef_))
