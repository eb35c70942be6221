"""Benchmarks of fastml against its peer libraries (behind ``python -m fastml bench``).

Workloads live in ``fastml/benchmarking/workloads/<area>.py``, one file per area,
each defining ``WORKLOADS``: a list of :class:`Workload` (name, area, sizes per mode,
``make_data``, ``run_fastml``, peers, quality figure). :func:`run_benchmarks` runs
them for fastml and every installed peer, under the same thread limits, and returns
:class:`BenchResult` rows; :func:`format_results_table` and :func:`results_document`
turn them into a table or a JSON document. Nothing here prints.

Names load lazily (PEP 562) so that :func:`pin_thread_env` can run before numpy and
the peer libraries are imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_ATTRIBUTES = {
    "Peer": "fastml.benchmarking._registry",
    "Workload": "fastml.benchmarking._registry",
    "MODES": "fastml.benchmarking._registry",
    "discover_workloads": "fastml.benchmarking._registry",
    "peer_available": "fastml.benchmarking._registry",
    "BenchResult": "fastml.benchmarking._runner",
    "run_benchmarks": "fastml.benchmarking._runner",
    "time_call": "fastml.benchmarking._runner",
    "format_results_table": "fastml.benchmarking._report",
    "format_compile_table": "fastml.benchmarking._report",
    "results_document": "fastml.benchmarking._report",
    "measure_compile_times": "fastml.benchmarking._compile",
    "pin_thread_env": "fastml.benchmarking._threads",
    "thread_limits": "fastml.benchmarking._threads",
    "THREAD_ENV_VARS": "fastml.benchmarking._threads",
}

__all__ = [
    "BenchResult",
    "MODES",
    "Peer",
    "THREAD_ENV_VARS",
    "Workload",
    "discover_workloads",
    "format_compile_table",
    "format_results_table",
    "measure_compile_times",
    "peer_available",
    "pin_thread_env",
    "results_document",
    "run_benchmarks",
    "thread_limits",
    "time_call",
]

if TYPE_CHECKING:  # pragma: no cover
    from fastml.benchmarking._compile import measure_compile_times
    from fastml.benchmarking._registry import (
        MODES,
        Peer,
        Workload,
        discover_workloads,
        peer_available,
    )
    from fastml.benchmarking._report import (
        format_compile_table,
        format_results_table,
        results_document,
    )
    from fastml.benchmarking._runner import BenchResult, run_benchmarks, time_call
    from fastml.benchmarking._threads import (
        THREAD_ENV_VARS,
        pin_thread_env,
        thread_limits,
    )


def __getattr__(name: str) -> Any:
    if name in _ATTRIBUTES:
        return getattr(importlib.import_module(_ATTRIBUTES[name]), name)
    raise AttributeError(f"module 'fastml.benchmarking' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
