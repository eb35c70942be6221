"""Pinning every library's thread count for fair benchmarks.

Two mechanisms, because no single one reaches every library:

- environment variables, read once when a native library loads (OpenMP, OpenBLAS,
  MKL, torch's intra-op pool): :func:`pin_thread_env` must run *before* numpy, torch,
  scikit-learn ... are imported, which is why the CLI calls it first thing and
  bench/conftest.py at collection time;
- run-time limits around the timed calls (:func:`thread_limits`): Numba's per-call
  thread count (threadpoolctl does not reach Numba), threadpoolctl's limits for the
  BLAS/OpenMP pools already loaded (when threadpoolctl is installed), and
  ``torch.set_num_threads`` when torch is loaded.

Peers that take a thread parameter (``n_jobs``, ``nthread``, ``num_threads``) get it
from the workload's ``run`` function, which receives ``n_threads``.

This module imports nothing heavy at import time so it can be used before numpy.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

__all__ = ["THREAD_ENV_VARS", "pin_thread_env", "thread_limits", "late_modules"]

#: Environment variables read by native thread pools when their library loads.
THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "RAYON_NUM_THREADS",  # Hugging Face tokenizers (Rust)
)

# Libraries whose thread pools read the environment when they load.
_ENV_READERS = (
    "numpy",
    "scipy",
    "sklearn",
    "torch",
    "xgboost",
    "lightgbm",
    "faiss",
    "tokenizers",
)


def late_modules() -> list[str]:
    """Already-imported libraries for which setting the environment is too late."""
    return [name for name in _ENV_READERS if name in sys.modules]


def pin_thread_env(n_threads: int) -> list[str]:
    """Set the thread-count environment variables to ``n_threads`` (overwriting).

    Call it before importing numpy or any peer library.

    Parameters
    ----------
    n_threads : int
        Thread count for every library, >= 1.

    Returns
    -------
    list of str
        Libraries that were already imported and therefore may not honour the
        variables (the runtime limits of :func:`thread_limits` still apply).
    """
    if n_threads < 1:
        raise ValueError(f"n_threads must be >= 1, got {n_threads}")
    for name in THREAD_ENV_VARS:
        os.environ[name] = str(int(n_threads))
    late = late_modules()
    _load_torch_first()
    return late


def _load_torch_first() -> None:
    """Import torch (when installed) before any Numba kernel starts an OpenMP pool.

    Measured: when Numba's OpenMP threading layer is running before torch loads,
    torch binds to the already loaded system OpenMP runtime instead of its own and
    its CPU kernels (SDPA, matmul) run 3-5 x slower, which would flatter fastml in
    every torch comparison.
    """
    if "torch" in sys.modules:
        return
    import importlib.util

    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401


@contextlib.contextmanager
def thread_limits(n_threads: int) -> Iterator[None]:
    """Limit Numba, the loaded BLAS/OpenMP pools and torch to ``n_threads``."""
    with contextlib.ExitStack() as stack:
        from fastml.kernels._jit import num_threads

        stack.enter_context(num_threads(n_threads))
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:  # optional: the environment variables still apply
            pass
        else:
            stack.enter_context(threadpool_limits(limits=n_threads))
        torch = sys.modules.get("torch")
        if torch is not None:
            previous = torch.get_num_threads()
            torch.set_num_threads(n_threads)
            stack.callback(torch.set_num_threads, previous)
        yield
