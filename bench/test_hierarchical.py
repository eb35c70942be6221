"""Hierarchical clustering: fastml.cluster.linkage vs scipy.cluster.hierarchy.linkage.

Timed: 10,000 x 10 float64 Gaussian observations ("full"; 3,000 rows in "quick"),
each method, after an untimed warm-up; extra_info holds the largest difference
between the two linkage matrices. ``test_linkage_peak_memory`` runs each side in a
fresh child process and records the growth of its peak RSS during one linkage call
(ru_maxrss after minus before; the input and the imports are already resident).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

METHODS = ["single", "complete", "average", "weighted", "ward", "centroid", "median"]


@pytest.fixture(scope="module")
def observations(bench_mode):
    n = 10_000 if bench_mode == "full" else 3_000
    return np.random.default_rng(0).normal(size=(n, 10))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("lib", ["fastml", "scipy"])
def test_linkage(benchmark, run_warm, peer, n_threads, observations, method, lib):
    hierarchy = peer("scipy.cluster.hierarchy")
    if lib == "fastml":
        from fastml.cluster import linkage

        def func():
            return linkage(observations, method, n_jobs=n_threads)
    else:

        def func():
            return hierarchy.linkage(observations, method)

    # quality: agreement of the two linkage matrices on a 2,000-row prefix
    from fastml.cluster import linkage as fastml_linkage

    prefix = observations[:2000]
    diff = float(
        np.max(
            np.abs(fastml_linkage(prefix, method) - hierarchy.linkage(prefix, method))
        )
    )
    run_warm(
        benchmark,
        func,
        group=f"linkage {method} {observations.shape[0]} x 10",
        quality={"max_abs_diff_vs_scipy_2000_rows": diff},
    )


_CHILD = """
import resource, sys
import numpy as np
lib, method, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
X = np.random.default_rng(0).normal(size=(n, 10))
if lib == "fastml":
    from fastml.cluster import linkage
    run = lambda: linkage(X, method, n_jobs=2)
else:
    from scipy.cluster.hierarchy import linkage
    run = lambda: linkage(X, method)
linkage(X[:50], method)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
run()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024.0)
"""


@pytest.mark.parametrize("method", METHODS)
def test_linkage_peak_memory(benchmark, peer, observations, method):
    peer("scipy.cluster.hierarchy")
    n = observations.shape[0]

    def measure():
        out = {}
        for lib in ("fastml", "scipy"):
            res = subprocess.run(
                [sys.executable, "-c", _CHILD, lib, method, str(n)],
                capture_output=True,
                text=True,
                check=True,
                cwd="/",
            )
            out[lib] = float(res.stdout.strip().splitlines()[-1])
        return out

    benchmark.group = f"linkage peak memory {method} {n} x 10"
    peaks = benchmark.pedantic(measure, rounds=1, iterations=1)
    benchmark.extra_info["peak_rss_growth_MiB"] = peaks
    benchmark.extra_info["memory_ratio_fastml_over_scipy"] = peaks["fastml"] / max(
        peaks["scipy"], 1e-9
    )
