"""Loss kernels with a row of class scores per sample: softmax cross-entropy and KL
divergence from logits, categorical cross-entropy and KL from probabilities.

Every specialization costs compile time on a user's first call, so one kernel
serves several losses through an integer ``kind``.

From logits, ``loss_softmax_f64/_f32(kind, labels, y, raw, w, out)`` (weighted
per-sample loss) and ``gradient_hessian_softmax_f64/_f32(kind, labels, y, raw, w,
grad, hess)`` (weighted gradient and diagonal hessian), one per storage dtype,
``kind`` picking the target form:

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

Algorithm (logits): rows are processed in blocks of about ``_BLOCK`` entries (at
least 64 rows), copied class-major so that every loop runs over the block's rows
and vectorises even for short rows such as 10 classes. Per block: the row maxima m,
then one vectorised pass of exp(raw - m) (the difference taken exactly with
``two_diff``, the exp of ``fastml.kernels._vecmath``: float32 lanes for float32),
then per row the sum "rest" of all
exponentials but the maximum's (which is exactly 1) in float64, s = 1 + rest, and a
vectorised log(s) = log1p(rest). The loss is (m - raw[label]) + log1p(rest), never
overflowing for any finite logits and accurate to the last digit even for confident
rows (rest ~ 1e-13); likewise 1 - p for the gradient and hessian is rest / s for the
maximum, not 1 minus a rounded p. A row holding +inf or NaN gives NaN.

From probabilities, ``evaluate_proba_loss(kind, y, p, w, eps, out, grad, hess)``
(generic over the dtype, float64 arithmetic; it writes the loss into ``out`` and/or
the derivatives into ``grad`` and ``hess``, those not wanted being passed empty): CROSS_ENTROPY:
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
    "loss_softmax_f64",
    "loss_softmax_f32",
    "gradient_hessian_softmax_f64",
    "gradient_hessian_softmax_f32",
    "evaluate_proba_loss",
]

# Kinds of the logits kernels.
LABELS = 0
SOFT = 1
KL = 2
# Kinds of loss_multiclass_proba (KL as above).
CROSS_ENTROPY = 0

#: Entries per block in the logits kernels (scratch buffers of this size stay in L1),
#: and the fewest rows per block (the length of the vectorised row loops).
_BLOCK = 2048
_MIN_BLOCK_ROWS = 64


# --- logits: block helpers (generic over the dtype) ----------------------------------
#
# A block holds nb rows transposed (class-major: zt[k * nb + r] = raw[r0 + r, k]), so
# that every per-row reduction (max, sums) is a loop over rows that LLVM vectorises,
# whatever the number of classes: with 10 classes a row-major loop would be 10
# dependent steps per row.


@jit
def _block_log_sums(
    e: np.ndarray,
    nb: int,
    n_classes: int,
    rest: np.ndarray,
    ones: np.ndarray,
    log_s: np.ndarray,
) -> None:
    """rest[r] = s_r - 1 with s_r the row's sum of exponentials, in float64, and
    log_s[r] = log1p(rest[r]) = log(s_r).

    The maximum's exponential is exactly 1, so rest is (sum of the entries below 1)
    + (number of 1s - 1), never 1 + tiny - 1: accurate to the last digit even for
    confident rows (s = 1 + 1e-13). NaN entries give NaN.
    """
    for r in range(nb):
        rest[r] = 0.0
        ones[r] = -1.0
    for k in range(n_classes):
        base = k * nb
        for r in range(nb):
            v = np.float64(e[base + r])
            one = v == 1.0
            rest[r] += 0.0 if one else v
            ones[r] += 1.0 if one else 0.0
    for r in range(nb):
        rest[r] += ones[r]
        log_s[r] = log1p_nonneg_f64(rest[r])


@jit
def _block_loss(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    zt: np.ndarray,
    w: np.ndarray,
    r0: int,
    nb: int,
    m: np.ndarray,
    log_s: np.ndarray,
    acc: np.ndarray,
    out: np.ndarray,
) -> None:
    n_classes = zt.shape[0] // max(1, nb) if nb else 0
    if kind == LABELS:
        for r in range(nb):
            z_label = np.float64(zt[labels[r0 + r] * nb + r])
            acc[r] = (np.float64(m[r]) - z_label) + log_s[r]
    else:
        for r in range(nb):
            acc[r] = 0.0
        for k in range(n_classes):
            base = k * nb
            for r in range(nb):
                yk = np.float64(y[r0 + r, k])
                term = yk * ((np.float64(m[r]) - np.float64(zt[base + r])) + log_s[r])
                if kind == KL:
                    term += yk * math.log(yk) if yk > 0.0 else 0.0
                acc[r] += term if yk != 0.0 else 0.0
    if w.shape[0] > 0:
        for r in range(nb):
            out[r0 + r] = acc[r] * np.float64(w[r0 + r])
    else:
        for r in range(nb):
            out[r0 + r] = acc[r]


@jit
def _block_gradient_hessian(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    e: np.ndarray,
    rest: np.ndarray,
    r0: int,
    nb: int,
    scale: np.ndarray,
    total: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    n_classes = grad.shape[1]
    weighted = w.shape[0] > 0
    # scale[r] = 1 / s_r, total[r] = t_r = sum_k y[r, k] (1 for class indices).
    for r in range(nb):
        scale[r] = 1.0 / (1.0 + rest[r])
        total[r] = 1.0
    if kind != LABELS:
        for r in range(nb):
            t = 0.0
            for k in range(n_classes):
                t += np.float64(y[r0 + r, k])
            total[r] = t
    # 1 - p_k = (sum of the other exponentials) / s, formed without cancellation:
    # rest for a row maximum (e_k == 1 exactly), 1 + (rest - e_k) for the others.
    for k in range(n_classes):
        base = k * nb
        for r in range(nb):
            ek = np.float64(e[base + r])
            rr = rest[r]
            inv = scale[r]
            wr = np.float64(w[r0 + r]) if weighted else 1.0
            p = ek * inv
            q = (rr if ek == 1.0 else 1.0 + (rr - ek)) * inv
            if kind == LABELS:
                grad[r0 + r, k] = wr * (-q if labels[r0 + r] == k else p)
                hess[r0 + r, k] = wr * (p * q)
            else:
                tp = total[r] * p
                grad[r0 + r, k] = wr * (tp - np.float64(y[r0 + r, k]))
                hess[r0 + r, k] = wr * (tp * q)


# --- logits: kernels (one per dtype: the exp pass differs; loss and derivatives
# apart, so that a first call compiles only what it uses) ------------------------


@jit
def _softmax_block_f64(
    raw: np.ndarray,
    r0: int,
    nb: int,
    zt: np.ndarray,
    e: np.ndarray,
    m: np.ndarray,
    rest: np.ndarray,
    ones: np.ndarray,
    log_s: np.ndarray,
) -> None:
    """Rows r0:r0+nb: transposed logits zt, maxima m, exponentials e, rest = s - 1
    and log_s = log(s) (the part shared by the loss and its derivatives)."""
    n_classes = raw.shape[1]
    # Transpose the block class-major, then row maxima as selects (NaN ignored).
    for r in range(nb):
        row = raw[r0 + r]
        for k in range(n_classes):
            zt[k * nb + r] = row[k]
    for r in range(nb):
        m[r] = zt[r]
    for k in range(1, n_classes):
        base = k * nb
        for r in range(nb):
            v = zt[base + r]
            m[r] = v if v > m[r] else m[r]
    for k in range(n_classes):
        base = k * nb
        for r in range(nb):
            d, err = two_diff(zt[base + r], m[r])
            e[base + r] = exp_nonpos_f64(d, err)
    _block_log_sums(e, nb, n_classes, rest, ones, log_s)


@jit
def loss_softmax_f64(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    out: np.ndarray,
) -> None:
    """Weighted per-sample softmax cross-entropy or KL from float64 logits.

    Parameters
    ----------
    kind : int
        LABELS, SOFT or KL (module docstring).
    labels : ndarray of shape (n_samples,) or (0,), int64 in [0, n_classes) (IN)
    y : ndarray of shape (n_samples, n_classes) or (0, n_classes), float64 (IN)
    raw : ndarray of shape (n_samples, n_classes), float64 logits (IN)
    w : ndarray of shape (n_samples,) or (0,), float64 (IN)
    out : ndarray of shape (n_samples,), float64 (OUT)
    """
    n_rows, n_classes = raw.shape
    rows = max(_MIN_BLOCK_ROWS, _BLOCK // max(1, n_classes))
    zt = np.empty(rows * n_classes, dtype=np.float64)
    e = np.empty(rows * n_classes, dtype=np.float64)
    m = np.empty(rows, dtype=np.float64)
    rest = np.empty(rows, dtype=np.float64)
    log_s = np.empty(rows, dtype=np.float64)
    acc = np.empty(rows, dtype=np.float64)
    for r0 in range(0, n_rows, rows):
        nb = min(rows, n_rows - r0)
        _softmax_block_f64(raw, r0, nb, zt, e, m, rest, acc, log_s)
        _block_loss(
            kind, labels, y, zt[: nb * n_classes], w, r0, nb, m, log_s, acc, out
        )


@jit
def gradient_hessian_softmax_f64(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Weighted gradient and diagonal hessian of :func:`loss_softmax_f64` w.r.t. the
    logits (kind LABELS, or SOFT / KL, which share them).

    Parameters
    ----------
    kind, labels, y, raw, w : as in :func:`loss_softmax_f64` (IN)
    grad, hess : ndarray of shape (n_samples, n_classes), float64 (OUT)
    """
    n_rows, n_classes = raw.shape
    rows = max(_MIN_BLOCK_ROWS, _BLOCK // max(1, n_classes))
    zt = np.empty(rows * n_classes, dtype=np.float64)
    e = np.empty(rows * n_classes, dtype=np.float64)
    m = np.empty(rows, dtype=np.float64)
    rest = np.empty(rows, dtype=np.float64)
    log_s = np.empty(rows, dtype=np.float64)
    acc = np.empty(rows, dtype=np.float64)
    total = np.empty(rows, dtype=np.float64)
    for r0 in range(0, n_rows, rows):
        nb = min(rows, n_rows - r0)
        _softmax_block_f64(raw, r0, nb, zt, e, m, rest, acc, log_s)
        _block_gradient_hessian(
            kind, labels, y, w, e, rest, r0, nb, acc, total, grad, hess
        )


@jit
def _softmax_block_f32(
    raw: np.ndarray,
    r0: int,
    nb: int,
    zt: np.ndarray,
    e: np.ndarray,
    m: np.ndarray,
    rest: np.ndarray,
    ones: np.ndarray,
    log_s: np.ndarray,
) -> None:
    """Rows r0:r0+nb: transposed logits zt, maxima m, exponentials e, rest = s - 1
    and log_s = log(s) (the part shared by the loss and its derivatives)."""
    n_classes = raw.shape[1]
    # Transpose the block class-major, then row maxima as selects (NaN ignored).
    for r in range(nb):
        row = raw[r0 + r]
        for k in range(n_classes):
            zt[k * nb + r] = row[k]
    for r in range(nb):
        m[r] = zt[r]
    for k in range(1, n_classes):
        base = k * nb
        for r in range(nb):
            v = zt[base + r]
            m[r] = v if v > m[r] else m[r]
    for k in range(n_classes):
        base = k * nb
        for r in range(nb):
            d, err = two_diff(zt[base + r], m[r])
            e[base + r] = exp_nonpos_f32(d, err)
    _block_log_sums(e, nb, n_classes, rest, ones, log_s)


@jit
def loss_softmax_f32(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    out: np.ndarray,
) -> None:
    """As :func:`loss_softmax_f64` for float32 arrays (exponentials in float32
    lanes, sums and logs in float64)."""
    n_rows, n_classes = raw.shape
    rows = max(_MIN_BLOCK_ROWS, _BLOCK // max(1, n_classes))
    zt = np.empty(rows * n_classes, dtype=np.float32)
    e = np.empty(rows * n_classes, dtype=np.float32)
    m = np.empty(rows, dtype=np.float32)
    rest = np.empty(rows, dtype=np.float64)
    log_s = np.empty(rows, dtype=np.float64)
    acc = np.empty(rows, dtype=np.float64)
    for r0 in range(0, n_rows, rows):
        nb = min(rows, n_rows - r0)
        _softmax_block_f32(raw, r0, nb, zt, e, m, rest, acc, log_s)
        _block_loss(
            kind, labels, y, zt[: nb * n_classes], w, r0, nb, m, log_s, acc, out
        )


@jit
def gradient_hessian_softmax_f32(
    kind: int,
    labels: np.ndarray,
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """As :func:`gradient_hessian_softmax_f64` for float32 arrays."""
    n_rows, n_classes = raw.shape
    rows = max(_MIN_BLOCK_ROWS, _BLOCK // max(1, n_classes))
    zt = np.empty(rows * n_classes, dtype=np.float32)
    e = np.empty(rows * n_classes, dtype=np.float32)
    m = np.empty(rows, dtype=np.float32)
    rest = np.empty(rows, dtype=np.float64)
    log_s = np.empty(rows, dtype=np.float64)
    acc = np.empty(rows, dtype=np.float64)
    total = np.empty(rows, dtype=np.float64)
    for r0 in range(0, n_rows, rows):
        nb = min(rows, n_rows - r0)
        _softmax_block_f32(raw, r0, nb, zt, e, m, rest, acc, log_s)
        _block_gradient_hessian(
            kind, labels, y, w, e, rest, r0, nb, acc, total, grad, hess
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
