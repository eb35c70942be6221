"""Bagging* against scikit-learn's: random by nature (each library draws its own
rows), so compared statistically.

Test: over 10 seeds, the mean test accuracy (classifier, breast_cancer and a 3-class
random problem) or test R^2 (regressor, diabetes and random data) of fastml's bagged
trees is within a fixed margin of scikit-learn's, and so is the out-of-bag score.
Margins: 0.03 accuracy / 0.05 R^2. Measured standard errors of each library's
10-seed mean on these splits: 0.004-0.009 accuracy, 0.003-0.012 R^2, so the margins
are about 3 combined standard errors; measured differences were 0.003-0.013
accuracy and 0.003-0.007 R^2. A wrong aggregation (averaging labels, members all
seeing the same rows) costs more than the margin. The seeds are fixed, so the
outcome is deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest

sk_ensemble = pytest.importorskip("sklearn.ensemble")
sk_datasets = pytest.importorskip("sklearn.datasets")

from fastml.ensemble import BaggingClassifier, BaggingRegressor  # noqa: E402


def _split(X, y, seed=0, frac=0.7):
    perm = np.random.RandomState(seed).permutation(len(y))
    cut = int(frac * len(y))
    return X[perm[:cut]], y[perm[:cut]], X[perm[cut:]], y[perm[cut:]]


def _classification(kind):
    if kind == "breast_cancer":
        return sk_datasets.load_breast_cancer(return_X_y=True)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 6))
    s = X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=400)
    return X, np.digitize(s, [-0.5, 0.5])


def _regression(kind):
    if kind == "diabetes":
        return sk_datasets.load_diabetes(return_X_y=True)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 5))
    return X, X[:, 0] + np.sin(2 * X[:, 1]) + 0.2 * rng.normal(size=400)


def _scores(fast_cls, sk_cls, X, y, **params):
    Xtr, ytr, Xte, yte = _split(X, y)
    out = {"fastml": [], "sklearn": [], "oob_fastml": [], "oob_sklearn": []}
    for seed in range(10):
        kw = dict(n_estimators=10, oob_score=True, random_state=seed, **params)
        a = fast_cls(**kw).fit(Xtr, ytr)
        b = sk_cls(**kw).fit(Xtr, ytr)
        out["fastml"].append(a.score(Xte, yte))
        out["sklearn"].append(b.score(Xte, yte))
        out["oob_fastml"].append(a.oob_score_)
        out["oob_sklearn"].append(b.oob_score_)
    return {k: float(np.mean(v)) for k, v in out.items()}


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
@pytest.mark.parametrize("kind", ["breast_cancer", "random3"])
@pytest.mark.parametrize("max_features", [1.0, 0.5])
def test_classifier_statistically_equivalent(kind, max_features):
    X, y = _classification(kind)
    s = _scores(
        BaggingClassifier,
        sk_ensemble.BaggingClassifier,
        X,
        y,
        max_features=max_features,
    )
    assert abs(s["fastml"] - s["sklearn"]) < 0.03, s
    assert abs(s["oob_fastml"] - s["oob_sklearn"]) < 0.03, s


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide")
@pytest.mark.parametrize("kind", ["diabetes", "random"])
def test_regressor_statistically_equivalent(kind):
    X, y = _regression(kind)
    s = _scores(BaggingRegressor, sk_ensemble.BaggingRegressor, X, y)
    assert abs(s["fastml"] - s["sklearn"]) < 0.05, s
    assert abs(s["oob_fastml"] - s["oob_sklearn"]) < 0.05, s


def test_same_member_seeds():
    # The members' seeds come from the same random stream as scikit-learn's: the
    # trees of both ensembles carry the same random_state values.
    X, y = _classification("random3")
    a = BaggingClassifier(n_estimators=5, random_state=7).fit(X, y)
    b = sk_ensemble.BaggingClassifier(n_estimators=5, random_state=7).fit(X, y)
    assert [m.random_state for m in a.estimators_] == [
        m.random_state for m in b.estimators_
    ]
