"""The JSON model format: round trips, and rejection of broken or tampered files."""

import hashlib
import json

import numpy as np
import pytest

from fastml.gbdt import GBDTClassifier, GBDTRegressor, load_model
from fastml.gbdt._model_io import FORMAT_VERSION, ModelFormatError


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[rng.random(X.shape) < 0.1] = np.nan
    y = np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) ** 2
    return X, y


def _rewrite(path, payload, fix_checksum=True):
    if fix_checksum:
        body = {k: v for k, v in payload.items() if k != "checksum"}
        canon = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
        payload["checksum"] = "sha256:" + hashlib.sha256(canon.encode()).hexdigest()
    path.write_text(json.dumps(payload))


@pytest.fixture
def saved(tmp_path):
    X, y = _data()
    model = GBDTRegressor(
        n_estimators=8, grow_policy="lossguide", max_leaves=6, early_stopping_rounds=3
    )
    model.fit(X[:300], y[:300], eval_set=[(X[300:], y[300:])])
    path = tmp_path / "model.json"
    model.save_model(path)
    return model, path, X


def test_regressor_round_trip_is_exact(saved):
    model, path, X = saved
    loaded = load_model(path)
    assert isinstance(loaded, GBDTRegressor)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for key in model.trees_:
        np.testing.assert_array_equal(loaded.trees_[key], model.trees_[key])
        assert loaded.trees_[key].dtype == model.trees_[key].dtype
    assert loaded.get_params() == model.get_params()
    assert loaded.best_iteration_ == model.best_iteration_
    assert loaded.evals_result_ == model.evals_result_
    # load_model on an existing instance replaces its state.
    other = GBDTRegressor(n_estimators=1).fit(X, np.ones(len(X)))
    assert other.load_model(path) is other
    np.testing.assert_array_equal(other.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "labels", [np.array([0, 1, 2]), np.array(["a", "b"]), np.array([True, False])]
)
def test_classifier_round_trip(tmp_path, labels):
    X, y = _data()
    yl = labels[
        np.digitize(y, np.quantile(y, np.linspace(0, 1, len(labels) + 1)[1:-1]))
    ]
    clf = GBDTClassifier(n_estimators=6).fit(X, yl)
    path = tmp_path / "clf.json"
    clf.save_model(path)
    loaded = load_model(path)
    assert isinstance(loaded, GBDTClassifier)
    np.testing.assert_array_equal(loaded.classes_, clf.classes_)
    assert loaded.classes_.dtype.kind == clf.classes_.dtype.kind
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_feature_names_and_infinite_thresholds_round_trip(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    y = (x > 0).astype(float)
    x[(y == 1) & (rng.random(1000) < 0.5)] = np.nan
    df = pd.DataFrame({"only": x})
    model = GBDTRegressor(n_estimators=3, max_depth=2).fit(df, y)
    path = tmp_path / "m.json"
    model.save_model(path)
    text = path.read_text()
    loaded = load_model(path)
    assert list(loaded.feature_names_in_) == ["only"]
    np.testing.assert_array_equal(loaded.predict(df), model.predict(df))
    if np.isinf(model.trees_["threshold"]).any():
        assert '"inf"' in text or '"-inf"' in text


def test_file_is_versioned_json(saved):
    _, path, _ = saved
    payload = json.loads(path.read_text())
    assert payload["format"] == "fastml.gbdt"
    assert payload["format_version"] == FORMAT_VERSION
    assert payload["checksum"].startswith("sha256:")
    assert "pickle" not in path.read_text()


def test_truncated_file_is_rejected(saved, tmp_path):
    _, path, _ = saved
    text = path.read_text()
    bad = tmp_path / "cut.json"
    for cut in (len(text) // 2, len(text) - 1, 10):
        bad.write_text(text[:cut])
        with pytest.raises(ValueError, match="not valid JSON|Invalid fastml.gbdt"):
            load_model(bad)


def test_tampered_values_fail_the_checksum(saved, tmp_path):
    _, path, _ = saved
    payload = json.loads(path.read_text())
    payload["model"]["trees"]["value"][-1] += 1.0
    bad = tmp_path / "bad.json"
    _rewrite(bad, payload, fix_checksum=False)
    with pytest.raises(ModelFormatError, match="checksum"):
        load_model(bad)


def _structural(mutate):
    def run(saved, tmp_path):
        _, path, _ = saved
        payload = json.loads(path.read_text())
        mutate(payload)
        bad = tmp_path / "bad.json"
        _rewrite(bad, payload)  # a consistent checksum: the structure must catch it
        with pytest.raises(ModelFormatError):
            load_model(bad)

    return run


def _set_tree(field, index, value):
    def mutate(payload):
        payload["model"]["trees"][field][index] = value

    return mutate


def _internal_index(payload):
    return next(i for i, f in enumerate(payload["model"]["trees"]["feature"]) if f >= 0)


MUTATIONS = {
    "child out of range": lambda p: p["model"]["trees"]["left"].__setitem__(
        _internal_index(p), 10_000
    ),
    "child points back (cycle)": lambda p: p["model"]["trees"]["right"].__setitem__(
        _internal_index(p), 0
    ),
    "feature out of range": lambda p: p["model"]["trees"]["feature"].__setitem__(
        _internal_index(p), 99
    ),
    "leaf with children": lambda p: p["model"]["trees"]["left"].__setitem__(
        p["model"]["trees"]["feature"].index(-1), 1
    ),
    "string value": _set_tree("value", 0, "x"),
    "nan threshold": _set_tree("threshold", 0, "nan"),
    "bool feature": _set_tree("feature", 0, True),
    "short array": lambda p: p["model"]["trees"]["gain"].pop(),
    "tree_ptr end": lambda p: p["model"]["trees"]["tree_ptr"].__setitem__(-1, 3),
    "n_rounds": lambda p: p["model"].__setitem__("n_rounds", 3),
    "n_features": lambda p: p["model"].__setitem__("n_features", 0),
    "base_margin length": lambda p: p["model"]["base_margin"].append(0.0),
    "best_iteration": lambda p: p["model"].__setitem__("best_iteration", 99),
    "objective": lambda p: p["model"].__setitem__("objective", "os.system"),
    "unknown param": lambda p: p["params"].__setitem__("evil", 1),
    "bad param value": lambda p: p["params"].__setitem__("max_bin", -4),
    "extra field": lambda p: p.__setitem__("extra", 1),
    "newer version": lambda p: p.__setitem__("format_version", FORMAT_VERSION + 1),
    "other format": lambda p: p.__setitem__("format", "xgboost"),
    "classes on regressor": lambda p: p["model"].__setitem__(
        "classes", {"kind": "int", "values": [0, 1]}
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_structurally_invalid_files_are_rejected(saved, tmp_path, name):
    _structural(MUTATIONS[name])(saved, tmp_path)


def test_failed_load_leaves_estimator_unchanged(saved, tmp_path):
    model, path, X = saved
    before = model.predict(X)
    payload = json.loads(path.read_text())
    payload["model"]["trees"]["feature"][0] = 99
    bad = tmp_path / "bad.json"
    _rewrite(bad, payload)
    with pytest.raises(ModelFormatError):
        model.load_model(bad)
    np.testing.assert_array_equal(model.predict(X), before)


def test_non_json_and_wrong_estimator(saved, tmp_path):
    _, path, _ = saved
    bad = tmp_path / "bin.json"
    bad.write_bytes(b"\x80\x04\x95 pickle bytes")
    with pytest.raises(ModelFormatError):
        load_model(bad)
    bad.write_text('{"format": NaN}')
    with pytest.raises(ModelFormatError, match="NaN"):
        load_model(bad)
    with pytest.raises(ModelFormatError, match="GBDTRegressor, not a GBDTClassifier"):
        GBDTClassifier().load_model(path)


def test_save_requires_fit(tmp_path):
    from fastml.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GBDTRegressor().save_model(tmp_path / "x.json")
