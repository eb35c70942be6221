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

Naive reference: tests/naive/cart.py (exhaustive search over every feature and cut,
recursive growth); tests: tests/kernels/test_cart.py.
"""

from __future__ import annotations

import sys

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "CRITERIA",
    "grow_tree",
    "prune_path",
    "prune_mask",
]

CRITERIA = {
    "gini": 0,
    "entropy": 1,
    "log_loss": 1,
    "squared_error": 2,
    "friedman_mse": 2,  # as in scikit-learn 1.9: same cuts as squared_error
    "absolute_error": 4,
    "poisson": 5,
}

_GINI = 0
_ENTROPY = 1
_MSE = 2
_FRIEDMAN = 3
_MAE = 4
_POISSON = 5

_FEATURE_THRESHOLD = 1e-7
_LITTLE_ENDIAN = sys.byteorder == "little"
_EPSILON = np.finfo(np.float64).eps
_POISSON_EPSILON = 10 * np.finfo(np.float64).eps
_LN2 = np.log(2.0)


# --- random numbers (splitmix64) ----------------------------------------------------


@jit
def _next_u64(state: np.ndarray) -> np.uint64:
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@jit
def _rand_int(state: np.ndarray, low: int, high: int) -> int:
    """Uniform integer in [low, high)."""
    return low + np.int64(_next_u64(state) % np.uint64(high - low))


@jit
def _rand_unit(state: np.ndarray) -> float:
    """Uniform float64 in [0, 1)."""
    return np.float64(_next_u64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


# --- presorting ---------------------------------------------------------------------


@jit
def _init_lists(
    Xt: np.ndarray, order: np.ndarray, w: np.ndarray, idx: np.ndarray, vals: np.ndarray
) -> int:
    """Fill the work lists (the first idx.shape[0] features) with the rows of
    positive weight, in sorted order."""
    n_samples = Xt.shape[1]
    n_active = 0
    for f in range(idx.shape[0]):
        k = 0
        for j in range(n_samples):
            i = order[f, j]
            if w[i] != 0.0:
                idx[f, k] = i
                vals[f, k] = Xt[f, i]
                k += 1
        n_active = k
    return n_active


# --- criteria -----------------------------------------------------------------------


@jit
def _cls_children_impurity(
    crit: int, left: np.ndarray, total: np.ndarray, wl: float, wr: float
) -> tuple[float, float]:
    n_classes = left.shape[0]
    if crit == _GINI:
        sql = 0.0
        sqr = 0.0
        for c in range(n_classes):
            cl = left[c]
            sql += cl * cl
            cr = total[c] - left[c]
            sqr += cr * cr
        return 1.0 - sql / (wl * wl), 1.0 - sqr / (wr * wr)
    el = 0.0
    er = 0.0
    for c in range(n_classes):
        cl = left[c]
        if cl > 0.0:
            cl /= wl
            el -= cl * (np.log(cl) / _LN2)
        cr = total[c] - left[c]
        if cr > 0.0:
            cr /= wr
            er -= cr * (np.log(cr) / _LN2)
    return el, er


@jit
def _cls_node_impurity(crit: int, total: np.ndarray, wn: float) -> float:
    n_classes = total.shape[0]
    if crit == _GINI:
        sq = 0.0
        for c in range(n_classes):
            sq += total[c] * total[c]
        return 1.0 - sq / (wn * wn)
    e = 0.0
    for c in range(n_classes):
        ck = total[c]
        if ck > 0.0:
            ck /= wn
            e -= ck * (np.log(ck) / _LN2)
    return e


@jit
def _reg_proxy(crit: int, sl: float, st: float, wl: float, wr: float) -> float:
    sr = st - sl
    if crit == _FRIEDMAN:
        diff = wr * sl - wl * sr
        return diff * diff / (wl * wr)
    if crit == _POISSON:
        if sl <= _POISSON_EPSILON or sr <= _POISSON_EPSILON:
            return -np.inf
        pl = 0.0
        pr = 0.0
        pl -= sl * (np.log(sl / wl) / _LN2)
        pr -= sr * (np.log(sr / wr) / _LN2)
        return -pl - pr
    return sl * sl / wl + sr * sr / wr


@jit
def _xlogy(x: float, y: float) -> float:
    if x == 0.0:
        return 0.0
    return x * np.log(y)


@jit
def _poisson_loss(
    rows: np.ndarray,
    lo: int,
    hi: int,
    y: np.ndarray,
    w: np.ndarray,
    ysum: float,
    wsum: float,
) -> float:
    if ysum <= _POISSON_EPSILON:
        return np.inf
    mean = ysum / wsum
    loss = 0.0
    for p in range(lo, hi):
        i = rows[p]
        loss += w[i] * _xlogy(y[i], y[i] / mean)
    return loss / wsum


@jit
def _argsort(values: np.ndarray) -> np.ndarray:
    """Stable argsort of a float64 array (bottom-up merge sort). Numba's own
    np.argsort compiles in seconds per specialization; this one in a fraction."""
    n = values.shape[0]
    perm = np.arange(n)
    tmp = np.empty(n, dtype=np.int64)
    width = 1
    while width < n:
        lo = 0
        while lo < n:
            mid = min(lo + width, n)
            hi = min(lo + 2 * width, n)
            a = lo
            b = mid
            k = lo
            while a < mid and b < hi:
                if values[perm[b]] < values[perm[a]]:
                    tmp[k] = perm[b]
                    b += 1
                else:
                    tmp[k] = perm[a]
                    a += 1
                k += 1
            while a < mid:
                tmp[k] = perm[a]
                a += 1
                k += 1
            while b < hi:
                tmp[k] = perm[b]
                b += 1
                k += 1
            lo = hi
        perm, tmp = tmp, perm
        width *= 2
    return perm


@jit
def _weighted_median_ae(ys: np.ndarray, ws: np.ndarray, n: int) -> tuple[float, float]:
    """(weighted median, sum of w |y - median|) of the first n sorted (y, w) pairs.

    The median is the smallest y whose cumulative weight exceeds half the total,
    or the midpoint with the previous value when the cumulative weight before it is
    exactly half. The absolute error uses the identity
    (wy_right - m w_right) + (m w_left - wy_left), left = values before the median.
    """
    total = 0.0
    for k in range(n):
        total += ws[k]
    half = 0.5 * total
    cum = 0.0
    wy_left = 0.0
    m = 0
    while m < n - 1 and cum + ws[m] <= half:
        cum += ws[m]
        wy_left += ws[m] * ys[m]
        m += 1
    if m > 0 and cum == half:
        median = (ys[m - 1] + ys[m]) / 2
    else:
        median = ys[m]
    wy_total = 0.0
    for k in range(n):
        wy_total += ws[k] * ys[k]
    w_right = total - cum
    wy_right = wy_total - wy_left
    return median, (wy_right - median * w_right) + (median * cum - wy_left)


@jit
def _mae_prefix(
    rows: np.ndarray,
    lo: int,
    hi: int,
    step: int,
    y: np.ndarray,
    w: np.ndarray,
    rank: np.ndarray,
    base: int,
    n_node: int,
    fw: np.ndarray,
    fwy: np.ndarray,
    sorted_y: np.ndarray,
    out_ae: np.ndarray,
) -> None:
    """Absolute errors (about the weighted median) of the growing prefixes of
    ``rows[lo], rows[lo + step], ...`` (n rows): out_ae[k] for the first k + 1 rows.
    Fenwick trees over the node-local ranks of y (O(n log n))."""
    for k in range(n_node + 1):
        fw[k] = 0.0
        fwy[k] = 0.0
    total_w = 0.0
    total_wy = 0.0
    top = 1
    while top * 2 <= n_node:
        top *= 2
    p = lo
    k = 0
    while k < n_node:
        i = rows[p]
        r = rank[i] - base + 1
        wi = w[i]
        yi = y[i]
        j = r
        while j <= n_node:
            fw[j] += wi
            fwy[j] += wi * yi
            j += j & (-j)
        total_w += wi
        total_wy += wi * yi
        half = 0.5 * total_w
        # Largest position with cumulative weight <= half (binary lifting).
        pos = 0
        cum = 0.0
        cumy = 0.0
        bit = top
        while bit > 0:
            nxt = pos + bit
            if nxt <= n_node and cum + fw[nxt] <= half:
                pos = nxt
                cum += fw[nxt]
                cumy += fwy[nxt]
            bit >>= 1
        # Ranks 1..pos hold cumulative weight cum <= half, so rank pos + 1 (the
        # median) is active. When cum is exactly half the median is the midpoint
        # with the largest active rank <= pos: the first rank whose cumulative
        # weight reaches half (binary lifting on "< half").
        med_rank = pos + 1
        if cum == half and pos > 0:
            q = 0
            cq = 0.0
            bit = top
            while bit > 0:
                nxt = q + bit
                if nxt <= n_node and cq + fw[nxt] < half:
                    q = nxt
                    cq += fw[nxt]
                bit >>= 1
            median = (sorted_y[q] + sorted_y[med_rank - 1]) / 2
        else:
            median = sorted_y[med_rank - 1]
        w_right = total_w - cum
        wy_right = total_wy - cumy
        out_ae[k] = (wy_right - median * w_right) + (median * cum - cumy)
        p += step
        k += 1


# --- the split search -----------------------------------------------------------------


@jit
def _scan_cls(
    vals_f: np.ndarray,
    idx_f: np.ndarray,
    start: int,
    end: int,
    y: np.ndarray,
    w: np.ndarray,
    total: np.ndarray,
    wn: float,
    crit: int,
    min_samples_leaf: int,
    min_weight_leaf: float,
    left: np.ndarray,
) -> tuple[float, int, float]:
    for c in range(left.shape[0]):
        left[c] = 0.0
    wl = 0.0
    best = -np.inf
    best_pos = end
    best_thr = 0.0
    for p in range(start + 1, end):
        i = idx_f[p - 1]
        wi = w[i]
        left[y[i]] += wi
        wl += wi
        v0 = np.float64(vals_f[p - 1])
        v1 = np.float64(vals_f[p])
        if v1 <= v0 + _FEATURE_THRESHOLD:
            continue
        if p - start < min_samples_leaf or end - p < min_samples_leaf:
            continue
        wr = wn - wl
        if wl < min_weight_leaf or wr < min_weight_leaf:
            continue
        il, ir = _cls_children_impurity(crit, left, total, wl, wr)
        proxy = -wr * ir - wl * il
        if proxy > best:
            best = proxy
            best_pos = p
            best_thr = v0 / 2.0 + v1 / 2.0
    return best, best_pos, best_thr


@jit
def _scan_reg(
    vals_f: np.ndarray,
    idx_f: np.ndarray,
    start: int,
    end: int,
    y: np.ndarray,
    w: np.ndarray,
    st: float,
    wn: float,
    crit: int,
    min_samples_leaf: int,
    min_weight_leaf: float,
) -> tuple[float, int, float]:
    sl = 0.0
    wl = 0.0
    best = -np.inf
    best_pos = end
    best_thr = 0.0
    for p in range(start + 1, end):
        i = idx_f[p - 1]
        wi = w[i]
        sl += wi * y[i]
        wl += wi
        v0 = np.float64(vals_f[p - 1])
        v1 = np.float64(vals_f[p])
        if v1 <= v0 + _FEATURE_THRESHOLD:
            continue
        if p - start < min_samples_leaf or end - p < min_samples_leaf:
            continue
        wr = wn - wl
        if wl < min_weight_leaf or wr < min_weight_leaf:
            continue
        proxy = _reg_proxy(crit, sl, st, wl, wr)
        if proxy > best:
            best = proxy
            best_pos = p
            best_thr = v0 / 2.0 + v1 / 2.0
    return best, best_pos, best_thr


@jit
def _scan_mae(
    vals_f: np.ndarray,
    idx_f: np.ndarray,
    start: int,
    end: int,
    y: np.ndarray,
    w: np.ndarray,
    wn: float,
    min_samples_leaf: int,
    min_weight_leaf: float,
    rank: np.ndarray,
    base: int,
    mae_arrays: np.ndarray,
    sorted_y: np.ndarray,
) -> tuple[float, int, float]:
    fw = mae_arrays[0]
    fwy = mae_arrays[1]
    ae_left = mae_arrays[2]
    ae_right = mae_arrays[3]
    n = end - start
    forward = np.int64(1)
    _mae_prefix(
        idx_f, start, end, forward, y, w, rank, base, n, fw, fwy, sorted_y, ae_left
    )
    _mae_prefix(
        idx_f,
        end - 1,
        start - 1,
        -forward,
        y,
        w,
        rank,
        base,
        n,
        fw,
        fwy,
        sorted_y,
        ae_right,
    )
    wl = 0.0
    best = -np.inf
    best_pos = end
    best_thr = 0.0
    for p in range(start + 1, end):
        wl += w[idx_f[p - 1]]
        v0 = np.float64(vals_f[p - 1])
        v1 = np.float64(vals_f[p])
        if v1 <= v0 + _FEATURE_THRESHOLD:
            continue
        if p - start < min_samples_leaf or end - p < min_samples_leaf:
            continue
        wr = wn - wl
        if wl < min_weight_leaf or wr < min_weight_leaf:
            continue
        # ae_left[k]: first k + 1 rows; ae_right[k]: last k + 1 rows.
        il = ae_left[p - start - 1] / wl
        ir = ae_right[end - p - 1] / wr
        proxy = -wr * ir - wl * il
        if proxy > best:
            best = proxy
            best_pos = p
            best_thr = v0 / 2.0 + v1 / 2.0
    return best, best_pos, best_thr


@jit
def _mae_children(
    rows: np.ndarray,
    start: int,
    pos: int,
    end: int,
    y: np.ndarray,
    w: np.ndarray,
    mae_arrays: np.ndarray,
) -> tuple[float, float]:
    """Absolute errors (not divided by the weight) of rows[start:pos], rows[pos:end]."""
    ys = mae_arrays[4]
    ws = mae_arrays[5]
    ael = 0.0
    aer = 0.0
    for part in range(2):
        lo = start if part == 0 else pos
        hi = pos if part == 0 else end
        n = hi - lo
        vals = np.empty(n, dtype=np.float64)
        for k in range(n):
            vals[k] = y[rows[lo + k]]
        perm = _argsort(vals)
        for k in range(n):
            i = rows[lo + perm[k]]
            ys[k] = y[i]
            ws[k] = w[i]
        _, ae = _weighted_median_ae(ys, ws, n)
        if part == 0:
            ael = ae
        else:
            aer = ae
    return ael, aer


@jit
def _partition(
    pairs: np.ndarray,
    rows: np.ndarray,
    start: int,
    end: int,
    goes_left: np.ndarray,
    tmp: np.ndarray,
) -> None:
    """Stable partition of one list's segment: left rows first, then right rows.

    ``pairs`` (int64) holds each (row id, value) pair of the list as one 8-byte word
    (so a move is one load and one store); ``rows`` is the row-id view of the same
    memory. Branch-free (both destinations written, the cursors advanced by the
    mask): the left/right pattern is unpredictable.
    """
    k = start
    r = 0
    for p in range(start, end):
        v = pairs[p]
        # The row id is the low half of the 64-bit pair word on little-endian
        # machines (no second load); elsewhere read it through the row view.
        if _LITTLE_ENDIAN:
            g = np.int64(goes_left[v & 0xFFFFFFFF])
        else:
            g = np.int64(goes_left[rows[p]])
        pairs[k] = v
        tmp[r] = v
        k += g
        r += 1 - g
    for q in range(r):
        pairs[k + q] = tmp[q]


@jit
def _min_max(xf: np.ndarray, rows: np.ndarray, start: int, end: int) -> tuple:
    lo = xf[rows[start]]
    hi = lo
    for p in range(start + 1, end):
        v = xf[rows[p]]
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    return np.float64(lo), np.float64(hi)


@jit
def _eval_random_unsorted(
    xf: np.ndarray,
    rows: np.ndarray,
    start: int,
    end: int,
    thr: float,
    y_cls: np.ndarray,
    y_reg: np.ndarray,
    w: np.ndarray,
    total: np.ndarray,
    st: float,
    wn: float,
    crit: int,
    is_cls: bool,
    min_samples_leaf: int,
    min_weight_leaf: float,
    left: np.ndarray,
    mae_arrays: np.ndarray,
    tmp_rows: np.ndarray,
) -> tuple[float, int]:
    """Proxy improvement and left size of the cut ``x <= thr`` of an unsorted row
    list (-inf if invalid); ``pos`` is start + the number of left rows."""
    n_left = 0
    wl = 0.0
    sl = 0.0
    if is_cls:
        for c in range(left.shape[0]):
            left[c] = 0.0
    for p in range(start, end):
        i = rows[p]
        if np.float64(xf[i]) <= thr:
            n_left += 1
            wl += w[i]
            if is_cls:
                left[y_cls[i]] += w[i]
            else:
                sl += w[i] * y_reg[i]
    pos = start + n_left
    if n_left < min_samples_leaf or end - pos < min_samples_leaf:
        return -np.inf, pos
    wr = wn - wl
    if wl < min_weight_leaf or wr < min_weight_leaf:
        return -np.inf, pos
    if is_cls:
        il, ir = _cls_children_impurity(crit, left, total, wl, wr)
        return -wr * ir - wl * il, pos
    if crit == _MAE:
        # Rows of the cut, left then right, for the medians.
        k = 0
        for p in range(start, end):
            if np.float64(xf[rows[p]]) <= thr:
                tmp_rows[k] = rows[p]
                k += 1
        for p in range(start, end):
            if not np.float64(xf[rows[p]]) <= thr:
                tmp_rows[k] = rows[p]
                k += 1
        zero = np.int64(0)
        il, ir = _mae_children(
            tmp_rows, zero, zero + n_left, zero + (end - start), y_reg, w, mae_arrays
        )
        return -wr * (ir / wr) - wl * (il / wl), pos
    return _reg_proxy(crit, sl, st, wl, wr), pos


# --- the builder --------------------------------------------------------------------


@jit
def _node_sums(
    rows: np.ndarray,
    start: int,
    end: int,
    y_cls: np.ndarray,
    y_reg: np.ndarray,
    w: np.ndarray,
    is_cls: bool,
    total: np.ndarray,
) -> tuple[float, float, float]:
    """(weighted count, sum of w y, sum of w y^2) of a node; class weights in total."""
    wn = 0.0
    st = 0.0
    sq = 0.0
    for c in range(total.shape[0]):
        total[c] = 0.0
    for p in range(start, end):
        i = rows[p]
        wi = w[i]
        wn += wi
        if is_cls:
            total[y_cls[i]] += wi
        else:
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


@jit
def _draw_features(
    state: np.ndarray,
    features: np.ndarray,
    constant_features: np.ndarray,
    n_known_constants: int,
    max_features: int,
    random_splitter: bool,
    Xt: np.ndarray,
    idx: np.ndarray,
    vals: np.ndarray,
    start: int,
    end: int,
    eval_features: np.ndarray,
    eval_thr: np.ndarray,
) -> tuple[int, int]:
    """Draw the features to evaluate (scikit-learn's sampling scheme, fastml's
    generator); random thresholds drawn as each feature is accepted.

    Returns (number of features to evaluate, total constant features of the node);
    the node's constant features are ``constant_features[:n_total_constants]``.
    """
    n_features = features.shape[0]
    n_total_constants = n_known_constants
    f_i = n_features
    n_found_constants = 0
    n_drawn_constants = 0
    n_visited = 0
    n_eval = 0
    while f_i > n_total_constants and (
        n_visited < max_features or n_visited <= n_found_constants + n_drawn_constants
    ):
        n_visited += 1
        f_j = _rand_int(state, n_drawn_constants, f_i - n_found_constants)
        if f_j < n_known_constants:
            tmp = features[n_drawn_constants]
            features[n_drawn_constants] = features[f_j]
            features[f_j] = tmp
            n_drawn_constants += 1
            continue
        f_j += n_found_constants
        f = features[f_j]
        if random_splitter:
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
        if random_splitter:
            thr = (hi_v - lo_v) * _rand_unit(state) + lo_v
            if thr == hi_v:
                thr = lo_v
            eval_thr[n_eval] = thr
        n_eval += 1
    for k in range(n_known_constants):
        features[k] = constant_features[k]
    for k in range(n_found_constants):
        constant_features[n_known_constants + k] = features[n_known_constants + k]
    return n_eval, n_total_constants


@jit
def _evaluate(
    n_eval: int,
    eval_features: np.ndarray,
    eval_thr: np.ndarray,
    random_splitter: bool,
    Xt: np.ndarray,
    idx: np.ndarray,
    vals: np.ndarray,
    start: int,
    end: int,
    y_cls: np.ndarray,
    y_reg: np.ndarray,
    w: np.ndarray,
    total: np.ndarray,
    st: float,
    wn: float,
    crit: int,
    is_cls: bool,
    min_samples_leaf: int,
    min_weight_leaf: float,
    left: np.ndarray,
    mae_arrays: np.ndarray,
    rank: np.ndarray,
    sorted_y: np.ndarray,
    tmp_rows: np.ndarray,
) -> tuple[int, int, float]:
    """Best (feature, cut position, threshold) over the drawn features, in drawing
    order, the first strictly larger proxy improvement winning; position ``end``
    when no cut is valid."""
    best_proxy = -np.inf
    best_feature = -2
    best_pos = end
    best_thr = -2.0
    for e in range(n_eval):
        f = eval_features[e]
        if random_splitter:
            proxy, pos = _eval_random_unsorted(
                Xt[f],
                idx[0],
                start,
                end,
                eval_thr[e],
                y_cls,
                y_reg,
                w,
                total,
                st,
                wn,
                crit,
                is_cls,
                min_samples_leaf,
                min_weight_leaf,
                left,
                mae_arrays,
                tmp_rows,
            )
            thr = eval_thr[e]
        elif is_cls:
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
        elif crit == _MAE:
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
        if pos < end and proxy > best_proxy:
            best_proxy = proxy
            best_feature = f
            best_pos = pos
            best_thr = thr
    return best_feature, best_pos, best_thr


@jit
def _split_stats(
    rows: np.ndarray,
    start: int,
    pos: int,
    end: int,
    y_cls: np.ndarray,
    y_reg: np.ndarray,
    w: np.ndarray,
    total: np.ndarray,
    wn: float,
    st: float,
    sq: float,
    node_imp: float,
    weighted_n_samples: float,
    crit: int,
    is_cls: bool,
    left: np.ndarray,
    mae_arrays: np.ndarray,
) -> tuple[float, float, float]:
    """(impurity left, impurity right, weighted impurity decrease) of a cut: left
    sums forward, or as total minus the right rows when the right side is shorter;
    the right child's sums as total minus left (scikit-learn's arithmetic)."""
    wl = 0.0
    sl = 0.0
    if pos - start <= end - pos:
        if is_cls:
            for c in range(left.shape[0]):
                left[c] = 0.0
        for p in range(start, pos):
            i = rows[p]
            wl += w[i]
            if is_cls:
                left[y_cls[i]] += w[i]
            else:
                sl += w[i] * y_reg[i]
    else:
        wl = wn
        sl = st
        if is_cls:
            for c in range(left.shape[0]):
                left[c] = total[c]
        for p in range(end - 1, pos - 1, -1):
            i = rows[p]
            wl -= w[i]
            if is_cls:
                left[y_cls[i]] -= w[i]
            else:
                sl -= w[i] * y_reg[i]
    wr = wn - wl
    sr = st - sl
    if is_cls:
        imp_l, imp_r = _cls_children_impurity(crit, left, total, wl, wr)
    elif crit == _MAE:
        ael, aer = _mae_children(rows, start, pos, end, y_reg, w, mae_arrays)
        imp_l = ael / wl
        imp_r = aer / wr
    elif crit == _POISSON:
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
def _partition_node(
    idx: np.ndarray,
    pairs: np.ndarray,
    Xt: np.ndarray,
    random_splitter: bool,
    best_feature: int,
    best_thr: float,
    start: int,
    pos: int,
    end: int,
    constant_features: np.ndarray,
    n_total_constants: int,
    goes_left: np.ndarray,
    is_constant: np.ndarray,
    tmp_pairs: np.ndarray,
) -> None:
    """Split the node's segment of every list into its left then right rows."""
    if random_splitter:
        xb = Xt[best_feature]
        for p in range(start, end):
            i = idx[0, p]
            goes_left[i] = 1 if np.float64(xb[i]) <= best_thr else 0
        list0 = np.int64(0)
        _partition(pairs[list0], idx[list0], start, end, goes_left, tmp_pairs)
        return
    rows = idx[best_feature]
    for p in range(start, pos):
        goes_left[rows[p]] = 1
    for p in range(pos, end):
        goes_left[rows[p]] = 0
    # Lists of features constant in this node need no partition (their children's
    # segments stay constant, which is all they are used for); list 0 also lists
    # the node's rows, always kept exact.
    for k in range(n_total_constants):
        is_constant[constant_features[k]] = True
    for f in range(idx.shape[0]):
        if f != best_feature and (f == 0 or not is_constant[f]):
            _partition(pairs[f], idx[f], start, end, goes_left, tmp_pairs)
    for k in range(n_total_constants):
        is_constant[constant_features[k]] = False


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
    buf: np.ndarray,
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
    is_cls = n_classes > 0
    n_values = value.shape[1]
    # Each list stores (row id, value) pairs interleaved in one buffer: idx and
    # vals are strided views of it, pairs its int64 view (partition moves a pair
    # as one word).
    pairs = buf.view(np.int64)
    idx = buf[:, 0::2]
    vals = buf.view(np.float32)[:, 1::2]
    n_active = _init_lists(Xt, order, w, idx, vals)
    weighted_n_samples = 0.0
    for i in range(n_samples):
        weighted_n_samples += w[i]
    mae = crit == _MAE
    best_first = max_leaf_nodes > 0
    n_heap = 0
    n_rec = 1
    rec_i[0, 0] = 0
    rec_i[0, 1] = n_active
    rec_i[0, 4] = -1
    rec_f[0, 0] = np.inf
    pending[0] = 0
    n_pending = 1
    node_count = 0
    max_depth_seen = 0
    max_split_nodes = max_leaf_nodes - 1

    while True:
        if n_pending == 0:
            if not best_first or n_heap == 0:
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

        wn, st, sq = _node_sums(idx[0], start, end, y_cls, y_reg, w, is_cls, total)
        node_median = 0.0
        node_ae = 0.0
        if mae:
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
            if is_cls:
                node_imp = _cls_node_impurity(crit, total, wn)
            elif mae:
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
            n_eval, n_total_constants = _draw_features(
                state,
                features,
                constant_features,
                n_known_constants,
                max_features,
                random_splitter,
                Xt,
                idx,
                vals,
                start,
                end,
                eval_features,
                eval_thr,
            )
            best_feature, best_pos, best_thr = _evaluate(
                n_eval,
                eval_features,
                eval_thr,
                random_splitter,
                Xt,
                idx,
                vals,
                start,
                end,
                y_cls,
                y_reg,
                w,
                total,
                st,
                wn,
                crit,
                is_cls,
                min_samples_leaf,
                min_weight_leaf,
                left,
                mae_arrays,
                rank,
                sorted_y,
                tmp_rows,
            )
            if best_pos < end:
                # Lists in cut order first (the random splitter's row list is not).
                _partition_node(
                    idx,
                    pairs,
                    Xt,
                    random_splitter,
                    best_feature,
                    best_thr,
                    start,
                    best_pos,
                    end,
                    constant_features,
                    n_total_constants,
                    goes_left,
                    is_constant,
                    tmp_pairs,
                )
                rows = idx[0] if random_splitter else idx[best_feature]
                imp_l, imp_r, improvement = _split_stats(
                    rows,
                    start,
                    best_pos,
                    end,
                    y_cls,
                    y_reg,
                    w,
                    total,
                    wn,
                    st,
                    sq,
                    node_imp,
                    weighted_n_samples,
                    crit,
                    is_cls,
                    left,
                    mae_arrays,
                )
            is_leaf = best_pos >= end or improvement + _EPSILON < min_impurity_decrease

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
        if is_cls:
            for c in range(n_values):
                value[node, c] = total[c] / wn
        elif mae:
            value[node, 0] = node_median
        else:
            value[node, 0] = st / wn
        if not is_leaf:
            nodes_i[node, 2] = best_feature
            nodes_f[node, 0] = best_thr
            # Missing values (never seen in training) go to the larger child.
            missing_left[node] = 1 if best_pos - start > end - best_pos else 0
        if best_first:
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

    The per-node steps are separate kernels (sums, feature draws, evaluation,
    children statistics, partition) and the work arrays are allocated here, in
    Python: one large kernel took Numba ~25 s to compile.
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
    node_count, depth = _grow(
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
        np.empty((n_lists, 2 * n_samples), dtype=np.int32),
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


# --- minimal cost-complexity pruning --------------------------------------------------


@jit
def _prune(
    children_left: np.ndarray,
    children_right: np.ndarray,
    weighted_n_node_samples: np.ndarray,
    impurity: np.ndarray,
    ccp_alpha: float,
    record_path: bool,
) -> tuple:
    n_nodes = children_left.shape[0]
    total_w = weighted_n_node_samples[0]
    r_node = np.empty(n_nodes, dtype=np.float64)
    for i in range(n_nodes):
        r_node[i] = weighted_n_node_samples[i] * impurity[i] / total_w
    parent = np.full(n_nodes, -2, dtype=np.int64)
    leaves = np.zeros(n_nodes, dtype=np.bool_)
    stack = np.empty(n_nodes + 1, dtype=np.int64)
    stack_parent = np.empty(n_nodes + 1, dtype=np.int64)
    n_stack = 1
    stack[0] = 0
    stack_parent[0] = -2
    while n_stack > 0:
        n_stack -= 1
        node = stack[n_stack]
        parent[node] = stack_parent[n_stack]
        if children_left[node] == -1:
            leaves[node] = True
        else:
            stack[n_stack] = children_left[node]
            stack_parent[n_stack] = node
            n_stack += 1
            stack[n_stack] = children_right[node]
            stack_parent[n_stack] = node
            n_stack += 1
    n_leaves = np.zeros(n_nodes, dtype=np.int64)
    r_branch = np.zeros(n_nodes, dtype=np.float64)
    for leaf in range(n_nodes):
        if not leaves[leaf]:
            continue
        r_branch[leaf] = r_node[leaf]
        current = r_node[leaf]
        node = leaf
        while node != 0:
            p = parent[node]
            r_branch[p] += current
            n_leaves[p] += 1
            node = p
    candidate = np.empty(n_nodes, dtype=np.bool_)
    for i in range(n_nodes):
        candidate[i] = not leaves[i]
    in_subtree = np.ones(n_nodes, dtype=np.bool_)
    alphas = np.zeros(n_nodes + 1, dtype=np.float64)
    impurities = np.zeros(n_nodes + 1, dtype=np.float64)
    count = 0
    if record_path:
        alphas[0] = 0.0
        impurities[0] = r_branch[0]
        count = 1
    big = np.finfo(np.float64).max
    while candidate[0]:
        effective = big
        pruned = 0
        for i in range(n_nodes):
            if not candidate[i]:
                continue
            sub = (r_node[i] - r_branch[i]) / (n_leaves[i] - 1)
            if sub < effective:
                effective = sub
                pruned = i
        if not record_path and ccp_alpha < effective:
            break
        n_stack = 1
        stack[0] = pruned
        while n_stack > 0:
            n_stack -= 1
            node = stack[n_stack]
            if not in_subtree[node]:
                continue
            candidate[node] = False
            leaves[node] = False
            in_subtree[node] = False
            if children_left[node] != -1:
                stack[n_stack] = children_left[node]
                n_stack += 1
                stack[n_stack] = children_right[node]
                n_stack += 1
        leaves[pruned] = True
        in_subtree[pruned] = True
        n_pruned_leaves = n_leaves[pruned] - 1
        n_leaves[pruned] = 0
        r_diff = r_node[pruned] - r_branch[pruned]
        r_branch[pruned] = r_node[pruned]
        node = parent[pruned]
        while node != -2:
            n_leaves[node] -= n_pruned_leaves
            r_branch[node] += r_diff
            node = parent[node]
        if record_path:
            alphas[count] = effective
            impurities[count] = r_branch[0]
            count += 1
    return leaves, in_subtree, alphas[:count].copy(), impurities[:count].copy()


def prune_path(
    children_left: np.ndarray,
    children_right: np.ndarray,
    weighted_n_node_samples: np.ndarray,
    impurity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimal cost-complexity pruning path (Breiman et al. 1984, ch. 3.3).

    IN the tree arrays (children int64 with -1 at leaves, float64 weights and
    impurities; node 0 the root). Node risk R(t) = N_t / N * impurity(t); the
    weakest link (smallest (R(t) - R(T_t)) / (|leaves(T_t)| - 1), the first node id
    on ties) is pruned repeatedly until only the root is left; branch risks are
    updated incrementally along the ancestors (the summation order scikit-learn
    uses, so the path agrees to rounding).
    OUT (ccp_alphas, impurities) float64: the effective alpha of each subtree of the
    sequence (0 first) and the total leaf risk of that subtree.
    Naive reference: tests/naive/cart.py ``naive_prune_path``.
    """
    _, _, alphas, impurities = _prune(
        children_left, children_right, weighted_n_node_samples, impurity, 0.0, True
    )
    return alphas, impurities


def prune_mask(
    children_left: np.ndarray,
    children_right: np.ndarray,
    weighted_n_node_samples: np.ndarray,
    impurity: np.ndarray,
    ccp_alpha: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Weakest-link pruning up to ``ccp_alpha``: prune while the weakest link's
    effective alpha is <= ccp_alpha.

    OUT (leaves, kept) bool (n_nodes,): the leaves of the pruned subtree and the
    nodes it keeps (a node is kept iff it is the root or its parent is kept and not
    a leaf of the pruned subtree).
    """
    leaves, in_subtree, _, _ = _prune(
        children_left,
        children_right,
        weighted_n_node_samples,
        impurity,
        float(ccp_alpha),
        False,
    )
    return leaves, in_subtree
