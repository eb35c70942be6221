"""GPT-style decoding with a key/value cache: fastml's GPTDecoder vs transformers'
GPT2LMHeadModel on the same random GPT-2 weights.

Group ``gpt2_greedy``: a 6-layer, 384-wide GPT-2 (12 heads, vocabulary 8,192, built
locally from a GPT2Config, no download), batch 4, a 32-token prompt, 64 greedy new
tokens with the cache. ``extra_info["same_tokens"]``: whether both produced the same
sequences.

Run: ``pytest bench/test_decoder.py --benchmark-only``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

_CONFIG = dict(
    vocab_size=8_192, n_positions=256, n_embd=384, n_layer=6, n_head=12,
    activation_function="gelu_new",
)  # fmt: skip
_BATCH, _PROMPT, _NEW = 4, 32, 64


@pytest.fixture(scope="module")
def models(peer: Any) -> dict[str, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch = peer("torch")
    transformers = peer("transformers")
    from fastml.nn import GPTDecoder

    torch.manual_seed(0)
    reference = transformers.GPT2LMHeadModel(transformers.GPT2Config(**_CONFIG))
    reference.eval()
    state = {k: v.detach().numpy() for k, v in reference.state_dict().items()}
    ours = GPTDecoder.from_gpt2_state_dict(state, reference.config.to_dict())
    prompt = np.random.default_rng(0).integers(0, 8_192, (_BATCH, _PROMPT))
    return {"torch": torch, "reference": reference, "fastml": ours, "prompt": prompt}


def _fastml(models: dict[str, Any], n_threads: int) -> np.ndarray:
    from fastml.nn import sampling

    model = models["fastml"]
    model.n_jobs = n_threads
    return sampling.generate(model, models["prompt"], _NEW)


def _transformers(models: dict[str, Any], n_threads: int) -> np.ndarray:
    torch = models["torch"]
    with torch.no_grad():
        out = models["reference"].generate(
            torch.from_numpy(models["prompt"]),
            max_new_tokens=_NEW,
            min_new_tokens=_NEW,
            do_sample=False,
            use_cache=True,
            pad_token_id=0,
        )
    return out.numpy()


@pytest.mark.parametrize("lib", ["fastml", "transformers"])
def test_gpt2_greedy(benchmark, run_warm, models, n_threads, lib):
    runners = {"fastml": _fastml, "transformers": _transformers}
    other = runners["transformers" if lib == "fastml" else "fastml"]
    expected = other(models, n_threads)

    def quality(tokens: np.ndarray) -> dict[str, Any]:
        return {"same_tokens": bool(np.array_equal(tokens, expected))}

    run_warm(
        benchmark, runners[lib], models, n_threads, group="gpt2_greedy", quality=quality
    )
