"""Interleaved timing of the issue's linear-model benchmark (one process).

Lasso(alpha=0.1) and ElasticNet(alpha=0.1, l1_ratio=0.5) with tol=1e-4, and
Ridge(alpha=1.0), on 100,000 x 200 float32 AR(1) (rho 0.9) features with 20
informative ones. Every library is pinned to 2 threads (Numba, BLAS via
threadpoolctl). For each configuration: fastml, scikit-learn (timed once: its
coordinate descent takes seconds), fastml again; the ratio uses the mean of the two
fastml times. Prints the objective and duality gap both reached.

Run: ``python bench/linear_model_interleaved.py``
"""

from __future__ import annotations

import time

import numpy as np

from fastml.benchmarking import thread_limits
from fastml.benchmarking.workloads.linear_model import (
    enet_objective,
    make_ar1_regression,
)


def main() -> None:
    import sklearn.linear_model as sk

    import fastml.linear_model as fm

    X, y, _ = make_ar1_regression(100_000, 200, seed=0)
    configs = [
        ("Lasso", {"alpha": 0.1, "tol": 1e-4}, 1.0),
        ("ElasticNet", {"alpha": 0.1, "l1_ratio": 0.5, "tol": 1e-4}, 0.5),
        ("Ridge", {"alpha": 1.0}, None),
    ]
    with thread_limits(2):
        for name, kwargs, _ in configs:  # warm-up (JIT compilation)
            getattr(fm, name)(**kwargs).fit(X[:2000], y[:2000])
        for name, kwargs, l1_ratio in configs:
            times: dict[str, list[float]] = {"fastml": [], "sklearn": []}
            models = {}
            for lib, module in (("fastml", fm), ("sklearn", sk), ("fastml", fm)):
                start = time.perf_counter()
                models[lib] = getattr(module, name)(**kwargs).fit(X, y)
                times[lib].append(time.perf_counter() - start)
            t_fm = float(np.mean(times["fastml"]))
            t_sk = times["sklearn"][0]
            line = (
                f"{name:10s} fastml {t_fm:7.3f} s ({', '.join(f'{t:.3f}' for t in times['fastml'])})"
                f"  sklearn {t_sk:7.3f} s  ratio {t_fm / t_sk:5.3f}"
            )
            diff = np.max(
                np.abs(
                    np.asarray(models["fastml"].coef_, np.float64)
                    - np.asarray(models["sklearn"].coef_, np.float64)
                )
            )
            if l1_ratio is not None:
                for lib in ("fastml", "sklearn"):
                    m = models[lib]
                    obj = enet_objective(X, y, m, kwargs["alpha"], l1_ratio)
                    line += (
                        f"\n    {lib:8s} objective {obj:.9f} gap {float(m.dual_gap_):.3e}"
                        f" n_iter {m.n_iter_} nonzero {np.count_nonzero(m.coef_)}"
                    )
            line += f"\n    max |coef diff| {diff:.2e}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
