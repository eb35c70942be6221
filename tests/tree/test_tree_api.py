"""fastml.tree estimators: API, parameters, bad input, persistence, export, pruning
helpers."""

import pickle

import numpy as np
import pytest

from fastml.exceptions import InvalidParameterError, NotFittedError
from fastml.tree import (
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
    export_text,
    plot_tree,
    select_ccp_alpha,
)

ESTIMATORS = [
    DecisionTreeClassifier,
    DecisionTreeRegressor,
    ExtraTreeClassifier,
    ExtraTreeRegressor,
]


def _data(n=120, n_features=5, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, n_features)
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)
    return X, y


def _fit(est_cls, X, y, **kw):
    is_reg = "Regressor" in est_cls.__name__
    return est_cls(random_state=0, **kw).fit(X, y.astype(float) if is_reg else y)


# --- parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"max_depth": 0},
            "The 'max_depth' parameter of DecisionTreeClassifier must be an int in "
            "the range [1, inf) or None. Got 0 instead.",
        ),
        (
            {"ccp_alpha": -0.1},
            "The 'ccp_alpha' parameter of DecisionTreeClassifier must be a float in "
            "the range [0.0, inf). Got -0.1 instead.",
        ),
        (
            {"criterion": "mse"},
            "The 'criterion' parameter of DecisionTreeClassifier must be a str among "
            "{'entropy', 'gini', 'log_loss'}. Got 'mse' instead.",
        ),
        (
            {"min_samples_split": 1},
            "The 'min_samples_split' parameter of DecisionTreeClassifier must be an "
            "int in the range [2, inf) or a float in the range (0.0, 1.0]. Got 1 "
            "instead.",
        ),
        (
            {"max_features": 1.5},
            "The 'max_features' parameter of DecisionTreeClassifier must be an int "
            "in the range [1, inf), a float in the range (0.0, 1.0], a str among "
            "{'log2', 'sqrt'} or None. Got 1.5 instead.",
        ),
        (
            {"splitter": "fast"},
            "The 'splitter' parameter of DecisionTreeClassifier must be a str among "
            "{'best', 'random'}. Got 'fast' instead.",
        ),
    ],
)
def test_invalid_parameters_sklearn_wording(params, message):
    X, y = _data()
    with pytest.raises(InvalidParameterError) as exc:
        DecisionTreeClassifier(**params).fit(X, y)
    assert str(exc.value) == message
    sklearn = pytest.importorskip("sklearn.tree")
    if {"criterion", "max_features", "splitter"} & set(params):
        return  # scikit-learn prints string options in set (hash) order
    with pytest.raises(ValueError) as peer:
        sklearn.DecisionTreeClassifier(**params).fit(X, y)
    assert str(peer.value) == message


def test_max_features_larger_than_n_features():
    X, y = _data(n_features=3)
    with pytest.raises(ValueError, match=r"max_features must be in \(0, n_features\]"):
        DecisionTreeClassifier(max_features=4).fit(X, y)


@pytest.mark.parametrize(
    "max_features, expected", [("sqrt", 2), ("log2", 2), (0.5, 2), (3, 3), (None, 5)]
)
def test_max_features_resolution(max_features, expected):
    X, y = _data()
    clf = DecisionTreeClassifier(max_features=max_features, random_state=0).fit(X, y)
    assert clf.max_features_ == expected


# --- fitted attributes and methods -------------------------------------------------


def test_classifier_attributes_and_methods():
    X, y = _data()
    labels = np.array(["a", "b", "c"])[y]
    clf = DecisionTreeClassifier(random_state=0, max_depth=4).fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    assert clf.n_classes_ == 3 and clf.n_outputs_ == 1 and clf.n_features_in_ == 5
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(clf.predict_log_proba(X), np.log(proba))
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert clf.get_depth() == clf.tree_.max_depth <= 4
    assert clf.get_n_leaves() == int(np.sum(clf.tree_.children_left == -1))
    leaves = clf.apply(X)
    assert np.all(clf.tree_.children_left[leaves] == -1)
    path = clf.decision_path(X)
    assert path.shape == (120, clf.tree_.node_count)
    dense = path.toarray()
    assert np.all(dense[:, 0] == 1)
    assert np.all(dense[np.arange(120), leaves] == 1)
    # A path holds one node per level down to its leaf.
    depth = np.zeros(clf.tree_.node_count, dtype=int)
    for node in range(clf.tree_.node_count):
        for child in (clf.tree_.children_left[node], clf.tree_.children_right[node]):
            if child != -1:
                depth[child] = depth[node] + 1
    np.testing.assert_array_equal(dense.sum(axis=1), depth[leaves] + 1)
    imp = clf.feature_importances_
    assert imp.shape == (5,) and np.isclose(imp.sum(), 1.0) and np.all(imp >= 0)
    assert imp[3] == 0.0 or 3 in clf.tree_.feature
    assert clf.score(X, labels) > 0.9


def test_regressor_leaf_values():
    X, _ = _data()
    y = X[:, 0] * 3 + np.random.RandomState(1).randn(120)
    reg = DecisionTreeRegressor(max_depth=3, random_state=0).fit(X, y)
    leaves = reg.apply(X)
    for leaf in np.unique(leaves):
        np.testing.assert_allclose(
            reg.predict(X[leaves == leaf])[0], y[leaves == leaf].mean()
        )
    med = DecisionTreeRegressor(criterion="absolute_error", max_depth=2).fit(X, y)
    leaves = med.apply(X)
    for leaf in np.unique(leaves):
        np.testing.assert_allclose(
            med.tree_.value[leaf, 0, 0], np.median(y[leaves == leaf])
        )


def test_class_weight_equals_sample_weight():
    X, y = _data()
    a = DecisionTreeClassifier(class_weight={0: 3, 1: 1, 2: 2}, random_state=0).fit(
        X, y
    )
    w = np.array([3.0, 1.0, 2.0])[y]
    b = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    bal = DecisionTreeClassifier(class_weight="balanced", random_state=0).fit(X, y)
    counts = np.bincount(y)
    w_bal = (len(y) / (3 * counts))[y]
    c = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=w_bal)
    np.testing.assert_array_equal(bal.tree_.feature, c.tree_.feature)
    np.testing.assert_allclose(bal.tree_.weighted_n_node_samples[0], len(y))


def test_best_first_leaf_budget_and_min_impurity_decrease():
    X, y = _data(300)
    clf = DecisionTreeClassifier(max_leaf_nodes=6, random_state=0).fit(X, y)
    assert clf.get_n_leaves() == 6
    strict = DecisionTreeClassifier(min_impurity_decrease=0.05, random_state=0).fit(
        X, y
    )
    full = DecisionTreeClassifier(random_state=0).fit(X, y)
    assert strict.get_n_leaves() < full.get_n_leaves()


def test_extra_trees_random_state():
    X, y = _data(200)
    a = ExtraTreeClassifier(random_state=1).fit(X, y)
    b = ExtraTreeClassifier(random_state=1).fit(X, y)
    c = ExtraTreeClassifier(random_state=2).fit(X, y)
    np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    assert not np.array_equal(a.tree_.threshold[:3], c.tree_.threshold[:3])
    assert a.max_features_ == 2
    assert ExtraTreeRegressor(random_state=0).fit(X, y * 1.0).max_features_ == 5


# --- edge cases and bad input ------------------------------------------------------------


def test_single_class_and_identical_rows():
    X, _ = _data(20)
    clf = DecisionTreeClassifier().fit(X, np.full(20, 7))
    assert clf.tree_.node_count == 1
    np.testing.assert_array_equal(clf.predict(X), 7)
    assert clf.predict_proba(X).shape == (20, 1)
    same = DecisionTreeClassifier().fit(np.ones((10, 3)), np.arange(10) % 2)
    assert same.tree_.node_count == 1
    np.testing.assert_allclose(same.predict_proba(np.ones((2, 3))), 0.5)
    reg = DecisionTreeRegressor().fit(X[:1], [3.0])
    assert reg.predict(X[:4]).tolist() == [3.0] * 4


@pytest.mark.parametrize("est_cls", ESTIMATORS)
def test_bad_input(est_cls):
    X, y = _data(30)
    yy = y.astype(float) if "Regressor" in est_cls.__name__ else y
    est = est_cls(random_state=0)
    Xnan = X.copy()
    Xnan[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.fit(Xnan, yy)
    Xinf = X.copy()
    Xinf[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        est.fit(Xinf, yy)
    with pytest.raises(ValueError, match="0 sample"):
        est.fit(X[:0], yy[:0])
    with pytest.raises(ValueError, match="Expected 2D array"):
        est.fit(X[:, 0], yy)
    with pytest.raises(ValueError):
        est.fit(np.array([["a", "b"]] * 30, dtype=object), yy)
    with pytest.raises(NotFittedError):
        est.predict(X)
    est.fit(X, yy)
    with pytest.raises(ValueError, match="X has 4 features"):
        est.predict(X[:, :4])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        est.predict(Xnan)
    with pytest.raises(
        ValueError, match="Negative values in data passed to sample_weight"
    ):
        est_cls().fit(X, yy, sample_weight=-np.ones(30))
    with pytest.raises(ValueError):
        est_cls().fit(X, yy[:-1])


@pytest.mark.parametrize("est_cls", ESTIMATORS)
def test_layouts_read_only_and_caller_arrays_unchanged(est_cls):
    X, y = _data(60)
    yy = y.astype(float) if "Regressor" in est_cls.__name__ else y
    w = np.random.RandomState(0).randint(1, 3, 60).astype(float)
    X_copy, y_copy, w_copy = X.copy(), yy.copy(), w.copy()
    ref = est_cls(random_state=0).fit(X, yy, sample_weight=w).predict(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(yy, y_copy)
    np.testing.assert_array_equal(w, w_copy)
    Xf = np.asfortranarray(X)
    np.testing.assert_array_equal(
        est_cls(random_state=0).fit(Xf, yy, sample_weight=w).predict(Xf), ref
    )
    Xr, yr, wr = X.copy(), yy.copy(), w.copy()
    for a in (Xr, yr, wr):
        a.setflags(write=False)
    np.testing.assert_array_equal(
        est_cls(random_state=0).fit(Xr, yr, sample_weight=wr).predict(Xr), ref
    )
    # Zero weights: those rows take no part (same tree as without them).
    w0 = w.copy()
    w0[::4] = 0
    keep = w0 > 0
    a = est_cls(random_state=0).fit(X, yy, sample_weight=w0)
    b = est_cls(random_state=0).fit(X[keep], yy[keep], sample_weight=w0[keep])
    np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)


def test_poisson_requires_non_negative_y():
    X, _ = _data(30)
    with pytest.raises(ValueError, match="Some value"):
        DecisionTreeRegressor(criterion="poisson").fit(X, -np.ones(30))
    with pytest.raises(ValueError, match="Sum of y is not positive"):
        DecisionTreeRegressor(criterion="poisson").fit(X, np.zeros(30))


def test_multi_output_rejected():
    X, y = _data(30)
    with pytest.raises(ValueError):
        DecisionTreeClassifier().fit(X, np.c_[y, y])


@pytest.mark.parametrize("est_cls", ESTIMATORS)
def test_pickle_roundtrip(est_cls):
    X, y = _data(80)
    est = _fit(est_cls, X, y, ccp_alpha=0.001)
    pred = est.predict(X)
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict(X), pred)
    np.testing.assert_array_equal(clone.tree_.value, est.tree_.value)


# --- pruning -------------------------------------------------------------------------------


def test_cost_complexity_pruning_path_and_ccp_alpha():
    X, y = _data(200)
    clf = DecisionTreeClassifier(random_state=0)
    path = clf.cost_complexity_pruning_path(X, y)
    alphas, impurities = path.ccp_alphas, path.impurities
    assert alphas[0] == 0.0 and np.all(np.diff(alphas) >= 0)
    assert np.all(np.diff(impurities) >= -1e-15)
    full = DecisionTreeClassifier(random_state=0).fit(X, y)
    np.testing.assert_allclose(
        impurities[0],
        np.sum(
            full.tree_.weighted_n_node_samples
            * full.tree_.impurity
            * (full.tree_.children_left == -1)
        )
        / full.tree_.weighted_n_node_samples[0],
    )
    sizes = []
    for k in range(len(alphas) - 1):
        alpha = 0.5 * (alphas[k] + alphas[k + 1])
        pruned = DecisionTreeClassifier(random_state=0, ccp_alpha=alpha).fit(X, y)
        # Total leaf impurity of the pruned tree is the path's entry.
        t = pruned.tree_
        leaf = t.children_left == -1
        np.testing.assert_allclose(
            np.sum(t.weighted_n_node_samples[leaf] * t.impurity[leaf])
            / t.weighted_n_node_samples[0],
            impurities[k],
            rtol=1e-12,
        )
        sizes.append(pruned.get_n_leaves())
    assert sizes == sorted(sizes, reverse=True)
    root = DecisionTreeClassifier(random_state=0, ccp_alpha=alphas[-1] * 1.01).fit(X, y)
    assert root.tree_.node_count == 1


def test_select_ccp_alpha():
    X, y = _data(240, seed=3)
    flip = np.random.RandomState(0).rand(240) < 0.15
    y_noisy = np.where(flip, (y + 1) % 3, y)
    est = select_ccp_alpha(DecisionTreeClassifier(random_state=0), X, y_noisy, cv=4)
    res = est.cv_results_
    assert res["split_test_scores"].shape == (4, len(res["ccp_alphas"]))
    best = int(np.argmax(res["mean_test_score"]))
    assert est.best_ccp_alpha_ == res["ccp_alphas"][best] == est.ccp_alpha
    assert est.best_ccp_alpha_ > 0.0
    full = DecisionTreeClassifier(random_state=0).fit(X, y_noisy)
    assert est.get_n_leaves() < full.get_n_leaves()
    again = select_ccp_alpha(DecisionTreeClassifier(random_state=0), X, y_noisy, cv=4)
    assert again.best_ccp_alpha_ == est.best_ccp_alpha_
    reg = select_ccp_alpha(
        DecisionTreeRegressor(random_state=0),
        X,
        X[:, 0] + y_noisy,
        cv=3,
        scoring="neg_mean_squared_error",
    )
    assert reg.cv_results_["mean_test_score"].max() <= 0


# --- export --------------------------------------------------------------------------


def test_export_text():
    X, y = _data()
    clf = DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    text = export_text(clf, feature_names=list("abcde"))
    lines = text.splitlines()
    t = clf.tree_
    assert lines[0] == f"|--- {'abcde'[t.feature[0]]} <= {t.threshold[0]:.2f}"
    assert sum("class:" in line for line in lines) == clf.get_n_leaves()
    weighted = export_text(clf, show_weights=True, decimals=1)
    assert "weights: [" in weighted
    short = export_text(clf, max_depth=0)
    assert "truncated branch of depth 1" in short
    with pytest.raises(ValueError, match="feature_names must contain 5 elements"):
        export_text(clf, feature_names=["a"])
    reg = DecisionTreeRegressor(max_depth=1).fit(X, y * 1.5)
    assert "value: [" in export_text(reg)
    sk = pytest.importorskip("sklearn.tree")
    peer = sk.DecisionTreeClassifier(max_depth=2, random_state=0).fit(X, y)
    if np.array_equal(peer.tree_.feature, t.feature):
        assert sk.export_text(peer, feature_names=list("abcde")) == text


def test_plot_tree():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = _data()
    clf = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, y)
    fig, ax = plt.subplots()
    annotations = plot_tree(clf, ax=ax, feature_names=list("abcde"))
    assert len(annotations) == clf.tree_.node_count
    texts = [a.get_text() for a in annotations]
    assert texts[0].startswith(f"{'abcde'[clf.tree_.feature[0]]} <= ")
    assert all("samples = " in s for s in texts)
    assert sum("class = " in s for s in texts) == clf.tree_.node_count
    shallow = plot_tree(clf, ax=ax, max_depth=1)
    assert len(shallow) == 3
    plt.close(fig)


def test_concurrent_fits_from_threads():
    """The builder and the prediction kernel release the GIL: trees grown from two
    Python threads at once equal the ones grown one after the other."""
    from concurrent.futures import ThreadPoolExecutor

    X, y = _data(3000, n_features=8, seed=4)
    seeds = [0, 1, 2, 3]

    def fit(seed):
        est = DecisionTreeClassifier(max_features=3, random_state=seed).fit(X, y)
        return est.tree_.threshold, est.predict_proba(X)

    serial = [fit(s) for s in seeds]
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = list(pool.map(fit, seeds))
    for (ta, pa), (tb, pb) in zip(serial, threaded, strict=True):
        np.testing.assert_array_equal(ta, tb)
        np.testing.assert_array_equal(pa, pb)


def test_select_ccp_alpha_scores_equal_refits_per_alpha():
    """Pruning each fold's full tree at alpha gives the tree fitted with that
    ccp_alpha on the fold: the recorded fold scores equal direct refits."""
    from fastml.model_selection import StratifiedKFold

    X, y = _data(150, seed=5)
    cv = StratifiedKFold(n_splits=3)
    est = select_ccp_alpha(DecisionTreeClassifier(random_state=0), X, y, cv=cv)
    res = est.cv_results_
    for k in (0, len(res["ccp_alphas"]) // 2, len(res["ccp_alphas"]) - 1):
        alpha = res["ccp_alphas"][k]
        for s, (train, test) in enumerate(cv.split(X, y)):
            refit = DecisionTreeClassifier(random_state=0, ccp_alpha=alpha)
            score = refit.fit(X[train], y[train]).score(X[test], y[test])
            assert res["split_test_scores"][s, k] == score
