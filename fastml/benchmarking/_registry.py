"""What a benchmark workload is, and how the workload files are discovered.

Each file ``fastml/benchmarking/workloads/<area>.py`` defines a module-level list
``WORKLOADS`` of :class:`Workload` objects. Workload files import nothing heavy at
module level: the fastml area under test and the peer libraries are imported inside
the functions, so a missing area or peer turns into one row of the report instead of
an import error for the whole run.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Peer",
    "Workload",
    "MODES",
    "discover_workloads",
    "human_count",
    "peer_available",
]

logger = logging.getLogger("fastml.benchmarking")

#: Size presets every workload provides: "tiny" (tests, seconds), "quick" (the whole
#: quick run in under two minutes on 2 cores) and "full" (the published figures).
MODES = ("tiny", "quick", "full")

Size = Mapping[str, int]


@dataclass(frozen=True)
class Peer:
    """A reference implementation the fastml side is compared with.

    Parameters
    ----------
    name : str
        Short display name ("sklearn", "torch", "scipy").
    requires : tuple of str
        Importable module names; the peer is skipped (with a note) when one is
        missing.
    run : callable ``(data, n_threads) -> output``
        Runs the peer on the workload's data with ``n_threads`` threads (pass it as
        ``n_jobs``/``nthread``/``torch.set_num_threads``). Timed.
    """

    name: str
    requires: tuple[str, ...]
    run: Callable[[Any, int], Any]


@dataclass(frozen=True)
class Workload:
    """One benchmarked operation, run by fastml and by its peer(s) on the same data.

    Parameters
    ----------
    name : str
        Unique name within the area, e.g. "roc_auc_score".
    area : str
        The fastml area (``--only`` filters on it), e.g. "metrics".
    sizes : mapping of mode to sequence of sizes
        For each of "tiny", "quick", "full": the sizes to run, each a mapping of
        parameter name to int (e.g. ``{"n_samples": 1_000_000}``).
    make_data : callable ``(size, seed) -> data``
        Builds the input (untimed). ``data`` is passed unchanged to every runner.
    run_fastml : callable ``(data, n_threads) -> output``
        The timed fastml call. Imports its fastml area lazily.
    peers : sequence of Peer
        Reference implementations, in order of preference.
    peer_mode : {"all", "first"}
        "all" runs every installed peer (one row each); "first" runs only the first
        installed one (e.g. torch, else scipy).
    quality : callable ``(data, output) -> float`` or None
        A quality figure computed for both sides (AUC, accuracy ...).
    quality_name : str
        Column label for ``quality``.
    compare : callable ``(fastml_output, peer_output) -> float`` or None
        Disagreement between the two outputs (max absolute difference by default
        in the workload files).
    description : str
        One line for ``--list``.
    """

    name: str
    area: str
    sizes: Mapping[str, Sequence[Size]]
    make_data: Callable[[Size, int], Any]
    run_fastml: Callable[[Any, int], Any]
    peers: Sequence[Peer] = ()
    peer_mode: str = "all"
    quality: Callable[[Any, Any], float] | None = None
    quality_name: str = ""
    compare: Callable[[Any, Any], float] | None = None
    description: str = ""
    size_label: Callable[[Size], str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        missing = [mode for mode in MODES if mode not in self.sizes]
        if missing:
            raise ValueError(f"workload {self.key}: no sizes for modes {missing}")
        if self.peer_mode not in ("all", "first"):
            raise ValueError(f"workload {self.key}: peer_mode must be 'all' or 'first'")

    @property
    def key(self) -> str:
        """``area/name``, unique across the registry."""
        return f"{self.area}/{self.name}"

    def label(self, size: Size) -> str:
        """Human-readable size, e.g. ``1M`` or ``200k x 50``."""
        if self.size_label is not None:
            return self.size_label(size)
        return " x ".join(human_count(int(v)) for v in size.values())


def human_count(value: int) -> str:
    """1000000 -> "1M", 200000 -> "200k", 1500 -> "1.5k", 123 -> "123"."""
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if value >= scale and value % (scale // 10) == 0:
            text = f"{value / scale:.1f}".rstrip("0").rstrip(".")
            return f"{text}{unit}"
    return str(value)


def peer_available(peer: Peer) -> bool:
    """True when every module the peer needs can be imported (without importing it)."""
    for module in peer.requires:
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True


def discover_workloads(
    areas: Iterable[str] | None = None,
    *,
    package: str = "fastml.benchmarking.workloads",
) -> list[Workload]:
    """Every ``WORKLOADS`` entry of the workload modules, optionally filtered by area.

    Parameters
    ----------
    areas : iterable of str or None
        Keep only workloads of these areas; None keeps all.
    package : str
        Package whose (non-underscore) modules are scanned.

    Returns
    -------
    list of Workload
        In module-name order, then in each module's list order.

    Raises
    ------
    ValueError
        When ``areas`` names an area with no workload, or two workloads share a key.
    """
    pkg = importlib.import_module(package)
    found: list[Workload] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        workloads = getattr(module, "WORKLOADS", None)
        if workloads is None:
            logger.warning("workload module %s defines no WORKLOADS", module.__name__)
            continue
        found.extend(workloads)
    keys = [w.key for w in found]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"duplicate workload names: {duplicates}")
    if areas is None:
        return found
    wanted = list(dict.fromkeys(areas))
    known = sorted({w.area for w in found})
    unknown = [a for a in wanted if a not in known]
    if unknown:
        raise ValueError(f"unknown area(s) {unknown}; available areas: {known}")
    return [w for w in found if w.area in wanted]
