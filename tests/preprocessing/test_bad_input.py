"""Every preprocessing transformer on bad or unusual input: a clear error, or the same
answer as for clean input; the caller's arrays are never modified."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from fastml.preprocessing import (
    IQROutlierFlagger,
    KFoldTargetEncoder,
    LabelEncoder,
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    StandardScaler,
    TargetEncoder,
)

FACTORIES = {
    "OneHotEncoder": lambda: OneHotEncoder(
        sparse_output=False, handle_unknown="ignore"
    ),
    "OrdinalEncoder": lambda: OrdinalEncoder(),
    "TargetEncoder": lambda: TargetEncoder(cv=3, random_state=0),
    "KFoldTargetEncoder": lambda: KFoldTargetEncoder(n_splits=3, random_state=0),
    "StandardScaler": lambda: StandardScaler(),
    "MinMaxScaler": lambda: MinMaxScaler(),
    "IQROutlierFlagger": lambda: IQROutlierFlagger(),
}
NAMES = sorted(FACTORIES)
NEEDS_Y = {"TargetEncoder", "KFoldTargetEncoder"}


def _data():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(30, 2)).astype(np.float64)
    y = rng.randint(0, 2, size=30)
    return X, y


def _fit(name, X, y):
    est = FACTORIES[name]()
    return est.fit(X, y) if name in NEEDS_Y else est.fit(X)


def _out(a):
    return a.toarray() if hasattr(a, "toarray") else np.asarray(a)


@pytest.mark.parametrize("name", NAMES)
def test_empty_input(name):
    _, y = _data()
    with pytest.raises(ValueError, match="0 sample"):
        _fit(name, np.empty((0, 2)), y[:0])


@pytest.mark.parametrize("name", NAMES)
def test_one_row(name):
    X, y = _data()
    est = _fit(name, X[:1], y[:1])
    out = _out(est.transform(X[:1]))
    assert out.shape[0] == 1 and not np.isnan(out.astype(float)).any()


@pytest.mark.parametrize("name", NAMES)
def test_inf_rejected(name):
    X, y = _data()
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="contains infinity"):
        _fit(name, X, y)


@pytest.mark.parametrize("name", NAMES)
def test_nan_accepted(name):
    # all these transformers treat NaN as a category / ignore it in statistics
    X, y = _data()
    X[::7, 0] = np.nan
    est = _fit(name, X, y)
    out = _out(est.transform(X))
    assert out.shape[0] == X.shape[0]


@pytest.mark.parametrize("name", NAMES)
def test_wrong_width_and_1d(name):
    X, y = _data()
    est = _fit(name, X, y)
    with pytest.raises(
        ValueError, match=f"X has 3 features, but {name} is expecting 2"
    ):
        est.transform(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array instead"):
        _fit(name, X[:, 0], y)


@pytest.mark.parametrize("name", NAMES)
def test_layouts_and_caller_arrays(name):
    X, y = _data()
    X_copy, y_copy = X.copy(), y.copy()
    ref = _out(_fit(name, X, y).transform(X))
    assert_array_equal(X, X_copy)
    assert_array_equal(y, y_copy)
    X_f = np.asfortranarray(X)
    assert_array_equal(_out(_fit(name, X_f, y).transform(X_f)), ref)
    X_ro = X.copy()
    X_ro.setflags(write=False)
    y_ro = y.copy()
    y_ro.setflags(write=False)
    assert_array_equal(_out(_fit(name, X_ro, y_ro).transform(X_ro)), ref)
    assert_array_equal(_out(_fit(name, X.tolist(), y.tolist()).transform(X)), ref)
    if name in NEEDS_Y:
        est = FACTORIES[name]()
        a = est.fit_transform(X_ro, y_ro)
        b = FACTORIES[name]().fit_transform(X, y)
        assert_array_equal(a, b)
        assert_array_equal(X, X_copy)


@pytest.mark.parametrize("name", NAMES)
def test_strings(name):
    X, y = _data()
    S = np.array([["a", "b"], ["b", "c"], ["a", "c"]] * 10)
    if name in ("StandardScaler", "MinMaxScaler", "IQROutlierFlagger"):
        with pytest.raises(ValueError):
            _fit(name, S, y)
    else:
        as_codes = (S == "b").astype(float) + 2 * (S == "c")
        a = _out(_fit(name, S, y).transform(S))
        b = _out(_fit(name, as_codes, y).transform(as_codes))
        assert_array_equal(a, b)  # strings encode like the equivalent numbers


def test_label_encoder_bad_input():
    le = LabelEncoder()
    with pytest.raises(ValueError, match="should be a 1d array"):
        le.fit([[1, 2], [3, 4]])
    y = np.array([3, 1, 3])
    y.setflags(write=False)
    assert_array_equal(le.fit_transform(y), [1, 0, 1])
    assert_array_equal(y, [3, 1, 3])
    assert le.fit([]).classes_.shape == (0,)
