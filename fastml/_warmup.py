"""Ahead-of-time compilation of the common kernel signatures: :func:`warmup`.

fastml compiles nothing at import; the first call of each kernel signature compiles
it (and stores it in Numba's on-disk cache, so later processes load it in ~10 ms).
:func:`warmup` makes those first calls up front, on tiny canonical inputs (float64
and float32, C-contiguous, int64 labels), family by family.

Registry: ``_FAMILIES`` maps a family name to the fastml module whose public
functions it exercises. For each family, if the module defines a module-level
``_warmup()`` function it is called (areas own their warm-up); otherwise the
fallback in this file calls the area's public functions. Families whose module does
not exist (yet) are skipped. A later area adds one line to ``_FAMILIES`` and,
preferably, a ``_warmup()`` in its ``__init__``.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["warmup", "warmup_families"]

logger = logging.getLogger("fastml.warmup")

_FLOAT_DTYPES = (np.float64, np.float32)


class _Call:
    """``module.<name>(*args, **kwargs)``, or for a class ``name``:
    ``getattr(module.<name>(**init), method)(*args, **kwargs)``."""

    __slots__ = ("name", "args", "kwargs", "method", "init")

    def __init__(
        self,
        name: str,
        *args: Any,
        method: str | None = None,
        init: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self.name = name
        self.args = args
        self.kwargs = kwargs
        self.method = method
        self.init = init or {}

    def __call__(self, target: Any) -> Any:
        if self.method is not None:
            target = getattr(target(**self.init), self.method)
        return target(*self.args, **self.kwargs)


def _call_each(module: ModuleType, calls: Iterable[_Call]) -> int:
    """Make each call on ``module``; count the successful ones.

    A missing name or a failing call is logged and skipped: warm-up is best effort.
    """
    n_ok = 0
    for call in calls:
        target = getattr(module, call.name, None)
        if target is None:
            logger.debug("warmup: %s has no %s", module.__name__, call.name)
            continue
        try:
            call(target)
        except Exception as exc:  # best effort: one bad signature must not stop it
            logger.warning("warmup: %s.%s failed: %s", module.__name__, call.name, exc)
            continue
        n_ok += 1
    return n_ok


def _metrics_calls(module: ModuleType) -> int:
    y_true = np.array([0, 1, 0, 1, 1, 0, 1, 0], dtype=np.int64)
    y_pred = np.array([0, 1, 1, 1, 0, 0, 1, 0], dtype=np.int64)
    y_multi = np.array([0, 1, 2, 1, 2, 0, 1, 2], dtype=np.int64)
    calls = [
        _Call("confusion_matrix", y_true, y_pred),
        _Call("confusion_matrix", y_multi, y_multi[::-1].copy()),
        _Call("f1_score", y_true, y_pred),
    ]
    for dtype in _FLOAT_DTYPES:
        score = np.linspace(0.05, 0.95, y_true.shape[0]).astype(dtype)
        weight = np.ones(y_true.shape[0], dtype=dtype)
        calls += [
            _Call("roc_auc_score", y_true, score),
            _Call("roc_auc_score", y_true, score, sample_weight=weight),
            _Call("average_precision_score", y_true, score),
            _Call("average_precision_score", y_true, score, sample_weight=weight),
            _Call("log_loss", y_true, score),
        ]
    return _call_each(module, calls)


def _preprocessing_calls(module: ModuleType) -> int:
    codes = np.array(
        [[0, 1], [1, 2], [2, 0], [0, 1], [1, 0], [2, 2]] * 4, dtype=np.int64
    )
    target = np.arange(codes.shape[0], dtype=np.float64) % 2
    calls = [
        _Call("OneHotEncoder", codes, method="fit_transform"),
        _Call("TargetEncoder", codes, target, method="fit_transform"),
    ]
    for dtype in _FLOAT_DTYPES:
        X = np.sqrt(np.arange(24, dtype=dtype).reshape(8, 3))
        calls.append(_Call("StandardScaler", X, method="fit_transform"))
    return _call_each(module, calls)


def _activations_calls(module: ModuleType) -> int:
    unary = (
        "sigmoid",
        "sigmoid_grad",
        "log_sigmoid",
        "log_sigmoid_grad",
        "tanh",
        "tanh_grad",
        "relu",
        "relu_grad",
        "leaky_relu",
        "leaky_relu_grad",
        "gelu",
        "gelu_grad",
        "softmax",
        "log_softmax",
        "argmax",
    )
    calls: list[_Call] = []
    for dtype in _FLOAT_DTYPES:
        x = np.linspace(-3.0, 3.0, 12).astype(dtype).reshape(3, 4)
        v = np.ones_like(x)
        calls += [_Call(name, x) for name in unary]
        calls += [_Call(name, x, v) for name in ("softmax_vjp", "log_softmax_vjp")]
    return _call_each(module, calls)


def _losses_calls(module: ModuleType) -> int:
    n = 8
    labels = np.array([0, 1, 1, 0, 1, 0, 0, 1], dtype=np.int64)
    classes = np.arange(n, dtype=np.int64) % 3
    counts = np.array([0.0, 1.0, 2.0, 0.0, 3.0, 1.0, 0.0, 5.0])
    calls: list[_Call] = []
    for dtype in _FLOAT_DTYPES:
        raw = np.linspace(-2.0, 2.0, n).astype(dtype)
        prob = np.linspace(0.1, 0.9, n).astype(dtype)
        logits = np.linspace(-2.0, 2.0, 3 * n).astype(dtype).reshape(n, 3)
        rows = np.full((n, 3), 1.0 / 3.0, dtype=dtype)
        cases: list[tuple[str, dict[str, Any], Any, Any]] = [
            ("SquaredError", {}, counts, raw),
            ("AbsoluteError", {}, counts, raw),
            ("Huber", {}, counts, raw),
            ("PseudoHuber", {}, counts, raw),
            ("Poisson", {}, counts, raw),
            ("BinaryCrossEntropy", {"from_logits": True}, labels, raw),
            ("BinaryCrossEntropy", {"from_logits": False}, labels, prob),
            ("Hinge", {}, labels, raw),
            ("CategoricalCrossEntropy", {"from_logits": True}, classes, logits),
            ("CategoricalCrossEntropy", {"from_logits": False}, classes, rows),
            ("KLDivergence", {"from_logits": True}, rows, logits),
            ("KLDivergence", {"from_logits": False}, rows, rows),
        ]
        for name, init, y_true, y_pred in cases:
            for method in ("loss", "gradient_hessian"):
                calls.append(_Call(name, y_true, y_pred, method=method, init=init))
    return _call_each(module, calls)


#: family name -> (module, fallback used when the module has no ``_warmup()``).
_FAMILIES: dict[str, tuple[str, Callable[[ModuleType], int] | None]] = {
    "metrics": ("fastml.metrics", _metrics_calls),
    "preprocessing": ("fastml.preprocessing", _preprocessing_calls),
    "activations": ("fastml.activations", _activations_calls),
    "losses": ("fastml.losses", _losses_calls),
    "gbdt": ("fastml.gbdt", None),
    "neighbors": ("fastml.neighbors", None),
    "cluster": ("fastml.cluster", None),
    "nn": ("fastml.nn", None),
    "tree": ("fastml.tree", None),
    "decomposition": ("fastml.decomposition", None),
    "ensemble": ("fastml.ensemble", None),
    "linear_model": ("fastml.linear_model", None),
    "svm": ("fastml.svm", None),
}


def warmup_families() -> list[str]:
    """Names of the registered kernel families, in warm-up order."""
    return list(_FAMILIES)


def _warmup_report(
    families: Iterable[str] | None = None, *, strict: bool = False
) -> tuple[dict[str, float], dict[str, str]]:
    """(seconds per family that ran, reason per family that was skipped)."""
    names = list(_FAMILIES) if families is None else list(dict.fromkeys(families))
    unknown = [n for n in names if n not in _FAMILIES]
    if unknown:
        raise ValueError(
            f"unknown warm-up families {unknown}; known: {list(_FAMILIES)}"
        )
    timings: dict[str, float] = {}
    skipped: dict[str, str] = {}
    if names:
        # Numba's own import (~0.5 s) is paid once by whichever family comes first;
        # do it outside the timings so each family shows its own cost.
        importlib.import_module("fastml.kernels._jit")
    for name in names:
        module_name, fallback = _FAMILIES[name]
        start = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            if strict:
                raise
            skipped[name] = f"{module_name} not available ({exc})"
            continue
        hook = getattr(module, "_warmup", None)
        try:
            if callable(hook):
                hook()
            elif fallback is None:
                skipped[name] = f"{module_name} defines no _warmup()"
                continue
            elif fallback(module) == 0:
                skipped[name] = f"no public function of {module_name} could be called"
                continue
        except Exception as exc:
            if strict:
                raise
            logger.warning("warmup: family %s failed: %s", name, exc)
            skipped[name] = f"failed: {type(exc).__name__}: {exc}"
            continue
        timings[name] = time.perf_counter() - start
    return timings, skipped


def warmup(
    families: Iterable[str] | None = None, *, strict: bool = False
) -> dict[str, float]:
    """Compile the common kernel signatures now instead of at their first use.

    Calls each kernel family's public functions on tiny float64 and float32 inputs,
    which compiles (or loads from Numba's cache) their kernels. Nothing is printed;
    families whose area is not installed are skipped (logged at debug level on the
    ``fastml.warmup`` logger).

    Parameters
    ----------
    families : iterable of str or None, default=None
        Families to warm up (see :func:`warmup_families`); None means all.
    strict : bool, default=False
        Re-raise the first error instead of skipping the family.

    Returns
    -------
    dict of str to float
        Seconds spent per family that ran: importing the area and compiling its
        kernels (or loading them from Numba's cache when already cached). Numba's
        own import is done first and not counted.

    Raises
    ------
    ValueError
        For an unknown family name.

    Examples
    --------
    >>> import fastml
    >>> timings = fastml.warmup(families=[])
    >>> timings
    {}
    """
    timings, skipped = _warmup_report(families, strict=strict)
    for name, reason in skipped.items():
        logger.debug("warmup: skipped %s: %s", name, reason)
    return timings
