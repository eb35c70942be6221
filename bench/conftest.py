"""Shared fixtures of the pytest-benchmark suite (bench/test_<area>.py).

Threads: every library is pinned to ``FASTML_BENCH_THREADS`` threads (default 2). The
environment variables are set here, at collection time, before any benchmark module
imports numpy's BLAS users or a peer library; each benchmark also runs under
:func:`fastml.benchmarking.thread_limits` (Numba, threadpoolctl, torch). Peers with
their own thread parameter get ``n_threads`` (fixture) explicitly.

Fixtures
--------
n_threads
    The pinned thread count.
bench_mode
    "quick" (default) or "full", from ``FASTML_BENCH_MODE``: pick sizes with it.
peer
    ``peer("sklearn.metrics")`` imports a peer module or skips the benchmark when it
    is not installed (torch also gets ``set_num_threads(n_threads)``).
dataset
    ``dataset("classification", n_samples=..., ...)``: fastml.datasets generators
    ("classification", "regression", "blobs", "low_rank_mixture") with
    ``random_state=0`` unless given, cached for the session (do not modify).
run_warm
    ``run_warm(benchmark, func, *args, group=..., quality=None, **kwargs)``: one
    untimed warm-up call, then the timed benchmark; the group makes fastml and the
    peer print side by side; ``quality`` is a dict or a callable of the result,
    stored in ``benchmark.extra_info``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fastml.benchmarking._threads import pin_thread_env

N_THREADS = int(os.environ.get("FASTML_BENCH_THREADS", "2"))
pin_thread_env(N_THREADS)


@pytest.fixture(scope="session")
def n_threads() -> int:
    return N_THREADS


@pytest.fixture(scope="session")
def bench_mode() -> str:
    mode = os.environ.get("FASTML_BENCH_MODE", "quick")
    if mode not in ("quick", "full"):
        raise pytest.UsageError(f"FASTML_BENCH_MODE must be quick or full, not {mode}")
    return mode


@pytest.fixture(autouse=True)
def _pinned_threads() -> Iterator[None]:
    from fastml.benchmarking import thread_limits

    with thread_limits(N_THREADS):
        yield


@pytest.fixture(scope="session")
def peer() -> Callable[[str], Any]:
    def load(module: str) -> Any:
        mod = pytest.importorskip(module)
        if module.split(".")[0] == "torch":
            importlib.import_module("torch").set_num_threads(N_THREADS)
        return mod

    return load


_GENERATORS = {
    "classification": "make_classification",
    "regression": "make_regression",
    "blobs": "make_blobs",
    "low_rank_mixture": "make_low_rank_mixture",
}


@pytest.fixture(scope="session")
def dataset() -> Callable[..., Any]:
    cache: dict[tuple[str, tuple[tuple[str, Any], ...]], Any] = {}

    def make(kind: str, **kwargs: Any) -> Any:
        import fastml.datasets

        kwargs.setdefault("random_state", 0)
        key = (kind, tuple(sorted((k, repr(v)) for k, v in kwargs.items())))
        if key not in cache:
            cache[key] = getattr(fastml.datasets, _GENERATORS[kind])(**kwargs)
        return cache[key]

    return make


@pytest.fixture
def run_warm() -> Callable[..., Any]:
    def run(
        benchmark: Any,
        func: Callable[..., Any],
        *args: Any,
        group: str,
        quality: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> Any:
        func(*args, **kwargs)  # untimed warm-up: JIT compilation, caches
        benchmark.group = group
        benchmark.extra_info["n_threads"] = N_THREADS
        result = benchmark(func, *args, **kwargs)
        if quality is not None:
            info = quality(result) if callable(quality) else quality
            benchmark.extra_info.update(info)
        return result

    return run
