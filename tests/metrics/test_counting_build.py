"""The Cython counting kernel builds and works without OpenMP (a serial prange)."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_counting_kernel_builds_without_openmp(tmp_path):
    pytest.importorskip("Cython")
    if not (REPO / "setup.py").exists() or shutil.which("cc") is None:
        pytest.skip("needs the source tree and a C compiler")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPO / "setup.py", src)
    shutil.copy(REPO / "pyproject.toml", src)
    ignore = shutil.ignore_patterns("__pycache__", "*.so", "*.c", "*.nbi", "*.nbc")
    shutil.copytree(REPO / "fastml", src / "fastml", ignore=ignore)
    shutil.copytree(REPO / "kernels", src / "kernels", ignore=ignore)
    # Build only the counting module.
    setup_py = (src / "setup.py").read_text()
    assert '("fastml.kernels.metrics._counting"' in setup_py
    env = {**os.environ, "FASTML_NO_OPENMP": "1"}
    build = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace", "-q"],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    assert "-fopenmp" not in build.stdout + build.stderr
    site = tmp_path / "site"
    shutil.copytree(
        src / "fastml", site / "fastml", ignore=shutil.ignore_patterns("kernels")
    )
    shutil.copytree(src / "kernels", site / "fastml" / "kernels")
    code = textwrap.dedent(
        """
        import numpy as np
        import fastml
        from fastml.kernels.metrics._counting import count_confusion, openmp_max_threads
        assert fastml.__file__.startswith(SITE), fastml.__file__
        rng = np.random.default_rng(0)
        t = rng.integers(0, 4, 300_000)
        p = rng.integers(0, 4, 300_000)
        w = rng.random(300_000)
        got = count_confusion(t, p, w, 4, 2)
        want = np.bincount(t * 4 + p, weights=w, minlength=16).reshape(4, 4)
        assert np.allclose(got, want, rtol=1e-12), (got, want)
        print(openmp_max_threads())
        """
    ).replace("SITE", repr(str(site)))
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd="/",
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == "1"  # built without OpenMP
