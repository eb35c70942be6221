"""Weighted quantile sketch kernels vs exact weighted ranks (tests/naive/sketch.py).

Every bound checked here is the one documented in kernels/hist/sketch.py and cuts.py:
an exact summary has eps = 0, pruning to b adds 1/b, merging keeps
``sum eps_i W_i / W``, and a query answer is within ``eps W / 2`` of its rank.
Tolerance ``TOL * W`` with TOL = 1e-9 absorbs float64 rounding of the cumulative
weight sums (relative error ~ n * 1e-16 for the n <= 5000 pairs used here).
"""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.hist.cuts import sketch_feature_cuts
from fastml.kernels.hist.sketch import (
    build_summary,
    merge_summaries,
    prune_summary,
    query_summary,
    summary_cuts,
    summary_epsilon,
)
from naive.sketch import (
    naive_best_boundary_error,
    naive_distinct,
    naive_feature_cuts,
    naive_rank_error,
    naive_ranks,
    naive_summary_violation,
)

TOL = 1e-9


def make_data(kind, n, seed):
    """(values, weights) of one of the test families."""
    rng = np.random.default_rng(seed)
    if kind == "random":
        return rng.standard_normal(n), rng.random(n) + 0.1
    if kind == "unit":
        return rng.standard_normal(n), np.ones(n)
    if kind == "ties":  # heavy ties: 7 distinct values, one very frequent
        v = rng.choice(
            [-2.0, -1.0, 0.0, 0.5, 1.0, 3.0, 10.0],
            size=n,
            p=[0.02, 0.03, 0.6, 0.1, 0.1, 0.1, 0.05],
        )
        return v, rng.random(n) + 0.5
    if kind == "ties_many":  # many repeated values among many distinct ones
        return np.round(rng.standard_normal(n) * 20), rng.random(n)
    if kind == "skewed":  # Pareto weights: a few rows carry most of the weight
        return rng.lognormal(0, 2, n), rng.pareto(1.2, n) + 1e-3
    if kind == "one_heavy":
        w = np.ones(n)
        w[n // 3] = 10.0 * n
        return rng.standard_normal(n), w
    if kind == "tiny":
        return rng.standard_normal(n), (rng.random(n) + 0.1) * 1e-200
    if kind == "huge":
        return rng.standard_normal(n), (rng.random(n) + 0.1) * 1e200
    if kind == "mixed_scale":  # weights over 24 orders of magnitude
        return rng.standard_normal(n), 10.0 ** rng.uniform(-12, 12, n)
    if kind == "float32":
        return rng.standard_normal(n).astype(np.float32), rng.random(n)
    if kind == "nan_zero":  # NaN values and zero weights are ignored
        v = rng.standard_normal(n)
        v[rng.random(n) < 0.2] = np.nan
        w = rng.random(n)
        w[rng.random(n) < 0.2] = 0.0
        return v, w
    if kind == "signed_zero":
        v = rng.choice([-0.0, 0.0, 1.0, -1.0], size=n)
        return v, rng.random(n) + 0.1
    raise ValueError(kind)


KINDS = [
    "random",
    "unit",
    "ties",
    "ties_many",
    "skewed",
    "one_heavy",
    "tiny",
    "huge",
    "mixed_scale",
    "float32",
    "nan_zero",
    "signed_zero",
]


def total_weight(values, weights):
    _, dist_w, _ = naive_distinct(values, weights)
    return dist_w.sum()


def check_query(values, weights, summary, eps):
    """Rank error of the answers to a grid of ranks <= eps W / 2."""
    W = total_weight(values, weights)
    ranks = np.linspace(0.0, W, 41)
    answers = query_summary(summary, ranks)
    err = naive_rank_error(values, weights, answers, ranks)
    assert np.all(err <= (eps / 2 + TOL) * W), (err.max() / W, eps)


# --------------------------------------------------------------------------- summary


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1])
def test_build_summary_is_exact(kind, seed):
    values, weights = make_data(kind, 700, seed)
    s = build_summary(values, weights)
    distinct, dist_w, cum = naive_distinct(values, weights)
    assert s.dtype == np.float64 and s.shape == (4, distinct.shape[0])
    assert s.flags.c_contiguous
    np.testing.assert_array_equal(s[0], distinct)
    W = cum[-1]
    np.testing.assert_allclose(s[2], cum, rtol=0, atol=TOL * W)
    np.testing.assert_allclose(s[1], cum - dist_w, rtol=0, atol=TOL * W)
    np.testing.assert_allclose(s[3], dist_w, rtol=1e-12)
    assert summary_epsilon(s) <= TOL
    assert naive_summary_violation(values, weights, s) <= TOL * W
    check_query(values, weights, s, 0.0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("b", [2, 7, 32, 255])
def test_prune_error_bound(kind, b):
    values, weights = make_data(kind, 1500, 3)
    W = total_weight(values, weights)
    p = prune_summary(build_summary(values, weights), b)
    assert p.shape[1] <= b + 1
    eps = summary_epsilon(p)
    assert eps <= 1.0 / b + TOL
    assert naive_summary_violation(values, weights, p) <= TOL * W
    check_query(values, weights, p, eps)
    # the documented bound, not only the measured one
    check_query(values, weights, p, 1.0 / b)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merge_of_several_summaries_keeps_bound(kind, seed):
    values, weights = make_data(kind, 3000, seed)
    rng = np.random.default_rng(100 + seed)
    n_parts = 5
    bounds = np.sort(
        rng.choice(np.arange(1, values.shape[0]), n_parts - 1, replace=False)
    )
    parts = np.split(np.arange(values.shape[0]), bounds)
    sizes_b = [8, 16, 33, 64, 100]
    summaries, weighted_eps = [], 0.0
    for idx, b in zip(parts, sizes_b):
        s = prune_summary(build_summary(values[idx], weights[idx]), b)
        summaries.append(s)
        weighted_eps += summary_epsilon(s) * total_weight(values[idx], weights[idx])
        assert summary_epsilon(s) <= 1.0 / b + TOL
    W = total_weight(values, weights)
    bound = weighted_eps / W  # <= max_i 1/b_i = 1/8
    assert bound <= 1.0 / 8 + TOL
    # sequential merge and a balanced tree of merges: both keep the bound
    seq = summaries[0]
    for s in summaries[1:]:
        seq = merge_summaries(seq, s)
    tree = merge_summaries(
        merge_summaries(summaries[0], summaries[1]),
        merge_summaries(merge_summaries(summaries[2], summaries[3]), summaries[4]),
    )
    for merged in (seq, tree):
        assert summary_epsilon(merged) <= bound + TOL
        assert naive_summary_violation(values, weights, merged) <= TOL * W
        check_query(values, weights, merged, bound)
        assert merged[2, -1] == pytest.approx(W, rel=1e-12)
    # merge is order-independent as a set of values
    np.testing.assert_array_equal(seq[0], tree[0])
    # pruning after the merge adds 1/b
    pruned = prune_summary(seq, 20)
    assert summary_epsilon(pruned) <= bound + 1.0 / 20 + TOL
    assert naive_summary_violation(values, weights, pruned) <= TOL * W
    check_query(values, weights, pruned, bound + 1.0 / 20)


def test_merge_of_exact_summaries_is_exact():
    values, weights = make_data("ties_many", 2000, 5)
    a = build_summary(values[:700], weights[:700])
    b = build_summary(values[700:], weights[700:])
    merged = merge_summaries(a, b)
    full = build_summary(values, weights)
    np.testing.assert_array_equal(merged[0], full[0])
    np.testing.assert_allclose(merged[1:], full[1:], rtol=0, atol=TOL * full[2, -1])
    assert summary_epsilon(merged) <= TOL


def test_merge_disjoint_ranges_and_interleaved():
    # b entirely above a, then interleaved; bounds stay valid in both
    a_vals, b_vals = np.arange(0, 100.0), np.arange(200, 300.0)
    for bv in (b_vals, np.arange(0.5, 100.5)):
        a = prune_summary(build_summary(a_vals), 10)
        b = prune_summary(build_summary(bv), 10)
        m = merge_summaries(a, b)
        allv = np.concatenate([a_vals, bv])
        assert naive_summary_violation(allv, None, m) <= TOL * 200
        assert summary_epsilon(m) <= 0.1 + TOL


def test_summary_degenerate_inputs():
    empty = build_summary(np.empty(0))
    assert empty.shape == (4, 0)
    assert build_summary(np.array([np.nan, np.nan])).shape == (4, 0)
    assert build_summary(np.array([1.0, 2.0]), np.array([0.0, -1.0])).shape == (4, 0)
    assert np.isnan(query_summary(empty, np.array([0.5]))).all()
    assert summary_epsilon(empty) == 0.0
    assert summary_cuts(empty, 10).shape == (0,)
    one = build_summary(np.array([3.5]), np.array([2.0]))
    np.testing.assert_array_equal(one[:, 0], [3.5, 0.0, 2.0, 2.0])
    assert query_summary(one, np.array([0.0, 1.0, 2.0])).tolist() == [3.5] * 3
    same = build_summary(np.full(50, -7.0))
    assert same.shape == (4, 1) and same[3, 0] == 50.0
    assert summary_cuts(same, 10).shape == (0,)
    # merging with an empty summary returns the other one
    np.testing.assert_array_equal(merge_summaries(empty, same), same)
    np.testing.assert_array_equal(merge_summaries(same, empty), same)
    np.testing.assert_array_equal(prune_summary(same, 1), same)


def test_summary_is_plain_numpy_and_ships_as_bytes():
    values, weights = make_data("random", 1000, 9)
    a = prune_summary(build_summary(values[:500], weights[:500]), 16)
    b = prune_summary(build_summary(values[500:], weights[500:]), 16)
    # a "remote" copy travels as raw bytes plus its shape
    b_remote = np.frombuffer(b.tobytes(), dtype=np.float64).reshape(b.shape).copy()
    np.testing.assert_array_equal(merge_summaries(a, b_remote), merge_summaries(a, b))


def test_query_rank_grid_against_exact_quantiles():
    # unit weights, exact summary: the answer to rank d lies in [r-(x), r+(x)]
    values = np.arange(10.0)
    s = build_summary(values)
    ranks = np.array([0.0, 0.4, 1.0, 4.5, 5.0, 9.9, 10.0])
    answers = query_summary(s, ranks)
    r_minus, r_plus = naive_ranks(values, None, answers)
    assert np.all((r_minus <= ranks) & (ranks <= r_plus))


# --------------------------------------------------------------------------- cuts


def left_weight(values, weights, t):
    r_minus, _ = naive_ranks(values, weights, np.asarray(t))
    return r_minus


def check_cuts_property(values, weights, cuts, max_bin, eps):
    """Strictly increasing, <= max_bin - 1, and every target rank j W / max_bin has a
    threshold whose left weight is within best exact boundary + eps W."""
    assert cuts.shape[0] <= max_bin - 1
    assert np.all(np.diff(cuts) > 0)
    distinct, _, cum = naive_distinct(values, weights)
    if distinct.shape[0] <= max_bin:
        np.testing.assert_array_equal(
            cuts, naive_feature_cuts(distinct[:, None], None, max_bin)[0]
        )
        return
    W = cum[-1]
    lw = left_weight(values, weights, cuts)
    for j in range(1, max_bin):
        d = W * j / max_bin
        best = naive_best_boundary_error(values, weights, d)
        assert np.min(np.abs(lw - d)) <= best + (eps + TOL) * W


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("max_bin", [2, 5, 16, 255])
@pytest.mark.parametrize("chunk_rows", [None, 300])
def test_sketch_feature_cuts_exact_eps0(kind, max_bin, chunk_rows):
    # chunk_rows None: the NumPy exact path; 300: exact chunk summaries merged (Numba)
    values, weights = make_data(kind, 2000, 11)
    X = np.asarray(values)[:, None]
    cv, cp = sketch_feature_cuts(X, weights, max_bin, 0.0, chunk_rows=chunk_rows)
    assert cp.tolist() == [0, cv.shape[0]]
    check_cuts_property(values, weights, cv, max_bin, 0.0)


@pytest.mark.parametrize("max_bin", [4, 16, 63, 256])
def test_sketch_feature_cuts_unit_weights_equal_naive(max_bin):
    # with unit weights every sum is an exact integer: cuts equal the naive ones
    rng = np.random.default_rng(2)
    X = np.column_stack(
        [
            rng.standard_normal(3000),
            np.round(rng.standard_normal(3000) * 5),
            rng.integers(0, 3, 3000).astype(float),
            rng.exponential(size=3000),
        ]
    )
    ones = np.ones(3000)
    for chunk in (3000, 500):
        cv, cp = sketch_feature_cuts(X, ones, max_bin, 0.0, chunk_rows=chunk)
        ncv, ncp = naive_feature_cuts(X, ones, max_bin)
        np.testing.assert_array_equal(cp, ncp)
        np.testing.assert_array_equal(cv, ncv)


@pytest.mark.parametrize(
    "kind", ["random", "skewed", "ties_many", "mixed_scale", "float32"]
)
@pytest.mark.parametrize("eps", [0.002, 0.01, 0.05])
def test_sketch_feature_cuts_within_eps(kind, eps):
    values, weights = make_data(kind, 5000, 4)
    max_bin = 32
    # small chunks: 10 chunk summaries, each pruned, merged in a tree
    cv, _ = sketch_feature_cuts(
        np.asarray(values)[:, None], weights, max_bin, eps, chunk_rows=512
    )
    check_cuts_property(values, weights, cv, max_bin, eps)


def test_low_cardinality_features_exactly_separated_with_pruning():
    rng = np.random.default_rng(7)
    n = 6000
    X = np.column_stack(
        [
            rng.integers(0, 255, n).astype(np.float32),  # exactly 255 = max_bin values
            rng.choice([-1.5, 0.0, 2.25], n).astype(np.float32),
            rng.integers(0, 2, n).astype(np.float32),
        ]
    )
    w = rng.random(n) + 0.01
    cv, cp = sketch_feature_cuts(X, w, 255, 0.05, chunk_rows=700)
    for f in range(3):
        distinct = np.unique(X[:, f]).astype(np.float64)
        cuts = cv[cp[f] : cp[f + 1]]
        assert cuts.shape[0] == distinct.shape[0] - 1
        # every distinct value has its own bin
        bins = np.searchsorted(cuts, distinct, side="right")
        np.testing.assert_array_equal(bins, np.arange(distinct.shape[0]))


def test_cuts_degenerate_columns():
    n = 100
    X = np.column_stack(
        [
            np.full(n, np.nan),  # all NaN
            np.full(n, 4.0),  # constant
            np.where(np.arange(n) % 2 == 0, np.nan, 1.0),  # constant + NaN
            np.arange(n, dtype=float),  # zero weight everywhere but two rows (below)
            np.linspace(-1, 1, n),
        ]
    )
    w = np.ones(n)
    cv, cp = sketch_feature_cuts(X, w, 8, 0.01)
    counts = np.diff(cp)
    assert counts[:3].tolist() == [0, 0, 0]
    assert counts[3] == 7 and counts[4] == 7
    w2 = np.zeros(n)
    w2[[10, 20]] = 1.0
    cv2, cp2 = sketch_feature_cuts(X[:, 3:4], w2, 8, 0.01)
    assert cv2.tolist() == [15.0]
    # n = 1 and an empty matrix
    cv1, cp1 = sketch_feature_cuts(np.array([[1.0, np.nan]]), np.ones(1), 16, 0.01)
    assert cv1.shape == (0,) and cp1.tolist() == [0, 0, 0]
    cv0, cp0 = sketch_feature_cuts(np.empty((0, 3)), np.empty(0), 16, 0.01)
    assert cv0.shape == (0,) and cp0.tolist() == [0, 0, 0, 0]


def test_cuts_threshold_placement_and_extremes():
    # thresholds strictly above one value and at or below the next (adjacent floats)
    a = np.float64(1.0)
    b = np.nextafter(a, 2.0)
    X = np.array([[a], [b], [-np.inf], [np.inf]])
    cv, _ = sketch_feature_cuts(X, np.ones(4), 16, 0.0)
    assert cv[0] == 1.0  # midpoint of -inf and 1.0 rounds -> the upper value
    assert cv[1] == b  # adjacent floats: the upper value
    assert cv[2] == np.inf
    assert np.all(np.searchsorted(cv, X[:, 0], side="right") == [1, 2, 0, 3])
    # float32 extremes do not overflow
    big = np.finfo(np.float32).max
    X32 = np.array([[-big], [big]], dtype=np.float32)
    cv32, _ = sketch_feature_cuts(X32, np.ones(2), 4, 0.0)
    assert cv32.tolist() == [0.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cuts_thread_count_layout_and_readonly_independent(dtype):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((20000, 6)).astype(dtype)
    X[rng.random(X.shape) < 0.1] = np.nan
    X[:, 2] = np.round(X[:, 2] * 3)
    w = rng.random(20000)
    results = []
    for n_threads in (1, 2):
        with num_threads(n_threads):
            results.append(sketch_feature_cuts(X, w, 64, 0.005, chunk_rows=3000))
    Xf = np.asfortranarray(X)
    Xf.setflags(write=False)
    wr = w.copy()
    wr.setflags(write=False)
    with num_threads(2):
        results.append(sketch_feature_cuts(Xf, wr, 64, 0.005, chunk_rows=3000))
    for cv, cp in results[1:]:
        np.testing.assert_array_equal(cv, results[0][0])
        np.testing.assert_array_equal(cp, results[0][1])
    cv, cp = results[0]
    for f in (0, 2):
        check_cuts_property(X[:, f], w, cv[cp[f] : cp[f + 1]], 64, 0.005)


def test_cuts_float32_and_float64_agree_on_float32_data():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((4000, 3)).astype(np.float32)
    w = rng.random(4000)
    c32 = sketch_feature_cuts(X, w, 40, 0.0)
    c64 = sketch_feature_cuts(X.astype(np.float64), w, 40, 0.0)
    np.testing.assert_array_equal(c32[0], c64[0])
    np.testing.assert_array_equal(c32[1], c64[1])


def test_sketch_feature_cuts_rejects_bad_arguments():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="max_bin"):
        sketch_feature_cuts(X, np.ones(3), 1, 0.01)
    with pytest.raises(ValueError, match="eps"):
        sketch_feature_cuts(X, np.ones(3), 8, -1.0)
    with pytest.raises(ValueError, match="weights"):
        sketch_feature_cuts(X, np.ones(2), 8, 0.01)
    with pytest.raises(ValueError, match="2-D"):
        sketch_feature_cuts(X.astype(np.int64), np.ones(3), 8, 0.01)


def test_equal_weights_path_matches_general_path():
    # all-equal weights skip moving weights in the radix sort; scaling all weights
    # must not change the cuts, and the summary weights scale exactly
    rng = np.random.default_rng(12)
    X = np.round(rng.standard_normal((3000, 3)) * 10).astype(np.float32)
    X[rng.random(X.shape) < 0.05] = np.nan
    ones = sketch_feature_cuts(X, np.ones(3000), 32, 0.0)
    scaled = sketch_feature_cuts(X, np.full(3000, 2.5), 32, 0.0)
    # nearly equal weights take the general path and give the same cuts
    nearly = sketch_feature_cuts(X, 1.0 + 1e-12 * rng.random(3000), 32, 0.0)
    for other in (scaled, nearly):
        np.testing.assert_array_equal(other[0], ones[0])
        np.testing.assert_array_equal(other[1], ones[1])
    s1 = build_summary(X[:, 0], np.ones(3000))
    s2 = build_summary(X[:, 0], np.full(3000, 2.5))
    np.testing.assert_array_equal(s2[0], s1[0])
    np.testing.assert_array_equal(s2[1:], 2.5 * s1[1:])
