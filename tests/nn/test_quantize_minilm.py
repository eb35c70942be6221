"""Quality of the quantized all-MiniLM-L6-v2 encoder against its float32 embeddings.

The issue's thresholds, on varied test sentences (short and long, accents, CJK,
emoji, numbers, code, generated word salad): every sentence's embedding from the
int8 model has cosine >= 0.99 with the float32 embedding, the bfloat16 model
>= 0.999 (float16 is checked against 0.999 as well: its weights carry 3 more bits
than bfloat16's). The model folder comes from the session fixture ``minilm_dir``
(the test is skipped when the model cannot be had).
"""

from __future__ import annotations

import numpy as np
import pytest

from fastml.nn.quantize import memory_report, quantize_model

HANDWRITTEN = [
    "",
    "Hello world!",
    "The quick brown fox jumps over the lazy dog.",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "Café au lait, naïve façade, résumé, déjà vu.",
    "Die Straße ist über drei Kilometer lang und sehr schön.",
    "東京は日本の首都です。",
    "我爱自然语言处理和机器学习。",
    "I love pizza 🍕🍕🍕 and ice cream 🍦!",
    "3.14159265358979",
    "Call 555-0199 before 10:30pm on 2024-03-15.",
    "user@example.com wrote https://example.org/path?q=1&r=2#frag",
    "def quantize(x): return np.rint(x / scale).astype(np.int8)",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism",
    "Quantization maps floating-point weights to small integers with a scale.",
    "The stock market fell sharply after the central bank raised rates.",
    "How do I reset my password if I no longer have access to my email?",
    "Photosynthesis converts light energy into chemical energy in plants.",
    "The referee blew the whistle and the match ended in a draw.",
    "She played a beautiful sonata on the old piano.",
    "Can you recommend a good restaurant near the train station?",
    "The patient was prescribed antibiotics for a bacterial infection.",
    "Heavy rain is expected throughout the weekend in the northern region.",
    "!!!",
    "ok",
    "no",
]

WORDS = (
    "model data vector river mountain cat dog happy sad bank money music song "
    "computer science learning deep network city travel food coffee tea rain sun "
    "quickly slowly red green blue seven hundred runs jumps reads writes the a of"
).split()


def _generated(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [
        " ".join(rng.choice(WORDS, size=int(rng.integers(3, 60)))).capitalize() + "."
        for _ in range(n)
    ]


SENTENCES = HANDWRITTEN + _generated(70, seed=0)
THRESHOLDS = {"int8": 0.99, "bfloat16": 0.999, "float16": 0.999}


@pytest.fixture(scope="module")
def encoder(minilm_dir):
    from fastml.nn import SentenceEncoder

    return SentenceEncoder.from_pretrained(minilm_dir)


@pytest.fixture(scope="module")
def reference(encoder):
    return encoder.encode(SENTENCES, batch_size=32)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    return np.sum(a64 * b64, axis=1) / (
        np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1)
    )


@pytest.mark.parametrize("fmt", ["int8", "bfloat16", "float16"])
def test_quantized_minilm_keeps_embeddings(encoder, reference, fmt):
    quantized = quantize_model(encoder, fmt, n_jobs=2)
    got = quantized.encode(SENTENCES, batch_size=32)
    assert got.shape == reference.shape and got.dtype == np.float32
    cosines = _cosines(got, reference)
    assert cosines.min() >= THRESHOLDS[fmt], (fmt, cosines.min(), np.argmin(cosines))
    # the quantized copy is smaller, the original is untouched
    before = memory_report(encoder)
    after = memory_report(quantized)
    ratio = {"int8": 0.27, "bfloat16": 0.51, "float16": 0.51}[fmt]
    assert after["linear_bytes"] <= ratio * before["linear_bytes"]
    assert after["other_bytes"] == before["other_bytes"]
    assert {layer["format"] for layer in before["layers"].values()} == {"float32"}
    assert {layer["format"] for layer in after["layers"].values()} == {fmt}
    assert (
        len(after["layers"]) == len(before["layers"]) >= 24
    )  # 6 layers x 4 (+ pooler)
