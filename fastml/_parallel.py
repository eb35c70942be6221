"""Chunked execution of serial ``nogil`` kernels on a shared pool of Python threads.

Why Python threads and not Numba's ``prange``: a ``parallel=True`` kernel costs
about twice the compile time of the same serial kernel (the parfor passes and the
threading-layer glue), which users pay on every cold start; and elementwise or
row-wise kernels need no cooperation between threads, only a split of the index
range. Every fastml kernel releases the GIL (``nogil=True``), so contiguous chunks of
rows run truly in parallel on the threads of this pool, with no OpenMP runtime
involved (which also makes these paths fork-safe).

Results do not depend on the number of threads as long as each output element depends
only on its own row or element, which is the contract of the kernels run this way.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from fastml._config import cpu_count

__all__ = ["run_chunks"]

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid = -1


def _get_pool() -> ThreadPoolExecutor:
    """The process-wide pool (made anew in a forked child: its copy has no threads)."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(
                max_workers=cpu_count(), thread_name_prefix="fastml-chunk"
            )
            _pool_pid = os.getpid()
        return _pool


def run_chunks(func: Callable[[int, int], None], n_items: int, n_threads: int) -> None:
    """Call ``func(start, stop)`` over ``[0, n_items)`` split into ``n_threads``
    contiguous chunks of near-equal size.

    The calling thread runs the first chunk itself; the others go to the shared pool
    and are waited for. The first exception raised by a chunk is re-raised (after all
    chunks have finished).

    Parameters
    ----------
    func : callable
        Runs the kernel on items ``start`` to ``stop`` (exclusive). Must be safe to
        call concurrently on disjoint ranges.
    n_items : int
        Number of items (rows or elements) to cover.
    n_threads : int
        Number of chunks (at most ``n_items``); 1 runs ``func(0, n_items)`` inline.
    """
    n_chunks = max(1, min(int(n_threads), n_items))
    if n_chunks == 1:
        func(0, n_items)
        return
    bounds = [n_items * i // n_chunks for i in range(n_chunks + 1)]
    pool = _get_pool()
    futures: list[Future[None]] = [
        pool.submit(func, bounds[i], bounds[i + 1]) for i in range(1, n_chunks)
    ]
    error: BaseException | None = None
    try:
        func(bounds[0], bounds[1])
    except BaseException as exc:  # wait for the others before raising
        error = exc
    for future in futures:
        try:
            future.result()
        except BaseException as exc:
            if error is None:
                error = exc
    if error is not None:
        raise error
