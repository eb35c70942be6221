"""fastml.losses against scipy.special building blocks (rel_entr, xlogy, xlog1py,
log_softmax, log_expit) and scikit-learn's metrics of the same losses.

Tolerances: rtol=1e-12 (atol=1e-12 where a value can be ~0). scipy and scikit-learn
evaluate the same formulas in float64; only rounding and summation order differ.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from fastml import losses as L

special = pytest.importorskip("scipy.special")

TOL = dict(rtol=1e-12, atol=1e-12)
RNG = np.random.default_rng(0)
N, K = 60, 4


def test_kl_divergence_is_summed_rel_entr():
    y = RNG.dirichlet(np.ones(K), size=N)
    y[::3, 1] = 0.0
    p = RNG.dirichlet(np.ones(K) * 2, size=N)
    expected = special.rel_entr(y, p).sum(axis=1)
    assert_allclose(L.KLDivergence().loss_per_sample(y, p), expected, **TOL)
    z = RNG.normal(size=(N, K)) * 3
    expected = special.rel_entr(y, special.softmax(z, axis=1)).sum(axis=1)
    assert_allclose(
        L.KLDivergence(from_logits=True).loss_per_sample(y, z), expected, **TOL
    )


def test_cross_entropy_from_logits_is_minus_log_softmax():
    y = RNG.dirichlet(np.ones(K), size=N)
    z = RNG.normal(size=(N, K)) * 3
    expected = -(y * special.log_softmax(z, axis=1)).sum(axis=1)
    loss = L.CategoricalCrossEntropy(from_logits=True)
    assert_allclose(loss.loss_per_sample(y, z), expected, **TOL)
    labels = RNG.integers(0, K, size=N)
    expected = -special.log_softmax(z, axis=1)[np.arange(N), labels]
    assert_allclose(loss.loss_per_sample(labels, z), expected, **TOL)


def test_binary_cross_entropy_via_xlogy_and_log_expit():
    y = RNG.uniform(size=N)
    p = RNG.uniform(0.01, 0.99, size=N)
    expected = -(special.xlogy(y, p) + special.xlog1py(1 - y, -p))
    assert_allclose(L.BinaryCrossEntropy().loss_per_sample(y, p), expected, **TOL)
    z = RNG.normal(size=N) * 5
    expected = -(y * special.log_expit(z) + (1 - y) * special.log_expit(-z))
    loss = L.BinaryCrossEntropy(from_logits=True)
    assert_allclose(loss.loss_per_sample(y, z), expected, **TOL)
    assert_allclose(loss.gradient(y, z), special.expit(z) - y, **TOL)


def test_poisson_is_half_deviance_via_xlogy():
    y = RNG.poisson(2.0, size=N).astype(float)
    z = RNG.normal(size=N)
    mu = np.exp(z)
    expected = special.xlogy(y, y / mu) - y + mu
    assert_allclose(L.Poisson().loss_per_sample(y, z), expected, **TOL)


def test_against_scikit_learn_metrics():
    metrics = pytest.importorskip("sklearn.metrics")
    y = RNG.normal(size=N)
    pred = RNG.normal(size=N)
    w = RNG.uniform(0.1, 2.0, size=N)
    assert L.squared_error(y, pred, sample_weight=w) == pytest.approx(
        metrics.mean_squared_error(y, pred, sample_weight=w), rel=1e-12
    )
    assert L.absolute_error(y, pred, sample_weight=w) == pytest.approx(
        metrics.mean_absolute_error(y, pred, sample_weight=w), rel=1e-12
    )
    counts = RNG.poisson(2.0, size=N).astype(float)
    # scikit-learn's Poisson deviance is twice fastml's per-sample loss.
    assert 2 * L.poisson(counts, pred, sample_weight=w) == pytest.approx(
        metrics.mean_poisson_deviance(counts, np.exp(pred), sample_weight=w), rel=1e-12
    )
    labels = RNG.integers(0, 2, size=N)
    proba = RNG.uniform(0.01, 0.99, size=N)
    assert L.binary_cross_entropy(labels, proba, sample_weight=w) == pytest.approx(
        metrics.log_loss(labels, proba, sample_weight=w), rel=1e-12
    )
    assert L.hinge(labels, pred, sample_weight=w) == pytest.approx(
        metrics.hinge_loss(labels, pred, sample_weight=w), rel=1e-12
    )
    multi = RNG.integers(0, K, size=N)
    proba = RNG.dirichlet(np.ones(K), size=N)
    assert L.categorical_cross_entropy(multi, proba, sample_weight=w) == pytest.approx(
        metrics.log_loss(multi, proba, sample_weight=w, labels=np.arange(K)), rel=1e-12
    )
