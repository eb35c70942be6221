"""Run workloads for fastml and their peers and return structured results.

Timing protocol (the same for fastml and every peer, on the same data in the same
process):

1. one untimed warm-up call (compiles fastml's kernels, fills the peers' caches);
2. up to ``repeats`` timed calls, stopping early once the timed calls have used
   ``budget`` seconds (at least one timed call always runs);
3. the reported time is the **minimum** of the timed calls (the least noisy estimate
   of the cost on a shared machine); the median and every call are kept in the
   results as well.

All calls run under :func:`~fastml.benchmarking._threads.thread_limits` with the
same thread count, with the garbage collector paused during each timed call. The
runner never prints: it logs to ``fastml.benchmarking`` and reports progress
through an optional callback.
"""

from __future__ import annotations

import functools
import gc
import logging
import math
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from fastml.benchmarking._registry import (
    MODES,
    Peer,
    Size,
    Workload,
    discover_workloads,
    peer_available,
)
from fastml.benchmarking._threads import thread_limits

__all__ = [
    "BenchResult",
    "DEFAULT_REPEATS",
    "DEFAULT_BUDGET",
    "run_benchmarks",
    "time_call",
]

logger = logging.getLogger("fastml.benchmarking")

#: Timed calls per side and mode, and the seconds after which repeating stops.
DEFAULT_REPEATS = {"tiny": 1, "quick": 3, "full": 5}
DEFAULT_BUDGET = {"tiny": 1.0, "quick": 3.0, "full": 30.0}

#: Result status values.
OK = "ok"
PEER_MISSING = "peer-missing"
NO_PEER = "no-peer"
FASTML_MISSING = "fastml-missing"
FASTML_ERROR = "fastml-error"
PEER_ERROR = "peer-error"
DATA_ERROR = "data-error"

ProgressCallback = Callable[[int, int, str], None]


@dataclass
class BenchResult:
    """One row of the report: a workload at one size against one peer.

    Times are in seconds (the minimum over the timed calls); ``ratio`` is
    ``fastml_seconds / peer_seconds`` (below 1 means fastml is faster).
    """

    area: str
    workload: str
    size: str
    size_params: dict[str, int]
    status: str
    peer: str | None = None
    fastml_seconds: float | None = None
    peer_seconds: float | None = None
    ratio: float | None = None
    fastml_median: float | None = None
    peer_median: float | None = None
    fastml_times: list[float] = field(default_factory=list)
    peer_times: list[float] = field(default_factory=list)
    quality_name: str = ""
    fastml_quality: float | None = None
    peer_quality: float | None = None
    max_abs_diff: float | None = None
    peer_version: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN and inf become None)."""
        return {k: _json_safe(v) for k, v in asdict(self).items()}


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def time_call(
    func: Callable[[], Any], *, repeats: int, budget: float
) -> tuple[Any, list[float]]:
    """Warm-up call (untimed), then up to ``repeats`` timed calls within ``budget`` s.

    Returns
    -------
    output : object
        The warm-up call's return value.
    times : list of float
        Seconds of each timed call (at least one).
    """
    output = func()
    times: list[float] = []
    spent = 0.0
    gc_was_enabled = gc.isenabled()
    for _ in range(max(1, repeats)):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            func()
            elapsed = time.perf_counter() - start
        finally:
            if gc_was_enabled:
                gc.enable()
        times.append(elapsed)
        spent += elapsed
        if spent >= budget:
            break
    return output, times


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if len(first) <= 160 else first[:157] + "..."


def _is_fastml_missing(exc: BaseException) -> bool:
    """An ImportError saying a fastml area, or a name in it, does not exist yet.

    Only the area module itself counts (``fastml.<area>``, or the package's name in
    a ModuleNotFoundError): an import failing deeper, e.g. in ``fastml.kernels``, is
    a bug and reported as an error.
    """
    if not isinstance(exc, ImportError):
        return False
    name = getattr(exc, "name", None) or ""
    if isinstance(exc, ModuleNotFoundError):
        return name == "fastml" or name.startswith("fastml.")
    return name.startswith("fastml.") and name.count(".") == 1


def _peer_version(peer: Peer) -> str | None:
    module = sys.modules.get(peer.requires[0]) if peer.requires else None
    version = getattr(module, "__version__", None)
    return str(version) if version is not None else None


def _safe_figure(func: Callable[..., float] | None, *args: Any) -> float | None:
    if func is None:
        return None
    try:
        return float(func(*args))
    except Exception as exc:  # a broken quality function must not kill the run
        logger.warning("quality/compare function failed: %s", _describe(exc))
        return None


def _selected_peers(workload: Workload) -> tuple[list[Peer], list[Peer]]:
    """(peers to run, missing peers to report) following ``peer_mode``."""
    available = [p for p in workload.peers if peer_available(p)]
    missing = [p for p in workload.peers if not peer_available(p)]
    if workload.peer_mode == "first":
        if available:
            return available[:1], []
        return [], missing
    return available, missing


def _steps(workloads: Sequence[Workload], mode: str) -> int:
    total = 0
    for w in workloads:
        run, missing = _selected_peers(w)
        total += len(w.sizes[mode]) * (1 + len(run))
    return total


def run_benchmarks(
    workloads: Sequence[Workload] | None = None,
    *,
    mode: str = "quick",
    areas: Sequence[str] | None = None,
    n_threads: int = 2,
    repeats: int | None = None,
    budget: float | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> list[BenchResult]:
    """Run workloads for fastml and each installed peer; return one result per row.

    Parameters
    ----------
    workloads : sequence of Workload or None
        What to run; None discovers every registered workload.
    mode : {"tiny", "quick", "full"}
        Size preset.
    areas : sequence of str or None
        Keep only these areas (``--only``).
    n_threads : int
        Threads for fastml and every peer.
    repeats : int or None
        Timed calls per side (default: 1 tiny, 3 quick, 5 full).
    budget : float or None
        Seconds of timed calls after which repeating stops (default per mode).
    seed : int
        Seed passed to every ``make_data``.
    progress : callable ``(done, total, label)`` or None
        Called before each step and once at the end (``done == total``).

    Returns
    -------
    list of BenchResult
        Failures are results too (status other than "ok" and a note); the run
        itself only raises for invalid arguments.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    if workloads is None:
        workloads = discover_workloads(areas)
    elif areas is not None:
        workloads = [w for w in workloads if w.area in set(areas)]
    n_repeats = DEFAULT_REPEATS[mode] if repeats is None else int(repeats)
    time_budget = DEFAULT_BUDGET[mode] if budget is None else float(budget)

    total = _steps(workloads, mode)
    done = 0

    def tick(label: str) -> None:
        if progress is not None:
            progress(done, total, label)

    results: list[BenchResult] = []
    for workload in workloads:
        run_peers, missing_peers = _selected_peers(workload)
        for size in workload.sizes[mode]:
            label = workload.label(size)
            template = BenchResult(
                area=workload.area,
                workload=workload.name,
                size=label,
                size_params=dict(size),
                status=OK,
                quality_name=workload.quality_name,
            )
            tick(f"{workload.key} {label}: data + fastml")
            done += 1
            rows = _run_one_size(
                workload,
                size,
                template,
                run_peers,
                missing_peers,
                seed=seed,
                n_threads=n_threads,
                repeats=n_repeats,
                budget=time_budget,
                tick=tick,
            )
            results.extend(rows)
            done += len(run_peers)
    if progress is not None:
        progress(total, total, "done")
    return results


def _run_one_size(
    workload: Workload,
    size: Size,
    template: BenchResult,
    run_peers: list[Peer],
    missing_peers: list[Peer],
    *,
    seed: int,
    n_threads: int,
    repeats: int,
    budget: float,
    tick: Callable[[str], None],
) -> list[BenchResult]:
    """The result rows of one workload at one size."""
    key, label = workload.key, template.size
    try:
        data = workload.make_data(size, seed)
    except Exception as exc:
        logger.error("%s %s: make_data failed\n%s", key, label, traceback.format_exc())
        return [replace(template, status=DATA_ERROR, note=_describe(exc))]

    try:
        with thread_limits(n_threads):
            out_fastml, t_fastml = time_call(
                functools.partial(workload.run_fastml, data, n_threads),
                repeats=repeats,
                budget=budget,
            )
    except Exception as exc:
        missing = _is_fastml_missing(exc)
        if not missing:
            logger.error("%s %s: fastml failed\n%s", key, label, traceback.format_exc())
        prefix = "fastml area missing: " if missing else "fastml: "
        status = FASTML_MISSING if missing else FASTML_ERROR
        return [replace(template, status=status, note=prefix + _describe(exc))]

    fastml_row = replace(
        template,
        fastml_seconds=min(t_fastml),
        fastml_median=statistics.median(t_fastml),
        fastml_times=t_fastml,
        fastml_quality=_safe_figure(workload.quality, data, out_fastml),
    )
    rows: list[BenchResult] = []
    if not run_peers:
        if missing_peers:
            names = ", ".join(p.name for p in missing_peers)
            rows.append(
                replace(
                    fastml_row, status=PEER_MISSING, note=f"peer not installed: {names}"
                )
            )
        else:
            rows.append(replace(fastml_row, status=NO_PEER))
    else:
        for peer in missing_peers:
            rows.append(
                replace(
                    fastml_row,
                    peer=peer.name,
                    status=PEER_MISSING,
                    note=f"{peer.name} not installed",
                )
            )
    for peer in run_peers:
        tick(f"{key} {label}: {peer.name}")
        try:
            with thread_limits(n_threads):
                out_peer, t_peer = time_call(
                    functools.partial(peer.run, data, n_threads),
                    repeats=repeats,
                    budget=budget,
                )
        except Exception as exc:
            logger.error(
                "%s %s: peer %s failed\n%s",
                key,
                label,
                peer.name,
                traceback.format_exc(),
            )
            rows.append(
                replace(
                    fastml_row,
                    peer=peer.name,
                    peer_version=_peer_version(peer),
                    status=PEER_ERROR,
                    note=f"{peer.name}: {_describe(exc)}",
                )
            )
            continue
        peer_best = min(t_peer)
        fastml_best = min(t_fastml)
        rows.append(
            replace(
                fastml_row,
                peer=peer.name,
                peer_version=_peer_version(peer),
                peer_seconds=peer_best,
                peer_median=statistics.median(t_peer),
                peer_times=t_peer,
                ratio=fastml_best / peer_best if peer_best > 0 else None,
                peer_quality=_safe_figure(workload.quality, data, out_peer),
                max_abs_diff=_safe_figure(workload.compare, out_fastml, out_peer),
                status=OK,
            )
        )
    return rows
