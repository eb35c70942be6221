"""CART tree growing on presorted feature lists (classification and regression).

Layout and algorithm
--------------------
``X`` (n_samples, n_features) is converted to float32 (the precision scikit-learn's
trees split on) and sorted once per feature (fastml.tree._builder.prepare_data):
``order[f]`` lists the rows by increasing ``X[:, f]``. A tree build
(:func:`grow_tree`) keeps the rows of positive weight in two work arrays of shape
(n_features, n_active): ``idx[f]`` the row ids and ``vals[f]`` their values of
feature f, every node owning the same segment ``[start, end)`` of every feature's
list, sorted by that feature. So

- the exact split search of a node scans each candidate feature's segment once in
  sorted order with incremental criterion sums (no sort at any node);
- a constant feature is recognised in O(1) (``vals[f, end-1] <= vals[f, start] +
  1e-7``) and a random threshold (``splitter="random"``) finds its cut position by
  binary search;
- after a split, each feature's segment is stably partitioned into the left rows
  then the right rows (O(n_features * n) per tree level), which keeps every list
  sorted inside the two children.

Semantics (the CART algorithm as scikit-learn implements it; tests compare the
trees node by node, tests/reference/test_tree_sklearn.py):

- candidate cuts only between consecutive sorted values differing by more than
  1e-7; threshold ``a / 2 + b / 2`` in float64 (a row goes left iff x <= threshold);
- a cut must leave ``min_samples_leaf`` rows and ``min_weight_leaf`` weight on both
  sides; the best cut is the first strictly larger *proxy* improvement, features
  visited in the order drawn (below), positions in increasing order;
- a node is a leaf when depth >= max_depth, n < min_samples_split,
  n < 2 * min_samples_leaf, weighted n < 2 * min_weight_leaf, impurity <= DBL_EPSILON,
  no valid cut exists, or the weighted impurity decrease
  ``N_t / N * (I - N_tR / N_t * I_R - N_tL / N_t * I_L)`` plus DBL_EPSILON is below
  ``min_impurity_decrease`` (Friedman's criterion has its own improvement formula);
- features: drawn without replacement in random order until ``max_features``
  non-constant features have been evaluated... precisely: until ``max_features``
  features were drawn and at least one of them was not constant; features found
  constant in a node are known constant in its subtree (depth-first growth) and
  skipped at no cost but counted as drawn. The random order comes from fastml's own
  generator (splitmix64), not scikit-learn's;
- growth: depth-first (node ids in preorder) or, with ``max_leaf_nodes``, best-first
  on the improvement with the same binary-heap discipline as the C++ standard
  library's push_heap/pop_heap (so ties are popped in the same order).

Criteria (codes in ``CRITERIA``): gini, entropy/log_loss (log base 2), squared
error, Friedman MSE, absolute error (weighted median: the midpoint of two middle
values when the cumulative weight hits half exactly), half Poisson deviance.
Children impurities are computed from the sums of the chosen cut, the right child's
as total minus left, as in scikit-learn, so that impurities (and the pruning path)
agree to rounding.

Module layout: this file holds the growth loop and the per-node steps; the
criteria, scans and partitions are in kernels/tree/cart_split.py, the pruning
kernels in kernels/tree/prune.py (re-exported here).

Compile time: the growth loop is made by :func:`_make_grow` once per kind of tree
(criterion family: classification / squared error, Friedman, Poisson / absolute
error; best or random splitter; depth-first or best-first growth), the kind being
constants of the closure that Numba's branch pruning resolves before typing. A
tree therefore compiles only its own kind's code (a gini tree: 8 functions, ~4 s
CPU on a loaded 2-core machine, instead of 42 functions and ~15 s when one kernel
served every kind); each kind is cached separately (the cache index key includes
the closure's constants). The feature draw, the evaluation loop and the partition
live in the growth loop itself: as separate kernels they were compiled on their
own and then optimised again inside every caller.

Naive reference: tests/naive/cart.py (exhaustive split search over every feature and
cut, node statistics from the definitions); tests: tests/kernels/test_cart.py (every
node of built trees checked against it), tests/reference/test_tree_sklearn.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels.tree.cart_split import (
    _EPSILON,
    _FEATURE_THRESHOLD,
    _MAE,
    _POISSON,
    CRITERIA,
    _argsort,
    _cls_children_impurity,
    _eval_random_cls,
    _eval_random_mae,
    _eval_random_reg,
    _init_lists,
    _mae_children,
    _min_max,
    _partition,
    _poisson_loss,
    _rand_int,
    _rand_unit,
    _scan_cls,
    _scan_mae,
    _scan_reg,
    _weighted_median_ae,
)
from fastml.kernels.tree.prune import prune_mask, prune_path

__all__ = [
    "CRITERIA",
    "grow_tree",
    "prune_path",
    "prune_mask",
]


# --- the builder --------------------------------------------------------------------

# Criterion families: each has its own growth kernel (see _make_grow).
_CLS = 0  # gini, entropy / log_loss
_REG = 1  # squared error, Friedman MSE, Poisson
_ABS = 2  # absolute error (weighted medians)
_GROW_KERNELS: dict[tuple[int, int, int], Any] = {}


def _grow_kernel(crit: int, random_splitter: bool, best_first: bool) -> Any:
    """The growth kernel of this kind of tree (criterion family, splitter, growth
    order; see _make_grow), made on first use: no dispatcher is created, let alone
    compiled, for kinds never grown."""
    family = _CLS if crit <= 1 else _ABS if crit == _MAE else _REG
    key = (family, int(random_splitter), int(best_first))
    kernel = _GROW_KERNELS.get(key)
    if kernel is None:
        kernel = _GROW_KERNELS.setdefault(key, _make_grow(*key))
    return kernel


@jit
def _node_sums_reg(
    rows: np.ndarray,
    start: int,
    end: int,
    y_reg: np.ndarray,
    w: np.ndarray,
) -> tuple[float, float, float]:
    """(weighted count, sum of w y, sum of w y^2) of a node."""
    wn = 0.0
    st = 0.0
    sq = 0.0
    for p in range(start, end):
        i = rows[p]
        wi = w[i]
        wn += wi
        wy = wi * y_reg[i]
        st += wy
        sq += wy * y_reg[i]
    return wn, st, sq


@jit
def _node_median(
    rows: np.ndarray,
    start: int,
    end: int,
    y_reg: np.ndarray,
    w: np.ndarray,
    rank: np.ndarray,
    sorted_y: np.ndarray,
    ys: np.ndarray,
    ws: np.ndarray,
) -> tuple[float, float]:
    """Node-local ranks of y (absolute error criterion); (median, absolute error)."""
    n_rows = end - start
    yv = np.empty(n_rows, dtype=np.float64)
    for k in range(n_rows):
        yv[k] = y_reg[rows[start + k]]
    perm = _argsort(yv)
    for k in range(n_rows):
        i = rows[start + perm[k]]
        rank[i] = start + k
        sorted_y[k] = y_reg[i]
        ys[k] = y_reg[i]
        ws[k] = w[i]
    return _weighted_median_ae(ys, ws, n_rows)


# The children statistics come in one version per criterion family
# (classification, squared error / Friedman / Poisson, absolute error) so that a
# tree compiles only its own family's code.


@jit
def _split_stats_cls(
    rows: np.ndarray,
    start: int,
    pos: int,
    end: int,
    y_cls: np.ndarray,
    w: np.ndarray,
    total: np.ndarray,
    wn: float,
    node_imp: float,
    weighted_n_samples: float,
    crit: int,
    left: np.ndarray,
) -> tuple[float, float, float]:
    """(impurity left, impurity right, weighted impurity decrease) of a cut: left
    class weights forward, or as total minus the right rows when the right side is
    shorter; the right child's as total minus left (scikit-learn's arithmetic)."""
    wl = 0.0
    if pos - start <= end - pos:
        for c in range(left.shape[0]):
            left[c] = 0.0
        for p in range(start, pos):
            i = rows[p]
            wl += w[i]
            left[y_cls[i]] += w[i]
    else:
        wl = wn
        for c in range(left.shape[0]):
            left[c] = total[c]
        for p in range(end - 1, pos - 1, -1):
            i = rows[p]
            wl -= w[i]
            left[y_cls[i]] -= w[i]
    wr = wn - wl
    imp_l, imp_r = _cls_children_impurity(crit, left, total, wl, wr)
    improvement = (wn / weighted_n_samples) * (
        node_imp - (wr / wn * imp_r) - (wl / wn * imp_l)
    )
    return imp_l, imp_r, improvement


@jit
def _left_sums(
    rows: np.ndarray,
    start: int,
    pos: int,
    end: int,
    y_reg: np.ndarray,
    w: np.ndarray,
    wn: float,
    st: float,
) -> tuple[float, float]:
    """(weight, sum of w y) of the left rows of a cut: forward, or as total minus
    the right rows when the right side is shorter (scikit-learn's arithmetic)."""
    wl = 0.0
    sl = 0.0
    if pos - start <= end - pos:
        for p in range(start, pos):
            i = rows[p]
            wl += w[i]
            sl += w[i] * y_reg[i]
    else:
        wl = wn
        sl = st
        for p in range(end - 1, pos - 1, -1):
            i = rows[p]
            wl -= w[i]
            sl -= w[i] * y_reg[i]
    return wl, sl


@jit
def _split_stats_reg(
    rows: np.ndarray,
    start: int,
    pos: int,
    end: int,
    y_reg: np.ndarray,
    w: np.ndarray,
    wn: float,
    st: float,
    sq: float,
    node_imp: float,
    weighted_n_samples: float,
    crit: int,
) -> tuple[float, float, float]:
    """As :func:`_split_stats_cls` for squared error, Friedman MSE and Poisson."""
    wl, sl = _left_sums(rows, start, pos, end, y_reg, w, wn, st)
    wr = wn - wl
    sr = st - sl
    if crit == _POISSON:
        imp_l = _poisson_loss(rows, start, pos, y_reg, w, sl, wl)
        imp_r = _poisson_loss(rows, pos, end, y_reg, w, sr, wr)
    else:
        sq_l = 0.0
        for p in range(start, pos):
            i = rows[p]
            sq_l += w[i] * y_reg[i] * y_reg[i]
        sq_r = sq - sq_l
        imp_l = sq_l / wl - (sl / wl) * (sl / wl)
        imp_r = sq_r / wr - (sr / wr) * (sr / wr)
    improvement = (wn / weighted_n_samples) * (
        node_imp - (wr / wn * imp_r) - (wl / wn * imp_l)
    )
    return imp_l, imp_r, improvement


@jit
def _split_stats_mae(
    rows: np.ndarray,
    start: int,
    pos: int,
    end: int,
    y_reg: np.ndarray,
    w: np.ndarray,
    wn: float,
    st: float,
    node_imp: float,
    weighted_n_samples: float,
    mae_arrays: np.ndarray,
) -> tuple[float, float, float]:
    """As :func:`_split_stats_cls` for the absolute error criterion."""
    wl, _ = _left_sums(rows, start, pos, end, y_reg, w, wn, st)
    wr = wn - wl
    ael, aer = _mae_children(rows, start, pos, end, y_reg, w, mae_arrays)
    imp_l = ael / wl
    imp_r = aer / wr
    improvement = (wn / weighted_n_samples) * (
        node_imp - (wr / wn * imp_r) - (wl / wn * imp_l)
    )
    return imp_l, imp_r, improvement


def _make_grow(family: int, random_cut: int, best_first: int) -> Any:
    """The growth loop kernel of one criterion family (``_CLS``, ``_REG`` or
    ``_ABS``), splitter (``random_cut`` 0: best, 1: random) and growth order
    (``best_first`` 0: depth-first, 1: best-first). The three are constants of the
    closure, so Numba prunes the other branches before typing them and compiles
    only the node steps this kind of tree uses (one kernel for every kind took
    ~25 s to compile on a quiet machine, ~60 s on a loaded one)."""

    @jit
    def _grow(
        Xt: np.ndarray,
        order: np.ndarray,
        y_cls: np.ndarray,
        y_reg: np.ndarray,
        w: np.ndarray,
        n_classes: int,
        crit: int,
        random_splitter: bool,
        max_features: int,
        max_depth: int,
        min_samples_split: int,
        min_samples_leaf: int,
        min_weight_leaf: float,
        min_impurity_decrease: float,
        max_leaf_nodes: int,
        nodes_i: np.ndarray,
        nodes_f: np.ndarray,
        value: np.ndarray,
        missing_left: np.ndarray,
        rec_i: np.ndarray,
        rec_f: np.ndarray,
        improvement_key: np.ndarray,
        pending: np.ndarray,
        heap: np.ndarray,
        pairs: np.ndarray,
        idx: np.ndarray,
        vals: np.ndarray,
        goes_left: np.ndarray,
        is_constant: np.ndarray,
        tmp_rows: np.ndarray,
        tmp_pairs: np.ndarray,
        total: np.ndarray,
        left: np.ndarray,
        features: np.ndarray,
        constant_features: np.ndarray,
        eval_features: np.ndarray,
        eval_thr: np.ndarray,
        state: np.ndarray,
        rank: np.ndarray,
        sorted_y: np.ndarray,
        mae_arrays: np.ndarray,
    ) -> tuple[int, int]:
        """The growth loop of :func:`grow_tree` on preallocated arrays (allocations
        stay in Python: each one inlined here cost LLVM compile time).

        Node arrays: ``nodes_i`` (cap, 4) int64 = left child, right child, feature,
        n_node_samples; ``nodes_f`` (cap, 3) float64 = threshold, impurity, weighted
        n_node_samples. Returns (node_count, max_depth).
        """
        n_samples = Xt.shape[1]
        n_features = features.shape[0]
        n_lists = idx.shape[0]
        n_values = value.shape[1]
        n_active = _init_lists(Xt, order, w, idx, vals)
        weighted_n_samples = 0.0
        for i in range(n_samples):
            weighted_n_samples += w[i]
        # np.int64, not literal 0s: those made Numba compile the heap functions
        # a second time, for Literal[int](0) arguments.
        n_heap = np.int64(0)
        n_rec = 1
        rec_i[0, 0] = 0
        rec_i[0, 1] = n_active
        rec_i[0, 4] = -1
        rec_f[0, 0] = np.inf
        pending[0] = 0
        n_pending = 1
        node_count = np.int64(0)
        max_depth_seen = 0
        max_split_nodes = max_leaf_nodes - 1

        while True:
            if n_pending == 0:
                if best_first == 0:
                    break
                if n_heap == 0:
                    break
                # Expand the frontier node of largest improvement (or close it).
                node = heap[0]
                n_heap = _heap_pop(heap, n_heap, improvement_key)
                if rec_i[node, 3] > max_depth_seen:
                    max_depth_seen = rec_i[node, 3]
                if rec_i[node, 7] == 1 or max_split_nodes <= 0:
                    nodes_i[node, 0] = -1
                    nodes_i[node, 1] = -1
                    nodes_i[node, 2] = -2
                    nodes_f[node, 0] = -2.0
                    continue
                max_split_nodes -= 1
                for side in range(2):
                    r = n_rec
                    n_rec += 1
                    rec_i[r, 0] = rec_i[node, 2] if side == 1 else rec_i[node, 0]
                    rec_i[r, 1] = rec_i[node, 1] if side == 1 else rec_i[node, 2]
                    rec_i[r, 3] = rec_i[node, 3] + 1
                    rec_i[r, 4] = node
                    rec_i[r, 5] = 1 - side
                    rec_i[r, 6] = 0
                    rec_f[r, 0] = rec_f[node, 2] if side == 1 else rec_f[node, 1]
                # Right record below the left one: the left child is created first.
                pending[0] = n_rec - 1
                pending[1] = n_rec - 2
                n_pending = 2
                continue
            n_pending -= 1
            r = pending[n_pending]
            start = rec_i[r, 0]
            end = rec_i[r, 1]
            depth = rec_i[r, 3]
            parent = rec_i[r, 4]
            is_left = rec_i[r, 5]
            n_known_constants = rec_i[r, 6]
            node_imp = rec_f[r, 0]
            n_rows = end - start

            st = 0.0
            sq = 0.0
            if family == _CLS:
                wn = 0.0
                for c in range(n_values):
                    total[c] = 0.0
                for p in range(start, end):
                    i = idx[0, p]
                    wn += w[i]
                    total[y_cls[i]] += w[i]
            else:
                wn, st, sq = _node_sums_reg(idx[0], start, end, y_reg, w)
            node_median = 0.0
            node_ae = 0.0
            if family == _ABS:
                node_median, node_ae = _node_median(
                    idx[0],
                    start,
                    end,
                    y_reg,
                    w,
                    rank,
                    sorted_y,
                    mae_arrays[4],
                    mae_arrays[5],
                )
            is_leaf = (
                depth >= max_depth
                or n_rows < min_samples_split
                or n_rows < 2 * min_samples_leaf
                or wn < 2 * min_weight_leaf
            )
            if node_count == 0:
                if family == _CLS:
                    # The left-child formula with every row on the left is the
                    # node's impurity, same operations (the right one is unused).
                    node_imp, _ = _cls_children_impurity(crit, total, total, wn, 0.0)
                elif family == _ABS:
                    node_imp = node_ae / wn
                elif crit == _POISSON:
                    node_imp = _poisson_loss(idx[0], start, end, y_reg, w, st, wn)
                else:
                    node_imp = sq / wn - (st / wn) * (st / wn)
            is_leaf = is_leaf or node_imp <= _EPSILON

            best_feature = -2
            best_pos = end
            best_thr = -2.0
            imp_l = node_imp
            imp_r = node_imp
            improvement = 0.0
            n_total_constants = n_known_constants
            if not is_leaf:
                # Draw the features to evaluate (scikit-learn's sampling scheme,
                # fastml's generator); random thresholds drawn as each feature is
                # accepted. The node's constant features end up in
                # constant_features[:n_total_constants].
                f_i = n_features
                n_found_constants = 0
                # np.int64: a literal 0 here made Numba compile _rand_int twice.
                n_drawn_constants = np.int64(0)
                n_visited = 0
                n_eval = 0
                while f_i > n_total_constants and (
                    n_visited < max_features
                    or n_visited <= n_found_constants + n_drawn_constants
                ):
                    n_visited += 1
                    f_j = _rand_int(state, n_drawn_constants, f_i - n_found_constants)
                    if f_j < n_known_constants:
                        f = features[n_drawn_constants]
                        features[n_drawn_constants] = features[f_j]
                        features[f_j] = f
                        n_drawn_constants += 1
                        continue
                    f_j += n_found_constants
                    f = features[f_j]
                    if random_cut == 1:
                        lo_v, hi_v = _min_max(Xt[f], idx[0], start, end)
                    else:
                        lo_v = np.float64(vals[f, start])
                        hi_v = np.float64(vals[f, end - 1])
                    if hi_v <= lo_v + _FEATURE_THRESHOLD:
                        features[f_j] = features[n_total_constants]
                        features[n_total_constants] = f
                        n_found_constants += 1
                        n_total_constants += 1
                        continue
                    f_i -= 1
                    features[f_j] = features[f_i]
                    features[f_i] = f
                    eval_features[n_eval] = f
                    if random_cut == 1:
                        thr = (hi_v - lo_v) * _rand_unit(state) + lo_v
                        if thr == hi_v:
                            thr = lo_v
                        eval_thr[n_eval] = thr
                    n_eval += 1
                for k in range(n_known_constants):
                    features[k] = constant_features[k]
                for k in range(n_found_constants):
                    constant_features[n_known_constants + k] = features[
                        n_known_constants + k
                    ]

                # Best (feature, cut position, threshold) over the drawn features,
                # in drawing order, the first strictly larger proxy improvement
                # winning; position ``end`` when no cut is valid.
                best_proxy = -np.inf
                for e in range(n_eval):
                    f = eval_features[e]
                    thr = eval_thr[e]
                    if family == _CLS:
                        if random_cut == 1:
                            proxy, pos = _eval_random_cls(
                                Xt[f],
                                idx[0],
                                start,
                                end,
                                thr,
                                y_cls,
                                w,
                                total,
                                wn,
                                crit,
                                min_samples_leaf,
                                min_weight_leaf,
                                left,
                            )
                        else:
                            proxy, pos, thr = _scan_cls(
                                vals[f],
                                idx[f],
                                start,
                                end,
                                y_cls,
                                w,
                                total,
                                wn,
                                crit,
                                min_samples_leaf,
                                min_weight_leaf,
                                left,
                            )
                    elif family == _REG:
                        if random_cut == 1:
                            proxy, pos = _eval_random_reg(
                                Xt[f],
                                idx[0],
                                start,
                                end,
                                thr,
                                y_reg,
                                w,
                                st,
                                wn,
                                crit,
                                min_samples_leaf,
                                min_weight_leaf,
                            )
                        else:
                            proxy, pos, thr = _scan_reg(
                                vals[f],
                                idx[f],
                                start,
                                end,
                                y_reg,
                                w,
                                st,
                                wn,
                                crit,
                                min_samples_leaf,
                                min_weight_leaf,
                            )
                    else:
                        if random_cut == 1:
                            proxy, pos = _eval_random_mae(
                                Xt[f],
                                idx[0],
                                start,
                                end,
                                thr,
                                y_reg,
                                w,
                                wn,
                                min_samples_leaf,
                                min_weight_leaf,
                                mae_arrays,
                                tmp_rows,
                            )
                        else:
                            proxy, pos, thr = _scan_mae(
                                vals[f],
                                idx[f],
                                start,
                                end,
                                y_reg,
                                w,
                                wn,
                                min_samples_leaf,
                                min_weight_leaf,
                                rank,
                                start,
                                mae_arrays,
                                sorted_y,
                            )
                    if pos < end and proxy > best_proxy:
                        best_proxy = proxy
                        best_feature = f
                        best_pos = pos
                        best_thr = thr

                if best_pos < end:
                    # Split the node's segment of every list into its left then
                    # right rows (lists in cut order first; the random splitter's
                    # row list is not).
                    if random_cut == 1:
                        xb = Xt[best_feature]
                        for p in range(start, end):
                            i = idx[0, p]
                            goes_left[i] = 1 if np.float64(xb[i]) <= best_thr else 0
                        _partition(pairs[0], idx[0], start, end, goes_left, tmp_pairs)
                        rows = idx[0]
                    else:
                        rows = idx[best_feature]
                        for p in range(start, best_pos):
                            goes_left[rows[p]] = 1
                        for p in range(best_pos, end):
                            goes_left[rows[p]] = 0
                        # Lists of features constant in this node need no partition
                        # (their children's segments stay constant, which is all
                        # they are used for); list 0 also lists the node's rows,
                        # always kept exact.
                        for k in range(n_total_constants):
                            is_constant[constant_features[k]] = True
                        for f in range(n_lists):
                            if f != best_feature and (f == 0 or not is_constant[f]):
                                _partition(
                                    pairs[f], idx[f], start, end, goes_left, tmp_pairs
                                )
                        for k in range(n_total_constants):
                            is_constant[constant_features[k]] = False
                    if family == _CLS:
                        imp_l, imp_r, improvement = _split_stats_cls(
                            rows,
                            start,
                            best_pos,
                            end,
                            y_cls,
                            w,
                            total,
                            wn,
                            node_imp,
                            weighted_n_samples,
                            crit,
                            left,
                        )
                    elif family == _REG:
                        imp_l, imp_r, improvement = _split_stats_reg(
                            rows,
                            start,
                            best_pos,
                            end,
                            y_reg,
                            w,
                            wn,
                            st,
                            sq,
                            node_imp,
                            weighted_n_samples,
                            crit,
                        )
                    else:
                        imp_l, imp_r, improvement = _split_stats_mae(
                            rows,
                            start,
                            best_pos,
                            end,
                            y_reg,
                            w,
                            wn,
                            st,
                            node_imp,
                            weighted_n_samples,
                            mae_arrays,
                        )
                is_leaf = (
                    best_pos >= end or improvement + _EPSILON < min_impurity_decrease
                )

            node = node_count
            node_count += 1
            if parent >= 0:
                if is_left:
                    nodes_i[parent, 0] = node
                else:
                    nodes_i[parent, 1] = node
            nodes_f[node, 1] = node_imp
            nodes_i[node, 3] = n_rows
            nodes_f[node, 2] = wn
            if family == _CLS:
                for c in range(n_values):
                    value[node, c] = total[c] / wn
            elif family == _ABS:
                value[node, 0] = node_median
            else:
                value[node, 0] = st / wn
            if not is_leaf:
                nodes_i[node, 2] = best_feature
                nodes_f[node, 0] = best_thr
                # Missing values (never seen in training) go to the larger child.
                missing_left[node] = 1 if best_pos - start > end - best_pos else 0
            if best_first == 1:
                # The node's record becomes its frontier entry (record id == node id
                # in best-first growth: records are created in node order).
                rec_i[node, 0] = start
                rec_i[node, 1] = end
                rec_i[node, 2] = end if is_leaf else best_pos
                rec_i[node, 3] = depth
                rec_i[node, 7] = 1 if is_leaf else 0
                rec_f[node, 1] = node_imp if is_leaf else imp_l
                rec_f[node, 2] = node_imp if is_leaf else imp_r
                improvement_key[node] = 0.0 if is_leaf else improvement
                n_heap = _heap_push(heap, n_heap, node, improvement_key)
                continue
            if depth > max_depth_seen:
                max_depth_seen = depth
            if not is_leaf:
                # Right child pushed first so that the left one is processed next
                # (preorder node ids).
                for side in range(2):
                    rr = n_rec
                    n_rec += 1
                    rec_i[rr, 0] = best_pos if side == 0 else start
                    rec_i[rr, 1] = end if side == 0 else best_pos
                    rec_i[rr, 3] = depth + 1
                    rec_i[rr, 4] = node
                    rec_i[rr, 5] = side
                    rec_i[rr, 6] = n_total_constants
                    rec_f[rr, 0] = imp_r if side == 0 else imp_l
                    pending[n_pending] = rr
                    n_pending += 1

        return node_count, max_depth_seen

    return _grow


def grow_tree(
    Xt: np.ndarray,
    order: np.ndarray,
    y_cls: np.ndarray,
    y_reg: np.ndarray,
    w: np.ndarray,
    n_classes: int,
    crit: int,
    random_splitter: bool,
    max_features: int,
    max_depth: int,
    min_samples_split: int,
    min_samples_leaf: int,
    min_weight_leaf: float,
    min_impurity_decrease: float,
    max_leaf_nodes: int,
    seed: int,
) -> tuple:
    """Grow one CART tree.

    IN
    - ``Xt`` float32 (n_features, n_samples) C-contiguous: X transposed;
    - ``order`` int32 (n_features, n_samples): each feature's stable sort order;
    - ``y_cls`` int64 (n_samples,): class indices (classification, ``n_classes`` > 0)
      or ignored; ``y_reg`` float64 (n_samples,): targets (regression,
      ``n_classes`` == 0) or ignored;
    - ``w`` float64 (n_samples,) >= 0: sample weights (class weights included); rows
      of weight 0 take no part (bootstrap counts as weights in forests);
    - ``crit``: a code of ``CRITERIA``; ``random_splitter``: one uniform threshold
      per drawn feature (extremely randomized trees) instead of the best cut;
    - ``max_features`` (1..n_features), ``max_depth``, ``min_samples_split``,
      ``min_samples_leaf`` (ints), ``min_weight_leaf``, ``min_impurity_decrease``
      (floats), ``max_leaf_nodes`` (-1: depth-first growth, else best-first with at
      most this many leaves), ``seed`` (feature order and random thresholds).

    OUT a tuple (node_count, max_depth, children_left int64, children_right int64,
    feature int64, threshold float64, impurity float64, n_node_samples int64,
    weighted_n_node_samples float64, value float64 (node_count, n_values),
    missing_go_to_left uint8), arrays trimmed to node_count; leaves have children
    -1, feature -2, threshold -2.

    The work arrays are allocated here, in Python (allocations in the kernel
    cost compile time); the growth kernel is the one of this kind of tree (see
    the module docstring).
    """
    n_features, n_samples = Xt.shape
    is_cls = n_classes > 0
    n_values = n_classes if is_cls else 1
    n_active = int(np.count_nonzero(w))
    n_lists = 1 if random_splitter else n_features
    # Node capacity: a binary tree with at most n_active leaves, or 2^(depth+1) - 1
    # nodes, or (best-first) 2 * max_leaf_nodes - 1 nodes (shallow boosting trees
    # then allocate little).
    cap = 2 * max(n_active, 1) + 1
    if max_depth < 40:
        cap = min(cap, (1 << (max_depth + 1)) - 1)
    if max_leaf_nodes > 0:
        cap = min(cap, 2 * max_leaf_nodes - 1)
    nodes_i = np.empty((cap, 4), dtype=np.int64)
    nodes_i[:, :2] = -1
    nodes_i[:, 2] = -2
    nodes_i[:, 3] = 0
    nodes_f = np.zeros((cap, 3), dtype=np.float64)
    nodes_f[:, 0] = -2.0
    value = np.zeros((cap, n_values), dtype=np.float64)
    missing_left = np.zeros(cap, dtype=np.uint8)
    m = max(n_active, 1)
    mae = crit == _MAE
    mae_n = n_active + 2 if mae else 1
    state = np.array([seed], dtype=np.uint64)
    # Each list stores (row id, value) pairs interleaved in one buffer: the row ids
    # (int32) and values (float32) are strided views of it, ``pairs`` its int64
    # view (partition moves a pair as one word). Views made here, not in the
    # kernel: Numba's ndarray.view costs compile time.
    pairs = np.empty((n_lists, n_samples), dtype=np.int64)
    pairs_i32 = pairs.view(np.int32)
    kernel = _grow_kernel(int(crit), bool(random_splitter), max_leaf_nodes > 0)
    node_count, depth = kernel(
        Xt,
        order,
        y_cls,
        y_reg,
        w,
        int(n_classes),
        int(crit),
        bool(random_splitter),
        int(max_features),
        int(max_depth),
        int(min_samples_split),
        int(min_samples_leaf),
        float(min_weight_leaf),
        float(min_impurity_decrease),
        int(max_leaf_nodes),
        nodes_i,
        nodes_f,
        value,
        missing_left,
        np.zeros((cap, 8), dtype=np.int64),
        np.zeros((cap, 4), dtype=np.float64),
        np.zeros(cap, dtype=np.float64),
        np.zeros(cap, dtype=np.int64),
        np.zeros(cap, dtype=np.int64),
        pairs,
        pairs_i32[:, 0::2],
        pairs_i32.view(np.float32)[:, 1::2],
        np.zeros(n_samples, dtype=np.uint8),
        np.zeros(n_features, dtype=np.bool_),
        np.empty(m, dtype=np.int32),
        np.empty(m, dtype=np.int64),
        np.zeros(n_values, dtype=np.float64),
        np.zeros(n_values, dtype=np.float64),
        np.arange(n_features, dtype=np.int64),
        np.arange(n_features, dtype=np.int64),
        np.empty(n_features, dtype=np.int64),
        np.empty(n_features, dtype=np.float64),
        state,
        np.zeros(n_samples if mae else 1, dtype=np.int64),
        np.zeros(mae_n, dtype=np.float64),
        np.zeros((6, mae_n), dtype=np.float64),
    )
    n = int(node_count)
    return (
        n,
        int(depth),
        nodes_i[:n, 0].copy(),
        nodes_i[:n, 1].copy(),
        nodes_i[:n, 2].copy(),
        nodes_f[:n, 0].copy(),
        nodes_f[:n, 1].copy(),
        nodes_i[:n, 3].copy(),
        nodes_f[:n, 2].copy(),
        value[:n].copy(),
        missing_left[:n].copy(),
    )


@jit
def _heap_push(heap: np.ndarray, n: int, item: int, key: np.ndarray) -> int:
    """std::push_heap (max-heap on key) of item into heap[:n]; returns n + 1."""
    hole = n
    parent = (hole - 1) // 2
    while hole > 0 and key[heap[parent]] < key[item]:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = item
    return n + 1


@jit
def _heap_pop(heap: np.ndarray, n: int, key: np.ndarray) -> int:
    """std::pop_heap then pop_back: removes heap[0]; returns n - 1."""
    last = n - 1
    value = heap[last]
    heap[last] = heap[0]
    length = last
    hole = 0
    second = 0
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if key[heap[second]] < key[heap[second - 1]]:
            second -= 1
        heap[hole] = heap[second]
        hole = second
    if (length & 1) == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        heap[hole] = heap[second - 1]
        hole = second - 1
    # push_heap of value from hole up to the top.
    parent = (hole - 1) // 2
    while hole > 0 and key[heap[parent]] < key[value]:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = value
    return n - 1
