"""kernels/tree/boosting.py against the naive references of tests/naive/boosting.py."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.tree import boosting as kern
from naive.boosting import (
    huber_leaf_values,
    mean_loss,
    negative_gradient,
    newton_leaf_values,
    quantile_leaf_values,
    select_subsample,
    weighted_quantile,
)

from fastml.ensemble._gb_losses import GBLoss, weighted_percentile

# Rounding only: every kernel evaluates the same formula as its reference, with
# sums in a different order (1e-12 relative covers ~1e3 terms of float64 rounding).
RTOL = 1e-12


def _data(seed, n=200, K=1, classes=False):
    rng = np.random.RandomState(seed)
    raw = np.ascontiguousarray(rng.normal(scale=2.0, size=(n, K)))
    if classes:
        y = rng.randint(0, max(K, 2), size=n).astype(np.float64)
    else:
        y = rng.normal(size=n) * 3
    w = rng.uniform(0.0, 2.0, size=n)
    w[rng.rand(n) < 0.1] = 0.0
    return y, raw, w


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("loss", [0, 1, 2, 3, 4, 5, 6])
def test_negative_gradient_and_loss(loss, seed):
    classes = loss >= 4
    K = 3 if loss == 6 else 1
    y, raw, w = _data(seed, K=K, classes=classes)
    param = {2: 0.7, 3: 0.3}.get(loss, 0.0)
    out = np.empty_like(raw)
    kern.compute_negative_gradient(loss, y, raw, param, out)
    np.testing.assert_allclose(
        out, negative_gradient(loss, y, raw, param), rtol=RTOL, atol=1e-14
    )
    got = kern.mean_loss(loss, y, raw, w, param)
    np.testing.assert_allclose(got, mean_loss(loss, y, raw, w, param), rtol=RTOL)


def test_binomial_gradient_extreme_raw():
    # No overflow for very negative / positive raw predictions.
    raw = np.array([[-800.0], [-40.0], [0.0], [40.0], [800.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
    out = np.empty_like(raw)
    kern.compute_negative_gradient(4, y, raw, 0.0, out)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(
        out[:, 0], [1.0, -4.248354255291589e-18, 0.5, -1.0, 0.0], atol=1e-15
    )


def _lexsorted(leaf, residual):
    rows = np.flatnonzero(leaf >= 0)
    return rows[np.lexsort((residual[rows], leaf[rows]))].astype(np.int64)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rank", [0.5, 0.1, 0.9, 0.0, 1.0])
def test_quantile_leaf_values(rank, seed):
    rng = np.random.RandomState(seed)
    n, n_nodes = 150, 6
    resid = np.round(rng.normal(size=n), 1)  # ties
    w = rng.choice([0.0, 0.5, 1.0, 2.0], size=n)
    leaf = rng.randint(-1, n_nodes, size=n).astype(np.int64)
    value = np.full(n_nodes, 7.0)
    order = _lexsorted(leaf, resid)
    kern.quantile_leaf_values(order, leaf, resid, w, rank, n_nodes, value)
    ref = quantile_leaf_values(leaf, resid, w, rank, n_nodes)
    for node in range(n_nodes):
        rows = leaf == node
        if node not in ref:
            assert value[node] == 7.0  # no rows: untouched
        elif np.any(w[rows] > 0):
            assert value[node] == ref[node]
        else:
            assert value[node] == 0.0


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("rank", [0.5, 0.9, 0.0])
def test_weighted_percentile(seed, rank):
    rng = np.random.RandomState(seed)
    v = np.round(rng.normal(size=80), 1)
    w = rng.choice([0.0, 1.0, 3.0], size=80)
    assert weighted_percentile(v, w, 100 * rank) == weighted_quantile(v, w, rank)
    assert weighted_percentile(np.array([3.0]), np.array([1.0]), 50) == 3.0
    # Leading zero weights are skipped for rank 0.
    v3 = np.array([1.0, 2.0, 3.0])
    assert weighted_percentile(v3, np.array([0.0, 1.0, 1.0]), 0.0) == 2.0
    assert np.isnan(weighted_percentile(v3, np.zeros(3), 50))


# The Newton (log losses) and Huber leaf steps are computed by the estimator's loss
# object with numpy (fastml/ensemble/_gb_losses.py); checked here against the
# formulas of tests/naive/boosting.py like the kernels.
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", ["binomial", "exponential", "multinomial"])
def test_newton_leaf_values(name, seed):
    rng = np.random.RandomState(seed)
    n, n_nodes = 300, 9
    loss = GBLoss(name, 3 if name == "multinomial" else 2)
    y = (rng.rand(n) < 0.4).astype(np.float64)
    raw = rng.normal(size=(n, 1))
    g = np.empty_like(raw)
    kern.compute_negative_gradient(5 if name == "exponential" else 4, y, raw, 0.0, g)
    g = g[:, 0].copy()
    leaf = rng.choice([2, 3, 5, 7, 8], size=n).astype(np.int64)
    leaf[rng.rand(n) < 0.2] = -1  # out of the line search
    w = rng.uniform(0.1, 2.0, n)
    value = np.full(n_nodes, 123.0)
    loss.leaf_values(leaf, y, g, raw[:, 0].copy(), w, n_nodes, value)
    ref = newton_leaf_values(loss.code, leaf, y, g, w, 3, n_nodes)
    for node in range(n_nodes):
        if node in ref:
            np.testing.assert_allclose(value[node], ref[node], rtol=RTOL)
        else:
            assert value[node] == 123.0  # untouched


@pytest.mark.parametrize("seed", [0, 1])
def test_huber_leaf_values(seed):
    rng = np.random.RandomState(seed)
    n, n_nodes = 200, 5
    y = rng.standard_t(2, size=n)
    raw = rng.normal(scale=0.1, size=n)
    w = rng.uniform(0.2, 1.5, n)
    leaf = rng.randint(0, n_nodes, size=n).astype(np.int64)
    loss = GBLoss("huber")
    loss.delta = 0.8
    value = np.zeros(n_nodes)
    loss.leaf_values(leaf, y, y - raw, raw, w, n_nodes, value)
    ref = huber_leaf_values(leaf, y - raw, w, 0.8, n_nodes)
    for node, v in ref.items():
        np.testing.assert_allclose(value[node], v, rtol=RTOL)


def test_group_rows_and_add_leaf_values():
    leaf = np.array([2, -1, 0, 2, 1, 0], dtype=np.int64)
    starts, rows = kern.group_rows_by_leaf(leaf, 3)
    assert starts.tolist() == [0, 2, 3, 5]
    assert rows.tolist() == [2, 5, 4, 0, 3]
    raw = np.zeros((4, 2))
    kern.add_leaf_values(raw, 1, np.array([0, 1, 1, 2]), np.array([1.0, 2.0, 4.0]), 0.5)
    np.testing.assert_array_equal(raw[:, 1], [0.5, 1.0, 1.0, 2.0])
    np.testing.assert_array_equal(raw[:, 0], 0.0)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_inbag", [1, 37, 100])
def test_select_subsample(seed, n_inbag):
    u = np.random.RandomState(seed).uniform(size=100)
    mask = np.zeros(100, dtype=np.bool_)
    kern.select_subsample(u, n_inbag, mask)
    assert mask.sum() == n_inbag
    np.testing.assert_array_equal(mask, select_subsample(u, n_inbag))
