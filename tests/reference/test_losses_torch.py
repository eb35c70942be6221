"""fastml.losses against torch.nn.functional: values (per sample and mean) and
gradients / diagonal hessians against torch.autograd.

Tolerances:
- float64: rtol=1e-12, atol=1e-12. Same closed forms in double precision; the
  differences are rounding (a few ulp, plus summation order in the means).
- float32: rtol=1e-6, atol=1e-6, against torch run in float64 on the same
  float32-valued inputs. fastml computes float32 in float64 and rounds once
  (<= 6e-8 relative); torch's own float32 kernels are not the reference (they
  accumulate in float32).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from fastml import losses as L

torch = pytest.importorskip("torch")
F = torch.nn.functional

TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-6, atol=1e-6)}
DTYPES = [np.float64, np.float32]
N, K = 50, 5


def _t(a, grad=False):
    """float64 tensor of an array's values (the reference always runs in float64)."""
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def _rng(seed=0):
    return np.random.default_rng(seed)


def _check_elementwise(
    loss, y_ours, p, torch_per_sample, dtype, y_torch=None, torch_hessian=True
):
    """Per-sample values, mean, gradient and hessian against torch autograd.

    ``torch_per_sample(y, x)`` returns per-sample losses; the loss is separable, so
    the diagonal hessian is the gradient of sum(gradient).
    """
    p = p.astype(dtype)
    y_torch = y_ours if y_torch is None else y_torch
    x = _t(p, grad=True)
    per_sample = torch_per_sample(_t(y_torch), x)
    (grad,) = torch.autograd.grad(per_sample.sum(), x, create_graph=torch_hessian)
    if torch_hessian:
        (hess,) = torch.autograd.grad(grad.sum(), x)
        hess = hess.numpy(force=True)
    else:
        hess = np.zeros(p.shape)
    tol = TOL[dtype]
    assert_allclose(loss.loss_per_sample(y_ours, p), per_sample.detach().numpy(), **tol)
    assert loss.loss(y_ours, p) == pytest.approx(
        per_sample.mean().item(), rel=tol["rtol"], abs=tol["atol"]
    )
    g, h = loss.gradient_hessian(y_ours, p)
    assert g.dtype == h.dtype == dtype
    assert_allclose(g, grad.detach().numpy(), **tol)
    assert_allclose(h, hess, **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_squared_error_is_mse_loss(dtype):
    rng = _rng()
    y, p = rng.normal(size=N), rng.normal(size=N)
    _check_elementwise(
        L.SquaredError(), y, p, lambda t, x: F.mse_loss(x, t, reduction="none"), dtype
    )
    _check_elementwise(
        L.SquaredError(half=True),
        y,
        p,
        lambda t, x: 0.5 * F.mse_loss(x, t, reduction="none"),
        dtype,
    )
    assert L.SquaredError().loss(y, p) == pytest.approx(
        F.mse_loss(_t(p), _t(y)).item(), rel=1e-12
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_absolute_error_is_l1_loss(dtype):
    rng = _rng(1)
    y, p = rng.normal(size=N), rng.normal(size=N)
    _check_elementwise(
        L.AbsoluteError(), y, p, lambda t, x: F.l1_loss(x, t, reduction="none"), dtype
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_huber_is_huber_loss(delta, dtype):
    rng = _rng(2)
    y, p = rng.normal(size=N) * 2, rng.normal(size=N) * 2
    _check_elementwise(
        L.Huber(delta),
        y,
        p,
        lambda t, x: F.huber_loss(x, t, reduction="none", delta=delta),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("delta", [0.5, 1.0, 3.0])
def test_pseudo_huber_against_autograd(delta, dtype):
    # torch has no pseudo-Huber; its autograd differentiates the textbook formula.
    rng = _rng(3)
    y, p = rng.normal(size=N) * 3, rng.normal(size=N) * 3
    _check_elementwise(
        L.PseudoHuber(delta),
        y,
        p,
        lambda t, x: delta**2 * (torch.sqrt(1 + ((x - t) / delta) ** 2) - 1),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson_is_poisson_nll_loss_plus_constant(dtype):
    # fastml's Poisson loss is torch's poisson_nll_loss(log_input=True, full=False)
    # plus y log y - y, a term free of the prediction.
    rng = _rng(4)
    y, z = rng.poisson(3.0, size=N).astype(float), rng.normal(size=N)

    def per_sample(t, x):
        nll = F.poisson_nll_loss(x, t, log_input=True, full=False, reduction="none")
        return nll + torch.special.xlogy(t, t) - t

    _check_elementwise(L.Poisson(), y, z, per_sample, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_with_logits(dtype):
    rng = _rng(5)
    y = np.r_[rng.integers(0, 2, size=N - 10), rng.uniform(size=10)]  # soft targets too
    z = rng.normal(size=N) * 5
    _check_elementwise(
        L.BinaryCrossEntropy(from_logits=True),
        y,
        z,
        lambda t, x: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_from_probabilities(dtype):
    rng = _rng(6)
    y = rng.integers(0, 2, size=N).astype(float)
    p = rng.uniform(0.02, 0.98, size=N)
    loss = L.BinaryCrossEntropy()
    expected = F.binary_cross_entropy(_t(p.astype(dtype)), _t(y), reduction="none")
    assert_allclose(loss.loss_per_sample(y, p.astype(dtype)), expected, **TOL[dtype])
    # Derivatives: autograd through torch.log of the same formula. (The double
    # backward of F.binary_cross_entropy itself is off by ~1e-11 relative: checked
    # against 40-digit mpmath, fastml's hessian was exact to the last ulp.)
    _check_elementwise(
        loss,
        y,
        p,
        lambda t, x: -(t * torch.log(x) + (1 - t) * torch.log1p(-x)),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_hinge_is_twice_two_class_multi_margin_loss(dtype):
    # multi_margin_loss on the two scores (-z/2, z/2) with class c in {0, 1} is
    # max(0, 1 - s z) / 2 with s = 2c - 1, i.e. half the binary hinge loss.
    rng = _rng(7)
    labels = rng.integers(0, 2, size=N)
    z = rng.normal(size=N) * 2

    def per_sample(t, x):
        scores = torch.stack([-x / 2, x / 2], dim=1)
        return 2 * F.multi_margin_loss(scores, t.long(), reduction="none")

    # torch has no double backward for multi_margin_loss; the hinge's hessian is 0
    # wherever it exists, which is what fastml returns.
    _check_elementwise(L.Hinge(), labels, z, per_sample, dtype, torch_hessian=False)


def _check_multiclass(loss, y_ours, p, torch_per_sample, dtype, y_torch=None):
    """_check_elementwise for row-coupled losses: hessian diagonal column by column."""
    p = p.astype(dtype)
    y_torch = y_ours if y_torch is None else y_torch
    x = _t(p, grad=True)
    per_sample = torch_per_sample(y_torch, x)
    (grad,) = torch.autograd.grad(per_sample.sum(), x, create_graph=True)
    hess = np.empty(p.shape)
    for k in range(p.shape[1]):
        (col,) = torch.autograd.grad(grad[:, k].sum(), x, retain_graph=True)
        hess[:, k] = col[:, k].numpy()  # rows are independent: d grad[i, k] / d x[i, k]
    tol = TOL[dtype]
    assert_allclose(loss.loss_per_sample(y_ours, p), per_sample.detach().numpy(), **tol)
    assert loss.loss(y_ours, p) == pytest.approx(
        per_sample.mean().item(), rel=tol["rtol"], abs=tol["atol"]
    )
    g, h = loss.gradient_hessian(y_ours, p)
    assert g.dtype == h.dtype == dtype
    assert_allclose(g, grad.detach().numpy(), **tol)
    assert_allclose(h, hess, **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_from_logits_with_indices(dtype):
    rng = _rng(8)
    labels = rng.integers(0, K, size=N)
    z = rng.normal(size=(N, K)) * 4
    _check_multiclass(
        L.CategoricalCrossEntropy(from_logits=True),
        labels,
        z,
        lambda t, x: F.cross_entropy(x, torch.tensor(t), reduction="none"),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_from_logits_with_probability_targets(dtype):
    rng = _rng(9)
    y = rng.dirichlet(np.ones(K), size=N)
    z = rng.normal(size=(N, K)) * 4
    _check_multiclass(
        L.CategoricalCrossEntropy(from_logits=True),
        y,
        z,
        lambda t, x: F.cross_entropy(x, _t(t), reduction="none"),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_from_probabilities_is_nll_of_log(dtype):
    rng = _rng(10)
    labels = rng.integers(0, K, size=N)
    p = rng.dirichlet(np.ones(K) * 2, size=N)
    _check_multiclass(
        L.CategoricalCrossEntropy(),
        labels,
        p,
        lambda t, x: F.nll_loss(torch.log(x), torch.tensor(t), reduction="none"),
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_divergence_is_kl_div_batchmean(dtype):
    rng = _rng(11)
    y = rng.dirichlet(np.ones(K), size=N)
    y[:, 0] = 0.0  # zero targets: torch and fastml both use 0 log 0 = 0
    y /= y.sum(axis=1, keepdims=True)
    p = rng.dirichlet(np.ones(K) * 2, size=N)
    z = rng.normal(size=(N, K)) * 3
    _check_multiclass(
        L.KLDivergence(),
        y,
        p,
        lambda t, x: F.kl_div(torch.log(x), _t(t), reduction="none").sum(dim=1),
        dtype,
    )
    _check_multiclass(
        L.KLDivergence(from_logits=True),
        y,
        z,
        lambda t, x: F.kl_div(F.log_softmax(x, dim=1), _t(t), reduction="none").sum(1),
        dtype,
    )
    # The mean is torch's "batchmean" reduction.
    expected = F.kl_div(torch.log(_t(p)), _t(y), reduction="batchmean").item()
    assert L.KLDivergence().loss(y, p) == pytest.approx(expected, rel=1e-12)


def test_sample_weight_matches_torch_weighted_sum():
    # torch's BCE `weight` rescales each element; with reduction="sum" divided by the
    # weight total it is fastml's weighted mean.
    rng = _rng(12)
    y = rng.integers(0, 2, size=N).astype(float)
    z = rng.normal(size=N) * 3
    w = rng.uniform(0, 3, size=N)
    total = F.binary_cross_entropy_with_logits(
        _t(z), _t(y), weight=_t(w), reduction="sum"
    )
    loss = L.BinaryCrossEntropy(from_logits=True)
    assert loss.loss(y, z, w) == pytest.approx(total.item() / w.sum(), rel=1e-12)
    x = _t(z, grad=True)
    F.binary_cross_entropy_with_logits(
        x, _t(y), weight=_t(w), reduction="sum"
    ).backward()
    assert_allclose(loss.gradient(y, z, w), x.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_extreme_logits_match_torch():
    # Exact agreement at |z| = 1e4, where naive formulas overflow.
    z = np.array([1e4, -1e4, 1e4, -1e4])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    expected = F.binary_cross_entropy_with_logits(_t(z), _t(y), reduction="none")
    loss = L.BinaryCrossEntropy(from_logits=True)
    assert_array_equal(loss.loss_per_sample(y, z), expected.numpy())
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    labels = np.array([1, 2])
    expected = F.cross_entropy(_t(logits), torch.tensor(labels), reduction="none")
    ce = L.CategoricalCrossEntropy(from_logits=True)
    assert_allclose(ce.loss_per_sample(labels, logits), expected.numpy(), rtol=1e-15)
    x = _t(logits, grad=True)
    F.cross_entropy(x, torch.tensor(labels), reduction="sum").backward()
    assert_allclose(ce.gradient(labels, logits), x.grad.numpy(), rtol=1e-15, atol=0)
