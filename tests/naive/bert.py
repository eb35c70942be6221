"""Naive reference of a post-LayerNorm BERT encoder (fastml.nn.BertModel).

Straight from the definition, on the padded batch, in float64, with Hugging Face's
tensor names: embeddings (word + position + token type) and LayerNorm, then per layer
softmax(Q K^T / sqrt(d) + mask) V over every head, output projection, residual,
LayerNorm, GELU feed-forward, residual, LayerNorm. Padded keys get a score of -inf.
"""

from __future__ import annotations

import math

import numpy as np


def _layer_norm(x, weight, bias, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def bert_forward(tensors, n_layers, n_heads, eps, input_ids, attention_mask, types):
    """Last hidden state (batch, length, hidden) in float64 (padded rows included)."""
    t = {name: np.asarray(a, dtype=np.float64) for name, a in tensors.items()}
    batch, length = input_ids.shape
    x = (
        t["embeddings.word_embeddings.weight"][input_ids]
        + t["embeddings.position_embeddings.weight"][np.arange(length)][None]
        + t["embeddings.token_type_embeddings.weight"][types]
    )
    x = _layer_norm(
        x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps
    )
    width = x.shape[-1]
    d = width // n_heads
    bias = np.where(attention_mask[:, None, None, :] != 0, 0.0, -np.inf)

    def dense(name, h):
        return h @ t[name + ".weight"].T + t[name + ".bias"]

    for i in range(n_layers):
        p = f"encoder.layer.{i}."
        heads = []
        for name in ("query", "key", "value"):
            proj = dense(p + "attention.self." + name, x)
            heads.append(proj.reshape(batch, length, n_heads, d).transpose(0, 2, 1, 3))
        q, k, v = heads
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(d) + bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        probs = scores / scores.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, width)
        x = _layer_norm(
            dense(p + "attention.output.dense", context) + x,
            t[p + "attention.output.LayerNorm.weight"],
            t[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        inner = _gelu(dense(p + "intermediate.dense", x))
        x = _layer_norm(
            dense(p + "output.dense", inner) + x,
            t[p + "output.LayerNorm.weight"],
            t[p + "output.LayerNorm.bias"],
            eps,
        )
    return x
