"""Interleaved MiniLM encoding: fastml's SentenceEncoder and sentence-transformers in
turn, in one process (a burst of load lands on both sides).

Same workload as bench/test_encoder.py: all-MiniLM-L6-v2, 1,000 sentences of 5 to 40
random vocabulary words, batch size 32, float32, 2 threads each. Prints each round's
times and ratio, then the median ratio (fastml / sentence-transformers).

Usage: ``python bench/encoder_interleaved.py [rounds]`` (from outside the repository
root).
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # before any Numba OpenMP kernel runs

torch.set_num_threads(2)

import numpy as np  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from fastml.benchmarking._pretrained import minilm_path  # noqa: E402
from fastml.benchmarking.workloads.encoder import make_sentences  # noqa: E402
from fastml.nn import SentenceEncoder  # noqa: E402


def main(rounds: int) -> None:
    path = minilm_path()
    if path is None:
        raise SystemExit("all-MiniLM-L6-v2 is not available")
    sentences = make_sentences(path, 1000, seed=0)
    ours = SentenceEncoder.from_pretrained(path)
    peer = SentenceTransformer(str(path), device="cpu")
    with threadpool_limits(2):
        a = ours.encode(sentences, batch_size=32, n_jobs=2)
        b = peer.encode(sentences, batch_size=32)
        print(f"max |diff| {np.abs(a - b).max():.2e}")
        ratios = []
        for _ in range(rounds):
            start = time.perf_counter()
            ours.encode(sentences, batch_size=32, n_jobs=2)
            t_ours = time.perf_counter() - start
            start = time.perf_counter()
            peer.encode(sentences, batch_size=32)
            t_peer = time.perf_counter() - start
            ratios.append(t_ours / t_peer)
            print(f"fastml {t_ours:.2f} s  sentence-transformers {t_peer:.2f} s  "
                  f"ratio {t_ours / t_peer:.3f}", flush=True)  # fmt: skip
        print(f"median ratio {np.median(ratios):.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
