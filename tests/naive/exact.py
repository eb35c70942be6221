"""Slow, obviously-correct reference for fastml.kernels.gbdt.exact (exact greedy trees).

One node at a time, one feature at a time, in plain Python: the node's rows with a
value are listed in ascending value order (ties by row index), every boundary between
two distinct values is a candidate threshold (their midpoint), and the left/right
gradient sums are accumulated by walking that list. The rules, which follow
XGBoost's exact method (``tree_method="exact"``) and are documented in
kernels/gbdt/exact.py, are spelled out here once more:

- a forward scan (ascending, missing rows go right) runs only when the feature's
  column has a missing value somewhere in the data and is not constant; a backward
  scan (descending, missing rows go left) always runs; each scan ends with the
  "all values on one side, missing rows on the other" candidate when the node has
  both kinds of rows;
- a candidate needs the accumulated side non-empty (hessian sum != 0) and both
  sides' hessian sums >= min_child_weight;
- similarity(G, H) = float32(T(G)^2) / float32(H + lambda) in float32, T the L1
  soft-threshold; gain = float32(sim(L) + sim(R)) - float32(sim(node));
- per feature the first candidate of maximal gain wins (gain > 0), across features
  the larger gain, ties to the smaller feature index; a node splits when its best
  gain > 1e-6;
- leaves: float32(float32(-T(G) / (H + lambda)) * float32(learning_rate)), 0 when
  H < min_child_weight;
- after growth, internal nodes with two leaf children and gain < gamma are turned
  back into leaves, repeatedly (bottom-up).
"""

from __future__ import annotations

import numpy as np

RT_EPS = np.float32(1e-6)


def _f32(x):
    return np.float32(x)


def threshold_l1(g, alpha):
    if g > alpha:
        return g - alpha
    if g < -alpha:
        return g + alpha
    return 0.0


def similarity(G, H, lam, alpha):
    if H <= 0.0:
        return _f32(0.0)
    t = threshold_l1(G, alpha)
    return _f32(t * t) / _f32(H + lam)


def weight(G, H, lam, alpha, mcw):
    if H < mcw or H <= 0.0:
        return _f32(0.0)
    return _f32(-threshold_l1(G, alpha) / (H + lam))


def _midpoint(a, b):
    mid = 0.5 * a + 0.5 * b
    return b if mid <= a else mid


def _beyond(last, forward):
    """Threshold past every value of the node (XGBoost's last +- (|last| + 1e-6))."""
    with np.errstate(over="ignore", invalid="ignore"):  # float32 overflow: fallback
        gap = _f32(abs(_f32(last))) + RT_EPS
        t = float(_f32(last) + gap) if forward else float(_f32(last) - gap)
    ok = np.isfinite(t) and (t > last if forward else t < last)
    if not ok:
        g64 = abs(last) + 1e-6
        t = last + g64 if forward else last - g64
    return t


def _scan(values, rows, g, h, G, H, n_missing, forward, params):
    """Candidates of one scan; returns (gain, threshold, default_left) of the first best.

    values/rows: the node's non-missing entries sorted ascending (ties by row).
    """
    lam, alpha, mcw = params["lam"], params["alpha"], params["mcw"]
    root = similarity(G, H, lam, alpha)
    best = None
    order = range(len(rows)) if forward else range(len(rows) - 1, -1, -1)
    acc_g = acc_h = 0.0
    last = 0.0

    def consider(gain, thr):
        nonlocal best
        if np.isinf(gain):
            return
        if gain > (best[0] if best is not None else _f32(0.0)):
            best = (gain, thr, not forward)

    for k in order:
        r, v = rows[k], values[k]
        if acc_h == 0.0:
            acc_g += g[r]
            acc_h += h[r]
            last = v
            continue
        if v != last and acc_h >= mcw:
            cg, ch = G - acc_g, H - acc_h
            if ch >= mcw:
                s = similarity(acc_g, acc_h, lam, alpha) + similarity(
                    cg, ch, lam, alpha
                )
                gain = _f32(s) - root
                lo, hi = (last, v) if forward else (v, last)
                consider(gain, _midpoint(lo, hi))
        acc_g += g[r]
        acc_h += h[r]
        last = v
    if n_missing > 0 and len(rows) > 0:
        cg, ch = G - acc_g, H - acc_h
        if acc_h >= mcw and ch >= mcw:
            s = similarity(acc_g, acc_h, lam, alpha) + similarity(cg, ch, lam, alpha)
            consider(_f32(s) - root, _beyond(last, forward))
    return best


def _best_split(X, g, h, node_rows, features, col_info, params):
    G = 0.0
    H = 0.0
    for r in node_rows:
        G += g[r]
        H += h[r]
    best = None  # (gain, feature, threshold, default_left)
    for f in features:
        has_missing, constant = col_info[f]
        vals = [(X[r, f], r) for r in node_rows if not np.isnan(X[r, f])]
        vals.sort()
        values = [v for v, _ in vals]
        rows = [r for _, r in vals]
        n_missing = len(node_rows) - len(rows)
        cands = []
        if has_missing and not constant:
            cands.append(_scan(values, rows, g, h, G, H, n_missing, True, params))
        cands.append(_scan(values, rows, g, h, G, H, n_missing, False, params))
        feat_best = None
        for c in cands:
            if c is not None and (feat_best is None or c[0] > feat_best[0]):
                feat_best = c
        if feat_best is None:
            continue
        if best is None or feat_best[0] > best[0]:  # features ascend: ties keep first
            best = (feat_best[0], f, feat_best[1], feat_best[2])
    return G, H, best


def build_exact_tree(
    X,
    g,
    h,
    row_idx=None,
    feature_idx=None,
    max_depth=6,
    max_leaves=0,
    min_child_weight=1.0,
    reg_lambda=1.0,
    reg_alpha=0.0,
    gamma=0.0,
    learning_rate=0.3,
):
    """One exact greedy tree; returns the dict of node arrays (design's tree storage)."""
    X = np.asarray(X, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    h = np.asarray(h, dtype=np.float64)
    n, d = X.shape
    rows = list(range(n)) if row_idx is None else sorted(int(r) for r in row_idx)
    feats = (
        list(range(d)) if feature_idx is None else sorted(int(f) for f in feature_idx)
    )
    params = dict(
        lam=float(_f32(reg_lambda)),
        alpha=float(_f32(reg_alpha)),
        mcw=float(_f32(min_child_weight)),
    )
    lr = _f32(learning_rate)
    gam = _f32(gamma)
    col_info = {}
    for f in range(d):
        col = X[:, f]
        ok = col[~np.isnan(col)]
        col_info[f] = (ok.size < n, ok.size > 0 and ok.min() == ok.max())

    # nodes: dicts with rows, depth, children, split
    nodes = [dict(rows=rows, depth=0)]
    level = [0]
    n_leaves = 1
    depth = 0
    while level and (max_depth <= 0 or depth < max_depth):
        next_level = []
        for nid in level:
            node = nodes[nid]
            G, H, best = _best_split(X, g, h, node["rows"], feats, col_info, params)
            node["G"], node["H"] = G, H
            if best is None or not best[0] > RT_EPS:
                continue
            if max_leaves > 0 and n_leaves >= max_leaves:
                continue
            gain, f, thr, dleft = best
            left_rows, right_rows = [], []
            for r in node["rows"]:
                v = X[r, f]
                go_left = dleft if np.isnan(v) else v < thr
                (left_rows if go_left else right_rows).append(r)
            node.update(feature=f, threshold=thr, default_left=dleft, gain=gain)
            node["children"] = (len(nodes), len(nodes) + 1)
            nodes.append(dict(rows=left_rows, depth=depth + 1))
            nodes.append(dict(rows=right_rows, depth=depth + 1))
            next_level += list(node["children"])
            n_leaves += 1
        level = next_level
        depth += 1
    for node in nodes:
        if "G" not in node:
            node["G"] = sum(g[r] for r in node["rows"])
            node["H"] = sum(h[r] for r in node["rows"])

    # post-pruning by gamma, bottom-up until nothing changes
    changed = True
    while changed:
        changed = False
        for node in nodes:
            ch = node.get("children")
            if ch is None:
                continue
            if all(nodes[c].get("children") is None for c in ch) and node["gain"] < gam:
                node["children"] = None
                changed = True

    # compact breadth-first numbering
    out = dict(
        feature=[],
        threshold=[],
        default_left=[],
        left=[],
        right=[],
        value=[],
        gain=[],
        cover=[],
    )
    order = [0]
    new_id = {0: 0}
    k = 0
    while k < len(order):
        node = nodes[order[k]]
        ch = node.get("children")
        if ch is not None:
            for c in ch:
                new_id[c] = len(order)
                order.append(c)
        k += 1
    for old in order:
        node = nodes[old]
        ch = node.get("children")
        if ch is None:
            w = weight(
                node["G"], node["H"], params["lam"], params["alpha"], params["mcw"]
            )
            out["feature"].append(-1)
            out["threshold"].append(0.0)
            out["default_left"].append(0)
            out["left"].append(-1)
            out["right"].append(-1)
            out["value"].append(float(_f32(w * lr)))
            out["gain"].append(0.0)
        else:
            out["feature"].append(node["feature"])
            out["threshold"].append(node["threshold"])
            out["default_left"].append(int(node["default_left"]))
            out["left"].append(new_id[ch[0]])
            out["right"].append(new_id[ch[1]])
            out["value"].append(0.0)
            out["gain"].append(float(node["gain"]))
        out["cover"].append(float(node["H"]))
    dtypes = dict(
        feature=np.int32,
        threshold=np.float64,
        default_left=np.uint8,
        left=np.int32,
        right=np.int32,
        value=np.float64,
        gain=np.float64,
        cover=np.float64,
    )
    return {k: np.asarray(v, dtype=dtypes[k]) for k, v in out.items()}


def predict_tree(tree, X):
    """Raw output of one tree for every row of X (x < threshold goes left)."""
    X = np.asarray(X, dtype=np.float64)
    out = np.empty(X.shape[0])
    for i in range(X.shape[0]):
        nid = 0
        while tree["feature"][nid] >= 0:
            v = X[i, tree["feature"][nid]]
            if np.isnan(v):
                go_left = bool(tree["default_left"][nid])
            else:
                go_left = v < tree["threshold"][nid]
            nid = tree["left"][nid] if go_left else tree["right"][nid]
        out[i] = tree["value"][nid]
    return out
