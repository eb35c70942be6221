"""Slow, obviously-correct references for fastml.kernels._vecmath: the C library's
functions through Python's math module, one value at a time, in float64."""

from __future__ import annotations

import math

import numpy as np


def _map(f, x):
    x = np.asarray(x, dtype=np.float64)
    return np.array([f(float(v)) for v in x.ravel()], dtype=np.float64).reshape(x.shape)


def exp(x):
    return _map(math.exp, x)


def log(x):
    return _map(math.log, x)


def log1p(x):
    return _map(math.log1p, x)


def erfc(x):
    return _map(math.erfc, x)


def gelu(x):
    """x Phi(x) with Phi(x) = erfc(-x / sqrt 2) / 2 (full relative accuracy)."""
    return _map(lambda v: 0.5 * v * math.erfc(-v / math.sqrt(2.0)), x)


def gelu_grad(x):
    """Phi(x) + x phi(x)."""

    def f(v):
        cdf = 0.5 * math.erfc(-v / math.sqrt(2.0))
        return cdf + v * math.exp(-0.5 * v * v) / math.sqrt(2.0 * math.pi)

    return _map(f, x)


def sigmoid(x):
    def f(v):
        if v >= 0:
            return 1.0 / (1.0 + math.exp(-v))
        e = math.exp(v)
        return e / (1.0 + e)

    return _map(f, x)
