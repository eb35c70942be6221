"""Slow, obviously-correct references for histogram GBDT kernels.

- ``naive_histogram``: per-row loop over features (kernels/hist/build.py);
- ``similarity`` / ``leaf_weight`` / ``naive_best_split``: XGBoost's gain by brute
  force over every feature, threshold bin and missing-value direction, with sums
  taken directly over the rows going left and right (kernels/hist/split.py);
- ``naive_grow_tree``: depthwise / lossguide growth from ``naive_best_split``
  (kernels/gbdt/grow.py), with the kernel's node numbering conventions;
- ``naive_predict``: a walk from the root per row and tree (kernels/tree/predict.py).

All sums use the integer grid of kernels/hist/build.py (``floor(g * scale + 0.5)``)
so that kernel and reference see exactly the same numbers.
"""

from __future__ import annotations

import math

import numpy as np

KEEP_EPS = 1e-6
TIE_RTOL = 1e-6


def better(a, b):
    """Gain a beats the best so far b: larger by more than TIE_RTOL relative."""
    if b == -math.inf:
        return a > b
    return a - b > TIE_RTOL * abs(b)


def grid_values(gh, rows, scale_g, scale_h):
    """Per-row grid values (float64) of the gradient and hessian of ``rows``."""
    g = np.floor(gh[rows, 0].astype(np.float64) * scale_g + 0.5)
    h = np.floor(gh[rows, 1].astype(np.float64) * scale_h + 0.5)
    return g, h


def naive_grid_scales(gh, rows):
    """Powers of two 2**(51 - e) with 2**(e - 1) <= sum |v| < 2**e (1 for zero)."""
    out = []
    for col in (0, 1):
        total = float(sum(abs(float(v)) for v in gh[rows, col]))
        if total <= 0 or not math.isfinite(total):
            out.append(1.0)
        else:
            _, e = math.frexp(total)
            out.append(math.ldexp(1.0, 51 - e))
    return tuple(out)


def naive_histogram(bins, gh, rows, stride, scale_g, scale_h, features=None):
    """Histogram of ``rows``: shape (n_features, stride, 2), grid sums."""
    n_features = bins.shape[1]
    hist = np.zeros((n_features, stride, 2))
    feats = range(n_features) if features is None else features
    for r in rows:
        g = math.floor(float(gh[r, 0]) * scale_g + 0.5)
        h = math.floor(float(gh[r, 1]) * scale_h + 0.5)
        for f in feats:
            b = int(bins[r, f])
            hist[f, b, 0] += g
            hist[f, b, 1] += h
    return hist


def _threshold_l1(g, alpha):
    if g > alpha:
        return g - alpha
    if g < -alpha:
        return g + alpha
    return 0.0


def leaf_weight(g, h, params):
    """-T(G) / (H + lambda), clipped by max_delta_step; 0 if H < mcw or H <= 0."""
    lam, alpha, mcw, mds = params[:4]
    if h < mcw or h <= 0:
        return 0.0
    w = -_threshold_l1(g, alpha) / (h + lam)
    if mds > 0:
        w = min(max(w, -mds), mds)
    return w


def similarity(g, h, params):
    """XGBoost's CalcGain."""
    lam, alpha, mcw, mds = params[:4]
    if h < mcw or h <= 0:
        return 0.0
    if mds == 0:
        t = _threshold_l1(g, alpha)
        return t * t / (h + lam)
    w = leaf_weight(g, h, params)
    ret = -(2.0 * g * w + (h + lam) * w * w)
    if alpha != 0:
        ret += alpha * abs(w)
    return ret


def _goes_left(b, split_bin, default_left, missing_bin):
    if b == missing_bin:
        return bool(default_left)
    return b <= split_bin


def naive_best_split(
    bins, gq, hq, rows, n_bins, missing_bin, inv_sg, inv_sh, params, features=None
):
    """Brute-force best split of the node made of ``rows``.

    ``gq``/``hq`` are per-sample grid values (indexed by row). Candidates in the
    kernel's order: features ascending; for each, missing-right (default_left 0)
    with bins 0 .. n_bins - 1, then (only if the node has a missing value of that
    feature) missing-left with bins n_bins - 2 .. -1. A candidate wins only when
    :func:`better` than the best so far (near-ties keep the earlier candidate); the
    per-feature bests are then compared the same way in feature order.

    Returns (gain, feature, split_bin, default_left, gq_left, hq_left); gain -inf
    and feature -1 when no candidate is valid.
    """
    mcw = params[2]
    rows = np.asarray(rows)
    g_node = float(gq[rows].sum())
    h_node = float(hq[rows].sum())
    parent = similarity(g_node * inv_sg, h_node * inv_sh, params)
    best = (-math.inf, -1, -2, 0, 0.0, 0.0)
    feats = range(bins.shape[1]) if features is None else features
    for f in feats:
        best_f = (-math.inf, -1, -2, 0, 0.0, 0.0)
        col = bins[rows, f].astype(np.int64)
        has_missing = bool(np.any(col == missing_bin)) and (
            float(gq[rows][col == missing_bin].sum()) != 0.0
            or float(hq[rows][col == missing_bin].sum()) != 0.0
        )
        candidates = [(b, 0) for b in range(n_bins[f])]
        if has_missing:
            candidates += [(b, 1) for b in range(n_bins[f] - 2, -2, -1)]
        for b, dl in candidates:
            left = np.array(
                [_goes_left(v, b, dl, missing_bin) for v in col], dtype=bool
            )
            gl = float(gq[rows][left].sum())
            hl = float(hq[rows][left].sum())
            gr = g_node - gl
            hr = h_node - hl
            h_left = hl * inv_sh
            h_right = hr * inv_sh
            if not (h_left >= mcw and h_right >= mcw and h_left > 0 and h_right > 0):
                continue
            gain = (
                similarity(gl * inv_sg, h_left, params)
                + similarity(gr * inv_sg, h_right, params)
                - parent
            )
            if better(gain, best_f[0]):
                best_f = (gain, f, b, dl, gl, hl)
        if better(best_f[0], best[0]):
            best = best_f
    return best


def naive_grow_tree(
    bins,
    gh,
    rows,
    n_bins,
    missing_bin,
    params,
    max_depth,
    max_leaves,
    lossguide,
    features=None,
):
    """Grow one tree with brute-force splits; the kernel's numbering conventions.

    ``params``: reg_lambda, reg_alpha, min_child_weight, max_delta_step, gamma,
    learning_rate. Returns a dict of node lists (feature, split_bin, default_left,
    left, right, value, cover, gain) and the per-row leaf value (dict row -> value).
    """
    mcw = params[2]
    gamma = params[4]
    lr = params[5]
    keep = max(gamma, KEEP_EPS)
    rows = np.asarray(rows)
    scale_g, scale_h = naive_grid_scales(gh, rows)
    inv_sg, inv_sh = 1.0 / scale_g, 1.0 / scale_h
    gq = np.zeros(bins.shape[0])
    hq = np.zeros(bins.shape[0])
    gq[rows], hq[rows] = grid_values(gh, rows, scale_g, scale_h)

    nodes = [{"rows": rows, "depth": 0, "left": -1, "right": -1}]

    def can_split(nd):
        r = nd["rows"]
        return (
            (max_depth <= 0 or nd["depth"] < max_depth)
            and len(r) >= 2
            and float(hq[r].sum()) * inv_sh >= 2 * mcw
        )

    def search(i):
        nd = nodes[i]
        nd["cand"] = naive_best_split(
            bins,
            gq,
            hq,
            nd["rows"],
            n_bins,
            missing_bin,
            inv_sg,
            inv_sh,
            params,
            features,
        )

    root_ok = (
        len(rows) >= 2
        and max_leaves != 1
        and (max_depth > 0 or lossguide)
        and float(hq[rows].sum()) * inv_sh >= 2 * mcw
    )
    open_nodes = []
    if root_ok:
        search(0)
        if nodes[0]["cand"][0] > keep:
            open_nodes.append(0)
    n_leaves = 1
    while open_nodes and not (max_leaves > 0 and n_leaves >= max_leaves):
        if lossguide:
            best = min(open_nodes, key=lambda i: (-nodes[i]["cand"][0], i))
            open_nodes.remove(best)
            batch = [best]
        else:
            batch = []
            for i in sorted(open_nodes):
                if max_leaves > 0 and n_leaves + len(batch) >= max_leaves:
                    break
                batch.append(i)
            open_nodes = []
        leaves_after = n_leaves + len(batch)
        new = []
        for i in batch:
            nd = nodes[i]
            _, f, b, dl, _, _ = nd["cand"]
            col = bins[nd["rows"], f].astype(np.int64)
            left = np.array([_goes_left(v, b, dl, missing_bin) for v in col], bool)
            lc, rc = len(nodes), len(nodes) + 1
            nd["left"], nd["right"] = lc, rc
            nodes.append(
                {
                    "rows": nd["rows"][left],
                    "depth": nd["depth"] + 1,
                    "left": -1,
                    "right": -1,
                }
            )
            nodes.append(
                {
                    "rows": nd["rows"][~left],
                    "depth": nd["depth"] + 1,
                    "left": -1,
                    "right": -1,
                }
            )
            if (can_split(nodes[lc]) or can_split(nodes[rc])) and not (
                max_leaves > 0 and leaves_after >= max_leaves
            ):
                new += [lc, rc]
        n_leaves = leaves_after
        for c in new:
            search(c)
            if (max_depth <= 0 or nodes[c]["depth"] < max_depth) and nodes[c]["cand"][
                0
            ] > keep:
                open_nodes.append(c)

    out = {
        k: []
        for k in (
            "feature",
            "split_bin",
            "default_left",
            "left",
            "right",
            "value",
            "cover",
            "gain",
        )
    }
    leaf_of_row = {}
    for nd in nodes:
        g = float(gq[nd["rows"]].sum()) * inv_sg
        h = float(hq[nd["rows"]].sum()) * inv_sh
        out["cover"].append(h)
        if nd["left"] >= 0:
            _, f, b, dl, _, _ = nd["cand"]
            out["feature"].append(f)
            out["split_bin"].append(b)
            out["default_left"].append(dl)
            out["left"].append(nd["left"])
            out["right"].append(nd["right"])
            out["value"].append(0.0)
            out["gain"].append(nd["cand"][0])
        else:
            v = lr * leaf_weight(g, h, params)
            out["feature"].append(-1)
            out["split_bin"].append(-2)
            out["default_left"].append(0)
            out["left"].append(-1)
            out["right"].append(-1)
            out["value"].append(v)
            out["gain"].append(0.0)
            for r in nd["rows"]:
                leaf_of_row[int(r)] = v
    return out, leaf_of_row


def naive_predict(
    X,
    feature,
    threshold,
    default_left,
    left,
    right,
    value,
    tree_ptr,
    n_groups,
    tree_stop,
    init=0.0,
):
    """``init`` plus the leaf values reached (tree by tree): a walk per row and tree."""
    X = np.asarray(X, dtype=np.float64)
    out = np.full((X.shape[0], n_groups), init, dtype=np.float64)
    for t in range(tree_stop):
        base = int(tree_ptr[t])
        for i in range(X.shape[0]):
            node = base
            while feature[node] >= 0:
                x = X[i, feature[node]]
                if math.isnan(x):
                    go_left = bool(default_left[node])
                else:
                    go_left = x < threshold[node]
                node = base + (left[node] if go_left else right[node])
            out[i, t % n_groups] += value[node]
    return out
