"""Plain-text tables and JSON documents for benchmark results (no printing here)."""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from fastml.benchmarking._runner import BenchResult

__all__ = ["format_results_table", "format_compile_table", "results_document"]

_COLUMNS = (
    ("area", "<"),
    ("workload", "<"),
    ("size", ">"),
    ("fastml s", ">"),
    ("peer", "<"),
    ("peer s", ">"),
    ("fastml/peer", ">"),
    ("quality", "<"),
    ("fastml q", ">"),
    ("peer q", ">"),
    ("max|diff|", ">"),
    ("note", "<"),
)


def _seconds(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 1:
        return f"{value:.2f}"
    if value >= 0.01:
        return f"{value:.3f}"
    return f"{value:.2e}"


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    if abs(value) >= 1e-3 and abs(value) < 1e6:
        return f"{value:.6g}"
    return f"{value:.1e}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _render(header: Sequence[str], aligns: Sequence[str], rows: list[list[str]]) -> str:
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]

    def line(cells: Sequence[str]) -> str:
        parts = [f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths)]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def format_results_table(results: Sequence[BenchResult]) -> str:
    """The benchmark table: one line per result, aligned columns.

    ``fastml/peer`` is the time ratio (below 1: fastml faster); ``quality`` names the
    figure computed for both sides; ``max|diff|`` compares the two outputs.
    """
    rows = []
    for r in results:
        rows.append(
            [
                r.area,
                r.workload,
                r.size,
                _seconds(r.fastml_seconds),
                r.peer or "-",
                _seconds(r.peer_seconds),
                _ratio(r.ratio),
                r.quality_name or "-",
                _figure(r.fastml_quality),
                _figure(r.peer_quality),
                _figure(r.max_abs_diff),
                r.note,
            ]
        )
    return _render([c[0] for c in _COLUMNS], [c[1] for c in _COLUMNS], rows)


def format_compile_table(compile_times: Mapping[str, Any]) -> str:
    """Cold and warm first-call seconds per family (from measure_compile_times)."""
    header = ["family", "cold s", "warm s", "cold/warm", "note"]
    aligns = ["<", ">", ">", ">", "<"]
    rows = []
    for family, entry in compile_times["families"].items():
        cold, warm = entry.get("cold"), entry.get("warm")
        ratio = cold / warm if cold is not None and warm else None
        rows.append(
            [
                family,
                _seconds(cold),
                _seconds(warm),
                _ratio(ratio),
                entry.get("note", ""),
            ]
        )
    rows.append(
        [
            "(process total)",
            _seconds(compile_times.get("cold_process_seconds")),
            _seconds(compile_times.get("warm_process_seconds")),
            "-",
            "python start + import + warm-up",
        ]
    )
    return _render(header, aligns, rows)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("numpy", "numba", "scipy", "sklearn", "torch", "threadpoolctl"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "__version__"):
            versions[name] = str(module.__version__)
    return versions


def results_document(
    results: Sequence[BenchResult],
    *,
    mode: str,
    n_threads: int,
    repeats: int,
    compile_times: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A JSON-serialisable record of a run: settings, versions, rows, compile times."""
    from fastml import __version__

    doc: dict[str, Any] = {
        "fastml_version": __version__,
        "mode": mode,
        "n_threads": n_threads,
        "timing": (
            f"min of up to {repeats} timed calls after one untimed warm-up call "
            "(median and all calls also recorded)"
        ),
        "platform": platform.platform(),
        "versions": _versions(),
        "results": [r.to_dict() for r in results],
    }
    if compile_times is not None:
        doc["compile_times"] = dict(compile_times)
    if extra:
        doc.update(extra)
    # Round-trip once so a non-serialisable value fails here, not in the caller.
    json.dumps(doc)
    return doc
