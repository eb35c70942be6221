"""BinMapper (fastml/gbdt/_binning.py): API, semantics, edge cases, bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from fastml.kernels.hist.cuts import sketch_feature_cuts
from naive.binning import naive_bin_data
from naive.sketch import naive_feature_cuts

from fastml.exceptions import NotFittedError
from fastml.gbdt._binning import BinMapper, jittered_rows


def make_X(n=3000, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = np.column_stack(
        [
            rng.standard_normal(n),
            rng.exponential(size=n),
            rng.integers(0, 5, n).astype(float),
            np.full(n, 2.0),
            np.full(n, np.nan),
        ]
    ).astype(dtype)
    X[rng.random(n) < 0.1, 0] = np.nan
    return X


@pytest.mark.parametrize("max_bin", [1, 0, -3, 65536, 10**6, 2.5, True, "16", None])
def test_max_bin_out_of_range(max_bin):
    with pytest.raises(
        ValueError, match=r"max_bin must be an integer in the range \[2, 65535\]"
    ):
        BinMapper(max_bin=max_bin).fit(make_X(50))


@pytest.mark.parametrize(
    "max_bin, dtype",
    [(2, np.uint8), (255, np.uint8), (256, np.uint16), (65535, np.uint16)],
)
def test_bin_dtype_and_missing_bin(max_bin, dtype):
    X = make_X(400)
    m = BinMapper(max_bin=max_bin).fit(X)
    B = m.transform(X)
    assert m.dtype == dtype and B.dtype == dtype and B.flags.c_contiguous
    assert m.missing_bin == max_bin
    assert np.all(B[np.isnan(X)] == max_bin)
    assert np.all(B[~np.isnan(X)] < max_bin)
    assert np.all(m.n_thresholds <= max_bin - 1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transform_matches_searchsorted_and_exact_cuts(dtype):
    X = make_X(3000, 1, dtype)
    m = BinMapper(max_bin=32, eps=0).fit(X)
    ncv, ncp = naive_feature_cuts(X, np.ones(X.shape[0]), 32)
    np.testing.assert_array_equal(m.cut_ptr, ncp)
    np.testing.assert_array_equal(m.cut_values, ncv)
    np.testing.assert_array_equal(
        m.transform(X), naive_bin_data(X, m.cut_values, m.cut_ptr, 32, np.uint8)
    )


def test_threshold_of_is_the_split_rule():
    X = make_X(2000, 2)
    m = BinMapper(max_bin=20).fit(X)
    B = m.transform(X)
    for f in range(X.shape[1]):
        col = X[:, f]
        ok = ~np.isnan(col)
        for b in range(int(m.n_thresholds[f])):
            t = m.threshold_of(f, b)
            assert t == m.thresholds(f)[b] == m.cut_values[m.cut_ptr[f] + b]
            np.testing.assert_array_equal(B[ok, f] <= b, col[ok] < t)


def test_low_cardinality_and_degenerate_features():
    X = make_X(1000, 3)
    m = BinMapper(max_bin=8).fit(X)
    B = m.transform(X)
    assert m.n_thresholds.tolist()[2:] == [4, 0, 0]
    np.testing.assert_array_equal(B[:, 2], X[:, 2].astype(int))  # one bin per value
    assert np.all(B[:, 3] == 0)  # constant: a single bin
    assert np.all(B[:, 4] == 8)  # all NaN: the missing bin
    with pytest.raises(IndexError, match="no threshold"):
        m.threshold_of(3, 0)


def test_bins_hold_about_equal_weight():
    # continuous data, no subsampling: each threshold's left weight is within eps W
    # of j W / max_bin (the data has no ties), so a bin holds W / max_bin +- 2 eps W
    rng = np.random.default_rng(4)
    n, max_bin = 20000, 64
    X = rng.standard_normal((n, 2))
    w = rng.random(n) + 0.5
    W = w.sum()
    for eps in (0.0, 0.25 / max_bin):
        m = BinMapper(max_bin=max_bin, eps=eps).fit(X, sample_weight=w)
        B = m.transform(X)
        for f in range(2):
            per_bin = np.bincount(B[:, f], weights=w, minlength=max_bin)
            assert per_bin.shape[0] == max_bin
            # the best boundary is within one row's weight of each target
            assert np.all(np.abs(per_bin - W / max_bin) <= 2 * eps * W + 2 * w.max())


def test_sample_weight_zero_rows_ignored_and_weights_matter():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((3000, 3))
    w = rng.random(3000)
    w[::3] = 0.0
    a = BinMapper(max_bin=16, eps=0).fit(X, sample_weight=w)
    b = BinMapper(max_bin=16, eps=0).fit(X[w > 0], sample_weight=w[w > 0])
    np.testing.assert_array_equal(a.cut_values, b.cut_values)
    unweighted = BinMapper(max_bin=16, eps=0).fit(X)
    heavy = np.where(X[:, 0] > 1.0, 50.0, 1.0)
    weighted = BinMapper(max_bin=16, eps=0).fit(X, sample_weight=heavy)
    # heavy weight above 1.0 pulls most thresholds of feature 0 above it
    assert np.sum(weighted.thresholds(0) > 1.0) > np.sum(unweighted.thresholds(0) > 1.0)
    with pytest.raises(ValueError, match="sample_weight"):
        BinMapper().fit(X, sample_weight=np.ones(5))


def test_subsample_is_deterministic_and_used():
    X = make_X(5000, 6)
    a = BinMapper(max_bin=16, subsample=700, random_state=3).fit(X)
    b = BinMapper(max_bin=16, subsample=700, random_state=3).fit(X)
    c = BinMapper(max_bin=16, subsample=700, random_state=4).fit(X)
    np.testing.assert_array_equal(a.cut_values, b.cut_values)
    assert not np.array_equal(a.cut_values, c.cut_values)
    rows = jittered_rows(5000, 700, 3)
    cv, cp = sketch_feature_cuts(X[rows], np.ones(700), 16, 0.0)
    np.testing.assert_array_equal(a.cut_values, cv)
    np.testing.assert_array_equal(a.cut_ptr, cp)
    # no subsampling below the sample size
    full = BinMapper(max_bin=16, subsample=None).fit(X)
    same = BinMapper(max_bin=16, subsample=5000).fit(X)
    np.testing.assert_array_equal(full.cut_values, same.cut_values)


@pytest.mark.parametrize("n, k", [(10, 10), (10, 3), (1_000_003, 200_000), (7, 1)])
def test_jittered_rows(n, k):
    rows = jittered_rows(n, k, 0)
    assert rows.dtype == np.int64 and rows.shape == (min(n, k),)
    assert np.all(np.diff(rows) > 0) and rows[0] >= 0 and rows[-1] < n
    edges = (np.arange(k + 1) * n) // k
    np.testing.assert_array_equal(
        np.searchsorted(edges, rows, side="right") - 1, np.arange(k)
    )
    np.testing.assert_array_equal(rows, jittered_rows(n, k, 0))


def test_layout_readonly_threads_and_caller_arrays_unchanged():
    X = make_X(4000, 7, np.float32)
    w = np.random.default_rng(7).random(4000)
    X0, w0 = X.copy(), w.copy()
    ref = BinMapper(max_bin=64, n_threads=1).fit(X, w)
    Xf = np.asfortranarray(X)
    Xf.setflags(write=False)
    wr = w.copy()
    wr.setflags(write=False)
    other = BinMapper(max_bin=64, n_threads=2).fit(Xf, wr)
    np.testing.assert_array_equal(ref.cut_values, other.cut_values)
    np.testing.assert_array_equal(ref.transform(X), other.transform(Xf))
    np.testing.assert_array_equal(ref.transform(X), ref.transform(X.astype(np.float64)))
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(w, w0)


def test_pickle_roundtrip():
    X = make_X(500, 8)
    m = BinMapper(max_bin=300).fit(X)
    m2 = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(m.transform(X), m2.transform(X))
    assert m2.dtype == np.uint16 and m2.missing_bin == 300


def test_small_inputs():
    one = BinMapper(max_bin=4).fit(np.array([[1.0, np.nan]]))
    assert one.n_thresholds.tolist() == [0, 0]
    assert one.transform(np.array([[5.0, np.nan], [-1.0, 2.0]])).tolist() == [
        [0, 4],
        [0, 0],
    ]
    empty = BinMapper(max_bin=4).fit(np.empty((0, 3)))
    assert empty.cut_ptr.tolist() == [0, 0, 0, 0]
    assert empty.transform(np.empty((0, 3))).shape == (0, 3)
    ints = BinMapper(max_bin=4).fit(np.array([[1], [2], [3]]))
    assert ints.transform(np.array([[2]])).tolist() == [[1]]


def test_bad_input():
    m = BinMapper(max_bin=4)
    with pytest.raises(NotFittedError):
        m.transform(np.zeros((2, 2)))
    with pytest.raises(NotFittedError):
        m.threshold_of(0, 0)
    with pytest.raises(ValueError, match="2D"):
        m.fit(np.zeros(5))
    with pytest.raises(ValueError, match="numbers"):
        m.fit(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="eps"):
        BinMapper(eps=-1.0).fit(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="subsample"):
        BinMapper(subsample=0).fit(np.zeros((3, 1)))
    m.fit(np.zeros((3, 2)))
    with pytest.raises(
        ValueError, match="X has 3 features, but BinMapper is expecting 2"
    ):
        m.transform(np.zeros((2, 3)))
    with pytest.raises(IndexError, match="feature 2"):
        m.threshold_of(2, 0)
    with pytest.raises(IndexError, match="no threshold"):
        m.threshold_of(0, -1)
