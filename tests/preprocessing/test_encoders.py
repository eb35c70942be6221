"""OneHotEncoder, OrdinalEncoder, LabelEncoder: behaviour, edge cases, errors."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse

from fastml.base import clone
from fastml.preprocessing import LabelEncoder, OneHotEncoder, OrdinalEncoder

# -- OneHotEncoder ---------------------------------------------------------------------


def test_onehot_basic_and_sparse_default():
    X = [["b", 1], ["a", 3], ["b", 2]]
    enc = OneHotEncoder().fit(X)
    out = enc.transform(X)
    assert sparse.issparse(out) and out.format == "csr"
    assert out.indices.dtype == np.int32
    assert_array_equal(
        out.toarray(), [[0, 1, 1, 0, 0], [1, 0, 0, 0, 1], [0, 1, 0, 1, 0]]
    )
    assert enc.get_feature_names_out(["s", "n"]).tolist() == [
        "s_a",
        "s_b",
        "n_1",
        "n_2",
        "n_3",
    ]


def test_onehot_drop_first_gives_k_minus_1_columns():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randint(0, 4, 50), rng.randint(0, 3, 50), np.zeros(50)])
    enc = OneHotEncoder(drop="first", sparse_output=False).fit(X)
    out = enc.transform(X)
    assert out.shape == (50, 3 + 2 + 0)  # single-category feature disappears
    assert enc.drop_idx_.tolist() == [0, 0, 0]
    assert_array_equal(enc.inverse_transform(out), X)
    enc = OneHotEncoder(drop="if_binary", sparse_output=False).fit([[0, 1], [1, 2]])
    assert enc.drop_idx_.tolist() == [0, 0]
    enc = OneHotEncoder(drop="if_binary", sparse_output=False).fit([[0], [1], [2]])
    assert enc.drop_idx_.tolist() == [None]
    assert enc.transform([[2]]).tolist() == [[0.0, 0.0, 1.0]]


def test_onehot_nan_and_none_categories():
    X = np.array([["a", None], [np.nan, "x"], ["a", "x"]], dtype=object)
    enc = OneHotEncoder(sparse_output=False).fit(X)
    assert enc.categories_[0][0] == "a" and np.isnan(enc.categories_[0][1])
    assert enc.categories_[1].tolist() == ["x", None]
    out = enc.transform(X)
    assert_array_equal(out, [[1, 0, 0, 1], [0, 1, 1, 0], [1, 0, 1, 0]])
    back = enc.inverse_transform(out)
    assert back[1, 0] != back[1, 0] and back[0, 1] is None
    num = np.array([[1.0], [np.nan], [0.5]])
    enc = OneHotEncoder(sparse_output=False).fit(num)
    assert enc.categories_[0][:2].tolist() == [0.5, 1.0]
    assert np.isnan(enc.categories_[0][2])
    assert_array_equal(enc.transform([[np.nan]]), [[0, 0, 1]])


def test_onehot_unknown_handling_and_messages():
    enc = OneHotEncoder().fit([["a"], ["b"]])
    with pytest.raises(
        ValueError,
        match=r"Found unknown categories \['x'\] in column 0 during transform",
    ):
        enc.transform(np.array([["x"]], dtype=object))
    enc = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(
        [["a"], ["b"]]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_array_equal(enc.transform([["z"]]), [[0, 0]])
    assert enc.inverse_transform([[0, 0]])[0, 0] is None
    enc = OneHotEncoder(handle_unknown="warn", sparse_output=False).fit([["a"], ["b"]])
    with pytest.warns(UserWarning, match="Found unknown categories in columns \\[0\\]"):
        enc.transform([["z"]])
    enc = OneHotEncoder(handle_unknown="ignore", drop="first", sparse_output=False).fit(
        [["a"], ["b"]]
    )
    with pytest.warns(UserWarning, match="encoded as all zeros"):
        out = enc.transform([["z"]])
    assert_array_equal(out, [[0]])
    enc = OneHotEncoder(sparse_output=False).fit([[1.0], [2.0]])
    with pytest.raises(ValueError, match="Samples \\[0\\] can not be inverted"):
        enc.inverse_transform([[0.0, 0.0]])
    with pytest.raises(ValueError, match="Expected 2 columns, got 3"):
        enc.inverse_transform([[0.0, 0.0, 1.0]])


def test_onehot_given_categories_errors():
    X = np.array([[1], [2]])
    with pytest.raises(
        ValueError, match="Found unknown categories \\[np.int64\\(2\\)\\]"
    ):
        OneHotEncoder(categories=[[1, 3]]).fit(X)
    with pytest.raises(ValueError, match="Unsorted categories are not supported"):
        OneHotEncoder(categories=[[3, 1, 2]]).fit(X)
    with pytest.raises(ValueError, match="contain duplicate elements"):
        OneHotEncoder(categories=[[1, 1, 2]]).fit(X)
    with pytest.raises(ValueError, match="Shape mismatch"):
        OneHotEncoder(categories=[[1, 2], [1]]).fit(X)
    with pytest.raises(ValueError, match="Nan should be the last element"):
        OneHotEncoder(categories=[[np.nan, 1.0, 2.0]]).fit(X.astype(float))
    with pytest.raises(ValueError, match="were supposed to be dropped"):
        OneHotEncoder(drop=[7]).fit(X)
    with pytest.raises(ValueError, match="`drop` should have length equal"):
        OneHotEncoder(drop=[1, 2]).fit(X)
    with pytest.raises(ValueError, match="'handle_unknown' parameter"):
        OneHotEncoder(handle_unknown="zero").fit(X)
    with pytest.raises(ValueError, match="'categories' parameter"):
        OneHotEncoder(categories="sorted").fit(X)
    # unknown allowed at fit with ignore: category list wins
    enc = OneHotEncoder(categories=[[1, 3]], handle_unknown="ignore").fit(X)
    assert enc.transform(X).toarray().tolist() == [[1, 0], [0, 0]]


def test_mixed_types_in_object_column():
    X = np.array([["a"], [1]], dtype=object)
    with pytest.raises(TypeError, match="uniformly strings or numbers"):
        OneHotEncoder().fit(X)


def test_onehot_dataframe_keeps_column_dtypes_and_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"color": ["red", "blue", "red"], "size": [3, 1, 3]})
    enc = OneHotEncoder(sparse_output=False).fit(df)
    assert enc.categories_[1].dtype.kind == "i"
    assert enc.feature_names_in_.tolist() == ["color", "size"]
    assert enc.get_feature_names_out().tolist() == [
        "color_blue",
        "color_red",
        "size_1",
        "size_3",
    ]
    with pytest.raises(ValueError, match="input_features is not equal"):
        enc.get_feature_names_out(["a", "b"])
    with pytest.raises(ValueError, match="feature names should match"):
        enc.transform(df[["size", "color"]])


def test_feature_name_combiner():
    enc = OneHotEncoder(feature_name_combiner=lambda f, c: f"{f}={c}").fit([[1], [2]])
    assert enc.get_feature_names_out().tolist() == ["x0=1", "x0=2"]
    enc = OneHotEncoder(feature_name_combiner=lambda f, c: 3).fit([[1], [2]])
    with pytest.raises(TypeError, match="should return a Python string"):
        enc.get_feature_names_out()


# -- OrdinalEncoder --------------------------------------------------------------------


def test_ordinal_basic_and_inverse():
    X = np.array([["b", 1.5], ["a", np.nan], ["c", 0.5]], dtype=object)
    enc = OrdinalEncoder().fit(X)
    out = enc.transform(X)
    assert_array_equal(out[:, 0], [1, 0, 2])
    assert out[0, 1] == 1 and np.isnan(out[1, 1]) and out[2, 1] == 0
    back = enc.inverse_transform(out)
    assert back[0, 0] == "b" and np.isnan(back[1, 1])


def test_ordinal_unknown_value_and_errors():
    X = np.array([[1], [2], [3]])
    enc = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(X)
    assert_array_equal(enc.transform([[2], [9]]), [[1], [-1]])
    assert enc.inverse_transform([[-1]])[0, 0] is None
    with pytest.raises(TypeError, match="unknown_value should only be set"):
        OrdinalEncoder(unknown_value=-1).fit(X)
    with pytest.raises(TypeError, match="unknown_value should be an integer or np.nan"):
        OrdinalEncoder(handle_unknown="use_encoded_value").fit(X)
    with pytest.raises(ValueError, match="is one of the values already used"):
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=1).fit(X)
    with pytest.raises(ValueError, match="the dtype parameter should be a float"):
        OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan, dtype=np.int64
        ).fit(X)
    Xn = np.array([[1.0], [np.nan]])
    with pytest.raises(
        ValueError, match="There are missing values in features \\[0\\]"
    ):
        OrdinalEncoder(dtype=np.int64).fit(Xn)
    with pytest.raises(ValueError, match="is already used to encode a known category"):
        OrdinalEncoder(encoded_missing_value=0).fit(Xn)
    out = OrdinalEncoder(dtype=np.int64, encoded_missing_value=-5).fit_transform(Xn)
    assert out.dtype == np.int64 and out.tolist() == [[0], [-5]]
    with pytest.raises(ValueError, match="Found unknown categories"):
        OrdinalEncoder().fit(X).transform([[4]])


# -- LabelEncoder ----------------------------------------------------------------------


def test_label_encoder():
    le = LabelEncoder()
    assert_array_equal(le.fit_transform(["b", "a", "b"]), [1, 0, 1])
    assert_array_equal(le.inverse_transform([0, 1]), ["a", "b"])
    with pytest.raises(
        ValueError, match="y contains previously unseen labels: np.str_"
    ):
        le.transform(["c"])
    with pytest.raises(
        ValueError, match="y contains previously unseen labels: \\[5\\]"
    ):
        le.inverse_transform([5])
    le = LabelEncoder().fit([10, 20])
    with pytest.raises(
        ValueError, match="y contains previously unseen labels: \\[np.int64\\(30\\)\\]"
    ):
        le.transform([30, 10])
    assert le.transform([]).shape == (0,)
    assert le.inverse_transform([]).shape == (0,)
    with pytest.raises(ValueError, match="should be a 1d array"):
        le.fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="not fitted yet"):
        LabelEncoder().transform([1])


# -- shared --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "est", [OneHotEncoder(sparse_output=False), OrdinalEncoder()], ids=repr
)
def test_encoders_pickle_clone_and_numeric_kernel_dtypes(est):
    rng = np.random.RandomState(0)
    for X in (
        rng.randint(-3, 3, size=(40, 2)).astype(np.int32),
        rng.randint(0, 3, size=(40, 2)).astype(bool),
        rng.choice([0.5, 1.5], size=(40, 2)).astype(np.float32),
        rng.randint(0, 5, size=(40, 2)).astype(np.uint64),
    ):
        fitted = clone(est).fit(X)
        again = pickle.loads(pickle.dumps(fitted))
        assert_array_equal(again.transform(X), fitted.transform(X))
        assert_array_equal(fitted.inverse_transform(fitted.transform(X)), X)
