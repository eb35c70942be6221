"""Neural-network building blocks for inference on the CPU: attention, a BERT-style
encoder that loads real pretrained weights, a GPT-style decoder with sampling,
tokenizers and quantization.

Public submodules: :mod:`fastml.nn.tokenizers`, :mod:`fastml.nn.sampling`,
:mod:`fastml.nn.quantize`. The names below load lazily (PEP 562), so importing
``fastml.nn`` compiles nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_ATTRIBUTES = {
    "scaled_dot_product_attention": "fastml.nn._attention",
    "MultiheadAttention": "fastml.nn._multihead",
    "Linear": "fastml.nn._layers",
    "LayerNorm": "fastml.nn._layers",
    "Embedding": "fastml.nn._layers",
    "layer_norm": "fastml.nn._layers",
    "load_safetensors": "fastml.nn._safetensors",
    "save_safetensors": "fastml.nn._safetensors",
    "BertConfig": "fastml.nn._bert",
    "BertModel": "fastml.nn._bert",
    "SentenceEncoder": "fastml.nn._sentence",
    "DecoderConfig": "fastml.nn._decoder",
    "GPTDecoder": "fastml.nn._decoder",
    "KVCache": "fastml.nn._kv_cache",
}
_SUBMODULES = ("tokenizers", "sampling", "quantize")

__all__ = sorted(_ATTRIBUTES) + list(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _ATTRIBUTES:
        value = getattr(importlib.import_module(_ATTRIBUTES[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"fastml.nn.{name}")
    raise AttributeError(f"module 'fastml.nn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def _warmup() -> None:
    """Load or compile the kernels of fastml.nn (fastml.warmup()): attention (float32
    and float64, masks and causal), the fused add + LayerNorm and GELU of a small
    random BERT encoder and GPT decoder, the fastText subword kernels and every
    quantization kernel."""
    import numpy as np

    from fastml.nn import quantize
    from fastml.nn._attention import scaled_dot_product_attention
    from fastml.nn._bert import BertConfig, BertModel
    from fastml.nn._decoder import DecoderConfig, GPTDecoder
    from fastml.nn.tokenizers import FastTextSubwords

    for dtype in (np.float32, np.float64):
        x = np.zeros((1, 2, 5, 8), dtype)
        mask = np.ones(5, dtype=bool)
        scaled_dot_product_attention(x, x, x, attn_mask=mask, is_causal=True)
    config = BertConfig.from_dict(
        {
            "vocab_size": 20,
            "hidden_size": 8,
            "num_hidden_layers": 1,
            "num_attention_heads": 2,
            "intermediate_size": 16,
            "max_position_embeddings": 8,
        }
    )
    BertModel.random(config, random_state=0)(np.array([[1, 2, 3], [4, 5, 0]]))
    decoder_config = DecoderConfig(
        vocab_size=20, n_positions=8, d_model=8, n_heads=2, n_layers=1
    )
    GPTDecoder(decoder_config, random_state=0)(np.array([[1, 2, 3]]))
    subwords = FastTextSubwords(["cat"], bucket=100)
    subwords.word_vector("cats", np.zeros((subwords.n_rows, 4), np.float32))
    quantize._warmup()
