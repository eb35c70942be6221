"""Random forests and extra trees: API, determinism, OOB, warm start, weights."""

from __future__ import annotations

import logging
import pickle

import numpy as np
import pytest

from fastml.datasets import make_classification
from fastml.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

CLASSIFIERS = [RandomForestClassifier, ExtraTreesClassifier]
REGRESSORS = [RandomForestRegressor, ExtraTreesRegressor]
ALL = CLASSIFIERS + REGRESSORS


def _clf_data(n=300, n_classes=3, seed=0):
    X, y = make_classification(
        n_samples=n,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        random_state=seed,
    )
    return X, y


def _reg_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = X[:, 0] * 2 + np.sin(X[:, 1]) + 0.1 * rng.normal(size=n)
    return X, y


def _data(cls):
    return _clf_data() if cls in CLASSIFIERS else _reg_data()


def _same_trees(a, b):
    assert len(a.estimators_) == len(b.estimators_)
    for ta, tb in zip(a.estimators_, b.estimators_):
        for name in ("children_left", "children_right", "feature", "threshold"):
            np.testing.assert_array_equal(
                getattr(ta.tree_, name), getattr(tb.tree_, name)
            )
        np.testing.assert_array_equal(ta.tree_.value, tb.tree_.value)


def _oob_kwargs(cls):
    return (
        {"bootstrap": True}
        if cls in (ExtraTreesClassifier, ExtraTreesRegressor)
        else {}
    )


# ---------------------------------------------------------------- defaults / API
def test_defaults_follow_scikit_learn():
    assert RandomForestClassifier().max_features == "sqrt"
    assert ExtraTreesClassifier().max_features == "sqrt"
    assert RandomForestRegressor().max_features == 1.0
    assert ExtraTreesRegressor().max_features == 1.0
    assert RandomForestClassifier().bootstrap is True
    assert ExtraTreesClassifier().bootstrap is False
    for cls in ALL:
        assert cls().n_estimators == 100


@pytest.mark.parametrize("cls", ALL)
def test_fit_attributes_and_predict_shapes(cls):
    X, y = _data(cls)
    est = cls(n_estimators=7, random_state=0).fit(X, y)
    assert len(est.estimators_) == 7
    assert est.n_features_in_ == X.shape[1]
    assert est.n_outputs_ == 1
    pred = est.predict(X)
    assert pred.shape == (X.shape[0],)
    imp = est.feature_importances_
    assert imp.shape == (X.shape[1],)
    np.testing.assert_allclose(imp.sum(), 1.0)
    per_tree = [t.feature_importances_ for t in est.estimators_]
    mean = np.mean(per_tree, axis=0)
    np.testing.assert_allclose(imp, mean / mean.sum(), rtol=1e-12)
    if cls in CLASSIFIERS:
        np.testing.assert_array_equal(est.classes_, np.unique(y))
        assert est.n_classes_ == 3
        proba = est.predict_proba(X)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
        # The mean of the trees' probabilities (the trees see class indices).
        mean_p = np.mean(
            [t.predict_proba(X.astype(np.float32)) for t in est.estimators_], axis=0
        )
        np.testing.assert_allclose(proba, mean_p, rtol=0, atol=1e-12)
        with np.errstate(divide="ignore"):
            np.testing.assert_array_equal(est.predict_log_proba(X), np.log(proba))
        np.testing.assert_array_equal(pred, est.classes_[np.argmax(proba, axis=1)])
        assert est.score(X, y) > 0.9
    else:
        mean_y = np.mean(
            [t.predict(X.astype(np.float32)) for t in est.estimators_], axis=0
        )
        np.testing.assert_allclose(pred, mean_y, rtol=0, atol=1e-12)
        assert est.score(X, y) > 0.8


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_predict_proba_paths_equal_the_mean_of_the_trees(n_classes):
    # Binary forests predict through the packed walk on the class-1 fraction (class
    # 0 as the complement), 3+ classes through the packed walk on leaf ids plus a
    # gather of the leaf fractions: both equal the mean of the trees' predict_proba.
    X, y = _clf_data(n=700, n_classes=n_classes)
    X32 = X.astype(np.float32)
    for n_jobs in (1, 2):
        est = RandomForestClassifier(n_estimators=9, random_state=0, n_jobs=n_jobs)
        proba = est.fit(X, y).predict_proba(X)
        mean_p = np.mean([t.predict_proba(X32) for t in est.estimators_], axis=0)
        np.testing.assert_allclose(proba, mean_p, rtol=0, atol=1e-12)
        if n_jobs == 1:
            first = proba
    np.testing.assert_array_equal(proba, first)


@pytest.mark.parametrize("cls", ALL)
def test_apply_and_decision_path(cls):
    X, y = _data(cls)
    est = cls(n_estimators=4, max_depth=4, random_state=0).fit(X, y)
    leaves = est.apply(X)
    assert leaves.shape == (X.shape[0], 4)
    for t, tree in enumerate(est.estimators_):
        np.testing.assert_array_equal(leaves[:, t], tree.apply(X.astype(np.float32)))
        assert np.all(tree.tree_.children_left[leaves[:, t]] == -1)
    indicator, ptr = est.decision_path(X)
    assert ptr[0] == 0 and ptr[-1] == indicator.shape[1]
    np.testing.assert_array_equal(
        np.diff(ptr), [t.tree_.node_count for t in est.estimators_]
    )
    dense = indicator.toarray()
    for t in range(4):
        block = dense[:, ptr[t] : ptr[t + 1]]
        assert np.all(block[:, 0] == 1)  # every path starts at the root
        assert np.all(block[np.arange(X.shape[0]), leaves[:, t]] == 1)


def test_string_labels_and_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = _clf_data(n_classes=2)
    labels = np.array(["no", "yes"])[y]
    df = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    est = RandomForestClassifier(n_estimators=5, random_state=0).fit(df, labels)
    np.testing.assert_array_equal(est.feature_names_in_, df.columns)
    assert set(est.predict(df)) <= {"no", "yes"}


# ------------------------------------------------------------- determinism
@pytest.mark.parametrize("cls", ALL)
def test_same_forest_for_any_n_jobs(cls):
    X, y = _data(cls)
    a = cls(n_estimators=6, random_state=3, n_jobs=1, **_oob_kwargs(cls))
    b = cls(n_estimators=6, random_state=3, n_jobs=2, **_oob_kwargs(cls))
    a.fit(X, y)
    b.fit(X, y)
    _same_trees(a, b)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    if cls in CLASSIFIERS:
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.parametrize("cls", ALL)
def test_warm_start_adds_trees_and_keeps_the_old_ones(cls):
    X, y = _data(cls)
    est = cls(n_estimators=3, random_state=1, warm_start=True)
    est.fit(X, y)
    first = list(est.estimators_)
    pred3 = est.predict(X)
    est.set_params(n_estimators=6).fit(X, y)
    assert len(est.estimators_) == 6
    assert all(a is b for a, b in zip(first, est.estimators_[:3]))
    # The prediction cache was rebuilt: 6 trees now.
    one_shot = cls(n_estimators=6, random_state=1).fit(X, y)
    _same_trees(est, one_shot)
    np.testing.assert_array_equal(est.predict(X), one_shot.predict(X))
    assert not np.array_equal(est.predict(X), pred3) or cls in CLASSIFIERS
    with pytest.warns(UserWarning, match="without increasing n_estimators"):
        est.fit(X, y)
    assert len(est.estimators_) == 6
    est.set_params(n_estimators=2)
    with pytest.raises(ValueError, match=r"n_estimators=2 must be larger or equal"):
        est.fit(X, y)


def test_warm_start_off_refits():
    X, y = _clf_data()
    est = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    first = est.estimators_[0]
    est.fit(X, y)
    assert est.estimators_[0] is not first and len(est.estimators_) == 3


@pytest.mark.parametrize("cls", ALL)
def test_pickle_round_trip(cls):
    X, y = _data(cls)
    est = cls(n_estimators=4, random_state=0).fit(X, y)
    before = est.predict(X)  # fills the prediction cache
    assert "_flat_cache" not in est.__getstate__()  # not stored: rebuilt on load
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict(X), before)
    if cls in CLASSIFIERS:
        np.testing.assert_array_equal(clone.predict_proba(X), est.predict_proba(X))


# ------------------------------------------------------------------ OOB
def _recompute_oob(est, X, regression):
    X32 = X.astype(np.float32)
    n = X.shape[0]
    width = 1 if regression else est.n_classes_
    sums = np.zeros((n, width))
    counts = np.zeros(n)
    for tree, idx in zip(est.estimators_, est.estimators_samples_):
        oob = np.ones(n, dtype=bool)
        oob[idx] = False
        pred = tree.predict(X32) if regression else tree.predict_proba(X32)
        sums[oob] += pred.reshape(n, -1)[oob]
        counts[oob] += 1
    with np.errstate(invalid="ignore"):
        return sums / counts[:, None]


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_oob_decision_function_equals_recomputation(cls):
    X, y = _clf_data()
    est = cls(n_estimators=15, random_state=0, oob_score=True, bootstrap=True)
    est.fit(X, y)
    ref = _recompute_oob(est, X, regression=False)
    np.testing.assert_allclose(est.oob_decision_function_, ref, rtol=0, atol=1e-12)
    ok = ~np.isnan(ref[:, 0])
    acc = np.mean(est.classes_[np.argmax(ref[ok], axis=1)] == y[ok])
    assert est.oob_score_ == pytest.approx(acc)
    assert 0.5 < est.oob_score_ <= 1.0  # 3 classes: chance is 1/3


@pytest.mark.parametrize("cls", REGRESSORS)
def test_oob_prediction_equals_recomputation(cls):
    X, y = _reg_data()
    est = cls(n_estimators=15, random_state=0, oob_score=True, bootstrap=True)
    est.fit(X, y)
    ref = _recompute_oob(est, X, regression=True)[:, 0]
    np.testing.assert_allclose(est.oob_prediction_, ref, rtol=0, atol=1e-12)
    ok = ~np.isnan(ref)
    resid = np.sum((y[ok] - ref[ok]) ** 2)
    r2 = 1 - resid / np.sum((y[ok] - y[ok].mean()) ** 2)
    assert est.oob_score_ == pytest.approx(r2)


def test_oob_rows_without_trees_warn_and_stay_nan():
    X, y = _clf_data(n=200)
    est = RandomForestClassifier(n_estimators=2, random_state=0, oob_score=True)
    with pytest.warns(UserWarning, match="Some inputs do not have OOB scores"):
        est.fit(X, y)
    missing = np.isnan(est.oob_decision_function_[:, 0])
    assert missing.any() and not missing.all()
    assert np.isfinite(est.oob_score_)


def test_callable_oob_score_and_warm_start_recomputes():
    X, y = _clf_data()

    def error_rate(y_true, y_pred):
        return float(np.mean(y_true != y_pred))

    est = RandomForestClassifier(
        n_estimators=25, random_state=0, oob_score=error_rate, warm_start=True
    ).fit(X, y)
    ok = ~np.isnan(est.oob_decision_function_[:, 0])
    pred = est.classes_[np.argmax(est.oob_decision_function_[ok], axis=1)]
    assert est.oob_score_ == pytest.approx(np.mean(pred != y[ok]))
    before = est.oob_decision_function_.copy()
    est.set_params(n_estimators=30).fit(X, y)
    ref = _recompute_oob(est, X, regression=False)
    np.testing.assert_allclose(est.oob_decision_function_, ref, rtol=0, atol=1e-12)
    assert not np.array_equal(before, est.oob_decision_function_)


def test_oob_requires_bootstrap():
    X, y = _clf_data()
    with pytest.raises(ValueError, match="Out of bag estimation only available"):
        ExtraTreesClassifier(n_estimators=3, oob_score=True).fit(X, y)


# ------------------------------------------------------- bootstrap details
def test_estimators_samples_and_max_samples():
    X, y = _clf_data()
    n = X.shape[0]
    est = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, y)
    samples = est.estimators_samples_
    assert [s.shape[0] for s in samples] == [n] * 3
    assert all(s.dtype == np.int32 for s in samples)
    # Recomputed identically on each access.
    for a, b in zip(samples, est.estimators_samples_):
        np.testing.assert_array_equal(a, b)
    # The draw counts are the trees' sample weights: the root's weight is n.
    for tree in est.estimators_:
        assert tree.tree_.weighted_n_node_samples[0] == pytest.approx(n)

    est = RandomForestClassifier(n_estimators=3, max_samples=50, random_state=0)
    est.fit(X, y)
    assert [s.shape[0] for s in est.estimators_samples_] == [50] * 3
    est = RandomForestClassifier(n_estimators=3, max_samples=0.5, random_state=0)
    est.fit(X, y)
    assert [s.shape[0] for s in est.estimators_samples_] == [n // 2] * 3
    for tree, idx in zip(est.estimators_, est.estimators_samples_):
        assert tree.tree_.weighted_n_node_samples[0] == pytest.approx(n // 2)
        assert tree.tree_.n_node_samples[0] == np.unique(idx).shape[0]
    with pytest.warns(UserWarning, match="low number"):
        RandomForestClassifier(n_estimators=2, max_samples=0.01).fit(X, y)

    et = ExtraTreesClassifier(n_estimators=2).fit(X, y)
    for s in et.estimators_samples_:
        np.testing.assert_array_equal(s, np.arange(n))
    with pytest.raises(ValueError, match="`max_sample` cannot be set"):
        ExtraTreesClassifier(n_estimators=2, max_samples=10).fit(X, y)


def test_sample_weight_draws_proportionally():
    X, y = _clf_data()
    w = np.ones(X.shape[0])
    w[:100] = 0.0
    est = RandomForestClassifier(n_estimators=4, random_state=0).fit(X, y, w)
    for idx in est.estimators_samples_:
        assert idx.min() >= 100
    # Without bootstrap the weights go to the trees.
    et = ExtraTreesClassifier(n_estimators=2, random_state=0).fit(X, y, w)
    for tree in et.estimators_:
        assert tree.tree_.n_node_samples[0] == X.shape[0] - 100


# ---------------------------------------------------------------- class weights
def test_class_weight_dict_equals_sample_weight():
    X, y = _clf_data(n_classes=2)
    cw = {0: 1.0, 1: 3.0}
    a = RandomForestClassifier(n_estimators=5, random_state=0, class_weight=cw)
    b = RandomForestClassifier(n_estimators=5, random_state=0)
    a.fit(X, y)
    b.fit(X, y, sample_weight=np.where(y == 1, 3.0, 1.0))
    _same_trees(a, b)


def test_class_weight_balanced():
    X, y = _clf_data(n_classes=3)
    keep = np.r_[np.flatnonzero(y == 0), np.flatnonzero(y != 0)[:60]]
    X, y = X[keep], y[keep]
    counts = np.bincount(y)
    balanced = (len(y) / (3 * counts))[y]
    for cls in CLASSIFIERS:
        a = cls(n_estimators=4, random_state=0, class_weight="balanced").fit(X, y)
        b = cls(n_estimators=4, random_state=0).fit(X, y, sample_weight=balanced)
        _same_trees(a, b)
    # balanced_subsample without bootstrap is "balanced".
    a = ExtraTreesClassifier(n_estimators=3, random_state=0)
    a.set_params(class_weight="balanced_subsample").fit(X, y)
    b = ExtraTreesClassifier(n_estimators=3, random_state=0, class_weight="balanced")
    _same_trees(a, b.fit(X, y))


def test_class_weight_balanced_subsample_per_tree():
    X, y = _clf_data(n_classes=3)
    est = RandomForestClassifier(
        n_estimators=3, random_state=0, class_weight="balanced_subsample"
    ).fit(X, y)
    for tree, idx in zip(est.estimators_, est.estimators_samples_):
        drawn = np.bincount(y[idx], minlength=3)
        # Each class carries the same total weight in the tree's root.
        root_weight = tree.tree_.weighted_n_node_samples[0]
        assert root_weight == pytest.approx(len(idx))
        fractions = tree.tree_.value[0, 0]
        fractions = fractions / fractions.sum()
        np.testing.assert_allclose(fractions, 1.0 / 3, rtol=1e-9)
        assert drawn.min() > 0


def test_class_weight_errors():
    X, y = _clf_data(n_classes=2)
    with pytest.raises(
        ValueError, match=r"The classes, \[1\], are not in class_weight"
    ):
        RandomForestClassifier(n_estimators=2, class_weight={0: 1.0, 5: 2.0}).fit(X, y)
    with pytest.warns(UserWarning, match="not recommended for warm_start"):
        RandomForestClassifier(
            n_estimators=2, class_weight="balanced", warm_start=True
        ).fit(X, y)


# ------------------------------------------------------------ parameters
@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"n_estimators": 0},
            "The 'n_estimators' parameter of RandomForestClassifier must be an int "
            "in the range [1, inf). Got 0 instead.",
        ),
        (
            {"criterion": "mse"},
            "The 'criterion' parameter of RandomForestClassifier must be a str among "
            "{'gini', 'entropy', 'log_loss'}. Got 'mse' instead.",
        ),
        (
            {"max_depth": 0},
            "The 'max_depth' parameter of RandomForestClassifier must be an int in "
            "the range [1, inf) or None. Got 0 instead.",
        ),
        (
            {"min_samples_split": 1},
            "The 'min_samples_split' parameter of RandomForestClassifier must be an "
            "int in the range [2, inf) or a float in the range (0.0, 1.0]. Got 1 "
            "instead.",
        ),
        (
            {"min_samples_leaf": 1.0},
            "The 'min_samples_leaf' parameter of RandomForestClassifier must be an "
            "int in the range [1, inf) or a float in the range (0.0, 1.0). Got 1.0 "
            "instead.",
        ),
        (
            {"max_features": "auto"},
            "The 'max_features' parameter of RandomForestClassifier must be an int in "
            "the range [1, inf), a float in the range (0.0, 1.0], a str among "
            "{'sqrt', 'log2'} or None. Got 'auto' instead.",
        ),
        (
            {"ccp_alpha": -1.0},
            "The 'ccp_alpha' parameter of RandomForestClassifier must be a float in "
            "the range [0.0, inf). Got -1.0 instead.",
        ),
        (
            {"bootstrap": 1},
            "The 'bootstrap' parameter of RandomForestClassifier must be an instance "
            "of 'bool' or an instance of 'numpy.bool'. Got 1 instead.",
        ),
        (
            {"oob_score": "yes"},
            "The 'oob_score' parameter of RandomForestClassifier must be an instance "
            "of 'bool' or an instance of 'numpy.bool' or a callable. Got 'yes' "
            "instead.",
        ),
        (
            {"max_samples": 0.0},
            "The 'max_samples' parameter of RandomForestClassifier must be None, a "
            "float in the range (0.0, inf) or an int in the range [1, inf). Got 0.0 "
            "instead.",
        ),
        (
            {"class_weight": "even"},
            "The 'class_weight' parameter of RandomForestClassifier must be a str "
            "among {'balanced', 'balanced_subsample'}, an instance of 'dict', an "
            "instance of 'list' or None. Got 'even' instead.",
        ),
        (
            {"max_leaf_nodes": 1},
            "The 'max_leaf_nodes' parameter of RandomForestClassifier must be an int "
            "in the range [2, inf) or None. Got 1 instead.",
        ),
        (
            {"min_weight_fraction_leaf": 0.6},
            "The 'min_weight_fraction_leaf' parameter of RandomForestClassifier must "
            "be a float in the range [0.0, 0.5]. Got 0.6 instead.",
        ),
        (
            {"n_jobs": 1.5},
            "The 'n_jobs' parameter of RandomForestClassifier must be an instance of "
            "'int' or None. Got 1.5 instead.",
        ),
    ],
)
def test_invalid_parameters(params, message):
    X, y = _clf_data()
    est = RandomForestClassifier(**{"n_estimators": 2, **params})
    with pytest.raises(ValueError) as info:
        est.fit(X, y)
    assert str(info.value) == message
    assert isinstance(info.value, TypeError)  # InvalidParameterError, like sklearn


def test_regressor_criterion_message_and_max_features_range():
    X, y = _reg_data()
    with pytest.raises(
        ValueError, match="'criterion' parameter of ExtraTreesRegressor"
    ):
        ExtraTreesRegressor(criterion="gini").fit(X, y)
    with pytest.raises(ValueError, match=r"max_features must be in \(0, n_features\]"):
        RandomForestRegressor(n_estimators=2, max_features=50).fit(X, y)


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize("cls", ALL)
def test_bad_input(cls):
    X, y = _data(cls)
    est = cls(n_estimators=3, random_state=0)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.fit(X[:, 0], y)
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    Xinf = X.copy()
    Xinf[3, 1] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        est.fit(Xinf, y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.fit(Xnan, y)
    with pytest.raises(ValueError, match="could not convert|dtype='numeric'"):
        est.fit(np.full(X.shape, "a", dtype=object), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(X, y[:-1])
    with pytest.raises(ValueError, match="Negative values in data passed"):
        est.fit(X, y, sample_weight=-np.ones(X.shape[0]))
    with pytest.raises(ValueError, match="at least one non-zero"):
        est.fit(X, y, sample_weight=np.zeros(X.shape[0]))
    with pytest.raises(ValueError, match="is not fitted yet"):
        est.predict(X)
    est.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(Xnan)


@pytest.mark.parametrize("cls", ALL)
def test_layouts_read_only_and_caller_arrays_unchanged(cls):
    X, y = _data(cls)
    w = np.linspace(0.5, 2.0, X.shape[0])
    X0, y0, w0 = X.copy(), y.copy(), w.copy()
    ref = cls(n_estimators=3, random_state=0).fit(X, y, w)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)
    Xf = np.asfortranarray(X)
    Xr, yr, wr = X.copy(), y.copy(), w.copy()
    for a in (Xr, yr, wr):
        a.setflags(write=False)
    for Xa, ya, wa in ((Xf, y, w), (Xr, yr, wr)):
        est = cls(n_estimators=3, random_state=0).fit(Xa, ya, wa)
        _same_trees(est, ref)
        np.testing.assert_array_equal(est.predict(Xa), ref.predict(X))


def test_one_row_single_class_identical_rows():
    X, y = _clf_data()
    est = RandomForestClassifier(n_estimators=3, random_state=0).fit(X[:1], y[:1])
    np.testing.assert_array_equal(est.predict(X[:4]), [y[0]] * 4)
    est = RandomForestClassifier(n_estimators=3, random_state=0)
    est.fit(X, np.zeros(X.shape[0]))
    np.testing.assert_array_equal(est.predict_proba(X[:3]), np.ones((3, 1)))
    Xs = np.ones((20, 3))
    ys = np.arange(20) % 2
    est = ExtraTreesClassifier(n_estimators=3, random_state=0).fit(Xs, ys)
    np.testing.assert_allclose(est.predict_proba(Xs[:2]), 0.5)
    assert np.all(est.feature_importances_ == 0)
    reg = RandomForestRegressor(n_estimators=3, random_state=0).fit(Xs, ys * 1.0)
    assert reg.predict(Xs[:1])[0] == pytest.approx(0.5, abs=0.2)


def test_multi_output_target_is_rejected():
    X, y = _clf_data()
    with pytest.raises(ValueError, match="y should be a 1d array"):
        RandomForestClassifier(n_estimators=2).fit(X, np.c_[y, y])


def test_verbose_logs_each_tree(caplog):
    X, y = _clf_data()
    with caplog.at_level(logging.INFO, logger="fastml.ensemble"):
        RandomForestClassifier(n_estimators=3, verbose=2).fit(X, y)
    assert sum("building tree" in r.message for r in caplog.records) == 3


def test_concurrent_fits_and_predictions_from_two_threads():
    # Two Python threads using forests at once (each on the shared pool) give the
    # same results as one at a time.
    import threading

    X, y = _clf_data()
    ref = RandomForestClassifier(n_estimators=6, random_state=0, n_jobs=2).fit(X, y)
    expected = ref.predict_proba(X)
    results = {}

    def job(k):
        est = RandomForestClassifier(n_estimators=6, random_state=0, n_jobs=2)
        results[k] = est.fit(X, y).predict_proba(X)

    threads = [threading.Thread(target=job, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(2):
        np.testing.assert_array_equal(results[k], expected)


@pytest.mark.parametrize(
    ("cls", "params"),
    [
        (RandomForestClassifier, {}),
        (RandomForestClassifier, {"criterion": "log_loss", "ccp_alpha": 0.01}),
        (RandomForestClassifier, {"min_samples_leaf": 0.02, "min_samples_split": 0.1}),
        (ExtraTreesClassifier, {"min_weight_fraction_leaf": 0.05, "max_depth": 4}),
        (RandomForestRegressor, {"max_leaf_nodes": 12, "max_features": 0.5}),
        (ExtraTreesRegressor, {"criterion": "absolute_error", "ccp_alpha": 0.05}),
        (RandomForestRegressor, {"min_impurity_decrease": 0.01, "max_samples": 100}),
    ],
)
def test_each_tree_is_its_estimator_refitted_on_its_draws(cls, params):
    # The forest grows its trees through fastml.tree's low-level entry; each tree
    # must be exactly what its own estimator (same parameters and random_state)
    # grows from the same rows and weights: the bootstrap counts (or the sample
    # weights without bootstrap). This pins the parameter resolution (fractions,
    # min_weight_fraction_leaf, pruning) and the per-tree seeds.
    from fastml.base import clone

    X, y = _data(cls)
    w = np.linspace(0.5, 1.5, X.shape[0])
    est = cls(n_estimators=3, random_state=0, **params).fit(X, y, sample_weight=w)
    y_tree = np.unique(y, return_inverse=True)[1] if cls in CLASSIFIERS else y
    for tree, idx in zip(est.estimators_, est.estimators_samples_):
        if est.bootstrap:
            weight = np.bincount(idx, minlength=X.shape[0]).astype(float)
        else:
            weight = w
        refit = clone(tree).fit(X, y_tree, sample_weight=weight)
        for name in ("children_left", "feature", "threshold", "n_node_samples"):
            np.testing.assert_array_equal(
                getattr(tree.tree_, name), getattr(refit.tree_, name)
            )
        np.testing.assert_allclose(tree.tree_.value, refit.tree_.value, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Some inputs do not have OOB scores")
@pytest.mark.parametrize("n_classes", [2, 4])
def test_tree_groups_and_row_chunks_do_not_change_predictions(monkeypatch, n_classes):
    # Prediction walks groups of trees over chunks of rows (cache locality); each
    # row still sums its trees in order, so the results are bit-identical.
    import fastml.ensemble._forest_base as base

    X, y = _clf_data(n=900, n_classes=n_classes)
    params = {"n_estimators": 7, "random_state": 0, "oob_score": True}
    ref = RandomForestClassifier(**params).fit(X, y)
    monkeypatch.setattr(base, "_GROUP_NODES", 10)
    monkeypatch.setattr(base, "_CHUNK_ROWS", 128)
    est = RandomForestClassifier(**params).fit(X, y)
    assert len(est._predict_cache().tree_groups) == 7
    np.testing.assert_array_equal(est.predict_proba(X), ref.predict_proba(X))
    np.testing.assert_array_equal(
        est.oob_decision_function_, ref.oob_decision_function_
    )
    reg = RandomForestRegressor(n_estimators=5, random_state=0).fit(X, y * 1.5)
    monkeypatch.setattr(base, "_GROUP_NODES", 10**9)
    reg_ref = RandomForestRegressor(n_estimators=5, random_state=0).fit(X, y * 1.5)
    np.testing.assert_array_equal(reg.predict(X), reg_ref.predict(X))
