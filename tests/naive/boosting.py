"""Naive references for kernels/tree/boosting.py: per-row Python loops and per-leaf
numpy, written from the formulas (Friedman 2001) rather than from the kernels."""

from __future__ import annotations

import math

import numpy as np


def expit(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def negative_gradient(loss, y, raw, param):
    """Minus d loss / d raw, row by row (loss codes of the kernel module)."""
    n, K = raw.shape
    out = np.zeros((n, K))
    for i in range(n):
        t, r = y[i], raw[i, 0]
        if loss == 6:
            e = np.exp(raw[i] - raw[i].max())
            p = e / e.sum()
            for k in range(K):
                out[i, k] = (1.0 if int(t) == k else 0.0) - p[k]
        elif loss == 0:
            out[i, 0] = t - r
        elif loss == 1:
            out[i, 0] = 1.0 if t >= r else -1.0
        elif loss == 2:
            d = t - r
            out[i, 0] = d if abs(d) <= param else math.copysign(param, d)
        elif loss == 3:
            out[i, 0] = param if t >= r else param - 1.0
        elif loss == 4:
            out[i, 0] = t - expit(r)
        else:
            out[i, 0] = t * math.exp(-r) - (1 - t) * math.exp(r)
    return out


def weighted_quantile(values, weight, rank):
    """Smallest value whose cumulative weight (values sorted) reaches rank * total."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weight[order])
    target = rank * cum[-1]
    if target == 0:
        target = np.nextafter(0.0, 1.0)
    j = int(np.searchsorted(cum, target, side="left"))
    return float(values[order[min(j, len(order) - 1)]])


def newton_leaf_values(loss, leaf, y, neg_grad, weight, n_classes, n_nodes):
    """{node: value} of the Newton step for the leaves holding rows."""
    out = {}
    for node in range(n_nodes):
        rows = np.flatnonzero(leaf == node)
        if rows.size == 0:
            continue
        w, g, t = weight[rows], neg_grad[rows], y[rows]
        if loss == 5:
            h = np.where(t == 0, -g, g)
        else:
            p = t - g
            h = p * (1 - p)
        num = np.sum(w * g) / np.sum(w)
        if loss == 6:
            num *= (n_classes - 1) / n_classes
        den = np.sum(w * h) / np.sum(w)
        out[node] = 0.0 if abs(den) < 1e-150 else num / den
    return out


def quantile_leaf_values(leaf, residual, weight, rank, n_nodes):
    out = {}
    for node in range(n_nodes):
        rows = np.flatnonzero(leaf == node)
        if rows.size:
            out[node] = weighted_quantile(residual[rows], weight[rows], rank)
    return out


def huber_leaf_values(leaf, residual, weight, delta, n_nodes):
    out = {}
    for node in range(n_nodes):
        rows = np.flatnonzero(leaf == node)
        if rows.size == 0:
            continue
        r, w = residual[rows], weight[rows]
        m = weighted_quantile(r, w, 0.5)
        d = r - m
        out[node] = m + np.sum(w * np.sign(d) * np.minimum(delta, np.abs(d))) / w.sum()
    return out


def mean_loss(loss, y, raw, weight, param):
    vals = []
    for i in range(y.shape[0]):
        t, r = y[i], raw[i, 0]
        if loss == 6:
            m = raw[i].max()
            v = m + math.log(np.exp(raw[i] - m).sum()) - raw[i, int(t)]
        elif loss == 0:
            v = 0.5 * (t - r) ** 2
        elif loss == 1:
            v = abs(t - r)
        elif loss == 2:
            a = abs(t - r)
            v = 0.5 * a * a if a <= param else param * (a - 0.5 * param)
        elif loss == 3:
            v = param * (t - r) if t >= r else (1 - param) * (r - t)
        elif loss == 4:
            v = math.log1p(math.exp(r)) - t * r
        else:
            v = t * math.exp(-r) + (1 - t) * math.exp(r)
        vals.append(v)
    return float(np.sum(weight * np.array(vals)) / np.sum(weight))


def select_subsample(u, n_inbag):
    n = u.shape[0]
    mask = np.zeros(n, dtype=bool)
    taken = 0
    for i in range(n):
        if u[i] * (n - i) < n_inbag - taken:
            mask[i] = True
            taken += 1
    return mask
