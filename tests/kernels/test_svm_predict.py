"""kernels/svm/predict.py against tests/naive/svm.py (kernel_matrix times the
coefficients)."""

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.svm.predict import compute_decision_values
from fastml.kernels.svm.smo import KERNEL_CODES
from naive.svm import kernel_matrix


def _case(seed, n_rows=13, n_sv=300, n_features=4, n_pairs=3):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features))
    S = rng.standard_normal((n_sv, n_features))
    if n_sv and n_rows:
        S[0] = X[0]  # a zero distance (rbf clips the rounding below 0)
    W = rng.standard_normal((n_sv, n_pairs))
    rho = rng.standard_normal(n_pairs)
    return X, S, W, rho


def _run(kind, X, S, W, rho, gamma=0.4, coef0=0.7, degree=3):
    SVT = np.ascontiguousarray(S.T)
    out = np.full((X.shape[0], W.shape[1]), np.nan)
    compute_decision_values(KERNEL_CODES[kind], X, SVT, (S * S).sum(1), np.ascontiguousarray(W.T),
                            rho, gamma, coef0, degree, out)  # fmt: skip
    return out


@pytest.mark.parametrize("kind", ["linear", "poly", "rbf", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1])
def test_decision_values_match_naive(kind, seed):
    X, S, W, rho = _case(seed)  # 300 support vectors: two chunks of 256
    expected = kernel_matrix(kind, X, S, 0.4, 0.7, 3) @ W - rho
    # 1e-10: sums of 300 products of size ~1 in a different order, and the
    # expanded vs direct squared distance
    np.testing.assert_allclose(_run(kind, X, S, W, rho), expected, rtol=1e-10,
                               atol=1e-10)  # fmt: skip


def test_thread_count_does_not_change_the_result():
    X, S, W, rho = _case(2, n_rows=300)
    out = []
    for nt in (1, 2):
        with num_threads(nt):
            out.append(_run("rbf", X, S, W, rho))
    np.testing.assert_array_equal(out[0], out[1])


def test_no_support_vectors_and_no_rows():
    X, S, W, rho = _case(3, n_sv=0)
    np.testing.assert_array_equal(
        _run("rbf", X, S, W, rho), np.broadcast_to(-rho, (13, 3))
    )
    X, S, W, rho = _case(3, n_rows=0)
    assert _run("rbf", X, S, W, rho).shape == (0, 3)
