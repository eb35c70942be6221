"""Loss kernels for classification: binary cross-entropy (from logits and from
probabilities), hinge, categorical cross-entropy (from logits with class indices or
soft targets, and from probabilities) and KL divergence.

Each family comes as ``loss_<name>`` (per-sample loss, times the sample weight) and
``gradient_hessian_<name>`` (weighted gradient and diagonal hessian with respect to
the prediction, written in one pass).

Shapes and dtypes:

- binary kernels: ``y``, ``raw``/``p``, ``out``, ``grad``, ``hess`` are 1-D of length
  n_samples;
- multiclass kernels: ``raw``/``p``, ``grad``, ``hess`` (and soft targets ``y``) are
  2-D (n_samples, n_classes), class indices ``labels`` are int64 of length n_samples,
  ``out`` is 1-D of length n_samples.

Float arrays are all float64 or all float32 and C-contiguous; ``w`` has the float
dtype and length n_samples, or length 0 for "no weights". Arithmetic is float64,
rounded once on store. Loops are ``prange`` over samples (rows); outputs depend on
their own row only, so results do not depend on the thread count. Inputs are assumed
valid (fastml.losses validates them).

Stability: logits enter only through max(z, 0) + log1p(exp(-|z|)), the two-branch
sigmoid and row-max-shifted softmax, so logits of any finite size (1e4 and beyond)
give no inf or NaN. Probabilities are clipped to [eps, 1 - eps] (binary) or
[eps, 1] (categorical) before any log or division.

Naive references: tests/naive/losses.py; tests: tests/kernels/test_losses.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit_parallel, prange
from fastml.kernels.losses._common import (
    ROW_CHUNK,
    row_max_sumexp,
    row_softmax,
    softplus,
    xlogx,
)

__all__ = [
    "loss_binary_logistic",
    "gradient_hessian_binary_logistic",
    "loss_binary_cross_entropy",
    "gradient_hessian_binary_cross_entropy",
    "loss_hinge",
    "gradient_hessian_hinge",
    "loss_softmax_cross_entropy",
    "gradient_hessian_softmax_cross_entropy",
    "loss_softmax_cross_entropy_soft",
    "gradient_hessian_softmax_cross_entropy_soft",
    "loss_kl_divergence_logits",
    "loss_categorical_cross_entropy",
    "loss_kl_divergence",
    "gradient_hessian_categorical_cross_entropy",
]


# --- binary -----------------------------------------------------------------------


@jit_parallel
def loss_binary_logistic(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
) -> None:
    """Binary cross-entropy from a logit z: softplus(z) - y z, for y in [0, 1].

    This is -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))], rewritten as
    max(z, 0) - y z + log1p(exp(-|z|)).

    Parameters
    ----------
    y : ndarray of shape (n_samples,), values in [0, 1] (IN)
    raw : ndarray of shape (n_samples,), logits (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        z = float(raw[i])
        v = softplus(z) - float(y[i]) * z
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_binary_logistic(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, grad: np.ndarray, hess: np.ndarray
) -> None:
    """Gradient sigmoid(z) - y and hessian sigmoid(z) (1 - sigmoid(z)) of
    :func:`loss_binary_logistic` (the hessian is not clamped: it underflows to 0
    for |z| > ~745).

    Parameters
    ----------
    y, raw, w : as in :func:`loss_binary_logistic` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        z = float(raw[i])
        # One exponential for both: with e = exp(-|z|) and s = 1 / (1 + e),
        # sigmoid(z) is s (z >= 0) or e s (z < 0), and sigmoid'(z) = e s^2.
        e = math.exp(-abs(z))
        s = 1.0 / (1.0 + e)
        es = e * s
        g = (s if z >= 0.0 else es) - float(y[i])
        h = es * s
        if weighted:
            g *= float(w[i])
            h *= float(w[i])
        grad[i] = g
        hess[i] = h


@jit_parallel
def loss_binary_cross_entropy(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, eps: float, out: np.ndarray
) -> None:
    """Binary cross-entropy from a probability: -[y log q + (1 - y) log(1 - q)] with
    q = clip(p, eps, 1 - eps).

    Parameters
    ----------
    y : ndarray of shape (n_samples,), values in [0, 1] (IN)
    p : ndarray of shape (n_samples,), probabilities in [0, 1] (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    eps : float, in (0, 0.5)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    upper = 1.0 - eps
    for i in prange(p.shape[0]):
        q = min(max(float(p[i]), eps), upper)
        yi = float(y[i])
        v = -(yi * math.log(q) + (1.0 - yi) * math.log1p(-q))
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_binary_cross_entropy(
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray,
    eps: float,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Gradient (q - y) / (q (1 - q)) and hessian y / q^2 + (1 - y) / (1 - q)^2 of
    :func:`loss_binary_cross_entropy` with respect to the probability, evaluated at
    the clipped q = clip(p, eps, 1 - eps).

    Parameters
    ----------
    y, p, w, eps : as in :func:`loss_binary_cross_entropy` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    upper = 1.0 - eps
    for i in prange(p.shape[0]):
        q = min(max(float(p[i]), eps), upper)
        yi = float(y[i])
        q1 = 1.0 - q
        g = (q - yi) / (q * q1)
        h = yi / (q * q) + (1.0 - yi) / (q1 * q1)
        if weighted:
            g *= float(w[i])
            h *= float(w[i])
        grad[i] = g
        hess[i] = h


@jit_parallel
def loss_hinge(y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray) -> None:
    """Hinge loss max(0, 1 - y z) for labels y in {-1, 1} and decision values z.

    Parameters
    ----------
    y : ndarray of shape (n_samples,), values -1 or 1 (IN)
    raw : ndarray of shape (n_samples,) (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        margin = 1.0 - float(y[i]) * float(raw[i])
        v = margin if margin > 0.0 else 0.0
        if weighted:
            v *= float(w[i])
        out[i] = v


@jit_parallel
def gradient_hessian_hinge(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, grad: np.ndarray, hess: np.ndarray
) -> None:
    """(Sub)gradient -y where y z < 1, else 0, and hessian 0 of :func:`loss_hinge`.

    At the kink y z == 1 the subgradient 0 is written; the second derivative is 0
    wherever it exists and 0 is written everywhere.

    Parameters
    ----------
    y, raw, w : as in :func:`loss_hinge` (IN)
    grad, hess : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for i in prange(raw.shape[0]):
        yi = float(y[i])
        g = -yi if yi * float(raw[i]) < 1.0 else 0.0
        if weighted:
            g *= float(w[i])
        grad[i] = g
        hess[i] = 0.0


# --- multiclass from logits --------------------------------------------------------


@jit_parallel
def loss_softmax_cross_entropy(
    labels: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
) -> None:
    """Cross-entropy of softmax(raw[i]) at the class labels[i]:
    logsumexp(raw[i]) - raw[i, labels[i]], evaluated as (m - z_y) + log(s) with m
    the row maximum and s = sum_k exp(z_k - m).

    Parameters
    ----------
    labels : ndarray of shape (n_samples,), int64 in [0, n_classes) (IN)
    raw : ndarray of shape (n_samples, n_classes), logits (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    for r in prange(raw.shape[0]):
        m, s = row_max_sumexp(raw, r)
        v = (m - float(raw[r, labels[r]])) + math.log(s)
        if weighted:
            v *= float(w[r])
        out[r] = v


@jit_parallel
def gradient_hessian_softmax_cross_entropy(
    labels: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Gradient p - onehot(label) and diagonal hessian p (1 - p), p = softmax(raw[i]),
    of :func:`loss_softmax_cross_entropy` (XGBoost's multi:softprob uses the same
    gradient and 2 p (1 - p) clamped at 1e-16 as its hessian).

    Parameters
    ----------
    labels, raw, w : as in :func:`loss_softmax_cross_entropy` (IN)
    grad, hess : ndarray of shape (n_samples, n_classes) (OUT)
    """
    weighted = w.shape[0] > 0
    n_rows, n_classes = raw.shape
    n_chunks = (n_rows + ROW_CHUNK - 1) // ROW_CHUNK
    # One float64 softmax buffer per chunk of rows, allocated up front so that no
    # buffer is ever shared between threads.
    scratch = np.empty((n_chunks, n_classes), dtype=np.float64)
    for chunk in prange(n_chunks):
        p = scratch[chunk]
        for r in range(chunk * ROW_CHUNK, min(n_rows, (chunk + 1) * ROW_CHUNK)):
            row_softmax(raw, r, p)
            wr = float(w[r]) if weighted else 1.0
            label = labels[r]
            for k in range(n_classes):
                pk = p[k]
                g = pk - 1.0 if k == label else pk
                grad[r, k] = wr * g
                hess[r, k] = wr * (pk * (1.0 - pk))


@jit_parallel
def loss_softmax_cross_entropy_soft(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
) -> None:
    """Cross-entropy of softmax(raw[i]) against soft targets y[i]:
    sum_k y_k (logsumexp(raw[i]) - raw[i, k]).

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_classes), non-negative (IN)
    raw : ndarray of shape (n_samples, n_classes), logits (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    n_classes = raw.shape[1]
    for r in prange(raw.shape[0]):
        m, s = row_max_sumexp(raw, r)
        log_s = math.log(s)
        v = 0.0
        for k in range(n_classes):
            yk = float(y[r, k])
            if yk != 0.0:
                v += yk * ((m - float(raw[r, k])) + log_s)
        if weighted:
            v *= float(w[r])
        out[r] = v


@jit_parallel
def gradient_hessian_softmax_cross_entropy_soft(
    y: np.ndarray,
    raw: np.ndarray,
    w: np.ndarray,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Gradient t p - y and diagonal hessian t p (1 - p), with p = softmax(raw[i]) and
    t = sum_k y[i, k] (t = 1 for probability targets), of
    :func:`loss_softmax_cross_entropy_soft`.

    Parameters
    ----------
    y, raw, w : as in :func:`loss_softmax_cross_entropy_soft` (IN)
    grad, hess : ndarray of shape (n_samples, n_classes) (OUT)
    """
    weighted = w.shape[0] > 0
    n_rows, n_classes = raw.shape
    n_chunks = (n_rows + ROW_CHUNK - 1) // ROW_CHUNK
    # One float64 softmax buffer per chunk of rows, allocated up front so that no
    # buffer is ever shared between threads.
    scratch = np.empty((n_chunks, n_classes), dtype=np.float64)
    for chunk in prange(n_chunks):
        p = scratch[chunk]
        for r in range(chunk * ROW_CHUNK, min(n_rows, (chunk + 1) * ROW_CHUNK)):
            row_softmax(raw, r, p)
            total = 0.0
            for k in range(n_classes):
                total += float(y[r, k])
            wr = float(w[r]) if weighted else 1.0
            for k in range(n_classes):
                pk = p[k]
                grad[r, k] = wr * (total * pk - float(y[r, k]))
                hess[r, k] = wr * (total * pk * (1.0 - pk))


@jit_parallel
def loss_kl_divergence_logits(
    y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
) -> None:
    """KL(y[i] || softmax(raw[i])) = sum_k y_k (log y_k - log_softmax(raw[i])_k),
    with 0 log 0 = 0. Its gradient and hessian are those of
    :func:`gradient_hessian_softmax_cross_entropy_soft` (the two losses differ by
    the entropy of y, which does not depend on raw).

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_classes), non-negative (IN)
    raw : ndarray of shape (n_samples, n_classes), logits (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    n_classes = raw.shape[1]
    for r in prange(raw.shape[0]):
        m, s = row_max_sumexp(raw, r)
        log_s = math.log(s)
        v = 0.0
        for k in range(n_classes):
            yk = float(y[r, k])
            if yk != 0.0:
                v += xlogx(yk) + yk * ((m - float(raw[r, k])) + log_s)
        if weighted:
            v *= float(w[r])
        out[r] = v


# --- multiclass from probabilities ----------------------------------------------------


@jit_parallel
def loss_categorical_cross_entropy(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, eps: float, out: np.ndarray
) -> None:
    """Cross-entropy from probabilities: -sum_k y_k log(max(p_k, eps)).

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_classes), non-negative targets (IN)
    p : ndarray of shape (n_samples, n_classes), probabilities in [0, 1] (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    eps : float, in (0, 0.5)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    n_classes = p.shape[1]
    for r in prange(p.shape[0]):
        v = 0.0
        for k in range(n_classes):
            yk = float(y[r, k])
            if yk != 0.0:
                v -= yk * math.log(max(float(p[r, k]), eps))
        if weighted:
            v *= float(w[r])
        out[r] = v


@jit_parallel
def loss_kl_divergence(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, eps: float, out: np.ndarray
) -> None:
    """KL(y[i] || p[i]) = sum_k y_k log(y_k / max(p_k, eps)), with 0 log 0 = 0
    (scipy.special.rel_entr summed over classes). Its gradient and hessian are those
    of :func:`gradient_hessian_categorical_cross_entropy`.

    Parameters
    ----------
    y : ndarray of shape (n_samples, n_classes), non-negative (IN)
    p : ndarray of shape (n_samples, n_classes), probabilities in [0, 1] (IN)
    w : ndarray of shape (n_samples,) or (0,) (IN)
    eps : float, in (0, 0.5)
    out : ndarray of shape (n_samples,) (OUT)
    """
    weighted = w.shape[0] > 0
    n_classes = p.shape[1]
    for r in prange(p.shape[0]):
        v = 0.0
        for k in range(n_classes):
            yk = float(y[r, k])
            if yk != 0.0:
                v += yk * (math.log(yk) - math.log(max(float(p[r, k]), eps)))
        if weighted:
            v *= float(w[r])
        out[r] = v


@jit_parallel
def gradient_hessian_categorical_cross_entropy(
    y: np.ndarray,
    p: np.ndarray,
    w: np.ndarray,
    eps: float,
    grad: np.ndarray,
    hess: np.ndarray,
) -> None:
    """Gradient -y_k / q_k and diagonal hessian y_k / q_k^2 with q = max(p, eps),
    of :func:`loss_categorical_cross_entropy` and :func:`loss_kl_divergence` with
    respect to each probability p_k taken as a free variable (no simplex constraint).

    Parameters
    ----------
    y, p, w, eps : as in :func:`loss_categorical_cross_entropy` (IN)
    grad, hess : ndarray of shape (n_samples, n_classes) (OUT)
    """
    weighted = w.shape[0] > 0
    n_classes = p.shape[1]
    for r in prange(p.shape[0]):
        wr = float(w[r]) if weighted else 1.0
        for k in range(n_classes):
            q = max(float(p[r, k]), eps)
            yk = float(y[r, k])
            grad[r, k] = wr * (-yk / q)
            hess[r, k] = wr * (yk / (q * q))
