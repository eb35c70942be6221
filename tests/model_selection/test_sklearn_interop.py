"""fastml.model_selection together with scikit-learn, in both directions.

- fastml splitters as ``cv=`` of scikit-learn's GridSearchCV / cross_val_score;
- scikit-learn estimators, pipelines, scorers and GridSearchCV inside fastml's
  cross_validate / cross_val_score;
- fastml-style estimators (fastml.base) inside scikit-learn's GridSearchCV with a fastml
  splitter.
"""

import numpy as np
import pytest

from fastml.base import BaseEstimator, RegressorMixin
from fastml.model_selection import (
    KFold,
    LeaveOneOut,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)

sklearn = pytest.importorskip("sklearn")
from sklearn import model_selection as skms  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.metrics import get_scorer as sk_get_scorer  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


class ShrunkMean(RegressorMixin, BaseEstimator):
    """Predicts shrink * mean(y_train); scored by negative MSE (own score)."""

    def __init__(self, shrink=1.0):
        self.shrink = shrink

    def fit(self, X, y):
        self.n_features_in_ = np.asarray(X).shape[1]
        self.value_ = self.shrink * float(np.mean(y))
        return self

    def predict(self, X):
        return np.full(len(X), self.value_)

    def score(self, X, y, sample_weight=None):
        return -float(np.mean((np.asarray(y) - self.predict(X)) ** 2))


@pytest.fixture(scope="module")
def regression():
    X, y = load_diabetes(return_X_y=True)
    return X[:200], y[:200]


@pytest.fixture(scope="module")
def classification():
    return load_iris(return_X_y=True)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (
            KFold(4, shuffle=True, random_state=3),
            skms.KFold(4, shuffle=True, random_state=3),
        ),
        (KFold(3), skms.KFold(3)),
        (
            RepeatedKFold(n_splits=3, n_repeats=2, random_state=1),
            skms.RepeatedKFold(n_splits=3, n_repeats=2, random_state=1),
        ),
    ],
)
def test_fastml_splitter_in_sklearn_grid_search(regression, ours, theirs):
    X, y = regression
    grid = {"alpha": [0.01, 0.1, 1.0]}
    a = skms.GridSearchCV(Ridge(), grid, cv=ours).fit(X, y)
    b = skms.GridSearchCV(Ridge(), grid, cv=theirs).fit(X, y)
    assert a.n_splits_ == b.n_splits_ == ours.get_n_splits()
    # same folds and the same estimator: identical computations, exact equality
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    assert a.best_params_ == b.best_params_


def test_fastml_stratified_splitters_in_sklearn(classification):
    X, y = classification
    model = make_pipeline(StandardScaler(), LogisticRegression())
    for ours, theirs in [
        (
            StratifiedKFold(5, shuffle=True, random_state=0),
            skms.StratifiedKFold(5, shuffle=True, random_state=0),
        ),
        (
            RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=2),
            skms.RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=2),
        ),
    ]:
        np.testing.assert_array_equal(
            skms.cross_val_score(model, X, y, cv=ours),
            skms.cross_val_score(model, X, y, cv=theirs),
        )
    gs = skms.GridSearchCV(
        model, {"logisticregression__C": [0.1, 1.0]}, cv=StratifiedKFold(3)
    ).fit(X, y)
    assert gs.best_score_ > 0.8


def test_leave_one_out_in_sklearn(regression):
    X, y = regression[0][:15], regression[1][:15]
    np.testing.assert_array_equal(
        skms.cross_val_score(
            LinearRegression(), X, y, cv=LeaveOneOut(), scoring="neg_mean_squared_error"
        ),
        skms.cross_val_score(
            LinearRegression(),
            X,
            y,
            cv=skms.LeaveOneOut(),
            scoring="neg_mean_squared_error",
        ),
    )


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_sklearn_estimators_in_fastml_cross_val_score(
    regression, classification, n_jobs
):
    X, y = regression
    np.testing.assert_array_equal(
        cross_val_score(LinearRegression(), X, y, cv=5, n_jobs=n_jobs),
        skms.cross_val_score(LinearRegression(), X, y, cv=5),
    )
    Xc, yc = classification
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.5))
    # default cv for a classifier is stratified, as in scikit-learn
    np.testing.assert_array_equal(
        cross_val_score(model, Xc, yc, n_jobs=n_jobs),
        skms.cross_val_score(model, Xc, yc),
    )


def test_sklearn_scorer_objects_in_fastml(classification):
    X, y = classification
    model = make_pipeline(StandardScaler(), LogisticRegression())
    scoring = {
        "acc": sk_get_scorer("accuracy"),
        "ll": sk_get_scorer("neg_log_loss"),
        "f1": sk_get_scorer("f1_macro"),
    }
    ours = cross_validate(model, X, y, cv=StratifiedKFold(4), scoring=scoring)
    theirs = skms.cross_validate(
        model, X, y, cv=skms.StratifiedKFold(4), scoring=scoring
    )
    for name in scoring:
        np.testing.assert_array_equal(ours[f"test_{name}"], theirs[f"test_{name}"])


def test_sklearn_grid_search_nested_in_fastml(regression):
    X, y = regression
    inner = skms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=KFold(3))
    ours = cross_validate(
        inner, X, y, cv=KFold(3, shuffle=True, random_state=0), return_estimator=True
    )
    theirs = skms.cross_val_score(
        skms.GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=skms.KFold(3)),
        X,
        y,
        cv=skms.KFold(3, shuffle=True, random_state=0),
    )
    np.testing.assert_array_equal(ours["test_score"], theirs)
    assert all(hasattr(e, "best_params_") for e in ours["estimator"])


def test_fastml_estimator_in_sklearn_grid_search(regression):
    X, y = regression
    gs = skms.GridSearchCV(
        ShrunkMean(),
        {"shrink": [0.5, 1.0, 1.5]},
        cv=KFold(4, shuffle=True, random_state=0),
    ).fit(X, y)
    assert gs.best_params_ == {"shrink": 1.0}
    np.testing.assert_array_equal(
        gs.cv_results_["mean_test_score"][1],
        np.mean(
            cross_val_score(
                ShrunkMean(), X, y, cv=KFold(4, shuffle=True, random_state=0)
            )
        ),
    )
