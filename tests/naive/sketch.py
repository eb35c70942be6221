"""Naive references for kernels/hist/sketch.py: exact weighted ranks and cuts.

Everything here sorts the data and takes cumulative sums of the weights; no summary
is involved. Pairs with NaN values or non-positive weights are dropped first, as the
kernels do.
"""

from __future__ import annotations

import numpy as np


def clean_pairs(values, weights=None):
    """(values float64, weights float64) without NaN values and weights <= 0."""
    values = np.asarray(values, dtype=np.float64)
    if weights is None:
        weights = np.ones(values.shape[0])
    weights = np.asarray(weights, dtype=np.float64)
    keep = ~np.isnan(values) & (weights > 0)
    return values[keep] + 0.0, weights[keep]


def naive_distinct(values, weights=None):
    """Sorted distinct values, their total weights and ``r+`` (weight <= value)."""
    v, w = clean_pairs(values, weights)
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    distinct, inverse = np.unique(v, return_inverse=True)
    dist_w = np.zeros(distinct.shape[0])
    np.add.at(dist_w, inverse, w)
    return distinct, dist_w, np.cumsum(dist_w)


def naive_ranks(values, weights, y):
    """Exact ``r-(y)`` (weight of values < y) and ``r+(y)`` (weight <= y), per y."""
    v, w = clean_pairs(values, weights)
    y = np.asarray(y, dtype=np.float64)
    r_minus = np.array([w[v < t].sum() for t in y])
    r_plus = np.array([w[v <= t].sum() for t in y])
    return r_minus, r_plus


def naive_rank_error(values, weights, answers, ranks):
    """Distance from each rank ``d`` to the exact rank interval of its answer."""
    r_minus, r_plus = naive_ranks(values, weights, answers)
    ranks = np.asarray(ranks, dtype=np.float64)
    return np.maximum(0.0, np.maximum(r_minus - ranks, ranks - r_plus))


def naive_summary_violation(values, weights, summary):
    """Largest violation of the summary's bounds by the exact ranks (<= 0 if valid).

    Checks, for every entry value x: ``rmin <= r-(x)``, ``rmax >= r+(x)``, ``wmin <=
    w(x)``, ``wmin >= 0``; and that every entry value occurs in the data and the
    first/last entries are the data's minimum/maximum (violations reported as +inf).
    """
    v, w = clean_pairs(values, weights)
    if summary.shape[1] == 0:
        return -np.inf if v.size == 0 else np.inf
    x = summary[0]
    r_minus, r_plus = naive_ranks(v, w, x)
    worst = max(
        np.max(summary[1] - r_minus),
        np.max(r_plus - summary[2]),
        np.max(summary[3] - (r_plus - r_minus)),
        np.max(-summary[3]),
    )
    if not np.all(np.isin(x, v)) or x[0] != v.min() or x[-1] != v.max():
        return np.inf
    if not np.all(np.diff(x) > 0):
        return np.inf
    return float(worst)


def naive_midpoint(lo, hi):
    """The kernels' threshold between two values: lo/2 + hi/2, or hi if it rounds."""
    m = 0.5 * lo + 0.5 * hi
    return hi if m <= lo else m


def naive_column_cuts(values, weights, max_bin):
    """Exact cuts of one column: midpoints when <= max_bin distinct values, else the
    boundary (between consecutive distinct values) nearest to each target rank
    ``j W / max_bin`` (ties to the left), each boundary once."""
    distinct, _, cum = naive_distinct(values, weights)
    m = distinct.shape[0]
    if m <= 1:
        return np.empty(0)
    if m <= max_bin:
        return np.array(
            [naive_midpoint(distinct[g], distinct[g + 1]) for g in range(m - 1)]
        )
    total = cum[-1]
    boundaries = cum[:-1]  # weight left of the gap after distinct value g
    chosen = []
    for j in range(1, max_bin):
        d = total * j / max_bin
        g = int(np.argmin(np.abs(boundaries - d)))
        if not chosen or g > chosen[-1]:
            chosen.append(g)
    return np.array([naive_midpoint(distinct[g], distinct[g + 1]) for g in chosen])


def naive_feature_cuts(X, weights, max_bin):
    """Exact cuts of every column, as (cut_values, cut_ptr)."""
    X = np.asarray(X)
    cuts = [naive_column_cuts(X[:, f], weights, max_bin) for f in range(X.shape[1])]
    cut_ptr = np.zeros(len(cuts) + 1, dtype=np.int64)
    cut_ptr[1:] = np.cumsum([c.shape[0] for c in cuts])
    values = np.concatenate(cuts) if cuts else np.empty(0)
    return values, cut_ptr


def naive_best_boundary_error(values, weights, d):
    """min over boundaries between consecutive distinct values of |C_g - d|."""
    _, _, cum = naive_distinct(values, weights)
    if cum.shape[0] <= 1:
        return np.inf
    return float(np.min(np.abs(cum[:-1] - d)))
