"""kernels/svm/smo.py against tests/naive/svm.py: kernel rows, and the KKT conditions
of the SMO solution (C-SVC and SVR), cache sizes, shrinking, max_iter."""

import numpy as np
import pytest
from fastml.kernels.svm.smo import KERNEL_CODES, compute_kernel_row, solve_smo
from naive.svm import dual_kkt_violation, dual_objective, kernel_matrix

KINDS = ["linear", "poly", "rbf", "sigmoid"]


def _data(seed, n=40, d=5):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.where(X[:, 0] + 0.5 * rng.standard_normal(n) > 0, 1.0, -1.0)
    return X, y


@pytest.mark.parametrize("kind", KINDS + ["precomputed"])
@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_row_matches_naive(kind, seed):
    rng = np.random.default_rng(seed)
    n = 600  # more than two chunks of the row kernel
    X = rng.standard_normal((n, 7))
    gamma, coef0, degree = 0.3, 0.5, 3
    name = "rbf" if kind == "precomputed" else kind
    K = kernel_matrix(name, X[:3], X, gamma, coef0, degree)
    XT = np.ascontiguousarray(X.T)
    sq = np.zeros(n)
    for k in range(X.shape[1]):
        sq += XT[k] * XT[k]
    # a precomputed kernel is read back as given: any matrix will do
    Kpre = rng.standard_normal((n, n)) if kind == "precomputed" else np.zeros((1, 1))
    if kind == "precomputed":
        K = Kpre[:3]
    orig = np.arange(n)
    for i in range(3):
        out = np.full(n, np.nan)
        for start, stop in [(0, n), (5, 300), (257, 513)]:
            out[:] = np.nan
            compute_kernel_row(
                KERNEL_CODES[kind],
                XT,
                sq,
                Kpre,
                orig,
                i,
                start,
                stop,
                gamma,
                coef0,
                degree,
                out,
            )
            # 1e-12: the textbook rbf uses |a - b|^2, the kernel the expanded form
            np.testing.assert_allclose(
                out[start:stop], K[i, start:stop], rtol=1e-12, atol=1e-12
            )
            assert np.isnan(out[:start]).all() and np.isnan(out[stop:]).all()


def _solve(
    kind,
    X,
    y,
    C,
    p=None,
    svr=False,
    n_slots=1000,
    shrinking=True,
    max_iter=-1,
    tol=1e-6,
    gamma=0.5,
):
    n = X.shape[0]
    XT = np.ascontiguousarray(X.T)
    sq = np.zeros(n)
    for k in range(X.shape[1]):
        sq += XT[k] * XT[k]
    n_vars = 2 * n if svr else n
    yv = np.concatenate([np.ones(n), -np.ones(n)]) if svr else y
    if p is None:
        p = -np.ones(n_vars)
    alpha = np.zeros(n_vars)
    info = np.zeros(3)
    solve_smo(
        svr,
        KERNEL_CODES[kind],
        XT,
        sq,
        np.zeros((1, 1)),
        np.arange(n),
        yv,
        p,
        C,
        alpha,
        tol,
        shrinking,
        max_iter,
        n_slots,
        gamma,
        0.5,
        3,
        info,
    )
    return alpha, info


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_csvc_solution_satisfies_kkt(kind, seed):
    X, y = _data(seed)
    C = np.full(len(y), 2.0)
    C[::3] = 0.5  # per-sample bounds (sample weights)
    alpha, info = _solve(kind, X, y, C)
    K = kernel_matrix(kind, X, X, 0.5, 0.5, 3)
    Q = (y[:, None] * y[None, :]) * K
    # the solver stores Q in float32 (as LIBSVM): KKT holds to tol + float32 rounding
    assert dual_kkt_violation(Q, -np.ones(len(y)), y, alpha, C) < 1e-4
    assert info[2] == 0.0 and info[1] > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_svr_solution_satisfies_kkt(seed):
    X, _ = _data(seed)
    z = np.sin(X[:, 0]) + 0.1 * X[:, 1]
    n = len(z)
    eps = 0.1
    p = np.concatenate([eps - z, eps + z])
    C = np.full(2 * n, 1.5)
    alpha, _ = _solve("rbf", X, None, C, p=p, svr=True)
    K = kernel_matrix("rbf", X, X, 0.5)
    yv = np.concatenate([np.ones(n), -np.ones(n)])
    Q = np.block([[K, -K], [-K, K]])
    assert dual_kkt_violation(Q, p, yv, alpha, C) < 1e-4


def test_cache_size_and_shrinking_do_not_change_the_solution():
    X, y = _data(3, n=120)
    C = np.full(len(y), 1.0)
    ref, info = _solve("rbf", X, y, C, n_slots=1000)
    for n_slots in (2, 3, 17):
        a, inf2 = _solve("rbf", X, y, C, n_slots=n_slots)
        # the cache only stores rows: bitwise the same iterates
        np.testing.assert_array_equal(a, ref)
        assert inf2[0] == info[0] and inf2[1] == info[1]
    a, _ = _solve("rbf", X, y, C, shrinking=False)
    K = kernel_matrix("rbf", X, X, 0.5)
    Q = (y[:, None] * y[None, :]) * K
    # both are optimal to the tolerance: same objective to ~tol * |alpha|
    assert (
        abs(
            dual_objective(Q, -np.ones(len(y)), a)
            - dual_objective(Q, -np.ones(len(y)), ref)
        )
        < 1e-5
    )


def test_max_iter_is_respected():
    X, y = _data(4, n=80)
    C = np.full(len(y), 1e6)  # a hard problem: many iterations
    _, info = _solve("rbf", X, y, C, max_iter=7, tol=1e-12)
    assert info[1] == 7 and info[2] == 1.0


def test_single_class_of_variables_returns_zero():
    # all y = +1: the equality constraint forces alpha = 0
    X, _ = _data(5, n=10)
    y = np.ones(10)
    alpha, info = _solve("rbf", X, y, np.ones(10))
    np.testing.assert_array_equal(alpha, 0.0)
