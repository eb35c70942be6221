"""API behaviour of fastml.losses: shapes, dtypes, weights, bad input, the caller's
arrays, out= / check_input, extreme values, and gradients and hessians against
central finite differences."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from fastml import losses as L


def _regression(rng, n):
    return rng.normal(size=n) * 2, rng.normal(size=n) * 2


def _counts(rng, n):
    return rng.poisson(2.0, size=n).astype(float), rng.normal(size=n)


def _binary_logits(rng, n):
    return rng.integers(0, 2, size=n).astype(float), rng.normal(size=n) * 3


def _binary_probs(rng, n):
    return rng.integers(0, 2, size=n).astype(float), rng.uniform(0.05, 0.95, size=n)


def _hinge(rng, n):
    return rng.integers(0, 2, size=n).astype(float), rng.normal(size=n) * 2


def _class_logits(rng, n, k=4):
    return rng.integers(0, k, size=n), rng.normal(size=(n, k)) * 2


def _soft_logits(rng, n, k=4):
    return rng.dirichlet(np.ones(k), size=n), rng.normal(size=(n, k)) * 2


def _class_probs(rng, n, k=4):
    return rng.integers(0, k, size=n), rng.dirichlet(np.ones(k) * 3, size=n)


def _soft_probs(rng, n, k=4):
    return rng.dirichlet(np.ones(k), size=n), rng.dirichlet(np.ones(k) * 3, size=n)


CASES = [
    ("squared", L.SquaredError(), _regression),
    ("half_squared", L.SquaredError(half=True), _regression),
    ("absolute", L.AbsoluteError(), _regression),
    ("huber", L.Huber(delta=1.3), _regression),
    ("pseudo_huber", L.PseudoHuber(delta=0.8), _regression),
    ("poisson", L.Poisson(), _counts),
    ("bce_logits", L.BinaryCrossEntropy(from_logits=True), _binary_logits),
    ("bce_probs", L.BinaryCrossEntropy(), _binary_probs),
    ("hinge", L.Hinge(), _hinge),
    ("cce_logits_idx", L.CategoricalCrossEntropy(from_logits=True), _class_logits),
    ("cce_logits_soft", L.CategoricalCrossEntropy(from_logits=True), _soft_logits),
    ("cce_probs_idx", L.CategoricalCrossEntropy(), _class_probs),
    ("cce_probs_soft", L.CategoricalCrossEntropy(), _soft_probs),
    ("kl_logits", L.KLDivergence(from_logits=True), _soft_logits),
    ("kl_probs", L.KLDivergence(), _soft_probs),
]
IDS = [c[0] for c in CASES]
PARAMS = [c[1:] for c in CASES]


def _data(gen, n=30, seed=0):
    return gen(np.random.default_rng(seed), n)


# --- construction ---------------------------------------------------------------------


def test_public_names_and_registry():
    for name in L.__all__:
        assert hasattr(L, name)
    import fastml

    assert fastml.losses is L
    assert L.get_loss("squared_error") == L.SquaredError()
    assert L.get_loss("binary_logistic") == L.BinaryCrossEntropy(from_logits=True)
    assert L.get_loss("softmax") == L.CategoricalCrossEntropy(from_logits=True)
    assert L.get_loss("huber", delta=3) == L.Huber(3.0)
    loss = L.PseudoHuber(2.0)
    assert L.get_loss(loss) is loss
    with pytest.raises(ValueError, match="Unknown loss 'mse'"):
        L.get_loss("mse")
    with pytest.raises(ValueError, match="Parameters cannot be given"):
        L.get_loss(loss, delta=1.0)
    for name in L.LOSSES:
        assert isinstance(L.get_loss(name), L.Loss)


def test_repr_eq_hash_pickle():
    assert repr(L.Huber(2)) == "Huber(delta=2.0)"
    assert repr(L.SquaredError()) == "SquaredError(half=False)"
    assert repr(L.Hinge()) == "Hinge()"
    assert L.Huber(2) == L.Huber(2.0) != L.Huber(1.0)
    assert L.Huber(1.0) != L.PseudoHuber(1.0)
    assert len({L.Huber(2), L.Huber(2.0), L.Hinge()}) == 2
    for _, loss, _ in CASES:
        assert pickle.loads(pickle.dumps(loss)) == loss
    assert L.CategoricalCrossEntropy(True, 1e-3).get_params() == {
        "from_logits": True,
        "eps": 1e-3,
    }


@pytest.mark.parametrize("cls", [L.Huber, L.PseudoHuber])
def test_bad_delta(cls):
    for bad in (0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="delta == .*must be > 0"):
            cls(bad)
    for bad in ("1", None, True):
        with pytest.raises(TypeError, match="delta must be a real number"):
            cls(bad)


@pytest.mark.parametrize(
    "cls", [L.BinaryCrossEntropy, L.CategoricalCrossEntropy, L.KLDivergence]
)
def test_bad_from_logits_and_eps(cls):
    with pytest.raises(TypeError, match="from_logits must be a bool"):
        cls(from_logits="yes")
    with pytest.raises(ValueError, match=r"eps == 0.5, must be in \(0, 0.5\)"):
        cls(eps=0.5)
    with pytest.raises(TypeError, match="half must be a bool"):
        L.SquaredError(half=1)


# --- the generic contract -------------------------------------------------------------


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_shapes_and_consistency(loss, gen):
    y, p = _data(gen)
    per_sample = loss.loss_per_sample(y, p)
    assert per_sample.shape == (30,)
    value = loss.loss(y, p)
    assert isinstance(value, float)
    assert value == pytest.approx(per_sample.mean(), rel=1e-14)
    grad, hess = loss.gradient_hessian(y, p)
    assert grad.shape == hess.shape == np.shape(p)
    assert_array_equal(loss.gradient(y, p), grad)
    assert_array_equal(loss.hessian(y, p), hess)
    assert np.all(per_sample >= -1e-12)  # every loss here is non-negative
    assert np.all(hess >= 0)  # and convex in each coordinate


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_float32_preserved_and_close(loss, gen):
    y, p = _data(gen)
    y32 = y.astype(np.float32) if y.dtype.kind == "f" else y
    p32 = p.astype(np.float32)
    per_sample = loss.loss_per_sample(y32, p32)
    grad, hess = loss.gradient_hessian(y32, p32)
    assert per_sample.dtype == grad.dtype == hess.dtype == np.float32
    # float32 inputs, float64 arithmetic, one rounding on store: ~1e-7 relative,
    # plus the error of the float32 inputs themselves (y - p cancels): 1e-5 covers it.
    p64 = p32.astype(np.float64)
    assert_allclose(per_sample, loss.loss_per_sample(y32, p64), rtol=1e-5, atol=1e-6)
    assert_allclose(grad, loss.gradient(y32, p64), rtol=1e-5, atol=1e-6)
    # Other input dtypes give float64.
    assert loss.loss_per_sample(y, p.astype(np.float16)).dtype == np.float64


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_caller_arrays_unchanged_and_read_only_ok(loss, gen):
    y, p = _data(gen)
    w = np.linspace(0.5, 2.0, 30)
    copies = [a.copy() for a in (y, p, w)]
    for a in (y, p, w):
        a.setflags(write=False)
    loss.loss(y, p, w)
    loss.loss_per_sample(y, p, w)
    loss.gradient_hessian(y, p, w)
    for a, c in zip((y, p, w), copies):
        assert_array_equal(a, c)


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_layouts_and_lists(loss, gen):
    y, p = _data(gen)
    expected = loss.gradient(y, p)
    assert_array_equal(loss.gradient(y.tolist(), p.tolist()), expected)
    assert_array_equal(loss.gradient(y, np.asfortranarray(p)), expected)
    strided = np.repeat(p, 2, axis=0)[::2]
    assert_array_equal(loss.gradient(y, strided), expected)


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_sample_weight(loss, gen):
    y, p = _data(gen)
    w = np.random.default_rng(1).integers(0, 4, size=30).astype(float)
    w[0] = 1.0
    per_sample = loss.loss_per_sample(y, p)
    assert_allclose(loss.loss_per_sample(y, p, w), w * per_sample, rtol=1e-15)
    grad, hess = loss.gradient_hessian(y, p)
    gw, hw = loss.gradient_hessian(y, p, w)
    scale = w if grad.ndim == 1 else w[:, None]
    assert_allclose(gw, scale * grad, rtol=1e-15)
    assert_allclose(hw, scale * hess, rtol=1e-15)
    # Integer weights act as repeated samples.
    idx = np.repeat(np.arange(30), w.astype(int))
    assert loss.loss(y, p, w) == pytest.approx(loss.loss(y[idx], p[idx]), rel=1e-12)
    # A constant weight changes nothing in the mean; a scalar weight broadcasts.
    assert loss.loss(y, p, np.full(30, 3.0)) == pytest.approx(
        loss.loss(y, p), rel=1e-14
    )
    assert loss.loss(y, p, 2.0) == pytest.approx(loss.loss(y, p), rel=1e-14)


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_bad_sample_weight(loss, gen):
    y, p = _data(gen)
    with pytest.raises(
        ValueError, match="Negative values in data passed to sample_weight"
    ):
        loss.loss(y, p, -np.ones(30))
    with pytest.raises(ValueError, match=r"sample_weight.shape == \(29,\), expected"):
        loss.gradient(y, p, np.ones(29))
    with pytest.raises(ValueError, match="at least one non-zero"):
        loss.loss(y, p, np.zeros(30))
    with pytest.raises(ValueError, match="NaN"):
        loss.loss(y, p, np.full(30, np.nan))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_non_finite_large_input_with_threads(dtype):
    # Large inputs with n_jobs > 1 check finiteness on the chunk threads; the error
    # is the same as the serial check's, and huge finite values are not rejected.
    from fastml.losses import BinaryCrossEntropy, CategoricalCrossEntropy

    rng = np.random.default_rng(0)
    z = rng.normal(size=(40_000, 3)).astype(dtype)
    labels = rng.integers(0, 3, size=40_000)
    cce = CategoricalCrossEntropy(from_logits=True)
    huge = z.copy()
    huge[::2] = np.finfo(dtype).max / 2  # sums overflow, values are finite
    assert np.isfinite(cce.loss(labels, huge, n_jobs=2))
    for value, message in ((np.nan, "NaN"), (np.inf, "infinity")):
        bad = z.copy()
        bad[-1, 2] = value
        with pytest.raises(ValueError, match=f"Input y_pred contains {message}"):
            cce.loss(labels, bad, n_jobs=2)
    bce = BinaryCrossEntropy(from_logits=True)
    y = (rng.random(70_000) < 0.5).astype(float)
    zb = rng.normal(size=70_000).astype(dtype)
    zb[12_345] = np.nan
    with pytest.raises(ValueError, match="Input y_pred contains NaN"):
        bce.gradient(y, zb, n_jobs=2)


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_bad_input(loss, gen):
    y, p = _data(gen)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        loss.loss(y[:-1], p)
    bad = p.copy()
    bad.flat[3] = np.nan
    with pytest.raises(ValueError, match="Input y_pred contains NaN"):
        loss.loss(y, bad)
    bad.flat[3] = np.inf
    with pytest.raises(ValueError, match="Input y_pred contains infinity"):
        loss.gradient(y, bad)
    if y.dtype.kind == "f":
        bad_y = y.copy()
        bad_y.flat[0] = np.nan
        with pytest.raises(ValueError, match="Input y_true contains NaN"):
            loss.loss(bad_y, p)
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        loss.loss(y[:0], p[:0])
    with pytest.raises(ValueError, match="strings"):
        loss.loss(y, np.array(["a"] * 30))
    with pytest.raises(ValueError, match="Expected array-like"):
        loss.loss(y, None)
    wrong_ndim = p[..., None, None] if p.ndim == 1 else p[:, :, None]
    with pytest.raises(ValueError):
        loss.loss(y, wrong_ndim)


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_one_sample(loss, gen):
    y, p = _data(gen, n=1)
    assert np.isfinite(loss.loss(y, p))
    grad, hess = loss.gradient_hessian(y, p)
    assert grad.shape == np.shape(p)


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_out_and_check_input(loss, gen):
    y, p = _data(gen)
    w = np.linspace(0.5, 2.0, 30)
    expected = loss.gradient_hessian(y, p, w)
    grad, hess = np.empty_like(p), np.empty_like(p)
    got = loss.gradient_hessian(y, p, w, out=(grad, hess))
    assert got[0] is grad and got[1] is hess
    assert_array_equal(grad, expected[0])
    assert_array_equal(hess, expected[1])
    # The fast path with the kernel's canonical target.
    y_kernel = loss._check_y_true(y, p)
    fast = loss.gradient_hessian(y_kernel, p, w, check_input=False)
    assert_array_equal(fast[0], expected[0])
    assert_array_equal(fast[1], expected[1])
    with pytest.raises(ValueError, match="out gradient must be"):
        loss.gradient_hessian(y, p, out=(np.empty(3), hess))
    with pytest.raises(ValueError, match="out hessian must be"):
        loss.gradient_hessian(y, p, out=(grad, hess.astype(np.float32)))
    with pytest.raises(ValueError, match="must not overlap"):
        loss.gradient_hessian(y, p, out=(grad, grad))


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_n_jobs_does_not_change_results(loss, gen):
    y, p = _data(gen, n=40_000)
    one = loss.gradient_hessian(y, p)
    two = loss.gradient_hessian(y, p, n_jobs=2)
    assert_array_equal(one[0], two[0])
    assert_array_equal(one[1], two[1])
    assert loss.loss(y, p, n_jobs=-1) == loss.loss(y, p)
    with pytest.raises(ValueError, match="n_jobs == 0"):
        loss.loss(y, p, n_jobs=0)


# --- domains, shapes and conventions of individual losses -----------------------------


def test_regression_column_vector_and_shape_errors():
    y = np.arange(5.0)
    p = y + 1
    loss = L.SquaredError()
    assert loss.loss(y[:, None], p[:, None]) == 1.0
    assert loss.gradient(y, p[:, None]).shape == (5,)
    with pytest.raises(ValueError, match=r"expects y_pred of shape \(n_samples,\)"):
        loss.loss(np.ones((5, 2)), np.ones((5, 2)))
    with pytest.raises(ValueError, match="same shape"):
        loss.loss(np.ones((5, 2)), p)


def test_squared_error_conventions():
    y = np.array([0.0, 1.0, 2.0])
    p = np.array([1.0, 1.0, 0.0])
    assert L.SquaredError().loss(y, p) == pytest.approx(5 / 3)
    assert_array_equal(L.SquaredError().gradient_hessian(y, p)[0], [2.0, 0.0, -4.0])
    assert_array_equal(L.SquaredError().hessian(y, p), 2.0)
    assert L.SquaredError(half=True).loss(y, p) == pytest.approx(5 / 6)
    assert_array_equal(L.SquaredError(half=True).gradient(y, p), [1.0, 0.0, -2.0])
    assert_array_equal(L.SquaredError(half=True).hessian(y, p), 1.0)
    # Half squared error is Huber with an infinite threshold.
    big = L.Huber(delta=1e300)
    assert_array_equal(
        big.loss_per_sample(y, p), L.SquaredError(True).loss_per_sample(y, p)
    )


def test_non_smooth_points():
    y = np.zeros(3)
    p = np.array([-1.0, 0.0, 2.0])
    grad, hess = L.AbsoluteError().gradient_hessian(y, p)
    assert_array_equal(grad, [-1.0, 0.0, 1.0])
    assert_array_equal(hess, 0.0)
    grad, hess = L.Huber(delta=2.0).gradient_hessian(y, p)
    assert_array_equal(grad, [-1.0, 0.0, 2.0])
    assert_array_equal(hess, [1.0, 1.0, 1.0])  # |r| == delta counts as quadratic
    grad, hess = L.Hinge().gradient_hessian([1, 1, -1], [1.0, 0.5, -3.0])
    assert_array_equal(grad, [0.0, -1.0, 0.0])  # 0 at the kink y z == 1
    assert_array_equal(hess, 0.0)


def test_hinge_labels():
    z = np.array([0.5, -2.0, 0.0])
    assert_array_equal(
        L.Hinge().loss_per_sample([1, 0, 0], z),
        L.Hinge().loss_per_sample([1, -1, -1], z),
    )
    assert_array_equal(L.Hinge().loss_per_sample([1, 1, 1], z), [0.5, 3.0, 1.0])
    assert L.hinge([True, False], [1.0, -1.0]) == 0.0
    with pytest.raises(ValueError, match=r"labels in \{-1, 1\} or \{0, 1\}"):
        L.Hinge().loss([-1, 0, 1], z)
    with pytest.raises(ValueError, match="labels in"):
        L.Hinge().loss([2, 0, 2], z)


def test_binary_cross_entropy_domains():
    loss = L.BinaryCrossEntropy()
    with pytest.raises(
        ValueError, match=r"probabilities in \[0, 1\].*from_logits=True"
    ):
        loss.loss([0, 1], [0.5, 1.5])
    with pytest.raises(ValueError, match=r"y_true in \[0, 1\]"):
        loss.loss([0, 2], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"y_true in \[0, 1\]"):
        L.BinaryCrossEntropy(from_logits=True).loss([-1, 1], [0.5, 0.5])
    # Clipping: p = 0 or 1 gives -log(eps), finite, in both dtypes.
    for dtype in (np.float64, np.float32):
        p = np.array([0.0, 1.0], dtype=dtype)
        per_sample = loss.loss_per_sample([1, 0], p)
        eps = np.finfo(dtype).eps
        assert_allclose(per_sample, -np.log(eps), rtol=1e-6)
        grad, hess = loss.gradient_hessian([1, 0], p)
        assert np.isfinite(grad).all() and np.isfinite(hess).all()
    assert L.BinaryCrossEntropy(eps=1e-3).loss([1], [0.0]) == pytest.approx(
        -np.log(1e-3)
    )


def test_poisson_domain_and_zero_at_mean():
    with pytest.raises(ValueError, match="non-negative y_true"):
        L.Poisson().loss([-1.0, 2.0], [0.0, 0.0])
    y = np.array([0.0, 1.0, 5.0, 1000.0])
    raw = np.log(np.maximum(y, 1e-300))
    assert_allclose(L.Poisson().loss_per_sample(y, raw), 0.0, atol=1e-12)
    assert_allclose(L.Poisson().gradient(y, raw), 0.0, atol=1e-9)
    assert_allclose(L.Poisson().hessian([3.0], [np.log(3.0)]), 3.0, rtol=1e-15)


def test_multiclass_targets_and_errors():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, size=10)
    logits = rng.normal(size=(10, 3))
    onehot = np.eye(3)[labels]
    loss = L.CategoricalCrossEntropy(from_logits=True)
    assert_allclose(
        loss.loss_per_sample(labels, logits),
        loss.loss_per_sample(onehot, logits),
        rtol=1e-14,
    )
    assert_allclose(
        loss.gradient(labels, logits), loss.gradient(onehot, logits), rtol=1e-14
    )
    # Float labels holding integers are accepted; KL takes indices as one-hot rows.
    assert loss.loss(labels.astype(float), logits) == loss.loss(labels, logits)
    kl = L.KLDivergence(from_logits=True)
    assert kl.loss(labels, logits) == pytest.approx(
        loss.loss(labels, logits), rel=1e-14
    )
    with pytest.raises(
        ValueError, match=r"class indices in y_true must be in \[0, 3\)"
    ):
        loss.loss(labels + 1, logits)
    with pytest.raises(ValueError, match=r"must be in \[0, 3\)"):
        loss.loss(labels - 1, logits)
    with pytest.raises(ValueError, match="class indices \\(integers\\)"):
        loss.loss(labels + 0.5, logits)
    with pytest.raises(ValueError, match=r"expects y_true of shape"):
        loss.loss(onehot[:, :2], logits)
    with pytest.raises(ValueError, match="non-negative targets"):
        loss.loss(-onehot, logits)
    with pytest.raises(
        ValueError, match=r"expects y_pred of shape \(n_samples, n_classes\)"
    ):
        loss.loss(labels, logits[:, 0])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        L.CategoricalCrossEntropy().loss(labels, logits)
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]"):
        L.KLDivergence().loss(onehot, logits)


def test_multiclass_hessian_is_diagonal_p_one_minus_p():
    logits = np.array([[0.0, np.log(3.0)], [1.0, 1.0]])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    grad, hess = L.CategoricalCrossEntropy(from_logits=True).gradient_hessian(
        [1, 0], logits
    )
    assert_allclose(grad, p - np.eye(2)[[1, 0]], rtol=1e-15)
    assert_allclose(hess, p * (1 - p), rtol=1e-15)
    # Soft targets that do not sum to one scale both by their total.
    y = np.array([[1.0, 1.0], [0.0, 2.0]])
    grad, hess = L.CategoricalCrossEntropy(from_logits=True).gradient_hessian(y, logits)
    total = y.sum(axis=1, keepdims=True)
    assert_allclose(grad, total * p - y, rtol=1e-15)
    assert_allclose(hess, total * p * (1 - p), rtol=1e-15)


def test_kl_divergence_values():
    y = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
    p = np.array([[0.25, 0.25, 0.5], [0.5, 0.25, 0.25]])
    expected = np.array([np.log(2.0), np.log(2.0)])
    assert_allclose(L.KLDivergence().loss_per_sample(y, p), expected, rtol=1e-15)
    assert_allclose(L.KLDivergence(from_logits=True).loss_per_sample(y, np.log(p)),
                    expected, rtol=1e-14)  # fmt: skip
    assert L.KLDivergence().loss(p, p) == 0.0


# --- extreme values -------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_logits_no_inf_or_nan(dtype):
    z = np.array([1e4, -1e4, 1e4, -1e4], dtype=dtype)
    y = np.array([1.0, 0.0, 0.0, 1.0])
    with np.errstate(all="raise"):
        bce = L.BinaryCrossEntropy(from_logits=True)
        assert_array_equal(bce.loss_per_sample(y, z), [0.0, 0.0, 1e4, 1e4])
        grad, hess = bce.gradient_hessian(y, z)
        assert_array_equal(grad, [0.0, 0.0, 1.0, -1.0])
        assert_array_equal(hess, 0.0)
        logits = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype)
        for loss, target in [
            (L.CategoricalCrossEntropy(from_logits=True), [0, 1]),
            (L.CategoricalCrossEntropy(from_logits=True), np.eye(3)[[2, 1]]),
            (L.KLDivergence(from_logits=True), np.full((2, 3), 1 / 3)),
        ]:
            values = loss.loss_per_sample(target, logits)
            grad, hess = loss.gradient_hessian(target, logits)
            for a in (values, grad, hess):
                assert np.isfinite(a).all()
        assert_allclose(
            L.CategoricalCrossEntropy(from_logits=True).loss_per_sample([0, 1], logits),
            [0.0, np.log(3.0)],
            rtol=1e-6,
        )
        for loss in (L.Huber(), L.PseudoHuber(), L.AbsoluteError(), L.Hinge()):
            labels = [1.0, 0.0, 0.0, 1.0] if isinstance(loss, L.Hinge) else np.zeros(4)
            for a in (
                loss.loss_per_sample(labels, z),
                *loss.gradient_hessian(labels, z),
            ):
                assert np.isfinite(a).all()
    # Pseudo-Huber far out: slope delta, hessian underflows to 0, no overflow of t**2.
    grad, hess = L.PseudoHuber(2.0).gradient_hessian([0.0], [1e200])
    assert_allclose(grad, 2.0, rtol=1e-15)
    assert_array_equal(hess, 0.0)
    assert_allclose(
        L.PseudoHuber(2.0).loss_per_sample([0.0], [1e200]), 2e200, rtol=1e-12
    )
    # Pseudo-Huber near 0 keeps full relative accuracy (no sqrt(1 + t^2) - 1).
    assert_allclose(
        L.PseudoHuber(1.0).loss_per_sample([0.0], [1e-10]), 5e-21, rtol=1e-15
    )


# --- derivatives against central finite differences -----------------------------------

# Central differences with step h on O(1) values: truncation ~h^2 |l'''| and rounding
# ~eps |l| / h. h = 1e-5 keeps both below ~1e-9; rtol/atol 1e-6 leaves margin for
# steep hessians (probability losses near p = 0.05: l''' ~ 1e4). Points sit away from
# kinks (|r| != delta, y z != 1) because of the random data.
H = 1e-5
FD_TOL = dict(rtol=1e-6, atol=1e-6)


def _fd(f, p, idx):
    e = np.zeros_like(p)
    e[idx] = H
    return (f(p + e) - f(p - e)) / (2 * H)


@pytest.mark.parametrize(("loss", "gen"), PARAMS, ids=IDS)
def test_gradient_and_hessian_match_finite_differences(loss, gen):
    y, p = _data(gen, n=12, seed=3)
    w = np.linspace(0.5, 1.5, 12)
    grad, hess = loss.gradient_hessian(y, p, w)
    fd_grad = np.empty_like(p)
    fd_hess = np.empty_like(p)
    for idx in np.ndindex(p.shape):
        row = idx[0]
        fd_grad[idx] = _fd(lambda q, r=row: loss.loss_per_sample(y, q, w)[r], p, idx)
        fd_hess[idx] = _fd(lambda q, i=idx: loss.gradient(y, q, w)[i], p, idx)
    assert_allclose(grad, fd_grad, **FD_TOL)
    assert_allclose(hess, fd_hess, **FD_TOL)


# --- functional aliases ---------------------------------------------------------------


FUNCTIONAL = [
    (L.squared_error, L.SquaredError(), _regression, {}),
    (L.squared_error, L.SquaredError(half=True), _regression, {"half": True}),
    (L.absolute_error, L.AbsoluteError(), _regression, {}),
    (L.huber, L.Huber(2.0), _regression, {"delta": 2.0}),
    (L.pseudo_huber, L.PseudoHuber(0.5), _regression, {"delta": 0.5}),
    (L.poisson, L.Poisson(), _counts, {}),
    (L.binary_cross_entropy, L.BinaryCrossEntropy(), _binary_probs, {}),
    (L.binary_cross_entropy, L.BinaryCrossEntropy(True), _binary_logits,
     {"from_logits": True}),
    (L.categorical_cross_entropy, L.CategoricalCrossEntropy(True), _class_logits,
     {"from_logits": True}),
    (L.categorical_cross_entropy, L.CategoricalCrossEntropy(eps=1e-3), _class_probs,
     {"eps": 1e-3}),
    (L.hinge, L.Hinge(), _hinge, {}),
    (L.kl_divergence, L.KLDivergence(), _soft_probs, {}),
]  # fmt: skip


@pytest.mark.parametrize(("func", "loss", "gen", "kwargs"), FUNCTIONAL)
def test_functional_aliases(func, loss, gen, kwargs):
    y, p = _data(gen)
    w = np.linspace(0.5, 2.0, 30)
    assert func(y, p, **kwargs) == loss.loss(y, p)
    assert func(y, p, sample_weight=w, **kwargs) == loss.loss(y, p, w)
    assert_array_equal(
        func(y, p, sample_weight=w, reduction="none", **kwargs),
        loss.loss_per_sample(y, p, w),
    )
    assert func(y, p, reduction="sum", **kwargs) == pytest.approx(
        loss.loss_per_sample(y, p).sum(), rel=1e-14
    )
    with pytest.raises(ValueError, match="reduction must be one of"):
        func(y, p, reduction="batchmean", **kwargs)
    assert func.__doc__ and type(loss).__name__ in func.__doc__
