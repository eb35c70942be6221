"""The JSON model format of fastml.gbdt (version 1): writing, reading, validation.

A model file is one UTF-8 JSON object (no pickle, no code)::

    {
      "format": "fastml.gbdt",
      "format_version": 1,
      "fastml_version": "0.1.0",
      "estimator": "GBDTClassifier" | "GBDTRegressor",
      "params": {<constructor parameters; a callable objective or metric is null>},
      "model": {
        "objective": "squared_error" | "pseudo_huber" | "poisson" |
                     "binary_logistic" | "softmax" | "custom",
        "tree_method": "hist" | "exact",
        "n_features": int >= 1,
        "feature_names": [str, ...] | null,
        "classes": {"kind": "int" | "float" | "str" | "bool", "values": [...]} | null,
        "n_groups": int >= 1,             # outputs per row = trees per round
        "base_margin": [float] * n_groups,
        "max_delta_step": float,
        "n_rounds": int >= 1,
        "best_iteration": int in [0, n_rounds),
        "best_score": float | null,
        "use_best": bool,                 # predict with best_iteration + 1 rounds
        "evals_result": {set: {metric: [float | null, ...]}},
        "trees": {                        # kernels/tree/predict.py's flat arrays
          "tree_ptr": [int] * (n_trees + 1),
          "feature": [int], "threshold": [float | "inf" | "-inf"],
          "default_left": [0 | 1], "left": [int], "right": [int],
          "value": [float], "gain": [float], "cover": [float]
        }
      },
      "checksum": "sha256:<hex>"
    }

``checksum`` is the SHA-256 of the canonical JSON (sorted keys, no spaces, no NaN)
of the object without it: any truncation or edit that is not redone consistently is
detected. Independently of the checksum, :func:`validate_model_dict` checks every
field (types, lengths, ranges) and the tree structure (tree t owns nodes
``tree_ptr[t]:tree_ptr[t+1]``, node 0 of a tree is its root, children are later nodes
of the same tree, every other node has exactly one parent, leaves have feature -1
and children -1, internal nodes a feature below n_features, ``n_trees = n_rounds *
n_groups``), so a file that passes can be predicted without any out-of-bounds access.
All of it runs before an estimator is modified or any kernel is called.

Floats are written with Python's shortest round-trip repr, so a saved and reloaded
model predicts bit for bit the same.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any, NoReturn

import numpy as np

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "dump_model",
    "read_model",
    "load_model",
    "model_to_dict",
    "validate_model_dict",
]

FORMAT = "fastml.gbdt"
FORMAT_VERSION = 1
_OBJECTIVES = (
    "squared_error",
    "pseudo_huber",
    "poisson",
    "binary_logistic",
    "softmax",
    "custom",
)
_INT_ARRAYS = ("tree_ptr", "feature", "default_left", "left", "right")
_FLOAT_ARRAYS = ("value", "gain", "cover")
_TREE_FIELDS = (*_INT_ARRAYS, "threshold", *_FLOAT_ARRAYS)
_MODEL_FIELDS = {
    "objective",
    "tree_method",
    "n_features",
    "feature_names",
    "classes",
    "n_groups",
    "base_margin",
    "max_delta_step",
    "n_rounds",
    "best_iteration",
    "best_score",
    "use_best",
    "evals_result",
    "trees",
}


class ModelFormatError(ValueError):
    """A model file that is not a valid fastml.gbdt model."""


def _fail(msg: str) -> NoReturn:
    raise ModelFormatError(f"Invalid fastml.gbdt model: {msg}")


# --------------------------------------------------------------------------- writing


def _json_param(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None  # callables, Loss objects, RandomState: not stored


def _objective_param(est: Any) -> Any:
    obj = est.objective
    if obj is None or isinstance(obj, str):
        return obj
    from fastml.losses import Loss

    if isinstance(obj, Loss):
        return {
            "squared_error": "reg:squarederror",
            "pseudo_huber": "reg:pseudohubererror",
            "poisson": "count:poisson",
            "binary_logistic": "binary:logistic",
            "softmax": "multi:softprob",
        }.get(est.objective_)
    return None


def _float_or_null(v: float) -> float | None:
    v = float(v)
    return v if math.isfinite(v) else None


def _canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def model_to_dict(est: Any) -> dict[str, Any]:
    """The JSON-ready dict of a fitted estimator (with its checksum)."""
    from fastml import __version__

    params = {k: _json_param(v) for k, v in est.get_params(deep=False).items()}
    params["objective"] = _objective_param(est)
    t = est.trees_
    threshold = [
        float(v) if math.isfinite(v) else ("inf" if v > 0 else "-inf")
        for v in t["threshold"].tolist()
    ]
    classes = None
    if hasattr(est, "classes_"):
        c = est.classes_
        if c.dtype.kind == "b":
            kind = "bool"
        elif c.dtype.kind in "iu":
            kind = "int"
        elif c.dtype.kind == "f":
            kind = "float"
        else:
            kind = "str"
        values = [str(v) for v in c] if kind == "str" else c.tolist()
        classes = {"kind": kind, "values": values}
    names = getattr(est, "feature_names_in_", None)
    model = {
        "objective": est.objective_,
        "tree_method": est.tree_method_,
        "n_features": int(est.n_features_in_),
        "feature_names": None if names is None else [str(n) for n in names],
        "classes": classes,
        "n_groups": int(est.n_groups_),
        "base_margin": [float(v) for v in est.base_margin_],
        "max_delta_step": float(est.max_delta_step_),
        "n_rounds": int(est.n_rounds_),
        "best_iteration": int(est.best_iteration_),
        "best_score": _float_or_null(est.best_score_),
        "use_best": bool(est._use_best),
        "evals_result": {
            s: {m: [_float_or_null(v) for v in vals] for m, vals in d.items()}
            for s, d in est.evals_result_.items()
        },
        "trees": {
            "tree_ptr": t["tree_ptr"].tolist(),
            "feature": t["feature"].tolist(),
            "threshold": threshold,
            "default_left": t["default_left"].tolist(),
            "left": t["left"].tolist(),
            "right": t["right"].tolist(),
            "value": t["value"].tolist(),
            "gain": t["gain"].tolist(),
            "cover": t["cover"].tolist(),
        },
    }
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "fastml_version": __version__,
        "estimator": type(est).__name__,
        "params": params,
        "model": model,
    }
    payload["checksum"] = "sha256:" + hashlib.sha256(_canonical(payload)).hexdigest()
    return payload


def dump_model(est: Any, path: Any) -> None:
    """Write ``est`` to ``path`` as JSON (atomically: a temporary file renamed)."""
    text = json.dumps(model_to_dict(est), allow_nan=False, separators=(",", ":"))
    path = os.fspath(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- reading


def _reject_constant(name: str) -> NoReturn:
    _fail(f"non-standard JSON constant {name}")


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int_field(d: dict[str, Any], key: str, low: int, high: int | None = None) -> int:
    v: Any = d.get(key)
    if not _is_int(v) or v < low or (high is not None and v > high):
        _fail(
            f"{key} must be an integer in [{low}, {high if high is not None else 'inf'}]"
        )
    return int(v)


def _float_list(values: Any, name: str, allow_inf: bool = False) -> np.ndarray:
    if not isinstance(values, list):
        _fail(f"{name} must be a list")
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values):
        if _is_num(v):
            out[i] = float(v)
        elif allow_inf and v in ("inf", "-inf"):
            out[i] = math.inf if v == "inf" else -math.inf
        else:
            _fail(f"{name}[{i}] is not a number")
    if not allow_inf and not np.all(np.isfinite(out)):
        _fail(f"{name} contains a non-finite number")
    if np.any(np.isnan(out)):
        _fail(f"{name} contains NaN")
    return out


def _int_list(values: Any, name: str) -> np.ndarray:
    if not isinstance(values, list) or not all(_is_int(v) for v in values):
        _fail(f"{name} must be a list of integers")
    arr = np.array(values, dtype=object)
    if arr.size and (min(values) < -(2**62) or max(values) > 2**62):
        _fail(f"{name} has out-of-range integers")
    return np.array(values, dtype=np.int64)


def _check_trees(
    trees: Any, n_features: int, n_rounds: int, n_groups: int
) -> dict[str, np.ndarray]:
    if not isinstance(trees, dict) or set(trees) != set(_TREE_FIELDS):
        _fail(f"trees must have exactly the fields {sorted(_TREE_FIELDS)}")
    arrays: dict[str, np.ndarray] = {}
    for key in _INT_ARRAYS:
        arrays[key] = _int_list(trees[key], key)
    arrays["threshold"] = _float_list(trees["threshold"], "threshold", allow_inf=True)
    for key in _FLOAT_ARRAYS:
        arrays[key] = _float_list(trees[key], key)
    ptr = arrays["tree_ptr"]
    n_trees = ptr.shape[0] - 1
    if n_trees != n_rounds * n_groups:
        _fail(f"{n_trees} trees for {n_rounds} rounds of {n_groups} groups")
    n_nodes = arrays["feature"].shape[0]
    for key in _TREE_FIELDS:
        if key != "tree_ptr" and arrays[key].shape[0] != n_nodes:
            _fail(f"{key} has {arrays[key].shape[0]} entries, feature has {n_nodes}")
    if ptr[0] != 0 or ptr[-1] != n_nodes or np.any(np.diff(ptr) < 1):
        _fail("tree_ptr must start at 0, increase strictly and end at the node count")
    if n_nodes >= 2**31:
        _fail("too many nodes")
    feature = arrays["feature"]
    left = arrays["left"]
    right = arrays["right"]
    dl = arrays["default_left"]
    tree_of = np.repeat(np.arange(n_trees), np.diff(ptr))
    local = np.arange(n_nodes) - ptr[tree_of]
    size = np.diff(ptr)[tree_of]
    leaf = feature == -1
    if np.any((feature < -1) | (feature >= n_features)):
        _fail("a split feature is out of range")
    if np.any(leaf & ((left != -1) | (right != -1))):
        _fail("a leaf has children")
    if np.any((dl != 0) & (dl != 1)):
        _fail("default_left must be 0 or 1")
    internal = ~leaf
    if np.any(
        internal
        & (
            (left <= local)
            | (right <= local)
            | (left >= size)
            | (right >= size)
            | (left == right)
        )
    ):
        _fail("a child index is not a later node of the same tree")
    if np.any(np.isnan(arrays["threshold"])):
        _fail("a threshold is NaN")
    # Every node but a tree's root has exactly one parent.
    parents = np.zeros(n_nodes, dtype=np.int64)
    base = ptr[tree_of]
    np.add.at(parents, (base + left)[internal], 1)
    np.add.at(parents, (base + right)[internal], 1)
    is_root = local == 0
    if np.any(parents[is_root] != 0) or np.any(parents[~is_root] != 1):
        _fail("the nodes do not form trees (a node has no parent or two)")
    return {
        "tree_ptr": ptr.astype(np.int64),
        "feature": feature.astype(np.int32),
        "threshold": arrays["threshold"],
        "default_left": dl.astype(np.uint8),
        "left": left.astype(np.int32),
        "right": right.astype(np.int32),
        "value": arrays["value"],
        "gain": arrays["gain"],
        "cover": arrays["cover"],
    }


def validate_model_dict(
    payload: Any, estimator_name: str | None = None
) -> dict[str, Any]:
    """Check a parsed model file completely; return the decoded fitted state.

    Raises
    ------
    ModelFormatError (a ValueError)
        On any inconsistency, with what is wrong.
    """
    if not isinstance(payload, dict):
        _fail("the top level is not a JSON object")
    expected = {
        "format",
        "format_version",
        "fastml_version",
        "estimator",
        "params",
        "model",
        "checksum",
    }
    if set(payload) != expected:
        _fail(f"top-level fields must be {sorted(expected)}, got {sorted(payload)}")
    if payload["format"] != FORMAT:
        _fail(f"format is {payload['format']!r}, expected {FORMAT!r}")
    version = payload["format_version"]
    if not _is_int(version):
        _fail("format_version must be an integer")
    if version > FORMAT_VERSION:
        _fail(
            f"format_version {version} is newer than this fastml reads "
            f"({FORMAT_VERSION}); upgrade fastml"
        )
    if version != FORMAT_VERSION:
        _fail(f"unsupported format_version {version}")
    checksum = payload["checksum"]
    body = {k: v for k, v in payload.items() if k != "checksum"}
    try:
        digest = hashlib.sha256(_canonical(body)).hexdigest()
    except (TypeError, ValueError):
        _fail("the content cannot be canonicalised")
    if not isinstance(checksum, str) or checksum != "sha256:" + digest:
        _fail("checksum mismatch (the file was truncated or modified)")
    name = payload["estimator"]
    if name not in ("GBDTRegressor", "GBDTClassifier"):
        _fail(f"unknown estimator {name!r}")
    if estimator_name is not None and name != estimator_name:
        _fail(f"the file holds a {name}, not a {estimator_name}")
    params = payload["params"]
    if not isinstance(params, dict):
        _fail("params must be an object")
    from fastml.gbdt._estimators import GBDTClassifier, GBDTRegressor

    cls = GBDTClassifier if name == "GBDTClassifier" else GBDTRegressor
    allowed = set(cls._get_param_names())
    if not set(params) <= allowed:
        _fail(f"unknown parameters {sorted(set(params) - allowed)}")
    model = payload["model"]
    if not isinstance(model, dict) or set(model) != _MODEL_FIELDS:
        _fail(f"model fields must be {sorted(_MODEL_FIELDS)}")
    if model["objective"] not in _OBJECTIVES:
        _fail(f"unknown objective {model['objective']!r}")
    if model["tree_method"] not in ("hist", "exact"):
        _fail("tree_method must be 'hist' or 'exact'")
    n_features = _int_field(model, "n_features", 1, 2**31 - 1)
    n_groups = _int_field(model, "n_groups", 1, 2**20)
    n_rounds = _int_field(model, "n_rounds", 1, 2**31 - 1)
    best_iteration = _int_field(model, "best_iteration", 0, n_rounds - 1)
    names = model["feature_names"]
    if names is not None and (
        not isinstance(names, list)
        or len(names) != n_features
        or not all(isinstance(s, str) for s in names)
    ):
        _fail("feature_names must be null or n_features strings")
    base = _float_list(model["base_margin"], "base_margin")
    if base.shape[0] != n_groups:
        _fail("base_margin must have n_groups entries")
    mds = model["max_delta_step"]
    if not _is_num(mds) or not (mds >= 0 and math.isfinite(mds)):
        _fail("max_delta_step must be a finite number >= 0")
    best_score = model["best_score"]
    if best_score is not None and not _is_num(best_score):
        _fail("best_score must be a number or null")
    if not isinstance(model["use_best"], bool):
        _fail("use_best must be a boolean")
    evals = model["evals_result"]
    if not isinstance(evals, dict) or not all(
        isinstance(d, dict)
        and all(
            isinstance(v, list) and all(x is None or _is_num(x) for x in v)
            for v in d.values()
        )
        for d in evals.values()
    ):
        _fail("evals_result must map set names to metric lists")
    classes = model["classes"]
    objective = model["objective"]
    if name == "GBDTClassifier":
        if not isinstance(classes, dict) or set(classes) != {"kind", "values"}:
            _fail("a classifier needs classes {kind, values}")
        values = classes["values"]
        kind = classes["kind"]
        checks = {
            "int": _is_int,
            "float": _is_num,
            "str": lambda v: isinstance(v, str),
            "bool": lambda v: isinstance(v, bool),
        }
        if (
            kind not in checks
            or not isinstance(values, list)
            or not all(checks[kind](v) for v in values)
        ):
            _fail("classes values do not match their kind")
        n_classes = len(values)
        if n_classes < 2 or len(set(values)) != n_classes:
            _fail("classes must hold at least two distinct labels")
        if n_groups != (1 if n_classes == 2 else n_classes):
            _fail("n_groups does not match the number of classes")
        if objective not in ("binary_logistic", "softmax", "custom"):
            _fail("a classifier's objective must be binary_logistic or softmax")
        dtype = {
            "int": np.int64,
            "float": np.float64,
            "bool": np.bool_,
            "str": np.str_,
        }[kind]
        classes_arr: np.ndarray | None = np.array(values, dtype=dtype)
        if np.any(np.sort(classes_arr) != classes_arr):  # type: ignore[arg-type]
            _fail("classes must be sorted")
    else:
        if classes is not None:
            _fail("a regressor has no classes")
        if n_groups != 1 or objective not in (
            "squared_error",
            "pseudo_huber",
            "poisson",
            "custom",
        ):
            _fail("a regressor has one output and a regression objective")
        classes_arr = None
    trees = _check_trees(model["trees"], n_features, n_rounds, n_groups)
    return {
        "cls": cls,
        "params": params,
        "objective": objective,
        "tree_method": model["tree_method"],
        "n_features": n_features,
        "feature_names": None if names is None else np.array(names, dtype=object),
        "classes": classes_arr,
        "n_groups": n_groups,
        "base_margin": base,
        "max_delta_step": float(mds),
        "n_rounds": n_rounds,
        "best_iteration": best_iteration,
        "best_score": math.nan if best_score is None else float(best_score),
        "use_best": model["use_best"],
        "evals_result": {
            s: {
                m: [math.nan if x is None else float(x) for x in v]
                for m, v in d.items()
            }
            for s, d in evals.items()
        },
        "trees": trees,
    }


def _parse(path: Any) -> Any:
    try:
        with open(os.fspath(path), "rb") as f:
            raw = f.read()
    except OSError:
        raise
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _fail("not UTF-8 text")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        _fail(f"not valid JSON ({exc.msg} at position {exc.pos}); truncated?")


def read_model(path: Any, into: Any = None) -> Any:
    """Read and validate a model file; fill ``into`` (an estimator) or a new one."""
    payload = _parse(path)
    expected = None if into is None else type(into).__name__
    state = validate_model_dict(payload, expected)
    est = state["cls"]() if into is None else into
    defaults = est._get_param_names()
    params = {k: v for k, v in state["params"].items() if k in defaults}
    # Validate the stored parameters the way fit would (on a scratch instance).
    scratch = state["cls"](**params)
    try:
        scratch._check_params()
    except (TypeError, ValueError) as exc:
        _fail(f"invalid parameters ({exc})")
    # Everything is valid: now modify the estimator.
    for attr in list(vars(est)):
        if attr.endswith("_") and not attr.startswith("__"):
            delattr(est, attr)
    est.set_params(**params)
    est.n_features_in_ = state["n_features"]
    if state["feature_names"] is not None:
        est.feature_names_in_ = state["feature_names"]
    if state["classes"] is not None:
        est.classes_ = state["classes"]
        est.n_classes_ = int(state["classes"].shape[0])
    est.objective_ = state["objective"]
    est.tree_method_ = state["tree_method"]
    est.n_groups_ = state["n_groups"]
    est.base_margin_ = state["base_margin"]
    est.max_delta_step_ = state["max_delta_step"]
    est.n_rounds_ = state["n_rounds"]
    est.best_iteration_ = state["best_iteration"]
    est.best_score_ = state["best_score"]
    est._use_best = state["use_best"]
    est.evals_result_ = state["evals_result"]
    est.trees_ = state["trees"]
    est._pack()
    return est


def load_model(path: Any) -> Any:
    """A new GBDTRegressor or GBDTClassifier from a model file written by
    ``save_model`` (validated as described in this module's docstring).

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from fastml.gbdt import GBDTRegressor, load_model
    >>> X = np.arange(40.0).reshape(20, 2)
    >>> model = GBDTRegressor(n_estimators=5).fit(X, X[:, 0])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> model.save_model(path)
    >>> bool(np.array_equal(load_model(path).predict(X), model.predict(X)))
    True
    """
    return read_model(path)
