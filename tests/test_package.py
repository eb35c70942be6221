"""Packaging and house rules: lazy import, the kernels mapping, the Numba policy."""

from __future__ import annotations

import importlib
import os
import pathlib
import pkgutil
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

import fastml

REPO = pathlib.Path(__file__).resolve().parents[1]
KERNELS_SRC = pathlib.Path(importlib.import_module("fastml.kernels").__file__).parent
FASTML_SRC = pathlib.Path(fastml.__file__).parent


def _run(code: str, env: dict | None = None, cwd=None, **kwargs):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or "/",
        timeout=300,
        **kwargs,
    )


def _kernel_modules():
    kernels = importlib.import_module("fastml.kernels")
    for info in pkgutil.walk_packages(kernels.__path__, "fastml.kernels."):
        yield importlib.import_module(info.name)


def test_import_fastml_loads_no_heavy_module():
    # `import fastml` must stay cheap: no Numba, SciPy or scikit-learn at import time,
    # and nothing compiled. (Its wall time is reported by the benchmark, not asserted.)
    res = _run(
        """
        import sys, fastml
        heavy = [m for m in ("numba", "scipy", "sklearn", "fastml.kernels", "llvmlite")
                 if m in sys.modules]
        print(heavy)
        """
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def test_public_areas_load_lazily():
    for name in ("metrics", "model_selection", "preprocessing", "datasets"):
        assert getattr(fastml, name).__name__ == f"fastml.{name}"
    with pytest.raises(AttributeError):
        fastml.not_an_area


def test_bare_kernels_import_is_refused():
    res = _run("import kernels", cwd=str(REPO))
    assert res.returncode != 0
    assert "must be imported as 'fastml.kernels'" in res.stderr


def test_library_code_never_imports_numba_directly():
    # (In an installed tree the kernels live inside fastml/; they may import Numba.)
    offenders = [
        str(p)
        for p in FASTML_SRC.rglob("*.py")
        if KERNELS_SRC not in p.parents
        and re.search(r"^\s*(import numba|from numba)", p.read_text(), re.M)
    ]
    assert offenders == []


def test_numba_decorators_only_from_jit_module():
    pattern = re.compile(r"numba\.(njit|jit|vectorize|guvectorize)|@njit|fastmath")
    offenders = [
        str(p)
        for p in KERNELS_SRC.rglob("*.py")
        if p.name != "_jit.py" and pattern.search(p.read_text())
    ]
    assert offenders == []


def test_every_compiled_kernel_follows_the_policy():
    from numba.core.registry import CPUDispatcher

    dispatchers = {}
    for module in _kernel_modules():
        for name, obj in vars(module).items():
            if (
                isinstance(obj, CPUDispatcher)
                and obj.py_func.__module__ == module.__name__
            ):
                dispatchers[f"{module.__name__}.{name}"] = obj
    assert dispatchers, "no Numba kernel found under fastml.kernels"
    for name, disp in dispatchers.items():
        opts = disp.targetoptions
        assert opts.get("nogil") is True, name
        assert opts.get("error_model") == "numpy", name
        assert not opts.get("fastmath"), name
        assert type(disp._cache).__name__ != "NullCache", f"{name} is not cached"
        uses_prange = "prange" in disp.py_func.__code__.co_names
        assert bool(opts.get("parallel")) == uses_prange, f"{name}: parallel iff prange"


def test_cache_can_be_turned_off_by_environment():
    res = _run(
        """
        import pkgutil, importlib
        from numba.core.registry import CPUDispatcher
        import fastml.kernels as k
        kinds = set()
        for info in pkgutil.walk_packages(k.__path__, "fastml.kernels."):
            mod = importlib.import_module(info.name)
            kinds |= {type(o._cache).__name__ for o in vars(mod).values()
                      if isinstance(o, CPUDispatcher)}
        print(sorted(kinds))
        """,
        env={"FASTML_NUMBA_CACHE": "0"},
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "['NullCache']"


def _read_only_copy(tmp_path: pathlib.Path) -> pathlib.Path:
    """A site-packages-like tree holding fastml with its kernels, made read-only."""
    root = tmp_path / "site"
    ignore = shutil.ignore_patterns("__pycache__", "*.nbi", "*.nbc", "*.c")
    shutil.copytree(FASTML_SRC, root / "fastml", ignore=ignore)
    shutil.rmtree(root / "fastml" / "kernels", ignore_errors=True)
    shutil.copytree(KERNELS_SRC, root / "fastml" / "kernels", ignore=ignore)
    for path in [root, *root.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return root


def _unprivileged_prefix() -> list[str]:
    """Command prefix under which write permission bits are enforced.

    Root ignores them, so as root the child runs in a new user namespace, where it holds
    no capability over the files on disk (and the owner bits of a 0o555 tree apply).
    """
    if os.geteuid() != 0:
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root without unshare: cannot make a tree unwritable")
    probe = subprocess.run([unshare, "--user", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"user namespaces unavailable: {probe.stderr.decode().strip()}")
    return [unshare, "--user"]


def test_works_from_read_only_install_without_cache_dir(tmp_path):
    # Import and run kernels from a read-only tree with no writable cache location
    # (HOME and XDG_CACHE_HOME unwritable, NUMBA_CACHE_DIR unset): the cache falls
    # back to off, with one warning.
    prefix = _unprivileged_prefix()
    root = _read_only_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE")}
    # The per-user cache directory must be unwritable too (the user namespace keeps
    # root's file ownership, so a missing HOME would otherwise be created).
    env["HOME"] = env["XDG_CACHE_HOME"] = str(root)
    env["PYTHONPATH"] = str(root)
    code = textwrap.dedent(
        """
        import warnings, numpy as np
        warnings.simplefilter("always")
        with warnings.catch_warnings(record=True) as caught:
            import fastml
            assert fastml.__file__.startswith({!r}), fastml.__file__
            try:
                open({!r}, "w")
            except OSError:
                pass
            else:
                raise SystemExit("the tree is writable: the test would prove nothing")
            from fastml.metrics import roc_auc_score
            y = np.array([0, 1, 0, 1, 1]); s = np.array([0.1, 0.9, 0.3, 0.2, 0.8])
            print(roc_auc_score(y, s))
        print(sum("no writable Numba cache" in str(w.message) for w in caught))
        """.format(str(root), str(root / "fastml" / "probe"))
    )
    res = subprocess.run(
        [*prefix, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd="/",
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    auc, n_warnings = res.stdout.split()
    assert float(auc) == pytest.approx(5 / 6)
    assert int(n_warnings) == 1  # warned once, not once per kernel
