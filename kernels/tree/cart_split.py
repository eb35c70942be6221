"""CART split search kernels: criteria, presorted-list scans, partitions.

Helpers of the builder in kernels/tree/cart.py (its docstring documents the layout
and the semantics): the impurity criteria (gini, entropy in bits, squared error,
absolute error about the weighted median, half Poisson deviance) with the children
and proxy formulas scikit-learn uses, the scans of one feature's sorted segment for
the best cut (``_scan_cls``, ``_scan_reg``, ``_scan_mae``), the evaluation of a
random threshold on an unsorted row list, the stable branch-free partition, and the
splitmix64 generator. Naive reference: tests/naive/cart.py; tests:
tests/kernels/test_cart.py (through the builder).
"""

from __future__ import annotations

import sys

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["CRITERIA"]

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
def _random_cut_sums(
    xf: np.ndarray,
    rows: np.ndarray,
    start: int,
    end: int,
    thr: float,
    y_reg: np.ndarray,
    w: np.ndarray,
) -> tuple[int, float, float]:
    """(left size, left weight, left sum of w y) of the cut ``x <= thr`` of an
    unsorted row list (regression families)."""
    n_left = 0
    wl = 0.0
    sl = 0.0
    for p in range(start, end):
        i = rows[p]
        if np.float64(xf[i]) <= thr:
            n_left += 1
            wl += w[i]
            sl += w[i] * y_reg[i]
    return n_left, wl, sl


@jit
def _eval_random_cls(
    xf: np.ndarray,
    rows: np.ndarray,
    start: int,
    end: int,
    thr: float,
    y_cls: np.ndarray,
    w: np.ndarray,
    total: np.ndarray,
    wn: float,
    crit: int,
    min_samples_leaf: int,
    min_weight_leaf: float,
    left: np.ndarray,
) -> tuple[float, int]:
    """Proxy improvement and left size of the cut ``x <= thr`` of an unsorted row
    list (-inf if invalid); ``pos`` is start + the number of left rows.
    Classification criteria."""
    n_left = 0
    wl = 0.0
    for c in range(left.shape[0]):
        left[c] = 0.0
    for p in range(start, end):
        i = rows[p]
        if np.float64(xf[i]) <= thr:
            n_left += 1
            wl += w[i]
            left[y_cls[i]] += w[i]
    pos = start + n_left
    if n_left < min_samples_leaf or end - pos < min_samples_leaf:
        return -np.inf, pos
    wr = wn - wl
    if wl < min_weight_leaf or wr < min_weight_leaf:
        return -np.inf, pos
    il, ir = _cls_children_impurity(crit, left, total, wl, wr)
    return -wr * ir - wl * il, pos


@jit
def _eval_random_reg(
    xf: np.ndarray,
    rows: np.ndarray,
    start: int,
    end: int,
    thr: float,
    y_reg: np.ndarray,
    w: np.ndarray,
    st: float,
    wn: float,
    crit: int,
    min_samples_leaf: int,
    min_weight_leaf: float,
) -> tuple[float, int]:
    """As :func:`_eval_random_cls` for squared error, Friedman MSE and Poisson."""
    n_left, wl, sl = _random_cut_sums(xf, rows, start, end, thr, y_reg, w)
    pos = start + n_left
    if n_left < min_samples_leaf or end - pos < min_samples_leaf:
        return -np.inf, pos
    wr = wn - wl
    if wl < min_weight_leaf or wr < min_weight_leaf:
        return -np.inf, pos
    return _reg_proxy(crit, sl, st, wl, wr), pos


@jit
def _eval_random_mae(
    xf: np.ndarray,
    rows: np.ndarray,
    start: int,
    end: int,
    thr: float,
    y_reg: np.ndarray,
    w: np.ndarray,
    wn: float,
    min_samples_leaf: int,
    min_weight_leaf: float,
    mae_arrays: np.ndarray,
    tmp_rows: np.ndarray,
) -> tuple[float, int]:
    """As :func:`_eval_random_cls` for the absolute error criterion."""
    n_left, wl, _ = _random_cut_sums(xf, rows, start, end, thr, y_reg, w)
    pos = start + n_left
    if n_left < min_samples_leaf or end - pos < min_samples_leaf:
        return -np.inf, pos
    wr = wn - wl
    if wl < min_weight_leaf or wr < min_weight_leaf:
        return -np.inf, pos
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
