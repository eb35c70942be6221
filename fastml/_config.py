"""Canonical dtypes, thread-count resolution and shared numeric tolerances."""

from __future__ import annotations

import os

import numpy as np

FLOAT_DTYPES = (np.float64, np.float32)
INDEX_DTYPE = np.int64


def cpu_count() -> int:
    """CPUs this process may run on (the affinity mask where the OS exposes it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def resolve_n_jobs(n_jobs: int | None) -> int:
    """scikit-learn's convention: None -> 1, -1 -> all CPUs, -2 -> all but one, ...

    Raises ValueError for 0 and for non-integers.
    """
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise ValueError(f"n_jobs must be an int or None, got {n_jobs!r}.")
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError(
            "n_jobs == 0 has no meaning; use None, a positive or negative int."
        )
    n_cpus = cpu_count()
    if n_jobs < 0:
        return max(1, n_cpus + 1 + n_jobs)
    return n_jobs
