"""fastml.kernels.losses against the naive loops of tests/naive/losses.py.

Tolerances:
- float64: rtol=1e-12, atol=1e-12. Kernel and reference evaluate the same closed
  forms in double precision, differing by a few ulp from rewrites (hypot for the
  pseudo-Huber root, y (expm1(d) - d) for the Poisson deviance, row-max shifts);
  the reference's own cancellation (e.g. sqrt(q) - 1, exp(z) - y z + y log y - y
  for |z|, y <= ~10) costs at most ~1e-14 absolute, hence the atol.
- float32: rtol=1e-6, atol=1e-6. Inputs are float32; the pointwise kernels compute
  in float64 and round on store (<= 6e-8 relative, twice with weights), the logits
  kernels take exponentials in float32 lanes (~1-2 ulp) and sums and logs in
  float64: a few float32 ulp in all, well inside 1e-6. The reference runs in
  float64 on the same float32 values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from fastml.kernels.losses import multiclass as M
from fastml.kernels.losses import pointwise as P
from naive import losses as naive
from numpy.testing import assert_allclose, assert_array_equal

TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-6, atol=1e-6)}
DTYPES = [np.float64, np.float32]


def _regression(rng, n):
    return rng.normal(size=n) * 3, rng.normal(size=n) * 3


def _counts(rng, n):
    return rng.poisson(3.0, size=n).astype(float), rng.normal(size=n)


def _binary(rng, n):
    return rng.integers(0, 2, size=n).astype(float), rng.normal(size=n) * 4


def _soft_binary(rng, n):
    return rng.uniform(size=n), rng.normal(size=n) * 4


def _probabilities(rng, n):
    return rng.uniform(size=n), rng.uniform(0.01, 0.99, size=n)


def _signs(rng, n):
    return rng.choice([-1.0, 1.0], size=n), rng.normal(size=n) * 2


# (id, kind, scalar param, naive, data)
BINARY_CASES = [
    ("squared", P.SQUARED_ERROR, 1.0,
     lambda y, z, w: naive.squared_error(y, z, w, 1.0), _regression),
    ("half_squared", P.SQUARED_ERROR, 0.5,
     lambda y, z, w: naive.squared_error(y, z, w, 0.5), _regression),
    ("absolute", P.ABSOLUTE_ERROR, 0.0, naive.absolute_error, _regression),
    ("huber", P.HUBER, 1.5, lambda y, z, w: naive.huber(y, z, w, 1.5), _regression),
    ("pseudo_huber", P.PSEUDO_HUBER, 0.7,
     lambda y, z, w: naive.pseudo_huber(y, z, w, 0.7), _regression),
    ("poisson", P.POISSON, 0.0, naive.poisson, _counts),
    ("logistic", P.BINARY_LOGISTIC, 0.0, naive.binary_logistic, _binary),
    ("logistic_soft", P.BINARY_LOGISTIC, 0.0, naive.binary_logistic, _soft_binary),
    ("bce", P.BINARY_CROSS_ENTROPY, 1e-7,
     lambda y, p, w: naive.binary_cross_entropy(y, p, w, 1e-7), _probabilities),
    ("hinge", P.HINGE, 0.0, naive.hinge, _signs),
]  # fmt: skip


def _pointwise(kind, *args):
    binary = kind >= P.BINARY_LOGISTIC
    kernel = P.evaluate_binary_loss if binary else P.evaluate_regression_loss
    kernel(kind, *args)


def _run_binary(kind, param, y, z, w):
    out = np.empty_like(z)
    grad = np.empty_like(z)
    hess = np.empty_like(z)
    none = np.empty(0, z.dtype)
    _pointwise(kind, y, z, w, param, out, none, none)
    _pointwise(kind, y, z, w, param, none, grad, hess)
    # Both at once give the same.
    both = [np.empty_like(z) for _ in range(3)]
    _pointwise(kind, y, z, w, param, *both)
    for a, b in zip(both, (out, grad, hess)):
        assert_array_equal(a, b)
    return out, grad, hess


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n", [1, 7, 500])
@pytest.mark.parametrize(
    ("kind", "param", "ref", "data"),
    [c[1:] for c in BINARY_CASES],
    ids=[c[0] for c in BINARY_CASES],
)
def test_binary_kernels_match_naive(kind, param, ref, data, n, seed, weighted, dtype):
    rng = np.random.default_rng(seed)
    y, z = (a.astype(dtype) for a in data(rng, n))
    w = rng.uniform(0, 2, size=n).astype(dtype) if weighted else np.empty(0, dtype)
    got = _run_binary(kind, param, y, z, w)
    expected = ref(y, z, w)
    for g, e in zip(got, expected):
        assert g.dtype == dtype
        assert_allclose(g, e, **TOL[dtype])


@pytest.mark.parametrize(
    ("kind", "param", "ref", "data"),
    [c[1:] for c in BINARY_CASES],
    ids=[c[0] for c in BINARY_CASES],
)
def test_binary_kernels_empty(kind, param, ref, data):
    e = np.empty(0)
    _run_binary(kind, param, e, e, e)  # nothing to do, no error


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits_are_finite_and_exact(dtype):
    z = np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=dtype)
    w = np.empty(0, dtype)
    loss, grad, hess = _run_binary(P.BINARY_LOGISTIC, 0.0, y, z, w)
    assert_array_equal(loss, [0.0, 0.0, 1e4, 1e4, np.log(2.0).astype(dtype)])
    assert_array_equal(grad, [0.0, 0.0, 1.0, -1.0, -0.5])
    assert_array_equal(hess, [0.0, 0.0, 0.0, 0.0, 0.25])
    raw = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [0.0, 0.0, 1e4]], dtype)
    labels = np.array([0, 2, 0], dtype=np.int64)
    out = np.empty(3, dtype)
    g2 = np.empty_like(raw)
    h2 = np.empty_like(raw)
    no_targets = np.empty((0, 3), dtype)
    _logits("loss")(M.LABELS, labels, no_targets, raw, w, out)
    _logits("gradient_hessian")(M.LABELS, labels, no_targets, raw, w, g2, h2)
    assert_allclose(out, [0.0, np.log(3.0), 1e4], rtol=1e-7)
    assert np.isfinite(g2).all() and np.isfinite(h2).all()
    assert_allclose(g2[0], [0.0, 0.0, 0.0], atol=0)
    assert_allclose(g2[2], [-1.0, 0.0, 1.0], atol=0)


def _logits(which, dtype=np.float64):
    """The logits kernel ``which`` ("loss" or "gradient_hessian") for ``dtype``."""
    suffix = "f32" if dtype == np.float32 else "f64"
    return getattr(M, f"{which}_softmax_{suffix}")


NO_LABELS = np.empty(0, np.int64)


def _multiclass_data(rng, n, k, dtype, soft):
    raw = (rng.normal(size=(n, k)) * 3).astype(dtype)
    labels = rng.integers(0, k, size=n)
    if soft:
        t = rng.uniform(size=(n, k))
        if k > 1:
            t[:, 0] = 0.0  # zero targets exercise the 0 log 0 convention
        t /= t.sum(axis=1, keepdims=True)
        return t.astype(dtype), raw, labels
    onehot = np.zeros((n, k), dtype)
    onehot[np.arange(n), labels] = 1
    return onehot, raw, labels


def _run_logits(kind, labels, y, raw, w):
    out = np.empty(raw.shape[0], raw.dtype)
    grad = np.empty_like(raw)
    hess = np.empty_like(raw)
    _logits("loss", raw.dtype)(kind, labels, y, raw, w, out)
    _logits("gradient_hessian", raw.dtype)(kind, labels, y, raw, w, grad, hess)
    return out, grad, hess


def _run_proba(kind, y, p, w, eps):
    out = np.empty(p.shape[0], p.dtype)
    grad = np.empty_like(p)
    hess = np.empty_like(p)
    none1 = np.empty(0, p.dtype)
    none2 = np.empty((0, p.shape[1]), p.dtype)
    M.evaluate_proba_loss(kind, y, p, w, eps, out, none2, none2)
    M.evaluate_proba_loss(kind, y, p, w, eps, none1, grad, hess)
    return out, grad, hess


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("n", "k"), [(1, 1), (1, 3), (9, 2), (40, 7)])
def test_softmax_cross_entropy_kernels(n, k, seed, weighted, dtype):
    rng = np.random.default_rng(seed)
    onehot, raw, labels = _multiclass_data(rng, n, k, dtype, soft=False)
    soft, _, _ = _multiclass_data(rng, n, k, dtype, soft=True)
    w = rng.uniform(0, 2, size=n).astype(dtype) if weighted else np.empty(0, dtype)
    no_targets = np.empty((0, k), dtype)
    # Class indices.
    got = _run_logits(M.LABELS, labels, no_targets, raw, w)
    for g, e in zip(got, naive.softmax_cross_entropy(labels, raw, w)):
        assert_allclose(g, e, **TOL[dtype])
    # One-hot rows through the soft kernels give the same.
    got_onehot = _run_logits(M.SOFT, NO_LABELS, onehot, raw, w)
    for g, e in zip(got_onehot, got):
        assert_allclose(g, e, **TOL[dtype])
    # Soft targets, and KL from logits (same derivatives, loss minus entropy).
    got = _run_logits(M.SOFT, NO_LABELS, soft, raw, w)
    expected = naive.softmax_cross_entropy(soft, raw, w)
    for g, e in zip(got, expected):
        assert_allclose(g, e, **TOL[dtype])
    kl = _run_logits(M.KL, NO_LABELS, soft, raw, w)
    assert_allclose(kl[0], naive.kl_divergence_logits(soft, raw, w)[0], **TOL[dtype])
    for g, e in zip(kl[1:], expected[1:]):
        assert_allclose(g, e, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("n", "k"), [(1, 1), (9, 2), (40, 7)])
def test_probability_kernels(n, k, seed, weighted, dtype):
    rng = np.random.default_rng(seed)
    soft, raw, _ = _multiclass_data(rng, n, k, dtype, soft=True)
    p = rng.dirichlet(np.ones(k), size=n).astype(dtype)
    p[0, 0] = 0.0  # clipped at eps
    w = rng.uniform(0, 2, size=n).astype(dtype) if weighted else np.empty(0, dtype)
    eps = 1e-7
    got = _run_proba(M.CROSS_ENTROPY, soft, p, w, eps)
    for g, e in zip(got, naive.categorical_cross_entropy(soft, p, w, eps)):
        assert_allclose(g, e, **TOL[dtype])
    kl = _run_proba(M.KL, soft, p, w, eps)
    assert_allclose(kl[0], naive.kl_divergence(soft, p, w, eps)[0], **TOL[dtype])


def test_multiclass_empty():
    raw = np.empty((0, 3))
    e = np.empty(0)
    _run_logits(M.LABELS, np.empty(0, np.int64), raw, raw, e)
    _run_proba(M.CROSS_ENTROPY, raw, raw, e, 1e-7)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 10, 300, 5000])
def test_logits_blocks_of_any_width(k, dtype):
    # Blocks hold ~2048 entries: many rows per block for small k, one row for
    # k > 2048; a row count that is not a multiple of the block size.
    rng = np.random.default_rng(k)
    n = 1 + 5000 // k * 3
    _, raw, labels = _multiclass_data(rng, n, k, dtype, soft=False)
    got = _run_logits(
        M.LABELS, labels, np.empty((0, k), dtype), raw, np.empty(0, dtype)
    )
    for g, e in zip(got, naive.softmax_cross_entropy(labels, raw, None)):
        assert_allclose(g, e, **TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
def test_confident_rows_keep_relative_accuracy(dtype):
    # p close to 1: gradient p - 1 and hessian p (1 - p) come from the sum of the
    # other exponentials, not from 1 - p after rounding p.
    raw = np.array([[30.0, 0.0, 0.0], [0.0, 12.0, -3.0]], dtype=dtype)
    labels = np.array([0, 1], dtype=np.int64)
    _, grad, hess = _run_logits(
        M.LABELS, labels, np.empty((0, 3), dtype), raw, np.empty(0, dtype)
    )
    # Reference without cancellation: 1 - p_k = sum_{j != k} exp(z_j - m) / s.
    for r, label in enumerate(labels):
        z = raw[r].astype(float)
        e = np.exp(z - z.max())
        s = math.fsum(e)
        p = e / s
        one_minus_p = np.array([math.fsum(np.delete(e, k)) / s for k in range(3)])
        expected_grad = np.where(np.arange(3) == label, -one_minus_p, p)
        rtol = 1e-13 if dtype == np.float64 else 1e-6
        assert_allclose(grad[r], expected_grad, rtol=rtol, atol=0)
        assert_allclose(hess[r], p * one_minus_p, rtol=rtol, atol=0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_chunking_does_not_change_results(dtype):
    # The caller runs the kernels on contiguous chunks of samples (one per thread):
    # any split must give the bitwise same result as one call.
    rng = np.random.default_rng(5)
    n = 3_001
    bounds = ((0, 1_000), (1_000, 1_001), (1_001, 3_001))
    for _, kind, param, _, data in BINARY_CASES:
        y, z = (a.astype(dtype) for a in data(rng, n))
        w = rng.uniform(size=n).astype(dtype)
        whole = _run_binary(kind, param, y, z, w)
        parts = [np.empty_like(a) for a in whole]
        for a, b in bounds:
            got = _run_binary(kind, param, y[a:b], z[a:b], w[a:b])
            for dst, src in zip(parts, got):
                dst[a:b] = src
        for x, e in zip(parts, whole):
            assert_array_equal(x, e)
    _, raw, labels = _multiclass_data(rng, n, 5, dtype, soft=False)
    no_targets = np.empty((0, 5), dtype)
    no_w = np.empty(0, dtype)
    whole = _run_logits(M.LABELS, labels, no_targets, raw, no_w)
    parts = [np.empty_like(a) for a in whole]
    for a, b in bounds:
        got = _run_logits(M.LABELS, labels[a:b], no_targets, raw[a:b], no_w)
        for dst, src in zip(parts, got):
            dst[a:b] = src
    for x, e in zip(parts, whole):
        assert_array_equal(x, e)
