"""The single Numba policy of fastml: every kernel decorator comes from here.

Policy (see DESIGN.md section 4):

- ``cache=True`` so a second process skips compilation, with a fallback to no cache
  (and a single warning) when Numba finds no writable cache location: with
  ``cache=True`` the decoration itself raises in that case, which would make the kernel
  module fail to import from a read-only install. ``FASTML_NUMBA_CACHE=0`` turns the
  cache off.
- ``error_model="numpy"``: division by zero gives inf/NaN as in NumPy instead of
  raising, which also lets Numba vectorise divisions.
- ``nogil=True`` so Python threads (``n_jobs`` in cross-validation) run kernels at once.
- No ``fastmath``: its ``nnan``/``ninf`` flags make ``np.isnan`` always false.
- ``parallel=True`` only through :func:`jit_parallel`, for kernels that use ``prange``.
- ``intrinsic`` (Numba's, re-exported) for the rare kernel that writes LLVM IR itself
  (explicit SIMD micro-kernels, kernels/nn/_microkernels.py); the jitted kernels
  calling it follow the policy above and are cached as usual.

Numba's thread count is thread-local; :func:`num_threads` sets it around one call.

Threading layers: OpenMP and TBB accept parallel kernels launched from several Python
threads at once; Numba's fallback "workqueue" layer aborts the process in that case, so
when it is the active layer :func:`num_threads` also serialises the enclosed calls.
(GNU OpenMP is not fork-safe, which is why fastml's own ``n_jobs`` uses threads.)
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numba
from numba.extending import intrinsic

__all__ = [
    "jit",
    "intrinsic",
    "jit_parallel",
    "num_threads",
    "cache_enabled",
    "prange",
    "load_compiler",
]

prange = numba.prange

_BASE_OPTIONS: dict[str, Any] = {
    "nopython": True,
    "nogil": True,
    "error_model": "numpy",
}
_FORBIDDEN_OPTIONS = frozenset({"fastmath", "cache", "nopython", "forceobj"})
_warned_no_cache = False
_warn_lock = threading.Lock()
_workqueue_lock = threading.RLock()


def cache_enabled() -> bool:
    """True unless the environment variable ``FASTML_NUMBA_CACHE`` is ``0``."""
    return os.environ.get("FASTML_NUMBA_CACHE", "1").strip() != "0"


def _warn_no_cache(func: Callable[..., Any], exc: Exception) -> None:
    global _warned_no_cache
    with _warn_lock:
        if _warned_no_cache:
            return
        _warned_no_cache = True
    warnings.warn(
        "fastml: no writable Numba cache location for "
        f"{func.__module__}.{func.__qualname__} ({exc}); kernels will be compiled "
        "in every process. Set NUMBA_CACHE_DIR to a writable directory to cache them.",
        RuntimeWarning,
        stacklevel=4,
    )


def _decorate(func: Callable[..., Any], options: dict[str, Any]) -> Any:
    bad = _FORBIDDEN_OPTIONS.intersection(options)
    if bad:
        raise TypeError(f"kernels/_jit.py fixes these Numba options: {sorted(bad)}")
    merged = {**_BASE_OPTIONS, **options}
    if cache_enabled():
        try:
            return numba.jit(cache=True, **merged)(func)
        except RuntimeError as exc:  # "cannot cache function ...: no locator available"
            _warn_no_cache(func, exc)
    return numba.jit(cache=False, **merged)(func)


def jit(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Serial Numba kernel: ``@jit`` or ``@jit(inline="always")``."""
    if func is None:
        return lambda f: _decorate(f, options)
    return _decorate(func, options)


def jit_parallel(func: Callable[..., Any] | None = None, **options: Any) -> Any:
    """Numba kernel that uses ``prange``; its thread count comes from :func:`num_threads`."""
    options = {**options, "parallel": True}
    if func is None:
        return lambda f: _decorate(f, options)
    return _decorate(func, options)


@jit
def _identity(x: int) -> int:
    return x


def load_compiler() -> None:
    """Set up Numba's typing and lowering registries now (~0.25 s, once per process).

    The first call of any kernel in a process pays this, cached kernel or not; an area
    whose estimators should answer their first call as fast as their second (e.g.
    fastml.gbdt) calls this when it is imported.
    """
    _identity(0)


def _threading_layer() -> str:
    """Name of Numba's active threading layer, starting the thread pool if needed."""
    try:
        return numba.threading_layer()
    except ValueError:  # the pool starts on the first parallel call; start it now
        from numba.np.ufunc import parallel

        parallel._launch_threads()
        return numba.threading_layer()


@contextlib.contextmanager
def num_threads(n_threads: int) -> Iterator[None]:
    """Run the enclosed kernel calls with ``n_threads`` Numba threads (thread-local).

    Serialises the calls when the active threading layer is "workqueue", which is not
    safe for concurrent use.
    """
    n = max(1, min(int(n_threads), numba.config.NUMBA_NUM_THREADS))
    lock: Any = _workqueue_lock if _threading_layer() == "workqueue" else None
    if lock is not None:
        lock.acquire()
    previous = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        yield
    finally:
        numba.set_num_threads(previous)
        if lock is not None:
            lock.release()
