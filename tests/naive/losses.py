"""Slow, obviously-correct references for fastml.kernels.losses.

Each function loops over samples with the textbook formula in float64 and returns
(loss_per_sample, gradient, hessian), weighted by ``w`` when given. Where the
textbook formula overflows (exp of a large logit), the mathematically equal
log-sum-exp / two-branch form is used and named in a comment.
"""

from __future__ import annotations

import math

import numpy as np


def _weights(w, n):
    return np.ones(n) if w is None or len(w) == 0 else np.asarray(w, dtype=np.float64)


def _f(a):
    return np.asarray(a, dtype=np.float64)


def _elementwise(y, raw, w, func):
    y, raw = _f(y), _f(raw)
    w = _weights(w, len(raw))
    loss, grad, hess = (np.empty(len(raw)) for _ in range(3))
    for i in range(len(raw)):
        li, gi, hi = func(y[i], raw[i])
        loss[i], grad[i], hess[i] = w[i] * li, w[i] * gi, w[i] * hi
    return loss, grad, hess


def squared_error(y, raw, w=None, factor=1.0):
    return _elementwise(
        y,
        raw,
        w,
        lambda t, p: (factor * (p - t) ** 2, 2 * factor * (p - t), 2 * factor),
    )


def absolute_error(y, raw, w=None):
    def f(t, p):
        sign = 1.0 if p > t else (-1.0 if p < t else 0.0)
        return abs(p - t), sign, 0.0

    return _elementwise(y, raw, w, f)


def huber(y, raw, w=None, delta=1.0):
    def f(t, p):
        r = p - t
        if abs(r) <= delta:
            return 0.5 * r * r, r, 1.0
        return delta * (abs(r) - 0.5 * delta), delta * math.copysign(1.0, r), 0.0

    return _elementwise(y, raw, w, f)


def pseudo_huber(y, raw, w=None, delta=1.0):
    def f(t, p):
        r = p - t
        q = 1.0 + (r / delta) ** 2
        return delta**2 * (math.sqrt(q) - 1.0), r / math.sqrt(q), q**-1.5

    return _elementwise(y, raw, w, f)


def poisson(y, raw, w=None):
    def f(t, z):
        ylogy = t * math.log(t) if t > 0 else 0.0
        mu = math.exp(z)
        return mu - t * z + ylogy - t, mu - t, mu

    return _elementwise(y, raw, w, f)


def _sigmoid(z):
    # 1 / (1 + exp(-z)), and the equal exp(z) / (1 + exp(z)) for z < 0 (no overflow).
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    return math.exp(z) / (1.0 + math.exp(z))


def binary_logistic(y, raw, w=None):
    def f(t, z):
        p = _sigmoid(z)

        # -[t log p + (1 - t) log(1 - p)] with log p = -log(1 + e^-z) and
        # log(1 - p) = -log(1 + e^z), each log(1 + e^x) written as
        # max(x, 0) + log1p(e^-|x|) so that large |z| does not overflow.
        def log1pexp(x):
            return max(x, 0.0) + math.log1p(math.exp(-abs(x)))

        loss = t * log1pexp(-z) + (1 - t) * log1pexp(z)
        return loss, p - t, p * _sigmoid(-z)

    return _elementwise(y, raw, w, f)


def binary_cross_entropy(y, p, w=None, eps=1e-15):
    def f(t, q):
        q = min(max(q, eps), 1 - eps)
        loss = -(t * math.log(q) + (1 - t) * math.log(1 - q))
        grad = -t / q + (1 - t) / (1 - q)
        hess = t / q**2 + (1 - t) / (1 - q) ** 2
        return loss, grad, hess

    return _elementwise(y, p, w, f)


def hinge(y, raw, w=None):
    def f(t, z):
        t = -1.0 if t == 0 else t
        if t * z < 1:
            return 1 - t * z, -t, 0.0
        return 0.0, 0.0, 0.0

    return _elementwise(y, raw, w, f)


def _targets(y, shape):
    y = np.asarray(y)
    if y.ndim == 1:
        onehot = np.zeros(shape)
        for i, label in enumerate(y):
            onehot[i, int(label)] = 1.0
        return onehot
    return _f(y)


def _softmax_row(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e], m + math.log(s)


def softmax_cross_entropy(y, raw, w=None):
    """-sum_k y_k log softmax(z)_k; gradient and Hessian from the full Jacobian."""
    raw = _f(raw)
    n, k = raw.shape
    t = _targets(y, raw.shape)
    w = _weights(w, n)
    loss, grad, hess = np.zeros(n), np.zeros((n, k)), np.zeros((n, k))
    for i in range(n):
        p, lse = _softmax_row(raw[i])
        total = sum(t[i])
        loss[i] = w[i] * sum(t[i, j] * (lse - raw[i, j]) for j in range(k) if t[i, j])
        for j in range(k):
            # d/dz_j sum_c t_c (lse - z_c) = total * p_j - t_j
            grad[i, j] = w[i] * (total * p[j] - t[i, j])
            # Hessian of lse is diag(p) - p p^T; its diagonal is p_j - p_j^2.
            hess[i, j] = w[i] * total * (p[j] - p[j] * p[j])
    return loss, grad, hess


def kl_divergence_logits(y, raw, w=None):
    loss, grad, hess = softmax_cross_entropy(y, raw, w)
    t = _targets(y, _f(raw).shape)
    wv = _weights(w, len(loss))
    for i in range(len(loss)):
        loss[i] += wv[i] * sum(v * math.log(v) for v in t[i] if v > 0)
    return loss, grad, hess


def categorical_cross_entropy(y, p, w=None, eps=1e-15):
    p = _f(p)
    n, k = p.shape
    t = _targets(y, p.shape)
    w = _weights(w, n)
    loss, grad, hess = np.zeros(n), np.zeros((n, k)), np.zeros((n, k))
    for i in range(n):
        for j in range(k):
            q = max(p[i, j], eps)
            if t[i, j]:
                loss[i] -= w[i] * t[i, j] * math.log(q)
            grad[i, j] = -w[i] * t[i, j] / q
            hess[i, j] = w[i] * t[i, j] / q**2
    return loss, grad, hess


def kl_divergence(y, p, w=None, eps=1e-15):
    loss, grad, hess = categorical_cross_entropy(y, p, w, eps)
    t = _targets(y, _f(p).shape)
    wv = _weights(w, len(loss))
    for i in range(len(loss)):
        loss[i] += wv[i] * sum(v * math.log(v) for v in t[i] if v > 0)
    return loss, grad, hess
