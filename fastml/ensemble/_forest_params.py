"""Parameter checks of the forest estimators (scikit-learn's wording), the bootstrap
draws and the class weights: the pieces of fastml/ensemble/_forest.py that do not
touch the trees."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from fastml.exceptions import InvalidParameterError

# Per-tree seeds are drawn below this bound (as int32 seeds, like scikit-learn).
MAX_SEED = int(np.iinfo(np.int32).max)

CLASSIFIER_CRITERIA = ("gini", "entropy", "log_loss")
REGRESSOR_CRITERIA = ("squared_error", "absolute_error", "friedman_mse", "poisson")


def _raise(est: Any, name: str, constraint: str, value: Any) -> None:
    raise InvalidParameterError(
        f"The {name!r} parameter of {type(est).__name__} must be {constraint}. "
        f"Got {value!r} instead."
    )


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _is_float(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(
        v, (numbers.Integral, bool, np.bool_)
    )


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_))


def _is_bool(v: Any) -> bool:
    return isinstance(v, (bool, np.bool_))


def _options(options: tuple[str, ...]) -> str:
    return "{" + ", ".join(repr(o) for o in options) + "}"


def validate_forest_params(est: Any, *, classifier: bool) -> None:
    """Check every hyper-parameter of a forest; raise InvalidParameterError
    (a ValueError and a TypeError) with scikit-learn's message otherwise."""
    p = est
    if not (_is_int(p.n_estimators) and p.n_estimators >= 1):
        _raise(est, "n_estimators", "an int in the range [1, inf)", p.n_estimators)
    criteria = CLASSIFIER_CRITERIA if classifier else REGRESSOR_CRITERIA
    if not (isinstance(p.criterion, str) and p.criterion in criteria):
        _raise(est, "criterion", f"a str among {_options(criteria)}", p.criterion)
    if p.max_depth is not None and not (_is_int(p.max_depth) and p.max_depth >= 1):
        _raise(est, "max_depth", "an int in the range [1, inf) or None", p.max_depth)
    v = p.min_samples_split
    if not ((_is_int(v) and v >= 2) or (_is_float(v) and 0.0 < v <= 1.0)):
        _raise(
            est,
            "min_samples_split",
            "an int in the range [2, inf) or a float in the range (0.0, 1.0]",
            v,
        )
    v = p.min_samples_leaf
    if not ((_is_int(v) and v >= 1) or (_is_float(v) and 0.0 < v < 1.0)):
        _raise(
            est,
            "min_samples_leaf",
            "an int in the range [1, inf) or a float in the range (0.0, 1.0)",
            v,
        )
    v = p.min_weight_fraction_leaf
    if not (_is_real(v) and 0.0 <= v <= 0.5):
        _raise(est, "min_weight_fraction_leaf", "a float in the range [0.0, 0.5]", v)
    v = p.max_features
    if not (
        v is None
        or (_is_int(v) and v >= 1)
        or (_is_float(v) and 0.0 < v <= 1.0)
        or (isinstance(v, str) and v in ("sqrt", "log2"))
    ):
        _raise(
            est,
            "max_features",
            "an int in the range [1, inf), a float in the range (0.0, 1.0], a str "
            "among {'sqrt', 'log2'} or None",
            v,
        )
    v = p.max_leaf_nodes
    if v is not None and not (_is_int(v) and v >= 2):
        _raise(est, "max_leaf_nodes", "an int in the range [2, inf) or None", v)
    for name in ("min_impurity_decrease", "ccp_alpha"):
        v = getattr(p, name)
        if not (_is_real(v) and v >= 0.0 and not np.isnan(v)):
            _raise(est, name, "a float in the range [0.0, inf)", v)
    bool_msg = "an instance of 'bool' or an instance of 'numpy.bool'"
    for name in ("bootstrap", "warm_start"):
        if not _is_bool(getattr(p, name)):
            _raise(est, name, bool_msg, getattr(p, name))
    if not (_is_bool(p.oob_score) or callable(p.oob_score)):
        _raise(est, "oob_score", bool_msg + " or a callable", p.oob_score)
    if p.n_jobs is not None and not _is_int(p.n_jobs):
        _raise(est, "n_jobs", "an instance of 'int' or None", p.n_jobs)
    v = p.random_state
    if not (
        v is None
        or isinstance(v, np.random.RandomState)
        or (_is_int(v) and 0 <= v <= 2**32 - 1)
    ):
        _raise(
            est,
            "random_state",
            "an int in the range [0, 4294967295], an instance of "
            "'numpy.random.mtrand.RandomState' or None",
            v,
        )
    v = p.verbose
    if not ((_is_int(v) and v >= 0) or _is_bool(v)):
        _raise(
            est,
            "verbose",
            "an int in the range [0, inf), an instance of 'bool' or an instance of "
            "'numpy.bool'",
            v,
        )
    v = p.max_samples
    if not (v is None or (_is_float(v) and v > 0.0) or (_is_int(v) and v >= 1)) or (
        _is_float(v) and np.isnan(v)
    ):
        _raise(
            est,
            "max_samples",
            "None, a float in the range (0.0, inf) or an int in the range [1, inf)",
            v,
        )
    if classifier:
        v = p.class_weight
        if not (
            v is None
            or isinstance(v, (dict, list))
            or (isinstance(v, str) and v in ("balanced", "balanced_subsample"))
        ):
            _raise(
                est,
                "class_weight",
                "a str among {'balanced', 'balanced_subsample'}, an instance of "
                "'dict', an instance of 'list' or None",
                v,
            )


def resolve_max_features(max_features: Any, n_features: int) -> int:
    """The number of features drawn at each split (scikit-learn's rules)."""
    if max_features is None:
        value = n_features
    elif isinstance(max_features, str):
        if max_features == "sqrt":
            value = max(1, int(np.sqrt(n_features)))
        else:
            value = max(1, int(np.log2(n_features)))
    elif _is_int(max_features):
        value = int(max_features)
    else:
        value = max(1, int(max_features * n_features)) if max_features > 0 else 0
    if not 0 < value <= n_features:
        raise ValueError("max_features must be in (0, n_features]")
    return value


def n_bootstrap_samples(
    n_samples: int, max_samples: Any, sample_weight: np.ndarray | None
) -> int:
    """Rows drawn per tree: n_samples (None), max_samples (int), or the fraction
    ``max_samples`` of the number of rows (or of the total sample weight)."""
    if max_samples is None:
        return n_samples
    if _is_int(max_samples):
        return int(max_samples)
    if sample_weight is None:
        total: float = n_samples
        what = f"the number of samples is {n_samples} "
    else:
        total = float(sample_weight.sum())
        what = f"the total sum of sample weights is {total} "
    n_draws = max(int(max_samples * total), 1)
    if n_draws < max(10, n_samples ** (1 / 3)):
        warnings.warn(
            f"Using the fractional value max_samples={max_samples} when {what}"
            f"results in a low number ({n_draws}) of bootstrap samples. We recommend "
            "passing `max_samples` as an integer instead.",
            UserWarning,
            stacklevel=4,
        )
    return n_draws


def draw_bootstrap(
    seed: int, n_samples: int, n_draws: int, sample_weight: np.ndarray | None
) -> np.ndarray:
    """In-bag row indices (int32, with repeats) of the tree seeded with ``seed``.

    Rows are drawn uniformly with replacement, or with probability proportional to
    ``sample_weight`` when given. The draws use ``numpy.random.RandomState(seed)``
    in the same way as scikit-learn, so the in-bag rows equal scikit-learn's for the
    same per-tree seed.
    """
    rng = np.random.RandomState(seed)
    if sample_weight is None:
        idx = rng.randint(0, n_samples, n_draws)
    else:
        idx = rng.choice(
            n_samples, n_draws, replace=True, p=sample_weight / sample_weight.sum()
        )
    return idx.astype(np.int32)


def class_weight_vector(
    class_weight: Any,
    classes: np.ndarray,
    y_idx: np.ndarray,
    sample_weight: np.ndarray | None,
) -> np.ndarray:
    """Weight of each class (in the order of ``classes``) for a dict, a list of one
    dict, or "balanced": ``sum(w) / (n_classes * class weight sums)``."""
    n_classes = classes.shape[0]
    if isinstance(class_weight, list):
        if len(class_weight) != 1:
            raise ValueError(
                "For multi-output, number of elements in class_weight should match "
                "number of outputs."
            )
        class_weight = class_weight[0]
    if isinstance(class_weight, str):  # "balanced" (or "balanced_subsample" here)
        counts = np.bincount(y_idx, weights=sample_weight, minlength=n_classes)
        with np.errstate(divide="ignore"):
            return np.asarray(counts.sum() / (n_classes * counts), dtype=np.float64)
    weights = np.ones(n_classes, dtype=np.float64)
    if not isinstance(class_weight, dict):
        raise ValueError("class_weight must be dict, 'balanced', or None")
    unweighted = []
    for i, c in enumerate(classes):
        key: Any = c.item() if hasattr(c, "item") else c
        if key in class_weight:
            weights[i] = class_weight[key]
        else:
            unweighted.append(key)
    if unweighted and n_classes - len(unweighted) != len(class_weight):
        raise ValueError(f"The classes, {unweighted}, are not in class_weight")
    return weights


def subsample_class_weights(
    y_idx: np.ndarray, in_bag: np.ndarray, n_classes: int
) -> np.ndarray:
    """Per-row weights of the "balanced_subsample" option: "balanced" class weights
    computed on the in-bag draws (with repeats); classes absent from them weigh 0."""
    counts = np.bincount(y_idx[in_bag], minlength=n_classes).astype(np.float64)
    present = counts > 0
    class_w = np.zeros(n_classes, dtype=np.float64)
    class_w[present] = in_bag.shape[0] / (int(present.sum()) * counts[present])
    return class_w[y_idx]
