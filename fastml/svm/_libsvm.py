"""Orchestration of the kernel SVM: one-vs-one training, Platt scaling, decision values.

The solver is kernels/svm/smo.py; this module builds the binary sub-problems (classes
in sorted order; the samples of class ``i`` then of class ``j``, each in their input
order; ``y = +1`` for class ``i``), lays the result out as LIBSVM does (support
vectors grouped by class, ``dual_coef`` of shape ``(n_classes - 1, n_SV)`` where the
coefficients of pair ``(i, j)`` for the vectors of class ``i`` sit in row ``j - 1``
and those for class ``j`` in row ``i``) and evaluates decision values with the fused kernel of kernels/svm/predict.py.

Probability estimates (Platt scaling, LIBSVM's way): for each pair a 5-fold
cross-validation of the binary problem gives out-of-fold decision values; a sigmoid
``1 / (1 + exp(A f + B))`` is fitted to them by the Newton method with backtracking of
Lin, Lin & Weng (Machine Learning 68, 2007, Algorithm 1); the pairwise probabilities
are coupled into class probabilities by method 2 of Wu, Lin & Weng (JMLR 5, 2004).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "SVMParams",
    "solve_binary",
    "fit_ovo",
    "fit_svr",
    "ovo_decision",
    "sigmoid_train",
    "sigmoid_predict",
    "couple_probabilities",
]


class SVMParams:
    """Kernel and solver settings shared by the sub-problems."""

    def __init__(
        self,
        kind: int,
        gamma: float,
        coef0: float,
        degree: int,
        tol: float,
        shrinking: bool,
        max_iter: int,
        cache_size: float,
    ) -> None:
        self.kind = kind
        self.gamma = gamma
        self.coef0 = coef0
        self.degree = degree
        self.tol = tol
        self.shrinking = shrinking
        self.max_iter = max_iter
        self.cache_size = cache_size


def _solver_data(
    X: np.ndarray, rows: np.ndarray, params: SVMParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """XT, squared norms, precomputed kernel and row map for the rows ``rows``."""
    if params.kind == 4:
        Kpre = np.ascontiguousarray(X, dtype=np.float64)
        n = rows.shape[0]
        return (
            np.zeros((1, n)),
            np.zeros(n),
            Kpre,
            rows.astype(np.int64),
        )
    XT = np.ascontiguousarray(X[rows].T, dtype=np.float64)
    # squared norms summed over features in order, as the row kernel's dot products
    sq = np.zeros(len(rows))
    if params.kind == 2:
        for k in range(XT.shape[0]):
            sq += XT[k] * XT[k]
    return XT, sq, np.zeros((1, 1)), rows.astype(np.int64)


def solve_binary(
    X: np.ndarray,
    rows: np.ndarray,
    y_pm: np.ndarray,
    p: np.ndarray,
    C: np.ndarray,
    params: SVMParams,
    svr: bool = False,
) -> tuple[np.ndarray, float, int, bool]:
    """Solve one dual problem over the samples ``rows`` of X.

    Returns (alpha in the variables' order, rho, iterations, stopped by max_iter).
    """
    from fastml.kernels.svm.smo import solve_smo

    XT, sq, Kpre, orig = _solver_data(X, rows, params)
    n = rows.shape[0]
    n_slots = int(params.cache_size * (1 << 20) // (4 * max(n, 1)))
    alpha = np.zeros(y_pm.shape[0])
    info = np.zeros(3)
    solve_smo(
        svr,
        params.kind,
        XT,
        sq,
        Kpre,
        orig,
        np.ascontiguousarray(y_pm, dtype=np.float64),
        np.ascontiguousarray(p, dtype=np.float64),
        np.ascontiguousarray(C, dtype=np.float64),
        alpha,
        float(params.tol),
        bool(params.shrinking),
        int(params.max_iter),
        max(n_slots, 2),
        float(params.gamma),
        float(params.coef0),
        int(params.degree),
        info,
    )
    return alpha, float(info[0]), int(info[1]), bool(info[2])


def _train_pair(
    X: np.ndarray,
    rows: np.ndarray,
    y_pm: np.ndarray,
    C: np.ndarray,
    params: SVMParams,
) -> tuple[np.ndarray, float, int, bool]:
    """C-SVC on one binary problem: returns (y * alpha, rho, n_iter, timed_out)."""
    alpha, rho, n_iter, timed_out = solve_binary(
        X, rows, y_pm, -np.ones(rows.shape[0]), C, params
    )
    return alpha * y_pm, rho, n_iter, timed_out


def pair_coefficients(dual_coef: np.ndarray, n_support: np.ndarray) -> np.ndarray:
    """Matrix W (n_SV, n_pairs) so that pair decisions are ``K(X, SV) @ W - rho``."""
    n_classes = n_support.shape[0]
    start = np.concatenate([[0], np.cumsum(n_support)])
    n_pairs = n_classes * (n_classes - 1) // 2
    W = np.zeros((dual_coef.shape[1], n_pairs))
    p = 0
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            W[start[i] : start[i + 1], p] = dual_coef[j - 1, start[i] : start[i + 1]]
            W[start[j] : start[j + 1], p] = dual_coef[i, start[j] : start[j + 1]]
            p += 1
    return W


def ovo_decision(
    X: np.ndarray,
    SV: np.ndarray,
    W: np.ndarray,
    rho: np.ndarray,
    params: SVMParams,
) -> np.ndarray:
    """Decision values ``K(X, SV) @ W - rho`` of shape (n_rows, n_pairs).

    For a precomputed kernel, X is ``K(X, train)`` restricted to the support columns.
    Other kernels go through the fused kernel of kernels/svm/predict.py (dot
    products, kernel and coefficients per chunk of support vectors, rows in
    parallel), which never forms the (n_rows, n_SV) kernel matrix.
    """
    from fastml.kernels.svm.predict import compute_decision_values

    if params.kind == 4:
        return np.asarray(X @ W - rho, dtype=np.float64)
    SVT = np.ascontiguousarray(SV.T, dtype=np.float64)
    sq = np.zeros(SVT.shape[1])
    for k in range(SVT.shape[0]):
        sq += SVT[k] * SVT[k]
    out = np.empty((X.shape[0], W.shape[1]))
    compute_decision_values(
        params.kind,
        np.ascontiguousarray(X, dtype=np.float64),
        SVT,
        sq,
        np.ascontiguousarray(W.T, dtype=np.float64),
        np.ascontiguousarray(rho, dtype=np.float64),
        float(params.gamma),
        float(params.coef0),
        int(params.degree),
        out,
    )
    return out


def fit_ovo(
    X: np.ndarray,
    y_idx: np.ndarray,
    n_classes: int,
    class_C: np.ndarray,
    weight: np.ndarray,
    params: SVMParams,
    probability: bool,
    rng: np.random.RandomState | None,
) -> dict[str, Any]:
    """One-vs-one C-SVC over the samples of X (rows with ``weight > 0``).

    Returns support (indices into X), dual_coef, rho, n_support, n_iter, timed_out,
    probA, probB.
    """
    class_rows = [np.flatnonzero((y_idx == c) & (weight > 0)) for c in range(n_classes)]
    n_pairs = n_classes * (n_classes - 1) // 2
    rho = np.zeros(n_pairs)
    n_iter = np.zeros(n_pairs, dtype=np.int32)
    probA = np.zeros(n_pairs if probability else 0)
    probB = np.zeros(n_pairs if probability else 0)
    nonzero = [np.zeros(len(r), dtype=bool) for r in class_rows]
    coefs: list[tuple[np.ndarray, np.ndarray]] = []
    timed_out = False
    p = 0
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            rows = np.concatenate([class_rows[i], class_rows[j]])
            ni = len(class_rows[i])
            y_pm = np.concatenate([np.ones(ni), -np.ones(len(class_rows[j]))])
            C = weight[rows] * np.where(y_pm > 0, class_C[i], class_C[j])
            if probability:
                assert rng is not None
                probA[p], probB[p] = _binary_probability(X, rows, y_pm, C, params, rng)
            coef, rho[p], n_iter[p], t_out = _train_pair(X, rows, y_pm, C, params)
            timed_out |= t_out
            nonzero[i] |= coef[:ni] != 0
            nonzero[j] |= coef[ni:] != 0
            coefs.append((coef[:ni], coef[ni:]))
            p += 1
    n_support = np.array([int(nz.sum()) for nz in nonzero], dtype=np.int32)
    support = np.concatenate(
        [class_rows[c][nonzero[c]] for c in range(n_classes)]
    ).astype(np.int32)
    start = np.concatenate([[0], np.cumsum(n_support)])
    dual_coef = np.zeros((n_classes - 1, int(start[-1])))
    p = 0
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            ci, cj = coefs[p]
            dual_coef[j - 1, start[i] : start[i + 1]] = ci[nonzero[i]]
            dual_coef[i, start[j] : start[j + 1]] = cj[nonzero[j]]
            p += 1
    return {
        "support": support,
        "dual_coef": dual_coef,
        "rho": rho,
        "n_support": n_support,
        "n_iter": n_iter,
        "timed_out": timed_out,
        "probA": probA,
        "probB": probB,
    }


def _binary_probability(
    X: np.ndarray,
    rows: np.ndarray,
    y_pm: np.ndarray,
    C: np.ndarray,
    params: SVMParams,
    rng: np.random.RandomState,
) -> tuple[float, float]:
    """Sigmoid (A, B) fitted to 5-fold out-of-fold decision values (LIBSVM's way)."""
    n = rows.shape[0]
    n_folds = 5
    perm = rng.permutation(n)
    dec = np.zeros(n)
    for f in range(n_folds):
        begin = f * n // n_folds
        end = (f + 1) * n // n_folds
        test = perm[begin:end]
        train = np.concatenate([perm[:begin], perm[end:]])
        y_tr = y_pm[train]
        n_pos = int((y_tr > 0).sum())
        n_neg = train.shape[0] - n_pos
        if n_pos > 0 and n_neg > 0:
            coef, rho, _, _ = _train_pair(X, rows[train], y_tr, C[train], params)
            sv = rows[train][coef != 0]
            Xt = X[np.ix_(rows[test], sv)] if params.kind == 4 else X[rows[test]]
            S = X[sv] if params.kind != 4 else np.zeros((0, 0))
            W = coef[coef != 0].reshape(-1, 1)
            dec[test] = ovo_decision(Xt, S, W, np.array([rho]), params)[:, 0]
        elif n_pos > 0:
            dec[test] = 1.0
        elif n_neg > 0:
            dec[test] = -1.0
        else:
            dec[test] = 0.0
    return sigmoid_train(dec, y_pm)


def sigmoid_train(dec: np.ndarray, y_pm: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid fit: minimise the cross-entropy of ``1/(1+exp(A f + B))``.

    Targets are Platt's regularised ``(n+ + 1)/(n+ + 2)`` and ``1/(n- + 2)``; the
    Newton method with backtracking line search and a ridge of 1e-12 on the Hessian
    (Lin, Lin & Weng 2007, Algorithm 1), at most 100 iterations, stopping when both
    gradient entries are below 1e-5.
    """
    dec = np.asarray(dec, dtype=np.float64)
    n_pos = float((y_pm > 0).sum())
    n_neg = float(dec.shape[0] - n_pos)
    hi = (n_pos + 1.0) / (n_pos + 2.0)
    lo = 1.0 / (n_neg + 2.0)
    t = np.where(y_pm > 0, hi, lo)
    A = 0.0
    B = math.log((n_neg + 1.0) / (n_pos + 1.0))

    def objective(A: float, B: float) -> float:
        f = dec * A + B
        pos = f >= 0
        val = np.where(
            pos,
            t * f + np.log1p(np.exp(-np.abs(f))),
            (t - 1.0) * f + np.log1p(np.exp(-np.abs(f))),
        )
        return float(val.sum())

    fval = objective(A, B)
    for _ in range(100):
        f = dec * A + B
        e = np.exp(-np.abs(f))
        p = np.where(f >= 0, e / (1.0 + e), 1.0 / (1.0 + e))
        q = np.where(f >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        d2 = p * q
        h11 = 1e-12 + float((dec * dec * d2).sum())
        h22 = 1e-12 + float(d2.sum())
        h21 = float((dec * d2).sum())
        d1 = t - p
        g1 = float((dec * d1).sum())
        g2 = float(d1.sum())
        if abs(g1) < 1e-5 and abs(g2) < 1e-5:
            break
        det = h11 * h22 - h21 * h21
        dA = -(h22 * g1 - h21 * g2) / det
        dB = -(-h21 * g1 + h11 * g2) / det
        gd = g1 * dA + g2 * dB
        step = 1.0
        while step >= 1e-10:
            newA = A + step * dA
            newB = B + step * dB
            newf = objective(newA, newB)
            if newf < fval + 1e-4 * step * gd:
                A, B, fval = newA, newB, newf
                break
            step /= 2.0
        if step < 1e-10:
            break
    return A, B


def sigmoid_predict(dec: np.ndarray, A: float, B: float) -> np.ndarray:
    """``1 / (1 + exp(A f + B))`` evaluated without overflow."""
    f = dec * A + B
    e = np.exp(-np.abs(f))
    return np.where(f >= 0, e / (1.0 + e), 1.0 / (1.0 + e))


def couple_probabilities(r: np.ndarray) -> np.ndarray:
    """Class probabilities from pairwise ones (Wu, Lin & Weng 2004, method 2).

    ``r`` has shape (n_rows, k, k) with ``r[:, i, j]`` = P(class i | i or j). The
    fixed-point iteration of LIBSVM (at most max(100, k) sweeps, stopping when
    ``max_t |(Qp)_t - p'Qp| < 0.005 / k``), run for each row.
    """
    n_rows, k, _ = r.shape
    out = np.empty((n_rows, k))
    max_iter = max(100, k)
    eps = 0.005 / k
    for row in range(n_rows):
        R = r[row]
        Q = np.empty((k, k))
        for t in range(k):
            Q[t, t] = 0.0
            for j in range(t):
                Q[t, t] += R[j, t] * R[j, t]
                Q[t, j] = Q[j, t]
            for j in range(t + 1, k):
                Q[t, t] += R[j, t] * R[j, t]
                Q[t, j] = -R[j, t] * R[t, j]
        p = np.full(k, 1.0 / k)
        Qp = np.empty(k)
        for _ in range(max_iter):
            pQp = 0.0
            for t in range(k):
                Qp[t] = Q[t] @ p
                pQp += p[t] * Qp[t]
            if np.max(np.abs(Qp - pQp)) < eps:
                break
            for t in range(k):
                diff = (-Qp[t] + pQp) / Q[t, t]
                p[t] += diff
                pQp = (
                    (pQp + diff * (diff * Q[t, t] + 2 * Qp[t]))
                    / (1 + diff)
                    / (1 + diff)
                )
                for j in range(k):
                    Qp[j] = (Qp[j] + diff * Q[t, j]) / (1 + diff)
                    p[j] /= 1 + diff
        out[row] = p
    return out


def fit_svr(
    X: np.ndarray,
    rows: np.ndarray,
    target: np.ndarray,
    C: np.ndarray,
    epsilon: float,
    params: SVMParams,
) -> tuple[np.ndarray, float, int, bool]:
    """Epsilon-SVR on the samples ``rows``: (alpha - alpha*, rho, n_iter, timed_out)."""
    n = rows.shape[0]
    z = target[rows]
    y_pm = np.concatenate([np.ones(n), -np.ones(n)])
    p = np.concatenate([epsilon - z, epsilon + z])
    C2 = np.concatenate([C, C])
    alpha, rho, n_iter, timed_out = solve_binary(X, rows, y_pm, p, C2, params, svr=True)
    return alpha[:n] - alpha[n:], rho, n_iter, timed_out
