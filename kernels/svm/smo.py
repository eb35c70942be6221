"""SMO solver of the kernel SVM dual with a kernel-row cache (Numba).

The problem (Chang & Lin, LIBSVM: a library for support vector machines, 2011, eq. 11)
is ``min_a 1/2 a'Qa + p'a`` subject to ``y'a = 0`` and ``0 <= a_t <= C_t``, with
``Q_ts = y_t y_s K(x_t, x_s)`` and labels ``y_t`` in {-1, +1}. C-SVC uses ``p = -1``;
epsilon-SVR uses ``2l`` variables (``a`` and ``a*``) over ``l`` samples, ``y = (+1,
-1)``, ``p = (eps - z, eps + z)``.

Algorithm: sequential minimal optimisation with the second-order working-set
selection WSS2 of Fan, Chen & Lin (JMLR 6, 2005, Algorithm 2: ``i`` maximises
``-y_t G_t`` over I_up, ``j`` minimises ``-b^2 / a`` over I_low), the analytic update
of the pair clipped to the box, shrinking (variables whose gradient says they stay at
a bound leave the active set every ``min(l, 1000)`` iterations; all are brought back
once when the gap first falls below ``10 tol``), and gradient reconstruction from
``G_bar`` (the contribution of the variables at the upper bound) when the active set
is restored. Tie-breaking, the shrinking schedule and the stopping rule
``max(-y G | I_up) - min(-y G | I_low) < tol`` follow LIBSVM, so that the solution
agrees with it to rounding.

Kernel rows are stored as float32 (as LIBSVM does) in a least-recently-used cache:
a contiguous slab of ``n_slots`` rows. For C-SVC a row is keyed by the variable's
position in the active ordering and holds values for positions ``[0, len)``; swapping
two positions (shrinking) swaps the cached rows and the two columns of every cached
row (a row that holds only one of them is dropped). For SVR rows are keyed by sample
and always complete, and two buffers receive the signed rows of the ``2l`` variables.

Row computation: the features are stored transposed ``XT (n_features, n_samples)``
in position order, so that ``x_i . x_j`` for all ``j`` is a vectorisable
multiply-add over rows of ``XT`` (same summation order over features as a scalar dot
product), then the kernel's non-linearity (rbf uses the precomputed squared norms:
``exp(-gamma (|x_i|^2 + |x_j|^2 - 2 x_i.x_j))``).

Naive reference: tests/naive/svm.py (dense kernel matrices in float64; the KKT
conditions of the dual solution). Tested in tests/kernels/test_svm_smo.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels._vecmath import exp_nonpos_f64

__all__ = [
    "KERNEL_CODES",
    "compute_kernel_row",
    "solve_smo",
]

# kernel name -> integer code used by the kernels
KERNEL_CODES = {"linear": 0, "poly": 1, "rbf": 2, "sigmoid": 3, "precomputed": 4}

_INF = np.inf
_TAU = 1e-12
_CHUNK = 256
_LOWER = 0
_UPPER = 1
_FREE = 2


@jit
def _powi(base: float, times: int) -> float:
    tmp = base
    ret = 1.0
    t = times
    while t > 0:
        if t % 2 == 1:
            ret *= tmp
        tmp = tmp * tmp
        t //= 2
    return ret


@jit
def compute_kernel_row(
    kind, XT, sq, Kpre, orig, i, start, stop, gamma, coef0, degree, out
):
    """Kernel values ``K(x_i, x_j)`` for ``j`` in ``[start, stop)``, in float64.

    Parameters
    ----------
    kind : int
        Kernel code (KERNEL_CODES).
    XT : ndarray of shape (n_features, n_samples), float64
        IN: samples as columns (ignored for "precomputed").
    sq : ndarray of shape (n_samples,), float64
        IN: squared norms of the columns of XT (rbf).
    Kpre : ndarray of shape (n_rows, n_rows), float64
        IN: the precomputed kernel ("precomputed" only).
    orig : ndarray of shape (n_samples,), int64
        IN: row of Kpre of each column ("precomputed" only).
    i, start, stop : int
        Column of the first argument and the range of second arguments.
    gamma, coef0 : float; degree : int
        Kernel parameters.
    out : ndarray of shape (>= stop,), float64
        OUT: ``out[start:stop]``.
    """
    if kind == 4:
        oi = orig[i]
        for j in range(start, stop):
            out[j] = Kpre[oi, orig[j]]
        return
    n_features = XT.shape[0]
    acc = np.empty(_CHUNK)
    sqi = sq[i]
    for c0 in range(start, stop, _CHUNK):
        c1 = min(c0 + _CHUNK, stop)
        m = c1 - c0
        # dot products of a chunk in an L1-resident accumulator, features in order
        for j in range(m):
            acc[j] = 0.0
        for k in range(n_features):
            v = XT[k, i]
            row = XT[k, c0:c1]
            for j in range(m):
                acc[j] += v * row[j]
        dst = out[c0:c1]
        if kind == 0:
            for j in range(m):
                dst[j] = acc[j]
        elif kind == 1:
            for j in range(m):
                dst[j] = _powi(gamma * acc[j] + coef0, degree)
        elif kind == 2:
            sqc = sq[c0:c1]
            for j in range(m):
                acc[j] = min(-gamma * (sqi + sqc[j] - 2.0 * acc[j]), 0.0)
            for j in range(m):
                dst[j] = exp_nonpos_f64(acc[j], 0.0)
        else:
            for j in range(m):
                dst[j] = math.tanh(gamma * acc[j] + coef0)


@jit
def _lru_delete(prev, nxt, s):
    prev[nxt[s]] = prev[s]
    nxt[prev[s]] = nxt[s]


@jit
def _lru_insert(prev, nxt, head, s):
    # at the most recently used end (just before the head sentinel)
    nxt[s] = head
    prev[s] = prev[head]
    nxt[prev[s]] = s
    prev[head] = s


@jit
def _cache_get(key, slot_of, slot_key, slot_len, prev, nxt, free, n_free):
    """Slot of ``key`` (allocating, evicting the LRU row if needed) and its length.

    Returns (slot, cached length, new n_free).
    """
    head = slot_len.shape[0]
    s = slot_of[key]
    if s >= 0:
        _lru_delete(prev, nxt, s)
        _lru_insert(prev, nxt, head, s)
        return s, slot_len[s], n_free
    if n_free > 0:
        n_free -= 1
        s = free[n_free]
    else:
        s = nxt[head]
        _lru_delete(prev, nxt, s)
        slot_of[slot_key[s]] = -1
    slot_key[s] = key
    slot_of[key] = s
    slot_len[s] = 0
    _lru_insert(prev, nxt, head, s)
    return s, 0, n_free


@jit
def _cache_swap(i, j, slab, slot_of, slot_key, slot_len, prev, nxt, free, n_free):
    """Exchange positions i and j in a position-keyed cache; returns n_free."""
    head = slot_len.shape[0]
    si = slot_of[i]
    sj = slot_of[j]
    slot_of[i] = sj
    slot_of[j] = si
    if sj >= 0:
        slot_key[sj] = i
        _lru_delete(prev, nxt, sj)
        _lru_insert(prev, nxt, head, sj)
    if si >= 0:
        slot_key[si] = j
        _lru_delete(prev, nxt, si)
        _lru_insert(prev, nxt, head, si)
    lo = min(i, j)
    hi = max(i, j)
    s = nxt[head]
    while s != head:
        nxt_s = nxt[s]
        if slot_len[s] > lo:
            if slot_len[s] > hi:
                t = slab[s, lo]
                slab[s, lo] = slab[s, hi]
                slab[s, hi] = t
            else:
                _lru_delete(prev, nxt, s)
                slot_of[slot_key[s]] = -1
                slot_len[s] = 0
                free[n_free] = s
                n_free += 1
        s = nxt_s
    return n_free


@jit
def _get_q(
    t,
    length,
    svr,
    kind,
    XT,
    sq,
    Kpre,
    orig,
    qy,
    sign,
    index,
    gamma,
    coef0,
    degree,
    slab,
    slot_of,
    slot_key,
    slot_len,
    prev,
    nxt,
    free,
    cache_state,
    row64,
    bufs,
):
    """Row ``t`` of Q over the first ``length`` variables, as a float32 array view.

    One call site for the cache and one for the row kernel (C-SVC and SVR share
    them), which keeps the compiled solver small.
    """
    n_samples = orig.shape[0]
    key = index[t] if svr else t
    want = n_samples if svr else length
    s, have, n_free = _cache_get(
        key, slot_of, slot_key, slot_len, prev, nxt, free, cache_state[0]
    )
    cache_state[0] = n_free
    data = slab[s]
    if have < want:
        compute_kernel_row(
            kind, XT, sq, Kpre, orig, key, have, want, gamma, coef0, degree, row64
        )
        if svr:
            for j in range(have, want):
                data[j] = np.float32(row64[j])
        else:
            yt = qy[key]
            for j in range(have, want):
                data[j] = np.float32(yt * qy[j] * row64[j])
        slot_len[s] = want
    if not svr:
        return data
    b = cache_state[1]
    cache_state[1] = 1 - b
    buf = bufs[b]
    st = np.float32(sign[t])
    for j in range(length):
        buf[j] = st * np.float32(sign[j]) * data[index[j]]
    return buf


@jit
def _status(a, c):
    if a >= c:
        return _UPPER
    if a <= 0:
        return _LOWER
    return _FREE


@jit
def solve_smo(
    svr,
    kind,
    XT,
    sq,
    Kpre,
    orig,
    y,
    p,
    C,
    alpha,
    tol,
    shrinking,
    max_iter,
    n_slots,
    gamma,
    coef0,
    degree,
    info,
):
    """Solve the dual SVM problem in place; see the module docstring.

    Parameters
    ----------
    svr : bool
        False: one variable per sample (C-SVC); True: 2 variables per sample (SVR).
    kind : int
        Kernel code (KERNEL_CODES).
    XT : ndarray of shape (n_features, n_samples), float64
        IN/OUT (scratch, C-SVC: columns are permuted during the solve): the samples.
        For "precomputed" pass a (1, n_samples) array of zeros.
    sq : ndarray of shape (n_samples,), float64
        IN/OUT (scratch as XT): squared norms of the samples.
    Kpre : ndarray of shape (n_rows, n_rows), float64
        IN: precomputed kernel (else a (1, 1) dummy).
    orig : ndarray of shape (n_samples,), int64
        IN/OUT (scratch): the row of Kpre of each sample.
    y : ndarray of shape (n_vars,), float64 in {-1, +1}
        IN: labels of the variables (n_vars = n_samples, or 2 n_samples for SVR).
    p : ndarray of shape (n_vars,), float64
        IN: linear term.
    C : ndarray of shape (n_vars,), float64
        IN: upper bounds (> 0).
    alpha : ndarray of shape (n_vars,), float64
        IN: feasible start (zeros); OUT: the solution, in the original order.
    tol : float
        Stopping tolerance on the maximal violation.
    shrinking : bool
    max_iter : int
        Iteration limit, -1 for none.
    n_slots : int
        Rows of the kernel cache (>= 2).
    gamma, coef0 : float; degree : int
    info : ndarray of shape (3,), float64
        OUT: rho, number of iterations, 1.0 if stopped by max_iter else 0.0.
    """
    n_vars = y.shape[0]
    n_samples = orig.shape[0]
    # --- Q-level state
    qy = y.copy()
    sign = np.empty(n_vars, dtype=np.int64)
    index = np.empty(n_vars, dtype=np.int64)
    QD = np.empty(n_vars)
    row64 = np.empty(n_samples)
    for t in range(n_samples):
        compute_kernel_row(
            kind, XT, sq, Kpre, orig, t, t, t + 1, gamma, coef0, degree, row64
        )
        QD[t] = row64[t]
    if svr:
        for t in range(n_samples):
            sign[t] = 1
            sign[t + n_samples] = -1
            index[t] = t
            index[t + n_samples] = t
            QD[t + n_samples] = QD[t]
    row_len = n_samples
    n_slots = max(2, min(n_slots, n_samples))
    slab = np.empty((n_slots, row_len), dtype=np.float32)
    slot_of = np.full(n_samples if svr else n_vars, -1, dtype=np.int64)
    slot_key = np.full(n_slots, -1, dtype=np.int64)
    slot_len = np.zeros(n_slots, dtype=np.int64)
    prev = np.empty(n_slots + 1, dtype=np.int64)
    nxt = np.empty(n_slots + 1, dtype=np.int64)
    prev[n_slots] = n_slots
    nxt[n_slots] = n_slots
    free = np.empty(n_slots, dtype=np.int64)
    for s in range(n_slots):
        free[s] = n_slots - 1 - s
    cache_state = np.zeros(2, dtype=np.int64)
    cache_state[0] = n_slots
    bufs = np.empty((2, n_vars if svr else 1), dtype=np.float32)

    # --- solver state
    l = n_vars
    yv = y.copy()
    pv = p.copy()
    Cv = C.copy()
    a = alpha.copy()
    status = np.empty(l, dtype=np.int64)
    for t in range(l):
        status[t] = _status(a[t], Cv[t])
    active_set = np.arange(l)
    active_size = l
    G = pv.copy()
    G_bar = np.zeros(l)
    for t in range(l):
        if status[t] != _LOWER:
            Q_t = _get_q(t, l, svr, kind, XT, sq, Kpre, orig, qy, sign, index,
                         gamma, coef0, degree, slab, slot_of, slot_key, slot_len,
                         prev, nxt, free, cache_state, row64, bufs)  # fmt: skip
            at = a[t]
            for k in range(l):
                G[k] += at * Q_t[k]
            if status[t] == _UPPER:
                for k in range(l):
                    G_bar[k] += Cv[t] * Q_t[k]

    n_iter = 0
    counter = min(l, 1000) + 1
    unshrink = False
    timed_out = False
    while True:
        if max_iter != -1 and n_iter >= max_iter:
            timed_out = True
            break
        counter -= 1
        if counter == 0:
            counter = min(l, 1000)
            if shrinking:
                # --- do_shrinking
                gmax1 = -_INF
                gmax2 = -_INF
                for t in range(active_size):
                    if yv[t] > 0:
                        if status[t] != _UPPER and -G[t] >= gmax1:
                            gmax1 = -G[t]
                        if status[t] != _LOWER and G[t] >= gmax2:
                            gmax2 = G[t]
                    else:
                        if status[t] != _UPPER and -G[t] >= gmax2:
                            gmax2 = -G[t]
                        if status[t] != _LOWER and G[t] >= gmax1:
                            gmax1 = G[t]
                if (not unshrink) and gmax1 + gmax2 <= tol * 10:
                    unshrink = True
                    _reconstruct(l, active_size, status, G, G_bar, pv, a, svr, kind,
                                 XT, sq, Kpre, orig, qy, sign, index, gamma, coef0,
                                 degree, slab, slot_of, slot_key, slot_len, prev, nxt,
                                 free, cache_state, row64, bufs)  # fmt: skip
                    active_size = l
                t = 0
                while t < active_size:
                    if _be_shrunk(t, gmax1, gmax2, yv, G, status):
                        active_size -= 1
                        while active_size > t:
                            if not _be_shrunk(active_size, gmax1, gmax2, yv, G, status):
                                _swap(t, active_size, svr, yv, G, status, a, pv,
                                      active_set, G_bar, Cv, qy, sign, index, QD, XT,
                                      sq, orig, slab, slot_of, slot_key, slot_len,
                                      prev, nxt, free, cache_state)  # fmt: skip
                                break
                            active_size -= 1
                    t += 1

        sel = _select(active_size, yv, G, status, QD, tol, svr, kind, XT, sq, Kpre,
                      orig, qy, sign, index, gamma, coef0, degree, slab, slot_of,
                      slot_key, slot_len, prev, nxt, free, cache_state, row64, bufs)  # fmt: skip
        if sel[0] < 0:
            _reconstruct(l, active_size, status, G, G_bar, pv, a, svr, kind, XT, sq,
                         Kpre, orig, qy, sign, index, gamma, coef0, degree, slab,
                         slot_of, slot_key, slot_len, prev, nxt, free, cache_state,
                         row64, bufs)  # fmt: skip
            active_size = l
            sel = _select(active_size, yv, G, status, QD, tol, svr, kind, XT, sq,
                          Kpre, orig, qy, sign, index, gamma, coef0, degree, slab,
                          slot_of, slot_key, slot_len, prev, nxt, free, cache_state,
                          row64, bufs)  # fmt: skip
            if sel[0] < 0:
                break
            counter = 1
        i = sel[0]
        j = sel[1]
        n_iter += 1

        Q_i = _get_q(i, active_size, svr, kind, XT, sq, Kpre, orig, qy, sign, index,
                     gamma, coef0, degree, slab, slot_of, slot_key, slot_len, prev,
                     nxt, free, cache_state, row64, bufs)  # fmt: skip
        Q_j = _get_q(j, active_size, svr, kind, XT, sq, Kpre, orig, qy, sign, index,
                     gamma, coef0, degree, slab, slot_of, slot_key, slot_len, prev,
                     nxt, free, cache_state, row64, bufs)  # fmt: skip
        C_i = Cv[i]
        C_j = Cv[j]
        old_ai = a[i]
        old_aj = a[j]
        if yv[i] != yv[j]:
            quad = QD[i] + QD[j] + 2.0 * Q_i[j]
            if quad <= 0:
                quad = _TAU
            delta = (-G[i] - G[j]) / quad
            diff = a[i] - a[j]
            a[i] += delta
            a[j] += delta
            if diff > 0:
                if a[j] < 0:
                    a[j] = 0.0
                    a[i] = diff
            else:
                if a[i] < 0:
                    a[i] = 0.0
                    a[j] = -diff
            if diff > C_i - C_j:
                if a[i] > C_i:
                    a[i] = C_i
                    a[j] = C_i - diff
            else:
                if a[j] > C_j:
                    a[j] = C_j
                    a[i] = C_j + diff
        else:
            quad = QD[i] + QD[j] - 2.0 * Q_i[j]
            if quad <= 0:
                quad = _TAU
            delta = (G[i] - G[j]) / quad
            total = a[i] + a[j]
            a[i] -= delta
            a[j] += delta
            if total > C_i:
                if a[i] > C_i:
                    a[i] = C_i
                    a[j] = total - C_i
            else:
                if a[j] < 0:
                    a[j] = 0.0
                    a[i] = total
            if total > C_j:
                if a[j] > C_j:
                    a[j] = C_j
                    a[i] = total - C_j
            else:
                if a[i] < 0:
                    a[i] = 0.0
                    a[j] = total
        d_ai = a[i] - old_ai
        d_aj = a[j] - old_aj
        for k in range(active_size):
            G[k] += Q_i[k] * d_ai + Q_j[k] * d_aj

        ui = status[i] == _UPPER
        uj = status[j] == _UPPER
        status[i] = _status(a[i], C_i)
        status[j] = _status(a[j], C_j)
        if ui != (status[i] == _UPPER):
            Q_i = _get_q(i, l, svr, kind, XT, sq, Kpre, orig, qy, sign, index,
                         gamma, coef0, degree, slab, slot_of, slot_key, slot_len,
                         prev, nxt, free, cache_state, row64, bufs)  # fmt: skip
            if ui:
                for k in range(l):
                    G_bar[k] -= C_i * Q_i[k]
            else:
                for k in range(l):
                    G_bar[k] += C_i * Q_i[k]
        if uj != (status[j] == _UPPER):
            Q_j = _get_q(j, l, svr, kind, XT, sq, Kpre, orig, qy, sign, index,
                         gamma, coef0, degree, slab, slot_of, slot_key, slot_len,
                         prev, nxt, free, cache_state, row64, bufs)  # fmt: skip
            if uj:
                for k in range(l):
                    G_bar[k] -= C_j * Q_j[k]
            else:
                for k in range(l):
                    G_bar[k] += C_j * Q_j[k]

    if timed_out and active_size < l:
        _reconstruct(l, active_size, status, G, G_bar, pv, a, svr, kind, XT, sq,
                     Kpre, orig, qy, sign, index, gamma, coef0, degree, slab, slot_of,
                     slot_key, slot_len, prev, nxt, free, cache_state, row64, bufs)  # fmt: skip
        active_size = l

    # --- rho (LIBSVM's calculate_rho)
    n_free = 0
    ub = _INF
    lb = -_INF
    sum_free = 0.0
    for t in range(active_size):
        yg = yv[t] * G[t]
        if status[t] == _UPPER:
            if yv[t] < 0:
                ub = min(ub, yg)
            else:
                lb = max(lb, yg)
        elif status[t] == _LOWER:
            if yv[t] > 0:
                ub = min(ub, yg)
            else:
                lb = max(lb, yg)
        else:
            n_free += 1
            sum_free += yg
    rho = sum_free / n_free if n_free > 0 else (ub + lb) / 2
    for t in range(l):
        alpha[active_set[t]] = a[t]
    info[0] = rho
    info[1] = n_iter
    info[2] = 1.0 if timed_out else 0.0


@jit
def _be_shrunk(t, gmax1, gmax2, yv, G, status):
    if status[t] == _UPPER:
        if yv[t] > 0:
            return -G[t] > gmax1
        return -G[t] > gmax2
    if status[t] == _LOWER:
        if yv[t] > 0:
            return G[t] > gmax2
        return G[t] > gmax1
    return False


@jit
def _swap(
    i, j, svr, yv, G, status, a, pv, active_set, G_bar, Cv, qy, sign, index, QD, XT,
    sq, orig, slab, slot_of, slot_key, slot_len, prev, nxt, free, cache_state
):  # fmt: skip
    if i == j:
        return
    # Q-level
    if svr:
        sign[i], sign[j] = sign[j], sign[i]
        index[i], index[j] = index[j], index[i]
    else:
        cache_state[0] = _cache_swap(i, j, slab, slot_of, slot_key, slot_len, prev,
                                     nxt, free, cache_state[0])  # fmt: skip
        for k in range(XT.shape[0]):
            XT[k, i], XT[k, j] = XT[k, j], XT[k, i]
        sq[i], sq[j] = sq[j], sq[i]
        orig[i], orig[j] = orig[j], orig[i]
        qy[i], qy[j] = qy[j], qy[i]
    QD[i], QD[j] = QD[j], QD[i]
    # solver-level
    yv[i], yv[j] = yv[j], yv[i]
    G[i], G[j] = G[j], G[i]
    status[i], status[j] = status[j], status[i]
    a[i], a[j] = a[j], a[i]
    pv[i], pv[j] = pv[j], pv[i]
    active_set[i], active_set[j] = active_set[j], active_set[i]
    G_bar[i], G_bar[j] = G_bar[j], G_bar[i]
    Cv[i], Cv[j] = Cv[j], Cv[i]


@jit
def _reconstruct(
    l, active_size, status, G, G_bar, pv, a, svr, kind, XT, sq, Kpre, orig, qy, sign,
    index, gamma, coef0, degree, slab, slot_of, slot_key, slot_len, prev, nxt, free,
    cache_state, row64, bufs
):  # fmt: skip
    if active_size == l:
        return
    for j in range(active_size, l):
        G[j] = G_bar[j] + pv[j]
    n_free = 0
    for j in range(active_size):
        if status[j] == _FREE:
            n_free += 1
    if n_free * l > 2 * active_size * (l - active_size):
        for i in range(active_size, l):
            Q_i = _get_q(i, active_size, svr, kind, XT, sq, Kpre, orig, qy, sign,
                         index, gamma, coef0, degree, slab, slot_of, slot_key,
                         slot_len, prev, nxt, free, cache_state, row64, bufs)  # fmt: skip
            for j in range(active_size):
                if status[j] == _FREE:
                    G[i] += a[j] * Q_i[j]
    else:
        for i in range(active_size):
            if status[i] == _FREE:
                Q_i = _get_q(i, l, svr, kind, XT, sq, Kpre, orig, qy, sign, index,
                             gamma, coef0, degree, slab, slot_of, slot_key, slot_len,
                             prev, nxt, free, cache_state, row64, bufs)  # fmt: skip
                ai = a[i]
                for j in range(active_size, l):
                    G[j] += ai * Q_i[j]


@jit
def _select(
    active_size, yv, G, status, QD, tol, svr, kind, XT, sq, Kpre, orig, qy, sign,
    index, gamma, coef0, degree, slab, slot_of, slot_key, slot_len, prev, nxt, free,
    cache_state, row64, bufs
):  # fmt: skip
    """WSS2; returns (i, j) or (-1, -1) when optimal within tol."""
    gmax = -_INF
    gmax2 = -_INF
    gmax_idx = -1
    gmin_idx = -1
    obj_diff_min = _INF
    for t in range(active_size):
        if yv[t] > 0:
            if status[t] != _UPPER and -G[t] >= gmax:
                gmax = -G[t]
                gmax_idx = t
        else:
            if status[t] != _LOWER and G[t] >= gmax:
                gmax = G[t]
                gmax_idx = t
    i = gmax_idx
    if i != -1:
        Q_i = _get_q(i, active_size, svr, kind, XT, sq, Kpre, orig, qy, sign, index,
                     gamma, coef0, degree, slab, slot_of, slot_key, slot_len, prev,
                     nxt, free, cache_state, row64, bufs)  # fmt: skip
        yi = yv[i]
        qdi = QD[i]
        for j in range(active_size):
            if yv[j] > 0:
                if status[j] != _LOWER:
                    grad_diff = gmax + G[j]
                    if G[j] >= gmax2:
                        gmax2 = G[j]
                    if grad_diff > 0:
                        quad = qdi + QD[j] - 2.0 * yi * Q_i[j]
                        if quad > 0:
                            obj_diff = -(grad_diff * grad_diff) / quad
                        else:
                            obj_diff = -(grad_diff * grad_diff) / _TAU
                        if obj_diff <= obj_diff_min:
                            gmin_idx = j
                            obj_diff_min = obj_diff
            else:
                if status[j] != _UPPER:
                    grad_diff = gmax - G[j]
                    if -G[j] >= gmax2:
                        gmax2 = -G[j]
                    if grad_diff > 0:
                        quad = qdi + QD[j] + 2.0 * yi * Q_i[j]
                        if quad > 0:
                            obj_diff = -(grad_diff * grad_diff) / quad
                        else:
                            obj_diff = -(grad_diff * grad_diff) / _TAU
                        if obj_diff <= obj_diff_min:
                            gmin_idx = j
                            obj_diff_min = obj_diff
    if gmax + gmax2 < tol or gmin_idx == -1:
        return (-1, -1)
    return (gmax_idx, gmin_idx)
