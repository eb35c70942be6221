"""Cold and warm first-call times, measured in fresh processes.

The cold process runs ``python -m fastml warmup --json`` with ``NUMBA_CACHE_DIR``
pointing at a new empty directory, so every kernel compiles; the warm process runs the
same command with the same (now filled) cache directory, so kernels load from the
cache. Both report per-family seconds (see :func:`fastml.warmup`) and the process's
wall time is measured around it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["measure_compile_times"]


def _run_child(
    env: dict[str, str], families: Sequence[str] | None, timeout: float
) -> tuple[dict[str, Any], float]:
    cmd = [sys.executable, "-m", "fastml", "warmup", "--json"]
    if families is not None:
        cmd += ["--families", ",".join(families)]
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited with {proc.returncode}: {proc.stderr.strip()}"
        )
    return json.loads(proc.stdout), wall


def measure_compile_times(
    families: Sequence[str] | None = None,
    *,
    n_threads: int = 2,
    timeout: float = 900.0,
) -> dict[str, Any]:
    """First-call seconds per kernel family with an empty and with a filled cache.

    Parameters
    ----------
    families : sequence of str or None
        Warm-up families to measure (None: all registered).
    n_threads : int
        Thread count for the child processes (environment variables).
    timeout : float
        Seconds allowed per child process.

    Returns
    -------
    dict
        ``{"families": {name: {"cold": s, "warm": s, "note": str}},
        "cold_process_seconds": s, "warm_process_seconds": s}``; a family that was
        skipped has ``None`` times and the reason in ``note``.
    """
    from fastml.benchmarking._threads import THREAD_ENV_VARS

    with tempfile.TemporaryDirectory(prefix="fastml-numba-cache-") as cache_dir:
        env = dict(os.environ)
        env["NUMBA_CACHE_DIR"] = cache_dir
        env.pop("FASTML_NUMBA_CACHE", None)  # the cache must be on for the warm run
        for name in THREAD_ENV_VARS:
            env[name] = str(n_threads)
        cold, cold_wall = _run_child(env, families, timeout)
        warm, warm_wall = _run_child(env, families, timeout)

    table: dict[str, dict[str, Any]] = {}
    for name in list(cold["timings"]) + list(cold["skipped"]):
        table[name] = {
            "cold": cold["timings"].get(name),
            "warm": warm["timings"].get(name),
            "note": cold["skipped"].get(name, ""),
        }
    return {
        "families": table,
        "cold_process_seconds": cold_wall,
        "warm_process_seconds": warm_wall,
    }
