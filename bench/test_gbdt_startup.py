"""fastml.gbdt first-fit latency (cold and warm Numba cache) and peak fit memory.

Each figure comes from a fresh Python process on the benchmark's classification data
(1,000,000 x 28 float32 in ``full`` mode, 200,000 x 28 in ``quick``; 100 rounds,
depth 6, 255 bins, 2 threads):

- ``cold``: an empty Numba cache directory (``NUMBA_CACHE_DIR``); the first fit
  includes compiling every kernel it calls. Target: under 10 s.
- ``warm``: the cache the cold run filled; the first fit may cost at most 0.3 s more
  than the second.
- ``memory``: the resident-set peak of one fit above the resident set just before it
  (after an untimed warm-up fit on 20,000 rows), as a fraction of the raw float32
  training data. Target: at most 1.5 (the data size plus 50%).

The figures are stored in ``extra_info``; the timed value is the child process.
Run: ``pytest bench/test_gbdt_startup.py --benchmark-only`` (``FASTML_BENCH_MODE=full``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

_CHILD = textwrap.dedent(
    """
    import gc, json, sys, time
    import numpy as np

    mode, n_train, n_threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    from fastml.datasets import make_classification

    X, y = make_classification(n_train, 28, n_informative=12, random_state=0,
                               dtype=np.float32)

    def rss_kib(field):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise RuntimeError(field)

    def fit(n=None):
        from fastml.gbdt import GBDTClassifier

        model = GBDTClassifier(n_estimators=100, max_depth=6, learning_rate=0.1,
                               max_bin=255, n_jobs=n_threads)
        t0 = time.perf_counter()
        model.fit(X[:n], y[:n])
        return time.perf_counter() - t0

    out = {"data_bytes": X.nbytes}
    if mode == "memory":
        fit(20_000)
        gc.collect()
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current resident set
        before = rss_kib("VmRSS")
        fit()
        out["peak_extra_bytes"] = (rss_kib("VmHWM") - before) * 1024
    else:
        t0 = time.perf_counter()
        import fastml.gbdt  # noqa: F401
        out["import_s"] = time.perf_counter() - t0
        out["first_fit_s"] = fit()
        out["second_fit_s"] = fit()
    print(json.dumps(out))
    """
)


def _run_child(mode: str, n_train: int, n_threads: int, cache_dir: Path) -> Any:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir), FASTML_NUMBA_CACHE="1")
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(n_train), str(n_threads)],
        env=env,
        cwd="/",  # the checkout's fastml/ must not shadow the installed package
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def n_train(bench_mode: str) -> int:
    return 1_000_000 if bench_mode == "full" else 200_000


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("numba_cache")


def _record(benchmark, result: dict[str, Any]) -> None:
    benchmark.extra_info.update(result)
    if "first_fit_s" in result:
        benchmark.extra_info["first_minus_second_s"] = (
            result["first_fit_s"] - result["second_fit_s"]
        )
    if "peak_extra_bytes" in result:
        benchmark.extra_info["peak_over_data"] = (
            result["peak_extra_bytes"] / result["data_bytes"]
        )


def test_cold_first_fit(benchmark, n_train, n_threads, cache_dir):
    benchmark.group = "gbdt_startup"
    result = benchmark.pedantic(
        _run_child, args=("cold", n_train, n_threads, cache_dir), rounds=1
    )
    _record(benchmark, result)


def test_warm_first_fit(benchmark, n_train, n_threads, cache_dir):
    benchmark.group = "gbdt_startup"
    _run_child("cold", 20_000, n_threads, cache_dir)  # fills the cache if run alone
    result = benchmark.pedantic(
        _run_child, args=("warm", n_train, n_threads, cache_dir), rounds=1
    )
    _record(benchmark, result)


def test_fit_peak_memory(benchmark, n_train, n_threads, cache_dir):
    benchmark.group = "gbdt_memory"
    result = benchmark.pedantic(
        _run_child, args=("memory", n_train, n_threads, cache_dir), rounds=1
    )
    _record(benchmark, result)
