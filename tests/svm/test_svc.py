"""SVC / SVR / LinearSVC behaviour: attributes, options, errors, bad input."""

import doctest
import pickle
import warnings

import numpy as np
import pytest

from fastml.exceptions import ConvergenceWarning, NotFittedError
from fastml.svm import SVC, SVR, LinearSVC


def _blobs(seed=0, n=90, n_classes=3):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((n_classes, 4)) * 3
    y = np.arange(n) % n_classes
    X = centers[y] + rng.standard_normal((n, 4))
    return X, y


def test_fitted_attributes_layout():
    X, y = _blobs()
    clf = SVC().fit(X, y)
    n_sv = clf.support_.shape[0]
    assert clf.support_.dtype == np.int32
    assert clf.support_vectors_.shape == (n_sv, 4)
    np.testing.assert_array_equal(clf.support_vectors_, X[clf.support_])
    assert clf.dual_coef_.shape == (2, n_sv)
    assert clf.intercept_.shape == (3,)
    assert clf.n_support_.sum() == n_sv and clf.n_support_.dtype == np.int32
    # support vectors grouped by class, in class order, indices increasing within
    labels = y[clf.support_]
    assert np.all(np.diff(labels) >= 0)
    assert clf.n_iter_.shape == (3,) and clf.fit_status_ == 0
    assert clf.shape_fit_ == X.shape and clf.n_features_in_ == 4
    assert clf.probA_.shape == (0,)
    # dual coefficients are y * alpha within [-C, C]
    assert np.all(np.abs(clf.dual_coef_) <= clf.C + 1e-12)
    with pytest.raises(AttributeError, match="linear kernel"):
        clf.coef_


def test_decision_function_shapes_and_predict():
    X, y = _blobs()
    ovr = SVC().fit(X, y)
    ovo = SVC(decision_function_shape="ovo").fit(X, y)
    assert ovr.decision_function(X).shape == (90, 3)
    assert ovo.decision_function(X).shape == (90, 3)  # 3 pairs
    assert (ovr.predict(X) == y).mean() > 0.9
    # ovr scores: the vote winner has the largest score
    np.testing.assert_array_equal(
        np.argmax(ovr.decision_function(X), axis=1),
        np.searchsorted(ovr.classes_, ovr.predict(X)),
    )
    Xb, yb = X[y < 2], y[y < 2]
    binary = SVC().fit(Xb, yb)
    dec = binary.decision_function(Xb)
    assert dec.shape == (len(yb),)
    np.testing.assert_array_equal(binary.predict(Xb), np.where(dec > 0, 1, 0))


def test_string_labels_and_linear_coef():
    X, y = _blobs()
    labels = np.array(["a", "b", "c"])[y]
    clf = SVC(kernel="linear").fit(X, labels)
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    assert clf.coef_.shape == (3, 4)
    # the linear kernel's decision is coef_ . x + intercept_
    np.testing.assert_allclose(
        X @ clf.coef_.T + clf.intercept_,
        SVC(kernel="linear", decision_function_shape="ovo")
        .fit(X, labels)
        .decision_function(X),
        atol=1e-10,
    )


def test_break_ties():
    X, y = _blobs(1)
    clf = SVC(break_ties=True).fit(X, y)
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[np.argmax(clf.decision_function(X), axis=1)]
    )
    with pytest.raises(ValueError, match="break_ties must be False"):
        SVC(break_ties=True, decision_function_shape="ovo").fit(X, y).predict(X)


def test_probability():
    X, y = _blobs(2)
    clf = SVC(probability=True, random_state=0).fit(X, y)
    p = clf.predict_proba(X)
    assert p.shape == (90, 3)
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-12)
    assert (clf.classes_[p.argmax(1)] == y).mean() > 0.9
    assert clf.probA_.shape == (3,) and np.all(clf.probA_ < 0)
    # seeded: the same model twice
    again = SVC(probability=True, random_state=0).fit(X, y)
    np.testing.assert_array_equal(again.probA_, clf.probA_)
    assert not hasattr(SVC(), "predict_proba")
    assert not hasattr(SVC().fit(X, y), "predict_log_proba")


def test_precomputed_and_callable_kernels_match_rbf():
    X, y = _blobs(3)
    gamma = 0.2
    d2 = ((X[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    K = np.exp(-gamma * d2)
    ref = SVC(gamma=gamma).fit(X, y)
    pre = SVC(kernel="precomputed").fit(K, y)
    np.testing.assert_array_equal(pre.support_, ref.support_)
    np.testing.assert_allclose(pre.dual_coef_, ref.dual_coef_, atol=1e-6)
    np.testing.assert_array_equal(pre.predict(K[:10]), ref.predict(X[:10]))

    def rbf(A, B):
        return np.exp(-gamma * ((A[:, None, :] - B[None, :, :]) ** 2).sum(-1))

    cal = SVC(kernel=rbf).fit(X, y)
    np.testing.assert_array_equal(cal.support_, ref.support_)
    np.testing.assert_allclose(
        cal.decision_function(X), ref.decision_function(X), atol=1e-6
    )
    with pytest.raises(ValueError, match="Precomputed matrix must be a square matrix"):
        SVC(kernel="precomputed").fit(K[:, :20], y)
    with pytest.raises(ValueError, match="X has 20 features"):
        pre.predict(K[:, :20])


def test_sample_weight_zero_equals_removed_and_integer_weight_equals_repeat():
    X, y = _blobs(4)
    sw = np.ones(90)
    sw[::5] = 0
    a = SVC().fit(X, y, sample_weight=sw)
    keep = sw > 0
    b = SVC(gamma=a._gamma).fit(X[keep], y[keep])
    np.testing.assert_array_equal(a.support_, np.flatnonzero(keep)[b.support_])
    np.testing.assert_allclose(a.dual_coef_, b.dual_coef_, atol=1e-12)
    with pytest.raises(ValueError, match="all samples have zero or negative weights"):
        SVC().fit(X, y, sample_weight=np.zeros(90))
    with pytest.raises(ValueError, match="same class"):
        SVC().fit(X, y, sample_weight=(y == 0).astype(float))


def test_class_weight():
    X, y = _blobs(5)
    clf = SVC(class_weight={0: 5.0}).fit(X, y)
    np.testing.assert_array_equal(clf.class_weight_, [5.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="not in class_weight"):
        SVC(class_weight={7: 1.0}).fit(X, y)
    bal = SVC(class_weight="balanced").fit(X[:70], y[:70])
    counts = np.bincount(y[:70])
    np.testing.assert_allclose(bal.class_weight_, 70 / (3 * counts))


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"C": 0.0},
            "'C' parameter of SVC must be a float in the range \\(0.0, inf\\)",
        ),
        ({"C": -1.0}, "'C' parameter"),
        ({"kernel": "cubic"}, "'kernel' parameter of SVC must be a str among"),
        ({"degree": -1}, "'degree' parameter of SVC must be an int in the range"),
        ({"gamma": -0.5}, "'gamma' parameter of SVC"),
        ({"gamma": "large"}, "'gamma' parameter of SVC"),
        ({"tol": 0}, "'tol' parameter"),
        ({"cache_size": 0}, "'cache_size' parameter"),
        ({"max_iter": -2}, "'max_iter' parameter"),
        ({"decision_function_shape": "ova"}, "'decision_function_shape' parameter"),
        ({"class_weight": "auto"}, "'class_weight' parameter"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _blobs()
    with pytest.raises(ValueError, match=match):
        SVC(**params).fit(X, y)


def test_gamma_zero_is_rejected_for_kernels_that_use_it():
    X, y = _blobs()
    with pytest.raises(ValueError, match="gamma value must be > 0"):
        SVC(gamma=0.0).fit(X, y)
    SVC(kernel="linear", gamma=0.0).fit(X, y)  # linear ignores gamma


def test_bad_input():
    X, y = _blobs()
    with pytest.raises(ValueError, match="greater than one"):
        SVC().fit(X, np.zeros(90))
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        SVC().fit(Xn, y)
    with pytest.raises(ValueError, match="NaN"):
        SVR().fit(Xn, y.astype(float))
    with pytest.raises(ValueError):
        SVC().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Unknown label type"):
        SVC().fit(X, X[:, 0])
    clf = SVC().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but SVC is expecting 4"):
        clf.predict(X[:, :3])
    with pytest.raises(NotFittedError):
        SVC().predict(X)
    with pytest.raises(ValueError):
        clf.predict(X[0])  # 1-D


def test_layouts_read_only_and_caller_arrays_unchanged():
    X, y = _blobs(6)
    ref = SVC().fit(X, y)
    X_copy, y_copy = X.copy(), y.copy()
    Xf = np.asfortranarray(X)
    Xr = X.copy()
    Xr.setflags(write=False)
    for data in (Xf, Xr, X.astype(np.float32).astype(np.float64), X.tolist()):
        other = SVC().fit(data, y)
        np.testing.assert_array_equal(other.support_, ref.support_)
        np.testing.assert_array_equal(other.predict(data), ref.predict(X))
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_single_row_prediction_and_pickle():
    X, y = _blobs(7)
    clf = SVC(probability=True, random_state=1).fit(X, y)
    assert clf.predict(X[:1]).shape == (1,)
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict(X), clf.predict(X))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))


def test_max_iter_and_huge_c_warn_without_hanging():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((200, 3))
    y = (rng.random(200) < 0.5).astype(int)  # labels unrelated to X
    with pytest.warns(
        ConvergenceWarning, match=r"Solver terminated early \(max_iter=50\)"
    ):
        clf = SVC(C=1e10, max_iter=50).fit(X, y)
    assert clf.fit_status_ == 1 and clf.n_iter_[0] == 50
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SVC(C=1e10, max_iter=100000).fit(X[:40], y[:40])  # huge C converges


def test_svr_attributes_and_errors():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((80, 3))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.standard_normal(80)
    reg = SVR(kernel="linear", C=10.0, epsilon=0.05).fit(X, y)
    assert reg.dual_coef_.shape == (1, len(reg.support_))
    assert reg.intercept_.shape == (1,)
    assert reg.coef_.shape == (1, 3)
    np.testing.assert_allclose(reg.coef_[0], [1, -2, 0], atol=0.1)
    assert reg.score(X, y) > 0.95
    # points strictly inside the tube are not support vectors
    inside = np.abs(reg.predict(X) - y) < 0.05 - 1e-2  # KKT holds to tol
    assert not np.any(np.isin(np.flatnonzero(inside), reg.support_))
    with pytest.raises(ValueError, match="'epsilon' parameter of SVR"):
        SVR(epsilon=-1.0).fit(X, y)


def test_linear_svc_behaviour_and_errors():
    X, y = _blobs(10)
    clf = LinearSVC(random_state=0).fit(X, y)
    assert clf.coef_.shape == (3, 4) and clf.intercept_.shape == (3,)
    assert (clf.predict(X) == y).mean() > 0.9
    Xb, yb = X[y < 2], y[y < 2]
    b = LinearSVC(dual=True, random_state=0).fit(Xb, yb)
    assert b.coef_.shape == (1, 4) and b.decision_function(Xb).shape == (len(yb),)
    assert LinearSVC(fit_intercept=False).fit(X, y).intercept_ == 0.0
    with pytest.raises(
        ValueError, match="loss='hinge' are not supported when dual=False"
    ):
        LinearSVC(loss="hinge", dual=False).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LinearSVC().fit(X, np.ones(90))
    with pytest.raises(ValueError, match="'C' parameter of LinearSVC"):
        LinearSVC(C=-1).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Liblinear failed to converge"):
        LinearSVC(dual=True, max_iter=2, tol=1e-12).fit(X, y)
    # dual and primal reach the same optimum (squared hinge, strictly convex)
    p = LinearSVC(dual=False, tol=1e-10).fit(X, y)
    d = LinearSVC(dual=True, tol=1e-10, max_iter=100000, random_state=0).fit(X, y)
    np.testing.assert_allclose(p.coef_, d.coef_, atol=1e-6)


def test_gridsearch_docstring_example():
    pytest.importorskip("sklearn")
    import fastml.svm._classes as mod

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(mod.SVC, "SVC", module=mod) + finder.find(
        mod.SVR, "SVR", module=mod
    ):
        runner.run(test)
    assert runner.failures == 0 and runner.tries >= 6


def test_concurrent_fits_from_two_threads_equal_serial():
    from concurrent.futures import ThreadPoolExecutor

    X, y = _blobs(11, n=150)
    serial = [SVC(C=c).fit(X, y) for c in (0.5, 2.0)]
    with ThreadPoolExecutor(2) as pool:
        models = list(pool.map(lambda c: SVC(C=c).fit(X, y), (0.5, 2.0)))
        preds = list(pool.map(lambda m: m.decision_function(X), models))
    for a, b, p in zip(models, serial, preds):
        np.testing.assert_array_equal(a.dual_coef_, b.dual_coef_)
        np.testing.assert_array_equal(p, b.decision_function(X))
