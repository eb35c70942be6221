"""BaggingClassifier / BaggingRegressor: API, edge cases, errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from fastml.ensemble import BaggingClassifier, BaggingRegressor
from fastml.exceptions import InvalidParameterError, NotFittedError
from fastml.neighbors import KNeighborsClassifier, KNeighborsRegressor
from fastml.tree import DecisionTreeClassifier, DecisionTreeRegressor


def _clf_data(seed=0, n=150, k=2):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    s = X[:, 0] + X[:, 1] + 0.3 * rng.normal(size=n)
    return X, np.digitize(s, np.quantile(s, np.linspace(0, 1, k + 1)[1:-1]))


def _reg_data(seed=0, n=150):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    return X, X[:, 0] + np.sin(X[:, 1]) + 0.1 * rng.normal(size=n)


class _NoWeights:
    """A classifier whose fit has no sample_weight (members get resampled rows)."""

    def __init__(self):
        pass

    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        self.n_rows_ = X.shape[0]
        self.seen_ = X.copy()
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.classes_[0])


def test_default_trees_and_attributes():
    X, y = _clf_data(k=3)
    clf = BaggingClassifier(n_estimators=7, random_state=0, oob_score=True).fit(X, y)
    assert len(clf.estimators_) == 7
    assert all(isinstance(m, DecisionTreeClassifier) for m in clf.estimators_)
    assert len(clf.estimators_samples_) == len(clf.estimators_features_) == 7
    assert all(len(rows) == 150 for rows in clf.estimators_samples_)
    assert clf.n_classes_ == 3
    assert clf.oob_decision_function_.shape == (150, 3)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, y) > 0.9
    reg = BaggingRegressor(n_estimators=5, random_state=0).fit(*_reg_data())
    assert all(isinstance(m, DecisionTreeRegressor) for m in reg.estimators_)


def test_proba_is_mean_of_members():
    X, y = _clf_data(k=3)
    clf = BaggingClassifier(n_estimators=6, max_features=0.5, random_state=1).fit(X, y)
    mean = np.mean(
        [
            m.predict_proba(X[:, f])
            for m, f in zip(clf.estimators_, clf.estimators_features_)
        ],
        axis=0,
    )
    np.testing.assert_allclose(clf.predict_proba(X), mean)
    assert all(len(f) == 2 for f in clf.estimators_features_)
    reg = BaggingRegressor(n_estimators=6, random_state=1).fit(*_reg_data())
    Xr, _ = _reg_data()
    np.testing.assert_allclose(
        reg.predict(Xr), np.mean([m.predict(Xr) for m in reg.estimators_], axis=0)
    )


def test_members_see_their_draws():
    # weight-aware members: the draw counts as sample weights; a member refitted on
    # the drawn rows (repeats included) predicts the same on those rows (elsewhere
    # two equivalent cuts may differ).
    X, y = _reg_data()
    reg = BaggingRegressor(n_estimators=3, random_state=0).fit(X, y)
    for member, rows in zip(reg.estimators_, reg.estimators_samples_):
        again = DecisionTreeRegressor(random_state=member.random_state).fit(
            X[rows], y[rows]
        )
        np.testing.assert_allclose(again.predict(X[rows]), member.predict(X[rows]))


def test_resampling_without_sample_weight():
    X, y = _clf_data()
    clf = BaggingClassifier(
        _NoWeights(), n_estimators=3, max_samples=40, random_state=0
    )
    clf.fit(X, y)
    for member, rows in zip(clf.estimators_, clf.estimators_samples_):
        assert member.n_rows_ == 40
        np.testing.assert_array_equal(member.seen_, X[rows])
    # votes: members without predict_proba
    np.testing.assert_allclose(clf.predict_proba(X)[:, 0], 1.0)


def test_pasting_and_bootstrap_features():
    X, y = _clf_data()
    clf = BaggingClassifier(
        n_estimators=4, bootstrap=False, max_samples=0.5, random_state=0
    ).fit(X, y)
    for rows in clf.estimators_samples_:
        assert len(rows) == 75 and len(np.unique(rows)) == 75
    clf = BaggingClassifier(
        n_estimators=4, bootstrap_features=True, max_features=4, random_state=0
    ).fit(X, y)
    assert any(len(np.unique(f)) < 4 for f in clf.estimators_features_)


def test_oob_matches_recomputation():
    X, y = _reg_data()
    reg = BaggingRegressor(
        KNeighborsRegressor(n_neighbors=3),
        n_estimators=15,
        oob_score=True,
        random_state=0,
    ).fit(X, y)
    total = np.zeros(150)
    count = np.zeros(150)
    for m, rows, f in zip(
        reg.estimators_, reg.estimators_samples_, reg.estimators_features_
    ):
        oob = np.ones(150, dtype=bool)
        oob[rows] = False
        total[oob] += m.predict(X[oob][:, f])
        count[oob] += 1
    count[count == 0] = 1  # rows drawn by every member: prediction 0
    np.testing.assert_allclose(reg.oob_prediction_, total / count)
    from fastml.metrics import r2_score

    np.testing.assert_allclose(reg.oob_score_, r2_score(y, total / count))


def test_n_jobs_identical_warm_start_and_pickle():
    X, y = _clf_data(k=3)
    kw = dict(n_estimators=8, max_features=0.75, random_state=0)
    a = BaggingClassifier(n_jobs=1, **kw).fit(X, y)
    b = BaggingClassifier(n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    warm = BaggingClassifier(warm_start=True, **{**kw, "n_estimators": 3}).fit(X, y)
    warm.set_params(n_estimators=8).fit(X, y)
    np.testing.assert_array_equal(warm.predict_proba(X), a.predict_proba(X))
    for ra, rw in zip(a.estimators_samples_, warm.estimators_samples_):
        np.testing.assert_array_equal(ra, rw)
    with pytest.warns(UserWarning, match="without increasing n_estimators"):
        warm.fit(X, y)
    with pytest.raises(ValueError, match="must be larger or equal"):
        warm.set_params(n_estimators=2).fit(X, y)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))


def test_sample_weight_draws_rows_by_weight():
    X, y = _clf_data()
    w = np.zeros(150)
    w[:30] = 1.0
    clf = BaggingClassifier(n_estimators=4, random_state=0).fit(X, y, sample_weight=w)
    for rows in clf.estimators_samples_:
        assert rows.max() < 30
    with pytest.warns(UserWarning, match="bootstrap=True"):
        BaggingClassifier(n_estimators=2, bootstrap=False, max_samples=10).fit(
            X, y, sample_weight=np.ones(150)
        )


def test_decision_function_availability():
    X, y = _clf_data()
    clf = BaggingClassifier(KNeighborsClassifier(), n_estimators=2).fit(X, y)
    assert not hasattr(clf, "decision_function")

    class WithDecision(DecisionTreeClassifier):
        def decision_function(self, X):
            return self.predict_proba(X)[:, 1]

    clf = BaggingClassifier(WithDecision(), n_estimators=3, random_state=0).fit(X, y)
    dec = clf.decision_function(X)
    np.testing.assert_allclose(
        dec,
        np.mean(
            [
                m.decision_function(X[:, f])
                for m, f in zip(clf.estimators_, clf.estimators_features_)
            ],
            axis=0,
        ),
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_estimators": 0}, "'n_estimators' parameter of BaggingClassifier"),
        ({"max_samples": 1.5}, "None, an int in the range \\[1, inf\\) or a float"),
        ({"max_features": 0.0}, "'max_features'"),
        ({"estimator": 3}, "implementing 'fit' and 'predict' or None"),
        ({"n_jobs": "a"}, "None or an instance of 'int'"),
        ({"bootstrap": "yes"}, "'bootstrap'"),
    ],
)
def test_parameter_validation(params, message):
    X, y = _clf_data(n=20)
    with pytest.raises(InvalidParameterError, match=message):
        BaggingClassifier(**params).fit(X, y)


def test_value_errors():
    X, y = _clf_data(n=20)
    with pytest.raises(ValueError, match="only available if bootstrap=True"):
        BaggingClassifier(bootstrap=False, oob_score=True).fit(X, y)
    with pytest.raises(ValueError, match="warm_start=False"):
        BaggingClassifier(warm_start=True, oob_score=True).fit(X, y)
    with pytest.raises(ValueError, match="max_features must be <= n_features"):
        BaggingClassifier(max_features=10).fit(X, y)
    with pytest.raises(ValueError, match="to be able to sample without replacement"):
        BaggingClassifier(bootstrap=False, max_samples=30).fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        BaggingClassifier().fit(X, np.linspace(0, 1, 20))


@pytest.mark.parametrize("cls", [BaggingClassifier, BaggingRegressor])
def test_bad_input_and_arrays_unchanged(cls):
    X, y = _clf_data(n=60)
    est = cls(n_estimators=3, random_state=0)
    with pytest.raises(NotFittedError):
        est.predict(X)
    with pytest.raises(ValueError):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Expected 2D"):
        est.fit(X[:, 0], y)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError):  # the trees reject NaN (or accept it: no crash)
        est.fit(Xn, y).predict(Xn)
        raise ValueError("NaN accepted by the member")
    X0, y0 = X.copy(), y.copy()
    ref = est.fit(X, y).predict(X)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    Xr = np.asfortranarray(X)
    Xr.setflags(write=False)
    np.testing.assert_array_equal(
        cls(n_estimators=3, random_state=0).fit(Xr, y).predict(Xr), ref
    )
    with pytest.raises(ValueError, match="expecting 4 features"):
        est.predict(X[:, :2])
    one = cls(n_estimators=2, random_state=0).fit(X[:1], y[:1])
    assert one.predict(X).shape == (60,)


def test_oob_warns_with_few_members():
    X, y = _clf_data(n=30)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BaggingClassifier(n_estimators=1, oob_score=True, random_state=0).fit(X, y)
    assert any("do not have OOB scores" in str(w.message) for w in caught)


def test_verbose_logs_and_negative_weights(caplog, capsys):
    X, y = _clf_data(n=40)
    with caplog.at_level("INFO", logger="fastml.ensemble._bagging"):
        BaggingClassifier(n_estimators=2, verbose=2).fit(X, y)
    assert capsys.readouterr().out == ""
    assert len(caplog.records) == 2
    with pytest.raises(ValueError, match="Negative values"):
        BaggingClassifier(n_estimators=2).fit(X, y, sample_weight=-np.ones(40))


class _PublicFitRegressor(DecisionTreeRegressor):
    """Not a plain fastml tree: members always go through the public fit."""


def test_sorted_once_path_equals_public_fit():
    X, y = _reg_data()
    kw = dict(n_estimators=6, random_state=0, n_jobs=2)
    fast = BaggingRegressor(DecisionTreeRegressor(), **kw).fit(X, y)
    slow = BaggingRegressor(_PublicFitRegressor(), **kw).fit(X, y)
    np.testing.assert_array_equal(fast.predict(X), slow.predict(X))
    for a, b in zip(fast.estimators_, slow.estimators_):
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
        np.testing.assert_array_equal(a.tree_.value, b.tree_.value)


def test_strings_rejected_by_members():
    X, y = _clf_data(n=20)
    with pytest.raises(ValueError):
        BaggingClassifier(n_estimators=2).fit(np.full((20, 2), "a", dtype=object), y)
