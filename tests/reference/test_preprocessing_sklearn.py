"""fastml.preprocessing against scikit-learn's estimators of the same names.

Tolerances:
- encoders (OneHot, Ordinal, Label): exact equality of categories_, outputs, dtypes
  and inverse transforms: both sides do the same discrete lookups.
- TargetEncoder: 1e-12 relative; in practice equal bit for bit, because both sum the
  targets in the same row order with the same formulas and the same folds.
- StandardScaler: 1e-12 relative on mean_/var_/scale_ and outputs (float64). The
  summation orders differ (blocked sequential sums here, pairwise sums in NumPy),
  each with relative error ~ n * eps ~ 1e-13 for the sizes used.
- StandardScaler on float32 input: 1e-6 relative on outputs (both accumulate in
  float64 but round the output to float32; scikit-learn weights in float32).
- MinMaxScaler: exact for the statistics (min/max are exact), 1e-12 relative on
  outputs (same operations in the same order, so in practice exact).
"""

from __future__ import annotations

import numpy as np
import pytest

skp = pytest.importorskip("sklearn.preprocessing")
skms = pytest.importorskip("sklearn.model_selection")
pd = pytest.importorskip("pandas")

from fastml import preprocessing as fp  # noqa: E402


def _dense(a):
    return a.toarray() if hasattr(a, "toarray") else np.asarray(a)


def _assert_categories_equal(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        assert a.shape == b.shape
        for u, v in zip(a.tolist(), b.tolist()):
            if isinstance(u, float) and np.isnan(u):
                assert isinstance(v, float) and np.isnan(v)
            else:
                assert u == v and type(u) is type(v)


def _assert_object_equal(a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    for u, v in zip(a.ravel().tolist(), b.ravel().tolist()):
        if isinstance(u, float) and np.isnan(u):
            assert isinstance(v, float) and np.isnan(v)
        else:
            assert u == v


def _inputs():
    rng = np.random.RandomState(0)
    n = 60
    ints = rng.randint(0, 5, size=(n, 3))
    floats = rng.choice([0.5, -1.25, 3.0, np.nan], size=(n, 2))
    strings = rng.choice(["cat", "dog", "emu", "ant"], size=(n, 2))
    obj = strings.astype(object)
    obj[rng.rand(n) < 0.2, 0] = None
    obj[rng.rand(n) < 0.2, 1] = np.nan
    mixed = pd.DataFrame(
        {
            "i": ints[:, 0],
            "s": strings[:, 0],
            "f": floats[:, 0],
            "c": pd.Categorical(strings[:, 1]),
        }
    )
    return {
        "int": ints,
        "float_nan": floats,
        "str_U": strings,
        "object_missing": obj,
        "list_mixed": [[s, int(i)] for s, i in zip(strings[:, 0], ints[:, 0])],
        "dataframe": mixed,
    }


INPUTS = _inputs()


@pytest.mark.parametrize("name", sorted(INPUTS))
@pytest.mark.parametrize("drop", [None, "first", "if_binary"])
def test_onehot_matches(name, drop):
    X = INPUTS[name]
    ours = fp.OneHotEncoder(drop=drop).fit(X)
    theirs = skp.OneHotEncoder(drop=drop).fit(X)
    _assert_categories_equal(ours.categories_, theirs.categories_)
    if drop is None:
        assert ours.drop_idx_ is None and theirs.drop_idx_ is None
    else:
        assert list(ours.drop_idx_) == list(theirs.drop_idx_)
    a, b = ours.transform(X), theirs.transform(X)
    assert a.format == "csr" and a.dtype == b.dtype
    np.testing.assert_array_equal(_dense(a), _dense(b))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    _assert_object_equal(ours.inverse_transform(a), theirs.inverse_transform(b))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.uint8])
def test_onehot_dense_dtype_and_ignore(dtype):
    X = INPUTS["str_U"]
    X_new = np.array([["cat", "zebra"], ["yak", "dog"]])
    kw = dict(sparse_output=False, dtype=dtype, handle_unknown="ignore")
    ours = fp.OneHotEncoder(**kw).fit(X)
    theirs = skp.OneHotEncoder(**kw).fit(X)
    a, b = ours.transform(X_new), theirs.transform(X_new)
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a, b)
    _assert_object_equal(ours.inverse_transform(a), theirs.inverse_transform(b))


def test_onehot_given_categories_and_drop_array():
    X = np.array([[1, "b"], [3, "a"], [1, "c"]], dtype=object)
    cats = [[1, 2, 3], ["c", "b", "a"]]
    kw = dict(categories=cats, drop=[2, "a"], sparse_output=False)
    ours = fp.OneHotEncoder(**kw).fit(X)
    theirs = skp.OneHotEncoder(**kw).fit(X)
    _assert_categories_equal(ours.categories_, theirs.categories_)
    assert list(ours.drop_idx_) == list(theirs.drop_idx_)
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))
    assert list(ours.get_feature_names_out(["u", "v"])) == list(
        theirs.get_feature_names_out(["u", "v"])
    )


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_ordinal_matches(name):
    X = INPUTS[name]
    ours = fp.OrdinalEncoder().fit(X)
    theirs = skp.OrdinalEncoder().fit(X)
    _assert_categories_equal(ours.categories_, theirs.categories_)
    a, b = ours.transform(X), theirs.transform(X)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == b.dtype
    _assert_object_equal(ours.inverse_transform(a), theirs.inverse_transform(b))


def test_ordinal_unknown_and_missing_values():
    X = INPUTS["float_nan"]
    X_new = np.array([[0.5, 7.0], [np.nan, -1.25], [9.0, np.nan]])
    kw = dict(
        handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-2
    )
    ours = fp.OrdinalEncoder(**kw).fit(X)
    theirs = skp.OrdinalEncoder(**kw).fit(X)
    a, b = ours.transform(X_new), theirs.transform(X_new)
    np.testing.assert_array_equal(a, b)
    _assert_object_equal(ours.inverse_transform(a), theirs.inverse_transform(b))
    kw = dict(handle_unknown="use_encoded_value", unknown_value=np.nan)
    a = fp.OrdinalEncoder(**kw).fit(X).transform(X_new)
    b = skp.OrdinalEncoder(**kw).fit(X).transform(X_new)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "y",
    [
        np.array([3, 1, 2, 3, 1, 7]),
        np.array([0.5, -2.0, 0.5, 4.0]),
        np.array(["paris", "tokyo", "amsterdam", "paris"]),
        ["b", "a", "c", "a"],
        np.array(["x", "y", "x"], dtype=object),
    ],
)
def test_label_encoder_matches(y):
    ours, theirs = fp.LabelEncoder(), skp.LabelEncoder()
    a, b = ours.fit_transform(y), theirs.fit_transform(y)
    np.testing.assert_array_equal(a, b)
    assert ours.classes_.dtype == theirs.classes_.dtype
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    np.testing.assert_array_equal(ours.transform(y), theirs.transform(y))
    np.testing.assert_array_equal(
        ours.inverse_transform(a), theirs.inverse_transform(b)
    )


def _target_data(kind, n=300, n_cats=12, seed=0):
    rng = np.random.RandomState(seed)
    X = np.column_stack(
        [
            rng.randint(0, n_cats, size=n),
            rng.choice(["p", "q", "r", "s"], size=n).astype(object),
        ]
    ).astype(object)
    X[:, 0] = X[:, 0].astype(int)
    effect = (X[:, 0].astype(float) % 3) - 1.0
    if kind == "continuous":
        y = effect * 2.0 + rng.randn(n)
    elif kind == "binary":
        y = np.where(effect + rng.randn(n) > 0, "yes", "no")
    else:
        y = np.digitize(effect + rng.randn(n), [-0.5, 0.5])
    return X, y


@pytest.mark.parametrize("kind", ["continuous", "binary", "multiclass"])
@pytest.mark.parametrize("smooth", ["auto", 0.0, 5.0])
def test_target_encoder_matches(kind, smooth):
    X, y = _target_data(kind)
    ours = fp.TargetEncoder(smooth=smooth, cv=5, shuffle=True, random_state=42)
    splitter = (
        skms.KFold(5, shuffle=True, random_state=42)
        if kind == "continuous"
        else skms.StratifiedKFold(5, shuffle=True, random_state=42)
    )
    theirs = skp.TargetEncoder(smooth=smooth, cv=splitter)
    a, b = ours.fit_transform(X, y), theirs.fit_transform(X, y)
    assert ours.target_type_ == theirs.target_type_ == kind
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    for u, v in zip(ours.encodings_, theirs.encodings_):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=0)
    np.testing.assert_allclose(ours.target_mean_, theirs.target_mean_, rtol=1e-12)
    X_new = np.array([[3, "q"], [99, "zz"]], dtype=object)
    np.testing.assert_allclose(
        ours.transform(X_new), theirs.transform(X_new), rtol=1e-12, atol=0
    )
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())


def test_kfold_target_encoder_matches_sklearn_with_kfold():
    X, y = _target_data("binary", seed=3)
    ours = fp.KFoldTargetEncoder(n_splits=4, shuffle=True, random_state=7)
    theirs = skp.TargetEncoder(cv=skms.KFold(4, shuffle=True, random_state=7))
    np.testing.assert_allclose(
        ours.fit_transform(X, y), theirs.fit_transform(X, y), rtol=1e-12, atol=0
    )


def _scaler_data(seed=0, n=500, n_features=4, dtype=np.float64, nan=True):
    rng = np.random.RandomState(seed)
    X = (
        rng.randn(n, n_features) * [1.0, 1e3, 1e-3, 5.0][:n_features]
        + [
            0.0,
            1e4,
            -3.0,
            7.0,
        ][:n_features]
    )
    if nan:
        X[rng.rand(n, n_features) < 0.05] = np.nan
    return X.astype(dtype)


@pytest.mark.parametrize("with_mean", [True, False])
@pytest.mark.parametrize("with_std", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_standard_scaler_matches(with_mean, with_std, weighted):
    X = _scaler_data()
    X_new = _scaler_data(seed=1, n=50)
    sw = (
        np.random.RandomState(2).uniform(0.1, 3.0, size=X.shape[0])
        if weighted
        else None
    )
    kw = dict(with_mean=with_mean, with_std=with_std)
    ours = fp.StandardScaler(**kw).fit(X, sample_weight=sw)
    theirs = skp.StandardScaler(**kw).fit(X, sample_weight=sw)
    for name in ("mean_", "var_", "scale_"):
        u, v = getattr(ours, name), getattr(theirs, name)
        if v is None:
            assert u is None
        else:
            np.testing.assert_allclose(u, v, rtol=1e-12, atol=0)
    np.testing.assert_allclose(ours.n_samples_seen_, theirs.n_samples_seen_, rtol=1e-12)
    a, b = ours.transform(X_new), theirs.transform(X_new)
    # (x - mean) / scale amplifies the ~1e-16 relative difference between the two
    # means by |mean| / scale (3e3 for column 2): the output tolerance is 1e-12
    # relative to that conditioning number, not to the output itself.
    mean = theirs.mean_ if theirs.mean_ is not None else 0.0
    scale = theirs.scale_ if theirs.scale_ is not None else 1.0
    cond = 1.0 + np.abs(mean) / scale if with_mean else 1.0
    both_nan = np.isnan(a) & np.isnan(b)
    assert np.all((np.abs(a - b) <= 1e-12 * (cond + np.abs(b))) | both_nan)
    np.testing.assert_allclose(
        ours.inverse_transform(a), theirs.inverse_transform(b), rtol=1e-12, atol=1e-12
    )


def test_standard_scaler_partial_fit_matches():
    X = _scaler_data(n=900)
    ours, theirs = fp.StandardScaler(), skp.StandardScaler()
    for batch in np.array_split(X, [1, 7, 300, 301]):
        ours.partial_fit(batch)
        theirs.partial_fit(batch)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.var_, theirs.var_, rtol=1e-12)
    np.testing.assert_array_equal(ours.n_samples_seen_, theirs.n_samples_seen_)


def test_standard_scaler_constant_and_float32():
    X = np.column_stack([np.full(40, 3.3), np.arange(40.0)])
    ours, theirs = fp.StandardScaler().fit(X), skp.StandardScaler().fit(X)
    np.testing.assert_array_equal(ours.scale_, theirs.scale_)
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))
    X32 = _scaler_data(dtype=np.float32, nan=False)
    a = fp.StandardScaler().fit_transform(X32)
    b = skp.StandardScaler().fit_transform(X32)
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("feature_range", [(0, 1), (-3.0, 2.5)])
@pytest.mark.parametrize("clip", [False, True])
def test_minmax_scaler_matches(feature_range, clip):
    X = _scaler_data()
    X[:, 3] = 2.0  # a constant feature
    X_new = _scaler_data(seed=1, n=50) * 3
    kw = dict(feature_range=feature_range, clip=clip)
    ours = fp.MinMaxScaler(**kw).fit(X)
    theirs = skp.MinMaxScaler(**kw).fit(X)
    for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    a, b = ours.transform(X_new), theirs.transform(X_new)
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)
    np.testing.assert_allclose(
        ours.inverse_transform(a), theirs.inverse_transform(b), rtol=1e-12, atol=0
    )


def test_minmax_partial_fit_matches():
    X = _scaler_data(n=300)
    ours, theirs = fp.MinMaxScaler(), skp.MinMaxScaler()
    for batch in np.array_split(X, 3):
        ours.partial_fit(batch)
        theirs.partial_fit(batch)
    np.testing.assert_array_equal(ours.data_min_, theirs.data_min_)
    np.testing.assert_array_equal(ours.scale_, theirs.scale_)
    assert ours.n_samples_seen_ == theirs.n_samples_seen_
