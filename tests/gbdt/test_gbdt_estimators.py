"""GBDTRegressor / GBDTClassifier: API behaviour, options, determinism, bad input."""

import logging
import pickle

import numpy as np
import pytest

from fastml.gbdt import GBDTClassifier, GBDTRegressor
from fastml.losses import PseudoHuber, SquaredError


def _data(n=600, n_features=5, seed=0, nan=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y_reg = X[:, 0] * 2 + np.sin(3 * X[:, 1]) + 0.1 * rng.normal(size=n)
    y_bin = (X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=n) > 0).astype(int)
    y_multi = np.digitize(X[:, 0] + 0.5 * X[:, 2], [-0.5, 0.5])
    if nan:
        X[rng.random(X.shape) < nan] = np.nan
    return X, y_reg, y_bin, y_multi


def _same_trees(a, b):
    assert a.trees_.keys() == b.trees_.keys()
    for key in a.trees_:
        np.testing.assert_array_equal(a.trees_[key], b.trees_[key], err_msg=key)


# --------------------------------------------------------------------------- basics


def test_regressor_fits_and_predicts():
    X, y, _, _ = _data()
    model = GBDTRegressor(n_estimators=60, max_depth=4).fit(X, y)
    pred = model.predict(X)
    assert pred.shape == (600,) and pred.dtype == np.float64
    assert model.score(X, y) > 0.95
    assert model.n_features_in_ == 5 and model.n_rounds_ == 60
    assert model.trees_["tree_ptr"].shape == (61,)
    assert model.base_margin_ == pytest.approx([y.mean()])


@pytest.mark.parametrize(
    "labels",
    [
        np.array([0, 1]),
        np.array(["no", "yes"]),
        np.array([False, True]),
        np.array([-3.0, 7.0]),
    ],
)
def test_binary_classifier_labels(labels):
    X, _, y, _ = _data()
    yl = labels[y]
    clf = GBDTClassifier(n_estimators=30).fit(X, yl)
    assert list(clf.classes_) == list(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (600, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    pred = clf.predict(X)
    assert pred.dtype == clf.classes_.dtype
    np.testing.assert_array_equal(pred, labels[(proba[:, 1] > 0.5).astype(int)])
    assert clf.score(X, yl) > 0.9


def test_multiclass_classifier():
    X, _, _, y = _data()
    clf = GBDTClassifier(n_estimators=30).fit(X, y)
    assert clf.n_classes_ == 3 and clf.n_groups_ == 3
    assert clf.trees_["tree_ptr"].shape == (3 * 30 + 1,)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.score(X, y) > 0.9
    margins = clf.predict(X, output_margin=True)
    assert margins.shape == (600, 3)
    # Initial margins: centred log class frequencies (XGBoost 3).
    logp = np.log(np.bincount(y) / len(y))
    np.testing.assert_allclose(clf.base_margin_, logp - logp.mean())


def test_two_class_softmax_objective_is_logistic():
    X, _, y, _ = _data()
    a = GBDTClassifier(n_estimators=10, objective="multi:softprob").fit(X, y)
    b = GBDTClassifier(n_estimators=10).fit(X, y)
    _same_trees(a, b)


# --------------------------------------------------------------------------- threads, determinism


@pytest.mark.parametrize(
    "grow_policy,max_leaves", [("depthwise", 0), ("lossguide", 24)]
)
@pytest.mark.parametrize("tree_method", ["hist", "exact"])
def test_models_do_not_depend_on_n_jobs(grow_policy, max_leaves, tree_method):
    if tree_method == "exact" and grow_policy == "lossguide":
        pytest.skip("exact trees are depthwise")
    X, _, y, _ = _data(n=30_000, n_features=8, nan=0.05)
    kw = dict(
        n_estimators=8,
        grow_policy=grow_policy,
        max_leaves=max_leaves,
        subsample=0.8,
        colsample_bytree=0.75,
        random_state=3,
        tree_method=tree_method,
    )
    a = GBDTClassifier(n_jobs=1, **kw).fit(X, y)
    b = GBDTClassifier(n_jobs=2, **kw).fit(X, y)
    _same_trees(a, b)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.parametrize(
    "n_features, grow_policy, colsample",
    [(160, "lossguide", 1.0), (160, "lossguide", 0.9), (600, "depthwise", 1.0)],
)
def test_wide_data_feature_parallel_histograms_match_serial(
    n_features, grow_policy, colsample
):
    # >= 128 active features with 2 threads: histograms are built by feature blocks
    # (kernels/hist/_build.pxi); 600 features also exceed the row-scan grower's
    # histogram budget, so depthwise trees take the same index-based path.
    X, _, y, _ = _data(n=3000, n_features=n_features, nan=0.02)
    y = (X[:, :20].sum(axis=1) + X[:, -1] > 0).astype(int)
    kw = dict(
        n_estimators=4,
        grow_policy=grow_policy,
        max_leaves=16,
        colsample_bytree=colsample,
        random_state=0,
    )
    a = GBDTClassifier(n_jobs=1, **kw).fit(X, y)
    b = GBDTClassifier(n_jobs=2, **kw).fit(X, y)
    _same_trees(a, b)
    assert a.trees_["feature"].max() >= 0  # real splits were made


def test_random_state_controls_sampling():
    X, y, _, _ = _data()
    kw = dict(n_estimators=10, subsample=0.5, colsample_bytree=0.6)
    a = GBDTRegressor(random_state=1, **kw).fit(X, y)
    b = GBDTRegressor(random_state=1, **kw).fit(X, y)
    c = GBDTRegressor(random_state=2, **kw).fit(X, y)
    _same_trees(a, b)
    assert not np.array_equal(a.predict(X), c.predict(X))
    # Default (None): seed 0, deterministic like XGBoost.
    d = GBDTRegressor(**kw).fit(X, y)
    e = GBDTRegressor(random_state=0, **kw).fit(X, y)
    _same_trees(d, e)


def test_colsample_uses_feature_subsets():
    X, y, _, _ = _data(n_features=8)
    model = GBDTRegressor(n_estimators=20, colsample_bytree=0.25, random_state=0).fit(
        X, y
    )
    t = model.trees_
    for i in range(20):
        feats = t["feature"][t["tree_ptr"][i] : t["tree_ptr"][i + 1]]
        assert len(set(feats[feats >= 0])) <= 2


# --------------------------------------------------------------------------- weights


def test_zero_weights_equal_dropping_rows():
    X, y, _, _ = _data(n=400)
    w = np.ones(400)
    w[::3] = 0
    a = GBDTRegressor(n_estimators=15).fit(X, y, sample_weight=w)
    b = GBDTRegressor(n_estimators=15).fit(X[w > 0], y[w > 0])
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-6, atol=1e-9)


def test_integer_weights_equal_repeated_rows():
    X, _, y, _ = _data(n=300)
    w = np.random.default_rng(0).integers(1, 4, size=300)
    a = GBDTClassifier(n_estimators=15).fit(X, y, sample_weight=w)
    b = GBDTClassifier(n_estimators=15).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-5)


def test_weights_change_the_model():
    X, y, _, _ = _data()
    w = np.where(X[:, 0] > 0, 10.0, 0.1)
    a = GBDTRegressor(n_estimators=10).fit(X, y)
    b = GBDTRegressor(n_estimators=10).fit(X, y, sample_weight=w)
    assert not np.allclose(a.predict(X), b.predict(X))


# --------------------------------------------------------------------------- objectives


def test_objective_variants_regression():
    X, y, _, _ = _data()
    base = GBDTRegressor(n_estimators=10).fit(X, y)
    same = GBDTRegressor(n_estimators=10, objective=SquaredError()).fit(X, y)
    _same_trees(base, same)
    ph = GBDTRegressor(n_estimators=30, objective="reg:pseudohubererror").fit(X, y)
    ph2 = GBDTRegressor(n_estimators=30, objective=PseudoHuber(delta=1.0)).fit(X, y)
    _same_trees(ph, ph2)
    assert ph.score(X, y) > 0.5
    counts = np.random.default_rng(0).poisson(np.exp(0.5 * X[:, 0]))
    pois = GBDTRegressor(n_estimators=30, objective="count:poisson").fit(X, counts)
    assert (pois.predict(X) > 0).all()
    assert pois.max_delta_step_ == 0.7  # XGBoost's default for Poisson
    np.testing.assert_allclose(
        np.log(pois.predict(X)), pois.predict(X, output_margin=True)
    )


def test_callable_objective_matches_builtin():
    X, y, _, _ = _data()

    def squared(y_true, y_pred):
        return y_pred - y_true, np.ones_like(y_pred)

    a = GBDTRegressor(n_estimators=10, objective=squared, base_score=0.5).fit(X, y)
    b = GBDTRegressor(n_estimators=10, base_score=0.5).fit(X, y)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-9)

    def logistic(y_true, y_pred):
        p = 1 / (1 + np.exp(-y_pred))
        return p - y_true, p * (1 - p)

    _, _, yb, _ = _data()
    c = GBDTClassifier(n_estimators=10, objective=logistic).fit(X, yb)
    d = GBDTClassifier(n_estimators=10, base_score=0.5).fit(X, yb)
    np.testing.assert_allclose(c.predict_proba(X), d.predict_proba(X), rtol=1e-5)


def test_callable_objective_bad_output():
    X, y, _, _ = _data(n=50)
    with pytest.raises(ValueError, match="tuple"):
        GBDTRegressor(n_estimators=2, objective=lambda t, p: p).fit(X, y)
    with pytest.raises(ValueError, match="shape"):
        GBDTRegressor(
            n_estimators=2, objective=lambda t, p: (np.ones(3), np.ones(3))
        ).fit(X, y)


@pytest.mark.parametrize("objective", ["reg:squarederror", "binary:hinge", 3])
def test_unknown_classifier_objective(objective):
    X, _, y, _ = _data(n=50)
    with pytest.raises(ValueError, match="objective"):
        GBDTClassifier(n_estimators=2, objective=objective).fit(X, y)


# --------------------------------------------------------------------------- eval sets


def test_early_stopping_and_evals_result():
    X, _, y, _ = _data(n=3000, seed=1)
    y = np.where(np.random.default_rng(1).random(3000) < 0.2, 1 - y, y)  # noise
    clf = GBDTClassifier(
        n_estimators=300,
        learning_rate=0.3,
        early_stopping_rounds=10,
        eval_metric=["error", "logloss"],
    )
    clf.fit(X[:2000], y[:2000], eval_set=[(X[:2000], y[:2000]), (X[2000:], y[2000:])])
    res = clf.evals_result_
    assert set(res) == {"validation_0", "validation_1"}
    assert set(res["validation_1"]) == {"error", "logloss"}
    losses = res["validation_1"]["logloss"]
    assert len(losses) == clf.n_rounds_ < 300
    assert clf.best_iteration_ == int(np.argmin(losses))
    assert clf.n_rounds_ - 1 - clf.best_iteration_ == 10
    assert clf.best_score_ == pytest.approx(min(losses))
    # predict uses the best round; iteration_range selects others.
    best = clf.predict_proba(X, iteration_range=(0, clf.best_iteration_ + 1))
    np.testing.assert_array_equal(clf.predict_proba(X), best)
    assert not np.array_equal(
        clf.predict_proba(X, iteration_range=(0, clf.n_rounds_)), best
    )
    # The metric values are those of the staged predictions.
    staged = list(clf.staged_predict_proba(X[2000:]))
    assert len(staged) == clf.best_iteration_ + 1
    p = np.clip(staged[-1][:, 1], 1e-15, 1 - 1e-15)
    yv = y[2000:]
    ll = -np.mean(yv * np.log(p) + (1 - yv) * np.log(1 - p))
    assert ll == pytest.approx(losses[clf.best_iteration_], rel=1e-9)


def test_eval_metric_auc_is_maximised_and_callable_metric():
    X, _, y, _ = _data(n=1500)

    def neg_acc(y_true, y_pred):
        return -np.mean((y_pred > 0.5) == y_true)

    clf = GBDTClassifier(n_estimators=20, eval_metric=["auc", neg_acc])
    clf.fit(X[:1000], y[:1000], eval_set=[(X[1000:], y[1000:])])
    res = clf.evals_result_["validation_0"]
    assert set(res) == {"auc", "neg_acc"}
    assert clf.best_iteration_ == int(np.argmin(res["neg_acc"]))
    auc = GBDTClassifier(n_estimators=20, eval_metric="auc").fit(
        X[:1000], y[:1000], eval_set=[(X[1000:], y[1000:])]
    )
    assert auc.best_iteration_ == int(
        np.argmax(auc.evals_result_["validation_0"]["auc"])
    )


def test_eval_set_errors():
    X, y, yb, _ = _data(n=100)
    with pytest.raises(
        ValueError, match="X has 4 features, but GBDTRegressor is expecting 5"
    ):
        GBDTRegressor(n_estimators=2).fit(X, y, eval_set=[(X[:, :4], y)])
    with pytest.raises(ValueError, match="validation dataset"):
        GBDTRegressor(n_estimators=2, early_stopping_rounds=3).fit(X, y)
    with pytest.raises(ValueError, match="not seen in fit"):
        GBDTClassifier(n_estimators=2).fit(X, yb, eval_set=[(X, yb + 5)])
    with pytest.raises(ValueError, match="eval_metric"):
        GBDTRegressor(n_estimators=2, eval_metric="nope").fit(X, y, eval_set=[(X, y)])


def test_staged_predict_matches_predict():
    X, y, _, ym = _data()
    reg = GBDTRegressor(n_estimators=12).fit(X, y)
    stages = list(reg.staged_predict(X))
    assert len(stages) == 12
    np.testing.assert_array_equal(stages[-1], reg.predict(X))
    np.testing.assert_array_equal(stages[4], reg.predict(X, iteration_range=(0, 5)))
    clf = GBDTClassifier(n_estimators=7).fit(X, ym)
    probas = list(clf.staged_predict_proba(X))
    labels = list(clf.staged_predict(X))
    np.testing.assert_array_equal(probas[-1], clf.predict_proba(X))
    np.testing.assert_array_equal(labels[-1], clf.predict(X))


def test_verbose_logs_each_round(caplog):
    X, y, _, _ = _data(n=200)
    with caplog.at_level(logging.INFO, logger="fastml.gbdt"):
        GBDTRegressor(n_estimators=4, verbose=True).fit(X, y, eval_set=[(X, y)])
    lines = [r.getMessage() for r in caplog.records if r.name == "fastml.gbdt"]
    assert len(lines) == 4 and "validation_0-rmse" in lines[0]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="fastml.gbdt"):
        GBDTRegressor(n_estimators=4).fit(X, y, eval_set=[(X, y)])
    assert not [r for r in caplog.records if r.name == "fastml.gbdt"]


# --------------------------------------------------------------------------- trees


def test_tree_shape_limits():
    X, y, _, _ = _data(n=2000)
    deep = GBDTRegressor(n_estimators=3, max_depth=3).fit(X, y)
    assert (np.diff(deep.trees_["tree_ptr"]) <= 15).all()
    leafy = GBDTRegressor(
        n_estimators=3, grow_policy="lossguide", max_depth=0, max_leaves=9
    ).fit(X, y)
    t = leafy.trees_
    for i in range(3):
        f = t["feature"][t["tree_ptr"][i] : t["tree_ptr"][i + 1]]
        assert (f < 0).sum() == 9
    stumps = GBDTRegressor(n_estimators=3, gamma=1e12).fit(X, y)
    assert (np.diff(stumps.trees_["tree_ptr"]) == 1).all()


def test_missing_values_follow_learned_direction():
    rng = np.random.default_rng(0)
    x = rng.normal(size=2000)
    y = (x > 0).astype(float)
    x[y == 1][:] = x[y == 1]
    X = x[:, None].copy()
    X[(y == 1) & (rng.random(2000) < 0.3), 0] = np.nan  # NaN means "positive"
    model = GBDTRegressor(n_estimators=20, max_depth=2).fit(X, y)
    assert model.predict(np.array([[np.nan]]))[0] > 0.9
    assert model.predict(np.array([[-1.0]]))[0] < 0.1


def test_constant_and_all_nan_columns():
    X, y, _, _ = _data(n=300)
    X[:, 1] = 3.0
    X[:, 2] = np.nan
    model = GBDTRegressor(n_estimators=10).fit(X, y)
    assert not np.isin(model.trees_["feature"], [1, 2]).any()
    assert np.isfinite(model.predict(X)).all()


def test_feature_importances():
    X, y, _, _ = _data(n_features=6)
    model = GBDTRegressor(n_estimators=20, max_depth=3).fit(X, y)
    feats = model.trees_["feature"]
    for kind in ("gain", "weight", "cover", "total_gain", "total_cover"):
        model.set_params(importance_type=kind)
        imp = model.feature_importances_
        assert (
            imp.shape == (6,) and imp.sum() == pytest.approx(1.0) and (imp >= 0).all()
        )
    model.set_params(importance_type="weight")
    counts = np.bincount(feats[feats >= 0], minlength=6)
    np.testing.assert_allclose(model.feature_importances_, counts / counts.sum())
    model.set_params(importance_type="total_gain")
    assert np.argmax(model.feature_importances_) == 0  # y = 2 x0 + sin(3 x1)


def test_apply_gives_leaves():
    X, y, _, _ = _data()
    model = GBDTRegressor(n_estimators=5).fit(X, y)
    leaves = model.apply(X)
    t = model.trees_
    assert leaves.shape == (600, 5)
    vals = t["value"][t["tree_ptr"][:-1][None, :] + leaves].sum(axis=1)
    np.testing.assert_allclose(vals + model.base_margin_[0], model.predict(X))


@pytest.mark.parametrize("tree_method", ["exact", "auto"])
def test_exact_and_auto_tree_methods(tree_method):
    X, y, _, _ = _data(n=500, nan=0.1)
    model = GBDTRegressor(n_estimators=20, tree_method=tree_method).fit(X, y)
    assert model.tree_method_ == "exact"
    assert model.score(X, y) > 0.9
    big = GBDTRegressor(n_estimators=2, tree_method="auto").fit(*_data(n=20_000)[:2])
    assert big.tree_method_ == "hist"


def test_single_row_fast_path_equals_batch():
    X, y, yb, _ = _data()
    reg = GBDTRegressor(n_estimators=20).fit(X, y)
    batch = reg.predict(X[:10])
    for i in range(10):
        assert reg.predict(X[i : i + 1])[0] == batch[i]
    clf = GBDTClassifier(n_estimators=20).fit(X, yb)
    np.testing.assert_array_equal(clf.predict_proba(X[:1]), clf.predict_proba(X)[:1])
    with pytest.raises(ValueError, match="infinity"):
        reg.predict(np.array([[np.inf, 0, 0, 0, 0]]))


def test_pickle_round_trip():
    X, _, _, y = _data()
    clf = GBDTClassifier(n_estimators=5).fit(X, y)
    clone = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(clone.predict_proba(X), clf.predict_proba(X))


# --------------------------------------------------------------------------- input handling


def test_float32_fortran_readonly_and_caller_arrays_unchanged():
    X, y, _, _ = _data(nan=0.05)
    X32 = X.astype(np.float32)
    ref = GBDTRegressor(n_estimators=10).fit(X32, y)
    Xf = np.asfortranarray(X32)
    Xr = X32.copy()
    Xr.flags.writeable = False
    before = X32.copy()
    for other in (Xf, Xr):
        model = GBDTRegressor(n_estimators=10).fit(other, y)
        _same_trees(ref, model)
        np.testing.assert_array_equal(model.predict(other), ref.predict(X32))
    np.testing.assert_array_equal(X32, before)


def test_dataframe_feature_names():
    pd = pytest.importorskip("pandas")
    X, y, _, _ = _data()
    df = pd.DataFrame(X, columns=list("abcde"))
    model = GBDTRegressor(n_estimators=5).fit(df, y)
    assert list(model.feature_names_in_) == list("abcde")
    with pytest.warns(UserWarning, match="feature names"):
        plain = model.predict(X)
    np.testing.assert_array_equal(model.predict(df), plain)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"max_bin": 1}, "max_bin"),
        ({"max_bin": 70000}, "max_bin"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"n_estimators": 0}, "n_estimators"),
        ({"subsample": 1.5}, "subsample"),
        ({"grow_policy": "leafwise"}, "grow_policy"),
        ({"tree_method": "approx"}, "tree_method"),
        ({"max_depth": 0}, "max_depth"),
        ({"importance_type": "split"}, "importance_type"),
        ({"reg_lambda": -1.0}, "reg_lambda"),
    ],
)
def test_invalid_parameters(kwargs, match):
    X, y, _, _ = _data(n=50)
    with pytest.raises((ValueError, TypeError), match=match):
        GBDTRegressor(n_estimators=kwargs.pop("n_estimators", 2), **kwargs).fit(X, y)


def test_bad_input_errors():
    X, y, yb, _ = _data(n=100)
    y_nan = y.copy()
    y_nan[3] = np.nan
    with pytest.raises(ValueError, match="Input y contains NaN"):
        GBDTRegressor(n_estimators=2).fit(X, y_nan)
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        GBDTRegressor(n_estimators=2).fit(X_inf, y)
    with pytest.raises(ValueError, match="infinity"):
        GBDTRegressor(n_estimators=2).fit(X, y).predict(X_inf)
    with pytest.raises(ValueError, match="1 class"):
        GBDTClassifier(n_estimators=2).fit(X, np.zeros(100))
    with pytest.raises(ValueError, match="0 sample"):
        GBDTRegressor(n_estimators=2).fit(X[:0], y[:0])
    with pytest.raises(
        ValueError, match="Negative values in data passed to sample_weight"
    ):
        GBDTRegressor(n_estimators=2).fit(X, y, sample_weight=-np.ones(100))
    with pytest.raises(ValueError, match="at least one non-zero"):
        GBDTRegressor(n_estimators=2).fit(X, y, sample_weight=np.zeros(100))
    with pytest.raises(ValueError, match="Unknown label type"):
        GBDTClassifier(n_estimators=2).fit(X, y)
    with pytest.raises(ValueError, match="2D array"):
        GBDTRegressor(n_estimators=2).fit(X[:, 0], y)
    with pytest.raises(ValueError, match="could not convert string"):
        GBDTRegressor(n_estimators=2).fit(np.full((100, 2), "a"), y)
    with pytest.raises(ValueError, match="negative"):
        GBDTRegressor(n_estimators=2, objective="count:poisson").fit(X, y - 100)
    model = GBDTRegressor(n_estimators=2).fit(X, y)
    with pytest.raises(ValueError, match="expecting 5 features"):
        model.predict(X[:, :3])


def test_one_row_and_not_fitted():
    from fastml.exceptions import NotFittedError

    X, y, _, _ = _data(n=1)
    model = GBDTRegressor(n_estimators=3).fit(X, y)
    assert model.predict(X) == pytest.approx(y)
    with pytest.raises(NotFittedError):
        GBDTRegressor().predict(X)
    with pytest.raises(NotFittedError):
        GBDTClassifier().feature_importances_


def test_two_byte_bins_match_one_byte_bins_on_coarse_data():
    # Values with few distinct levels: max_bin 300 (uint16 bins) and 255 (uint8)
    # bin them identically, so the models must be identical.
    rng = np.random.default_rng(0)
    X = rng.integers(0, 40, size=(3000, 4)).astype(float)
    X[rng.random(X.shape) < 0.05] = np.nan
    y = (
        np.nan_to_num(X[:, 0])
        - 2 * np.nan_to_num(X[:, 1], nan=5)
        + rng.normal(size=3000)
    )
    a = GBDTRegressor(
        n_estimators=10,
        max_bin=255,
        colsample_bytree=0.75,
        grow_policy="lossguide",
        max_leaves=12,
    ).fit(X, y)
    b = GBDTRegressor(
        n_estimators=10,
        max_bin=300,
        colsample_bytree=0.75,
        grow_policy="lossguide",
        max_leaves=12,
    ).fit(X, y)
    _same_trees(a, b)


def test_row_scan_and_row_index_growers_give_the_same_model(monkeypatch):
    # Depthwise trees grow by row scans unless their per-level histograms are too
    # large; the row-index grower must then produce the very same model.
    import fastml.gbdt._training as gbdt_module

    X, _, y, _ = _data(n=40_000, n_features=6, nan=0.05)
    kw = dict(
        n_estimators=6,
        max_depth=5,
        subsample=0.7,
        colsample_bytree=0.8,
        random_state=1,
        n_jobs=2,
    )
    scan = GBDTClassifier(**kw).fit(X, y)
    monkeypatch.setattr(gbdt_module, "_SCAN_MAX_BYTES", 0)
    index = GBDTClassifier(**kw).fit(X, y)
    _same_trees(scan, index)


def test_concurrent_fits_from_python_threads():
    # The compiled growers release the GIL and keep their scratch per call: two
    # fits at once give the models of two fits one after the other.
    from concurrent.futures import ThreadPoolExecutor

    X, y, yb, _ = _data(n=20_000)
    kw = dict(n_estimators=8, n_jobs=2)
    expected = [GBDTRegressor(**kw).fit(X, y), GBDTClassifier(**kw).fit(X, yb)]
    with ThreadPoolExecutor(2) as pool:
        got = list(
            pool.map(
                lambda m: m.fit(X, y if isinstance(m, GBDTRegressor) else yb),
                [GBDTRegressor(**kw), GBDTClassifier(**kw)],
            )
        )
    for a, b in zip(expected, got):
        _same_trees(a, b)
    np.testing.assert_array_equal(got[0].predict(X), expected[0].predict(X))
