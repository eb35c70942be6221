"""Loss kernels with a row of class scores per sample: softmax cross-entropy and KL
divergence from logits, categorical cross-entropy and KL from probabilities.

Each kernel computes the weighted per-sample loss into ``out`` and/or the weighted
gradient and diagonal hessian into ``grad`` and ``hess`` (outputs not wanted are
passed empty), so that one compiled kernel per dtype serves a whole family: every
specialization costs compile time on a user's first call.

From logits, ``evaluate_softmax_loss_f64/_f32(kind, labels, y, raw, w, out, grad,
hess)`` (one per storage dtype, ``kind`` picks the target form):

- LABELS: cross-entropy of softmax(raw[i]) at the class labels[i],
  logsumexp(raw[i]) - raw[i, labels[i]]; gradient p - onehot(label), diagonal
  hessian p (1 - p) with p = softmax(raw[i]) (XGBoost's multi:softprob uses this
  gradient and 2 p (1 - p) clamped at 1e-16).
- SOFT: against soft targets y[i], sum_k y_k (logsumexp(raw[i]) - raw[i, k]);
  gradient t p - y, hessian t p (1 - p), t = sum_k y[i, k].
- KL: KL(y[i] || softmax(raw[i])) = sum_k y_k (log y_k - log_softmax(raw[i])_k)
  with 0 log 0 = 0; derivatives as SOFT (the losses differ by the entropy of y).

The unused one of ``labels`` (int64, shape (n_samples,)) and ``y`` (raw's dtype,
shape (n_samples, n_classes)) is passed empty, so each kernel has one signature.

Algorithm (logits): rows are processed in blocks of about ``_BLOCK`` entries. Per
block: the row maxima m (replicated per entry), then one vectorised pass of
exp(raw - m) over the whole block (the difference taken exactly with ``two_diff``,
the exp of ``fastml.kernels._vecmath``: float32 lanes for float32, so short rows such
as 10 classes still fill the vector units), then per row the sum "rest" of all
exponentials but the maximum's (which is exactly 1) in float64, s = 1 + rest, and a
vectorised log(s) = log1p(rest). The loss is (m - raw[label]) + log1p(rest), never
overflowing for any finite logits and accurate to the last digit even for confident
rows (rest ~ 1e-13); likewise 1 - p for the gradient and hessian is rest / s for the
maximum, not 1 minus a rounded p. A row holding +inf or NaN gives NaN.

From probabilities, ``evaluate_proba_loss(kind, y, p, w, eps, out, grad, hess)``
(generic over the dtype, float64 arithmetic): CROSS_ENTROPY:
-sum_k y_k log(max(p_k, eps)); KL: sum_k y_k log(y_k / max(p_k, eps)) with
0 log 0 = 0 (scipy.special.rel_entr summed over classes); gradient -y_k / q_k and
diagonal hessian y_k / q_k^2 with q = max(p, eps), each p_k a free variable (no
simplex constraint), the same for both kinds.

Shapes and dtypes: ``raw``/``p``, ``y``, ``grad``, ``hess`` are C-contiguous
(n_samples, n_classes), ``out`` and ``w`` (length n_samples, or 0 for "no weights")
1-D, all of one float dtype; inputs read-only views, outputs writable. Every output
row depends on its own input row only, so the caller may split the rows over threads
without changing results. Inputs are assumed valid (fastml.losses validates them).

Naive references: tests/naive/losses.py; tests: tests/kernels/test_losses.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels._vecmath import (
    exp_nonpos_f32,
    exp_nonpos_f64,
    log1p_nonneg_f64,
    two_diff,
)

__all__ = [
    "LABELS",
    "SOFT",
    "KL",
    "CROSS_ENTROPY",
    "evaluate_softmax_loss_f64",
    "evaluate_softmax_loss_f32",
    "evaluate_proba_loss",
]

# Kinds of the logits kernels.
LABELS = 0
SOFT = 1
KL = 2
# Kinds of loss_multiclass_proba (KL as above).
CROSS_ENTROPY = 0

#: Entries per block in the logits kernels (scratch buffers of this size stay in L1).
_BLOCK = 2048


# --- logits: block helpers (generic over the dtype) ----------------------------------


@jit
def _block_max(
    zb: np.ndarray, m: np.ndarray, jmax: np.ndarray, mrep: np.ndarray
) -> None:
    """Row maxima m[r] = zb[r, jmax[r]] (first maximum) and mrep[r * K + k] = m[r]."""
    nb, n_classes = zb.shape
    for r in range(nb):
        row = zb[r]
        best = row[0]
        at = 0
        for k in range(1, n_classes):
            v = row[k]
            if v > best:
                best = v
                at = k
        m[r] = best
        jmax[r] = at
        base = r * n_classes
        for k in range(n_classes):
            mrep[base + k] = best


@jit
def _block_log_sums(
    e: np.ndarray,
    jmax: np.ndarray,
    nb: int,
    n_classes: int,
    rest: np.ndarray,
    log_s: np.ndarray,
) -> None:
    """rest[r] = sum of the row's exponentials but the maximum's (which is exactly 1),
    in float64, and log_s[r] = log(1 + rest[r]) = log(s): accurate to the last digit
    even for confident rows (s = 1 + 1e-13)."""
    for r in range(nb):
        base = r * n_classes
        at = jmax[r]
        total = 0.0
        for k in range(n_classes):
            total += 0.0 if k == at else np.float64(e[base + k])
        rest[r] = total
    for r in range(nb):
        log_s[r] = log1p_nonneg_f64(rest[r])


@jit
def _block_loss(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    zb: np.ndarray,
    w: np.ndarray,
    r0: int,
    m: np.ndarray,
    log_s: np.ndarray,
    out: np.ndarray,
) -> None:
    nb, n_classes = zb.shape
    weighted = w.shape[0] > 0
    for r in range(nb):
        mr = np.float64(m[r])
        if kind == LABELS:
            v = (mr - np.float64(zb[r, labels[r0 + r]])) + log_s[r]
        else:
            v = 0.0
            for k in range(n_classes):
                yk = np.float64(y[r0 + r, k])
                if yk != 0.0:
                    v += yk * ((mr - np.float64(zb[r, k])) + log_s[r])
                    if kind == KL:
                        v += yk * math.log(yk)
        out[r0 + r] = v * np.float64(w[r0 + r]) if weighted else v


@jit
def _block_gradient_hessian(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    e: np.ndarray,
    jmax: np.ndarray,
    rest: np.ndarray,
    r0: int,
    nb: int,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    n_classes = grad.shape[1]
    weighted = w.shape[0] > 0
    for r in range(nb):
        rr = rest[r]
        inv = 1.0 / (1.0 + rr)
        wr = np.float64(w[r0 + r]) if weighted else 1.0
        at = jmax[r]
        base = r * n_classes
        g = grad[r0 + r]
        h = hess[r0 + r]
        # 1 - p_k = (sum of the other exponentials) / s, formed without cancellation:
        # rest for the row maximum, 1 + (rest - e_k) for the others.
        if kind == LABELS:
            label = labels[r0 + r]
            for k in range(n_classes):
                ek = np.float64(e[base + k])
                p = ek * inv
                q = (rr if k == at else 1.0 + (rr - ek)) * inv
                g[k] = wr * (-q if k == label else p)
                h[k] = wr * (p * q)
        else:
            t = 0.0
            for k in range(n_classes):
                t += np.float64(y[r0 + r, k])
            for k in range(n_classes):
                ek = np.float64(e[base + k])
                p = ek * inv
                q = (rr if k == at else 1.0 + (rr - ek)) * inv
                g[k] = wr * (t * p - np.float64(y[r0 + r, k]))
                h[k] = wr * (t * p * q)


# --- logits: kernels (one per dtype: the exp pass differs) -------------------------


@jit
def evaluate_softmax_loss_f64(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    out: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Per-sample softmax cross-entropy or KL from float64 logits and/or their
    weighted gradient and diagonal hessian (module docstring).

    Parameters
    ----------
    kind : int
        LABELS, SOFT or KL (SOFT and KL share their derivatives).
    labels : ndarray of shape (n_samples,) or (0,), int64 in [0, n_classes) (IN)
    y : ndarray of shape (n_samples, n_classes) or (0, n_classes), float64 (IN)
    raw : ndarray of shape (n_samples, n_classes), float64 logits (IN)
    w : ndarray of shape (n_samples,) or (0,), float64 (IN)
    out : ndarray of shape (n_samples,) or (0,), float64 (OUT)
        Weighted per-sample losses; empty: not computed.
    grad, hess : ndarrays of shape (n_samples, n_classes) or (0, n_classes) (OUT)
        Weighted gradient and diagonal hessian w.r.t. raw; empty: not computed.
    """
    n_rows, n_classes = raw.shape
    rows = max(1, _BLOCK // max(1, n_classes))
    m = np.empty(rows, dtype=np.float64)
    jmax = np.empty(rows, dtype=np.int64)
    mrep = np.empty(rows * n_classes, dtype=np.float64)
    e = np.empty(rows * n_classes, dtype=np.float64)
    rest = np.empty(rows, dtype=np.float64)
    log_s = np.empty(rows, dtype=np.float64)
    for r0 in range(0, n_rows, rows):
        nb = min(rows, n_rows - r0)
        zb = raw[r0 : r0 + nb]
        _block_max(zb, m, jmax, mrep)
        zf = zb.reshape(nb * n_classes)
        for i in range(nb * n_classes):
            d, err = two_diff(zf[i], mrep[i])
            e[i] = exp_nonpos_f64(d, err)
        _block_log_sums(e, jmax, nb, n_classes, rest, log_s)
        if out.shape[0] > 0:
            _block_loss(kind, labels, y, zb, w, r0, m, log_s, out)
        if grad.shape[0] > 0:
            _block_gradient_hessian(
                kind, labels, y, w, e, jmax, rest, r0, nb, grad, hess
            )


@jit
def evaluate_softmax_loss_f32(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    out: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """As :func:`evaluate_softmax_loss_f64` for float32 arrays (exponentials in
    float32 lanes, sums and logs in float64)."""
    n_rows, n_classes = raw.shape
    rows = max(1, _BLOCK // max(1, n_classes))
    m = np.empty(rows, dtype=np.float32)
    jmax = np.empty(rows, dtype=np.int64)
    mrep = np.empty(rows * n_classes, dtype=np.float32)
    e = np.empty(rows * n_classes, dtype=np.float32)
    rest = np.empty(rows, dtype=np.float64)
    log_s = np.empty(rows, dtype=np.float64)
    for r0 in range(0, n_rows, rows):
        nb = min(rows, n_rows - r0)
        zb = raw[r0 : r0 + nb]
        _block_max(zb, m, jmax, mrep)
        zf = zb.reshape(nb * n_classes)
        for i in range(nb * n_classes):
            d, err = two_diff(zf[i], mrep[i])
            e[i] = exp_nonpos_f32(d, err)
        _block_log_sums(e, jmax, nb, n_classes, rest, log_s)
        if out.shape[0] > 0:
            _block_loss(kind, labels, y, zb, w, r0, m, log_s, out)
        if grad.shape[0] > 0:
            _block_gradient_hessian(
                kind, labels, y, w, e, jmax, rest, r0, nb, grad, hess
            )


# --- probabilities --------------------------------------------------------------------


@jit
def evaluate_proba_loss(
    kind: int,
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray,
    eps: float,
    out: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Per-sample categorical cross-entropy (kind CROSS_ENTROPY) or KL divergence
    (KL) from probabilities clipped below at eps, and/or the gradient -y_k / q_k and
    diagonal hessian y_k / q_k^2 (q = max(p, eps)) shared by both kinds.

    Parameters
    ----------
    kind : int
    y : ndarray of shape (n_samples, n_classes), non-negative targets (IN)
    p : ndarray of shape (n_samples, n_classes), probabilities in [0, 1] (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    eps : float, in (0, 0.5)
    out : ndarray of shape (n_samples,) or (0,) (OUT); empty: not computed
    grad, hess : ndarrays of shape (n_samples, n_classes) or (0, n_classes) (OUT);
        empty: not computed
    """
    n_classes = p.shape[1]
    weighted = w.shape[0] > 0
    for r in range(p.shape[0]):
        wr = np.float64(w[r]) if weighted else 1.0
        if out.shape[0] > 0:
            v = 0.0
            for k in range(n_classes):
                yk = np.float64(y[r, k])
                if yk != 0.0:
                    log_q = math.log(max(np.float64(p[r, k]), eps))
                    if kind == KL:
                        v += yk * (math.log(yk) - log_q)
                    else:
                        v -= yk * log_q
            out[r] = wr * v
        if grad.shape[0] > 0:
            for k in range(n_classes):
                q = max(np.float64(p[r, k]), eps)
                yk = np.float64(y[r, k])
                grad[r, k] = wr * (-yk / q)
                hess[r, k] = wr * (yk / (q * q))
