"""Coordinate descent for the elastic net (and the lasso, l2_reg = 0).

Both kernels minimise, for one target,

    P(w) = 1/2 ||y - X w||^2 + l1_reg ||w||_1 + l2_reg / 2 ||w||^2

(the estimators pass l1_reg = alpha * l1_ratio * n_samples and
l2_reg = alpha * (1 - l1_ratio) * n_samples) by cyclic or random coordinate
descent (Friedman, Hastie and Tibshirani 2010, "Regularization paths for generalized
linear models via coordinate descent", eq. 5 with the soft-threshold operator):

    w_j <- S(X_j' r + w_j ||X_j||^2, l1_reg) / (||X_j||^2 + l2_reg)

The stopping rule is the duality gap of Fercoq, Gramfort and Salmon (2015): after an
epoch whose largest coefficient change is at most ``tol`` times the largest
coefficient (or after the last epoch), the gap of the dual point obtained by scaling
the residual into the dual-feasible set is computed; the loop ends when the gap is at
most ``tol * ||y||^2``. At every gap evaluation the Gap Safe screening rule (Ndiaye et
al. 2017, eq. 11) removes coordinates that are provably zero at the optimum. This is
the rule scikit-learn applies, so both libraries stop at the same epoch.

Two kernels perform the same updates (the same iterates in exact arithmetic):

- :func:`enet_cd_gram` works on the Gram matrix Q = X'X and q = X'y, keeping
  H = Q w up to date: one update costs O(n_features) instead of O(n_samples). The
  estimators choose it when n_samples > n_features (the Gram matrix comes from a
  blocked BLAS product, see fastml/linear_model/_linear_base.py).
- :func:`enet_cd_residual` walks the columns of X and keeps the residual
  r = y - X w: one update costs O(n_samples); used for wide problems.

All arithmetic is float64 (float32 inputs of the residual kernel are read as
float32 and accumulated in float64).

Random selection draws coordinates from a 32-bit xorshift generator
(x ^= x << 13; x ^= x >> 17; x ^= x << 5, modulo 2^31) seeded by the caller, so
that a seed gives a reproducible sequence.

Naive references: tests/naive/linear.py (``enet_cd_naive``: a plain cyclic loop on
the full residual, and ``enet_kkt_violation``: the subgradient optimality
conditions), compared in tests/kernels/test_linear_cd.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["enet_cd_gram", "enet_cd_residual", "enet_dual_gap"]

_RAND_R_MAX = 2147483647


@jit(inline="always")
def _next_random(state: np.ndarray) -> int:
    # 32-bit xorshift; the state lives in a uint32 array of length 1.
    s = np.uint32(state[0])
    if s == 0:
        s = np.uint32(1)
    s ^= np.uint32(s << np.uint32(13))
    s ^= np.uint32(s >> np.uint32(17))
    s ^= np.uint32(s << np.uint32(5))
    state[0] = s
    return int(s % np.uint32(np.uint32(_RAND_R_MAX) + np.uint32(1)))


@jit(inline="always")
def _gap_from_parts(
    l1_reg: float,
    l2_reg: float,
    w_l1: float,
    w_l2sq: float,
    r_norm2: float,
    r_dot_y: float,
    dual_norm: float,
) -> float:
    primal = 0.5 * (r_norm2 + l2_reg * w_l2sq) + l1_reg * w_l1
    scale = 1.0
    if dual_norm > l1_reg:
        scale = l1_reg / dual_norm
    dual = -0.5 * scale * scale * (r_norm2 + l2_reg * w_l2sq) + scale * r_dot_y
    return primal - dual


@jit
def enet_dual_gap(
    w: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    xtr: np.ndarray,
    r_norm2: float,
    r_dot_y: float,
    positive: bool,
    xta: np.ndarray,
) -> tuple[float, float]:
    """Duality gap of the elastic net from the residual statistics.

    Parameters
    ----------
    w : float64 (n_features,) IN, the coefficients.
    l1_reg, l2_reg : float, the penalties (l1_reg >= 0, l2_reg >= 0).
    xtr : float64 (n_features,) IN, X' r with r = y - X w.
    r_norm2, r_dot_y : float, r'r and r'y.
    positive : bool, whether coefficients are constrained to be >= 0.
    xta : float64 (n_features,) OUT, X' r - l2_reg * w (the dual direction).

    Returns
    -------
    gap, dual_norm : float
        The gap (unscaled) and the dual norm of ``xta`` (its max, or max |.|).
        With l1_reg = 0 the gap is that of the ridge dual (l2_reg > 0) or
        ||X' r||^2 (least squares).
    """
    n_features = w.shape[0]
    w_l2sq = 0.0
    w_l1 = 0.0
    for j in range(n_features):
        w_l2sq += w[j] * w[j]
        w_l1 += abs(w[j])
    if l1_reg == 0.0:
        dual_norm = 0.0
        for j in range(n_features):
            xta[j] = xtr[j]
            dual_norm += xtr[j] * xtr[j]
        if l2_reg == 0.0:
            return dual_norm, dual_norm
        gap = r_norm2 + 0.5 * l2_reg * w_l2sq - r_dot_y + dual_norm / (2.0 * l2_reg)
        return gap, dual_norm
    dual_norm = -np.inf if positive else 0.0
    for j in range(n_features):
        v = xtr[j] - l2_reg * w[j]
        xta[j] = v
        if positive:
            if v > dual_norm:
                dual_norm = v
        elif abs(v) > dual_norm:
            dual_norm = abs(v)
    gap = _gap_from_parts(l1_reg, l2_reg, w_l1, w_l2sq, r_norm2, r_dot_y, dual_norm)
    return gap, dual_norm


@jit
def _gram_gap(
    w: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    h: np.ndarray,
    q: np.ndarray,
    y_norm2: float,
    positive: bool,
    xtr: np.ndarray,
    xta: np.ndarray,
) -> tuple[float, float]:
    n_features = w.shape[0]
    q_dot_w = 0.0
    w_h = 0.0
    for j in range(n_features):
        q_dot_w += q[j] * w[j]
        w_h += w[j] * h[j]
        xtr[j] = q[j] - h[j]
    r_norm2 = y_norm2 + w_h - 2.0 * q_dot_w
    r_dot_y = y_norm2 - q_dot_w
    return enet_dual_gap(w, l1_reg, l2_reg, xtr, r_norm2, r_dot_y, positive, xta)


@jit
def enet_cd_gram(
    w: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    gram: np.ndarray,
    q: np.ndarray,
    y_norm2: float,
    max_iter: int,
    tol: float,
    seed: int,
    random: bool,
    positive: bool,
    screening: bool,
) -> tuple[float, float, int, bool]:
    """Elastic-net coordinate descent on the Gram matrix.

    Parameters
    ----------
    w : float64 (n_features,) IN/OUT, the starting point, overwritten by the result.
    l1_reg, l2_reg : float, penalties of the unnormalised objective (see module).
    gram : float64 (n_features, n_features) C-contiguous IN, Q = X'X (symmetric).
    q : float64 (n_features,) IN, X'y.
    y_norm2 : float, y'y.
    max_iter : int, the maximum number of epochs.
    tol : float, relative tolerance (the gap bound is tol * y'y; the coefficient
        change test uses tol itself).
    seed : int in [0, 2^31 - 1), the random selection's seed.
    random, positive, screening : bool.

    Returns
    -------
    gap : float, the last duality gap computed (unscaled objective).
    tol_scaled : float, tol * y'y.
    n_iter : int, epochs run (0 when the start point already satisfied the gap).
    converged : bool, False when max_iter epochs ended without meeting the gap.
    """
    n_features = w.shape[0]
    h = np.zeros(n_features)
    for j in range(n_features):
        if w[j] != 0.0:
            for k in range(n_features):
                h[k] += w[j] * gram[j, k]
    xtr = np.empty(n_features)
    xta = np.empty(n_features)
    active = np.arange(n_features)
    excluded = np.zeros(n_features, dtype=np.bool_)
    n_active = n_features
    state = np.empty(1, dtype=np.uint32)
    state[0] = np.uint32(seed)
    if l1_reg == 0.0:
        screening = False
    tol_scaled = tol * y_norm2
    gap, dual_norm = _gram_gap(w, l1_reg, l2_reg, h, q, y_norm2, positive, xtr, xta)
    if 0.0 <= gap <= tol_scaled:
        return gap, tol_scaled, 0, True
    if screening:
        n_active = _screen_gram(
            w, l1_reg, l2_reg, gram, h, xta, dual_norm, gap, active, excluded, True
        )
    n_iter = 0
    converged = False
    for n_iter in range(max_iter):
        w_max = 0.0
        d_w_max = 0.0
        for f_iter in range(n_active):
            if random:
                pos = _next_random(state) % n_active
            else:
                pos = f_iter
            j = active[pos]
            diag = gram[j, j]
            if diag == 0.0:
                continue
            w_j = w[j]
            tmp = q[j] - h[j] + w_j * diag
            if positive and tmp < 0.0:
                new = 0.0
            else:
                new = np.sign(tmp) * max(abs(tmp) - l1_reg, 0.0) / (diag + l2_reg)
            w[j] = new
            if new != w_j:
                delta = new - w_j
                for k in range(n_features):
                    h[k] += delta * gram[j, k]
            d_w = abs(new - w_j)
            if d_w > d_w_max:
                d_w_max = d_w
            if abs(new) > w_max:
                w_max = abs(new)
        if w_max == 0.0 or d_w_max / w_max <= tol or n_iter == max_iter - 1:
            gap, dual_norm = _gram_gap(
                w, l1_reg, l2_reg, h, q, y_norm2, positive, xtr, xta
            )
            if gap <= tol_scaled:
                converged = True
                break
            if screening:
                n_active = _screen_gram(
                    w,
                    l1_reg,
                    l2_reg,
                    gram,
                    h,
                    xta,
                    dual_norm,
                    gap,
                    active,
                    excluded,
                    False,
                )
    return gap, tol_scaled, n_iter + 1, converged


@jit
def _screen_gram(
    w: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    gram: np.ndarray,
    h: np.ndarray,
    xta: np.ndarray,
    dual_norm: float,
    gap: float,
    active: np.ndarray,
    excluded: np.ndarray,
    first: bool,
) -> int:
    n_features = w.shape[0]
    radius = np.sqrt(2.0 * abs(gap)) / l1_reg
    scale = max(l1_reg, dual_norm)
    n_active = 0
    for j in range(n_features):
        if first:
            if gram[j, j] == 0.0:
                w[j] = 0.0
                excluded[j] = True
                continue
        elif excluded[j]:
            continue
        d_j = (1.0 - abs(xta[j] / scale)) / np.sqrt(gram[j, j] + l2_reg)
        if d_j <= radius:
            active[n_active] = j
            excluded[j] = False
            n_active += 1
        else:
            if w[j] != 0.0:
                for k in range(n_features):
                    h[k] -= w[j] * gram[j, k]
                w[j] = 0.0
            excluded[j] = True
    return n_active


@jit
def _residual_gap(
    w: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    xt: np.ndarray,
    y: np.ndarray,
    r: np.ndarray,
    positive: bool,
    xtr: np.ndarray,
    xta: np.ndarray,
) -> tuple[float, float]:
    n_features, n_samples = xt.shape
    r_norm2 = 0.0
    r_dot_y = 0.0
    for i in range(n_samples):
        r_norm2 += r[i] * r[i]
        r_dot_y += r[i] * y[i]
    for j in range(n_features):
        acc = 0.0
        for i in range(n_samples):
            acc += xt[j, i] * r[i]
        xtr[j] = acc
    return enet_dual_gap(w, l1_reg, l2_reg, xtr, r_norm2, r_dot_y, positive, xta)


@jit
def enet_cd_residual(
    w: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    xt: np.ndarray,
    y: np.ndarray,
    max_iter: int,
    tol: float,
    seed: int,
    random: bool,
    positive: bool,
    screening: bool,
) -> tuple[float, float, int, bool]:
    """Elastic-net coordinate descent on the columns of X (residual updates).

    Parameters
    ----------
    w : float64 (n_features,) IN/OUT, the starting point, overwritten by the result.
    l1_reg, l2_reg : float, penalties of the unnormalised objective.
    xt : float64 or float32 (n_features, n_samples) C-contiguous IN, X transposed
        (each row a column of X, contiguous).
    y : float64 or float32 (n_samples,) IN, the target (already centred/weighted).
    max_iter, tol, seed, random, positive, screening : as :func:`enet_cd_gram`.

    Returns
    -------
    gap, tol_scaled, n_iter, converged : as :func:`enet_cd_gram`.
    """
    n_features, n_samples = xt.shape
    norms = np.zeros(n_features)
    for j in range(n_features):
        acc = 0.0
        for i in range(n_samples):
            acc += float(xt[j, i]) * float(xt[j, i])
        norms[j] = acc
    r = np.empty(n_samples)
    y_norm2 = 0.0
    for i in range(n_samples):
        r[i] = y[i]
        y_norm2 += float(y[i]) * float(y[i])
    for j in range(n_features):
        if w[j] != 0.0:
            for i in range(n_samples):
                r[i] -= w[j] * xt[j, i]
    xtr = np.empty(n_features)
    xta = np.empty(n_features)
    active = np.arange(n_features)
    excluded = np.zeros(n_features, dtype=np.bool_)
    n_active = n_features
    state = np.empty(1, dtype=np.uint32)
    state[0] = np.uint32(seed)
    if l1_reg == 0.0:
        screening = False
    yf = y.astype(np.float64)
    tol_scaled = tol * y_norm2
    gap, dual_norm = _residual_gap(w, l1_reg, l2_reg, xt, yf, r, positive, xtr, xta)
    if gap <= tol_scaled:
        return gap, tol_scaled, 0, True
    if screening:
        n_active = _screen_residual(
            w,
            l1_reg,
            l2_reg,
            xt,
            norms,
            r,
            xta,
            dual_norm,
            gap,
            active,
            excluded,
            True,
        )
    n_iter = 0
    converged = False
    for n_iter in range(max_iter):
        w_max = 0.0
        d_w_max = 0.0
        for f_iter in range(n_active):
            if random:
                pos = _next_random(state) % n_active
            else:
                pos = f_iter
            j = active[pos]
            if norms[j] == 0.0:
                continue
            w_j = w[j]
            acc = 0.0
            for i in range(n_samples):
                acc += xt[j, i] * r[i]
            tmp = acc + w_j * norms[j]
            if positive and tmp < 0.0:
                new = 0.0
            else:
                new = np.sign(tmp) * max(abs(tmp) - l1_reg, 0.0) / (norms[j] + l2_reg)
            w[j] = new
            if new != w_j:
                delta = w_j - new
                for i in range(n_samples):
                    r[i] += delta * xt[j, i]
            d_w = abs(new - w_j)
            if d_w > d_w_max:
                d_w_max = d_w
            if abs(new) > w_max:
                w_max = abs(new)
        if w_max == 0.0 or d_w_max / w_max <= tol or n_iter == max_iter - 1:
            gap, dual_norm = _residual_gap(
                w, l1_reg, l2_reg, xt, yf, r, positive, xtr, xta
            )
            if gap <= tol_scaled:
                converged = True
                break
            if screening:
                n_active = _screen_residual(
                    w,
                    l1_reg,
                    l2_reg,
                    xt,
                    norms,
                    r,
                    xta,
                    dual_norm,
                    gap,
                    active,
                    excluded,
                    False,
                )
    return gap, tol_scaled, n_iter + 1, converged


@jit
def _screen_residual(
    w: np.ndarray,
    l1_reg: float,
    l2_reg: float,
    xt: np.ndarray,
    norms: np.ndarray,
    r: np.ndarray,
    xta: np.ndarray,
    dual_norm: float,
    gap: float,
    active: np.ndarray,
    excluded: np.ndarray,
    first: bool,
) -> int:
    n_features, n_samples = xt.shape
    radius = np.sqrt(2.0 * abs(gap)) / l1_reg
    scale = max(l1_reg, dual_norm)
    n_active = 0
    for j in range(n_features):
        if first:
            if norms[j] == 0.0:
                w[j] = 0.0
                excluded[j] = True
                continue
        elif excluded[j]:
            continue
        d_j = (1.0 - abs(xta[j] / scale)) / np.sqrt(norms[j] + l2_reg)
        if d_j <= radius:
            active[n_active] = j
            excluded[j] = False
            n_active += 1
        else:
            if w[j] != 0.0:
                for i in range(n_samples):
                    r[i] += w[j] * xt[j, i]
                w[j] = 0.0
            excluded[j] = True
    return n_active
