"""QuantizedLinear, quantize_model and the memory report.

Formats of a quantized linear layer (weights of shape (out_features, in_features)):

- ``"int8"``: weights int8, symmetric per output channel (one float32 scale per
  row, range [-127, 127]); activations quantized dynamically at every call,
  symmetric per row (per token), then an exact int8 x int8 -> int32 product and a
  float32 rescale ``acc * (x_scale[i] * w_scale[j]) + bias[j]`` fused in one kernel.
  Activation outliers, entries with ``|x| > outlier_threshold`` (default 6.0, the
  value of the LLM.int8() paper, Dettmers et al. 2022), are left out of their row's
  int8 range and multiplied in float32 with the dequantized weight columns:
  transformer activations have a few large features (up to ~20 x a token's RMS in
  MiniLM) that would otherwise set the quantization step of every other feature.
  The choice is per row, so a row's output does not depend on the batch.
  NaN or infinity in the input raise ValueError (they cannot be quantized).
- ``"bfloat16"`` / ``"float16"``: weight-only: weights stored as bfloat16 (uint16
  bit patterns) or float16, widened to float32 at every call (no cache: the point is
  the memory saved) and multiplied with numpy's float32 matmul (BLAS).

Biases stay float32. The output has the dtype the original layer computed in
(float32, or float64 for a float64 layer).
"""

from __future__ import annotations

import copy
import types
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.nn._layers import Linear
from fastml.nn._quantize_float import (
    bfloat16_to_float32,
    float16_to_float32,
    float32_to_bfloat16,
    float32_to_float16,
)
from fastml.nn._quantize_int8 import check_inner_dim, quantize

__all__ = [
    "FORMATS",
    "QuantizedLinear",
    "memory_report",
    "memory_table",
    "quantize_model",
]

#: The formats of :class:`QuantizedLinear` and :func:`quantize_model`.
FORMATS = ("int8", "bfloat16", "float16")


def _kernels() -> Any:
    from fastml.kernels.nn import quantize as kernels

    return kernels


def _check_format(dtype: Any) -> str:
    if dtype not in FORMATS:
        raise ValueError(f"dtype must be one of {FORMATS}, got {dtype!r}.")
    return str(dtype)


def _check_threshold(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"outlier_threshold must be a number or None, got {value!r}.")
    if not value > 0:  # also rejects NaN
        raise ValueError(f"outlier_threshold must be positive, got {value!r}.")
    return float(value)


def _float_matrix(value: Any, name: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {array.dtype}.")
    if array.ndim != 2:
        raise ValueError(f"{name} must be 2-D, got shape {array.shape}.")
    return array


class QuantizedLinear:
    """A linear layer ``y = x @ weight.T + bias`` with int8, bfloat16 or float16
    weights; a drop-in replacement for :class:`fastml.nn.Linear`.

    Parameters
    ----------
    weight : ndarray of shape (out_features, in_features)
        Finite float weights (quantized here; float64 is rounded to float32 first).
    bias : ndarray of shape (out_features,), default=None
        Kept in float32.
    dtype : {"int8", "bfloat16", "float16"}, default="int8"
        Storage format of the weights (see the module docstring for the int8
        scheme).
    n_jobs : int or None, default=None
        Threads of the int8 kernels (None means 1, -1 all CPUs); results do not
        depend on it. The float formats use numpy's BLAS and its thread setting.
    out_dtype : {"float32", "float64"}, default="float32"
        dtype of the output (that of the layer being replaced).
    outlier_threshold : float or None, default=6.0
        int8 format: activation entries with a larger magnitude are multiplied in
        float32 instead of int8 (LLM.int8()'s decomposition); None quantizes every
        entry.

    Attributes
    ----------
    weight_q : ndarray of shape (out_features, in_features)
        int8 (int8 format), uint16 bfloat16 bit patterns, or float16.
    weight_scale : ndarray of shape (out_features,), float32, or None
        Per-output-channel scales (int8 format only).
    bias : ndarray of shape (out_features,), float32, or None

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.nn import Linear
    >>> layer = Linear(np.array([[1.0, -2.0], [0.5, 0.25]], np.float32))
    >>> q = QuantizedLinear.from_linear(layer, "int8")
    >>> x = np.array([[1.0, 1.0]], np.float32)
    >>> layer(x)
    array([[-1.  ,  0.75]], dtype=float32)
    >>> q(x)  # weights and activations each rounded to 1/127 of their row's range
    array([[-0.992126 ,  0.7519685]], dtype=float32)
    >>> q.weight_q, q.weight_scale
    (array([[  64, -127],
           [ 127,   64]], dtype=int8), array([0.01574803, 0.00393701], dtype=float32))
    """

    # Its call takes n_jobs (see fastml.nn._layers.call_layer).
    threaded = True

    def __init__(
        self,
        weight: Any,
        bias: Any = None,
        *,
        dtype: str = "int8",
        n_jobs: int | None = None,
        out_dtype: Any = "float32",
        outlier_threshold: float | None = 6.0,
    ) -> None:
        self.dtype = _check_format(dtype)
        self.outlier_threshold = _check_threshold(outlier_threshold)
        resolve_n_jobs(n_jobs)
        self.n_jobs = n_jobs
        self.out_dtype = np.dtype(out_dtype)
        if self.out_dtype not in (np.float32, np.float64):
            raise ValueError(f"out_dtype must be float32 or float64, got {out_dtype}.")
        weight32 = np.asarray(_float_matrix(weight, "weight"), dtype=np.float32)
        if not np.isfinite(weight32).all():
            raise ValueError("weight contains NaN or infinity.")
        self.weight_scale: np.ndarray | None = None
        if self.dtype == "int8":
            check_inner_dim(weight32.shape[1])
            quantized = quantize(weight32, scheme="symmetric", axis=0)
            self.weight_q = quantized.values
            self.weight_scale = quantized.scale
        elif self.dtype == "bfloat16":
            self.weight_q = float32_to_bfloat16(weight32)
        else:
            self.weight_q = float32_to_float16(weight32)
        self.bias: np.ndarray | None = None
        if bias is not None:
            b = np.asarray(bias)
            if b.dtype.kind not in "biuf" or b.ndim != 1:
                raise ValueError(f"bias must be a numeric 1-D array, got {b.shape}.")
            if b.shape[0] != weight32.shape[0]:
                raise ValueError(
                    f"bias has {b.shape[0]} entries, weight has "
                    f"{weight32.shape[0]} output features."
                )
            self.bias = np.array(b, dtype=np.float32)
            if not np.isfinite(self.bias).all():
                raise ValueError("bias contains NaN or infinity.")

    @classmethod
    def from_linear(
        cls,
        layer: Linear,
        dtype: str = "int8",
        n_jobs: int | None = None,
        outlier_threshold: float | None = 6.0,
    ) -> QuantizedLinear:
        """The quantized version of a :class:`fastml.nn.Linear` layer."""
        if not isinstance(layer, Linear):
            raise TypeError(f"expected a Linear layer, got {type(layer).__name__}.")
        return cls(
            layer.weight,
            layer.bias,
            dtype=dtype,
            n_jobs=n_jobs,
            out_dtype=layer.weight.dtype,
            outlier_threshold=outlier_threshold,
        )

    @property
    def in_features(self) -> int:
        return int(self.weight_q.shape[1])

    @property
    def out_features(self) -> int:
        return int(self.weight_q.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the stored arrays (weights, scales, bias)."""
        arrays = (self.weight_q, self.weight_scale, self.bias)
        return sum(a.nbytes for a in arrays if a is not None)

    @property
    def weight(self) -> np.ndarray:
        """The dequantized weights, float32 (a new array at every access)."""
        if self.dtype == "int8":
            assert self.weight_scale is not None
            return self.weight_q.astype(np.float32) * self.weight_scale[:, None]
        if self.dtype == "bfloat16":
            return bfloat16_to_float32(self.weight_q)
        return float16_to_float32(self.weight_q)

    def _rows(self, x: Any) -> np.ndarray:
        array = np.asarray(x)
        if array.dtype.kind not in "biuf":
            raise ValueError(f"x must be numeric, got dtype {array.dtype}.")
        if array.ndim == 0 or array.shape[-1] != self.in_features:
            raise ValueError(
                f"x has {array.shape[-1] if array.ndim else 0} features in its last "
                f"dimension, but the layer expects {self.in_features} "
                f"(shape {array.shape})."
            )
        with np.errstate(over="ignore"):  # float64 beyond float32's range: inf
            return np.ascontiguousarray(
                array.reshape(-1, self.in_features), dtype=np.float32
            )

    def __call__(self, x: Any, n_jobs: int | None = None) -> np.ndarray:
        """The layer's output for ``x`` (..., in_features); ``n_jobs`` overrides
        the layer's own ``n_jobs`` for this call when given."""
        rows = self._rows(x)
        lead = np.shape(x)[:-1]
        n_rows, n_out = rows.shape[0], self.out_features
        if self.dtype == "int8":
            out = self._int8(rows, n_jobs) if n_rows and n_out else None
            if out is None:
                out = np.zeros((n_rows, n_out), dtype=np.float32)
                if self.bias is not None:
                    out += self.bias
        else:
            out = np.matmul(rows, self.weight.T)
            if self.bias is not None:
                out += self.bias
        return out.reshape(*lead, n_out).astype(self.out_dtype, copy=False)

    def _int8(self, rows: np.ndarray, n_jobs: int | None) -> np.ndarray:
        from fastml.kernels._jit import num_threads

        kernels = _kernels()
        n_rows = rows.shape[0]
        assert self.weight_scale is not None
        bias = self.bias
        if bias is None:
            bias = np.zeros(self.out_features, dtype=np.float32)
        threshold = np.inf if self.outlier_threshold is None else self.outlier_threshold
        x_q = np.empty(rows.shape, dtype=np.int8)
        x_scale = np.empty(n_rows, dtype=np.float32)
        n_outliers = np.empty(n_rows, dtype=np.int64)
        out = np.empty((n_rows, self.out_features), dtype=np.float32)
        with num_threads(resolve_n_jobs(self.n_jobs if n_jobs is None else n_jobs)):
            check = kernels.quantize_rows_symmetric(
                rows, threshold, x_q, x_scale, n_outliers
            )
            if np.isnan(check):
                raise ValueError(
                    "x contains NaN or infinity; the int8 layer quantizes its input "
                    "and needs finite values."
                )
            kernels.linear_int8(
                x_q, x_scale, self.weight_q, self.weight_scale, bias, out
            )
            if n_outliers.any():
                kernels.add_outlier_products(
                    rows, threshold, n_outliers, self.weight_q, self.weight_scale, out
                )
        return out

    def __repr__(self) -> str:
        return (
            f"QuantizedLinear(in_features={self.in_features}, out_features="
            f"{self.out_features}, bias={self.bias is not None}, dtype='{self.dtype}')"
        )


# ---------------------------------------------------------------------------------
# Walking a model
# ---------------------------------------------------------------------------------

_LEAF_TYPES = (str, bytes, bytearray, int, float, complex, bool, type(None), np.generic)


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    """(path suffix, child) for the attributes and items of ``obj``."""
    if isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield f"[{i}]", item
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield f"[{key!r}]", item
    elif isinstance(obj, (set, frozenset)):
        return
    else:
        attrs = getattr(obj, "__dict__", None)
        if isinstance(attrs, dict):
            for name, item in attrs.items():
                yield f".{name}", item
        for cls in type(obj).__mro__:
            for name in getattr(cls, "__slots__", ()):
                if isinstance(name, str) and hasattr(obj, name):
                    yield f".{name}", getattr(obj, name)


def _enter(obj: Any) -> bool:
    """Whether the walk looks inside ``obj`` (not arrays, scalars, classes,
    modules or functions)."""
    return not isinstance(
        obj,
        (
            np.ndarray,
            *_LEAF_TYPES,
            type,
            types.ModuleType,
            types.FunctionType,
            types.BuiltinFunctionType,
            types.MethodType,
        ),
    )


def _walk(model: Any) -> Iterator[tuple[str, Any]]:
    """Depth-first (path, object) over the arrays and objects reachable from
    ``model`` through attributes, lists, tuples and dicts, each object once (in
    attribute order); scalars and strings are skipped."""
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("model", model)]
    while stack:
        path, obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        yield path, obj
        if not _enter(obj):
            continue
        children = [
            (path + suffix, child)
            for suffix, child in _children(obj)
            if isinstance(child, np.ndarray) or _enter(child)
        ]
        stack.extend(reversed(children))


def quantize_model(
    model: Any,
    dtype: str = "int8",
    *,
    n_jobs: int | None = None,
    outlier_threshold: float | None = 6.0,
) -> Any:
    """A copy of ``model`` with every :class:`fastml.nn.Linear` quantized.

    Every Linear reachable from ``model`` through attributes, lists, tuples and dicts
    (recursively) is replaced by a :class:`QuantizedLinear` of format ``dtype``; the
    rest of the model is deep-copied (a layer shared by several parents stays
    shared). The original model is not modified.

    Parameters
    ----------
    model : object
        A layer, or a model keeping its layers as attributes or in lists (e.g.
        :class:`fastml.nn.BertModel`, :class:`fastml.nn.GPTDecoder`). A Linear is
        returned quantized.
    dtype : {"int8", "bfloat16", "float16"}, default="int8"
    n_jobs : int or None, default=None
        Threads of the int8 layers.
    outlier_threshold : float or None, default=6.0
        Of the int8 layers (see :class:`QuantizedLinear`).

    Returns
    -------
    quantized_model : object
    """
    _check_format(dtype)
    resolve_n_jobs(n_jobs)
    _check_threshold(outlier_threshold)
    memo: dict[int, Any] = {}
    for _, obj in _walk(model):
        if isinstance(obj, Linear):
            memo[id(obj)] = QuantizedLinear.from_linear(
                obj, dtype, n_jobs=n_jobs, outlier_threshold=outlier_threshold
            )
    return copy.deepcopy(model, memo)


def _layer_format(layer: Any) -> str:
    if isinstance(layer, QuantizedLinear):
        return layer.dtype
    return str(layer.weight.dtype)


def memory_report(model: Any) -> dict[str, Any]:
    """Bytes held by the arrays of a model, per linear layer and in total.

    Computed from the arrays actually reachable from ``model`` (attributes, lists,
    tuples, dicts), each array counted once even when shared.

    Parameters
    ----------
    model : object
        A model, a layer, or anything holding arrays.

    Returns
    -------
    report : dict
        ``"layers"``: for every Linear / QuantizedLinear, by path
        (``"model.encoder.layers[0].query"``), a dict with ``"type"``,
        ``"format"`` ("float32", "int8", ...) and ``"nbytes"`` (its weights,
        scales and bias); ``"linear_bytes"``: their sum; ``"other_bytes"``: every
        other array (embeddings, normalisation weights ...); ``"total_bytes"``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.nn import Linear
    >>> model = {"proj": Linear(np.zeros((4, 8), np.float32), np.zeros(4, np.float32))}
    >>> memory_report(model)["linear_bytes"]
    144
    >>> memory_report(quantize_model(model, "int8"))["linear_bytes"]
    64
    """
    layers: dict[str, dict[str, Any]] = {}
    counted: set[int] = set()
    other = 0
    arrays: list[np.ndarray] = []
    for path, obj in _walk(model):
        if isinstance(obj, (Linear, QuantizedLinear)):
            nbytes = 0
            for _, child in _children(obj):
                if isinstance(child, np.ndarray) and id(child) not in counted:
                    counted.add(id(child))
                    nbytes += child.nbytes
            layers[path] = {
                "type": type(obj).__name__,
                "format": _layer_format(obj),
                "nbytes": nbytes,
            }
        elif isinstance(obj, np.ndarray):
            arrays.append(obj)
    for array in arrays:
        if id(array) not in counted:
            counted.add(id(array))
            other += array.nbytes
    linear = sum(layer["nbytes"] for layer in layers.values())
    return {
        "layers": layers,
        "linear_bytes": linear,
        "other_bytes": other,
        "total_bytes": linear + other,
    }


def memory_table(models: Mapping[str, Any]) -> str:
    """A text table comparing the memory of several versions of a model.

    Parameters
    ----------
    models : mapping of str to model
        E.g. ``{"float32": model, "int8": quantize_model(model, "int8")}``; the
        first entry is the reference of the ratios.

    Returns
    -------
    table : str
        One row per linear layer, then the linear, other and total bytes, with each
        version's size in KiB and its ratio to the first.
    """
    if not models:
        raise ValueError("models must hold at least one model.")
    names = list(models)
    reports = [memory_report(models[name]) for name in names]
    rows: list[tuple[str, list[int]]] = []
    for path in reports[0]["layers"]:
        sizes = [r["layers"].get(path, {}).get("nbytes", 0) for r in reports]
        rows.append((path, sizes))
    for key in ("linear_bytes", "other_bytes", "total_bytes"):
        rows.append((key.replace("_bytes", " (all)"), [r[key] for r in reports]))
    width = max(len(path) for path, _ in rows)
    header = f"{'':<{width}}" + "".join(
        f"  {name + ' KiB':>14}" + ("" if i == 0 else f"  {'ratio':>6}")
        for i, name in enumerate(names)
    )
    lines = [header]
    for path, sizes in rows:
        cells = []
        for i, size in enumerate(sizes):
            cells.append(f"  {size / 1024:>14.1f}")
            if i:
                ratio = size / sizes[0] if sizes[0] else float("nan")
                cells.append(f"  {ratio:>6.3f}")
        lines.append(f"{path:<{width}}" + "".join(cells))
    return "\n".join(lines)
