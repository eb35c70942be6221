"""Multi-head (and grouped-query) attention layer: separate Q, K, V projections,
heads as strided slices, :func:`fastml.nn.scaled_dot_product_attention` in between
and an output projection."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.nn._attention import _run
from fastml.nn._layers import Linear, call_layer
from fastml.utils.validation import check_random_state

__all__ = ["MultiheadAttention"]


def _xavier_linear(
    rng: np.random.RandomState,
    out_features: int,
    in_features: int,
    bias: bool,
    dtype: Any,
) -> Linear:
    bound = math.sqrt(6.0 / (in_features + out_features))
    weight = rng.uniform(-bound, bound, size=(out_features, in_features))
    b = np.zeros(out_features) if bias else None
    return Linear(weight.astype(dtype), None if b is None else b.astype(dtype))


def _as_linear(value: Any, name: str) -> Linear:
    if not isinstance(value, Linear):
        raise ValueError(
            f"{name} must be a fastml.nn.Linear, got {type(value).__name__}."
        )
    return value


class MultiheadAttention:
    """Multi-head (or grouped-query) attention with separate Q, K, V projections.

    ``out_proj(attention(q_proj(query), k_proj(key), v_proj(value)))`` with the
    projected features split into heads: query head h is columns
    ``h * head_dim:(h + 1) * head_dim`` of the query projection (the kernel reads
    the heads as strided slices of the projections, no transposed copies), and uses
    key/value head ``h // (num_heads // num_kv_heads)``. Computes what
    ``torch.nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)`` computes
    (with its ``in_proj_weight`` split in three, see :meth:`from_packed`), in the
    projections' dtype.

    Parameters
    ----------
    q_proj, k_proj, v_proj : Linear
        Projections with ``num_heads * head_dim``, ``num_kv_heads * head_dim`` and
        ``num_kv_heads * v_head_dim`` output features.
    out_proj : Linear
        Output projection with ``num_heads * v_head_dim`` input features.
    num_heads : int
    num_kv_heads : int, default=None
        Key/value heads (a divisor of num_heads); None means num_heads.
    batch_first : bool, default=True
        Inputs are (batch, L, features) (else (L, batch, features), torch's
        default layout). Unbatched (L, features) inputs are accepted either way.
    n_jobs : int, default=None
        Threads of the attention kernel (None: 1, -1: all CPUs).

    Notes
    -----
    Masks follow ``torch.nn.MultiheadAttention``: ``key_padding_mask`` (batch, S),
    True = padding (ignored key), or floating (added); ``attn_mask`` (L, S) or
    (batch * num_heads, L, S), bool True = *not* allowed (the opposite of
    :func:`scaled_dot_product_attention`), or floating (added). ``is_causal``
    applies the causal mask (query i sees keys j <= i) on top of the others. A query
    that sees no key gets 0 before the output projection. Attention weights are
    never formed, so, unlike torch, only the output is returned.
    """

    def __init__(
        self,
        q_proj: Linear,
        k_proj: Linear,
        v_proj: Linear,
        out_proj: Linear,
        num_heads: int,
        num_kv_heads: int | None = None,
        batch_first: bool = True,
        n_jobs: int | None = None,
    ) -> None:
        self.q_proj = _as_linear(q_proj, "q_proj")
        self.k_proj = _as_linear(k_proj, "k_proj")
        self.v_proj = _as_linear(v_proj, "v_proj")
        self.out_proj = _as_linear(out_proj, "out_proj")
        if isinstance(num_heads, bool) or not isinstance(num_heads, (int, np.integer)):
            raise ValueError(f"num_heads must be an int, got {num_heads!r}.")
        if num_heads < 1:
            raise ValueError(f"num_heads must be at least 1, got {num_heads}.")
        if num_kv_heads is None:
            num_kv_heads = num_heads
        if isinstance(num_kv_heads, bool) or not isinstance(
            num_kv_heads, (int, np.integer)
        ):
            raise ValueError(f"num_kv_heads must be an int, got {num_kv_heads!r}.")
        if num_kv_heads < 1 or num_heads % num_kv_heads != 0:
            raise ValueError(
                f"num_kv_heads ({num_kv_heads}) must be a positive divisor of "
                f"num_heads ({num_heads})."
            )
        self.num_heads = int(num_heads)
        self.num_kv_heads = int(num_kv_heads)
        self.batch_first = bool(batch_first)
        self.n_jobs = n_jobs
        dtypes = {p.weight.dtype for p in (q_proj, k_proj, v_proj, out_proj)}
        if len(dtypes) != 1:
            raise ValueError(
                "q_proj, k_proj, v_proj and out_proj must share one dtype, got "
                f"{sorted(str(d) for d in dtypes)}."
            )
        if q_proj.out_features % self.num_heads:
            raise ValueError(
                f"q_proj has {q_proj.out_features} output features, not a multiple "
                f"of num_heads={self.num_heads}."
            )
        self.head_dim = q_proj.out_features // self.num_heads
        if k_proj.out_features != self.num_kv_heads * self.head_dim:
            raise ValueError(
                f"k_proj has {k_proj.out_features} output features; expected "
                f"num_kv_heads * head_dim = {self.num_kv_heads * self.head_dim}."
            )
        if v_proj.out_features % self.num_kv_heads:
            raise ValueError(
                f"v_proj has {v_proj.out_features} output features, not a multiple "
                f"of num_kv_heads={self.num_kv_heads}."
            )
        self.v_head_dim = v_proj.out_features // self.num_kv_heads
        if out_proj.in_features != self.num_heads * self.v_head_dim:
            raise ValueError(
                f"out_proj has {out_proj.in_features} input features; expected "
                f"num_heads * v_head_dim = {self.num_heads * self.v_head_dim}."
            )
        if self.head_dim < 1 or self.v_head_dim < 1:
            raise ValueError("The head dimensions must be at least 1.")

    # --- constructors ---------------------------------------------------------------

    @classmethod
    def random(
        cls,
        embed_dim: int,
        num_heads: int,
        num_kv_heads: int | None = None,
        bias: bool = True,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = True,
        random_state: Any = None,
        dtype: Any = np.float32,
        n_jobs: int | None = None,
    ) -> MultiheadAttention:
        """A layer initialised as torch's: Xavier-uniform projection weights (each
        over its own shape), zero biases, output weight U(-1/sqrt(E), 1/sqrt(E)).

        ``kdim`` and ``vdim`` are the input widths of key and value (default
        ``embed_dim``); ``embed_dim`` must be a multiple of ``num_heads``.
        """
        if num_heads < 1 or embed_dim % num_heads:
            raise ValueError(
                f"embed_dim ({embed_dim}) must be a multiple of num_heads "
                f"({num_heads})."
            )
        rng = check_random_state(random_state)
        kv = num_heads if num_kv_heads is None else num_kv_heads
        if kv < 1 or num_heads % kv:
            raise ValueError(
                f"num_kv_heads ({num_kv_heads}) must be a positive divisor of "
                f"num_heads ({num_heads})."
            )
        head_dim = embed_dim // num_heads
        kdim = embed_dim if kdim is None else kdim
        vdim = embed_dim if vdim is None else vdim
        q_proj = _xavier_linear(rng, embed_dim, embed_dim, bias, dtype)
        k_proj = _xavier_linear(rng, kv * head_dim, kdim, bias, dtype)
        v_proj = _xavier_linear(rng, kv * head_dim, vdim, bias, dtype)
        bound = 1.0 / math.sqrt(embed_dim)
        out_weight = rng.uniform(-bound, bound, size=(embed_dim, embed_dim))
        out_proj = Linear(
            out_weight.astype(dtype), np.zeros(embed_dim, dtype) if bias else None
        )
        return cls(q_proj, k_proj, v_proj, out_proj, num_heads, kv, batch_first, n_jobs)

    @classmethod
    def from_weights(
        cls,
        q_weight: Any,
        k_weight: Any,
        v_weight: Any,
        out_weight: Any,
        num_heads: int,
        q_bias: Any = None,
        k_bias: Any = None,
        v_bias: Any = None,
        out_bias: Any = None,
        num_kv_heads: int | None = None,
        batch_first: bool = True,
        n_jobs: int | None = None,
    ) -> MultiheadAttention:
        """A layer from projection weights of shape (out_features, in_features)."""
        return cls(
            Linear(q_weight, q_bias),
            Linear(k_weight, k_bias),
            Linear(v_weight, v_bias),
            Linear(out_weight, out_bias),
            num_heads,
            num_kv_heads,
            batch_first,
            n_jobs,
        )

    @classmethod
    def from_packed(
        cls,
        in_proj_weight: Any,
        in_proj_bias: Any,
        out_proj_weight: Any,
        out_proj_bias: Any,
        num_heads: int,
        batch_first: bool = True,
        n_jobs: int | None = None,
    ) -> MultiheadAttention:
        """A layer from torch.nn.MultiheadAttention's parameters: ``in_proj_weight``
        (3 E, E) holds the Q, K and V weights stacked (``in_proj_bias`` (3 E,) or
        None likewise)."""
        packed = np.asarray(in_proj_weight)
        if packed.ndim != 2 or packed.shape[0] % 3:
            raise ValueError(
                "in_proj_weight must have shape (3 * embed_dim, embed_dim), got "
                f"{packed.shape}."
            )
        q_w, k_w, v_w = np.split(packed, 3)
        biases: list[Any] = [None, None, None]
        if in_proj_bias is not None:
            packed_bias = np.asarray(in_proj_bias)
            if packed_bias.shape != (packed.shape[0],):
                raise ValueError(
                    f"in_proj_bias must have shape ({packed.shape[0]},), got "
                    f"{packed_bias.shape}."
                )
            biases = list(np.split(packed_bias, 3))
        return cls.from_weights(
            q_w,
            k_w,
            v_w,
            out_proj_weight,
            num_heads,
            biases[0],
            biases[1],
            biases[2],
            out_proj_bias,
            batch_first=batch_first,
            n_jobs=n_jobs,
        )

    # --- forward ----------------------------------------------------------------------

    @property
    def embed_dim(self) -> int:
        return self.out_proj.out_features

    def _batched(self, x: Any, name: str) -> tuple[np.ndarray, bool]:
        array = np.asarray(x)
        if array.ndim == 2:
            return array[None], True
        if array.ndim != 3:
            raise ValueError(
                f"{name} must be 3-D (batch, L, features) or 2-D (L, features), got "
                f"shape {array.shape}."
            )
        if not self.batch_first:
            array = np.swapaxes(array, 0, 1)
        return array, False

    def __call__(
        self,
        query: Any,
        key: Any = None,
        value: Any = None,
        key_padding_mask: Any = None,
        attn_mask: Any = None,
        is_causal: bool = False,
    ) -> np.ndarray:
        """Attention output of shape (batch, L, embed_dim) (or the input's layout).

        Parameters
        ----------
        query : ndarray of shape (batch, L, E_q)
        key : ndarray of shape (batch, S, E_k), default=None (query)
        value : ndarray of shape (batch, S, E_v), default=None (key)
        key_padding_mask : ndarray of shape (batch, S), default=None
            bool (True = padding, ignored) or floating (added to the scores).
        attn_mask : ndarray of shape (L, S) or (batch * num_heads, L, S)
            bool (True = not allowed) or floating (added to the scores).
        is_causal : bool, default=False
            Query i attends keys j <= i only (in addition to the masks).
        """
        if key is None:
            key = query
        if value is None:
            value = key
        q_in, unbatched = self._batched(query, "query")
        k_in, k_unb = self._batched(key, "key")
        v_in, v_unb = self._batched(value, "value")
        if not (unbatched == k_unb == v_unb):
            raise ValueError("query, key and value must all be batched or unbatched.")
        n_batch, len_q = q_in.shape[:2]
        if k_in.shape[0] != n_batch or v_in.shape[0] != n_batch:
            raise ValueError(
                f"query, key and value must have the same batch size, got "
                f"{n_batch}, {k_in.shape[0]} and {v_in.shape[0]}."
            )
        len_k = k_in.shape[1]
        if v_in.shape[1] != len_k:
            raise ValueError(
                f"key and value must have the same length, got {len_k} and "
                f"{v_in.shape[1]}."
            )
        q = call_layer(self.q_proj, q_in, self.n_jobs)
        k = call_layer(self.k_proj, k_in, self.n_jobs)
        v = call_layer(self.v_proj, v_in, self.n_jobs)
        dtype = q.dtype
        bool_mask, float_mask = self._masks(
            key_padding_mask, attn_mask, n_batch, len_q, len_k, dtype
        )
        heads = np.empty((n_batch, len_q, self.num_heads * self.v_head_dim), dtype)
        if heads.size and len_k == 0:
            heads[...] = 0.0
        elif heads.size:
            layout = np.array(
                [
                    [1, 0, self.head_dim],
                    [1, 0, self.head_dim],
                    [1, 0, self.v_head_dim],
                    [1, 0, self.v_head_dim],
                ],
                dtype=np.int64,
            )
            _run(
                np.ascontiguousarray(q),
                np.ascontiguousarray(k),
                np.ascontiguousarray(v),
                heads,
                layout,
                n_batch,
                self.num_heads,
                self.num_kv_heads,
                self.head_dim,
                self.v_head_dim,
                bool_mask,
                float_mask,
                is_causal,
                1.0 / math.sqrt(self.head_dim),
                resolve_n_jobs(self.n_jobs),
            )
        out = call_layer(self.out_proj, heads, self.n_jobs)
        if unbatched:
            return out[0]
        if not self.batch_first:
            return np.ascontiguousarray(np.swapaxes(out, 0, 1))
        return out

    def _masks(
        self,
        key_padding_mask: Any,
        attn_mask: Any,
        n_batch: int,
        len_q: int,
        len_k: int,
        dtype: np.dtype,
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """torch.nn.MultiheadAttention's masks as the kernel's (bool "attend" mask,
        additive mask), each 4-D (B', H', L', S')."""
        bool_mask: np.ndarray | None = None
        float_mask: np.ndarray | None = None
        if key_padding_mask is not None:
            kpm = np.asarray(key_padding_mask)
            if kpm.ndim == 1 and n_batch == 1:
                kpm = kpm[None]
            if kpm.shape != (n_batch, len_k):
                raise ValueError(
                    f"key_padding_mask must have shape (batch, S) = {(n_batch, len_k)}"
                    f", got {kpm.shape}."
                )
            if kpm.dtype == np.bool_:
                bool_mask = np.ascontiguousarray(~kpm).reshape(n_batch, 1, 1, len_k)
            elif kpm.dtype.kind == "f":
                float_mask = kpm.astype(dtype).reshape(n_batch, 1, 1, len_k)
            else:
                raise ValueError(
                    "key_padding_mask must be a bool or floating array, got dtype "
                    f"{kpm.dtype}."
                )
        if attn_mask is not None:
            am = np.asarray(attn_mask)
            if am.shape == (len_q, len_k):
                am = am.reshape(1, 1, len_q, len_k)
            elif am.shape == (n_batch * self.num_heads, len_q, len_k):
                am = am.reshape(n_batch, self.num_heads, len_q, len_k)
            else:
                raise ValueError(
                    f"attn_mask must have shape (L, S) = {(len_q, len_k)} or "
                    f"(batch * num_heads, L, S) = "
                    f"{(n_batch * self.num_heads, len_q, len_k)}, got {am.shape}."
                )
            if am.dtype == np.bool_:
                if bool_mask is None:
                    bool_mask = np.ascontiguousarray(~am)
                else:  # both boolean: the attention mask as 0 / -inf
                    float_mask = np.where(am, -np.inf, 0.0).astype(dtype)
            elif am.dtype.kind == "f":
                am = am.astype(dtype)
                float_mask = am if float_mask is None else float_mask + am
            else:
                raise ValueError(
                    f"attn_mask must be a bool or floating array, got dtype {am.dtype}."
                )
        if float_mask is not None:
            float_mask = np.ascontiguousarray(float_mask)
        return bool_mask, float_mask

    def __repr__(self) -> str:
        return (
            f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads="
            f"{self.num_heads}, num_kv_heads={self.num_kv_heads}, batch_first="
            f"{self.batch_first})"
        )
