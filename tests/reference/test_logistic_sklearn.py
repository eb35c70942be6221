"""LogisticRegression against scikit-learn 1.9's on the same data and parameters.

Tolerances:
- lbfgs (l2 / no penalty), tol=1e-10: both minimise the same objective, scaled the
  same way, with the same scipy L-BFGS-B driver and options. At the stopping point
  the scaled gradient is ~1e-10 and the scaled objective's Hessian has eigenvalues
  >= 1 / (C sum(s)) (the l2 term) or bounded away from 0 (non-separable data, no
  penalty), so each solution is within ~1e-7 of the optimum: coefficients agree to
  1e-6 (the issue's figure).
- saga (l1 / elasticnet), tol=1e-8: both run SAGA to a relative change per epoch of
  1e-8 on a strictly convex problem (n_samples > n_features, full-rank data), so
  both are within ~1e-7 of the unique optimum: 1e-6 again, and the same zero
  pattern (exact zeros come from the soft-threshold in both).
- Probabilities from equal coefficients: 1e-6.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_breast_cancer, load_digits, load_iris  # noqa: E402
from sklearn.linear_model import LogisticRegression as SkLR  # noqa: E402

from fastml.datasets import make_classification  # noqa: E402
from fastml.linear_model import LogisticRegression  # noqa: E402

ATOL = 1e-6


def _scaled(X: np.ndarray) -> np.ndarray:
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


def _cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return _scaled(X), y


def _iris():
    X, y = load_iris(return_X_y=True)
    return _scaled(X), y


def _digits():
    # centred pixels: raw pixels make the intercepts and coefficients strongly
    # coupled (condition number ~1e6), where L-BFGS stops on its objective-change
    # test (ftol) before the 1e-6 agreement; centred, both solvers reach it
    X, y = load_digits(return_X_y=True)
    X = X[:400] / 16.0
    return X - X.mean(axis=0), y[:400]


def _random(n_classes: int):
    X, y = make_classification(
        n_samples=300,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        flip_y=0.2,
        random_state=n_classes,
    )
    return X, y


def _both(X, y, sample_weight=None, **params):
    ours = LogisticRegression(**params).fit(X, y, sample_weight=sample_weight)
    theirs = SkLR(**params).fit(X, y, sample_weight=sample_weight)
    return ours, theirs


def _assert_same(ours, theirs, atol=ATOL):
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.coef_.shape == theirs.coef_.shape
    assert ours.intercept_.shape == theirs.intercept_.shape
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=0, atol=atol)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=0, atol=atol)


TIGHT = {"tol": 1e-10, "max_iter": 10000}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"C": 0.05},
        {"fit_intercept": False},
        {"class_weight": "balanced"},
        {"class_weight": {0: 3.0, 1: 0.5}},
    ],
)
def test_lbfgs_binary_cancer(params):
    X, y = _cancer()
    _assert_same(*_both(X, y, **TIGHT, **params))


@pytest.mark.parametrize("load", [_iris, _digits])
@pytest.mark.parametrize(
    "params", [{}, {"C": 0.1}, {"class_weight": "balanced"}, {"fit_intercept": False}]
)
def test_lbfgs_multinomial(load, params):
    X, y = load()
    _assert_same(*_both(X, y, **TIGHT, **params))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_lbfgs_sample_weight_and_no_penalty(n_classes):
    X, y = _random(n_classes)
    sw = np.random.default_rng(0).uniform(0.0, 3.0, X.shape[0])
    _assert_same(*_both(X, y, sample_weight=sw, **TIGHT))
    _assert_same(*_both(X, y, sample_weight=sw, C=np.inf, **TIGHT))
    _assert_same(*_both(X, y, C=np.inf, class_weight="balanced", **TIGHT))


def test_default_tolerance_follows_the_same_path():
    # Same driver, options and scaling: at the default tol the iterations match and
    # the coefficients agree far below the 1e-4 stopping tolerance.
    X, y = _cancer()
    ours, theirs = _both(X, y)
    assert abs(int(ours.n_iter_[0]) - int(theirs.n_iter_[0])) <= 2
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


def test_float32_input():
    # float32 X: fastml accumulates in float64 and reaches the optimum of the float64
    # problem on the same values (up to the float32 rounding of coef_, 1e-7
    # relative: 1e-6); scikit-learn evaluates its loss and gradient in float32
    # (~1e-7 relative noise per evaluation, which stops L-BFGS early), so its float32
    # solution is only within ~1e-3 of that optimum.
    X, y = _cancer()
    X32 = X.astype(np.float32)
    ours, theirs = _both(X32, y, **TIGHT)
    assert ours.coef_.dtype == theirs.coef_.dtype == np.float32
    assert ours.intercept_.dtype == np.float32
    exact = SkLR(**TIGHT).fit(X32.astype(np.float64), y)
    np.testing.assert_allclose(ours.coef_, exact.coef_, atol=1e-6)
    np.testing.assert_allclose(theirs.coef_, exact.coef_, atol=1e-3)


@pytest.mark.parametrize(
    ("load", "l1_ratio", "C"),
    [
        (_cancer, 1.0, 0.1),
        (_cancer, 0.5, 0.05),
        (_iris, 1.0, 0.2),
        (_iris, 0.3, 0.5),
    ],
)
def test_saga_l1_elasticnet(load, l1_ratio, C):
    X, y = load()
    ours, theirs = _both(
        X,
        y,
        solver="saga",
        l1_ratio=l1_ratio,
        C=C,
        tol=1e-8,
        max_iter=20000,
        random_state=0,
    )
    _assert_same(ours, theirs)
    np.testing.assert_array_equal(ours.coef_ == 0, theirs.coef_ == 0)
    assert np.any(ours.coef_ == 0)


def test_saga_l2_equals_lbfgs():
    # The same objective through both solvers.
    X, y = _iris()
    saga = LogisticRegression(
        solver="saga", tol=1e-9, max_iter=20000, random_state=0
    ).fit(X, y)
    lbfgs = LogisticRegression(**TIGHT).fit(X, y)
    np.testing.assert_allclose(saga.coef_, lbfgs.coef_, atol=1e-5)


@pytest.mark.parametrize("load", [_cancer, _iris])
def test_predictions_and_probabilities(load):
    X, y = load()
    ours, theirs = _both(X, y, **TIGHT)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), atol=ATOL
    )
    np.testing.assert_allclose(
        ours.decision_function(X), theirs.decision_function(X), atol=1e-5
    )
    # log-probabilities: compare where the probability is not tiny (log's relative
    # sensitivity); both are the log of their probabilities
    p = theirs.predict_proba(X)
    mask = p > 1e-3
    np.testing.assert_allclose(
        ours.predict_log_proba(X)[mask], theirs.predict_log_proba(X)[mask], atol=1e-4
    )
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))


def _messages(func):
    with pytest.raises(ValueError) as info:
        func()
    return str(info.value)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "lbfgs", "l1_ratio": 1.0},
        {"solver": "newton-cg", "l1_ratio": 0.5},
        {"solver": "lbfgs", "dual": True},
    ],
)
def test_error_messages_match(params):
    X, y = _iris()
    ours = _messages(lambda: LogisticRegression(**params).fit(X, y))
    theirs = _messages(lambda: SkLR(**params).fit(X, y))
    assert ours == theirs


def test_single_class_message_matches():
    X = np.ones((5, 2))
    y = np.array([3, 3, 3, 3, 3])
    assert _messages(lambda: LogisticRegression().fit(X, y)) == _messages(
        lambda: SkLR().fit(X, y)
    )


@pytest.mark.parametrize("params", [{"penalty": "l2"}, {"l1_ratio": None}])
def test_deprecation_warnings_match(params):
    X, y = _iris()
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        LogisticRegression(**params).fit(X, y)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        SkLR(**params).fit(X, y)
    future = [str(w.message) for w in ours if w.category is FutureWarning]
    expected = [str(w.message) for w in theirs if w.category is FutureWarning]
    assert future and future == expected
