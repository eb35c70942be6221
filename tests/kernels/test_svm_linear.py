"""kernels/svm/linear.py (dual coordinate descent) against the KKT conditions of the
linear SVM dual (tests/naive/svm.py)."""

import numpy as np
import pytest
from fastml.kernels.svm.linear import solve_linear_dual
from naive.svm import linear_dual_kkt_violation


def _data(seed, n=60, d=4):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.where(
        X @ rng.standard_normal(d) + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0
    )
    return X, y


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("bias", [0.0, 1.0])
def test_solution_satisfies_kkt(loss, seed, bias):
    X, y = _data(seed)
    C = np.full(len(y), 0.7)
    C[::4] = 2.0
    upper = C if loss == "hinge" else np.full(len(y), np.inf)
    diag = np.zeros(len(y)) if loss == "hinge" else 0.5 / C
    w = np.empty(X.shape[1] + 1)
    alpha = np.empty(len(y))
    it = solve_linear_dual(X, y, upper, diag, bias, 1e-8, 100000, seed, w, alpha)
    assert 0 < it < 100000
    assert linear_dual_kkt_violation(X, y, alpha, upper, diag, bias) <= 1e-8
    # w = sum_i alpha_i y_i x_i (bias feature last)
    Xb = np.hstack([X, np.full((len(y), 1), bias)])
    np.testing.assert_allclose(w, Xb.T @ (alpha * y), atol=1e-10)


def test_seed_changes_order_not_solution():
    X, y = _data(3)
    C = np.ones(len(y))
    ws = []
    for seed in (0, 1):
        w = np.empty(X.shape[1] + 1)
        alpha = np.empty(len(y))
        solve_linear_dual(
            X, y, np.full(len(y), np.inf), 0.5 / C, 1.0, 1e-10, 100000, seed, w, alpha
        )
        ws.append(w)
    # squared hinge: strictly convex dual, unique solution (to the tolerance)
    np.testing.assert_allclose(ws[0], ws[1], atol=1e-7)


def test_max_iter_is_respected():
    X, y = _data(4)
    w = np.empty(X.shape[1] + 1)
    alpha = np.empty(len(y))
    it = solve_linear_dual(
        X, y, np.full(len(y), 1e8), np.zeros(len(y)), 1.0, 0.0, 3, 0, w, alpha
    )
    assert it == 3
