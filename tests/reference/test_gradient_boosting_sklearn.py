"""GradientBoosting* against scikit-learn's: the same models under deterministic
settings (subsample=1 unless stated, max_features=None).

Tie handling. scikit-learn visits the features of every split in a random order and
keeps the first best candidate, fastml's trees in a fixed order, so the two differ
wherever two candidate splits have exactly the same improvement. With unit weights
that happens often in boosting: the first round's gradient takes two values (one per
class), and absolute/quantile gradients take two values in every round, so different
cuts isolating the same counts tie. The tests therefore (a) pass random continuous
sample weights (``_weights``), under which distinct partitions have distinct
improvements, and (b) compare predictions on the training rows, where two cuts that
make the same partition of the rows give the same predictions. On breast_cancer,
iris and diabetes the unweighted log-loss / squared-error models also match and are
checked as well. Absolute-error and quantile models are compared with stumps
(max_depth=1): in deeper trees scikit-learn splits nodes whose two-valued targets
are all equal (their impurity computed as E[y^2] - E[y]^2 rounds to ~1e-16, above
its DBL_EPSILON threshold) on an arbitrary feature, which fastml (impurity exactly 0)
does not.

Tolerance: 1e-8 absolute on probabilities / predictions (the two implementations do
the same arithmetic up to the order of a few float64 sums; measured differences are
~1e-15, 1e-8 leaves room for other BLAS/libm builds).
"""

from __future__ import annotations

import numpy as np
import pytest

sk_ensemble = pytest.importorskip("sklearn.ensemble")
sk_datasets = pytest.importorskip("sklearn.datasets")

from fastml.ensemble import (  # noqa: E402
    GradientBoostingClassifier,
    GradientBoostingRegressor,
)

ATOL = 1e-8


def _weights(n, seed=1):
    return np.random.RandomState(seed).uniform(0.5, 1.5, n)


def _random_data(seed=0, n=300):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 6))
    y = X[:, 0] + np.sin(3 * X[:, 1]) + 0.3 * rng.normal(size=n)
    return X, y


def _datasets(kind):
    if kind == "breast_cancer":
        return sk_datasets.load_breast_cancer(return_X_y=True)
    if kind == "iris":
        return sk_datasets.load_iris(return_X_y=True)
    if kind == "diabetes":
        return sk_datasets.load_diabetes(return_X_y=True)
    X, y = _random_data()
    if kind == "random_binary":
        return X, (y > 0).astype(int)
    if kind == "random_3class":
        return X, np.digitize(y, [-0.5, 0.5])
    return X, y


def _pair(fast_cls, sk_cls, X, y, sample_weight=None, **params):
    params.setdefault("random_state", 0)
    a = fast_cls(**params).fit(X, y, sample_weight=sample_weight)
    b = sk_cls(**params).fit(X, y, sample_weight=sample_weight)
    return a, b


@pytest.mark.parametrize(
    "kind", ["breast_cancer", "iris", "random_binary", "random_3class"]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_classifier_log_loss(kind, weighted):
    X, y = _datasets(kind)
    if not weighted and kind == "random_3class":
        pytest.skip("unweighted first-round ties (see module docstring)")
    w = _weights(len(y)) if weighted else None
    a, b = _pair(
        GradientBoostingClassifier,
        sk_ensemble.GradientBoostingClassifier,
        X,
        y,
        w,
        n_estimators=30,
    )
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=ATOL)
    np.testing.assert_allclose(
        a.decision_function(X), b.decision_function(X), atol=ATOL
    )
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_allclose(a.train_score_, b.train_score_, rtol=1e-10)
    for fa, fb in zip(a.staged_predict_proba(X[:50]), b.staged_predict_proba(X[:50])):
        np.testing.assert_allclose(fa, fb, atol=ATOL)


@pytest.mark.parametrize("kind", ["breast_cancer", "random_binary"])
def test_classifier_exponential(kind):
    X, y = _datasets(kind)
    a, b = _pair(
        GradientBoostingClassifier,
        sk_ensemble.GradientBoostingClassifier,
        X,
        y,
        _weights(len(y)),
        n_estimators=30,
        loss="exponential",
    )
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=ATOL)
    np.testing.assert_allclose(a.train_score_, b.train_score_, rtol=1e-10)


@pytest.mark.parametrize("kind", ["diabetes", "random"])
@pytest.mark.parametrize(
    "loss, depth",
    [
        ("squared_error", 3),
        ("huber", 3),
        ("absolute_error", 1),
        ("quantile", 1),
    ],
)
def test_regressor_losses(kind, loss, depth):
    X, y = _datasets(kind)
    a, b = _pair(
        GradientBoostingRegressor,
        sk_ensemble.GradientBoostingRegressor,
        X,
        y,
        _weights(len(y)),
        n_estimators=30,
        loss=loss,
        max_depth=depth,
        alpha=0.7,
    )
    scale = max(1.0, float(np.abs(y).max()))
    np.testing.assert_allclose(a.predict(X), b.predict(X), atol=ATOL * scale)
    np.testing.assert_allclose(a.train_score_, b.train_score_, rtol=1e-9)
    np.testing.assert_allclose(a.init_.predict(X[:1]), b.init_.predict(X[:1]))


def test_regressor_unweighted_diabetes():
    X, y = _datasets("diabetes")
    a, b = _pair(
        GradientBoostingRegressor,
        sk_ensemble.GradientBoostingRegressor,
        X,
        y,
        n_estimators=50,
        learning_rate=0.2,
    )
    np.testing.assert_allclose(a.predict(X), b.predict(X), atol=ATOL * 400)


def test_feature_importances():
    # Feature importances (and predictions on new rows) also need the same
    # *features*, not only the same partitions: two features can cut the same rows
    # apart, mostly in small nodes (isolating one or two rows). min_samples_leaf=5
    # removes those.
    X, y = _datasets("random")
    a, b = _pair(
        GradientBoostingRegressor,
        sk_ensemble.GradientBoostingRegressor,
        X,
        y,
        _weights(len(y)),
        n_estimators=20,
        min_samples_leaf=5,
    )
    np.testing.assert_allclose(
        a.feature_importances_, b.feature_importances_, atol=1e-10
    )


def test_early_stopping_same_rounds():
    # Same validation split (train_test_split with the same seed), same losses;
    # the validation rows are new rows to the trees (min_samples_leaf=5, see
    # test_feature_importances; random data: breast_cancer has features that are
    # monotone functions of each other, radius / perimeter / area, which always
    # tie).
    X, y = _datasets("random_binary")
    a, b = _pair(
        GradientBoostingClassifier,
        sk_ensemble.GradientBoostingClassifier,
        X,
        y,
        _weights(len(y)),
        n_estimators=200,
        n_iter_no_change=3,
        min_samples_leaf=5,
    )
    assert a.n_estimators_ == b.n_estimators_ < 200
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=ATOL)


def test_subsample_same_masks_and_scores():
    # The subsample masks come from the same random stream as scikit-learn's. Trees
    # grown on them may still break ties differently on rows left out of the
    # subsample (rows of weight 0 do not take part in the split choice, but the
    # split position decides where they go), so rounds are compared while the
    # in-bag training losses agree: the first rounds, before any such tie.
    X, y = _datasets("breast_cancer")
    a, b = _pair(
        GradientBoostingClassifier,
        sk_ensemble.GradientBoostingClassifier,
        X,
        y,
        _weights(len(y)),
        n_estimators=2,
        subsample=0.7,
    )
    np.testing.assert_allclose(a.train_score_, b.train_score_, rtol=1e-10)
    np.testing.assert_allclose(a.oob_scores_, b.oob_scores_, rtol=1e-10)
    np.testing.assert_allclose(a.oob_improvement_, b.oob_improvement_, rtol=1e-8)


def test_subsample_statistically_equivalent():
    # Stochastic boosting: test accuracy over 5 seeds within 0.02 of scikit-learn's
    # mean (both ~0.95 on this split; the seed-to-seed spread is ~0.01).
    X, y = _datasets("breast_cancer")
    rng = np.random.RandomState(0)
    perm = rng.permutation(len(y))
    tr, te = perm[:400], perm[400:]
    acc = {"fastml": [], "sklearn": []}
    for seed in range(5):
        a, b = _pair(
            GradientBoostingClassifier,
            sk_ensemble.GradientBoostingClassifier,
            X[tr],
            y[tr],
            n_estimators=40,
            subsample=0.5,
            random_state=seed,
        )
        acc["fastml"].append(a.score(X[te], y[te]))
        acc["sklearn"].append(b.score(X[te], y[te]))
    assert abs(np.mean(acc["fastml"]) - np.mean(acc["sklearn"])) < 0.02


def test_apply_and_init_zero():
    X, y = _datasets("random_3class")
    w = _weights(len(y))
    a, b = _pair(
        GradientBoostingClassifier,
        sk_ensemble.GradientBoostingClassifier,
        X,
        y,
        w,
        n_estimators=5,
        init="zero",
    )
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=ATOL)
    # Small nodes can be cut by two features into the same rows (a tie, see the
    # module docstring), and scikit-learn may split nodes whose targets are all
    # equal, which shifts node numbers; so apply is compared as a partition of the
    # training rows: leaf ids correspond one to one.
    la, lb = a.apply(X), b.apply(X)
    assert la.shape == lb.shape == (len(y), 5, 3)
    for i in range(5):
        for k in range(3):
            pairs = set(zip(la[:, i, k], lb[:, i, k]))
            assert len(pairs) == len(set(la[:, i, k])) == len(set(lb[:, i, k]))
