"""Concurrency: parallel kernels called from several Python threads at once.

Run in a child process, because the failure mode being guarded against (a threading
layer that is not thread-safe) aborts the whole process rather than raising.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import threading
    import numpy as np
    from fastml.activations import softmax
    from fastml.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 64)).astype(np.float32)
    y_true = rng.integers(0, 5, size=200_000)
    y_pred = rng.integers(0, 5, size=200_000)
    expected_softmax = softmax(x)
    expected_cm = confusion_matrix(y_true, y_pred)
    failures = []

    def work():
        for _ in range(20):
            if not np.array_equal(softmax(x), expected_softmax):
                failures.append("softmax")
            if not np.array_equal(confusion_matrix(y_true, y_pred), expected_cm):
                failures.append("confusion_matrix")

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("failures:", len(failures))
    """
)


@pytest.mark.parametrize("layer", ["default", "omp", "workqueue"])
def test_parallel_kernels_from_concurrent_python_threads(layer):
    # "workqueue" aborts the process on concurrent use unless fastml serialises the
    # calls (kernels/_jit.py does); "omp" is the layer Numba picks on this machine.
    env = {**os.environ, "NUMBA_THREADING_LAYER": layer}
    res = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd="/",  # not the repository root, whose fastml/ would shadow the install
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().endswith("failures: 0")
