"""Slow, obviously-correct references for fastml.kernels.nn.activations.

Plain Python loops over float64 values with the textbook formulas; the only
concession to floating point is picking, among equal closed forms, one that does not
overflow (noted where it happens). Results are float64 arrays of the input's shape.
"""

from __future__ import annotations

import math

import numpy as np

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def _map(f, x):
    x = np.asarray(x, dtype=np.float64)
    flat = [f(float(v)) for v in x.ravel()]
    return np.array(flat, dtype=np.float64).reshape(x.shape)


def _sigmoid(v):
    # 1 / (1 + exp(-v)); for v < 0 the equal form exp(v) / (1 + exp(v)) avoids overflow.
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid(x):
    return _map(_sigmoid, x)


def sigmoid_grad(x):
    return _map(lambda v: _sigmoid(v) * _sigmoid(-v), x)


def log_sigmoid(x):
    # log(1 / (1 + exp(-v))) = -log(1 + exp(-v)); for v < 0 the equal v - log(1 + e^v).
    def f(v):
        if v >= 0:
            return -math.log1p(math.exp(-v))
        return v - math.log1p(math.exp(v))

    return _map(f, x)


def gelu(x, approximate="none"):
    def exact(v):
        # 0.5 v (1 + erf(v / sqrt 2)) written with erfc(-t) = 1 + erf(t).
        return 0.5 * v * math.erfc(-v / math.sqrt(2.0))

    def tanh_form(v):
        return 0.5 * v * (1.0 + math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v**3)))

    return _map(tanh_form if approximate == "tanh" else exact, x)


def gelu_grad(x, approximate="none"):
    def exact(v):
        cdf = 0.5 * math.erfc(-v / math.sqrt(2.0))
        pdf = math.exp(-0.5 * v * v) / math.sqrt(2.0 * math.pi)
        return cdf + v * pdf

    def tanh_form(v):
        u = SQRT_2_OVER_PI * (v + 0.044715 * v**3)
        du = SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * v * v)
        t = math.tanh(u)
        return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du

    return _map(tanh_form if approximate == "tanh" else exact, x)


def _rows(x, axis):
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    return x, x.reshape(-1, x.shape[-1]) if x.shape[-1] else x.reshape(0, 0)


def softmax(x, axis=-1):
    moved, rows = _rows(x, axis)
    out = np.empty_like(rows)
    for r in range(rows.shape[0]):
        m = max(rows[r])
        exps = [math.exp(v - m) for v in rows[r]]
        total = sum(exps)
        for j, e in enumerate(exps):
            out[r, j] = e / total
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def log_softmax(x, axis=-1):
    moved, rows = _rows(x, axis)
    out = np.empty_like(rows)
    for r in range(rows.shape[0]):
        m = max(rows[r])
        lse = m + math.log(sum(math.exp(v - m) for v in rows[r]))
        for j, v in enumerate(rows[r]):
            out[r, j] = v - lse
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def softmax_vjp(x, v, axis=-1):
    """J^T v with the full Jacobian J[i, j] = s_i (delta_ij - s_j), row by row."""
    s = np.moveaxis(softmax(x, axis), axis, -1)
    vm = np.moveaxis(np.asarray(v, dtype=np.float64), axis, -1)
    s_rows = s.reshape(-1, s.shape[-1])
    v_rows = vm.reshape(-1, s.shape[-1])
    out = np.zeros_like(s_rows)
    n = s_rows.shape[1]
    for r in range(s_rows.shape[0]):
        for j in range(n):
            for i in range(n):
                jac_ij = s_rows[r, i] * ((1.0 if i == j else 0.0) - s_rows[r, j])
                out[r, j] += jac_ij * v_rows[r, i]
    return np.moveaxis(out.reshape(s.shape), -1, axis)


def log_softmax_vjp(x, v, axis=-1):
    """J^T v with the full Jacobian J[i, j] = delta_ij - s_j, row by row."""
    s = np.moveaxis(softmax(x, axis), axis, -1)
    vm = np.moveaxis(np.asarray(v, dtype=np.float64), axis, -1)
    s_rows = s.reshape(-1, s.shape[-1])
    v_rows = vm.reshape(-1, s.shape[-1])
    out = np.zeros_like(s_rows)
    n = s_rows.shape[1]
    for r in range(s_rows.shape[0]):
        for j in range(n):
            for i in range(n):
                jac_ij = (1.0 if i == j else 0.0) - s_rows[r, j]
                out[r, j] += jac_ij * v_rows[r, i]
    return np.moveaxis(out.reshape(s.shape), -1, axis)
