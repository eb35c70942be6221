"""fastml's dense product kernel (kernels/nn/linear.py) against float64 numpy."""

from __future__ import annotations

import numpy as np
import pytest

from fastml.nn._layers import Linear, linear


def _reference(x, weight, bias):
    out = x.astype(np.float64) @ weight.astype(np.float64).T
    return out if bias is None else out + bias


# Shapes: rows below, at and above the 6-row block and the 96-row cache block;
# output features not a multiple of the 16 (8) wide panels; sums longer than the
# 384-long sum block (accumulation across blocks); empty sums.
SHAPES = [
    (1, 5, 3),
    (5, 17, 16),
    (6, 16, 33),
    (7, 40, 1),
    (97, 385, 50),
    (130, 800, 64),
    (200, 64, 130),
]


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 2e-5), (np.float64, 1e-12)])
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_float64_reference(dtype, rtol, shape, with_bias):
    # Each output is one FMA chain over the sum: the error is that of a float32
    # (float64) dot product of length k, well inside rtol relative to the largest
    # |x| |w| products summed.
    n_rows, kdim, n_out = shape
    rng = np.random.default_rng(sum(shape))
    x = rng.standard_normal((n_rows, kdim)).astype(dtype)
    weight = rng.standard_normal((n_out, kdim)).astype(dtype)
    bias = rng.standard_normal(n_out).astype(dtype) if with_bias else None
    got = linear(x, weight, bias, 2)
    assert got.dtype == dtype and got.shape == (n_rows, n_out)
    scale = np.abs(x).astype(np.float64) @ np.abs(weight).astype(np.float64).T + 1
    np.testing.assert_array_less(
        np.abs(got - _reference(x, weight, bias)), rtol * scale
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_identical_for_any_thread_count(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((101, 400)).astype(dtype)
    weight = rng.standard_normal((70, 400)).astype(dtype)
    bias = rng.standard_normal(70).astype(dtype)
    one = linear(x, weight, bias, 1)
    for n_threads in (2, 3, 8):
        np.testing.assert_array_equal(linear(x, weight, bias, n_threads), one)


def test_linear_does_not_modify_inputs_and_reads_weight_at_call_time():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((60, 20)).astype(np.float32)
    weight = rng.standard_normal((24, 20)).astype(np.float32)
    x0, w0 = x.copy(), weight.copy()
    layer = Linear(weight)
    first = layer(x, n_jobs=2)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(weight, w0)
    # In-place edits of the weight (tied embeddings do this) show in the next call:
    # nothing is cached from the previous one.
    layer.weight *= 2
    np.testing.assert_allclose(layer(x, n_jobs=2), 2 * first, rtol=1e-6)


def test_layer_kernel_and_blas_paths_agree():
    # Inputs below _MIN_KERNEL_ROWS rows go to BLAS, others to the kernel: the same
    # values up to float32 rounding, for 3-D inputs too.
    rng = np.random.default_rng(2)
    layer = Linear.random(32, 48, random_state=0)
    x = rng.standard_normal((4, 30, 32)).astype(np.float32)
    whole = layer(x, n_jobs=2)
    parts = np.stack([layer(row) for row in x])
    assert whole.shape == (4, 30, 48)
    np.testing.assert_allclose(whole, parts, rtol=1e-5, atol=1e-5)
