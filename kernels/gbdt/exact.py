"""Exact greedy tree builder for gradient boosting (XGBoost's ``tree_method="exact"``).

Chen & Guestrin, "XGBoost: A Scalable Tree Boosting System" (KDD 2016): Algorithm 1
(exact greedy split finding: every boundary between two consecutive distinct sorted
values is a candidate) with Algorithm 3 (sparsity-aware: rows whose value is missing
(NaN) are sent as a block to the side that gains more; the learned side is the split's
default direction). Growth is depth-wise, level by level, like XGBoost's ``colmaker``
updater: each feature is sorted once per fit (:func:`presort_columns`), and each level
of each tree is one pass over every presorted column, with a per-row node index
(``pos``) so that all the level's nodes are scanned together. The pass over features is
``prange`` (serial below ~1e5 entries per level, where waking threads costs more than
the scan); every feature writes its own slot and the nodes' best splits are reduced
in feature order, so trees do not depend on the thread count.

Only that scan, O(n_samples * n_features) per level, is compiled. The growth loop
around it is Python with O(n_samples) NumPy steps per level (node sums in row order
with ``bincount``, the row partition, pruning, renumbering): as one Numba function it
compiled in ~13 s cold against ~4 s now (loaded 2-core machine), for no speed gain.

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
# Below this many (row, feature) entries per level the scan runs on the calling
# thread: at breast-cancer size (569 x 30) waking the pool made a tree 3x slower.
_PARALLEL_MIN_WORK = 100_000


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
                # _similarity(acc) + _similarity(rest) - node's, written out here: a
                # call per candidate costs 3x the scan time, and Numba's inline pass
                # costs seconds of compilation per call site
                t = acc_g[p]
                t = t - alpha if t > alpha else (t + alpha if t < -alpha else 0.0)
                sim_acc = np.float32(0.0)
                if acc_h[p] > 0.0:
                    sim_acc = np.float32(t * t) / np.float32(acc_h[p] + lam)
                t = node_g[p] - acc_g[p]
                t = t - alpha if t > alpha else (t + alpha if t < -alpha else 0.0)
                sim_rest = np.float32(0.0)
                if rest_h > 0.0:
                    sim_rest = np.float32(t * t) / np.float32(rest_h + lam)
                gain = (sim_acc + sim_rest) - node_sim[p]
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


@jit
def _scan_column(
    kf: int,
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
    """Both scans (forward when allowed, then backward) of feature feats[kf]."""
    fk = feats[kf]
    for direction in range(2):
        forward = direction == 0
        if forward and not forward_ok[kf]:
            continue
        _scan_feature(
            values, order, n_valid[fk], fk, forward, gh, pos, node_g, node_h,
            node_count, node_sim, lam, alpha, mcw,
            best_gain[kf], best_thr[kf], best_left[kf],
        )  # fmt: skip


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
    feature feats[k] and is written by one thread only, so the result does not
    depend on the thread count.
    """
    for kf in prange(feats.shape[0]):
        _scan_column(
            kf, values, order, n_valid, feats, forward_ok, gh, pos, node_g, node_h,
            node_count, node_sim, lam, alpha, mcw, best_gain, best_thr, best_left,
        )  # fmt: skip


@jit
def _scan_level_serial(
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
    """:func:`_scan_level` on the calling thread (small levels: waking the thread
    pool costs more than the scan)."""
    for kf in range(feats.shape[0]):
        _scan_column(
            kf, values, order, n_valid, feats, forward_ok, gh, pos, node_g, node_h,
            node_count, node_sim, lam, alpha, mcw, best_gain, best_thr, best_left,
        )  # fmt: skip


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
    X = np.asarray(X, dtype=np.float64)
    n_samples = X.shape[0]
    lam = float(np.float32(reg_lambda))
    alpha = float(np.float32(reg_alpha))
    mcw = float(np.float32(min_child_weight))
    lr32 = np.float32(learning_rate)
    gamma32 = np.float32(gamma)

    feats = np.unique(np.asarray(feature_idx, dtype=np.int64))  # ascending
    nv = n_valid[feats]
    last_valid = values[feats, np.maximum(nv - 1, 0)] if n_samples else nv * 0.0
    first_valid = values[feats, 0] if n_samples else nv * 0.0
    forward_ok = (nv > 0) & (nv < n_samples) & (first_valid != last_valid)

    rows = np.unique(np.asarray(row_idx, dtype=np.int64))
    gh = np.zeros((n_samples, 2))  # gradient and hessian side by side: one cache line
    gh[rows, 0] = grad[rows]
    gh[rows, 1] = hess[rows]
    pos = np.full(n_samples, -1, dtype=np.int64)  # row -> index in the level's nodes
    pos[rows] = 0

    # Growth, level by level. Per node: split feature (-1 leaf), threshold, default
    # direction, left child id (right = left + 1), float32 gain, G and H.
    t_feature: list[int] = [-1]
    t_threshold: list[float] = [0.0]
    t_default: list[int] = [0]
    t_left: list[int] = [-1]
    t_gain: list[np.float32] = [np.float32(0.0)]
    t_g = [0.0]
    t_h = [0.0]
    level = np.zeros(1, dtype=np.int64)  # node ids of the level's nodes
    n_leaves = 1
    depth = 0
    while level.shape[0] > 0:
        n_level = level.shape[0]
        active = np.flatnonzero(pos >= 0)
        node_of = pos[active]
        # row-order sums (bincount adds sequentially), the order XGBoost uses
        node_g = np.bincount(node_of, weights=gh[active, 0], minlength=n_level)
        node_h = np.bincount(node_of, weights=gh[active, 1], minlength=n_level)
        node_count = np.bincount(node_of, minlength=n_level).astype(np.int64)
        for p in range(n_level):
            t_g[level[p]] = float(node_g[p])
            t_h[level[p]] = float(node_h[p])
        if max_depth > 0 and depth >= max_depth:
            break
        node_sim = _similarities(node_g, node_h, lam, alpha)

        n_feats = feats.shape[0]
        best_gain = np.zeros((n_feats, n_level), dtype=np.float32)
        best_thr = np.zeros((n_feats, n_level))
        best_left = np.zeros((n_feats, n_level), dtype=np.uint8)
        if n_feats:
            scan = _scan_level_serial
            if active.shape[0] * n_feats > _PARALLEL_MIN_WORK:
                scan = _scan_level
            scan(
                values, order, n_valid, feats, forward_ok, gh, pos, node_g, node_h,
                node_count, node_sim, lam, alpha, mcw, best_gain, best_thr, best_left,
            )  # fmt: skip
            # the largest gain per node, ties to the smaller feature index
            k_best = np.argmax(best_gain, axis=0)
            g_best = best_gain[k_best, np.arange(n_level)]
        else:
            k_best = np.zeros(n_level, dtype=np.int64)
            g_best = np.zeros(n_level, dtype=np.float32)

        child_slot = np.full(n_level, -1, dtype=np.int64)
        split_feat = np.zeros(n_level, dtype=np.int64)
        split_thr = np.zeros(n_level)
        split_left = np.zeros(n_level, dtype=bool)
        next_level: list[int] = []
        for p in np.flatnonzero(g_best > _RT_EPS):
            if max_leaves > 0 and n_leaves >= max_leaves:
                break
            k = k_best[p]
            nid = int(level[p])
            child = len(t_feature)
            t_feature[nid] = int(feats[k])
            t_threshold[nid] = float(best_thr[k, p])
            t_default[nid] = int(best_left[k, p])
            t_left[nid] = child
            t_gain[nid] = g_best[p]
            for _ in range(2):
                t_feature.append(-1)
                t_threshold.append(0.0)
                t_default.append(0)
                t_left.append(-1)
                t_gain.append(np.float32(0.0))
                t_g.append(0.0)
                t_h.append(0.0)
            child_slot[p] = len(next_level)
            split_feat[p] = feats[k]
            split_thr[p] = best_thr[k, p]
            split_left[p] = best_left[k, p] == 1
            next_level += [child, child + 1]
            n_leaves += 1

        # Partition: rows of split nodes move to a child, the others are done.
        slot = child_slot[node_of]
        moving = slot >= 0
        pos[active[~moving]] = -1
        mv_rows, mv_node = active[moving], node_of[moving]
        x = X[mv_rows, split_feat[mv_node]]
        go_left = np.where(np.isnan(x), split_left[mv_node], x < split_thr[mv_node])
        pos[mv_rows] = slot[moving] + (~go_left)
        level = np.asarray(next_level, dtype=np.int64)
        depth += 1

    # Pruning by gamma, bottom-up: children have larger ids than their parent, so one
    # pass in decreasing id order reaches the fixed point.
    for nid in range(len(t_feature) - 1, -1, -1):
        c = t_left[nid]
        if c >= 0 and t_left[c] < 0 and t_left[c + 1] < 0 and t_gain[nid] < gamma32:
            t_left[nid] = -1
            t_feature[nid] = -1

    # Compact breadth-first renumbering of what is left.
    kept = [0]
    head = 0
    while head < len(kept):
        c = t_left[kept[head]]
        if c >= 0:
            kept += [c, c + 1]
        head += 1
    old = np.asarray(kept, dtype=np.int64)
    n_out = old.shape[0]
    f_old = np.asarray(t_feature, dtype=np.int32)[old]
    internal = f_old >= 0
    feature = np.where(internal, f_old, -1).astype(np.int32)
    threshold = np.where(internal, np.asarray(t_threshold)[old], 0.0)
    default_left = np.where(internal, np.asarray(t_default)[old], 0).astype(np.uint8)
    left = np.full(n_out, -1, dtype=np.int32)
    left[internal] = 1 + 2 * np.arange(int(internal.sum()), dtype=np.int32)
    right = np.where(internal, left + 1, -1).astype(np.int32)
    gain = np.where(internal, np.asarray(t_gain, dtype=np.float32)[old], 0.0)
    g_node = np.asarray(t_g)[old]
    cover = np.asarray(t_h)[old]
    weights = _leaf_weights(g_node, cover, lam, alpha, mcw)
    value = np.where(internal, 0.0, (weights * lr32).astype(np.float64))
    return (
        feature,
        threshold.astype(np.float64),
        default_left,
        left,
        right,
        value,
        gain.astype(np.float64),
        cover,
    )


def _threshold_l1_array(g: np.ndarray, alpha: float) -> np.ndarray:
    return np.where(g > alpha, g - alpha, np.where(g < -alpha, g + alpha, 0.0))


def _similarities(g: np.ndarray, h: np.ndarray, lam: float, alpha: float) -> np.ndarray:
    """:func:`_similarity` over arrays (the same float32 operations)."""
    t = _threshold_l1_array(g, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = (t * t).astype(np.float32) / (h + lam).astype(np.float32)
    return np.where(h > 0.0, sim, np.float32(0.0)).astype(np.float32)


def _leaf_weights(
    g: np.ndarray, h: np.ndarray, lam: float, alpha: float, mcw: float
) -> np.ndarray:
    """float32(-T(G) / (H + lambda)), 0 when H < min_child_weight or H <= 0."""
    t = _threshold_l1_array(g, alpha)
    ok = (h >= mcw) & (h > 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = (-t / np.where(ok, h + lam, 1.0)).astype(np.float32)
    return np.where(ok, w, np.float32(0.0)).astype(np.float32)
