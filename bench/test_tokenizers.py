"""WordPieceTokenizer against Hugging Face's tokenizers (Rust) and transformers'
BertTokenizer, same texts, same run, side by side.

Group ``wordpiece_1000``: 1,000 English-like sentences (seeded draws from a fixed
word list, punctuation, numbers, a few accented words; ~100 characters each) encoded
with the all-MiniLM-L6-v2 vocabulary, padding to the longest and truncation to 256
tokens, into numpy input_ids / attention_mask / token_type_ids, the call the MiniLM
encoder makes. Group ``wordpiece_docs``: 200 documents of ~3,000 characters cut to
256 tokens. fastml is measured twice: "warm" (the word cache filled by the warm-up
call, as in repeated encoding) and "cold" (the cache emptied before every call).
The peers' threads are pinned like everyone's (RAYON_NUM_THREADS for tokenizers).
Quality: whether the ids equal tokenizers' ids (``same_ids``).

Run: ``pytest bench/test_tokenizers.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

from fastml.nn.tokenizers import WordPieceTokenizer

os.environ.setdefault("RAYON_NUM_THREADS", os.environ.get("FASTML_BENCH_THREADS", "2"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

_WORDS = (
    "the of and to in is was that for on as with by he at from his an were are "
    "which this be or has had not but first one their its new after who they have "
    "her she two been other when there all during into school time may years more "
    "most only over city some world would where later up such used many can state "
    "about national out known university united then made model learning data "
    "network attention transformer embedding sentence vector token encoder results "
    "performance training inference benchmark naïve café résumé Zürich São 2024 "
    "3.14 100 1,000 U.S. e-mail state-of-the-art don't it's"
).split()


def _sentences(n: int, seed: int, words_per_text: tuple[int, int]) -> list[str]:
    rng = np.random.default_rng(seed)
    texts = []
    for _ in range(n):
        count = int(rng.integers(*words_per_text))
        words = list(rng.choice(_WORDS, size=count))
        words[0] = words[0].capitalize()
        for i in range(2, count - 1, 7):
            words[i] += str(rng.choice([",", ";", ":", ""]))
        texts.append(" ".join(words) + str(rng.choice([".", "?", "!"])))
    return texts


@pytest.fixture(scope="module")
def folder() -> Any:
    from fastml.benchmarking._pretrained import minilm_path

    path = minilm_path()
    if path is None:
        pytest.skip("all-MiniLM-L6-v2 is not available")
    return path


def _rust(folder: Any, peer: Any) -> Any:
    tokenizers = peer("tokenizers")
    tok = tokenizers.Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(256)
    tok.enable_padding(pad_id=0, pad_token="[PAD]")

    def encode(texts: list[str]) -> dict[str, np.ndarray]:
        encodings = tok.encode_batch(texts)
        return {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array(
                [e.attention_mask for e in encodings], dtype=np.int64
            ),
            "token_type_ids": np.array([e.type_ids for e in encodings], np.int64),
        }

    return encode


CASES = {
    "wordpiece_1000": dict(n=1000, seed=0, words_per_text=(10, 25)),
    "wordpiece_docs": dict(n=200, seed=1, words_per_text=(450, 550)),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("lib", ["fastml", "fastml_cold", "tokenizers", "transformers"])
def test_wordpiece(benchmark, run_warm, peer, folder, case, lib):
    texts = _sentences(**CASES[case])
    reference = _rust(folder, peer)(texts)["input_ids"]
    if lib.startswith("fastml"):
        tok = WordPieceTokenizer.from_pretrained(folder)

        def encode(texts: list[str]) -> dict[str, np.ndarray]:
            if lib == "fastml_cold":
                tok._cache.clear()
            return tok(texts, padding="longest", truncation=True, max_length=256)

    elif lib == "tokenizers":
        encode = _rust(folder, peer)
    else:
        transformers = peer("transformers")
        bert = transformers.BertTokenizer.from_pretrained(str(folder))

        def encode(texts: list[str]) -> dict[str, np.ndarray]:
            return dict(
                bert(
                    texts,
                    padding=True,
                    truncation=True,
                    max_length=256,
                    return_tensors="np",
                )
            )

    run_warm(
        benchmark,
        encode,
        texts,
        group=case,
        quality=lambda out: {
            "same_ids": bool(np.array_equal(out["input_ids"], reference))
        },
    )
