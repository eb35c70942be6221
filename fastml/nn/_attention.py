"""Scaled dot-product attention on numpy arrays (the layer around it,
:class:`~fastml.nn.MultiheadAttention`, is in ``fastml.nn._multihead``).

:func:`scaled_dot_product_attention` follows
``torch.nn.functional.scaled_dot_product_attention`` (argument names, masks, causal
alignment, grouped-query attention) and runs the tiled flash-attention kernel of
``fastml.kernels.nn.attention``: memory beyond the inputs and the output is a few
tiles per thread, never an (L, S) matrix of scores.

Threads: the kernel is serial and releases the GIL; ``n_jobs`` threads of
fastml's shared pool (fastml._parallel) take ranges of its work items (batch, head,
query tile) from a shared counter. No parallel-kernel compilation (which would add
~5 s to the first call of each dtype) and no OpenMP runtime.

How the products run: on the attention kernel's own register-blocked FMA
micro-kernel (fastml.kernels.nn._microkernels), not BLAS, so nothing needs to be
held to one thread and the speed does not depend on the BLAS installed.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml._parallel import run_chunks

__all__ = ["scaled_dot_product_attention"]

_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# Tile sizes (queries x keys), chosen by measurement on a 2-core AMD EPYC (Zen 3,
# 512 KiB L2 per core) at L = 2048, d = 64, float32; each a multiple of the
# micro-kernel's 6 rows and 16 columns.
_TILE_Q = 252
_TILE_K = 256


def _balanced_tile(length: int, largest: int, multiple: int) -> int:
    """Tile size for ``length`` rows: about ``length / largest`` tiles of equal
    sizes, rounded up to a multiple of the micro-kernel's block (so L = 512 runs as
    258 + 254 query rows, not 252 + 252 + 8)."""
    n_tiles = max(1, round(length / largest))
    if -(-length // n_tiles) > largest + largest // 4:
        n_tiles += 1
    if n_tiles == 1:
        return max(1, length)
    size = -(-length // n_tiles)
    return -(-size // multiple) * multiple


def _kernels() -> Any:
    from fastml.kernels.nn import attention

    return attention


def _as_float_array(x: Any, name: str) -> np.ndarray:
    array = np.asarray(x)
    if array.dtype not in _FLOAT_DTYPES:
        if array.dtype == object or array.dtype.kind in "USV":
            raise ValueError(
                f"{name} must be a numeric array, got dtype {array.dtype}."
            )
        raise ValueError(
            f"{name} must be a float32 or float64 array, got dtype {array.dtype}."
        )
    if array.ndim < 2:
        raise ValueError(
            f"{name} must have at least 2 dimensions (..., L, E), got shape "
            f"{array.shape}."
        )
    return array


def _broadcast_lead(shapes: list[tuple[int, ...]], what: str) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(
            f"The leading (batch) dimensions of {what} do not broadcast: "
            + ", ".join(str(s) for s in shapes)
            + "."
        ) from None


def _to_rows(
    x: np.ndarray, lead: tuple[int, ...], n_heads_x: int, n_batch: int
) -> tuple[np.ndarray, int]:
    """x (..., H_x, L, D) as a C-contiguous (n_rows, L, D) array and its batch step.

    Leading dimensions of size 1 everywhere are broadcast by a batch step of 0;
    other broadcasts are materialised.
    """
    length, dim = x.shape[-2:]
    x_lead = x.shape[:-3] if x.ndim >= 3 else ()
    if x.ndim < 3:
        x = x.reshape((1,) + x.shape)
    if all(s == 1 for s in x_lead):
        x = x.reshape((1, n_heads_x, length, dim))
        step = 0
    else:
        x = np.broadcast_to(x, lead + (n_heads_x, length, dim))
        step = n_heads_x
    rows = np.ascontiguousarray(x.reshape((-1, length, dim)))
    if step and rows.shape[0] != n_batch * n_heads_x:  # pragma: no cover - defensive
        raise AssertionError("batch layout mismatch")
    return rows, step


def _prepare_mask(
    attn_mask: Any,
    dtype: np.dtype,
    out_lead: tuple[int, ...],
    len_q: int,
    len_k: int,
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The mask as a 4-D C-contiguous (B', H', L', S') array (bool or dtype)."""
    mask = np.asarray(attn_mask)
    if mask.dtype == np.bool_:
        kind = "bool"
    elif mask.dtype.kind == "f":
        kind = "float"
    else:
        raise ValueError(
            f"attn_mask must be a bool or floating array, got dtype {mask.dtype}."
        )
    full = out_lead + (len_q, len_k)
    if mask.ndim > len(full):
        raise ValueError(
            f"attn_mask with shape {mask.shape} does not broadcast to the attention "
            f"shape {full}."
        )
    padded = (1,) * (len(full) - mask.ndim) + mask.shape
    for got, want in zip(padded, full):
        if got not in (1, want):
            raise ValueError(
                f"attn_mask with shape {mask.shape} does not broadcast to the "
                f"attention shape {full}."
            )
    mask = mask.reshape(padded)
    n_lead = len(out_lead)
    heads = padded[n_lead - 1] if n_lead >= 1 else 1
    batch_dims = padded[: max(n_lead - 1, 0)]
    tail = (heads,) + padded[n_lead:]
    if all(s == 1 for s in batch_dims):
        mask = mask.reshape((1,) + tail)
    else:
        mask = np.broadcast_to(mask, out_lead[:-1] + tail).reshape((-1,) + tail)
    if kind == "bool":
        return np.ascontiguousarray(mask), None
    return None, np.ascontiguousarray(mask, dtype=dtype)


def _read_only(x: np.ndarray) -> np.ndarray:
    view = x.view()
    view.flags.writeable = False
    return view


def _run(
    q_rows: np.ndarray,
    k_rows: np.ndarray,
    v_rows: np.ndarray,
    out_rows: np.ndarray,
    layout: np.ndarray,
    n_batch: int,
    n_heads: int,
    n_kv_heads: int,
    head_dim: int,
    v_dim: int,
    bool_mask: np.ndarray | None,
    float_mask: np.ndarray | None,
    is_causal: bool,
    scale: float,
    n_threads: int,
) -> None:
    """Call the kernel (all arrays already canonical)."""
    kern = _kernels()
    dtype = q_rows.dtype
    len_q, len_k = q_rows.shape[1], k_rows.shape[1]
    kind = kern.NO_MASK
    if bool_mask is not None:
        kind |= kern.BOOL_MASK
    if float_mask is not None:
        kind |= kern.FLOAT_MASK
    bools = _NO_BOOL_MASK if bool_mask is None else bool_mask
    floats = _NO_FLOAT_MASK[dtype.char] if float_mask is None else float_mask
    tile_q = _balanced_tile(len_q, _TILE_Q, 6)
    tile_k = _balanced_tile(len_k, _TILE_K, 16)
    args = (
        _read_only(q_rows),
        _read_only(k_rows),
        _read_only(v_rows),
        out_rows,
        layout,
        n_batch,
        n_heads,
        n_kv_heads,
        head_dim,
        v_dim,
        _read_only(bools),
        _read_only(floats),
        kind,
        bool(is_causal),
        float(scale),
        tile_q,
        tile_k,
    )

    n_items = kern.count_items(n_batch, n_heads, len_q, tile_q)
    # Dynamic scheduling: the threads take units of `grain` items from a shared
    # counter (itertools.count's next() is atomic under the GIL), so a thread slowed
    # by another process on its core does not hold the others up, and causal work
    # (which varies between items) balances itself. ~16 units per thread keep the
    # per-call overhead (~10 us) negligible for small items.
    grain = max(1, n_items // (16 * n_threads))
    n_units = -(-n_items // grain)
    counter = itertools.count()

    def work(first_worker: int, last_worker: int) -> None:
        for _ in range(first_worker, last_worker):
            while (unit := next(counter)) < n_units:
                kern.attend(*args, unit * grain, min((unit + 1) * grain, n_items))

    n_workers = min(n_threads, n_units)
    run_chunks(work, n_workers, n_workers)


_NO_BOOL_MASK = np.ones((1, 1, 1, 1), dtype=np.bool_)
_NO_FLOAT_MASK: dict[str, np.ndarray] = {
    "f": np.zeros((1, 1, 1, 1), dtype=np.float32),
    "d": np.zeros((1, 1, 1, 1), dtype=np.float64),
}


def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
    *,
    n_jobs: int | None = None,
) -> np.ndarray:
    """softmax(query key^T * scale + mask) value, as torch's function of this name.

    Parameters
    ----------
    query : ndarray of shape (..., H, L, E) or (L, E)
        float32 or float64. Leading dimensions are batch dimensions (broadcast
        against those of key and value), dimension -3 the heads.
    key : ndarray of shape (..., H_kv, S, E)
        Same dtype as query.
    value : ndarray of shape (..., H_kv, S, E_v)
        Same dtype as query.
    attn_mask : ndarray broadcastable to (..., H, L, S), default=None
        bool: True means "attend" (torch's convention for this function; the
        opposite of ``MultiheadAttention``'s masks); floating: added to the scaled
        scores (cast to query's dtype). ``-inf`` entries hide a key.
    dropout_p : float, default=0.0
        Only 0 is accepted (inference); kept so that calls written for torch,
        which has it in this position, keep working.
    is_causal : bool, default=False
        Query i attends keys j <= i only (torch's top-left alignment, also when
        L != S). May be combined with ``attn_mask`` (both apply).
    scale : float, default=None
        Factor of query . key; ``1 / sqrt(E)`` by default.
    enable_gqa : bool, default=False
        Grouped-query attention: H_kv may divide H, query head h then uses key/value
        head ``h // (H // H_kv)``. Without it the head dimensions must be equal (or
        1, broadcast).
    n_jobs : int, default=None
        Threads (None: 1, -1: all CPUs). Results do not depend on it.

    Returns
    -------
    out : ndarray of shape (..., H, L, E_v)
        Query's dtype.

    Notes
    -----
    A query row whose keys are all masked (every score -inf), and every row when
    S = 0, gets output 0: what torch 2.x returns for such rows (its documented
    reference formula would give NaN). L = 0 gives an empty result. E = 0 is an
    error. NaN in the inputs or in a float mask gives NaN rows. Inputs are never
    modified; no (L, S) matrix is formed.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.nn import scaled_dot_product_attention
    >>> rng = np.random.default_rng(0)
    >>> q, k, v = (rng.standard_normal((2, 4, 5, 8), dtype=np.float32) for _ in "qkv")
    >>> scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 4, 5, 8)
    """
    q = _as_float_array(query, "query")
    k = _as_float_array(key, "key")
    v = _as_float_array(value, "value")
    if not (q.dtype == k.dtype == v.dtype):
        raise ValueError(
            "query, key and value must have the same dtype, got "
            f"{q.dtype}, {k.dtype} and {v.dtype}."
        )
    if dropout_p != 0.0:
        raise ValueError(
            f"dropout_p must be 0 (fastml's attention is inference only), got "
            f"{dropout_p!r}."
        )
    len_q, head_dim = q.shape[-2:]
    len_k, k_dim = k.shape[-2:]
    len_v, v_dim = v.shape[-2:]
    if k_dim != head_dim:
        raise ValueError(
            f"query and key must have the same last dimension (head dimension E), "
            f"got {head_dim} and {k_dim} (shapes {q.shape} and {k.shape})."
        )
    if len_v != len_k:
        raise ValueError(
            f"key and value must have the same sequence length (dimension -2), got "
            f"{len_k} and {len_v} (shapes {k.shape} and {v.shape})."
        )
    if head_dim == 0:
        raise ValueError("The head dimension E (query.shape[-1]) must be at least 1.")
    if scale is None:
        scale_value = 1.0 / math.sqrt(head_dim)
    else:
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.number)):
            raise ValueError(f"scale must be a real number or None, got {scale!r}.")
        scale_value = float(scale)
        if not math.isfinite(scale_value):
            raise ValueError(f"scale must be finite, got {scale!r}.")
    n_threads = resolve_n_jobs(n_jobs)

    # Heads (dimension -3) and batch dimensions (before it).
    def heads_of(x: np.ndarray) -> int:
        return x.shape[-3] if x.ndim >= 3 else 1

    def lead_of(x: np.ndarray) -> tuple[int, ...]:
        return x.shape[:-3] if x.ndim >= 3 else ()

    h_q, h_k, h_v = heads_of(q), heads_of(k), heads_of(v)
    if enable_gqa:
        if h_k != h_v:
            raise ValueError(
                "With enable_gqa, key and value must have the same number of heads, "
                f"got {h_k} and {h_v}."
            )
        if h_q % h_k != 0:
            raise ValueError(
                f"With enable_gqa, the number of key/value heads ({h_k}) must divide "
                f"the number of query heads ({h_q})."
            )
        n_heads = h_q
    else:
        try:
            n_heads = int(np.broadcast_shapes((h_q,), (h_k,), (h_v,))[0])
        except ValueError:
            raise ValueError(
                f"query, key and value have {h_q}, {h_k} and {h_v} heads (dimension "
                "-3); they must be equal or 1 (or pass enable_gqa=True for "
                "grouped-query attention)."
            ) from None
    batch_shape = _broadcast_lead(
        [lead_of(q), lead_of(k), lead_of(v)], "query, key and value"
    )
    n_dims = max(q.ndim, k.ndim, v.ndim)
    out_lead = (batch_shape + (n_heads,)) if n_dims >= 3 else ()
    out_shape = out_lead + (len_q, v_dim)
    n_batch = math.prod(batch_shape)

    bool_mask = float_mask = None
    if attn_mask is not None:
        bool_mask, float_mask = _prepare_mask(
            attn_mask, q.dtype, out_lead, len_q, len_k
        )
    out = np.empty(out_shape, dtype=q.dtype)
    if out.size == 0:
        return out
    if len_k == 0:
        out[...] = 0.0
        return out

    # q: broadcast heads if needed (a query broadcast against more k/v heads).
    if h_q != n_heads:
        q = np.broadcast_to(q, q.shape[:-3] + (n_heads, len_q, head_dim))
        h_q = n_heads
    q_rows, q_step = _to_rows(q, batch_shape, h_q, n_batch)
    k_rows, k_step = _to_rows(k, batch_shape, h_k, n_batch)
    v_rows, v_step = _to_rows(v, batch_shape, h_v, n_batch)
    n_kv_heads = max(h_k, h_v)
    layout = np.array(
        [
            [q_step, 1, 0],
            [k_step, 1 if h_k > 1 else 0, 0],
            [v_step, 1 if h_v > 1 else 0, 0],
            [n_heads, 1, 0],
        ],
        dtype=np.int64,
    )
    _run(
        q_rows,
        k_rows,
        v_rows,
        out.reshape((-1, len_q, v_dim)),
        layout,
        n_batch,
        n_heads,
        n_kv_heads,
        head_dim,
        v_dim,
        bool_mask,
        float_mask,
        is_causal,
        scale_value,
        n_threads,
    )
    return out
