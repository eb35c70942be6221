"""Kernels of classic gradient boosting (fastml/ensemble/_gradient_boosting.py):
negative gradients, the quantile line search that rewrites a fitted regression
tree's leaf values (absolute error, quantile loss), the raw-prediction update and
the mean loss. (The Newton and Huber leaf steps are weighted averages per leaf done
with numpy in fastml/ensemble/_gb_losses.py: the reference implementation's exact
arithmetic, so that near-tied splits of later trees are not flipped by rounding.)

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
- :func:`quantile_leaf_values` ``(order, leaf, residual, weight, rank, n_nodes,
  value)``: per leaf, the weighted quantile of the residuals (``rank`` in [0, 1]):
  the smallest residual whose cumulative weight reaches ``rank * total`` (the
  "inverted CDF" definition; a zero target is nudged up to the next float; a leaf of
  zero total weight gets 0). ``order`` int64: the rows to use (``leaf >= 0``) sorted
  by leaf, then by residual (``np.lexsort`` in the caller, so the kernel does no
  sorting). OUT ``value`` float64 (n_nodes,): written at the leaves in ``order``.
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

Naive reference: tests/naive/boosting.py (per-leaf numpy loops); tests:
tests/kernels/test_boosting.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "LOSS_CODES",
    "compute_negative_gradient",
    "quantile_leaf_values",
    "add_leaf_values",
    "mean_loss",
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
def quantile_leaf_values(order, leaf, residual, weight, rank, n_nodes, value):
    n = order.shape[0]
    start = 0
    while start < n:
        node = leaf[order[start]]
        stop = start + 1
        while stop < n and leaf[order[stop]] == node:
            stop += 1
        total = 0.0
        for j in range(start, stop):
            total += weight[order[j]]
        if total == 0.0:
            value[node] = 0.0
        else:
            target = rank * total
            if target == 0.0:
                target = np.nextafter(target, target + 1.0)
            picked = order[stop - 1]
            cum = 0.0
            for j in range(start, stop):
                cum += weight[order[j]]
                if cum >= target:
                    picked = order[j]
                    break
            value[node] = residual[picked]
        start = stop


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
