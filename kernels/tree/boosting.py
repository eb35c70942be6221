"""Kernels of classic gradient boosting (fastml/ensemble/_gradient_boosting.py):
negative gradients, the per-leaf line search that rewrites a fitted regression
tree's leaf values, the raw-prediction update and the mean loss.

Loss codes (``loss`` argument, int): 0 squared error (half), 1 absolute error,
2 Huber (``param`` = delta), 3 quantile / pinball (``param`` = the quantile),
4 binomial log loss (half, binary), 5 exponential loss (binary), 6 multinomial log
loss (``K`` columns).

Conventions: ``y`` float64 (n,) (class index as float for classification),
``raw`` float64 (n, K) C-contiguous (the model's raw predictions, K = 1 except
multinomial), ``weight`` float64 (n,). ``leaf`` int64 (n,): the node each row reaches
in the new tree; -1 marks rows left out of the line search (out of the subsample).

Kernels
-------
- :func:`compute_negative_gradient` ``(loss, y, raw, param, out)``: OUT ``out``
  float64 (n, K): minus the derivative of the per-row loss with respect to the raw
  prediction (binomial: ``y - expit(raw)``, computed without overflow; multinomial:
  ``1[y == k] - softmax(raw)_k``; exponential: ``y e^-raw - (1 - y) e^raw``; Huber:
  the residual clipped to [-delta, delta]; pinball: ``q`` or ``q - 1``; absolute:
  ``+-1``).
- :func:`newton_leaf_values` ``(loss, leaf, y, neg_grad, weight, n_classes,
  n_nodes, value)``: for the binomial, multinomial and exponential losses, one
  Newton-Raphson step per leaf (Friedman 2001, algorithm 5 / eq. 32):
  ``sum(w g) / sum(w h)`` with ``h = p (1 - p)``, ``p = y - g`` (binomial and
  multinomial, the latter times (K - 1) / K, Friedman, Hastie and Tibshirani 2000,
  algorithm 6), or ``h = y e^-raw + (1 - y) e^raw`` recovered from ``g`` (exponential).
  Each sum is divided by the leaf's weight first (weighted averages, the same
  arithmetic as the reference implementation); a denominator below 1e-150 gives 0.
  OUT ``value`` float64 (n_nodes,): written at the leaves that hold rows.
- :func:`quantile_leaf_values` ``(leaf, residual, weight, rank, n_nodes, value)``:
  per leaf, the weighted quantile of the residuals (``rank`` in [0, 1]): the smallest
  residual whose cumulative weight (residuals sorted) reaches ``rank * total`` (the
  "inverted CDF" definition; a zero target is nudged up to the next float).
- :func:`huber_leaf_values` ``(leaf, residual, weight, delta, n_nodes, value)``:
  per leaf, ``m + mean_w(sign(r - m) min(delta, |r - m|))`` with ``m`` the weighted
  median of the residuals (one step of Friedman's M-regression, algorithm 4).
- :func:`add_leaf_values` ``(raw, k, leaf, value, scale)``: ``raw[i, k] += scale *
  value[leaf[i]]`` (every row: ``leaf`` here has no -1).
- :func:`mean_loss` ``(loss, y, raw, weight, param) -> float``: the weighted mean
  per-row loss (half squared error, |r|, Huber, pinball, binomial
  ``log(1 + e^raw) - y raw``, exponential, multinomial ``logsumexp(raw) - raw[y]``).
- :func:`group_rows_by_leaf` ``(leaf, n_nodes) -> (starts, rows)``: counting sort
  of the rows with ``leaf >= 0`` by leaf; leaf j's rows, in increasing order, are
  ``rows[starts[j]:starts[j + 1]]`` (int64).
- :func:`select_subsample` ``(u, n_inbag, mask)``: selection sampling (Knuth's
  algorithm S): row i is taken iff ``u[i] * (n - i) < n_inbag - taken_so_far``;
  ``u`` float64 (n,) uniform draws, OUT ``mask`` bool (n,) with exactly ``n_inbag``
  rows set.
- :func:`weighted_quantile` ``(values, weight, rank) -> float``: the inverted-CDF
  weighted quantile of one array (Huber's delta, init constants).

Naive reference: tests/naive/boosting.py (per-leaf numpy loops); tests:
tests/kernels/test_boosting.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "LOSS_CODES",
    "compute_negative_gradient",
    "newton_leaf_values",
    "quantile_leaf_values",
    "huber_leaf_values",
    "add_leaf_values",
    "mean_loss",
    "weighted_quantile",
    "select_subsample",
    "group_rows_by_leaf",
]

LOSS_CODES = {
    "squared_error": 0,
    "absolute_error": 1,
    "huber": 2,
    "quantile": 3,
    "binomial": 4,
    "exponential": 5,
    "multinomial": 6,
}


@jit
def _log1pexp(x: float) -> float:
    if x <= -37.0:
        return np.exp(x)
    if x <= -2.0:
        return np.log1p(np.exp(x))
    if x <= 18.0:
        return np.log(1.0 + np.exp(x))
    if x <= 33.3:
        return x + np.exp(-x)
    return x


@jit
def compute_negative_gradient(loss, y, raw, param, out):
    n = y.shape[0]
    if loss == 6:
        K = raw.shape[1]
        for i in range(n):
            m = raw[i, 0]
            for k in range(1, K):
                if raw[i, k] > m:
                    m = raw[i, k]
            s = 0.0
            for k in range(K):
                e = np.exp(raw[i, k] - m)
                out[i, k] = e
                s += e
            yk = int(y[i])
            for k in range(K):
                p = out[i, k] / s
                out[i, k] = (1.0 if yk == k else 0.0) - p
        return
    for i in range(n):
        r = raw[i, 0]
        t = y[i]
        if loss == 0:
            g = t - r
        elif loss == 1:
            g = -1.0 if r > t else 1.0
        elif loss == 2:
            d = r - t
            if abs(d) <= param:
                g = -d
            else:
                g = -param if d >= 0 else param
        elif loss == 3:
            g = param if t >= r else param - 1.0
        elif loss == 4:
            if r > -37.0:
                e = np.exp(-r)
                g = -((1.0 - t) - t * e) / (1.0 + e)
            else:
                g = t - np.exp(r)
        else:  # 5, exponential
            e = np.exp(r)
            g = t / e - (1.0 - t) * e
        out[i, 0] = g


@jit
def newton_leaf_values(loss, leaf, y, neg_grad, weight, n_classes, n_nodes, value):
    num = np.zeros(n_nodes)
    den = np.zeros(n_nodes)
    wsum = np.zeros(n_nodes)
    seen = np.zeros(n_nodes, dtype=np.uint8)
    for i in range(leaf.shape[0]):
        node = leaf[i]
        if node < 0:
            continue
        w = weight[i]
        g = neg_grad[i]
        if loss == 5:
            h = g if y[i] != 0.0 else -g
        else:
            p = y[i] - g
            h = p * (1.0 - p)
        num[node] += w * g
        den[node] += w * h
        wsum[node] += w
        seen[node] = 1
    factor = (n_classes - 1.0) / n_classes if loss == 6 else 1.0
    for node in range(n_nodes):
        if seen[node] == 0:
            continue
        if wsum[node] == 0.0:
            value[node] = 0.0
            continue
        numerator = num[node] / wsum[node] * factor
        denominator = den[node] / wsum[node]
        if abs(denominator) < 1e-150:
            value[node] = 0.0
        else:
            value[node] = numerator / denominator


@jit
def group_rows_by_leaf(leaf, n_nodes):
    """Counting sort of the rows by leaf: (starts (n_nodes + 1,), rows)."""
    counts = np.zeros(n_nodes + 1, dtype=np.int64)
    for i in range(leaf.shape[0]):
        if leaf[i] >= 0:
            counts[leaf[i] + 1] += 1
    for node in range(n_nodes):
        counts[node + 1] += counts[node]
    fill = counts[:-1].copy()
    rows = np.empty(counts[n_nodes], dtype=np.int64)
    for i in range(leaf.shape[0]):
        node = leaf[i]
        if node >= 0:
            rows[fill[node]] = i
            fill[node] += 1
    return counts, rows


@jit
def _quantile_of(vals, ws, rank):
    order = np.argsort(vals)
    total = 0.0
    for j in range(order.shape[0]):
        total += ws[order[j]]
    target = rank * total
    if target == 0.0:
        target = np.nextafter(target, target + 1.0)
    cum = 0.0
    for j in range(order.shape[0]):
        cum += ws[order[j]]
        if cum >= target:
            return vals[order[j]]
    return vals[order[order.shape[0] - 1]]


@jit
def weighted_quantile(values, weight, rank):
    return _quantile_of(values, weight, rank)


@jit
def quantile_leaf_values(leaf, residual, weight, rank, n_nodes, value):
    starts, rows = group_rows_by_leaf(leaf, n_nodes)
    for node in range(n_nodes):
        lo = starts[node]
        hi = starts[node + 1]
        if hi == lo:
            continue
        idx = rows[lo:hi]
        vals = residual[idx]
        ws = weight[idx]
        allzero = True
        for j in range(ws.shape[0]):
            if ws[j] != 0.0:
                allzero = False
                break
        if allzero:
            value[node] = 0.0
        else:
            value[node] = _quantile_of(vals, ws, rank)


@jit
def huber_leaf_values(leaf, residual, weight, delta, n_nodes, value):
    starts, rows = group_rows_by_leaf(leaf, n_nodes)
    for node in range(n_nodes):
        lo = starts[node]
        hi = starts[node + 1]
        if hi == lo:
            continue
        idx = rows[lo:hi]
        vals = residual[idx]
        ws = weight[idx]
        wsum = 0.0
        for j in range(ws.shape[0]):
            wsum += ws[j]
        if wsum == 0.0:
            value[node] = 0.0
            continue
        median = _quantile_of(vals, ws, 0.5)
        acc = 0.0
        for j in range(vals.shape[0]):
            d = vals[j] - median
            a = abs(d)
            c = delta if delta < a else a
            if d > 0:
                acc += ws[j] * c
            elif d < 0:
                acc -= ws[j] * c
        value[node] = median + acc / wsum


@jit
def add_leaf_values(raw, k, leaf, value, scale):
    for i in range(leaf.shape[0]):
        raw[i, k] += scale * value[leaf[i]]


@jit
def mean_loss(loss, y, raw, weight, param):
    n = y.shape[0]
    acc = 0.0
    wsum = 0.0
    for i in range(n):
        w = weight[i]
        t = y[i]
        if loss == 6:
            K = raw.shape[1]
            m = raw[i, 0]
            for k in range(1, K):
                if raw[i, k] > m:
                    m = raw[i, k]
            s = 0.0
            for k in range(K):
                s += np.exp(raw[i, k] - m)
            v = m + np.log(s) - raw[i, int(t)]
        else:
            r = raw[i, 0]
            if loss == 0:
                v = 0.5 * (t - r) * (t - r)
            elif loss == 1:
                v = abs(t - r)
            elif loss == 2:
                a = abs(t - r)
                v = 0.5 * a * a if a <= param else param * (a - 0.5 * param)
            elif loss == 3:
                v = param * (t - r) if t >= r else (1.0 - param) * (r - t)
            elif loss == 4:
                v = _log1pexp(r) - t * r
            else:
                e = np.exp(r)
                v = t / e + (1.0 - t) * e
        acc += w * v
        wsum += w
    return acc / wsum


@jit
def select_subsample(u, n_inbag, mask):
    n = u.shape[0]
    taken = 0
    for i in range(n):
        if u[i] * (n - i) < (n_inbag - taken):
            mask[i] = True
            taken += 1
        else:
            mask[i] = False
