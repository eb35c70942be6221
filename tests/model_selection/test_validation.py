"""cross_validate / cross_val_score: results, scoring forms, n_jobs, failures, errors.

The estimators here are tiny and defined in this file so that the tests depend only on
fastml.model_selection and fastml.base (not on other areas being finished).
"""

import re
import threading
import warnings

import numpy as np
import pytest

from fastml.base import BaseEstimator, ClassifierMixin, RegressorMixin
from fastml.exceptions import FitFailedWarning, InvalidParameterError
from fastml.model_selection import (
    KFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from fastml.utils.validation import check_random_state


class MeanRegressor(RegressorMixin, BaseEstimator):
    """Predicts the (weighted) training mean plus optional seeded noise."""

    def __init__(self, noise=0.0, random_state=None):
        self.noise = noise
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        self.sample_weight_seen_ = (
            None if sample_weight is None else np.asarray(sample_weight)
        )
        self.mean_ = float(np.average(y, weights=sample_weight))
        self.mean_ += self.noise * check_random_state(self.random_state).randn()
        self.n_features_in_ = X.shape[1]
        self.fit_thread_ = threading.current_thread().name
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)

    def score(self, X, y):
        return -float(np.mean((np.asarray(y) - self.predict(X)) ** 2))


class MajorityClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the most frequent training class."""

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        return np.full(len(X), self.majority_)

    def score(self, X, y):
        return float(np.mean(self.predict(X) == np.asarray(y)))


class FailingRegressor(MeanRegressor):
    """Fails to fit when the training set contains sample ``bad_idx`` (by X value)."""

    def __init__(self, bad_value=0.0):
        self.bad_value = bad_value

    def fit(self, X, y, sample_weight=None):
        if np.any(np.asarray(X)[:, 0] == self.bad_value):
            raise RuntimeError("boom")
        self.noise, self.random_state = 0.0, None
        return super().fit(X, y)


class UnsupervisedMean(BaseEstimator):
    def fit(self, X, y=None):
        self.center_ = np.asarray(X).mean(axis=0)
        return self

    def score(self, X, y=None):
        return -float(np.sum((np.asarray(X) - self.center_) ** 2))


def _data(n=20, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.rand(n, 3)
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.randn(n)
    return X, y


def _manual_scores(estimator, X, y, cv, scorer):
    out = []
    for train_idx, test_idx in cv.split(X, y):
        est = type(estimator)(**estimator.get_params()).fit(X[train_idx], y[train_idx])
        out.append(scorer(est, X[test_idx], y[test_idx]))
    return np.array(out)


def test_cross_val_score_matches_manual_loop():
    X, y = _data()
    cv = KFold(4, shuffle=True, random_state=0)
    scores = cross_val_score(MeanRegressor(), X, y, cv=cv)
    expected = _manual_scores(MeanRegressor(), X, y, cv, lambda e, X, y: e.score(X, y))
    assert scores.shape == (4,)
    np.testing.assert_array_equal(scores, expected)


def test_cross_validate_keys_and_shapes():
    X, y = _data()
    res = cross_validate(MeanRegressor(), X, y, cv=3)
    assert list(res) == ["fit_time", "score_time", "test_score"]
    res = cross_validate(
        MeanRegressor(),
        X,
        y,
        cv=3,
        return_train_score=True,
        return_estimator=True,
        return_indices=True,
    )
    assert list(res) == [
        "fit_time",
        "score_time",
        "estimator",
        "indices",
        "test_score",
        "train_score",
    ]
    assert res["fit_time"].shape == res["score_time"].shape == (3,)
    assert np.all(res["fit_time"] >= 0) and np.all(res["score_time"] >= 0)
    for est, train_idx, train_score in zip(
        res["estimator"],
        res["indices"]["train"],
        res["train_score"],
    ):
        assert est.mean_ == pytest.approx(y[train_idx].mean())
        assert train_score == est.score(X[train_idx], y[train_idx])
    tests = [t.tolist() for t in res["indices"]["test"]]
    assert tests == [t.tolist() for _, t in KFold(3).split(X)]


def test_estimator_is_cloned_not_fitted():
    X, y = _data()
    est = MeanRegressor()
    res = cross_validate(est, X, y, cv=2, return_estimator=True)
    assert not hasattr(est, "mean_")
    assert all(e is not est for e in res["estimator"])
    assert res["estimator"][0] is not res["estimator"][1]


def test_default_cv_is_five_folds_and_stratified_for_classifiers():
    X = np.zeros((20, 1))
    y = np.array([0] * 10 + [1] * 10)  # sorted: plain KFold would give 1-class folds
    res = cross_validate(MajorityClassifier(), X, y, return_indices=True)
    assert len(res["test_score"]) == 5
    for test_idx in res["indices"]["test"]:
        assert np.bincount(y[test_idx]).tolist() == [2, 2]
    expected = [t.tolist() for _, t in StratifiedKFold(5).split(X, y)]
    assert [t.tolist() for t in res["indices"]["test"]] == expected
    # regressors get plain KFold
    res = cross_validate(MeanRegressor(), X, y.astype(float), return_indices=True)
    assert [t.tolist() for t in res["indices"]["test"]] == [
        list(range(i, i + 4)) for i in range(0, 20, 4)
    ]


def test_cv_forms():
    X, y = _data(12)
    by_int = cross_val_score(MeanRegressor(), X, y, cv=3)
    by_splitter = cross_val_score(MeanRegressor(), X, y, cv=KFold(3))
    pairs = list(KFold(3).split(X))
    by_list = cross_val_score(MeanRegressor(), X, y, cv=pairs)
    by_generator = cross_val_score(MeanRegressor(), X, y, cv=iter(pairs))
    for other in (by_splitter, by_list, by_generator):
        np.testing.assert_array_equal(by_int, other)


def test_groups_reach_the_splitter():
    seen = {}

    class GroupSplitter:
        def get_n_splits(self, X=None, y=None, groups=None):
            return 2

        def split(self, X, y=None, groups=None):
            seen["groups"] = groups
            groups = np.asarray(groups)
            for g in (0, 1):
                yield np.flatnonzero(groups != g), np.flatnonzero(groups == g)

    X, y = _data(10)
    groups = np.array([0, 1] * 5)
    scores = cross_val_score(MeanRegressor(), X, y, groups=groups, cv=GroupSplitter())
    assert np.array_equal(seen["groups"], groups) and scores.shape == (2,)


def test_scoring_callable_and_multimetric():
    X, y = _data()

    def neg_mae(est, X, y):
        return -float(np.mean(np.abs(y - est.predict(X))))

    def both(est, X, y):
        return {"mae": neg_mae(est, X, y), "mse": est.score(X, y)}

    cv = KFold(4)
    single = cross_validate(MeanRegressor(), X, y, cv=cv, scoring=neg_mae)
    np.testing.assert_array_equal(
        single["test_score"], _manual_scores(MeanRegressor(), X, y, cv, neg_mae)
    )
    as_dict = cross_validate(
        MeanRegressor(),
        X,
        y,
        cv=cv,
        scoring={"mae": neg_mae, "own": lambda e, X, y: e.score(X, y)},
        return_train_score=True,
    )
    np.testing.assert_array_equal(as_dict["test_mae"], single["test_score"])
    np.testing.assert_array_equal(
        as_dict["test_own"], cross_val_score(MeanRegressor(), X, y, cv=cv)
    )
    assert {"train_mae", "train_own"} <= set(as_dict)
    from_callable = cross_validate(MeanRegressor(), X, y, cv=cv, scoring=both)
    np.testing.assert_array_equal(from_callable["test_mae"], single["test_score"])
    np.testing.assert_array_equal(from_callable["test_mse"], as_dict["test_own"])


def test_unsupervised_estimator_without_y():
    X, _ = _data(12)
    scores = cross_val_score(UnsupervisedMean(), X, cv=3)
    expected = [
        UnsupervisedMean().fit(X[tr]).score(X[te]) for tr, te in KFold(3).split(X)
    ]
    np.testing.assert_allclose(scores, expected, rtol=0, atol=0)


def test_fit_params_are_sliced_per_fold():
    X, y = _data(12)
    weights = np.arange(1.0, 13.0)
    for kwargs in (
        {"params": {"sample_weight": weights}},
        {"fit_params": {"sample_weight": weights}},
    ):
        res = cross_validate(
            MeanRegressor(),
            X,
            y,
            cv=3,
            return_estimator=True,
            return_indices=True,
            **kwargs,
        )
        for est, train_idx in zip(res["estimator"], res["indices"]["train"]):
            np.testing.assert_array_equal(est.sample_weight_seen_, weights[train_idx])
            assert est.mean_ == pytest.approx(
                np.average(y[train_idx], weights=weights[train_idx])
            )
    with pytest.raises(ValueError, match="not both"):
        cross_validate(MeanRegressor(), X, y, params={}, fit_params={})


@pytest.mark.parametrize("random_state", [0, np.random.RandomState(7)])
def test_n_jobs_gives_identical_results(random_state):
    X, y = _data(40)
    est = MeanRegressor(noise=1.0, random_state=random_state)
    kwargs = dict(
        cv=KFold(5, shuffle=True, random_state=1),
        scoring={"a": lambda e, X, y: e.score(X, y), "b": lambda e, X, y: e.mean_},
        return_train_score=True,
        return_indices=True,
    )
    serial = cross_validate(est, X, y, n_jobs=1, **kwargs)
    threaded = cross_validate(est, X, y, n_jobs=2, **kwargs)
    all_cpus = cross_validate(est, X, y, n_jobs=-1, **kwargs)
    for other in (threaded, all_cpus):
        for key in ("test_a", "test_b", "train_a", "train_b"):
            np.testing.assert_array_equal(serial[key], other[key])
        for part in ("train", "test"):
            for a, b in zip(serial["indices"][part], other["indices"][part]):
                np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(
        cross_val_score(est, X, y, n_jobs=None), cross_val_score(est, X, y, n_jobs=2)
    )


def test_n_jobs_runs_folds_in_threads():
    X, y = _data(20)
    res = cross_validate(MeanRegressor(), X, y, cv=4, n_jobs=2, return_estimator=True)
    names = {e.fit_thread_ for e in res["estimator"]}
    assert all(name.startswith("fastml-cv") for name in names)
    res = cross_validate(MeanRegressor(), X, y, cv=4, n_jobs=1, return_estimator=True)
    assert {e.fit_thread_ for e in res["estimator"]} == {
        threading.current_thread().name
    }


def test_n_jobs_errors():
    X, y = _data(10)
    for bad in (0, 1.5, "2"):
        with pytest.raises(ValueError, match="n_jobs"):
            cross_val_score(MeanRegressor(), X, y, n_jobs=bad)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_error_score_nan_warns_and_scores_nan(n_jobs):
    X = np.arange(16, dtype=float).reshape(8, 2)
    y = np.arange(8, dtype=float)
    # sample with X[:, 0] == 0.0 is in the test set of fold 0 only: folds 1-3 fail
    est = FailingRegressor(bad_value=0.0)
    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 4"):
        res = cross_validate(
            est,
            X,
            y,
            cv=KFold(4),
            n_jobs=n_jobs,
            return_train_score=True,
            scoring={"a": lambda e, X, y: e.score(X, y), "b": lambda e, X, y: 1.0},
        )
    assert not np.isnan(res["test_a"][0]) and np.all(np.isnan(res["test_a"][1:]))
    assert res["test_b"][0] == 1.0 and np.all(np.isnan(res["train_b"][1:]))
    with pytest.warns(FitFailedWarning, match="RuntimeError: boom"):
        scores = cross_val_score(est, X, y, cv=KFold(4), error_score=-1.0)
    assert scores[1:].tolist() == [-1.0, -1.0, -1.0]


def test_error_score_raise_and_all_failed():
    X = np.arange(16, dtype=float).reshape(8, 2)
    y = np.arange(8, dtype=float)
    with pytest.raises(RuntimeError, match="boom"):
        cross_val_score(FailingRegressor(), X, y, cv=KFold(4), error_score="raise")
    with pytest.raises(RuntimeError, match="boom"):
        cross_val_score(
            FailingRegressor(), X, y, cv=KFold(4), error_score="raise", n_jobs=2
        )
    with pytest.raises(ValueError, match="All the 2 fits failed.\nIt is very likely"):
        cross_val_score(
            FailingRegressor(bad_value=-5.0), np.full((8, 2), -5.0), y, cv=2
        )
    for bad in ("rais", None, True):
        with pytest.raises(InvalidParameterError, match="'error_score' parameter"):
            cross_val_score(MeanRegressor(), X, y, error_score=bad)


def test_scoring_failure_warns_with_error_score():
    X, y = _data(10)

    def flaky(est, X, y):
        if len(X) == 4:  # the first of KFold(3)'s test folds (sizes 4, 3, 3)
            raise ZeroDivisionError("nope")
        return 1.0

    with pytest.warns(UserWarning, match="(?s)Scoring failed.*ZeroDivisionError"):
        scores = cross_val_score(MeanRegressor(), X, y, cv=KFold(3), scoring=flaky)
    assert np.isnan(scores[0]) and scores[1:].tolist() == [1.0, 1.0]
    with pytest.raises(ZeroDivisionError):
        cross_val_score(
            MeanRegressor(), X, y, cv=KFold(3), scoring=flaky, error_score="raise"
        )


def test_scoring_must_return_a_number():
    X, y = _data(10)
    with pytest.raises(ValueError, match=r"scoring must return a number, got x \("):
        cross_val_score(MeanRegressor(), X, y, cv=2, scoring=lambda e, X, y: "x")
    # numpy scalars and 0-d arrays are numbers
    scores = cross_val_score(
        MeanRegressor(), X, y, cv=2, scoring=lambda e, X, y: np.array(2.5)
    )
    assert scores.tolist() == [2.5, 2.5]


def test_scoring_parameter_errors():
    X, y = _data(10)
    with pytest.raises(ValueError, match="For evaluating multiple scores, use"):
        cross_val_score(MeanRegressor(), X, y, scoring=["r2"])
    with pytest.raises(ValueError, match="'foo' is not a valid scoring value"):
        cross_val_score(MeanRegressor(), X, y, scoring="foo")
    with pytest.raises(ValueError, match="Empty list was given"):
        cross_validate(MeanRegressor(), X, y, scoring=[])
    with pytest.raises(ValueError, match="Duplicate elements were found"):
        cross_validate(MeanRegressor(), X, y, scoring=["r2", "r2"])
    with pytest.raises(ValueError, match="Non-string types were found"):
        cross_validate(MeanRegressor(), X, y, scoring=[1])
    with pytest.raises(ValueError, match="An empty dict was passed"):
        cross_validate(MeanRegressor(), X, y, scoring={})
    with pytest.raises(ValueError, match="scoring must be a str, a callable or None"):
        cross_validate(MeanRegressor(), X, y, scoring={"a": 3})

    class NoScore(BaseEstimator):
        def fit(self, X, y):
            return self

    with pytest.raises(TypeError, match="should have a 'score' method"):
        cross_val_score(NoScore(), X, y)
    with pytest.raises(InvalidParameterError, match="object implementing 'fit'"):
        cross_val_score(object(), X, y)


def test_bad_data():
    X, y = _data(10)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Found input variables with inconsistent numbers of samples: [10, 9]"
        ),
    ):
        cross_val_score(MeanRegressor(), X, y[:9])
    with pytest.raises(ValueError, match="n_samples=0"):
        cross_val_score(MeanRegressor(), np.zeros((0, 3)), np.zeros(0))
    with pytest.raises(ValueError, match="n_samples=3"):
        cross_val_score(MeanRegressor(), X[:3], y[:3], cv=5)
    with pytest.raises(ValueError, match="Expected `cv` as an integer"):
        cross_val_score(MeanRegressor(), X, y, cv="five")


def test_lists_and_dataframes():
    pd = pytest.importorskip("pandas")
    X, y = _data(12)
    expected = cross_val_score(MeanRegressor(), X, y, cv=3)
    np.testing.assert_array_equal(
        cross_val_score(MeanRegressor(), X.tolist(), y.tolist(), cv=3), expected
    )
    df = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(50, 62))
    np.testing.assert_array_equal(
        cross_val_score(MeanRegressor(), df, pd.Series(y, index=df.index), cv=3),
        expected,
    )


def test_caller_arrays_unchanged():
    X, y = _data(12)
    X.setflags(write=False)
    X_copy, y_copy = X.copy(), y.copy()
    cross_validate(MeanRegressor(), X, y, cv=3, n_jobs=2, return_train_score=True)
    assert np.array_equal(X, X_copy) and np.array_equal(y, y_copy)


def test_no_warnings_on_clean_run():
    X, y = _data(12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cross_validate(MeanRegressor(), X, y, cv=3, n_jobs=2)
