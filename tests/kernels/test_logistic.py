"""Logistic kernels (fastml.kernels.linear.logistic) against the naive references in
tests/naive/logistic.py: fused loss/gradient passes, finite differences, thread-count
invariance, extreme scores, and the SAGA solver against proximal gradient."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.linear import logistic as K
from naive.logistic import (
    binary_loss_gradient,
    multinomial_loss_gradient,
    proximal_gradient_binary,
)

# float64 X: both sides sum the same float64 products in different orders, so they
# agree to a few ulps of the magnitudes summed (rtol 1e-12 of the largest term).
# float32 X: the kernel widens each entry exactly to float64, so the reference on
# X.astype(float64) is the same arithmetic: same tolerance.
RTOL = 1e-12


def _binary_kernel(X, y, w, coef, b, grad):
    """All blocks in one call, partial sums added in block order."""
    n_blocks = max(1, -(-X.shape[0] // K.BLOCK_ROWS))
    partial = np.full((n_blocks, X.shape[1] + 1), np.nan)
    partial_loss = np.full(n_blocks, np.nan)
    K.loss_gradient_binary(X, y, w, coef, b, 0, n_blocks, partial, partial_loss)
    grad[:] = partial.sum(axis=0)
    return partial_loss.sum()


def _multinomial_kernel(X, labels, w, coef, b, grad):
    n_blocks = max(1, -(-X.shape[0] // K.BLOCK_ROWS))
    partial = np.full((n_blocks, X.shape[1] + 1, coef.shape[1]), np.nan)
    partial_loss = np.full(n_blocks, np.nan)
    K.loss_gradient_multinomial(
        X, labels, w, coef, b, 0, n_blocks, partial, partial_loss
    )
    grad[:] = partial.sum(axis=0)
    return partial_loss.sum()


def _data(seed: int, n: int, p: int, dtype: type, k: int = 2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)).astype(dtype)
    y = rng.integers(0, k, n)
    sw = rng.uniform(0.0, 3.0, n)
    return X, y, sw


def _close(a: np.ndarray, b: np.ndarray, scale: float) -> None:
    np.testing.assert_allclose(a, b, rtol=0, atol=RTOL * max(scale, 1.0))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("seed", "n", "p"), [(0, 1, 1), (1, 7, 3), (2, 1025, 13), (3, 3000, 16)]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_matches_naive(dtype, seed, n, p, weighted):
    X, y, sw = _data(seed, n, p, dtype)
    rng = np.random.default_rng(seed + 100)
    coef = rng.standard_normal(p)
    b = float(rng.standard_normal())
    w = sw if weighted else np.empty(0)
    grad = np.empty(p + 1)
    loss = _binary_kernel(X, y.astype(np.float64), w, coef, b, grad)
    ref_loss, ref_grad = binary_loss_gradient(X, y, w, coef, b)
    scale = float(np.sum(np.abs(X.astype(float)))) * (3.0 if weighted else 1.0)
    _close(np.array(loss), np.array(ref_loss), scale * (np.abs(coef).max() + 1))
    _close(grad, ref_grad, scale)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("seed", "n", "p", "k"), [(0, 1, 2, 3), (1, 1500, 9, 4)])
@pytest.mark.parametrize("weighted", [False, True])
def test_multinomial_matches_naive(dtype, seed, n, p, k, weighted):
    X, y, sw = _data(seed, n, p, dtype, k)
    rng = np.random.default_rng(seed + 7)
    coef = rng.standard_normal((p, k))
    b = rng.standard_normal(k)
    w = sw if weighted else np.empty(0)
    grad = np.empty((p + 1, k))
    loss = _multinomial_kernel(X, y.astype(np.int64), w, coef, b, grad)
    ref_loss, ref_grad = multinomial_loss_gradient(X, y, w, coef, b)
    scale = float(np.sum(np.abs(X.astype(float)))) * (3.0 if weighted else 1.0)
    _close(np.array(loss), np.array(ref_loss), scale * (np.abs(coef).max() + 1))
    _close(grad, ref_grad, scale)


def test_gradients_match_finite_differences():
    X, y, sw = _data(5, 200, 6, np.float64, 3)
    rng = np.random.default_rng(1)
    # binary: central differences of the loss, step 1e-6 (truncation ~1e-12 h^2 f'''
    # and rounding ~1e-16 |f| / h: both far below the 1e-6 relative tolerance)
    coef, b = rng.standard_normal(6) * 0.3, 0.2
    yb = (y > 0).astype(np.float64)
    grad = np.empty(7)
    _binary_kernel(X, yb, sw, coef, b, grad)
    h = 1e-6
    params = np.append(coef, b)
    num = np.empty(7)
    dummy = np.empty(7)
    for j in range(7):
        e = np.zeros(7)
        e[j] = h
        up, down = params + e, params - e
        fu = _binary_kernel(X, yb, sw, up[:6], up[6], dummy)
        fd = _binary_kernel(X, yb, sw, down[:6], down[6], dummy)
        num[j] = (fu - fd) / (2 * h)
    np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-6)
    # multinomial
    W, c = rng.standard_normal((6, 3)) * 0.3, rng.standard_normal(3) * 0.1
    gm = np.empty((7, 3))
    _multinomial_kernel(X, y.astype(np.int64), sw, W, c, gm)
    dm = np.empty((7, 3))
    P = np.vstack([W, c])
    for j in range(7):
        for k in range(3):
            up, down = P.copy(), P.copy()
            up[j, k] += h
            down[j, k] -= h
            fu = _multinomial_kernel(
                X, y.astype(np.int64), sw, up[:6].copy(), up[6].copy(), dm
            )
            fd = _multinomial_kernel(
                X, y.astype(np.int64), sw, down[:6].copy(), down[6].copy(), dm
            )
            np.testing.assert_allclose(
                gm[j, k], (fu - fd) / (2 * h), rtol=1e-6, atol=1e-6
            )


def test_thread_count_does_not_change_results():
    # through the estimator's orchestration: blocks split over Python threads
    from fastml.linear_model._logistic import _loss_gradient

    X, y, sw = _data(9, 12 * K.BLOCK_ROWS + 17, 50, np.float32, 3)
    coef = np.linspace(-1, 1, 50)
    out = []
    for n_threads in (1, 2, 3):
        g = np.empty((51, 1))
        gm = np.empty((51, 3))
        lb = _loss_gradient(
            X, (y > 0).astype(float), sw, coef[:, None], np.array([0.3]), g, n_threads
        )
        lm = _loss_gradient(
            X,
            y.astype(np.int64),
            sw,
            np.tile(coef[:, None], 3),
            np.ones(3),
            gm,
            n_threads,
        )
        out.append((lb, g, lm, gm))
    ref_loss, ref_grad = binary_loss_gradient(X, (y > 0).astype(float), sw, coef, 0.3)
    _close(out[0][1][:, 0], ref_grad, float(np.abs(X).sum()) * 3)
    for other in out[1:]:
        assert out[0][0] == other[0] and out[0][2] == other[2]
        assert np.array_equal(out[0][1], other[1]) and np.array_equal(
            out[0][3], other[3]
        )


def test_block_ranges_write_only_their_blocks():
    X, y, _ = _data(4, 3 * K.BLOCK_ROWS + 5, 6, np.float64)
    partial = np.full((4, 7), -1.0)
    partial_loss = np.full(4, -1.0)
    K.loss_gradient_binary(
        X, y.astype(float), np.empty(0), np.ones(6), 0.0, 1, 3, partial, partial_loss
    )
    assert np.all(partial[[0, 3]] == -1.0) and np.all(partial_loss[[0, 3]] == -1.0)
    rows = slice(K.BLOCK_ROWS, 3 * K.BLOCK_ROWS)
    ref_loss, ref_grad = binary_loss_gradient(X[rows], y[rows], None, np.ones(6), 0.0)
    _close(partial[1:3].sum(axis=0), ref_grad, float(np.abs(X).sum()))
    assert partial_loss[1:3].sum() == pytest.approx(ref_loss, rel=1e-12)


def test_extreme_scores_stay_finite():
    # |z| ~ 1000: exp(z) overflows in a naive formula; the kernels stay exact
    X = np.array([[1000.0], [-1000.0], [1000.0], [-1000.0]])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    g = np.empty(2)
    loss = _binary_kernel(X, y, np.empty(0), np.ones(1), 0.0, g)
    assert loss == pytest.approx(2000.0, rel=1e-15)
    np.testing.assert_allclose(g, [2000.0, 0.0])
    gm = np.empty((2, 2))
    lm = _multinomial_kernel(
        X, y.astype(np.int64), np.empty(0), np.array([[1.0, -1.0]]), np.zeros(2), gm
    )
    assert lm == pytest.approx(4000.0, rel=1e-15)
    assert np.all(np.isfinite(gm))


@pytest.mark.parametrize(("l1_ratio", "C"), [(1.0, 0.05), (0.5, 0.3)])
def test_saga_reaches_the_proximal_gradient_optimum(l1_ratio, C):
    rng = np.random.default_rng(3)
    n, p = 120, 8
    X = rng.standard_normal((n, p))
    y = (X[:, 0] - 0.5 * X[:, 1] + 0.3 * rng.standard_normal(n) > 0).astype(float)
    sw = rng.uniform(0.5, 2.0, n)
    ref_w, ref_b = proximal_gradient_binary(X, y, sw, C, l1_ratio)
    alpha = (1 - l1_ratio) / (C * n)
    beta = l1_ratio / (C * n)
    lip = 0.25 * float(np.max(sw * (np.einsum("ij,ij->i", X, X) + 1))) + alpha
    step = 1.0 / (2 * lip + min(2 * n * alpha, lip))
    coef = np.zeros((p, 1))
    b = np.zeros(1)
    n_epochs = K.saga_fit(
        X, y, sw, False, True, alpha, beta, step, 5000, 1e-10, 0, coef, b
    )
    assert n_epochs <= 5000
    # both reach the unique optimum to ~1e-9 relative change; 1e-6 leaves room
    np.testing.assert_allclose(coef[:, 0], ref_w, atol=1e-6)
    assert b[0] == pytest.approx(ref_b, abs=1e-6)
    np.testing.assert_array_equal(coef[:, 0] == 0, ref_w == 0)
    assert np.any(ref_w == 0) and np.any(ref_w != 0)
