"""Command line of fastml: ``python -m fastml bench`` and ``python -m fastml warmup``.

This is the only module of fastml that prints: the table goes to stdout, progress and
log messages to stderr. The work is done by :mod:`fastml.benchmarking` and
:mod:`fastml._warmup`, which return results.

``bench`` pins every library to ``--threads`` threads (2 by default) by setting the
thread environment variables before numpy or any peer library is imported, then runs
each workload for fastml and each installed peer: one untimed warm-up call, then up
to ``--repeats`` timed calls; the time shown is the minimum. The exit status is 1
when a fastml workload raised or its area could not be imported (a missing peer is
only a note), else 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

_EPILOG = """\
examples:
  python -m fastml bench --quick
  python -m fastml bench --only metrics,preprocessing --json results.json
  python -m fastml bench --quick --compile-times
  python -m fastml warmup
"""


def _split_list(values: Sequence[str] | None) -> list[str] | None:
    """Join repeated and comma-separated option values into one list (None: unset)."""
    if values is None:
        return None
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fastml",
        description="fastml command line: benchmarks against peer libraries, warm-up.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")

    bench = sub.add_parser(
        "bench",
        help="time fastml against the installed peer libraries",
        description=(
            "Run fastml's workloads beside each installed peer library on built-in "
            "synthetic data, with threads pinned for everyone, and print a table "
            "(time = minimum of the timed calls after one untimed warm-up call; "
            "fastml/peer < 1 means fastml is faster)."
        ),
    )
    size = bench.add_mutually_exclusive_group()
    size.add_argument(
        "--quick", action="store_true", help="smaller sizes (under 2 minutes)"
    )
    size.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    bench.add_argument(
        "--only",
        action="append",
        metavar="AREA",
        help="run only these areas (repeat or comma-separate)",
    )
    bench.add_argument("--json", metavar="PATH", help="also write results as JSON")
    bench.add_argument(
        "--threads", type=int, default=2, help="threads for everyone (default 2)"
    )
    bench.add_argument(
        "--repeats", type=int, default=None, help="timed calls per side (default 3/5)"
    )
    bench.add_argument(
        "--compile-times",
        action="store_true",
        help="also measure cold/warm first-call times in fresh processes",
    )
    bench.add_argument("--list", action="store_true", help="list workloads and exit")
    bench.add_argument("--no-progress", action="store_true", help="no progress bar")
    bench.add_argument("-v", "--verbose", action="store_true", help="log more")

    warm = sub.add_parser(
        "warmup",
        help="compile the common kernel signatures now",
        description="Compile (or load from cache) fastml's common kernel signatures.",
    )
    warm.add_argument(
        "--families",
        action="append",
        metavar="NAME",
        help="only these families (repeat or comma-separate)",
    )
    warm.add_argument("--json", action="store_true", help="print JSON to stdout")
    return parser


class _ProgressBar:
    """A one-line progress bar on a terminal; one line per step otherwise."""

    def __init__(self, stream: TextIO, width: int = 28) -> None:
        self.stream = stream
        self.width = width
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.start = time.perf_counter()

    def __call__(self, done: int, total: int, label: str) -> None:
        elapsed = time.perf_counter() - self.start
        if not self.tty:
            if done < total:
                self.stream.write(f"[{done + 1}/{total}] {label}\n")
                self.stream.flush()
            return
        filled = self.width if total == 0 else int(self.width * done / total)
        bar = "#" * filled + "." * (self.width - filled)
        text = f"\r[{bar}] {done}/{total} {elapsed:5.0f}s {label}"[:120]
        self.stream.write(f"{text:<120}")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _bench(args: argparse.Namespace) -> int:
    # Threads first: the environment must be set before numpy and peers load.
    from fastml.benchmarking._threads import pin_thread_env

    if args.threads < 1:
        print("error: --threads must be >= 1", file=sys.stderr)
        return 2
    late = pin_thread_env(args.threads)

    from fastml.benchmarking import (
        discover_workloads,
        format_compile_table,
        format_results_table,
        measure_compile_times,
        results_document,
        run_benchmarks,
    )
    from fastml.benchmarking._runner import (
        DEFAULT_REPEATS,
        FASTML_ERROR,
        FASTML_MISSING,
    )

    if late:
        logging.getLogger("fastml.benchmarking").warning(
            "already imported before pinning threads: %s", ", ".join(late)
        )
    areas = _split_list(args.only)
    try:
        workloads = discover_workloads(areas)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"

    if args.list:
        for w in workloads:
            sizes = ", ".join(w.label(s) for s in w.sizes[mode])
            peers = ", ".join(p.name for p in w.peers) or "-"
            print(f"{w.key:40s} [{sizes}] peers: {peers}  {w.description}")
        return 0

    repeats = DEFAULT_REPEATS[mode] if args.repeats is None else args.repeats
    progress = None if args.no_progress else _ProgressBar(sys.stderr)
    start = time.perf_counter()
    results = run_benchmarks(
        workloads,
        mode=mode,
        n_threads=args.threads,
        repeats=repeats,
        progress=progress,
    )
    compile_times: dict[str, Any] | None = None
    if args.compile_times:
        from fastml._warmup import warmup_families

        families = [f for f in warmup_families() if areas is None or f in areas]
        if families:
            compile_times = measure_compile_times(families, n_threads=args.threads)
    wall = time.perf_counter() - start

    print(
        f"fastml bench: mode {mode}, {args.threads} threads for everyone, time = min "
        f"of up to {repeats} timed calls after an untimed warm-up call (seconds); "
        "fastml/peer < 1 means fastml is faster"
    )
    print(format_results_table(results))
    if compile_times is not None:
        print()
        print(
            "first-call seconds per kernel family, fresh process: cold = empty "
            "NUMBA_CACHE_DIR (compiles), warm = second process, same cache"
        )
        print(format_compile_table(compile_times))
    print(f"\nwall time: {wall:.1f} s")

    if args.json:
        doc = results_document(
            results,
            mode=mode,
            n_threads=args.threads,
            repeats=repeats,
            compile_times=compile_times,
            extra={"wall_seconds": wall, "argv": sys.argv[1:]},
        )
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2)
            fh.write("\n")
    # Every area ships with its workloads, so a fastml area that cannot be imported
    # means a broken install (for instance a source checkout shadowing the installed
    # package): a failure too.
    failed = (FASTML_ERROR, FASTML_MISSING)
    return 1 if any(r.status in failed for r in results) else 0


def _warmup(args: argparse.Namespace) -> int:
    from fastml._warmup import _warmup_report

    families = _split_list(args.families)
    try:
        timings, skipped = _warmup_report(families)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"timings": timings, "skipped": skipped}))
        return 0
    for name, seconds in timings.items():
        print(f"{name:16s} {seconds:8.3f} s")
    for name, reason in skipped.items():
        print(f"{name:16s} skipped: {reason}")
    print(f"{'total':16s} {sum(timings.values()):8.3f} s")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m fastml``; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command == "bench":
        return _bench(args)
    return _warmup(args)


if __name__ == "__main__":
    sys.exit(main())
