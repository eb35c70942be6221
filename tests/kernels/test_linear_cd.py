"""Coordinate-descent and Gram kernels (kernels/linear/) vs the naive references."""

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.linear.cd import enet_cd_gram, enet_cd_residual, enet_dual_gap
from fastml.kernels.linear.gram import accumulate_gram
from naive.linear import enet_cd_naive, enet_kkt_violation, gram_naive


def _problem(seed, n=40, p=8, rho=0.6):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    for j in range(1, p):  # correlated columns
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * X[:, j]
    w_true = np.zeros(p)
    w_true[: p // 3] = rng.uniform(1, 2, p // 3)
    y = X @ w_true + 0.3 * rng.randn(n)
    return X, y


def _run(
    kind,
    X,
    y,
    l1,
    l2,
    *,
    tol=1e-12,
    max_iter=10000,
    positive=False,
    random=False,
    seed=1,
    w0=None,
):
    w = np.zeros(X.shape[1]) if w0 is None else w0.copy()
    if kind == "gram":
        out = enet_cd_gram(
            w,
            l1,
            l2,
            np.ascontiguousarray(X.T @ X),
            X.T @ y,
            float(y @ y),
            max_iter,
            tol,
            seed,
            random,
            positive,
            True,
        )
    else:
        out = enet_cd_residual(
            w,
            l1,
            l2,
            np.ascontiguousarray(X.T),
            y,
            max_iter,
            tol,
            seed,
            random,
            positive,
            True,
        )
    return w, out


@pytest.mark.parametrize("kind", ["gram", "residual"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("l1, l2", [(5.0, 0.0), (2.0, 3.0), (40.0, 1.0)])
def test_cd_matches_naive_and_kkt(kind, seed, l1, l2):
    X, y = _problem(seed)
    w, (gap, tol_scaled, n_iter, converged) = _run(kind, X, y, l1, l2)
    ref = enet_cd_naive(X, y, l1, l2)
    assert converged and gap <= tol_scaled
    # Both converge to the unique minimiser (strictly convex for these designs);
    # tol=1e-12 relative gap -> coefficients agree to ~1e-6 of their scale.
    np.testing.assert_allclose(w, ref, atol=1e-6 * max(1.0, np.abs(ref).max()))
    assert enet_kkt_violation(X, y, w, l1, l2) <= 1e-5 * max(1.0, l1)
    np.testing.assert_array_equal(w == 0.0, ref == 0.0)


@pytest.mark.parametrize("random", [False, True])
def test_gram_and_residual_same_iterates(random):
    # Same updates in exact arithmetic: same epoch count, same coefficients.
    X, y = _problem(3, n=60, p=12)
    wg, og = _run("gram", X, y, 3.0, 0.5, tol=1e-6, random=random, seed=7)
    wr, orr = _run("residual", X, y, 3.0, 0.5, tol=1e-6, random=random, seed=7)
    assert og[2] == orr[2]
    np.testing.assert_allclose(wg, wr, atol=1e-10)


def test_positive_and_float32_residual():
    X, y = _problem(4)
    y = -y  # pushes coefficients negative: the constraint binds
    w, out = _run("residual", X, y, 1.0, 0.0, positive=True)
    assert np.all(w >= 0)
    assert enet_kkt_violation(X, y, w, 1.0, 0.0, positive=True) <= 1e-5
    np.testing.assert_allclose(
        w, enet_cd_naive(X, y, 1.0, 0.0, positive=True), atol=1e-6
    )
    X32 = X.astype(np.float32)
    w32 = np.zeros(X.shape[1])
    enet_cd_residual(
        w32,
        2.0,
        0.0,
        np.ascontiguousarray(X32.T),
        y.astype(np.float32),
        10000,
        1e-12,
        0,
        False,
        False,
        True,
    )
    ref = enet_cd_naive(X32.astype(np.float64), y.astype(np.float32), 2.0, 0.0)
    np.testing.assert_allclose(w32, ref, atol=1e-5)  # float32 inputs, float64 sums


def test_degenerate_zero_column_one_sample_and_max_iter():
    X, y = _problem(5)
    X[:, 2] = 0.0
    w, out = _run("gram", X, y, 1.0, 0.0)
    assert w[2] == 0.0 and out[3]
    w, out = _run("residual", X[:1], y[:1], 0.01, 0.0)
    assert np.all(np.isfinite(w))
    # Starting at the optimum: no epoch is run.
    w_opt, _ = _run("gram", X, y, 1.0, 0.0)
    _, out = _run("gram", X, y, 1.0, 0.0, w0=w_opt)
    assert out[2] == 0
    # One epoch with an unreachable tolerance: not converged, gap reported.
    _, (gap, tol_scaled, n_iter, converged) = _run(
        "gram", X, y, 1e-3, 0.0, tol=0.0, max_iter=1
    )
    assert not converged and n_iter == 1 and gap > 0


def test_dual_gap_is_zero_at_optimum_and_positive_elsewhere():
    X, y = _problem(6)
    w, _ = _run("gram", X, y, 2.0, 1.0)
    r = y - X @ w
    xta = np.empty_like(w)
    gap, _ = enet_dual_gap(w, 2.0, 1.0, X.T @ r, r @ r, r @ y, False, xta)
    assert 0 <= gap <= 1e-9 * (y @ y)
    w2 = w + 0.1
    r2 = y - X @ w2
    gap2, _ = enet_dual_gap(w2, 2.0, 1.0, X.T @ r2, r2 @ r2, r2 @ y, False, xta)
    assert gap2 > 1e-4


def _gram_kernel(X, offset, weights=None, block_rows=8, n_blocks=None):
    n, p = X.shape
    n_blocks = -(-n // block_rows)
    partial = np.zeros((n_blocks, p, p))
    root = np.ones(1) if weights is None else np.sqrt(weights)
    accumulate_gram(X, offset, root, weights is not None, block_rows, partial)
    upper = np.triu(partial.sum(axis=0))
    return upper + np.triu(upper, 1).T


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n, p", [(1, 3), (7, 1), (37, 5), (101, 16)])
def test_gram_kernel_matches_naive(dtype, n, p):
    rng = np.random.RandomState(n + p)
    X = (rng.randn(n, p) + 5.0).astype(dtype)
    offset = X.astype(np.float64).mean(axis=0)
    weights = rng.rand(n)
    for w in (None, weights):
        got = _gram_kernel(X, offset, w)
        ref = gram_naive(X, offset, w)
        # float64 sums of the same products: only summation order differs.
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12 * n)


def test_gram_kernel_independent_of_thread_count():
    rng = np.random.RandomState(0)
    X = rng.randn(203, 9).astype(np.float32)
    offset = X.mean(axis=0, dtype=np.float64)
    with num_threads(1):
        one = _gram_kernel(X, offset, block_rows=16)
    with num_threads(2):
        two = _gram_kernel(X, offset, block_rows=16)
    np.testing.assert_array_equal(one, two)
