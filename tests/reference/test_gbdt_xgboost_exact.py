"""The exact greedy tree builder against XGBoost's ``tree_method="exact"``.

Trees are read from XGBoost's own model JSON (``Booster.save_raw("json")``: float32
split conditions, leaf values, gains and covers, node by node) and compared after
renumbering both breadth-first. fastml's builder is driven directly with gradients
computed here and a boosting loop written in the test (the estimator has its own
test further down when it exists).

Set-up shared by every test, and why:
- X is rounded to float32 before both libraries see it: XGBoost stores data in
  float32, so on float32-representable values both enumerate the same candidates.
- ``base_score`` is given explicitly (XGBoost 3 otherwise estimates it from y).
- XGBoost runs with one thread: its node gradient totals are summed per thread, and
  with one thread the order is the row order fastml uses (bit-identical sums).

Tolerances:
- Tree structure, features, default directions, and the float32 values of
  thresholds, leaf values, gains and covers: exact equality. fastml rounds gains and
  leaves to float32 as XGBoost does (kernels/gbdt/exact.py); its float64 midpoint
  rounds to XGBoost's float32 midpoint.
- The float32 boosting loop (margins, sigmoid and gradients in float32, as XGBoost
  computes them) reproduces XGBoost's margins exactly, so "within 1e-5" is checked
  with atol=1e-5 and rtol=0 and holds with equality.
- The float64 boosting loop (what a float64 estimator does): every tree has the same
  structure and thresholds; margins differ only by XGBoost's float32 accumulation of
  leaf values, a few float32 ulp: rtol=2e-6 on diabetes margins (about 150-300, where
  one float32 ulp is 1.5e-5, so an absolute 1e-5 is below float32 resolution) and
  atol=1e-5 on breast-cancer probabilities.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json

import numpy as np
import pytest
from fastml.kernels.gbdt.exact import build_exact_tree, presort_columns
from numpy.testing import assert_allclose, assert_array_equal

xgb = pytest.importorskip("xgboost")
datasets = pytest.importorskip("sklearn.datasets")

FIELDS = (
    "feature",
    "threshold",
    "default_left",
    "left",
    "right",
    "value",
    "gain",
    "cover",
)
ROUNDS = 50


# --------------------------------------------------------------------------- helpers
def load(name, nan_fraction=0.0):
    loader = {
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": datasets.load_diabetes,
    }
    X, y = loader[name](return_X_y=True)
    X = X.astype(np.float32).astype(np.float64)
    if nan_fraction:
        rng = np.random.default_rng(0)
        X[rng.random(X.shape) < nan_fraction] = np.nan
    return X, y


def objective_of(name):
    return "binary:logistic" if name == "breast_cancer" else "reg:squarederror"


def base_score_of(name):
    return 0.5 if name == "breast_cancer" else 150.0


def xgb_params(objective, base_score, p):
    """The XGBoost parameter mapping (fastml uses XGBoost's names and meanings)."""
    return {
        "tree_method": "exact",
        "objective": objective,
        "base_score": base_score,
        "nthread": 1,
        "max_depth": p["max_depth"],
        "eta": p["learning_rate"],
        "lambda": p["reg_lambda"],
        "alpha": p["reg_alpha"],
        "gamma": p["gamma"],
        "min_child_weight": p["min_child_weight"],
    }


def fit_xgb(X, y, objective, base_score, p, rounds):
    dtrain = xgb.DMatrix(X, label=y, missing=np.nan)
    return xgb.train(
        xgb_params(objective, base_score, p), dtrain, num_boost_round=rounds
    )


def xgb_trees(booster):
    """XGBoost's trees as node arrays in breadth-first order (float32 values)."""
    model = json.loads(booster.save_raw("json"))
    out = []
    for t in model["learner"]["gradient_booster"]["model"]["trees"]:
        lc, rc = t["left_children"], t["right_children"]
        order, k = [0], 0
        new_id = {0: 0}
        while k < len(order):
            i = order[k]
            if lc[i] != -1:
                for c in (lc[i], rc[i]):
                    new_id[c] = len(order)
                    order.append(c)
            k += 1
        tree = {name: [] for name in FIELDS}
        for i in order:
            leaf = lc[i] == -1
            cond = np.float32(t["split_conditions"][i])
            tree["feature"].append(-1 if leaf else t["split_indices"][i])
            tree["threshold"].append(np.float32(0) if leaf else cond)
            tree["default_left"].append(0 if leaf else int(t["default_left"][i]))
            tree["left"].append(-1 if leaf else new_id[lc[i]])
            tree["right"].append(-1 if leaf else new_id[rc[i]])
            tree["value"].append(cond if leaf else np.float32(0))
            tree["gain"].append(
                np.float32(0) if leaf else np.float32(t["loss_changes"][i])
            )
            tree["cover"].append(np.float32(t["sum_hessian"][i]))
        out.append({k: np.asarray(v) for k, v in tree.items()})
    return out


def fastml_tree(X, presorted, g, h, p):
    out = build_exact_tree(
        X,
        presorted[0],
        presorted[1],
        presorted[2],
        np.ascontiguousarray(g, dtype=np.float64),
        np.ascontiguousarray(h, dtype=np.float64),
        np.arange(X.shape[0], dtype=np.int64),
        np.arange(X.shape[1], dtype=np.int64),
        p["max_depth"],
        0,
        p["min_child_weight"],
        p["reg_lambda"],
        p["reg_alpha"],
        p["gamma"],
        p["learning_rate"],
    )
    return dict(zip(FIELDS, out, strict=True))


def tree_output(tree, X):
    """Leaf value reached by every row (x < threshold goes left, NaN by default)."""
    node = np.zeros(X.shape[0], dtype=np.int64)
    while True:
        feat = tree["feature"][node]
        internal = feat >= 0
        if not internal.any():
            return tree["value"][node]
        rows = np.flatnonzero(internal)
        v = X[rows, feat[rows]]
        go_left = np.where(
            np.isnan(v),
            tree["default_left"][node[rows]] == 1,
            v < tree["threshold"][node[rows]],
        )
        node[rows] = np.where(
            go_left, tree["left"][node[rows]], tree["right"][node[rows]]
        )


def assert_trees_equal(ours, theirs, where=""):
    """Same structure, features, directions; same float32 numbers."""
    assert len(ours["feature"]) == len(theirs["feature"]), where
    for name in ("feature", "default_left", "left", "right"):
        assert_array_equal(ours[name], theirs[name], err_msg=f"{where} {name}")
    for name in ("threshold", "value", "gain", "cover"):
        assert_array_equal(
            ours[name].astype(np.float32), theirs[name], err_msg=f"{where} {name}"
        )


def _load_expf():
    """The C library's float32 exp (what XGBoost's sigmoid calls), or None."""
    name = ctypes.util.find_library("m")
    if name is None:
        return None
    try:
        expf = ctypes.CDLL(name).expf
    except (OSError, AttributeError):
        return None
    expf.restype = ctypes.c_float
    expf.argtypes = [ctypes.c_float]
    return np.frompyfunc(lambda v: expf(float(v)), 1, 1)


_EXPF = _load_expf()


def sigmoid32(margin):
    """XGBoost's float32 sigmoid, 1 / (1 + expf(-x)), with the C library's expf.

    NumPy's float32 exp differs from glibc's expf in the last bit on most inputs,
    and even a correctly rounded exp differs from glibc's on about 0.06% of inputs;
    each difference moves a hessian by one ulp and a gain in its last bit, enough to
    flip a near-tie. Without a loadable C library, exp in float64 rounded to float32
    (the correctly rounded value) is used.
    """
    x = np.minimum(-margin, np.float32(88.7))
    if _EXPF is not None:
        e = _EXPF(x).astype(np.float32)
    else:
        e = np.exp(x.astype(np.float64)).astype(np.float32)
    return np.float32(1) / (e + np.float32(1))


def gradients32(objective, margin, y32):
    if objective == "reg:squarederror":
        return margin - y32, np.ones_like(margin)
    p = sigmoid32(margin)
    return p - y32, np.maximum(p * (np.float32(1) - p), np.float32(1e-16))


def gradients64(objective, margin, y):
    if objective == "reg:squarederror":
        return margin - y, np.ones_like(margin)
    p = 1.0 / (1.0 + np.exp(-margin))
    return p - y, p * (1.0 - p)


def initial_margin(objective, base_score):
    if objective == "reg:squarederror":
        return base_score
    return np.log(base_score / (1.0 - base_score))


PARAMS = {
    "defaults": dict(
        max_depth=6,
        learning_rate=0.3,
        reg_lambda=1.0,
        reg_alpha=0.0,
        gamma=0.0,
        min_child_weight=1.0,
    ),
    "regularised": dict(
        max_depth=4,
        learning_rate=0.1,
        reg_lambda=2.5,
        reg_alpha=0.5,
        gamma=0.2,
        min_child_weight=3.0,
    ),
    "no_regularisation": dict(
        max_depth=5,
        learning_rate=0.5,
        reg_lambda=0.0,
        reg_alpha=0.0,
        gamma=0.0,
        min_child_weight=0.0,
    ),
}
# gamma and min_child_weight in the units of each objective's hessians (diabetes: 1
# per row, breast cancer: p(1 - p) <= 1/4 per row)
DIABETES_STRONG = dict(
    max_depth=5,
    learning_rate=0.3,
    reg_lambda=1.0,
    reg_alpha=30.0,
    gamma=20000.0,
    min_child_weight=10.0,
)


def cases():
    for data in ("breast_cancer", "diabetes"):
        for name, p in PARAMS.items():
            yield pytest.param(data, p, id=f"{data}-{name}")
    yield pytest.param("diabetes", DIABETES_STRONG, id="diabetes-strong_alpha_gamma")


# ----------------------------------------------------------------------------- tests
@pytest.mark.parametrize(("data", "p"), list(cases()))
def test_first_tree_equals_xgboost(data, p):
    X, y = load(data)
    objective, base = objective_of(data), base_score_of(data)
    theirs = xgb_trees(fit_xgb(X, y, objective, base, p, 1))[0]
    margin = np.full(len(y), np.float32(initial_margin(objective, base)), np.float32)
    g, h = gradients32(objective, margin, y.astype(np.float32))
    ours = fastml_tree(X, presort_columns(X), g, h, p)
    assert_trees_equal(ours, theirs)
    assert (ours["feature"] >= 0).sum() >= 3


def boost32(X, y, objective, base, p, rounds):
    """XGBoost's training loop in float32 arithmetic, trees from fastml."""
    presorted = presort_columns(X)
    y32 = y.astype(np.float32)
    margin = np.full(len(y), np.float32(initial_margin(objective, base)), np.float32)
    trees = []
    for _ in range(rounds):
        g, h = gradients32(objective, margin, y32)
        tree = fastml_tree(X, presorted, g, h, p)
        trees.append(tree)
        margin = margin + tree_output(tree, X).astype(np.float32)
    return trees, margin


@pytest.mark.parametrize(
    ("data", "nan_fraction", "p"),
    [
        pytest.param("breast_cancer", 0.0, PARAMS["defaults"], id="breast_cancer"),
        pytest.param("diabetes", 0.0, PARAMS["regularised"], id="diabetes"),
        pytest.param(
            "breast_cancer", 0.2, PARAMS["regularised"], id="breast_cancer-nan"
        ),
    ],
)
def test_fifty_rounds_float32_loop_is_identical(data, nan_fraction, p):
    X, y = load(data, nan_fraction)
    objective, base = objective_of(data), base_score_of(data)
    booster = fit_xgb(X, y, objective, base, p, ROUNDS)
    theirs = xgb_trees(booster)
    ours, margin = boost32(X, y, objective, base, p, ROUNDS)
    for t in range(ROUNDS):
        assert_trees_equal(ours[t], theirs[t], where=f"tree {t}")
    xgb_margin = booster.predict(xgb.DMatrix(X, missing=np.nan), output_margin=True)
    assert_allclose(margin, xgb_margin, rtol=0, atol=1e-5)


@pytest.mark.parametrize("data", ["breast_cancer", "diabetes"])
def test_fifty_rounds_float64_loop(data):
    X, y = load(data)
    p = PARAMS["defaults"]
    objective, base = objective_of(data), base_score_of(data)
    booster = fit_xgb(X, y, objective, base, p, ROUNDS)
    theirs = xgb_trees(booster)
    presorted = presort_columns(X)
    margin = np.full(len(y), initial_margin(objective, base))
    for t in range(ROUNDS):
        g, h = gradients64(objective, margin, y)
        tree = fastml_tree(X, presorted, g, h, p)
        assert_array_equal(tree["feature"], theirs[t]["feature"], err_msg=f"tree {t}")
        assert_array_equal(tree["threshold"].astype(np.float32), theirs[t]["threshold"])
        margin += tree_output(tree, X)
    dm = xgb.DMatrix(X, missing=np.nan)
    if objective == "reg:squarederror":
        assert_allclose(margin, booster.predict(dm, output_margin=True), rtol=2e-6)
    else:
        proba = 1.0 / (1.0 + np.exp(-margin))
        assert_allclose(proba, booster.predict(dm), rtol=0, atol=1e-5)


def test_missing_values_same_default_directions():
    """breast_cancer with 20% NaN (seed 0): the same default directions, all trees."""
    X, y = load("breast_cancer", nan_fraction=0.2)
    p = PARAMS["defaults"]
    booster = fit_xgb(X, y, "binary:logistic", 0.5, p, ROUNDS)
    theirs = xgb_trees(booster)
    ours, _ = boost32(X, y, "binary:logistic", 0.5, p, ROUNDS)
    n_left = n_right = 0
    for t in range(ROUNDS):
        assert_array_equal(
            ours[t]["feature"], theirs[t]["feature"], err_msg=f"tree {t}"
        )
        internal = ours[t]["feature"] >= 0
        assert_array_equal(
            ours[t]["default_left"][internal],
            theirs[t]["default_left"][internal],
            err_msg=f"tree {t}",
        )
        n_left += int(ours[t]["default_left"][internal].sum())
        n_right += int((ours[t]["default_left"][internal] == 0).sum())
    assert n_left > 10 and n_right > 10  # both directions are learned


@pytest.mark.parametrize("data", ["iris", "wine"])
def test_multiclass_first_round_trees_equal_xgboost(data):
    """multi:softprob builds one tree per class from that class's gradients; with
    equal initial margins p = 1/K, g = p - [y == k] and XGBoost's softmax hessian
    2 p (1 - p) (its factor 2), all in float32."""
    X, y = getattr(datasets, f"load_{data}")(return_X_y=True)
    X = X.astype(np.float32).astype(np.float64)
    n_classes = 3
    p = PARAMS["defaults"]
    params = dict(xgb_params("multi:softprob", 0.5, p), num_class=n_classes)
    theirs = xgb_trees(xgb.train(params, xgb.DMatrix(X, label=y), num_boost_round=1))
    presorted = presort_columns(X)
    proba = np.float32(1.0 / n_classes)
    hess = np.float32(2) * proba * (np.float32(1) - proba)
    for k in range(n_classes):
        g = proba - (y == k).astype(np.float32)
        ours = fastml_tree(X, presorted, g, np.full(len(y), hess), p)
        assert_trees_equal(ours, theirs[k], where=f"class {k}")


def test_ties_between_identical_features_go_to_the_lower_index():
    X, y = load("diabetes")
    # columns 0 and 3 are copies of column 2 (bmi), column 4 onwards the data
    X2 = np.hstack([X[:, [2]], X[:, [0]], X[:, [2]], X[:, [2]], X])
    p = PARAMS["defaults"]
    theirs = xgb_trees(fit_xgb(X2, y, "reg:squarederror", 150.0, p, 1))[0]
    g = np.full(len(y), 150.0) - y
    ours = fastml_tree(X2, presort_columns(X2), g, np.ones(len(y)), p)
    assert_trees_equal(ours, theirs)
    used = set(ours["feature"][ours["feature"] >= 0])
    assert 0 in used and not used & {2, 3, 6}


def test_gamma_equal_to_a_gain_keeps_the_split():
    """XGBoost prunes a split when gain < gamma: a gain equal to gamma stays."""
    X, y = load("diabetes")
    p = dict(PARAMS["defaults"], max_depth=3)
    g = np.full(len(y), 150.0) - y
    h = np.ones(len(y))
    presorted = presort_columns(X)
    full = fastml_tree(X, presorted, g, h, p)
    internal = np.flatnonzero(full["feature"] >= 0)
    leaf_parent = [
        i
        for i in internal
        if full["feature"][full["left"][i]] < 0
        and full["feature"][full["right"][i]] < 0
    ]
    gamma = np.float32(min(full["gain"][i] for i in leaf_parent))
    for gam in (gamma, np.nextafter(gamma, np.float32(np.inf))):
        q = dict(p, gamma=float(gam))
        theirs = xgb_trees(fit_xgb(X, y, "reg:squarederror", 150.0, q, 1))[0]
        ours = fastml_tree(X, presorted, g, h, q)
        assert_trees_equal(ours, theirs)
    assert len(ours["feature"]) == len(full["feature"]) - 2


def test_dense_columns_default_left():
    """On data without missing values every XGBoost exact split defaults left."""
    X, y = load("breast_cancer")
    theirs = xgb_trees(fit_xgb(X, y, "binary:logistic", 0.5, PARAMS["defaults"], 3))
    for tree in theirs:
        assert np.all(tree["default_left"][tree["feature"] >= 0] == 1)


# ------------------------------------------------------- the estimator, once it exists
def _estimator(kind):
    gbdt = pytest.importorskip("fastml.gbdt")
    if not hasattr(gbdt, kind):
        pytest.skip(f"fastml.gbdt.{kind} not available yet")
    return getattr(gbdt, kind)


def test_estimator_regressor_exact_matches_xgboost():
    est_cls = _estimator("GBDTRegressor")
    X, y = load("diabetes")
    p = PARAMS["defaults"]
    est = est_cls(
        tree_method="exact", n_estimators=ROUNDS, base_score=150.0, n_jobs=1, **p
    )
    est.fit(X, y)
    booster = fit_xgb(X, y, "reg:squarederror", 150.0, p, ROUNDS)
    expected = booster.predict(xgb.DMatrix(X, missing=np.nan))
    assert_allclose(est.predict(X), expected, rtol=2e-6)  # float32 accumulation


def test_estimator_classifier_exact_matches_xgboost():
    est_cls = _estimator("GBDTClassifier")
    X, y = load("breast_cancer", nan_fraction=0.2)
    p = PARAMS["defaults"]
    est = est_cls(
        tree_method="exact", n_estimators=ROUNDS, base_score=0.5, n_jobs=1, **p
    )
    est.fit(X, y)
    booster = fit_xgb(X, y, "binary:logistic", 0.5, p, ROUNDS)
    expected = booster.predict(xgb.DMatrix(X, missing=np.nan))
    assert_allclose(est.predict_proba(X)[:, 1], expected, rtol=0, atol=1e-5)
