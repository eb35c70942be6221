"""Exact greedy tree builder for gradient boosting (XGBoost's ``tree_method="exact"``).

Chen & Guestrin, "XGBoost: A Scalable Tree Boosting System" (KDD 2016): Algorithm 1
(exact greedy split finding: every boundary between two consecutive distinct sorted
values is a candidate) with Algorithm 3 (sparsity-aware: rows whose value is missing
(NaN) are sent as a block to the side that gains more; the learned side is the split's
default direction). Growth is depth-wise, level by level, like XGBoost's ``colmaker``
updater: each feature is sorted once per fit (:func:`presort_columns`), and each level
of each tree is one pass over every presorted column, with a per-row node index
(``pos``) so that all the level's nodes are scanned together. The pass over features is
``prange``; every feature writes its own slot and the nodes' best splits are reduced
serially in feature order, so trees do not depend on the thread count.

Formulation (XGBoost's): per node G = sum of gradients, H = sum of hessians (the
"cover");
T(G) = sign(G) * max(|G| - alpha, 0) (L1 soft-threshold, alpha = reg_alpha);
similarity sim(G, H) = T(G)^2 / (H + lambda) (0 when H <= 0);
gain = sim(left) + sim(right) - sim(node); leaf value
-T(G) / (H + lambda) * learning_rate (0 when H < min_child_weight). Where the 1/2
goes: the paper's loss reduction (its Eq. 7) is 1/2 * (that gain) - gamma; XGBoost, and
this builder, report the gain without the 1/2 and compare it with gamma directly, so
XGBoost's (and fastml's) ``gamma`` is twice the paper's gamma. Leaf weights are the
paper's -G / (H + lambda), unaffected.

What makes the trees equal to XGBoost 3.2's, bit for bit (tests/reference/
test_gbdt_xgboost_exact.py checks it, tests/naive/exact.py restates every rule):

- Thresholds are midpoints of consecutive distinct values, ``0.5 * a + 0.5 * b`` in
  float64; rows go left iff ``x < threshold``. XGBoost stores data and thresholds in
  float32 and computes the midpoint in float32; for float32-representable data,
  ``float32(threshold)`` here equals XGBoost's split condition (rounding the exact
  midpoint once is the same as XGBoost's float32 sum then halving). fastml keeps the
  float64 midpoint: it separates the two values for any float64 data (XGBoost's
  float32 midpoint of two adjacent float32 values can collapse onto one of them).
- Search order and default direction (XGBoost's "learn" mode): a backward scan
  (descending values, missing rows go left) always runs; a forward scan (ascending,
  missing rows go right) runs first, but only for columns that have a missing value
  somewhere in the training data and are not constant. So on a fully dense column a
  split's default direction is left; in a node without missing rows of a column that
  has some, the forward scan's candidate wins ties, so the default is right. Each
  scan also tries "every value on one side, the missing rows on the other" when the
  node has both kinds of rows (threshold: just past the node's extreme value,
  XGBoost's ``last +- (|last| + 1e-6)`` computed in float32).
- A candidate needs the scanned (accumulated) side non-empty (H != 0) and both
  children's H >= min_child_weight.
- Precision: gradient sums are float64, accumulated in the scan order (node totals
  in row order), and the gain is rounded like XGBoost's: each similarity is
  ``float32(T^2) / float32(H + lambda)`` in float32, summed in float32, minus the
  node's float32 similarity. Rounding to float32 matters for ties: two features
  inducing the same partition give the same float32 gain and the tie goes to the
  smaller feature index (XGBoost's rule); within a feature the first candidate of
  maximal gain in scan order wins (forward ascending, then backward descending).
  Parameters are rounded to float32 first (XGBoost stores them so).
- A node splits when its best gain > 1e-6 (XGBoost's kRtEps). ``gamma``
  (min_split_loss) does not stop growth: after the tree is grown, an internal node
  whose two children are leaves is turned into a leaf when gain < gamma (strictly;
  a gain equal to gamma is kept), repeatedly, bottom-up (XGBoost's ``prune`` updater,
  which runs after ``grow_colmaker``). So a weak split survives under strong ones.
- Leaf values: float32(float32(w) * float32(learning_rate)), stored as float64.
- ``max_leaves``: XGBoost's exact method ignores it; here, when > 0, the level's
  nodes split in node order only while the tree has fewer than max_leaves leaves.
  ``max_depth <= 0`` means no depth limit (XGBoost's exact refuses 0).

Deliberately not reproduced (none occurs in the reference tests):

- XGBoost converts X to float32 first, so float64 values equal in float32 are one
  value there; fastml splits on the float64 values. Feed float32-representable data
  for identical candidates.
- When XGBoost's float32 midpoint of two adjacent float32 values rounds onto the upper
  one, its forward scan stores the lower value as threshold, which sends the lower
  value right (not the partition it evaluated); the float64 midpoint here always
  separates them.
- With ``min_child_weight = 0``, XGBoost also evaluates the "all values vs missing
  rows" candidate in nodes without missing rows (an empty child, gain 0 up to float32
  noise); that no-op split is never a candidate here.
- Non-finite gains (float32 overflow of G^2) are skipped; XGBoost skips infinities but
  lets a NaN gain of a lower-index feature win.

Inputs are assumed valid (fastml.gbdt validates them): finite gradients and
non-negative hessians, row_idx and feature_idx within range, feature_idx distinct.

Tree storage (see gbdt_design.md): breadth-first node arrays, node 0 the root, the
children of a node adjacent (``right = left + 1``).

Naive reference: tests/naive/exact.py; tests: tests/kernels/test_exact.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit, jit_parallel, prange

__all__ = ["presort_columns", "build_exact_tree"]

_RT_EPS = np.float32(1e-6)


def presort_columns(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row order of every column by ascending value, missing (NaN) rows last.

    Computed once per fit and reused by every tree of :func:`build_exact_tree`. Plain
    NumPy (a stable ``argsort`` along the columns, which puts NaN last): Numba's own
    sort costs seconds of compilation for no speed gain here.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64 (IN)

    Returns
    -------
    order : ndarray of shape (n_features, n_samples), int64, C-contiguous
        ``order[f, :n_valid[f]]`` are the rows with a value in feature f, by
        ascending value, ties by ascending row index (a stable sort);
        ``order[f, n_valid[f]:]`` the rows where it is NaN, ascending.
    values : ndarray of shape (n_features, n_samples), float64, C-contiguous
        ``values[f, j] = X[order[f, j], f]``: the scans read values sequentially
        (like XGBoost's sorted column pages) instead of striding through X.
    n_valid : ndarray of shape (n_features,), int64
    """
    X = np.asarray(X, dtype=np.float64)
    order = np.ascontiguousarray(np.argsort(X, axis=0, kind="stable").T, dtype=np.int64)
    values = np.ascontiguousarray(np.take_along_axis(X, order.T, axis=0).T)
    n_valid = (X.shape[0] - np.isnan(X).sum(axis=0)).astype(np.int64)
    return order, values, n_valid


@jit
def _sorted_copy(a: np.ndarray) -> np.ndarray:
    """Ascending copy by insertion sort (a few hundred features at most; np.sort
    would add seconds of compilation)."""
    out = a.copy()
    for i in range(1, out.shape[0]):
        v = out[i]
        j = i - 1
        while j >= 0 and out[j] > v:
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = v
    return out


@jit
def _threshold_l1(g: float, alpha: float) -> float:
    if g > alpha:
        return g - alpha
    if g < -alpha:
        return g + alpha
    return 0.0


@jit
def _similarity(g: float, h: float, lam: float, alpha: float) -> np.float32:
    """float32(T(G)^2) / float32(H + lambda) in float32, 0 when H <= 0."""
    if h <= 0.0:
        return np.float32(0.0)
    t = _threshold_l1(g, alpha)
    return np.float32(t * t) / np.float32(h + lam)


@jit
def _leaf_weight(
    g: float, h: float, lam: float, alpha: float, mcw: float
) -> np.float32:
    if h < mcw or h <= 0.0:
        return np.float32(0.0)
    return np.float32(-_threshold_l1(g, alpha) / (h + lam))


@jit
def _midpoint(a: float, b: float) -> float:
    """A threshold t with a < t <= b (the midpoint unless it rounds onto a)."""
    mid = 0.5 * a + 0.5 * b
    if mid <= a:
        return b
    return mid


@jit
def _beyond(last: float, forward: bool) -> float:
    """Threshold past the node's extreme value: above ``last`` (forward) or below."""
    v32 = np.float32(last)
    gap = np.float32(abs(v32)) + _RT_EPS
    if forward:
        t = float(v32 + gap)
        if math.isfinite(t) and t > last:
            return t
        return last + (abs(last) + 1e-6)
    t = float(v32 - gap)
    if math.isfinite(t) and t < last:
        return t
    return last - (abs(last) + 1e-6)


@jit
def _scan_feature(
    values: np.ndarray,
    order: np.ndarray,
    n_valid: int,
    f: int,
    forward: bool,
    gh: np.ndarray,
    pos: np.ndarray,
    node_g: np.ndarray,
    node_h: np.ndarray,
    node_count: np.ndarray,
    node_sim: np.ndarray,
    lam: float,
    alpha: float,
    mcw: float,
    best_gain: np.ndarray,
    best_thr: np.ndarray,
    best_left: np.ndarray,
) -> None:
    """One scan of one presorted column for all nodes of the level (see module doc).

    Updates best_gain/best_thr/best_left (shape (n_level,), this feature's row) when a
    candidate is strictly better than the current one.
    """
    n_level = node_g.shape[0]
    acc_g = np.zeros(n_level)
    acc_h = np.zeros(n_level)
    last = np.zeros(n_level)
    n_seen = np.zeros(n_level, dtype=np.int64)
    default_left = np.uint8(0 if forward else 1)
    for j in range(n_valid):
        jj = j if forward else n_valid - 1 - j
        r = order[f, jj]
        p = pos[r]
        if p < 0:
            continue
        v = values[f, jj]
        n_seen[p] += 1
        if acc_h[p] == 0.0:
            acc_g[p] += gh[r, 0]
            acc_h[p] += gh[r, 1]
            last[p] = v
            continue
        if v != last[p] and acc_h[p] >= mcw:
            rest_h = node_h[p] - acc_h[p]
            if rest_h >= mcw:
                rest_g = node_g[p] - acc_g[p]
                s = _similarity(acc_g[p], acc_h[p], lam, alpha) + _similarity(
                    rest_g, rest_h, lam, alpha
                )
                gain = s - node_sim[p]
                if not np.isinf(gain) and gain > best_gain[p]:
                    best_gain[p] = gain
                    if forward:
                        best_thr[p] = _midpoint(last[p], v)
                    else:
                        best_thr[p] = _midpoint(v, last[p])
                    best_left[p] = default_left
        acc_g[p] += gh[r, 0]
        acc_h[p] += gh[r, 1]
        last[p] = v
    for p in range(n_level):
        if n_seen[p] == 0 or n_seen[p] == node_count[p]:
            continue
        rest_h = node_h[p] - acc_h[p]
        if acc_h[p] >= mcw and rest_h >= mcw:
            rest_g = node_g[p] - acc_g[p]
            s = _similarity(acc_g[p], acc_h[p], lam, alpha) + _similarity(
                rest_g, rest_h, lam, alpha
            )
            gain = s - node_sim[p]
            if not np.isinf(gain) and gain > best_gain[p]:
                best_gain[p] = gain
                best_thr[p] = _beyond(last[p], forward)
                best_left[p] = default_left


@jit_parallel
def _scan_level(
    values: np.ndarray,
    order: np.ndarray,
    n_valid: np.ndarray,
    feats: np.ndarray,
    forward_ok: np.ndarray,
    gh: np.ndarray,
    pos: np.ndarray,
    node_g: np.ndarray,
    node_h: np.ndarray,
    node_count: np.ndarray,
    node_sim: np.ndarray,
    lam: float,
    alpha: float,
    mcw: float,
    best_gain: np.ndarray,
    best_thr: np.ndarray,
    best_left: np.ndarray,
) -> None:
    """All features' scans for one level, in parallel over features.

    Row k of best_gain/best_thr/best_left (shape (n_feats, n_level)) belongs to
    feature feats[k] and is written by one thread only. Kept apart from the growth
    loop so that ``prange`` is its only parallel construct (with Numba's array
    expression parallelisation active in the whole growth function, allocations
    inside its ``while`` loop were mis-compiled).
    """
    for kf in prange(feats.shape[0]):
        fk = feats[kf]
        for direction in range(2):
            forward = direction == 0
            if forward and not forward_ok[kf]:
                continue
            _scan_feature(
                values,
                order,
                n_valid[fk],
                fk,
                forward,
                gh,
                pos,
                node_g,
                node_h,
                node_count,
                node_sim,
                lam,
                alpha,
                mcw,
                best_gain[kf],
                best_thr[kf],
                best_left[kf],
            )


@jit
def build_exact_tree(
    X: np.ndarray,
    order: np.ndarray,
    values: np.ndarray,
    n_valid: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
    row_idx: np.ndarray,
    feature_idx: np.ndarray,
    max_depth: int,
    max_leaves: int,
    min_child_weight: float,
    reg_lambda: float,
    reg_alpha: float,
    gamma: float,
    learning_rate: float,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
]:
    """Grow one tree by exact greedy search (the rules are in the module docstring).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64, C-contiguous (IN)
        NaN is missing. Must be the array the presorted arrays come from.
    order, values, n_valid : from :func:`presort_columns` on X (IN)
    grad, hess : ndarray of shape (n_samples,), float64 (IN)
        Per-row gradient and hessian of the loss at the current prediction; only
        the rows of ``row_idx`` are read.
    row_idx : ndarray of shape (n_rows,), int64 (IN)
        The rows this tree learns from (all rows, or a subsample); duplicates count
        once.
    feature_idx : ndarray of shape (n_used,), int64 (IN)
        The features the tree may split on (all, or a colsample_bytree subset),
        distinct, any order.
    max_depth : int
        Depth limit (root at depth 0); <= 0 for none.
    max_leaves : int
        Leaf limit when > 0 (see module docstring); 0 for none.
    min_child_weight, reg_lambda, reg_alpha, gamma, learning_rate : float
        XGBoost's parameters of the same names (all rounded to float32 first).

    Returns
    -------
    feature : ndarray of shape (n_nodes,), int32
        Split feature, -1 for a leaf.
    threshold : ndarray of shape (n_nodes,), float64
        Go left iff x < threshold (0 for a leaf).
    default_left : ndarray of shape (n_nodes,), uint8
        1 when NaN goes left (0 for a leaf).
    left, right : ndarray of shape (n_nodes,), int32
        Children's node indices in this tree, -1 for a leaf.
    value : ndarray of shape (n_nodes,), float64
        Leaf output, learning rate included (0 for an internal node).
    gain : ndarray of shape (n_nodes,), float64
        Split gain as XGBoost reports it (the float32 value; 0 for a leaf).
    cover : ndarray of shape (n_nodes,), float64
        Sum of the hessians of the node's rows.
    """
    n_samples = X.shape[0]
    lam = np.float64(np.float32(reg_lambda))
    alpha = np.float64(np.float32(reg_alpha))
    mcw = np.float64(np.float32(min_child_weight))
    lr32 = np.float32(learning_rate)
    gamma32 = np.float32(gamma)

    feats = _sorted_copy(feature_idx)
    n_feats = feats.shape[0]
    forward_ok = np.zeros(n_feats, dtype=np.bool_)
    for k in range(n_feats):
        f = feats[k]
        nv = n_valid[f]
        if nv < n_samples and nv > 0:
            forward_ok[k] = values[f, 0] != values[f, nv - 1]

    pos = np.full(n_samples, -1, dtype=np.int64)
    gh = np.zeros((n_samples, 2))  # gradient and hessian side by side: one cache line
    n_rows = 0
    for i in range(row_idx.shape[0]):
        r = row_idx[i]
        if pos[r] < 0:
            pos[r] = 0
            gh[r, 0] = grad[r]
            gh[r, 1] = hess[r]
            n_rows += 1

    cap = 2 * max(n_rows, 1) - 1
    if max_depth > 0 and max_depth < 40:
        cap = min(cap, 2 ** (max_depth + 1) - 1)
    t_feature = np.full(cap, -1, dtype=np.int32)
    t_threshold = np.zeros(cap)
    t_default = np.zeros(cap, dtype=np.uint8)
    t_left = np.full(cap, -1, dtype=np.int32)
    t_gain = np.zeros(cap, dtype=np.float32)
    t_g = np.zeros(cap)
    t_h = np.zeros(cap)

    level = np.zeros(1, dtype=np.int64)  # node ids of the level's nodes
    n_nodes = 1
    n_leaves = 1
    depth = 0
    while level.shape[0] > 0:
        n_level = level.shape[0]
        node_g = np.zeros(n_level)
        node_h = np.zeros(n_level)
        node_count = np.zeros(n_level, dtype=np.int64)
        for r in range(n_samples):
            p = pos[r]
            if p >= 0:
                node_g[p] += gh[r, 0]
                node_h[p] += gh[r, 1]
                node_count[p] += 1
        for p in range(n_level):
            t_g[level[p]] = node_g[p]
            t_h[level[p]] = node_h[p]
        if max_depth > 0 and depth >= max_depth:
            break
        node_sim = np.empty(n_level, dtype=np.float32)
        for p in range(n_level):
            node_sim[p] = _similarity(node_g[p], node_h[p], lam, alpha)

        best_gain = np.zeros((n_feats, n_level), dtype=np.float32)
        best_thr = np.zeros((n_feats, n_level))
        best_left = np.zeros((n_feats, n_level), dtype=np.uint8)
        _scan_level(
            values,
            order,
            n_valid,
            feats,
            forward_ok,
            gh,
            pos,
            node_g,
            node_h,
            node_count,
            node_sim,
            lam,
            alpha,
            mcw,
            best_gain,
            best_thr,
            best_left,
        )

        # Per node: the largest gain, ties to the smaller feature index (feats ascend).
        child_slot = np.full(n_level, -1, dtype=np.int64)
        split_feat = np.zeros(n_level, dtype=np.int64)
        split_thr = np.zeros(n_level)
        split_left = np.zeros(n_level, dtype=np.uint8)
        n_split = 0
        for p in range(n_level):
            kbest = -1
            gbest = np.float32(0.0)
            for k in range(n_feats):
                if best_gain[k, p] > gbest:
                    gbest = best_gain[k, p]
                    kbest = k
            if kbest < 0 or not gbest > _RT_EPS:
                continue
            if max_leaves > 0 and n_leaves >= max_leaves:
                continue
            nid = level[p]
            t_feature[nid] = feats[kbest]
            t_threshold[nid] = best_thr[kbest, p]
            t_default[nid] = best_left[kbest, p]
            t_gain[nid] = gbest
            t_left[nid] = n_nodes
            n_nodes += 2
            n_leaves += 1
            child_slot[p] = 2 * n_split
            split_feat[p] = feats[kbest]
            split_thr[p] = best_thr[kbest, p]
            split_left[p] = best_left[kbest, p]
            n_split += 1
        next_level = np.empty(2 * n_split, dtype=np.int64)
        for p in range(n_level):
            s = child_slot[p]
            if s >= 0:
                next_level[s] = t_left[level[p]]
                next_level[s + 1] = t_left[level[p]] + 1
        for row in range(n_samples):
            slot = pos[row]
            if slot < 0:
                continue
            s_child = child_slot[slot]
            if s_child < 0:
                pos[row] = -1
                continue
            xv = X[row, split_feat[slot]]
            if np.isnan(xv):
                to_left = split_left[slot] == 1
            else:
                to_left = xv < split_thr[slot]
            pos[row] = s_child if to_left else s_child + 1
        level = next_level
        depth += 1

    # Pruning by gamma, bottom-up: children have larger ids than their parent, so one
    # pass in decreasing id order reaches the fixed point.
    for nid in range(n_nodes - 1, -1, -1):
        c = t_left[nid]
        if c < 0:
            continue
        if t_left[c] < 0 and t_left[c + 1] < 0 and t_gain[nid] < gamma32:
            t_left[nid] = -1
            t_feature[nid] = -1

    # Compact breadth-first renumbering of what is left.
    old_of = np.empty(n_nodes, dtype=np.int64)
    old_of[0] = 0
    n_out = 1
    head = 0
    while head < n_out:
        c = t_left[old_of[head]]
        if c >= 0:
            old_of[n_out] = c
            old_of[n_out + 1] = c + 1
            n_out += 2
        head += 1
    feature = np.full(n_out, -1, dtype=np.int32)
    threshold = np.zeros(n_out)
    default_left = np.zeros(n_out, dtype=np.uint8)
    left = np.full(n_out, -1, dtype=np.int32)
    right = np.full(n_out, -1, dtype=np.int32)
    value = np.zeros(n_out)
    gain = np.zeros(n_out)
    cover = np.zeros(n_out)
    next_child = 1
    for i in range(n_out):
        nid = old_of[i]
        cover[i] = t_h[nid]
        if t_left[nid] >= 0:
            feature[i] = t_feature[nid]
            threshold[i] = t_threshold[nid]
            default_left[i] = t_default[nid]
            gain[i] = float(t_gain[nid])
            left[i] = next_child
            right[i] = next_child + 1
            next_child += 2
        else:
            w = _leaf_weight(t_g[nid], t_h[nid], lam, alpha, mcw)
            value[i] = float(w * lr32)
    return feature, threshold, default_left, left, right, value, gain, cover
