"""Inference layers on numpy arrays: Linear, LayerNorm, Embedding.

The layers hold plain numpy arrays (picklable, inspectable) with torch's shapes and
conventions, so weights load from a checkpoint without reshaping: ``Linear.weight`` is
``(out_features, in_features)`` and the layer computes ``x @ weight.T + bias``. They
compute in the weight's dtype (float32 or float64); an input of another floating dtype
is cast to it. Inputs are never modified. Models keep their layers as attributes (or
in lists of layers), which is what :func:`fastml.nn.quantize.quantize_model` walks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.utils.validation import check_random_state

__all__ = [
    "Embedding",
    "LayerNorm",
    "Linear",
    "add_layer_norm",
    "call_layer",
    "layer_norm",
]


def _float_array(value: Any, name: str, ndim: int | None = None) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype not in (np.float32, np.float64):
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
            raise ValueError(f"{name} must be numeric, got dtype {array.dtype}.")
        array = array.astype(np.float32)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {array.shape}.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinity.")
    return np.ascontiguousarray(array)


def _input(x: Any, dtype: np.dtype, width: int, name: str = "x") -> np.ndarray:
    array = np.asarray(x)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise ValueError(f"{name} must be numeric, got dtype {array.dtype}.")
    if np.iscomplexobj(array):
        raise ValueError(f"{name} must be real, got dtype {array.dtype}.")
    if array.ndim == 0 or array.shape[-1] != width:
        raise ValueError(
            f"{name} has {array.shape[-1] if array.ndim else 0} features in its last "
            f"dimension, but the layer expects {width} (shape {array.shape})."
        )
    return array.astype(dtype, copy=False)


class Linear:
    """Affine map ``y = x @ weight.T + bias`` over the last dimension.

    Parameters
    ----------
    weight : ndarray of shape (out_features, in_features)
        float32 or float64 (other numeric dtypes become float32).
    bias : ndarray of shape (out_features,), default=None
    """

    # Its call takes n_jobs (see call_layer).
    threaded = True

    def __init__(self, weight: Any, bias: Any = None) -> None:
        self.weight = _float_array(weight, "weight", ndim=2)
        self.bias = None
        if bias is not None:
            self.bias = _float_array(bias, "bias", ndim=1).astype(
                self.weight.dtype, copy=False
            )
            if self.bias.shape[0] != self.weight.shape[0]:
                raise ValueError(
                    f"bias has {self.bias.shape[0]} entries, weight has "
                    f"{self.weight.shape[0]} output features."
                )

    @classmethod
    def random(
        cls,
        in_features: int,
        out_features: int,
        bias: bool = True,
        random_state: Any = None,
        dtype: Any = np.float32,
    ) -> Linear:
        """A layer with torch's default initialisation, U(-1/sqrt(in), 1/sqrt(in))."""
        rng = check_random_state(random_state)
        bound = 1.0 / np.sqrt(max(in_features, 1))
        weight = rng.uniform(-bound, bound, size=(out_features, in_features))
        b = rng.uniform(-bound, bound, size=out_features) if bias else None
        return cls(weight.astype(dtype), None if b is None else b.astype(dtype))

    @property
    def in_features(self) -> int:
        return int(self.weight.shape[1])

    @property
    def out_features(self) -> int:
        return int(self.weight.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the weight and bias arrays."""
        return self.weight.nbytes + (0 if self.bias is None else self.bias.nbytes)

    def __call__(self, x: Any, n_jobs: int | None = None) -> np.ndarray:
        """``x @ weight.T + bias`` over the last dimension of ``x``.

        ``n_jobs`` threads (scikit-learn's convention: None is 1, -1 all CPUs) run
        fastml's product kernel (kernels/nn/linear.py) when x has at least
        ``_MIN_KERNEL_ROWS`` rows; smaller inputs (a decoding step) go to numpy's
        BLAS, which is faster there.
        """
        x = _input(x, self.weight.dtype, self.in_features)
        rows = x.reshape(-1, self.in_features)
        if rows.shape[0] < _MIN_KERNEL_ROWS or 0 in self.weight.shape:
            # matmul hands the transposed C-contiguous weight to BLAS as a
            # transposed operand: no copy of the weight.
            out = np.matmul(x, self.weight.T)
            if self.bias is not None:
                out += self.bias
            return out
        out = linear(rows, self.weight, self.bias, resolve_n_jobs(n_jobs))
        return out.reshape(*x.shape[:-1], self.out_features)

    def __repr__(self) -> str:
        return (
            f"Linear(in_features={self.in_features}, out_features="
            f"{self.out_features}, bias={self.bias is not None})"
        )


def call_layer(layer: Any, x: Any, n_jobs: int | None) -> np.ndarray:
    """``layer(x, n_jobs)`` for fastml's threaded layers (Linear, QuantizedLinear),
    ``layer(x)`` for any other callable a user put in a model (a wrapper, a hook)."""
    if getattr(layer, "threaded", False):
        return layer(x, n_jobs)
    return layer(x)


# Rows from which Linear uses fastml's product kernel rather than BLAS: below it the
# per-call packing of the weight and the 6-row register blocks cost more than they
# save (measured on 2 cores at 384 x 1536 weights).
_MIN_KERNEL_ROWS = 48


def linear(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, n_threads: int
) -> np.ndarray:
    """``x @ weight.T (+ bias)`` for 2-D x (n_rows, in) and weight (out, in) of one
    float dtype, on fastml's product kernel with the output features split over
    ``n_threads`` threads (kernels/nn/linear.py)."""
    from fastml._parallel import run_chunks
    from fastml.kernels.nn import linear as kernels

    x = np.ascontiguousarray(x)
    weight = np.ascontiguousarray(weight)
    n_out, kdim = weight.shape
    width = 16 if weight.dtype == np.float32 else 8
    n_panels = (n_out + width - 1) // width
    packed = np.empty(n_panels * kdim * width, weight.dtype)
    out = np.empty((x.shape[0], n_out), weight.dtype)
    has_bias = bias is not None
    b = bias if bias is not None else np.zeros(1, weight.dtype)

    def chunk(start: int, stop: int) -> None:
        kernels.linear_panels(x, weight, b, has_bias, packed, out, start, stop)

    run_chunks(chunk, n_panels, min(n_threads, n_panels))
    return out


# Rows per thread below which the fused kernel runs on fewer threads.
_MIN_ROWS_PER_THREAD = 64


def _normalize_rows(
    x: np.ndarray,
    residual: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    eps: float,
    out: np.ndarray,
    n_threads: int,
) -> None:
    """``out = LayerNorm(x + residual)`` row by row on 2-D C-contiguous arrays of
    one float dtype (kernels/nn/layer_norm.py), rows split over threads."""
    from fastml._parallel import run_chunks
    from fastml.kernels.nn import layer_norm as kernels

    kernel = (
        kernels.add_layer_norm_f32
        if x.dtype == np.float32
        else kernels.add_layer_norm_f64
    )

    def chunk(start: int, stop: int) -> None:
        kernel(x[start:stop], residual[start:stop], weight, bias, eps, out[start:stop])

    n_rows = x.shape[0]
    run_chunks(chunk, n_rows, min(n_threads, max(1, n_rows // _MIN_ROWS_PER_THREAD)))


def layer_norm(
    x: Any, weight: np.ndarray | None, bias: np.ndarray | None, eps: float = 1e-5
) -> np.ndarray:
    """Normalise the last dimension to zero mean and unit variance, then scale/shift.

    ``(x - mean) / sqrt(var + eps) * weight + bias`` with the biased variance (as
    torch), computed by the fused kernel of :func:`add_layer_norm` with a zero
    residual: statistics in float64, the result in x's floating dtype (float32 for
    other numeric input).
    """
    x = np.asarray(x)
    dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    width = x.shape[-1] if x.ndim else 1
    if x.size == 0:
        return np.empty(x.shape, dtype)
    rows = np.ascontiguousarray(x, dtype=dtype).reshape(-1, width)
    w = np.ones(width, dtype) if weight is None else np.asarray(weight, dtype)
    b = np.zeros(width, dtype) if bias is None else np.asarray(bias, dtype)
    out = np.empty_like(rows)
    _normalize_rows(rows, np.zeros_like(rows), w, b, float(eps), out, 1)
    return out.reshape(x.shape)


def add_layer_norm(
    x: np.ndarray, residual: np.ndarray, norm: LayerNorm, n_threads: int = 1
) -> np.ndarray:
    """``norm(x + residual)`` on (n_rows, width) arrays, written into ``x`` (after a
    conversion to the norm's dtype, which copies) and returned: the closing step of
    a post-LayerNorm transformer block as one fused pass."""
    dtype = norm.weight.dtype
    x = np.ascontiguousarray(x, dtype=dtype)
    residual = np.ascontiguousarray(residual, dtype=dtype)
    _normalize_rows(x, residual, norm.weight, norm.bias, norm.eps, x, n_threads)
    return x


class LayerNorm:
    """Layer normalisation over the last dimension with a learned scale and shift.

    Parameters
    ----------
    weight : ndarray of shape (n_features,)
    bias : ndarray of shape (n_features,)
    eps : float, default=1e-5
        Added to the variance (BERT configs use 1e-12).
    """

    def __init__(self, weight: Any, bias: Any, eps: float = 1e-5) -> None:
        self.weight = _float_array(weight, "weight", ndim=1)
        self.bias = _float_array(bias, "bias", ndim=1).astype(self.weight.dtype)
        if self.bias.shape != self.weight.shape:
            raise ValueError("LayerNorm weight and bias must have the same shape.")
        if not eps > 0:
            raise ValueError(f"eps must be positive, got {eps}.")
        self.eps = float(eps)

    @classmethod
    def identity(cls, n_features: int, eps: float = 1e-5, dtype: Any = np.float32):
        """The initial layer: weight 1, bias 0."""
        return cls(np.ones(n_features, dtype), np.zeros(n_features, dtype), eps)

    @property
    def nbytes(self) -> int:
        return self.weight.nbytes + self.bias.nbytes

    def __call__(self, x: Any) -> np.ndarray:
        x = _input(x, self.weight.dtype, self.weight.shape[0])
        return layer_norm(x, self.weight, self.bias, self.eps)


class Embedding:
    """Lookup table: row ``i`` of ``weight`` for token id ``i``.

    Parameters
    ----------
    weight : ndarray of shape (n_embeddings, embedding_dim)
    """

    def __init__(self, weight: Any) -> None:
        self.weight = _float_array(weight, "weight", ndim=2)

    @classmethod
    def random(
        cls,
        n_embeddings: int,
        embedding_dim: int,
        random_state: Any = None,
        dtype: Any = np.float32,
        std: float = 1.0,
    ) -> Embedding:
        """A table drawn from N(0, std^2)."""
        rng = check_random_state(random_state)
        return cls(
            (std * rng.standard_normal((n_embeddings, embedding_dim))).astype(dtype)
        )

    @property
    def nbytes(self) -> int:
        return self.weight.nbytes

    def __call__(self, ids: Any) -> np.ndarray:
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise ValueError(f"token ids must be integers, got dtype {ids.dtype}.")
        n = self.weight.shape[0]
        if ids.size and (ids.min() < 0 or ids.max() >= n):
            raise ValueError(
                f"token ids must lie in [0, {n}), got values in "
                f"[{ids.min()}, {ids.max()}]."
            )
        return self.weight[ids]
