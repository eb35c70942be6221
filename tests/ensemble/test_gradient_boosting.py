"""GradientBoostingClassifier / GradientBoostingRegressor: API, edge cases, errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

from fastml.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from fastml.exceptions import InvalidParameterError, NotFittedError


def _clf_data(seed=0, n=200, k=2):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    score = X[:, 0] + np.sin(2 * X[:, 1]) + 0.3 * rng.normal(size=n)
    y = np.digitize(score, np.quantile(score, np.linspace(0, 1, k + 1)[1:-1]))
    return X, y


def _reg_data(seed=0, n=200):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 5))
    y = X[:, 0] + np.sin(2 * X[:, 1]) + 0.3 * rng.normal(size=n)
    return X, y


CLF_LOSSES = ["log_loss", "exponential"]
REG_LOSSES = ["squared_error", "absolute_error", "huber", "quantile"]


@pytest.mark.parametrize("loss", CLF_LOSSES)
def test_classifier_learns_and_shapes(loss):
    X, y = _clf_data()
    clf = GradientBoostingClassifier(loss=loss, n_estimators=30, random_state=0)
    assert clf.fit(X, y) is clf
    assert clf.score(X, y) > 0.9
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.decision_function(X).shape == (200,)
    assert clf.estimators_.shape == (30, 1)
    assert clf.train_score_.shape == (30,)
    assert clf.n_estimators_ == 30
    assert clf.apply(X).shape == (200, 30, 1)
    np.testing.assert_allclose(clf.feature_importances_.sum(), 1.0)
    assert np.argmax(clf.feature_importances_) in (0, 1)
    # predict follows the decision function's sign
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[(clf.decision_function(X) >= 0).astype(int)]
    )


def test_multiclass_string_labels():
    X, y = _clf_data(k=3)
    labels = np.array(["a", "b", "c"])[y]
    clf = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X, labels)
    assert clf.n_trees_per_iteration_ == 3
    assert clf.estimators_.shape == (20, 3)
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    raw = clf.decision_function(X)
    assert raw.shape == (200, 3)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba, np.exp(raw) / np.exp(raw).sum(1, keepdims=True))
    assert clf.score(X, labels) > 0.8


def test_train_score_decreases_and_staged_agree():
    X, y = _clf_data(k=3)
    clf = GradientBoostingClassifier(n_estimators=15, random_state=0).fit(X, y)
    assert np.all(np.diff(clf.train_score_) < 0)
    staged = list(clf.staged_decision_function(X))
    assert len(staged) == 15
    np.testing.assert_array_equal(staged[-1], clf.decision_function(X))
    np.testing.assert_array_equal(list(clf.staged_predict(X))[-1], clf.predict(X))
    np.testing.assert_array_equal(
        list(clf.staged_predict_proba(X))[-1], clf.predict_proba(X)
    )
    # staged arrays are copies, not one array mutated in place
    assert not np.array_equal(staged[0], staged[-1])


@pytest.mark.parametrize("loss", REG_LOSSES)
def test_regressor_losses(loss):
    X, y = _reg_data()
    # alpha=0.5: the quantile loss then estimates the median (R^2 is meaningful)
    reg = GradientBoostingRegressor(
        loss=loss, alpha=0.5, n_estimators=40, random_state=0
    )
    reg.fit(X, y)
    assert reg.score(X, y) > 0.8
    np.testing.assert_array_equal(list(reg.staged_predict(X))[-1], reg.predict(X))
    assert reg.apply(X).shape == (200, 40)


def test_quantile_loss_covers_alpha():
    X, y = _reg_data(n=400)
    reg = GradientBoostingRegressor(
        loss="quantile", alpha=0.8, n_estimators=60, random_state=0
    ).fit(X, y)
    coverage = np.mean(y <= reg.predict(X))
    assert 0.7 < coverage < 0.9


def test_init_constants():
    X, y = _reg_data()
    w = np.random.RandomState(3).uniform(0.5, 2, 200)
    reg = GradientBoostingRegressor(n_estimators=1, learning_rate=0.0).fit(X, y)
    np.testing.assert_allclose(reg.predict(X), y.mean())
    reg.set_params(loss="absolute_error").fit(X, y)
    np.testing.assert_allclose(reg.predict(X), np.median(y))
    reg.set_params(loss="quantile", alpha=0.25).fit(X, y)
    np.testing.assert_allclose(reg.predict(X), np.percentile(y, 25))
    reg.set_params(loss="squared_error").fit(X, y, sample_weight=w)
    np.testing.assert_allclose(reg.predict(X), np.average(y, weights=w))
    Xc, yc = _clf_data()
    clf = GradientBoostingClassifier(n_estimators=1, learning_rate=0.0).fit(Xc, yc)
    np.testing.assert_allclose(clf.predict_proba(Xc)[:, 1], yc.mean())


def test_init_zero_and_estimator():
    X, y = _reg_data()
    reg = GradientBoostingRegressor(init="zero", n_estimators=1, learning_rate=0.0)
    np.testing.assert_array_equal(reg.fit(X, y).predict(X), 0.0)
    from fastml.neighbors import KNeighborsRegressor

    knn = KNeighborsRegressor(n_neighbors=5)
    reg = GradientBoostingRegressor(init=knn, n_estimators=5, random_state=0)
    reg.fit(X, y)
    base = KNeighborsRegressor(n_neighbors=5).fit(X, y).predict(X)
    assert np.mean((reg.predict(X) - y) ** 2) < np.mean((base - y) ** 2)
    # An init estimator without sample_weight support, given sample weights.
    with pytest.raises(ValueError, match="does not support sample weights"):
        reg.fit(X, y, sample_weight=np.ones(200))


def test_subsample_oob_attributes():
    X, y = _clf_data()
    clf = GradientBoostingClassifier(
        n_estimators=20, subsample=0.6, random_state=0
    ).fit(X, y)
    for name in ("oob_improvement_", "oob_scores_"):
        assert getattr(clf, name).shape == (20,)
    assert clf.oob_score_ == clf.oob_scores_[-1]
    np.testing.assert_allclose(
        clf.oob_improvement_[1:], clf.oob_scores_[:-1] - clf.oob_scores_[1:]
    )
    assert not hasattr(GradientBoostingClassifier().fit(X, y), "oob_scores_")


def test_early_stopping():
    X, y = _clf_data(n=400)
    clf = GradientBoostingClassifier(
        n_estimators=500, n_iter_no_change=3, learning_rate=0.5, random_state=0
    ).fit(X, y)
    assert clf.n_estimators_ < 500
    assert clf.estimators_.shape[0] == clf.n_estimators_
    assert clf.train_score_.shape == (clf.n_estimators_,)
    # tol so large that no round improves enough: stops after n_iter_no_change+1
    clf.set_params(tol=1e6).fit(X, y)
    assert clf.n_estimators_ == 4


def test_early_stopping_missing_class():
    X = np.zeros((12, 2))
    X[:, 0] = np.arange(12)
    y = np.array([0] * 11 + [1])
    clf = GradientBoostingClassifier(n_iter_no_change=2, validation_fraction=0.5)
    with pytest.raises(ValueError):
        clf.fit(X, y)


def test_warm_start_equals_full_fit():
    X, y = _clf_data(k=3)
    full = GradientBoostingClassifier(n_estimators=12, random_state=0).fit(X, y)
    warm = GradientBoostingClassifier(n_estimators=5, random_state=0, warm_start=True)
    warm.fit(X, y)
    warm.set_params(n_estimators=12).fit(X, y)
    np.testing.assert_allclose(warm.decision_function(X), full.decision_function(X))
    np.testing.assert_allclose(warm.train_score_, full.train_score_)
    with pytest.raises(ValueError, match="must be larger or equal"):
        warm.set_params(n_estimators=3).fit(X, y)


def test_warm_start_with_subsample_matches_full_fit():
    X, y = _reg_data()
    kw = dict(subsample=0.7, random_state=0)
    full = GradientBoostingRegressor(n_estimators=10, **kw).fit(X, y)
    warm = GradientBoostingRegressor(n_estimators=4, warm_start=True, **kw).fit(X, y)
    warm.set_params(n_estimators=10).fit(X, y)
    np.testing.assert_allclose(warm.predict(X), full.predict(X))


def test_n_jobs_identical_and_pickle():
    X, y = _clf_data(k=3)
    a = GradientBoostingClassifier(n_estimators=40, random_state=0, n_jobs=1).fit(X, y)
    b = GradientBoostingClassifier(n_estimators=40, random_state=0, n_jobs=2).fit(X, y)
    # 30,000 rows x 120 trees: split over the threads (> 4096 rows and > 1e6
    # row-tree walks per thread)
    Xt = np.random.RandomState(9).normal(size=(30_000, 5))
    np.testing.assert_array_equal(a.predict_proba(Xt), b.predict_proba(Xt))
    np.testing.assert_array_equal(a.apply(Xt), b.apply(Xt))
    np.testing.assert_array_equal(
        list(a.staged_decision_function(Xt))[4], list(b.staged_decision_function(Xt))[4]
    )
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(c.predict_proba(Xt), a.predict_proba(Xt))


def test_monitor_stops():
    X, y = _reg_data()
    reg = GradientBoostingRegressor(n_estimators=50)
    reg.fit(X, y, monitor=lambda i, est, local: i == 6)
    assert reg.n_estimators_ == 7


def test_max_features_and_tree_params():
    X, y = _reg_data()
    reg = GradientBoostingRegressor(
        n_estimators=5, max_features="sqrt", max_leaf_nodes=4, random_state=0
    ).fit(X, y)
    assert reg.max_features_ == 2
    assert all(t.tree_.n_leaves <= 4 for t in reg.estimators_[:, 0])
    reg = GradientBoostingRegressor(n_estimators=3, max_depth=1).fit(X, y)
    assert all(t.tree_.node_count == 3 for t in reg.estimators_[:, 0])
    big = GradientBoostingRegressor(n_estimators=3, ccp_alpha=10.0).fit(X, y)
    assert all(t.tree_.node_count == 1 for t in big.estimators_[:, 0])
    np.testing.assert_array_equal(big.feature_importances_, 0.0)


def test_criterion_deprecated():
    X, y = _reg_data()
    with pytest.warns(FutureWarning, match="criterion"):
        GradientBoostingRegressor(n_estimators=2, criterion="friedman_mse").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GradientBoostingRegressor(n_estimators=2).fit(X, y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_estimators": 0}, "'n_estimators' parameter of GradientBoostingRegressor"),
        ({"learning_rate": -1.0}, "range \\[0.0, inf\\)"),
        ({"subsample": 0.0}, "'subsample'"),
        ({"max_depth": 0}, "'max_depth'"),
        ({"loss": "hinge"}, "a str among"),
        ({"alpha": 1.0}, "'alpha'"),
        ({"max_features": "auto"}, "'max_features'"),
        ({"criterion": "mse"}, "a str among {'squared_error'}. Got 'mse'"),
        ({"init": "mean"}, "'init'"),
        ({"validation_fraction": 1.0}, "'validation_fraction'"),
        ({"n_iter_no_change": 0}, "'n_iter_no_change'"),
        ({"ccp_alpha": -1.0}, "'ccp_alpha'"),
        ({"min_samples_split": 1}, "'min_samples_split'"),
        ({"random_state": "a"}, "'random_state'"),
    ],
)
def test_parameter_validation(params, message):
    X, y = _reg_data(n=20)
    with pytest.raises(InvalidParameterError, match=message):
        GradientBoostingRegressor(**params).fit(X, y)


def test_classifier_errors():
    X, y = _clf_data(k=3)
    with pytest.raises(ValueError, match="only suitable for a binary"):
        GradientBoostingClassifier(loss="exponential").fit(X, y)
    with pytest.raises(ValueError, match="1 class"):
        GradientBoostingClassifier().fit(X, np.zeros(200))
    w = (y == 0).astype(float)
    with pytest.raises(ValueError, match="minimum of 2 classes"):
        GradientBoostingClassifier().fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="Unknown label type"):
        GradientBoostingClassifier().fit(X, np.linspace(0, 1, 200))


def test_unfitted_and_bad_input():
    X, y = _reg_data(n=30)
    reg = GradientBoostingRegressor(n_estimators=3)
    with pytest.raises(NotFittedError):
        reg.predict(X)
    with pytest.raises(ValueError, match="0 sample"):
        reg.fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="Expected 2D array"):
        reg.fit(X[:, 0], y)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        reg.fit(Xn, y)
    Xi = X.copy()
    Xi[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        reg.fit(Xi, y)
    with pytest.raises(ValueError):
        reg.fit(np.array([["a", "b"]] * 30, dtype=object), y)
    reg.fit(X, y)
    with pytest.raises(ValueError, match="expecting 5 features"):
        reg.predict(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        reg.predict(Xn)
    with pytest.raises(ValueError, match="Negative values"):
        reg.fit(X, y, sample_weight=-np.ones(30))
    # one row: a constant model
    one = GradientBoostingRegressor(n_estimators=3).fit(X[:1], y[:1])
    np.testing.assert_allclose(one.predict(X), y[0])


def test_layouts_and_caller_arrays_unchanged():
    X, y = _reg_data()
    w = np.random.RandomState(1).uniform(0.5, 1.5, 200)
    X0, y0, w0 = X.copy(), y.copy(), w.copy()
    ref = GradientBoostingRegressor(n_estimators=5, random_state=0).fit(X, y, w)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)
    Xf = np.asfortranarray(X)
    Xr = X.copy()
    Xr.setflags(write=False)
    for Xv in (Xf, Xr, X.astype(np.float32)):
        got = GradientBoostingRegressor(n_estimators=5, random_state=0).fit(Xv, y, w)
        np.testing.assert_array_equal(got.predict(X), ref.predict(X))
        np.testing.assert_array_equal(ref.predict(Xv), ref.predict(X))
    # zero weights: the same model as dropping the rows (no subsample, no ties)
    wz = w.copy()
    wz[::4] = 0.0
    keep = wz > 0
    a = GradientBoostingRegressor(n_estimators=5, random_state=0).fit(X, y, wz)
    b = GradientBoostingRegressor(n_estimators=5, random_state=0).fit(
        X[keep], y[keep], wz[keep]
    )
    np.testing.assert_allclose(a.predict(X), b.predict(X))


def test_identical_rows_and_constant_target():
    X = np.ones((20, 3))
    y = np.arange(20.0)
    reg = GradientBoostingRegressor(n_estimators=3).fit(X, y)
    np.testing.assert_allclose(reg.predict(X), y.mean())
    assert all(t.tree_.node_count == 1 for t in reg.estimators_[:, 0])
    Xc, _ = _reg_data(n=20)
    reg.fit(Xc, np.full(20, 4.0))
    np.testing.assert_allclose(reg.predict(Xc), 4.0)


def test_verbose_logs_not_prints(caplog, capsys):
    X, y = _reg_data(n=50)
    with caplog.at_level("INFO", logger="fastml.ensemble._gradient_boosting"):
        GradientBoostingRegressor(n_estimators=3, verbose=2, subsample=0.8).fit(X, y)
    assert capsys.readouterr().out == ""
    lines = [r.getMessage() for r in caplog.records]
    assert "Train Loss" in lines[0] and "OOB Improve" in lines[0]
    assert len(lines) == 4
