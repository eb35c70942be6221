"""AdaBoostClassifier / AdaBoostRegressor: API, edge cases, errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from fastml.ensemble import AdaBoostClassifier, AdaBoostRegressor
from fastml.exceptions import InvalidParameterError, NotFittedError
from fastml.neighbors import KNeighborsClassifier
from fastml.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _clf_data(seed=0, n=200, k=2):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    score = X[:, 0] * X[:, 1] + X[:, 2] + 0.2 * rng.normal(size=n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, k + 1)[1:-1]))
    return X, y


def _reg_data(seed=0, n=200):
    rng = np.random.RandomState(seed)
    X = rng.uniform(size=(n, 3))
    return X, np.sin(6 * X[:, 0]) + X[:, 1] + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("k", [2, 3])
def test_classifier_basic(k):
    X, y = _clf_data(k=k)
    clf = AdaBoostClassifier(n_estimators=40, random_state=0).fit(X, y)
    # stumps on an interaction: well above chance (0.5 / 0.33)
    assert clf.score(X, y) > (0.8 if k == 2 else 0.6)
    assert len(clf.estimators_) == 40
    assert clf.estimator_weights_.shape == clf.estimator_errors_.shape == (40,)
    assert np.all(clf.estimator_errors_ < 1 - 1 / k)
    assert all(isinstance(m, DecisionTreeClassifier) for m in clf.estimators_)
    assert all(m.tree_.max_depth == 1 for m in clf.estimators_)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(
        clf.classes_[np.argmax(proba, axis=1)], clf.predict(X)
    )
    np.testing.assert_allclose(clf.feature_importances_.sum(), 1.0)
    dec = clf.decision_function(X)
    assert dec.shape == ((200,) if k == 2 else (200, k))
    # staged methods end at the final model
    np.testing.assert_allclose(list(clf.staged_decision_function(X))[-1], dec)
    np.testing.assert_array_equal(list(clf.staged_predict(X))[-1], clf.predict(X))
    np.testing.assert_allclose(list(clf.staged_predict_proba(X))[-1], proba)
    scores = list(clf.staged_score(X, y))
    assert len(scores) == 40 and scores[-1] == clf.score(X, y)
    assert scores[-1] > scores[0]


def test_samme_first_round_weight():
    # alpha_1 = lr * (log((1 - err) / err) + log(K - 1)) with err the weighted error
    X, y = _clf_data(k=3)
    clf = AdaBoostClassifier(n_estimators=1, learning_rate=0.5).fit(X, y)
    err = np.mean(clf.estimators_[0].predict(X) != y)
    np.testing.assert_allclose(clf.estimator_errors_[0], err)
    np.testing.assert_allclose(
        clf.estimator_weights_[0], 0.5 * (np.log((1 - err) / err) + np.log(2))
    )


def test_perfect_first_member_stops():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0, 0, 1, 1])
    clf = AdaBoostClassifier(n_estimators=10).fit(X, y)
    assert len(clf.estimators_) == 1
    assert clf.estimator_errors_[0] == 0 and clf.estimator_weights_[0] == 1
    np.testing.assert_array_equal(clf.predict(X), y)


def test_estimator_without_sample_weight_rejected():
    X, y = _clf_data()
    with pytest.raises(ValueError, match="KNeighborsClassifier doesn't support"):
        AdaBoostClassifier(KNeighborsClassifier()).fit(X, y)


def test_worse_than_random_raises():
    X, y = _clf_data()
    # A depth-1 tree restricted to a useless constant feature: error 0.5 >= 1 - 1/2.
    Xc = np.zeros((200, 1))
    with pytest.raises(ValueError, match="worse than random"):
        AdaBoostClassifier(n_estimators=3).fit(Xc, y)


def test_string_labels_and_pickle():
    X, y = _clf_data(k=3)
    labels = np.array(["x", "y", "z"])[y]
    clf = AdaBoostClassifier(n_estimators=10, random_state=0).fit(X, labels)
    assert set(clf.predict(X)) <= {"x", "y", "z"}
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("loss", ["linear", "square", "exponential"])
def test_regressor_basic(loss):
    X, y = _reg_data()
    reg = AdaBoostRegressor(n_estimators=30, loss=loss, random_state=0).fit(X, y)
    assert reg.score(X, y) > 0.85
    assert all(isinstance(m, DecisionTreeRegressor) for m in reg.estimators_)
    np.testing.assert_array_equal(list(reg.staged_predict(X))[-1], reg.predict(X))
    np.testing.assert_allclose(reg.feature_importances_.sum(), 1.0)


def test_regressor_weighted_median():
    X, y = _reg_data(n=50)
    reg = AdaBoostRegressor(n_estimators=7, random_state=0).fit(X, y)
    preds = np.array([m.predict(X) for m in reg.estimators_]).T
    w = reg.estimator_weights_[: len(reg.estimators_)]
    for i in range(5):
        order = np.argsort(preds[i])
        cum = np.cumsum(w[order])
        j = np.searchsorted(cum, 0.5 * cum[-1])
        assert reg.predict(X[i : i + 1])[0] == preds[i, order[j]]


def test_regressor_reproducible_and_seed_dependent():
    X, y = _reg_data()
    a = AdaBoostRegressor(n_estimators=5, random_state=3).fit(X, y).predict(X)
    b = AdaBoostRegressor(n_estimators=5, random_state=3).fit(X, y).predict(X)
    c = AdaBoostRegressor(n_estimators=5, random_state=4).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    "est, message",
    [
        (AdaBoostClassifier(n_estimators=0), "'n_estimators' parameter"),
        (AdaBoostClassifier(learning_rate=0.0), "range \\(0.0, inf\\)"),
        (AdaBoostClassifier(estimator=3), "implementing 'fit' and 'predict' or None"),
        (AdaBoostRegressor(loss="hinge"), "{'exponential', 'linear', 'square'}"),
        (AdaBoostRegressor(random_state=-1), "'random_state'"),
    ],
)
def test_parameter_validation(est, message):
    X, y = _clf_data(n=20)
    with pytest.raises(InvalidParameterError, match=message):
        est.fit(X, y)


@pytest.mark.parametrize("cls", [AdaBoostClassifier, AdaBoostRegressor])
def test_bad_input_and_arrays_unchanged(cls):
    X, y = _clf_data(n=60)
    est = cls(n_estimators=3, random_state=0)
    with pytest.raises(NotFittedError):
        est.predict(X)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Expected 2D"):
        est.fit(X[:, 0], y)
    Xn = X.copy()
    Xn[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        est.fit(Xn, y)
    with pytest.raises(ValueError, match="Negative values"):
        est.fit(X, y, sample_weight=-np.ones(60))
    X0, y0 = X.copy(), y.copy()
    w = np.linspace(0.5, 1.5, 60)
    w0 = w.copy()
    ref = est.fit(X, y, sample_weight=w).predict(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)
    Xr = np.asfortranarray(X)
    Xr.setflags(write=False)
    np.testing.assert_array_equal(
        cls(n_estimators=3, random_state=0).fit(Xr, y, sample_weight=w).predict(Xr),
        ref,
    )
    with pytest.raises(ValueError, match="expecting 4 features"):
        est.predict(X[:, :2])


def test_single_class():
    X, _ = _clf_data(n=20)
    clf = AdaBoostClassifier(n_estimators=5).fit(X, np.ones(20, dtype=int))
    np.testing.assert_array_equal(clf.predict(X), 1)
    np.testing.assert_array_equal(clf.predict_proba(X), 1.0)


class _PublicFitTree(DecisionTreeClassifier):
    """Not a plain fastml tree: members always go through the public fit."""


def test_sorted_once_path_equals_public_fit():
    X, y = _clf_data(k=3)
    w = np.random.RandomState(5).uniform(0.5, 1.5, 200)
    fast = AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=2), n_estimators=15, random_state=0
    )
    slow = AdaBoostClassifier(
        _PublicFitTree(max_depth=2), n_estimators=15, random_state=0
    )
    fast.fit(X, y, sample_weight=w)
    slow.fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(fast.estimator_weights_, slow.estimator_weights_)
    np.testing.assert_array_equal(fast.predict_proba(X), slow.predict_proba(X))
    for a, b in zip(fast.estimators_, slow.estimators_):
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
        assert a.n_features_in_ == b.n_features_in_ == 4
    assert not hasattr(fast, "_fitter")  # no reference to X kept


def test_strings_and_one_row():
    X, y = _clf_data(n=20)
    with pytest.raises(ValueError):
        AdaBoostClassifier(n_estimators=2).fit(np.full((20, 2), "a", dtype=object), y)
    reg = AdaBoostRegressor(n_estimators=3).fit(X[:1], np.array([2.5]))
    np.testing.assert_array_equal(reg.predict(X), 2.5)
    clf = AdaBoostClassifier(n_estimators=3).fit(X[:1], y[:1])
    np.testing.assert_array_equal(clf.predict(X), y[0])
