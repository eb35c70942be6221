"""Activation functions and their derivatives.

Every function takes an array-like ``x`` and returns a new array of the same shape
(``argmax`` drops ``axis``). Dtypes: float32 in gives float32 out and float64 gives
float64; float16 is computed and returned as float32, other numeric input (bool, int,
long double, object holding numbers) as float64. Strings and complex numbers raise.

The input is never modified. Pass ``out=`` (an ndarray of the result's shape and
dtype, which may be ``x`` itself) to write the result in place; the function then
returns ``out``.

NaN propagates. The functions are stable for any finite input: sigmoid, log_sigmoid,
softmax and log_softmax never overflow (at ``|x| = 1e4`` they give 0/1, ``x``/0 and
exact one-hot rows), and the limits at +-inf are returned where they exist
(``gelu(-inf) = -0.0``).

Derivatives
-----------
For the elementwise functions, ``<name>_grad(x)`` returns the elementwise derivative
d name(x) / dx (the diagonal of the Jacobian). Softmax and log-softmax mix a row, so
their derivatives are given as vector-Jacobian products: ``softmax_vjp(x, v)``
returns ``J(x)^T v`` along ``axis``, which is what a backward pass needs.
At the kinks the one-sided convention of torch is used: ``relu_grad(0) = 0`` and
``leaky_relu_grad(0) = negative_slope``.

Threads: ``n_jobs`` follows scikit-learn (None means 1, -1 all CPUs) and only matters
for large inputs; results do not depend on it.

Examples
--------
>>> import numpy as np
>>> from fastml.activations import sigmoid, softmax
>>> sigmoid(np.array([-1e4, 0.0, 1e4]))
array([0. , 0.5, 1. ])
>>> softmax(np.array([[1.0, 1.0], [0.0, 1e4]]))
array([[0.5, 0.5],
       [0. , 1. ]])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from fastml._config import resolve_n_jobs
from fastml.utils.validation import check_array

__all__ = [
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
    "softmax_vjp",
    "log_softmax",
    "log_softmax_vjp",
    "argmax",
]

# Below this many elements per thread, starting a thread costs more than it saves.
_MIN_ELEMENTS_PER_THREAD = 1 << 15


def _as_float(x: Any, name: str = "x") -> np.ndarray:
    """Return ``x`` as a float32/float64 ndarray (a view of the input when possible)."""
    arr = check_array(
        x,
        dtype="numeric",
        order=None,
        ensure_2d=False,
        allow_nd=True,
        ensure_all_finite=False,
        ensure_min_samples=0,
        ensure_min_features=0,
        input_name=name,
    )
    if arr.dtype == np.float32 or arr.dtype == np.float64:
        return arr
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    return arr.astype(np.float64)


def _check_out(out: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray, got {type(out).__name__}.")
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(
            f"out must have shape {shape} and dtype {dtype}, got shape {out.shape} "
            f"and dtype {out.dtype}."
        )
    if not out.flags.writeable:
        raise ValueError("out is read-only.")
    return out


def _finish(result: np.ndarray, out: np.ndarray | None) -> Any:
    """Copy into ``out`` when needed; numpy scalar for 0-d results without ``out``."""
    if out is not None:
        if result is not out:
            np.copyto(out, result)
        return out
    return result[()] if result.ndim == 0 else result


def _n_threads(n_elements: int, n_jobs: int | None) -> int:
    wanted = resolve_n_jobs(n_jobs)
    return max(1, min(wanted, n_elements // _MIN_ELEMENTS_PER_THREAD))


def _read_only(arr: np.ndarray) -> np.ndarray:
    """A read-only view: kernels always see read-only inputs (one specialization)."""
    view = arr.view()
    view.flags.writeable = False
    return view


def _kernel_for(family: str, dtype: np.dtype) -> Any:
    from fastml.kernels.nn import activations as kernels

    suffix = "f32" if dtype == np.float32 else "f64"
    return getattr(kernels, f"{family}_{suffix}")


def _kind(name: str) -> int:
    from fastml.kernels.nn import activations as kernels

    return int(getattr(kernels, name))


def _elementwise(
    kind_name: str, x: Any, out: np.ndarray | None, n_jobs: int | None
) -> Any:
    """Run the elementwise kernel ``kind_name`` of fastml.kernels.nn.activations."""
    arr = _as_float(x)
    if out is not None:
        out = _check_out(out, arr.shape, arr.dtype)
    n_threads = _n_threads(arr.size, n_jobs)  # validates n_jobs even for empty input
    if out is not None and out.flags.c_contiguous:
        result = out
    else:
        result = np.empty(arr.shape, dtype=arr.dtype)
    if arr.size:
        from fastml._parallel import run_chunks

        family = "apply_gelu" if kind_name.startswith("GELU") else "apply_sigmoid"
        kernel = _kernel_for(family, arr.dtype)
        kind = _kind(kind_name)
        src = _read_only(np.ascontiguousarray(arr).reshape(-1))
        dst = result.reshape(-1)

        def chunk(start: int, stop: int) -> None:
            kernel(kind, src[start:stop], dst[start:stop])

        run_chunks(chunk, src.shape[0], n_threads)
    return _finish(result, out)


def sigmoid(x: Any, *, out: np.ndarray | None = None, n_jobs: int | None = None) -> Any:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, elementwise.

    Parameters
    ----------
    x : array-like
        Input of any shape.
    out : ndarray, default=None
        Array of the result's shape and dtype to write into (may be ``x``).
    n_jobs : int, default=None
        Threads for large inputs (None means 1, -1 all CPUs).

    Returns
    -------
    ndarray
        Values in [0, 1], same shape as ``x``.

    Examples
    --------
    >>> from fastml.activations import sigmoid
    >>> float(sigmoid(0.0))
    0.5
    """
    return _elementwise("SIGMOID", x, out, n_jobs)


def sigmoid_grad(
    x: Any, *, out: np.ndarray | None = None, n_jobs: int | None = None
) -> Any:
    """Derivative of :func:`sigmoid`: ``sigmoid(x) * (1 - sigmoid(x))``, elementwise.

    Computed as ``e / (1 + e)**2`` with ``e = exp(-|x|)``, so the tails are accurate
    (not ``1 - 1 = 0`` too early). Parameters as in :func:`sigmoid`.

    Examples
    --------
    >>> from fastml.activations import sigmoid_grad
    >>> float(sigmoid_grad(0.0))
    0.25
    """
    return _elementwise("SIGMOID_GRAD", x, out, n_jobs)


def log_sigmoid(
    x: Any, *, out: np.ndarray | None = None, n_jobs: int | None = None
) -> Any:
    """``log(sigmoid(x)) = -softplus(-x)``, elementwise, without overflow.

    Parameters as in :func:`sigmoid`.

    Examples
    --------
    >>> from fastml.activations import log_sigmoid
    >>> float(log_sigmoid(-1e4))
    -10000.0
    """
    return _elementwise("LOG_SIGMOID", x, out, n_jobs)


def log_sigmoid_grad(
    x: Any, *, out: np.ndarray | None = None, n_jobs: int | None = None
) -> Any:
    """Derivative of :func:`log_sigmoid`: ``1 - sigmoid(x) = sigmoid(-x)``.

    Parameters as in :func:`sigmoid`.
    """
    arr = _as_float(x)
    return _elementwise("SIGMOID", np.negative(arr), out, n_jobs)


def tanh(x: Any, *, out: np.ndarray | None = None) -> Any:
    """Hyperbolic tangent, elementwise (NumPy's ``tanh``, which is already optimal).

    Parameters
    ----------
    x : array-like
    out : ndarray, default=None
        Array of the result's shape and dtype to write into (may be ``x``).

    Returns
    -------
    ndarray
        Values in [-1, 1], same shape as ``x``.
    """
    arr = _as_float(x)
    if out is not None:
        out = _check_out(out, arr.shape, arr.dtype)
    return _finish(np.tanh(arr, out=out), out)


def tanh_grad(x: Any, *, out: np.ndarray | None = None) -> Any:
    """Derivative of :func:`tanh`: ``1 - tanh(x)**2``, elementwise."""
    arr = _as_float(x)
    if out is not None:
        out = _check_out(out, arr.shape, arr.dtype)
    t = np.tanh(arr, out=np.empty_like(arr))
    np.multiply(t, t, out=t)
    return _finish(np.subtract(1, t, out=t), out)


def relu(x: Any, *, out: np.ndarray | None = None) -> Any:
    """Rectified linear unit ``max(x, 0)``, elementwise (NaN stays NaN).

    Parameters
    ----------
    x : array-like
    out : ndarray, default=None
        Array of the result's shape and dtype to write into (may be ``x``).

    Examples
    --------
    >>> from fastml.activations import relu
    >>> relu([-1.0, 2.0])
    array([0., 2.])
    """
    arr = _as_float(x)
    if out is not None:
        out = _check_out(out, arr.shape, arr.dtype)
    return _finish(np.maximum(arr, arr.dtype.type(0), out=out), out)


def relu_grad(x: Any, *, out: np.ndarray | None = None) -> Any:
    """Derivative of :func:`relu`: 1 where ``x > 0``, else 0 (0 at the kink, as torch).

    NaN input gives 0 (the comparison is false), as in torch's backward.
    """
    arr = _as_float(x)
    if out is not None:
        out = _check_out(out, arr.shape, arr.dtype)
    return _finish(np.greater(arr, 0).astype(arr.dtype), out)


def _check_slope(negative_slope: Any) -> float:
    if isinstance(negative_slope, bool) or not isinstance(
        negative_slope, (int, float, np.integer, np.floating)
    ):
        raise TypeError(
            "negative_slope must be a real number, got "
            f"{type(negative_slope).__name__}."
        )
    if not math.isfinite(negative_slope):
        raise ValueError(f"negative_slope must be finite, got {negative_slope}.")
    return float(negative_slope)


def leaky_relu(
    x: Any, negative_slope: float = 0.01, *, out: np.ndarray | None = None
) -> Any:
    """Leaky ReLU: ``x`` where ``x >= 0``, ``negative_slope * x`` elsewhere.

    Parameters
    ----------
    x : array-like
    negative_slope : float, default=0.01
        Slope for negative inputs (any finite number, as in torch).
    out : ndarray, default=None
        Array of the result's shape and dtype to write into (may be ``x``).

    Examples
    --------
    >>> from fastml.activations import leaky_relu
    >>> leaky_relu([-2.0, 3.0], negative_slope=0.5)
    array([-1.,  3.])
    """
    slope = _check_slope(negative_slope)
    arr = _as_float(x)
    if out is not None:
        out = _check_out(out, arr.shape, arr.dtype)
    # NEP 50: a Python float scalar does not promote float32 arrays.
    result = np.where(arr >= 0, arr, arr * slope)
    return _finish(result, out)


def leaky_relu_grad(
    x: Any, negative_slope: float = 0.01, *, out: np.ndarray | None = None
) -> Any:
    """Derivative of :func:`leaky_relu`: 1 where ``x > 0``, else ``negative_slope``.

    At 0 this is ``negative_slope`` (torch's convention); NaN gives ``negative_slope``.
    """
    slope = _check_slope(negative_slope)
    arr = _as_float(x)
    if out is not None:
        out = _check_out(out, arr.shape, arr.dtype)
    one = arr.dtype.type(1)
    result = np.where(arr > 0, one, arr.dtype.type(slope))
    return _finish(result, out)


def _check_approximate(approximate: Any) -> bool:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}.")
    return approximate == "tanh"


def gelu(
    x: Any,
    approximate: str = "none",
    *,
    out: np.ndarray | None = None,
    n_jobs: int | None = None,
) -> Any:
    """Gaussian error linear unit ``x * Phi(x)`` (Phi the standard normal CDF).

    Parameters
    ----------
    x : array-like
    approximate : {"none", "tanh"}, default="none"
        "none": the exact ``0.5 * x * (1 + erf(x / sqrt(2)))``; "tanh": the
        approximation ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``.
        Both as torch defines them.
    out : ndarray, default=None
        Array of the result's shape and dtype to write into (may be ``x``).
    n_jobs : int, default=None
        Threads for large inputs (None means 1, -1 all CPUs).

    Returns
    -------
    ndarray
        Same shape as ``x``.

    Examples
    --------
    >>> from fastml.activations import gelu
    >>> round(float(gelu(1.0)), 6)
    0.841345
    """
    tanh_form = _check_approximate(approximate)
    return _elementwise("GELU_TANH" if tanh_form else "GELU", x, out, n_jobs)


def gelu_grad(
    x: Any,
    approximate: str = "none",
    *,
    out: np.ndarray | None = None,
    n_jobs: int | None = None,
) -> Any:
    """Derivative of :func:`gelu` with respect to ``x``, elementwise.

    Exact form: ``Phi(x) + x * phi(x)``; tanh form: the derivative of the tanh
    approximation itself (as torch's backward). Parameters as in :func:`gelu`.
    """
    tanh_form = _check_approximate(approximate)
    return _elementwise("GELU_TANH_GRAD" if tanh_form else "GELU_GRAD", x, out, n_jobs)


def _along_last_axis(
    family: str,
    kind_name: str | None,
    arrays: list[np.ndarray],
    axis: int,
    out: np.ndarray | None,
    n_jobs: int | None,
) -> Any:
    """Apply a row kernel to ``arrays`` (same shape and dtype) along ``axis``.

    The kernel is called as ``kernel([kind,] *arrays, out[, separate])``: with the
    integer ``kind`` when ``kind_name`` is given, and for log-softmax with the flag
    telling it that the output does not overlap the input.
    """
    first = arrays[0]
    if first.ndim == 0:
        raise np.exceptions.AxisError(
            f"axis {axis} is out of bounds for array of dimension 0"
        )
    axis = normalize_axis_index(axis, first.ndim)
    if out is not None:
        out = _check_out(out, first.shape, first.dtype)
    moved = [np.ascontiguousarray(np.moveaxis(a, axis, -1)) for a in arrays]
    n_cols = first.shape[axis]
    n_rows = first.size // n_cols if n_cols else 0
    n_threads = _n_threads(first.size, n_jobs)
    direct = axis == first.ndim - 1 and out is not None and out.flags.c_contiguous
    result = out if direct else np.empty(moved[0].shape, dtype=first.dtype)
    assert result is not None
    if first.size:
        from fastml._parallel import run_chunks

        kernel = _kernel_for(family, first.dtype)
        lead = () if kind_name is None else (_kind(kind_name),)
        # Log-softmax may use the output row as scratch when it does not overlap x.
        trail = (
            (not np.may_share_memory(result, moved[0]),)
            if family == "apply_log_softmax_rows"
            else ()
        )
        flat = [_read_only(a.reshape(n_rows, n_cols)) for a in moved]
        dst = result.reshape(n_rows, n_cols)

        def chunk(start: int, stop: int) -> None:
            kernel(*lead, *[a[start:stop] for a in flat], dst[start:stop], *trail)

        run_chunks(chunk, n_rows, n_threads)
    if axis != first.ndim - 1:
        result = np.ascontiguousarray(np.moveaxis(result, -1, axis))
    return _finish(result, out)


def _same_float_pair(x: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
    x_arr = _as_float(x)
    v_arr = _as_float(v, "v")
    if x_arr.shape != v_arr.shape:
        raise ValueError(
            f"x and v must have the same shape, got {x_arr.shape} and {v_arr.shape}."
        )
    dtype = np.result_type(x_arr.dtype, v_arr.dtype)
    return x_arr.astype(dtype, copy=False), v_arr.astype(dtype, copy=False)


def softmax(
    x: Any,
    axis: int = -1,
    *,
    out: np.ndarray | None = None,
    n_jobs: int | None = None,
) -> Any:
    """Softmax ``exp(x) / sum(exp(x))`` along ``axis``.

    The maximum along ``axis`` is subtracted first, so no exponential overflows:
    ``softmax([0, 1e4]) == [0, 1]`` exactly.

    Parameters
    ----------
    x : array-like of at least one dimension
    axis : int, default=-1
        Axis to normalise over.
    out : ndarray, default=None
        Array of the result's shape and dtype to write into (may be ``x``).
    n_jobs : int, default=None
        Threads for large inputs, parallel over rows (None means 1, -1 all CPUs).

    Returns
    -------
    ndarray
        Same shape as ``x``; entries in [0, 1] summing to 1 along ``axis``. A slice
        holding NaN or +inf, or only -inf, is all NaN.

    Examples
    --------
    >>> from fastml.activations import softmax
    >>> softmax([0.0, 0.0, 0.0, 0.0])
    array([0.25, 0.25, 0.25, 0.25])
    """
    return _along_last_axis(
        "apply_softmax_rows", None, [_as_float(x)], axis, out, n_jobs
    )


def log_softmax(
    x: Any,
    axis: int = -1,
    *,
    out: np.ndarray | None = None,
    n_jobs: int | None = None,
) -> Any:
    """Log of :func:`softmax`: ``x - logsumexp(x)`` along ``axis``, computed stably.

    ``log_softmax([0, 1e4]) == [-1e4, 0]`` exactly. Parameters as in :func:`softmax`.

    Examples
    --------
    >>> from fastml.activations import log_softmax
    >>> log_softmax([0.0, 1e4])
    array([-10000.,      0.])
    """
    return _along_last_axis(
        "apply_log_softmax_rows", None, [_as_float(x)], axis, out, n_jobs
    )


def softmax_vjp(
    x: Any,
    v: Any,
    axis: int = -1,
    *,
    out: np.ndarray | None = None,
    n_jobs: int | None = None,
) -> Any:
    """Vector-Jacobian product of :func:`softmax` at ``x`` with the vector ``v``.

    Along ``axis``, with ``s = softmax(x)``: ``s * (v - sum(v * s))``. This is the
    gradient of ``sum(v * softmax(x))`` with respect to ``x`` (a backward pass).

    Parameters
    ----------
    x : array-like
        Input of the softmax.
    v : array-like of the same shape
        Upstream gradient (d objective / d softmax(x)).
    axis, out, n_jobs
        As in :func:`softmax`. The result dtype is the common float dtype of x, v.
    """
    x_arr, v_arr = _same_float_pair(x, v)
    return _along_last_axis(
        "apply_vjp_rows", "SOFTMAX", [x_arr, v_arr], axis, out, n_jobs
    )


def log_softmax_vjp(
    x: Any,
    v: Any,
    axis: int = -1,
    *,
    out: np.ndarray | None = None,
    n_jobs: int | None = None,
) -> Any:
    """Vector-Jacobian product of :func:`log_softmax` at ``x`` with ``v``.

    Along ``axis``, with ``s = softmax(x)``: ``v - s * sum(v)``. Parameters as in
    :func:`softmax_vjp`.
    """
    x_arr, v_arr = _same_float_pair(x, v)
    return _along_last_axis(
        "apply_vjp_rows", "LOG_SOFTMAX", [x_arr, v_arr], axis, out, n_jobs
    )


def argmax(x: Any, axis: int = -1) -> Any:
    """Index of the largest entry along ``axis`` (first one on ties; NaN counts as
    the largest, as in NumPy and torch).

    Parameters
    ----------
    x : array-like of at least one dimension, numeric
    axis : int, default=-1

    Returns
    -------
    ndarray of int64
        ``x``'s shape without ``axis`` (a numpy integer for 1-D input).

    Examples
    --------
    >>> from fastml.activations import argmax
    >>> argmax([[0.1, 0.7, 0.2], [3.0, -1.0, 3.0]])
    array([1, 0])
    """
    arr = check_array(
        x,
        dtype="numeric",
        order=None,
        ensure_2d=False,
        allow_nd=True,
        ensure_all_finite=False,
        ensure_min_samples=0,
        ensure_min_features=0,
        input_name="x",
    )
    if arr.ndim == 0:
        raise np.exceptions.AxisError(
            f"axis {axis} is out of bounds for array of dimension 0"
        )
    axis = normalize_axis_index(axis, arr.ndim)
    if arr.shape[axis] == 0:
        raise ValueError("attempt to get argmax of an empty sequence")
    return np.argmax(arr, axis=axis).astype(np.int64, copy=False)
