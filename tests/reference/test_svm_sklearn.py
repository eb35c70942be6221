"""fastml.svm against scikit-learn's SVC/SVR (LIBSVM) and LinearSVC (LIBLINEAR).

Parameter mapping: identical names and defaults (fastml follows scikit-learn's
SVC/SVR/LinearSVC signatures), so both estimators get the same keyword arguments.

Tolerances:
- support vectors: the same indices exactly; dual coefficients and intercepts within
  1e-3 absolute (the issue's bound). fastml's solver follows LIBSVM's iteration
  (same working-set rule, ties, shrinking schedule, float32 kernel cache), so in
  practice they agree to ~1e-12; 1e-3 is the solver's own stopping tolerance.
- predictions: equal. Decision values within 1e-3 (the same bound as the
  coefficients: they are linear in them with kernel values of size <= 1 ... to
  which |K| <= a few on these scaled data sets).
- LinearSVC: both solvers run to tol=1e-10, far below the 1e-4 comparison bound:
  the coordinate order differs (LIBLINEAR's RNG vs fastml's), the optimum does not.
- Platt probabilities: the internal 5-fold split comes from each library's own RNG,
  so the fitted sigmoids differ by the fold-to-fold variation of out-of-fold
  decision values; 0.05 absolute on probabilities covers it on these sets (measured
  <= 0.03). Given scikit-learn's own sigmoids (probA_, probB_) the probabilities
  agree to 1e-9 (same coupling), and the sigmoid fit itself is checked against a
  generic optimiser (tests/naive/svm.py) to 1e-4.
"""

import warnings

import numpy as np
import pytest
from naive.svm import platt_sigmoid

sk_svm = pytest.importorskip("sklearn.svm")
sk_datasets = pytest.importorskip("sklearn.datasets")

from fastml.svm import SVC, SVR, LinearSVC  # noqa: E402
from fastml.svm._libsvm import sigmoid_train  # noqa: E402

DUAL_ATOL = 1e-3


def _scaled(X):
    sd = X.std(0)
    sd[sd == 0] = 1
    return (X - X.mean(0)) / sd


def _iris():
    return sk_datasets.load_iris(return_X_y=True)


def _breast_cancer():
    X, y = sk_datasets.load_breast_cancer(return_X_y=True)
    return _scaled(X), y


def _digits():
    X, y = sk_datasets.load_digits(return_X_y=True)
    return X[:400] / 16.0, y[:400]


def _random():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((240, 6))
    y = (X[:, 0] + X[:, 1] ** 2 + 0.5 * rng.standard_normal(240) > 1).astype(int)
    y[X[:, 2] > 1] = 2
    return X, y


DATASETS = {
    "iris": _iris,
    "breast_cancer": _breast_cancer,
    "digits": _digits,
    "random": _random,
}


def _compare_svc(ours, ref, X, kept=None):
    """``kept``: rows with positive sample weight. scikit-learn's ``support_`` then
    indexes the rows that remain after dropping the others, fastml's indexes X
    itself (so that ``X[support_]`` are the support vectors): compare through the
    map."""
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    ref_support = ref.support_ if kept is None else kept[ref.support_]
    np.testing.assert_array_equal(ours.support_, ref_support)
    np.testing.assert_array_equal(X[ours.support_], ours.support_vectors_)
    np.testing.assert_array_equal(ours.n_support_, ref.n_support_)
    np.testing.assert_allclose(ours.support_vectors_, ref.support_vectors_)
    assert ours.dual_coef_.shape == ref.dual_coef_.shape
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=DUAL_ATOL)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=DUAL_ATOL)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(
        ours.decision_function(X), ref.decision_function(X), atol=DUAL_ATOL
    )
    assert ours.fit_status_ == ref.fit_status_ == 0


@pytest.mark.parametrize("data", list(DATASETS))
@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf", "sigmoid"])
def test_svc_kernels(data, kernel):
    X, y = DATASETS[data]()
    kw = {"kernel": kernel}
    if kernel == "sigmoid":
        kw.update(gamma=0.01, coef0=0.1)  # a sigmoid kernel in its useful range
    if kernel == "poly":
        kw.update(degree=2, coef0=1.0)
    ours = SVC(**kw).fit(X, y)
    ref = sk_svm.SVC(**kw).fit(X, y)
    _compare_svc(ours, ref, X)
    np.testing.assert_array_equal(ours.n_iter_, ref.n_iter_)
    if kernel == "linear":
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=DUAL_ATOL)


@pytest.mark.parametrize("data", ["iris", "random"])
def test_svc_ovo_layout_and_options(data):
    X, y = DATASETS[data]()
    for kw in (
        {"decision_function_shape": "ovo"},
        {"break_ties": True},
        {"C": 10.0, "gamma": "auto", "shrinking": False},
        {"C": 0.3, "tol": 1e-5, "cache_size": 0.01},  # a cache of a few rows
    ):
        ours = SVC(**kw).fit(X, y)
        ref = sk_svm.SVC(**kw).fit(X, y)
        _compare_svc(ours, ref, X)


def test_svc_precomputed():
    X, y = _breast_cancer()
    K = X @ X.T
    ours = SVC(kernel="precomputed").fit(K, y)
    ref = sk_svm.SVC(kernel="precomputed").fit(K, y)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=DUAL_ATOL)
    np.testing.assert_array_equal(ours.predict(K), ref.predict(K))
    K_test = X[:50] @ X.T
    np.testing.assert_allclose(
        ours.decision_function(K_test), ref.decision_function(K_test), atol=DUAL_ATOL
    )


@pytest.mark.parametrize("data", ["iris", "breast_cancer"])
def test_svc_class_and_sample_weight(data):
    X, y = DATASETS[data]()
    rng = np.random.default_rng(1)
    sw = rng.uniform(0.2, 3.0, len(y))
    sw[::7] = 0.0  # zero weights: the samples are left out
    cw = {0: 2.0, 1: 0.5}
    for kw, fit_kw in (
        ({"class_weight": cw}, {}),
        ({"class_weight": "balanced"}, {}),
        ({}, {"sample_weight": sw}),
        ({"class_weight": cw, "C": 3.0}, {"sample_weight": sw}),
    ):
        ours = SVC(**kw).fit(X, y, **fit_kw)
        ref = sk_svm.SVC(**kw).fit(X, y, **fit_kw)
        kept = np.flatnonzero(sw > 0) if fit_kw else None
        _compare_svc(ours, ref, X, kept)
        np.testing.assert_allclose(ours.class_weight_, ref.class_weight_)


@pytest.mark.parametrize("kernel", ["linear", "poly", "rbf", "sigmoid"])
@pytest.mark.parametrize("data", ["diabetes", "random"])
def test_svr(kernel, data):
    if data == "diabetes":
        X, y = sk_datasets.load_diabetes(return_X_y=True)
        X, y = _scaled(X), (y - y.mean()) / y.std()
    else:
        rng = np.random.default_rng(2)
        X = rng.standard_normal((200, 4))
        y = np.sin(X[:, 0]) + 0.2 * X[:, 1] + 0.1 * rng.standard_normal(200)
    kw = {"kernel": kernel, "C": 2.0, "epsilon": 0.2}
    if kernel == "sigmoid":
        kw.update(gamma=0.01, coef0=0.1)
    if kernel == "poly":
        kw.update(degree=2, coef0=1.0)
    sw = np.random.default_rng(3).uniform(0.5, 2.0, len(y))
    for fit_kw in ({}, {"sample_weight": sw}):
        ours = SVR(**kw).fit(X, y, **fit_kw)
        ref = sk_svm.SVR(**kw).fit(X, y, **fit_kw)
        np.testing.assert_array_equal(ours.support_, ref.support_)
        np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=DUAL_ATOL)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=DUAL_ATOL)
        np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=DUAL_ATOL)
        assert ours.n_iter_ == ref.n_iter_


LINEAR_CASES = [
    {"loss": "hinge", "dual": True},
    {"loss": "squared_hinge", "dual": True},
    {"loss": "squared_hinge", "dual": False},
    {"loss": "squared_hinge", "dual": True, "fit_intercept": False},
    {"loss": "hinge", "dual": True, "intercept_scaling": 10.0, "C": 0.1},
    {"loss": "squared_hinge", "dual": True, "class_weight": "balanced"},
    {"loss": "squared_hinge", "dual": False, "class_weight": {0: 3.0}},
]


@pytest.mark.parametrize("data", ["iris", "breast_cancer", "random"])
@pytest.mark.parametrize("case", range(len(LINEAR_CASES)))
def test_linear_svc(data, case):
    X, y = DATASETS[data]()
    if data == "iris":
        X = _scaled(X)
    kw = dict(LINEAR_CASES[case], tol=1e-10, max_iter=200000, random_state=0)
    sw = np.random.default_rng(4).uniform(0.5, 2.0, len(y))
    for fit_kw in ({}, {"sample_weight": sw}):
        ours = LinearSVC(**kw).fit(X, y, **fit_kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # LIBLINEAR may stop at its own max_iter
            ref = sk_svm.LinearSVC(**kw).fit(X, y, **fit_kw)
        np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-4)
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("data", ["iris", "breast_cancer"])
def test_platt_probabilities(data):
    X, y = DATASETS[data]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated in sklearn 1.9
        ref = sk_svm.SVC(probability=True, random_state=0).fit(X, y)
        probA, probB = ref.probA_, ref.probB_
        ref_proba = ref.predict_proba(X)
    ours = SVC(probability=True, random_state=0).fit(X, y)
    proba = ours.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0, atol=1e-12)
    np.testing.assert_allclose(proba, ref_proba, atol=0.05)  # see module docstring
    np.testing.assert_allclose(np.exp(ours.predict_log_proba(X)), proba, rtol=1e-12)
    # the coupling given the same sigmoids is the same computation
    ours.probA_, ours.probB_ = probA.copy(), probB.copy()
    np.testing.assert_allclose(ours.predict_proba(X), ref_proba, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sigmoid_fit_matches_generic_optimiser(seed):
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(300) < 0.4, 1.0, -1.0)
    dec = y * rng.gamma(2.0, 1.0, 300) + rng.standard_normal(300)
    A, B = sigmoid_train(dec, y)
    A_ref, B_ref = platt_sigmoid(dec, y)
    # both minimise the same smooth convex objective; Newton stops at |grad| < 1e-5
    np.testing.assert_allclose([A, B], [A_ref, B_ref], atol=1e-4)
