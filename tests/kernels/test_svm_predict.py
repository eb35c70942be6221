"""kernels/svm/predict.py against tests/naive/svm.py (kernel_matrix)."""

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.svm.predict import apply_kernel_block
from fastml.kernels.svm.smo import KERNEL_CODES
from naive.svm import kernel_matrix


@pytest.mark.parametrize("kind", ["linear", "poly", "rbf", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_block_matches_naive(kind, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((13, 4))
    B = rng.standard_normal((9, 4))
    B[0] = A[0]  # a zero distance (rbf clips the rounding below 0)
    D = A @ B.T
    sa = (A * A).sum(1)
    sb = (B * B).sum(1)
    apply_kernel_block(KERNEL_CODES[kind], D, sa, sb, 0.4, 0.7, 3)
    # 1e-12: expanded vs direct squared distance in float64
    np.testing.assert_allclose(
        D, kernel_matrix(kind, A, B, 0.4, 0.7, 3), rtol=1e-12, atol=1e-12
    )
    if kind == "rbf":
        assert D[0, 0] == 1.0


def test_thread_count_does_not_change_the_result():
    rng = np.random.default_rng(2)
    D0 = rng.standard_normal((300, 50))
    out = []
    for nt in (1, 2):
        D = D0.copy()
        with num_threads(nt):
            apply_kernel_block(2, D, np.abs(D0[:, 0]) + 5, np.abs(D0[0]) + 5, 0.1, 0, 3)
        out.append(D)
    np.testing.assert_array_equal(out[0], out[1])


def test_empty_block():
    D = np.zeros((0, 5))
    apply_kernel_block(2, D, np.zeros(0), np.zeros(5), 0.1, 0.0, 3)
    assert D.shape == (0, 5)
