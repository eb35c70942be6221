"""The estimator base: parameters, cloning, repr, fitted state, scikit-learn interop."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from fastml.exceptions import NotFittedError
from fastml.utils.validation import (
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    validate_data,
)


class MeanRegressor(RegressorMixin, BaseEstimator):
    """Weighted mean of y plus shift; enough to exercise the base machinery."""

    def __init__(self, shift=0.0, inner=None):
        self.shift = shift
        self.inner = inner

    def fit(self, X, y, sample_weight=None):
        X, y = validate_data(self, X, y, y_numeric=True)
        w = check_sample_weight(sample_weight, X.shape[0])
        self.mean_ = float(np.average(y, weights=w)) + self.shift
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.full(X.shape[0], self.mean_)


class MajorityClassifier(ClassifierMixin, BaseEstimator):
    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        X, y = validate_data(self, X, y)
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return np.full(X.shape[0], self.majority_)


def test_get_set_params_nested():
    est = MeanRegressor(shift=1.0, inner=MeanRegressor(shift=2.0))
    params = est.get_params()
    assert params["shift"] == 1.0
    assert params["inner__shift"] == 2.0
    est.set_params(inner__shift=5.0, shift=3.0)
    assert est.inner.shift == 5.0 and est.shift == 3.0
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        est.set_params(nope=1)


def test_clone_is_unfitted_deep_copy():
    inner = MeanRegressor(shift=2.0)
    est = MeanRegressor(shift=np.array([1.0]), inner=inner).fit([[0.0], [1.0]], [1, 2])
    copy = clone(est)
    assert copy is not est and copy.inner is not inner
    assert copy.inner.shift == 2.0
    assert not hasattr(copy, "mean_")
    with pytest.raises(TypeError, match="does not implement a 'get_params'"):
        clone(object())


def test_repr_shows_non_default_params_only():
    assert repr(MeanRegressor()) == "MeanRegressor()"
    assert repr(MeanRegressor(shift=2.5)) == "MeanRegressor(shift=2.5)"


def test_not_fitted_error_and_feature_count_message():
    est = MeanRegressor()
    with pytest.raises(
        NotFittedError, match="This MeanRegressor instance is not fitted"
    ):
        est.predict([[1.0]])
    est.fit(np.zeros((3, 2)), [1.0, 2.0, 3.0])
    assert est.n_features_in_ == 2
    msg = "X has 3 features, but MeanRegressor is expecting 2 features as input."
    with pytest.raises(ValueError, match=msg):
        est.predict(np.zeros((1, 3)))


def test_feature_names_from_dataframe():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 2.0]})
    est = MeanRegressor().fit(X, [1.0, 2.0])
    assert list(est.feature_names_in_) == ["a", "b"]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        est.predict(X.to_numpy())
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(X[["b", "a"]])


def test_integer_weights_equal_repeated_rows_and_zero_weights_rejected():
    X = np.arange(8.0).reshape(4, 2)
    y = np.array([1.0, 5.0, 2.0, 7.0])
    w = np.array([2, 0, 1, 3])
    weighted = MeanRegressor().fit(X, y, sample_weight=w)
    repeated = MeanRegressor().fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    assert weighted.mean_ == pytest.approx(repeated.mean_, rel=1e-15)
    with pytest.raises(ValueError, match="at least one non-zero"):
        MeanRegressor().fit(X, y, sample_weight=np.zeros(4))
    with pytest.raises(
        ValueError, match="Negative values in data passed to sample_weight"
    ):
        MeanRegressor().fit(X, y, sample_weight=[1, -1, 1, 1])
    with pytest.raises(
        ValueError, match=r"sample_weight.shape == \(3,\), expected \(4,\)"
    ):
        MeanRegressor().fit(X, y, sample_weight=[1, 1, 1])


def test_random_state_handling():
    assert check_random_state(None) is np.random.mtrand._rand
    rs = np.random.RandomState(0)
    assert check_random_state(rs) is rs
    a = check_random_state(3).randint(1000, size=5)
    b = check_random_state(3).randint(1000, size=5)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="cannot be used to seed"):
        check_random_state("seed")


def test_pickle_round_trip():
    est = MeanRegressor(shift=1.0).fit([[0.0], [2.0]], [1.0, 3.0])
    back = pickle.loads(pickle.dumps(est))
    assert back.mean_ == est.mean_ and back.get_params() == est.get_params()


def test_sklearn_pipeline_gridsearch_cross_val_score():
    pytest.importorskip("sklearn")
    from sklearn.base import clone as sk_clone
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    y = rng.normal(size=40)
    pipe = make_pipeline(StandardScaler(), MeanRegressor())
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (40,)
    grid = GridSearchCV(MeanRegressor(), {"shift": [0.0, 10.0]}, cv=4).fit(X, y)
    assert grid.best_params_ == {"shift": 0.0}  # shifting the mean only hurts R^2
    scores = cross_val_score(MajorityClassifier(), X, (y > 0).astype(int), cv=4)
    assert scores.shape == (4,) and np.all((scores >= 0) & (scores <= 1))
    assert sk_clone(MeanRegressor(shift=3.0)).shift == 3.0
