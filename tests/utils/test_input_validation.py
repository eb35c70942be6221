"""The validation layer: conversions, layouts, and scikit-learn's error wording."""

from __future__ import annotations

import numpy as np
import pytest

from fastml.utils.multiclass import check_classification_targets, type_of_target
from fastml.utils.validation import (
    check_array,
    check_consistent_length,
    check_scalar,
    check_X_y,
    column_or_1d,
)


def test_dtype_coercion_and_layout():
    X = np.asfortranarray(np.arange(6, dtype=np.int32).reshape(3, 2))
    out = check_array(X)
    assert out.flags.c_contiguous and out.dtype == np.int32
    out = check_array(X, dtype=(np.float64, np.float32))
    assert out.dtype == np.float64 and out.flags.c_contiguous
    f32 = np.ones((2, 2), dtype=np.float32)
    assert check_array(f32, dtype=(np.float64, np.float32)).dtype == np.float32
    assert check_array([[True, False]]).dtype == np.float64
    assert check_array(X, order="F").flags.f_contiguous


def test_caller_array_untouched_and_copy_is_new():
    X = np.arange(6.0).reshape(2, 3)
    before = X.copy()
    out = check_array(X, copy=True)
    out[0, 0] = 99.0
    np.testing.assert_array_equal(X, before)
    assert not np.shares_memory(check_array(X, copy=True), X)


def test_read_only_input_accepted():
    X = np.arange(6.0).reshape(2, 3)
    X.setflags(write=False)
    out = check_array(X)
    np.testing.assert_array_equal(out, X)


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        ([1.0, 2.0], ValueError, "Expected 2D array, got 1D array instead"),
        (3.0, ValueError, "Expected 2D array, got scalar array instead"),
        (
            np.zeros((0, 3)),
            ValueError,
            r"Found array with 0 sample\(s\) \(shape=\(0, 3\)\)",
        ),
        (np.zeros((3, 0)), ValueError, r"Found array with 0 feature\(s\)"),
        (np.zeros((2, 2, 2)), ValueError, "Found array with dim 3"),
        ([[1.0, np.nan]], ValueError, "Input X contains NaN"),
        ([[1.0, np.inf]], ValueError, "Input X contains infinity"),
        ([[1 + 2j, 1.0]], ValueError, "Complex data not supported"),
        ([["a", "b"]], ValueError, "not compatible with arrays of bytes/strings"),
        (
            np.array([[{"a": 1}, 1.0]], dtype=object),
            TypeError,
            "argument must be a string",
        ),
        (None, ValueError, "Expected array-like"),
    ],
)
def test_bad_input_messages(bad, error, match):
    with pytest.raises(error, match=match):
        check_array(bad, input_name="X")


def test_nan_policy():
    X = np.array([[1.0, np.nan]])
    assert np.isnan(check_array(X, ensure_all_finite="allow-nan")).any()
    with pytest.raises(ValueError, match="infinity"):
        check_array([[np.inf]], ensure_all_finite="allow-nan")
    assert np.isinf(check_array([[np.inf]], ensure_all_finite=False)).any()


def test_sparse_rejected_with_clear_message():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="Sparse data was passed for X, but dense data"):
        check_array(sparse.csr_matrix(np.eye(2)), input_name="X")


def test_X_y_lengths_and_none_target():
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 2\]"):
        check_X_y(np.zeros((3, 1)), [1, 2])
    with pytest.raises(ValueError, match="requires y to be passed"):
        check_X_y(np.zeros((3, 1)), None, estimator="Est")
    with pytest.raises(ValueError, match="inconsistent"):
        check_consistent_length([1, 2], [1, 2, 3])
    with pytest.warns(UserWarning, match="column-vector y"):
        column_or_1d(np.ones((3, 1)), warn=True)
    with pytest.raises(ValueError, match="y should be a 1d array"):
        column_or_1d(np.ones((3, 2)))


def test_type_of_target_matches_sklearn_categories():
    assert type_of_target([0, 1, 1]) == "binary"
    assert type_of_target(["a", "b", "c"]) == "multiclass"
    assert type_of_target([0.5, 1.0]) == "continuous"
    assert type_of_target([1.0, 2.0, 3.0]) == "multiclass"
    assert type_of_target([[0, 1], [1, 1]]) == "multilabel-indicator"
    assert type_of_target([[0.5, 1], [1, 1]]) == "continuous-multioutput"
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        check_classification_targets([0.1, 0.2])


def test_type_of_target_agrees_with_sklearn():
    multiclass = pytest.importorskip("sklearn.utils.multiclass")
    cases = [
        [0, 1],
        [1, 2, 3],
        ["x", "y"],
        [0.0, 1.5],
        [[0, 1], [1, 0]],
        [[1, 2], [3, 4]],
        [[0.1, 2], [3, 4]],
        np.array([1, 1, 1]),
        np.array([[1], [2]]),
    ]
    for y in cases:
        assert type_of_target(y) == multiclass.type_of_target(y), y


def test_check_scalar():
    assert check_scalar(3, "n", int, min_val=1) == 3
    with pytest.raises(ValueError, match="n == 0, must be >= 1"):
        check_scalar(0, "n", int, min_val=1)
    with pytest.raises(TypeError, match="n must be an instance of"):
        check_scalar(1.5, "n", int)
