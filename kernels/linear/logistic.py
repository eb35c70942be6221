"""Logistic-regression kernels: fused log-loss + gradient passes and a SAGA solver.

Objective conventions (those of fastml.linear_model.LogisticRegression): raw scores
are ``z_i = x_i . w + b`` (binary, one score) or ``z_ik = x_i . W[:, k] + b_k``
(multinomial, K scores). The per-sample losses are

- binary (y in {0, 1}): softplus(z) - y z, evaluated as
  max(z, 0) - y z + log1p(exp(-|z|)) (never overflows), derivative sigmoid(z) - y;
- multinomial (label c in 0..K-1): logsumexp(z) - z_c, evaluated with the row
  maximum subtracted, derivative softmax(z)_k - [k == c].

These are the same conventions as kernels/losses (BINARY_LOGISTIC and the LABELS
softmax kernels); they are not called here because the fused passes below need the
loss, the per-row derivative and the gradient's accumulation in one sweep over X.

``loss_gradient_binary`` / ``loss_gradient_multinomial``
    One pass over a range of row blocks of ``BLOCK_ROWS`` rows: per row the score
    (a dot product with 8 independent float64 accumulators, so it pipelines; the
    order of the additions depends only on n_features), the weighted loss and
    derivative ``g_i``, and ``g_i x_i`` added to the block's partial gradient. X is
    read once per evaluation (against two matrix-vector products for ``X w`` then
    ``X^T g``). Arithmetic is float64 whatever X's dtype. The kernels are serial
    and release the GIL: the caller (fastml.linear_model._logistic) splits the
    blocks over Python threads (fastml._parallel.run_chunks: no OpenMP workers
    spinning between the optimiser's calls) and adds the per-block partial sums in
    block order, so results do not depend on the thread count.

``saga_fit``
    SAGA (Defazio, Bach and Lacoste-Julien 2014) for
    (1/n) sum_i s_i l_i(W, b) + alpha/2 ||W||^2 + beta ||W||_1, the intercept
    unpenalised: each step picks a row j uniformly at random (with replacement),
    forms the new derivative d_j, and moves
    W <- prox_{step beta ||.||_1}(W - step (alpha W + (d_j - m_j) x_j + S / n)),
    where m_j is the stored derivative of row j and S = sum_i m_i x_i the table's
    sum (then m_j <- d_j and S is updated). On dense rows every coefficient moves at
    every step, so no lazy ("just in time") updates are needed; the table starts at
    the exact derivatives of the initial point (one extra pass), so S / n is the true
    mean gradient from the first step. Stopping, per epoch of n steps (scikit-learn's
    rule): max |change| / max |coefficient| <= tol (coefficients and intercepts).
    Serial (the method is sequential); the random rows come from Numba's generator
    drawn by a private SplitMix64 generator seeded with ``seed`` (the same
    model for the same seed; Numba's global random state is left alone).

Shapes and dtypes: X C-contiguous float64 or float32 (n_samples, n_features); y
float64 0/1 (binary) or int64 labels (multinomial); sample weights float64
(n_samples,) or (0,) for "all ones"; coefficients, intercepts and gradients
float64. Multinomial coefficients are (n_features, K) C-contiguous (feature-major,
the classes of one feature adjacent), which is the layout of the flat parameter
vector the L-BFGS driver sees.

Naive references: tests/naive/logistic.py; tests: tests/kernels/test_logistic.py.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "BLOCK_ROWS",
    "loss_gradient_binary",
    "loss_gradient_multinomial",
    "saga_fit",
]

# Rows per block of the fused passes: small enough for many blocks (load balance),
# large enough that the per-block partial gradients stay few.
BLOCK_ROWS = 1024


@jit(inline="always")
def _dot_row(X: np.ndarray, i: int, w: np.ndarray, n_features: int) -> float:
    """x_i . w in float64 with 8 accumulators (fixed order for a given n_features)."""
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    s4 = 0.0
    s5 = 0.0
    s6 = 0.0
    s7 = 0.0
    j = 0
    while j + 8 <= n_features:
        s0 += np.float64(X[i, j]) * w[j]
        s1 += np.float64(X[i, j + 1]) * w[j + 1]
        s2 += np.float64(X[i, j + 2]) * w[j + 2]
        s3 += np.float64(X[i, j + 3]) * w[j + 3]
        s4 += np.float64(X[i, j + 4]) * w[j + 4]
        s5 += np.float64(X[i, j + 5]) * w[j + 5]
        s6 += np.float64(X[i, j + 6]) * w[j + 6]
        s7 += np.float64(X[i, j + 7]) * w[j + 7]
        j += 8
    s = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
    while j < n_features:
        s += np.float64(X[i, j]) * w[j]
        j += 1
    return s


@jit(inline="always")
def _binary_loss_derivative(z: float, y: float) -> tuple[float, float]:
    """(softplus(z) - y z, sigmoid(z) - y) from one exp(-|z|)."""
    e = math.exp(-abs(z))
    s = 1.0 / (1.0 + e)
    sig = s if z >= 0.0 else e * s
    loss = max(z, 0.0) - y * z + math.log1p(e)
    return loss, sig - y


@jit
def loss_gradient_binary(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    coef: np.ndarray,
    intercept: float,
    block_start: int,
    block_stop: int,
    partial: np.ndarray,
    partial_loss: np.ndarray,
) -> None:
    """Weighted binary log-loss and gradient of row blocks [block_start, block_stop).

    Block b covers rows [b BLOCK_ROWS, min((b + 1) BLOCK_ROWS, n_samples)).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64 or float32 (IN)
    y : ndarray of shape (n_samples,), float64 in {0, 1} (IN)
    sample_weight : ndarray of shape (n_samples,) or (0,), float64 (IN)
        Empty: every weight is 1.
    coef : ndarray of shape (n_features,), float64 (IN)
    intercept : float
    block_start, block_stop : int
        The blocks to process (callers split the blocks over threads).
    partial : ndarray of shape (n_blocks, n_features + 1), float64 (OUT)
        Row b: sum over block b of s_i (sigmoid(z_i) - y_i) [x_i, 1] (the last
        entry is the intercept's). Only rows block_start..block_stop-1 are written.
    partial_loss : ndarray of shape (n_blocks,), float64 (OUT)
        Entry b: sum over block b of s_i (softplus(z_i) - y_i z_i).
    """
    n_samples, n_features = X.shape
    weighted = sample_weight.shape[0] > 0
    for block in range(block_start, block_stop):
        g = partial[block]
        g[:] = 0.0
        acc = 0.0
        acc_b = 0.0
        for i in range(block * BLOCK_ROWS, min(n_samples, (block + 1) * BLOCK_ROWS)):
            z = _dot_row(X, i, coef, n_features) + intercept
            loss, d = _binary_loss_derivative(z, y[i])
            if weighted:
                loss *= sample_weight[i]
                d *= sample_weight[i]
            acc += loss
            acc_b += d
            for j in range(n_features):
                g[j] += d * np.float64(X[i, j])
        g[n_features] = acc_b
        partial_loss[block] = acc


@jit(inline="always")
def _scores_row(
    X: np.ndarray, i: int, coef: np.ndarray, intercept: np.ndarray, z: np.ndarray
) -> None:
    """z <- x_i . coef + intercept (float64)."""
    n_features, n_classes = coef.shape
    for k in range(n_classes):
        z[k] = intercept[k]
    for j in range(n_features):
        xj = np.float64(X[i, j])
        for k in range(n_classes):
            z[k] += xj * coef[j, k]


@jit(inline="always")
def _softmax_inplace(z: np.ndarray) -> tuple[float, float]:
    """z <- softmax(z); returns (max(z), log(sum(exp(z - max(z)))))."""
    n_classes = z.shape[0]
    zmax = z[0]
    for k in range(1, n_classes):
        zmax = max(zmax, z[k])
    total = 0.0
    for k in range(n_classes):
        z[k] = math.exp(z[k] - zmax)
        total += z[k]
    for k in range(n_classes):
        z[k] /= total
    return zmax, math.log(total)


@jit
def loss_gradient_multinomial(
    X: np.ndarray,
    labels: np.ndarray,
    sample_weight: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    block_start: int,
    block_stop: int,
    partial: np.ndarray,
    partial_loss: np.ndarray,
) -> None:
    """Weighted multinomial log-loss and gradient of row blocks [block_start,
    block_stop) (block b: rows b BLOCK_ROWS to (b + 1) BLOCK_ROWS).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64 or float32 (IN)
    labels : ndarray of shape (n_samples,), int64 in [0, n_classes) (IN)
    sample_weight : ndarray of shape (n_samples,) or (0,), float64 (IN)
    coef : ndarray of shape (n_features, n_classes), float64 (IN)
    intercept : ndarray of shape (n_classes,), float64 (IN)
    block_start, block_stop : int
    partial : ndarray of shape (n_blocks, n_features + 1, n_classes), float64 (OUT)
        Block b's sum of s_i (softmax(z_i) - onehot(c_i)) outer [x_i, 1] (the last
        row is the intercepts').
    partial_loss : ndarray of shape (n_blocks,), float64 (OUT)
        Block b's sum of s_i (logsumexp(z_i) - z_i[c_i]).
    """
    n_samples, n_features = X.shape
    n_classes = coef.shape[1]
    weighted = sample_weight.shape[0] > 0
    z = np.empty(n_classes)
    for block in range(block_start, block_stop):
        g = partial[block]
        g[:] = 0.0
        acc = 0.0
        for i in range(block * BLOCK_ROWS, min(n_samples, (block + 1) * BLOCK_ROWS)):
            c = labels[i]
            _scores_row(X, i, coef, intercept, z)
            zc = z[c]
            zmax, log_total = _softmax_inplace(z)
            w = sample_weight[i] if weighted else 1.0
            acc += w * ((zmax - zc) + log_total)
            z[c] -= 1.0
            for k in range(n_classes):
                z[k] *= w
            for j in range(n_features):
                xj = np.float64(X[i, j])
                for k in range(n_classes):
                    g[j, k] += xj * z[k]
            for k in range(n_classes):
                g[n_features, k] += z[k]
        partial_loss[block] = acc


@jit(inline="always")
def _row_derivative(
    X: np.ndarray,
    i: int,
    y: np.ndarray,
    weight: float,
    coef: np.ndarray,
    intercept: np.ndarray,
    multinomial: bool,
    out: np.ndarray,
) -> None:
    """Weighted derivative of row i's loss w.r.t. its score(s) into out."""
    n_features, n_classes = coef.shape
    if multinomial:
        _scores_row(X, i, coef, intercept, out)
        _softmax_inplace(out)
        out[np.int64(y[i])] -= 1.0
        for k in range(n_classes):
            out[k] *= weight
    else:
        z = intercept[0]
        for j in range(n_features):
            z += np.float64(X[i, j]) * coef[j, 0]
        e = math.exp(-abs(z))
        s = 1.0 / (1.0 + e)
        sig = s if z >= 0.0 else e * s
        out[0] = weight * (sig - y[i])


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@jit(inline="always")
def _splitmix64(state: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SplitMix64 (Steele, Lea and Flood 2014): (new state, 64 random bits).

    A private generator: the kernel leaves Numba's global random state alone."""
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return state, z ^ (z >> np.uint64(31))


@jit
def saga_fit(
    X: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray,
    multinomial: bool,
    fit_intercept: bool,
    alpha: float,
    beta: float,
    step: float,
    max_iter: int,
    tol: float,
    seed: int,
    coef: np.ndarray,
    intercept: np.ndarray,
) -> int:
    """Minimise (1/n) sum_i s_i l_i + alpha/2 ||coef||^2 + beta ||coef||_1 by SAGA.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64 or float32 (IN)
    y : ndarray of shape (n_samples,), float64 (IN)
        0/1 targets (binary) or class indices stored as float64 (multinomial).
    sample_weight : ndarray of shape (n_samples,), float64 (IN)
    multinomial : bool
        Softmax loss over coef's K columns; False: binary log-loss, K = 1.
    fit_intercept : bool
        False keeps the intercepts at their initial value (zero).
    alpha, beta : float
        L2 and L1 strengths of the (1/n)-scaled objective.
    step : float
        Step size (1 / (2 L + min(2 n alpha, L)) with L the largest per-row
        Lipschitz constant, as scikit-learn's SAGA).
    max_iter : int
        Maximum number of epochs (n_samples steps each).
    tol : float
        Stop after an epoch with max |change| <= tol max |coefficient|.
    seed : int
        Seed of the row sampling.
    coef : ndarray of shape (n_features, K), float64 (IN/OUT)
        Initial point, overwritten by the solution.
    intercept : ndarray of shape (K,), float64 (IN/OUT)

    Returns
    -------
    n_epochs : int
        Epochs run; max_iter + 1 when the tolerance was not reached.
    """
    state = np.uint64(seed)
    n_rows_u = np.uint64(X.shape[0])
    n_samples, n_features = X.shape
    n_classes = coef.shape[1]
    memory = np.zeros((n_samples, n_classes))
    table_sum = np.zeros((n_features, n_classes))
    table_sum_b = np.zeros(n_classes)
    d = np.empty(n_classes)
    for i in range(n_samples):
        _row_derivative(
            X, i, y, sample_weight[i], coef, intercept, multinomial, memory[i]
        )
        for j in range(n_features):
            xj = np.float64(X[i, j])
            for k in range(n_classes):
                table_sum[j, k] += memory[i, k] * xj
        for k in range(n_classes):
            table_sum_b[k] += memory[i, k]
    previous = coef.copy()
    previous_b = intercept.copy()
    inv_n = 1.0 / n_samples
    shrink = 1.0 - step * alpha
    threshold = step * beta
    for epoch in range(max_iter):
        for _ in range(n_samples):
            state, bits = _splitmix64(state)
            row = np.int64(bits % n_rows_u)
            _row_derivative(
                X, row, y, sample_weight[row], coef, intercept, multinomial, d
            )
            for k in range(n_classes):
                d[k] -= memory[row, k]  # now the change of this row's derivative
            for j in range(n_features):
                xj = np.float64(X[row, j])
                for k in range(n_classes):
                    v = shrink * coef[j, k] - step * (
                        d[k] * xj + table_sum[j, k] * inv_n
                    )
                    if v > threshold:
                        v -= threshold
                    elif v < -threshold:
                        v += threshold
                    else:
                        v = 0.0
                    coef[j, k] = v
                    table_sum[j, k] += d[k] * xj
            for k in range(n_classes):
                if fit_intercept:
                    intercept[k] -= step * (d[k] + table_sum_b[k] * inv_n)
                table_sum_b[k] += d[k]
                memory[row, k] += d[k]
        max_change = 0.0
        max_weight = 0.0
        for j in range(n_features):
            for k in range(n_classes):
                max_change = max(max_change, abs(coef[j, k] - previous[j, k]))
                max_weight = max(max_weight, abs(coef[j, k]))
                previous[j, k] = coef[j, k]
        for k in range(n_classes):
            max_change = max(max_change, abs(intercept[k] - previous_b[k]))
            max_weight = max(max_weight, abs(intercept[k]))
            previous_b[k] = intercept[k]
        if (max_weight != 0.0 and max_change <= tol * max_weight) or (
            max_weight == 0.0 and max_change == 0.0
        ):
            return epoch + 1
    return max_iter + 1
