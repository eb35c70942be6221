"""The pieces of :class:`fastml.nn.BertModel`: embeddings, the post-LayerNorm encoder
layer on packed real tokens, the padded layout attention runs on, and the fused
residual + LayerNorm call (module docstring of ``fastml.nn._bert``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.nn._layers import (
    Embedding,
    LayerNorm,
    Linear,
    add_layer_norm,
    call_layer,
)

__all__ = ["BertEmbeddings", "BertLayer"]


class _Layout:
    """Where the packed rows (real tokens) sit in the (batch, length) grid.

    ``rows_idx``/``cols_idx`` give each packed token's sequence and position; they
    are None when every grid cell is a real token (no padding). ``mask`` is the
    (batch, 1, 1, length) boolean key mask of the attention (None without padding).
    """

    def __init__(
        self,
        batch: int,
        length: int,
        rows_idx: np.ndarray | None,
        cols_idx: np.ndarray | None,
        mask: np.ndarray | None,
    ) -> None:
        self.batch, self.length = batch, length
        self.rows_idx, self.cols_idx, self.mask = rows_idx, cols_idx, mask

    @property
    def dense(self) -> bool:
        return self.rows_idx is None

    def scatter(self, packed: np.ndarray) -> np.ndarray:
        """(n_tokens, ...) -> (batch, length, ...), zeros at padded cells."""
        if self.dense:
            return packed.reshape(self.batch, self.length, *packed.shape[1:])
        grid = np.zeros((self.batch, self.length, *packed.shape[1:]), packed.dtype)
        grid[self.rows_idx, self.cols_idx] = packed
        return grid


class BertEmbeddings:
    """Word + position + token-type embeddings followed by LayerNorm."""

    def __init__(
        self,
        word_embeddings: Embedding,
        position_embeddings: Embedding,
        token_type_embeddings: Embedding,
        layer_norm: LayerNorm,
    ) -> None:
        self.word_embeddings = word_embeddings
        self.position_embeddings = position_embeddings
        self.token_type_embeddings = token_type_embeddings
        self.layer_norm = layer_norm

    def __call__(
        self,
        input_ids: np.ndarray,
        positions: np.ndarray,
        token_type_ids: np.ndarray,
        n_threads: int = 1,
    ) -> np.ndarray:
        """Embed packed tokens: 1-D ids, positions and types -> (n_tokens, width)."""
        words = self.word_embeddings.weight[input_ids]
        rest = self.position_embeddings.weight[positions]
        rest += self.token_type_embeddings.weight[token_type_ids]
        return add_layer_norm(words, rest, self.layer_norm, n_threads)


class BertLayer:
    """One post-LayerNorm encoder layer (attention block, then feed-forward block).

    Works on packed tokens: ``hidden`` holds the real tokens of the batch only, one
    row each; attention alone sees them in the (batch, heads, length, head_dim)
    layout.

    Attributes
    ----------
    qkv : Linear
        ``hidden -> 3 * hidden``: the query, key and value projections stacked
        (rows ``[0, h)`` query, ``[h, 2h)`` key, ``[2h, 3h)`` value), one matrix
        product for the three.
    attention_output : Linear
        ``hidden -> hidden``.
    attention_norm : LayerNorm
    intermediate : Linear
        ``hidden -> intermediate``, followed by GELU.
    output : Linear
        ``intermediate -> hidden``.
    output_norm : LayerNorm
    """

    def __init__(
        self,
        qkv: Linear,
        attention_output: Linear,
        attention_norm: LayerNorm,
        intermediate: Linear,
        output: Linear,
        output_norm: LayerNorm,
        *,
        num_attention_heads: int,
        gelu_approximate: str = "none",
    ) -> None:
        self.qkv = qkv
        self.attention_output = attention_output
        self.attention_norm = attention_norm
        self.intermediate = intermediate
        self.output = output
        self.output_norm = output_norm
        self.num_attention_heads = num_attention_heads
        self.gelu_approximate = gelu_approximate

    def __call__(
        self, hidden: np.ndarray, layout: _Layout, n_jobs: int | None
    ) -> np.ndarray:
        from fastml.activations import gelu

        n_threads = resolve_n_jobs(n_jobs)
        n_tokens, width = hidden.shape
        heads = self.num_attention_heads
        head_dim = width // heads
        batch, length = layout.batch, layout.length
        projected = call_layer(self.qkv, hidden, n_jobs).reshape(
            n_tokens, 3, heads, head_dim
        )
        if layout.dense:
            split = projected.reshape(batch, length, 3, heads, head_dim)
            qkv = np.ascontiguousarray(split.transpose(2, 0, 3, 1, 4))
        else:
            # One scatter straight into the (3, batch, heads, length, head_dim)
            # layout; padded cells stay 0 (masked keys, discarded queries).
            qkv = np.zeros((3, batch, heads, length, head_dim), projected.dtype)
            grid = qkv.transpose(1, 3, 0, 2, 4)
            grid[layout.rows_idx, layout.cols_idx] = projected
        context = _attention()(
            qkv[0], qkv[1], qkv[2], attn_mask=layout.mask, n_jobs=n_jobs
        )
        by_token = context.transpose(0, 2, 1, 3)  # (batch, length, heads, head_dim)
        if layout.dense:
            gathered = by_token.reshape(n_tokens, width)
        else:
            gathered = by_token[layout.rows_idx, layout.cols_idx].reshape(
                n_tokens, width
            )
        attended = add_layer_norm(
            call_layer(self.attention_output, gathered, n_jobs),
            hidden,
            self.attention_norm,
            n_threads,
        )
        # Out of place: fastml's GELU kernel vectorises only when its input and
        # output do not overlap (in place it runs ~8 x slower).
        inner = gelu(
            call_layer(self.intermediate, attended, n_jobs),
            self.gelu_approximate,
            n_jobs=n_jobs,
        )
        return add_layer_norm(
            call_layer(self.output, inner, n_jobs),
            attended,
            self.output_norm,
            n_threads,
        )


def _attention() -> Any:
    from fastml.nn._attention import scaled_dot_product_attention

    return scaled_dot_product_attention
