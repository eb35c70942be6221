"""Splitters, check_cv and train_test_split: fold properties, errors and input types.

Equality with scikit-learn's folds lives in
tests/reference/test_model_selection_sklearn.py; here every property is checked on
fastml alone.
"""

import re
import warnings

import numpy as np
import pytest

from fastml.exceptions import InvalidParameterError
from fastml.model_selection import (
    KFold,
    LeaveOneOut,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
    check_cv,
    train_test_split,
)

# ------------------------------------------------------------------ fold properties


def _check_partition(splits, n_samples, n_splits):
    """Test folds are disjoint, cover every sample once, train = complement."""
    assert len(splits) == n_splits
    seen = np.zeros(n_samples, dtype=np.int64)
    for train_idx, test_idx in splits:
        assert train_idx.dtype == np.int64 and test_idx.dtype == np.int64
        assert np.all(np.diff(test_idx) > 0) and np.all(np.diff(train_idx) > 0)
        assert len(np.intersect1d(train_idx, test_idx)) == 0
        assert len(train_idx) + len(test_idx) == n_samples
        seen[test_idx] += 1
    assert np.all(seen == 1)


@pytest.mark.parametrize(
    "n_samples, n_splits",
    [(2, 2), (3, 2), (3, 3), (7, 2), (7, 3), (7, 5), (10, 5), (31, 3), (31, 5)],
)
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_partition_and_fold_sizes(n_samples, n_splits, shuffle):
    X = np.zeros((n_samples, 2))
    cv = KFold(n_splits, shuffle=shuffle, random_state=0 if shuffle else None)
    splits = list(cv.split(X))
    _check_partition(splits, n_samples, n_splits)
    sizes = [len(test_idx) for _, test_idx in splits]
    base, extra = divmod(n_samples, n_splits)
    assert sizes == [base + 1] * extra + [base] * (n_splits - extra)
    assert cv.get_n_splits() == n_splits == cv.get_n_splits(X)


def test_kfold_without_shuffle_is_consecutive_blocks():
    splits = list(KFold(3).split(np.zeros((7, 1))))
    assert [t.tolist() for _, t in splits] == [[0, 1, 2], [3, 4], [5, 6]]


def test_kfold_shuffle_seeding():
    X = np.zeros((20, 1))

    def tests_of(cv):
        return [t.tolist() for _, t in cv.split(X)]

    # an int seed gives the same folds on every call; different seeds differ
    cv = KFold(4, shuffle=True, random_state=3)
    assert tests_of(cv) == tests_of(cv)
    assert tests_of(cv) != tests_of(KFold(4, shuffle=True, random_state=4))
    assert tests_of(cv) != tests_of(KFold(4))
    # a RandomState advances between calls
    cv = KFold(4, shuffle=True, random_state=np.random.RandomState(3))
    assert tests_of(cv) != tests_of(cv)


def _class_counts(y, idx, classes):
    return np.array([(y[idx] == c).sum() for c in classes])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_proportions(seed, shuffle):
    rng = np.random.RandomState(seed)
    n_samples = rng.randint(30, 120)
    y = rng.choice(["a", "b", "c"], size=n_samples, p=[0.6, 0.3, 0.1])
    classes, class_counts = np.unique(y, return_counts=True)
    n_splits = min(rng.randint(2, 6), class_counts.min())  # no small-class warning
    cv = StratifiedKFold(
        n_splits, shuffle=shuffle, random_state=seed if shuffle else None
    )
    splits = list(cv.split(np.zeros((n_samples, 1)), y))
    _check_partition(splits, n_samples, n_splits)
    per_fold = np.array([_class_counts(y, t, classes) for _, t in splits])
    # each class within one sample of its exact share n_c / n_splits in every fold
    assert np.all(np.abs(per_fold - class_counts / n_splits) < 1)
    sizes = per_fold.sum(axis=1)
    assert sizes.max() - sizes.min() <= 1


def test_stratified_kfold_block_layout_without_shuffle():
    # without shuffling each class fills the folds in data order
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    tests = [t.tolist() for _, t in StratifiedKFold(2).split(y, y)]
    assert tests == [[0, 1, 4, 5], [2, 3, 6, 7]]


def test_stratified_kfold_label_types_give_same_folds():
    rng = np.random.RandomState(0)
    codes = rng.randint(0, 3, 40)
    X = np.zeros((40, 1))
    reference = [t.tolist() for _, t in StratifiedKFold(4).split(X, codes)]
    for y in (
        codes.astype(float),
        np.array(["x", "y", "z"])[codes],
        np.array(["x", "y", "z"], dtype=object)[codes],
        list(codes),
        codes.reshape(-1, 1),
    ):
        assert [t.tolist() for _, t in StratifiedKFold(4).split(X, y)] == reference


def test_stratified_kfold_small_class_warning_and_error():
    X = np.zeros((10, 1))
    y = np.array([0] * 9 + [1])
    with pytest.warns(
        UserWarning,
        match=re.escape(
            "The least populated class in y has only 1 members, which is less than "
            "n_splits=3."
        ),
    ):
        splits = list(StratifiedKFold(3).split(X, y))
    _check_partition(splits, 10, 3)
    with pytest.raises(
        ValueError,
        match="n_splits=6 cannot be greater than the number of members in each class.",
    ):
        list(StratifiedKFold(6).split(X, [0, 1] * 5))


def test_stratified_kfold_rejects_bad_targets():
    X = np.zeros((6, 1))
    with pytest.raises(ValueError, match="Supported target types are: .* 'continuous'"):
        list(StratifiedKFold(2).split(X, np.linspace(0, 1, 6)))
    with pytest.raises(ValueError, match="'y' parameter should not be None"):
        list(StratifiedKFold(2).split(X))
    with pytest.raises(ValueError, match="Supported target types"):
        list(StratifiedKFold(2).split(X, np.eye(6)[:, :2]))


def test_leave_one_out():
    X = np.arange(8).reshape(4, 2)
    splits = list(LeaveOneOut().split(X))
    _check_partition(splits, 4, 4)
    assert [t.tolist() for _, t in splits] == [[0], [1], [2], [3]]
    assert LeaveOneOut().get_n_splits(X) == 4
    with pytest.raises(
        ValueError, match="Cannot perform LeaveOneOut with n_samples=1."
    ):
        list(LeaveOneOut().split(np.zeros((1, 2))))
    with pytest.raises(ValueError, match="The 'X' parameter should not be None."):
        LeaveOneOut().get_n_splits()


@pytest.mark.parametrize("stratified", [False, True])
def test_repeated_kfold(stratified):
    n_samples, n_splits, n_repeats = 23, 4, 3
    y = np.arange(n_samples) % 2
    X = np.zeros((n_samples, 1))
    cls = RepeatedStratifiedKFold if stratified else RepeatedKFold
    cv = cls(n_splits=n_splits, n_repeats=n_repeats, random_state=0)
    assert cv.get_n_splits() == n_splits * n_repeats
    splits = list(cv.split(X, y))
    assert len(splits) == n_splits * n_repeats
    rounds = [splits[i * n_splits : (i + 1) * n_splits] for i in range(n_repeats)]
    for r in rounds:
        _check_partition(r, n_samples, n_splits)
    # the rounds use different shuffles, and the whole thing is reproducible
    assert [t.tolist() for _, t in rounds[0]] != [t.tolist() for _, t in rounds[1]]
    again = list(cv.split(X, y))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(splits, again))


# ---------------------------------------------------------------- parameter errors


@pytest.mark.parametrize("cls", [KFold, StratifiedKFold])
def test_kfold_parameter_errors(cls):
    with pytest.raises(ValueError, match=r"n_splits=1\.$|at least one train/test"):
        cls(1)
    with pytest.raises(ValueError, match="n_splits=2 or more, got n_splits=0."):
        cls(0)
    with pytest.raises(ValueError, match="must be of Integral type. 2.0 of type"):
        cls(2.0)
    with pytest.raises(ValueError, match="must be of Integral type"):
        cls("3")
    with pytest.raises(ValueError, match="must be of Integral type"):
        cls(True)
    with pytest.raises(TypeError, match="shuffle must be True or False; got 1"):
        cls(2, shuffle=1)
    with pytest.raises(ValueError, match="Setting a random_state has no effect"):
        cls(2, random_state=0)
    assert cls(np.int32(3)).n_splits == 3


def test_repeated_parameter_errors():
    with pytest.raises(
        ValueError, match="Number of repetitions must be greater than 0."
    ):
        RepeatedKFold(n_repeats=0)
    with pytest.raises(ValueError, match="Number of repetitions must be of Integral"):
        RepeatedStratifiedKFold(n_repeats=1.5)
    with pytest.raises(ValueError, match="at least one train/test split"):
        RepeatedKFold(n_splits=1)


@pytest.mark.parametrize("cls", [KFold, StratifiedKFold])
def test_more_splits_than_samples(cls):
    msg = (
        "Cannot have number of splits n_splits=5 greater than the number of samples: "
        "n_samples=3."
    )
    with pytest.raises(ValueError, match=re.escape(msg)):
        list(cls(5).split(np.zeros((3, 1)), [0, 1, 0]))
    with pytest.raises(ValueError, match="n_samples=0."):
        list(KFold(2).split(np.zeros((0, 1))))


def test_split_inconsistent_lengths():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "Found input variables with inconsistent numbers of samples: [10, 9]"
        ),
    ):
        list(KFold(2).split(np.zeros((10, 1)), np.zeros(9)))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        list(StratifiedKFold(2).split(np.zeros((10, 1)), [0, 1] * 4))


def test_split_accepts_lists_dataframes_and_generators():
    pd = pytest.importorskip("pandas")
    expected = [t.tolist() for _, t in KFold(3).split(np.zeros((7, 1)))]
    for X in (list(range(7)), pd.DataFrame({"a": range(7)}), (i for i in range(7))):
        assert [t.tolist() for _, t in KFold(3).split(X)] == expected


def test_repr_lists_all_parameters_sorted():
    assert repr(KFold()) == "KFold(n_splits=5, random_state=None, shuffle=False)"
    assert (
        repr(StratifiedKFold(3, shuffle=True, random_state=0))
        == "StratifiedKFold(n_splits=3, random_state=0, shuffle=True)"
    )
    assert repr(LeaveOneOut()) == "LeaveOneOut()"
    assert repr(RepeatedKFold()) == (
        "RepeatedKFold(n_repeats=10, n_splits=5, random_state=None)"
    )
    # long values wrap with an indent of 1 + len(name) // 2
    text = repr(RepeatedStratifiedKFold(random_state=np.random.RandomState(0)))
    first, second = text.split("\n")
    assert first == "RepeatedStratifiedKFold(n_repeats=10, n_splits=5,"
    assert second.startswith(" " * 12 + "random_state=RandomState(MT19937)")


# ------------------------------------------------------------------------ check_cv


def test_check_cv():
    assert isinstance(check_cv(3, [0, 1, 0, 1], classifier=True), StratifiedKFold)
    assert isinstance(check_cv(3, ["a", "b", "c"], classifier=True), StratifiedKFold)
    assert isinstance(check_cv(3, [0, 1, 0, 1], classifier=False), KFold)
    assert isinstance(check_cv(3, [0.5, 1.5, 2.0], classifier=True), KFold)
    assert isinstance(check_cv(3, np.eye(3), classifier=True), KFold)
    assert isinstance(check_cv(3, None, classifier=True), KFold)
    default = check_cv(None)
    assert isinstance(default, KFold) and default.n_splits == 5
    splitter = StratifiedKFold(4)
    assert check_cv(splitter) is splitter

    pairs = [(np.array([0, 1]), np.array([2])), (np.array([2]), np.array([0, 1]))]
    wrapped = check_cv(iter(pairs))
    assert wrapped.get_n_splits() == 2
    out = list(wrapped.split(np.zeros((3, 1))))
    assert [t.tolist() for _, t in out] == [[2], [0, 1]]
    assert len(list(wrapped.split(None))) == 2  # re-iterable, unlike the generator

    for bad in ("a", 1.5, True):
        with pytest.raises(ValueError, match="Expected `cv` as an integer"):
            check_cv(bad)


# ---------------------------------------------------------------- train_test_split


@pytest.mark.parametrize(
    "test_size, train_size, n_train, n_test",
    [
        (None, None, 7, 3),  # default test_size=0.25, rounded up
        (0.25, None, 7, 3),
        (0.3, None, 7, 3),
        (3, None, 7, 3),
        (None, 0.55, 5, 5),  # train fraction rounds down
        (None, 6, 6, 4),
        (0.2, 0.5, 5, 2),
        (2, 3, 3, 2),
        (np.float32(0.5), np.int64(4), 4, 5),
    ],
)
def test_train_test_split_sizes(test_size, train_size, n_train, n_test):
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, train_size=train_size, random_state=0
    )
    assert len(X_train) == len(y_train) == n_train
    assert len(X_test) == len(y_test) == n_test
    # rows stay aligned across arrays and the two sets are disjoint
    assert np.array_equal(X_train[:, 0] // 2, y_train)
    assert np.array_equal(X_test[:, 0] // 2, y_test)
    assert len(np.intersect1d(y_train, y_test)) == 0


def test_train_test_split_shuffle_and_seed():
    y = np.arange(30)
    a = train_test_split(y, random_state=1)
    b = train_test_split(y, random_state=1)
    c = train_test_split(y, random_state=2)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[1], c[1])
    train, test = train_test_split(y, test_size=10, shuffle=False)
    assert train.tolist() == list(range(20)) and test.tolist() == list(range(20, 30))
    train, test = train_test_split(y, test_size=5, train_size=10, shuffle=False)
    assert train.tolist() == list(range(10)) and test.tolist() == list(range(10, 15))


def test_train_test_split_input_types():
    pd = pytest.importorskip("pandas")
    sparse = pytest.importorskip("scipy.sparse")
    n = 12
    X = np.arange(n * 2).reshape(n, 2)
    X_list = X.tolist()
    df = pd.DataFrame(X, columns=["a", "b"], index=np.arange(100, 100 + n))
    series = pd.Series(np.arange(n), index=df.index)
    X_sparse = sparse.csr_matrix(X)
    out = train_test_split(X, X_list, df, series, X_sparse, random_state=0)
    X_train, X_test = out[0], out[1]
    assert isinstance(out[2], list) and out[2] == X_train.tolist()
    assert out[3] == X_test.tolist()
    assert isinstance(out[4], pd.DataFrame) and np.array_equal(
        out[4].to_numpy(), X_train
    )
    assert list(out[4].columns) == ["a", "b"]
    assert np.array_equal(out[4].index, X_train[:, 0] // 2 + 100)  # index kept
    assert isinstance(out[6], pd.Series)
    assert np.array_equal(out[7].to_numpy(), X_test[:, 0] // 2)
    assert sparse.issparse(out[8]) and np.array_equal(out[8].toarray(), X_train)
    # 3-D arrays split on their first axis
    cube = np.arange(24).reshape(6, 2, 2)
    train, test = train_test_split(cube, test_size=2, random_state=0)
    assert train.shape == (4, 2, 2) and test.shape == (2, 2, 2)


def test_train_test_split_does_not_modify_inputs():
    X = np.arange(20, dtype=float).reshape(10, 2)
    X.setflags(write=False)  # read-only input is fine
    y = np.arange(10)
    X_copy, y_copy = X.copy(), y.copy()
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    X_train[:] = -1
    y_test[:] = -1
    assert np.array_equal(X, X_copy) and np.array_equal(y, y_copy)


@pytest.mark.parametrize("seed", range(5))
def test_train_test_split_stratify_proportions(seed):
    rng = np.random.RandomState(seed)
    n = 97
    y = rng.choice([0, 1, 2], size=n, p=[0.5, 0.35, 0.15])
    classes, counts = np.unique(y, return_counts=True)
    test_size = 0.3
    y_train, y_test = train_test_split(
        y, test_size=test_size, random_state=seed, stratify=y
    )
    n_test = int(np.ceil(test_size * n))
    assert len(y_test) == n_test and len(y_train) == n - n_test
    test_counts = np.array([(y_test == c).sum() for c in classes])
    train_counts = np.array([(y_train == c).sum() for c in classes])
    # each class's test count within one of its exact share
    assert np.all(np.abs(test_counts - counts * n_test / n) < 1)
    assert np.array_equal(test_counts + train_counts, counts)


def test_train_test_split_stratify_multilabel_rows():
    y = np.array([[0, 1], [1, 0], [0, 1], [1, 0], [0, 1], [1, 0], [1, 1], [1, 1]])
    y_train, y_test = train_test_split(y, test_size=3, random_state=0, stratify=y)
    rows = {tuple(r) for r in y_test}
    assert rows == {(0, 1), (1, 0), (1, 1)}  # one of each stratum


def test_train_test_split_errors():
    X = np.arange(20).reshape(10, 2)
    with pytest.raises(ValueError, match="At least one array required as input"):
        train_test_split()
    for bad in (1.5, 0.0, 0, -1, "a", True):
        with pytest.raises(
            InvalidParameterError, match="The 'test_size' parameter of train_test_split"
        ):
            train_test_split(X, test_size=bad)
    with pytest.raises(InvalidParameterError, match="'train_size' parameter"):
        train_test_split(X, train_size=1.0)
    with pytest.raises(
        ValueError,
        match="test_size=10 should be either positive and smaller than the number of "
        "samples 10",
    ):
        train_test_split(X, test_size=10)
    with pytest.raises(ValueError, match=r"The sum of test_size and train_size = 1.2"):
        train_test_split(X, test_size=0.6, train_size=0.6)
    with pytest.raises(ValueError, match="The sum of train_size and test_size = 12"):
        train_test_split(X, test_size=6, train_size=6)
    with pytest.raises(ValueError, match="the resulting train set will be empty"):
        train_test_split(X, test_size=0.95)
    with pytest.raises(
        ValueError,
        match="With n_samples=0, test_size=0.25 and train_size=None, the resulting "
        "train set will be empty",
    ):
        train_test_split(np.zeros((0, 2)))
    with pytest.raises(
        ValueError, match=re.escape("inconsistent numbers of samples: [10, 9]")
    ):
        train_test_split(X, np.arange(9))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        train_test_split(X, stratify=[0, 1] * 4)
    with pytest.raises(InvalidParameterError, match="'shuffle' parameter"):
        train_test_split(X, shuffle=1)
    with pytest.raises(TypeError):
        train_test_split(X, foo=1)
    with pytest.raises(
        ValueError,
        match="Stratified train/test split is not implemented for shuffle=False",
    ):
        train_test_split(X, stratify=[0, 1] * 5, shuffle=False)
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The least populated classes in y have only 1 member, which is too few. "
            "The minimum number of groups for any class cannot be less than 2. "
            "Classes with too few members are: [1]"
        ),
    ):
        train_test_split(X, stratify=[0] * 9 + [1])
    with pytest.raises(ValueError, match=re.escape("are: ['b', 'c']")):
        train_test_split(X, stratify=["a"] * 8 + ["b", "c"])
    with pytest.raises(
        ValueError,
        match="The test_size = 3 should be greater or equal to the number of classes "
        "= 5",
    ):
        train_test_split(X, stratify=[0, 1, 2, 3, 4] * 2)
    with pytest.raises(
        ValueError, match="The train_size = 1 should be greater or equal to the number"
    ):
        train_test_split(X, stratify=[0, 1, 2, 3, 4] * 2, test_size=0.9)
    with pytest.raises(TypeError):
        train_test_split(3)


def test_invalid_parameter_error_is_value_and_type_error():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for exc in (ValueError, TypeError):
            with pytest.raises(exc):
                train_test_split(np.zeros((4, 1)), test_size="a")
