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
    "MultiheadAttention": "fastml.nn._attention",
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
