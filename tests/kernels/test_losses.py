"""fastml.kernels.losses against the naive loops of tests/naive/losses.py.

Tolerances:
- float64: rtol=1e-12, atol=1e-12. Kernel and reference evaluate the same closed
  forms in double precision, differing by a few ulp from rewrites (hypot for the
  pseudo-Huber root, y (expm1(d) - d) for the Poisson deviance, row-max shifts);
  the reference's own cancellation (e.g. sqrt(q) - 1, exp(z) - y z + y log y - y
  for |z|, y <= ~10) costs at most ~1e-14 absolute, hence the atol.
- float32: rtol=1e-6, atol=1e-6. Inputs are float32, the kernel computes in float64
  and rounds once on store (<= 6e-8 relative); the reference runs in float64 on the
  same float32 values.
"""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.losses import classification as C
from fastml.kernels.losses import regression as R
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


# (id, loss kernel, gradient_hessian kernel, scalar params, naive, data)
BINARY_CASES = [
    ("squared", R.loss_squared_error, R.gradient_hessian_squared_error, (1.0,),
     lambda y, z, w: naive.squared_error(y, z, w, 1.0), _regression),
    ("half_squared", R.loss_squared_error, R.gradient_hessian_squared_error, (0.5,),
     lambda y, z, w: naive.squared_error(y, z, w, 0.5), _regression),
    ("absolute", R.loss_absolute_error, R.gradient_hessian_absolute_error, (),
     naive.absolute_error, _regression),
    ("huber", R.loss_huber, R.gradient_hessian_huber, (1.5,),
     lambda y, z, w: naive.huber(y, z, w, 1.5), _regression),
    ("pseudo_huber", R.loss_pseudo_huber, R.gradient_hessian_pseudo_huber, (0.7,),
     lambda y, z, w: naive.pseudo_huber(y, z, w, 0.7), _regression),
    ("poisson", R.loss_poisson, R.gradient_hessian_poisson, (),
     naive.poisson, _counts),
    ("logistic", C.loss_binary_logistic, C.gradient_hessian_binary_logistic, (),
     naive.binary_logistic, _binary),
    ("logistic_soft", C.loss_binary_logistic, C.gradient_hessian_binary_logistic, (),
     naive.binary_logistic, _soft_binary),
    ("bce", C.loss_binary_cross_entropy, C.gradient_hessian_binary_cross_entropy,
     (1e-7,), lambda y, p, w: naive.binary_cross_entropy(y, p, w, 1e-7),
     _probabilities),
    ("hinge", C.loss_hinge, C.gradient_hessian_hinge, (), naive.hinge, _signs),
]  # fmt: skip


def _run_binary(loss_k, gh_k, params, y, z, w):
    out = np.empty_like(z)
    grad = np.empty_like(z)
    hess = np.empty_like(z)
    loss_k(y, z, w, *params, out)
    gh_k(y, z, w, *params, grad, hess)
    return out, grad, hess


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n", [1, 7, 500])
@pytest.mark.parametrize(
    ("loss_k", "gh_k", "params", "ref", "data"),
    [c[1:] for c in BINARY_CASES],
    ids=[c[0] for c in BINARY_CASES],
)
def test_binary_kernels_match_naive(loss_k, gh_k, params, ref, data, n, seed, weighted,
                                    dtype):  # fmt: skip
    rng = np.random.default_rng(seed)
    y, z = (a.astype(dtype) for a in data(rng, n))
    w = rng.uniform(0, 2, size=n).astype(dtype) if weighted else np.empty(0, dtype)
    got = _run_binary(loss_k, gh_k, params, y, z, w)
    expected = ref(y, z, w)
    for g, e in zip(got, expected):
        assert g.dtype == dtype
        assert_allclose(g, e, **TOL[dtype])


@pytest.mark.parametrize(
    ("loss_k", "gh_k", "params", "ref", "data"),
    [c[1:] for c in BINARY_CASES],
    ids=[c[0] for c in BINARY_CASES],
)
def test_binary_kernels_empty(loss_k, gh_k, params, ref, data):
    e = np.empty(0)
    _run_binary(loss_k, gh_k, params, e, e, e)  # nothing to do, no error


@pytest.mark.parametrize("dtype", DTYPES)
def test_extreme_logits_are_finite_and_exact(dtype):
    z = np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=dtype)
    w = np.empty(0, dtype)
    loss, grad, hess = _run_binary(
        C.loss_binary_logistic, C.gradient_hessian_binary_logistic, (), y, z, w
    )
    assert_array_equal(loss, [0.0, 0.0, 1e4, 1e4, np.log(2.0).astype(dtype)])
    assert_array_equal(grad, [0.0, 0.0, 1.0, -1.0, -0.5])
    assert_array_equal(hess, [0.0, 0.0, 0.0, 0.0, 0.25])
    raw = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4, -1e4], [0.0, 0.0, 1e4]], dtype)
    labels = np.array([0, 2, 0])
    out = np.empty(3, dtype)
    g2 = np.empty_like(raw)
    h2 = np.empty_like(raw)
    C.loss_softmax_cross_entropy(labels, raw, w, out)
    C.gradient_hessian_softmax_cross_entropy(labels, raw, w, g2, h2)
    assert_allclose(out, [0.0, np.log(3.0), 1e4], rtol=1e-7)
    assert np.isfinite(g2).all() and np.isfinite(h2).all()
    assert_allclose(g2[0], [0.0, 0.0, 0.0], atol=0)
    assert_allclose(g2[2], [-1.0, 0.0, 1.0], atol=0)


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


def _run_multiclass(loss_k, gh_k, y, raw, w, *params):
    out = np.empty(raw.shape[0], raw.dtype)
    grad = np.empty_like(raw)
    hess = np.empty_like(raw)
    loss_k(y, raw, w, *params, out)
    gh_k(y, raw, w, *params, grad, hess)
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
    # Class indices.
    got = _run_multiclass(
        C.loss_softmax_cross_entropy,
        C.gradient_hessian_softmax_cross_entropy,
        labels,
        raw,
        w,
    )
    for g, e in zip(got, naive.softmax_cross_entropy(labels, raw, w)):
        assert_allclose(g, e, **TOL[dtype])
    # One-hot rows through the soft kernels give the same.
    got_onehot = _run_multiclass(
        C.loss_softmax_cross_entropy_soft,
        C.gradient_hessian_softmax_cross_entropy_soft,
        onehot,
        raw,
        w,
    )
    for g, e in zip(got_onehot, got):
        assert_allclose(g, e, **TOL[dtype])
    # Soft targets, and KL from logits (same derivatives, loss minus entropy).
    got = _run_multiclass(
        C.loss_softmax_cross_entropy_soft,
        C.gradient_hessian_softmax_cross_entropy_soft,
        soft,
        raw,
        w,
    )
    for g, e in zip(got, naive.softmax_cross_entropy(soft, raw, w)):
        assert_allclose(g, e, **TOL[dtype])
    kl = np.empty(n, dtype)
    C.loss_kl_divergence_logits(soft, raw, w, kl)
    assert_allclose(kl, naive.kl_divergence_logits(soft, raw, w)[0], **TOL[dtype])


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
    got = _run_multiclass(
        C.loss_categorical_cross_entropy,
        C.gradient_hessian_categorical_cross_entropy,
        soft,
        p,
        w,
        eps,
    )
    for g, e in zip(got, naive.categorical_cross_entropy(soft, p, w, eps)):
        assert_allclose(g, e, **TOL[dtype])
    kl = np.empty(n, dtype)
    C.loss_kl_divergence(soft, p, w, eps, kl)
    assert_allclose(kl, naive.kl_divergence(soft, p, w, eps)[0], **TOL[dtype])


def test_multiclass_empty():
    raw = np.empty((0, 3))
    e = np.empty(0)
    C.loss_softmax_cross_entropy(np.empty(0, np.int64), raw, e, e)
    C.gradient_hessian_softmax_cross_entropy(np.empty(0, np.int64), raw, e, raw, raw)
    C.loss_categorical_cross_entropy(raw, raw, e, 1e-7, e)


@pytest.mark.parametrize("dtype", DTYPES)
def test_thread_count_does_not_change_results(dtype):
    rng = np.random.default_rng(5)
    n = 100_000
    for _, loss_k, gh_k, params, _, data in BINARY_CASES:
        y, z = (a.astype(dtype) for a in data(rng, n))
        w = rng.uniform(size=n).astype(dtype)
        results = []
        for n_threads in (1, 2):
            with num_threads(n_threads):
                results.append(_run_binary(loss_k, gh_k, params, y, z, w))
        for a, b in zip(*results):
            assert_array_equal(a, b)
    _, raw, labels = _multiclass_data(rng, 20_000, 5, dtype, soft=False)
    results = []
    for n_threads in (1, 2):
        with num_threads(n_threads):
            results.append(
                _run_multiclass(
                    C.loss_softmax_cross_entropy,
                    C.gradient_hessian_softmax_cross_entropy,
                    labels,
                    raw,
                    np.empty(0, dtype),
                )
            )
    for a, b in zip(*results):
        assert_array_equal(a, b)
