"""fastml.kernels.preprocessing against the naive loops of tests/naive/preprocessing.py.

Tolerances:
- category lookup and one-hot columns: exact (integer results).
- target encodings: rtol=1e-12. The kernel sums in row order, the reference with
  math.fsum (exact); the difference is a few ulp for the <= 2000-row groups here.
- column moments: count exact for unit weights and rtol=1e-12 otherwise; sum and
  centred sum of squares rtol=1e-12 (blocked float64 sums versus exact fsum, error
  ~ n * eps ~ 1e-12 at worst for n = 5000, well-conditioned data: |mean| / std <= 10).
- thread counts: results for 1 and 2 threads are compared bitwise (the kernels are
  built to be independent of the thread count).
"""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels._jit import num_threads
from fastml.kernels.preprocessing import encode as K
from fastml.kernels.preprocessing import scale as S
from naive import preprocessing as naive
from numpy.testing import assert_allclose, assert_array_equal

SEEDS = [0, 1, 2]


# -- lookup_categories ----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 7, 1000])
def test_lookup_float_with_nan_category(seed, n):
    rng = np.random.default_rng(seed)
    cats = np.array([-2.5, -1.0, 0.0, 0.5, 3.0, np.nan])
    pool = np.array([-2.5, -1.0, 0.0, 0.5, 3.0, np.nan, 7.0, -9.0, 0.25])
    values = rng.choice(pool, size=n)
    out = np.empty(n, dtype=np.int64)
    K.lookup_categories(values, cats, out)
    assert_array_equal(
        out, naive.naive_lookup_categories(values.tolist(), cats.tolist())
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_lookup_int_and_degenerate(seed):
    rng = np.random.default_rng(seed)
    cats = np.unique(rng.integers(-50, 50, size=30)).astype(np.int64)
    values = rng.integers(-60, 60, size=500).astype(np.int64)
    out = np.empty(500, dtype=np.int64)
    K.lookup_categories(values, cats, out)
    assert_array_equal(
        out, naive.naive_lookup_categories(values.tolist(), cats.tolist())
    )
    # no categories at all, a single category, NaN without a NaN category
    K.lookup_categories(values, np.empty(0, dtype=np.int64), out)
    assert np.all(out == -1)
    single = np.array([5], dtype=np.int64)
    K.lookup_categories(values, single, out)
    assert_array_equal(out, np.where(values == 5, 0, -1))
    fvals = np.array([np.nan, 1.0, 2.0])
    fout = np.empty(3, dtype=np.int64)
    K.lookup_categories(fvals, np.array([1.0, 2.0]), fout)
    assert_array_equal(fout, [-1, 0, 1])
    K.lookup_categories(fvals, np.array([np.nan]), fout)
    assert_array_equal(fout, [0, -1, -1])


def test_lookup_thread_independent():
    rng = np.random.default_rng(3)
    cats = np.sort(rng.normal(size=200))
    values = rng.choice(np.concatenate([cats, rng.normal(size=50)]), size=20000)
    outs = []
    for threads in (1, 2):
        out = np.empty(values.size, dtype=np.int64)
        with num_threads(threads):
            K.lookup_categories(values, cats, out)
        outs.append(out)
    assert_array_equal(outs[0], outs[1])


# -- one-hot ------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_onehot_columns_and_fill(seed, dtype):
    rng = np.random.default_rng(seed)
    n_categories = np.array([3, 1, 5, 2])
    n = 200
    codes = np.column_stack([rng.integers(-1, k, size=n) for k in n_categories])
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    drop_idx = np.array([-1, 0, 2, 1], dtype=np.int64)
    widths = n_categories - (drop_idx >= 0)
    offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
    cols = np.empty_like(codes)
    K.map_onehot_columns(codes, offsets, drop_idx, cols)
    expected = naive.naive_onehot_columns(
        codes.tolist(), n_categories.tolist(), drop_idx
    )
    assert_array_equal(cols, expected)
    out = np.zeros((n, int(widths.sum())), dtype=dtype)
    K.fill_onehot(cols, out)
    dense = np.zeros_like(out)
    for i, row in enumerate(expected):
        for c in row:
            if c >= 0:
                dense[i, c] = 1
    assert_array_equal(out, dense)


# -- target encoding ------


def _target_case(seed, n=600, n_features=3, max_cats=40):
    rng = np.random.default_rng(seed)
    n_categories = rng.integers(1, max_cats, size=n_features)
    codes = np.column_stack([rng.integers(-1, k, size=n) for k in n_categories])
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    y = rng.normal(loc=2.0, size=n)
    offsets = np.concatenate([[0], np.cumsum(n_categories)]).astype(np.int64)
    return codes, y, n_categories, offsets


def _split(flat, offsets):
    return [flat[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("smooth", [0.0, 1.0, 25.0])
@pytest.mark.parametrize("subset", [False, True])
def test_fit_target_encoding(seed, smooth, subset):
    codes, y, n_categories, offsets = _target_case(seed)
    rows = np.arange(len(y), dtype=np.int64)
    if subset:
        rows = np.sort(np.random.default_rng(seed).choice(len(y), 350, replace=False))
    y_mean = float(np.mean(y[rows]))
    out = np.empty(offsets[-1])
    K.fit_target_encoding(codes, y, rows, offsets, smooth, y_mean, out)
    expected = naive.naive_target_encoding(
        codes.tolist(), y.tolist(), rows.tolist(), n_categories, smooth, y_mean
    )
    for got, want in zip(_split(out, offsets), expected):
        assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("subset", [False, True])
def test_fit_target_encoding_auto(seed, subset):
    codes, y, n_categories, offsets = _target_case(seed)
    rows = np.arange(len(y), dtype=np.int64)
    if subset:
        rows = np.sort(np.random.default_rng(seed).choice(len(y), 350, replace=False))
    y_mean = float(np.mean(y[rows]))
    y_var = float(np.var(y[rows]))
    out = np.empty(offsets[-1])
    K.fit_target_encoding_auto(codes, y, rows, offsets, y_mean, y_var, out)
    expected = naive.naive_target_encoding_auto(
        codes.tolist(), y.tolist(), rows.tolist(), n_categories, y_mean, y_var
    )
    for got, want in zip(_split(out, offsets), expected):
        assert_allclose(got, want, rtol=1e-12)


def test_target_encoding_degenerate():
    # constant target: zero variance everywhere -> every encoding is the mean
    codes = np.array([[0], [0], [1], [-1]], dtype=np.int64)
    y = np.full(4, 3.0)
    rows = np.arange(4, dtype=np.int64)
    offsets = np.array([0, 3], dtype=np.int64)
    out = np.empty(3)
    K.fit_target_encoding_auto(codes, y, rows, offsets, 3.0, 0.0, out)
    assert_array_equal(out, [3.0, 3.0, 3.0])
    # smooth=0 and an empty category (2) -> the mean; one sample per category
    K.fit_target_encoding(
        codes, np.array([1.0, 2.0, 5.0, 9.0]), rows, offsets, 0.0, 4.25, out
    )
    assert_array_equal(out, [1.5, 5.0, 4.25])
    # no rows at all
    K.fit_target_encoding(codes, y, rows[:0], offsets, 0.0, 7.0, out)
    assert_array_equal(out, [7.0, 7.0, 7.0])


def test_target_encoding_thread_independent():
    codes, y, _, offsets = _target_case(5, n=5000, n_features=6)
    rows = np.arange(len(y), dtype=np.int64)
    outs = []
    for threads in (1, 2):
        out = np.empty(offsets[-1])
        with num_threads(threads):
            K.fit_target_encoding_auto(codes, y, rows, offsets, 2.0, 1.0, out)
        outs.append(out)
    assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n_targets", [1, 3])
def test_apply_target_encoding(seed, n_targets):
    codes, _, n_categories, offsets = _target_case(seed, n=300)
    rng = np.random.default_rng(seed)
    encodings = rng.normal(size=(n_targets, offsets[-1]))
    means = rng.normal(size=n_targets)
    rows = np.sort(rng.choice(300, 120, replace=False)).astype(np.int64)
    out = np.full((300, codes.shape[1] * n_targets), -7.0)
    K.apply_target_encoding(codes, rows, encodings, offsets, means, out)
    expected = naive.naive_apply_target_encoding(
        codes.tolist(), rows.tolist(), encodings.tolist(), n_categories.tolist(), means
    )
    for i in range(300):
        if i in expected:
            assert_array_equal(out[i], expected[i])
        else:
            assert np.all(out[i] == -7.0)  # rows outside ``rows`` untouched


# -- column moments ------


def _moments(X, w):
    f = X.shape[1]
    count, total, m2 = np.empty(f), np.empty(f), np.empty(f)
    S.sum_column_moments(X, w, S.n_moment_blocks(X.shape[0]), count, total, m2)
    return count, total, m2


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 255, 256, 257, 5000])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
def test_column_moments(seed, n, dtype, weighted):
    rng = np.random.default_rng(seed)
    X = (rng.normal(size=(n, 3)) * [1.0, 100.0, 0.01] + [0.0, -300.0, 0.05]).astype(
        dtype
    )
    X[rng.random((n, 3)) < 0.1] = np.nan
    w = rng.uniform(0.0, 2.0, size=n) if weighted else np.ones(n)
    count, total, m2 = _moments(X, w)
    expected = naive.naive_column_moments(X.astype(np.float64).tolist(), w.tolist())
    for j, (c, t, s) in enumerate(expected):
        if c == 0:
            assert count[j] == 0 and total[j] == 0 and np.isnan(m2[j])
            continue
        assert_allclose(count[j], c, rtol=1e-12)
        assert_allclose(total[j], t, rtol=1e-12, atol=1e-12 * abs(c))
        assert_allclose(m2[j], s, rtol=1e-12, atol=1e-13 * c)


def test_column_moments_degenerate():
    X = np.array([[np.nan, 2.0], [np.nan, 2.0], [np.nan, 2.0]])
    count, total, m2 = _moments(X, np.ones(3))
    assert_array_equal(count, [0.0, 3.0])
    assert np.isnan(m2[0]) and m2[1] == 0.0
    assert total[1] == 6.0


def test_column_moments_thread_independent():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(20000, 5))
    w = rng.uniform(size=20000)
    results = []
    for threads in (1, 2):
        with num_threads(threads):
            results.append(_moments(X, w))
    for a, b in zip(*results):
        assert_array_equal(a, b)
