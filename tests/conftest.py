"""Make tests/ importable so tests can use the naive references as ``naive.<stem>``."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
