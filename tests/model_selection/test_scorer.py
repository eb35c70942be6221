"""Scoring strings: which estimator method feeds which fastml.metrics function, signs.

The metric functions are replaced by recording stand-ins (monkeypatched into
fastml.metrics), so these tests check the scorer plumbing on its own; the values of
the real metrics are compared with scikit-learn in tests/reference.
"""

import subprocess
import sys
import tempfile

import numpy as np
import pytest

import fastml.metrics
from fastml.base import BaseEstimator, ClassifierMixin
from fastml.model_selection import cross_validate, get_scorer, get_scorer_names


class Recorder:
    """Stand-in metric: records its arguments and returns a fixed value."""

    def __init__(self, value=0.25):
        self.value = value
        self.calls = []

    def __call__(self, y_true, y_pred, **kwargs):
        self.calls.append((np.asarray(y_true), np.asarray(y_pred), kwargs))
        return self.value


@pytest.fixture
def metric(monkeypatch):
    def install(name, value=0.25):
        recorder = Recorder(value)
        monkeypatch.setattr(fastml.metrics, name, recorder, raising=False)
        return recorder

    return install


class ScoredClassifier(ClassifierMixin, BaseEstimator):
    """Fixed outputs: predict -> label, predict_proba -> p, decision -> d."""

    def __init__(self, n_classes=2, with_decision=True):
        self.n_classes = n_classes
        self.with_decision = with_decision

    def fit(self, X, y):
        self.classes_ = np.arange(self.n_classes) * 10
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[-1])

    def predict_proba(self, X):
        p = np.arange(1.0, self.n_classes + 1.0)
        return np.tile(p / p.sum(), (len(X), 1))

    def __getattr__(self, name):
        if name == "decision_function" and self.__dict__.get("with_decision", True):
            return lambda X: np.full(len(X), -3.0)
        raise AttributeError(name)


X = np.zeros((4, 1))
y = np.array([0, 10, 0, 10])


def test_predict_based_scorers(metric):
    rec = metric("accuracy_score", 0.75)
    est = ScoredClassifier().fit(X, y)
    assert get_scorer("accuracy")(est, X, y) == 0.75
    y_true, y_pred, kwargs = rec.calls[0]
    assert y_true.tolist() == y.tolist() and y_pred.tolist() == [10] * 4
    assert kwargs == {}
    get_scorer("accuracy")(est, X, y, sample_weight=np.ones(4))
    assert "sample_weight" in rec.calls[1][2]


@pytest.mark.parametrize("average", ["macro", "micro", "weighted", "samples"])
@pytest.mark.parametrize("name", ["f1", "precision", "recall", "jaccard"])
def test_averaged_classification_scorers(metric, name, average):
    rec = metric(f"{name}_score" if name != "jaccard" else "jaccard_score")
    est = ScoredClassifier().fit(X, y)
    get_scorer(f"{name}_{average}")(est, X, y)
    assert rec.calls[0][2] == {"average": average}
    get_scorer(name)(est, X, y)
    assert rec.calls[1][2] == {}  # binary default of the metric


@pytest.mark.parametrize(
    "name, metric_name",
    [
        ("neg_mean_squared_error", "mean_squared_error"),
        ("neg_mean_absolute_error", "mean_absolute_error"),
        ("neg_root_mean_squared_error", "root_mean_squared_error"),
        ("neg_median_absolute_error", "median_absolute_error"),
        ("neg_max_error", "max_error"),
        ("neg_log_loss", "log_loss"),
        ("neg_brier_score", "brier_score_loss"),
    ],
)
def test_losses_are_negated(metric, name, metric_name):
    metric(metric_name, 0.25)
    est = ScoredClassifier().fit(X, y)
    assert get_scorer(name)(est, X, y) == -0.25


def test_threshold_scorers_prefer_decision_function(metric):
    rec = metric("roc_auc_score")
    est = ScoredClassifier().fit(X, y)
    get_scorer("roc_auc")(est, X, y)
    assert rec.calls[-1][1].tolist() == [-3.0] * 4
    est = ScoredClassifier(with_decision=False).fit(X, y)
    get_scorer("roc_auc")(est, X, y)
    # binary: the probability of classes_[1] only
    assert rec.calls[-1][1].tolist() == pytest.approx([2 / 3] * 4)
    rec = metric("average_precision_score")
    get_scorer("average_precision")(est, X, y)
    assert rec.calls[-1][1].shape == (4,)


def test_proba_scorers_binary_and_multiclass(metric):
    rec = metric("log_loss")
    est = ScoredClassifier().fit(X, y)
    get_scorer("neg_log_loss")(est, X, y)
    assert rec.calls[-1][1].shape == (4,)  # binary: positive-class column
    est3 = ScoredClassifier(n_classes=3).fit(X, y)
    get_scorer("neg_log_loss")(est3, X, y)
    assert rec.calls[-1][1].shape == (4, 3)  # multiclass: full matrix
    rec = metric("roc_auc_score")
    get_scorer("roc_auc_ovr_weighted")(est3, X, y)
    assert rec.calls[-1][1].shape == (4, 3)
    assert rec.calls[-1][2] == {"multi_class": "ovr", "average": "weighted"}
    get_scorer("roc_auc_ovo")(est3, X, y)
    assert rec.calls[-1][2] == {"multi_class": "ovo"}


def test_missing_response_method(metric):
    metric("log_loss")

    class OnlyPredict(BaseEstimator):
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    with pytest.raises(AttributeError, match="predict_proba"):
        get_scorer("neg_log_loss")(OnlyPredict().fit(X, y), X, y)


def test_metrics_are_imported_lazily():
    code = (
        "import sys, fastml.model_selection as m; "
        "m.get_scorer('accuracy'); "
        "assert 'fastml.metrics' not in sys.modules, 'imported eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tempfile.gettempdir())


def test_every_listed_scorer_has_its_metric():
    # A listed name must work when called: its metric exists in fastml.metrics.
    for name in get_scorer_names():
        metric_name = get_scorer(name).metric_name
        assert callable(getattr(fastml.metrics, metric_name, None)), (name, metric_name)


def test_missing_metric_fails_at_call(monkeypatch):
    monkeypatch.delattr(fastml.metrics, "matthews_corrcoef", raising=False)
    est = ScoredClassifier().fit(X, y)
    with pytest.raises(NotImplementedError, match="'matthews_corrcoef'"):
        get_scorer("matthews_corrcoef")(est, X, y)


def test_string_scoring_in_cross_validate(metric):
    metric("accuracy_score", 0.5)
    metric("log_loss", 2.0)
    res = cross_validate(
        ScoredClassifier(),
        np.zeros((8, 1)),
        np.array([0, 10] * 4),
        cv=2,
        scoring=["accuracy", "neg_log_loss"],
        return_train_score=True,
    )
    assert res["test_accuracy"].tolist() == [0.5, 0.5]
    assert res["train_neg_log_loss"].tolist() == [-2.0, -2.0]


def test_scorer_names_and_lookup():
    names = get_scorer_names()
    assert names == sorted(names)
    for required in (
        "accuracy",
        "balanced_accuracy",
        "r2",
        "neg_mean_squared_error",
        "neg_mean_absolute_error",
        "roc_auc",
        "f1",
        "precision",
        "recall",
        "neg_log_loss",
        "average_precision",
    ):
        assert required in names
    assert "make_scorer(log_loss, greater_is_better=False" in repr(
        get_scorer("neg_log_loss")
    )

    def fn(est, X, y):
        return 1.0

    assert get_scorer(fn) is fn
    assert callable(get_scorer(None))
    with pytest.raises(ValueError, match="'nope' is not a valid scoring value"):
        get_scorer("nope")
    with pytest.raises(ValueError, match="must be a str, a callable or None"):
        get_scorer(3)
