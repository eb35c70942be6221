"""Random forests and extra trees vs scikit-learn's.

Parameter mapping: identical names and defaults (n_estimators, criterion, max_depth,
..., bootstrap, oob_score, max_samples, class_weight). The per-tree seeds and the
bootstrap draws are made exactly as scikit-learn makes them, so the in-bag rows of
every tree are the same for the same ``random_state``; the trees themselves use
fastml's random feature draws, so forests with random feature subsets are compared
statistically, and forests without randomness in the trees exactly.

The statistical comparison (test accuracy / R^2 and OOB score over 10 seeds): for
seed s = 0..9 both libraries fit on the same train/test split with
``random_state=s``; d_s = fastml_s - sklearn_s is a paired difference (same split,
same bootstrap rows), so the split-to-split variance cancels. The forests count as
statistically indistinguishable when |mean(d)| <= 3 * se(d) + margin, where se is the
standard error of the mean difference (3 se: a two-sided paired test at about the
1.5 % level with 9 degrees of freedom) and the margin is a small equivalence margin
(0.01 accuracy, 0.02 R^2: below one test row in a hundred, and well under the
seed-to-seed spread of either library) that keeps the test from failing on a
practically irrelevant but very consistent difference.
"""

from __future__ import annotations

import numpy as np
import pytest

sk_ensemble = pytest.importorskip("sklearn.ensemble")
sk_datasets = pytest.importorskip("sklearn.datasets")
sk_model_selection = pytest.importorskip("sklearn.model_selection")

from fastml.ensemble import (  # noqa: E402
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

N_SEEDS = 10
N_TREES = 25

PAIRS = {
    "RandomForestClassifier": (
        RandomForestClassifier,
        sk_ensemble.RandomForestClassifier,
    ),
    "ExtraTreesClassifier": (ExtraTreesClassifier, sk_ensemble.ExtraTreesClassifier),
    "RandomForestRegressor": (RandomForestRegressor, sk_ensemble.RandomForestRegressor),
    "ExtraTreesRegressor": (ExtraTreesRegressor, sk_ensemble.ExtraTreesRegressor),
}


def _dataset(name):
    if name == "breast_cancer":
        return sk_datasets.load_breast_cancer(return_X_y=True)
    if name == "diabetes":
        return sk_datasets.load_diabetes(return_X_y=True)
    if name == "classification":
        return sk_datasets.make_classification(
            n_samples=600, n_features=12, n_informative=6, n_classes=3, random_state=0
        )
    return sk_datasets.make_friedman1(n_samples=500, noise=1.0, random_state=0)


CASES = [
    ("RandomForestClassifier", "breast_cancer"),
    ("RandomForestClassifier", "classification"),
    ("ExtraTreesClassifier", "breast_cancer"),
    ("ExtraTreesClassifier", "classification"),
    ("RandomForestRegressor", "diabetes"),
    ("RandomForestRegressor", "friedman1"),
    ("ExtraTreesRegressor", "diabetes"),
    ("ExtraTreesRegressor", "friedman1"),
]


def _assert_indistinguishable(ours, theirs, margin, what):
    d = np.asarray(ours) - np.asarray(theirs)
    se = d.std(ddof=1) / np.sqrt(len(d))
    assert abs(d.mean()) <= 3 * se + margin, (
        f"{what}: mean difference {d.mean():.4f} (se {se:.4f}); fastml "
        f"{np.mean(ours):.4f}, scikit-learn {np.mean(theirs):.4f}"
    )


@pytest.mark.parametrize(("name", "dataset"), CASES)
def test_scores_statistically_indistinguishable(name, dataset):
    ours_cls, ref_cls = PAIRS[name]
    X, y = _dataset(dataset)
    classifier = name.endswith("Classifier")
    margin = 0.01 if classifier else 0.02
    test_ours, test_ref, oob_ours, oob_ref = [], [], [], []
    for seed in range(N_SEEDS):
        X_tr, X_te, y_tr, y_te = sk_model_selection.train_test_split(
            X, y, test_size=0.3, random_state=seed
        )
        # ExtraTrees: bootstrap on so the OOB score exists (default is off).
        params = {"n_estimators": N_TREES, "random_state": seed, "oob_score": True}
        if name.startswith("ExtraTrees"):
            params["bootstrap"] = True
        ours = ours_cls(**params).fit(X_tr, y_tr)
        ref = ref_cls(**params).fit(X_tr, y_tr)
        test_ours.append(ours.score(X_te, y_te))
        test_ref.append(ref.score(X_te, y_te))
        oob_ours.append(ours.oob_score_)
        oob_ref.append(ref.oob_score_)
    _assert_indistinguishable(test_ours, test_ref, margin, f"{name} test score")
    _assert_indistinguishable(oob_ours, oob_ref, margin, f"{name} OOB score")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"max_samples": 0.5},
        {"max_samples": 700},
        {"class_weight": "balanced"},
        {"class_weight": {0: 1.0, 1: 2.5}},
        {"sample_weight": True},
        {"sample_weight": True, "max_samples": 0.5},
        {"sample_weight": True, "class_weight": "balanced_subsample"},
    ],
)
def test_same_bootstrap_rows_as_scikit_learn(params):
    X, y = sk_datasets.load_breast_cancer(return_X_y=True)
    params = dict(params)
    w = None
    if params.pop("sample_weight", False):
        w = np.random.default_rng(0).random(len(y)) * 2
    ours = RandomForestClassifier(n_estimators=5, random_state=7, max_depth=2, **params)
    ref = sk_ensemble.RandomForestClassifier(
        n_estimators=5, random_state=7, max_depth=2, **params
    )
    ours.fit(X, y, sample_weight=w)
    ref.fit(X, y, sample_weight=w)
    for a, b in zip(ours.estimators_samples_, ref.estimators_samples_):
        np.testing.assert_array_equal(a, b)


def test_warm_start_seeds_follow_scikit_learn():
    X, y = sk_datasets.load_breast_cancer(return_X_y=True)
    ours = RandomForestClassifier(n_estimators=3, random_state=0, warm_start=True)
    ours.fit(X, y).set_params(n_estimators=6).fit(X, y)
    ref = sk_ensemble.RandomForestClassifier(n_estimators=6, random_state=0).fit(X, y)
    for a, b in zip(ours.estimators_samples_, ref.estimators_samples_):
        np.testing.assert_array_equal(a, b)


def test_bagged_exact_trees_equal_scikit_learn():
    # max_features=None leaves no randomness inside the trees but the order in which
    # features are visited, which only matters for ties in the split improvement.
    # Ties are unavoidable in tiny nodes (two rows: every feature that separates
    # them gives the same split), so leaves keep at least 10 distinct rows, on
    # continuous data (no repeated values), where two features inducing the same
    # best partition of a node is improbable. With the same bootstrap rows a deterministic CART builder then
    # grows scikit-learn's trees: the same structure, and predictions and OOB
    # estimates equal up to summation rounding (1e-9 relative: 25 leaf means
    # added in the same order, the bound leaving room for a different float
    # association inside the leaf means).
    X, y = sk_datasets.make_friedman1(n_samples=400, noise=1.0, random_state=0)
    params = {"n_estimators": 25, "random_state": 0, "max_features": None}
    params["min_samples_leaf"] = 10
    ours = RandomForestRegressor(oob_score=True, **params).fit(X, y)
    ref = sk_ensemble.RandomForestRegressor(oob_score=True, **params).fit(X, y)
    for a, b in zip(ours.estimators_, ref.estimators_):
        np.testing.assert_array_equal(a.tree_.feature, b.tree_.feature)
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9)
    np.testing.assert_allclose(ours.oob_prediction_, ref.oob_prediction_, rtol=1e-9)
    assert ours.oob_score_ == pytest.approx(ref.oob_score_, rel=1e-9)
    np.testing.assert_allclose(
        ours.feature_importances_, ref.feature_importances_, rtol=1e-9, atol=1e-12
    )


def test_class_weight_helpers_match_scikit_learn():
    from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

    from fastml.ensemble._forest_params import (
        class_weight_vector,
        subsample_class_weights,
    )

    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 200)
    y[:3] = 3
    w = rng.random(200)
    classes = np.arange(4)
    for sw in (None, w):
        np.testing.assert_allclose(
            class_weight_vector("balanced", classes, y, sw),
            compute_class_weight("balanced", classes=classes, y=y, sample_weight=sw),
            rtol=1e-14,
        )
    cw = {0: 2.0, 1: 0.5, 2: 1.0, 3: 3.0}
    np.testing.assert_array_equal(
        class_weight_vector(cw, classes, y, None),
        compute_class_weight(cw, classes=classes, y=y),
    )
    # "balanced_subsample": class weights from the draws; a class missing from them
    # (class 3 here) weighs 0.
    idx = rng.integers(0, 200, 200)
    idx = idx[y[idx] != 3]
    np.testing.assert_allclose(
        subsample_class_weights(y, idx, 4),
        compute_sample_weight("balanced", y, indices=idx),
        rtol=1e-14,
    )
