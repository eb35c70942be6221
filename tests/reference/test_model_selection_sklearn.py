"""fastml.model_selection against scikit-learn: identical folds, errors and scores.

Tolerances: fold indices and splitter errors must be identical (same algorithms on the
same RandomState stream). Cross-validation scores computed by the same scikit-learn
estimator on the same folds must be identical too (same arrays in, same computations).
Only the string scorers, which call fastml.metrics instead of sklearn.metrics, get a
relative tolerance of 1e-10: the two metric implementations may sum in different
orders, which moves the result by a few ulps, far below 1e-10.
"""

import re
import warnings

import numpy as np
import pytest

import fastml.model_selection as fm

sklearn = pytest.importorskip("sklearn")
import sklearn.model_selection as skm  # noqa: E402
from sklearn.datasets import (  # noqa: E402
    load_breast_cancer,
    load_diabetes,
    load_iris,
)
from sklearn.linear_model import (  # noqa: E402
    LinearRegression,
    LogisticRegression,
    PoissonRegressor,
)
from sklearn.metrics import get_scorer as sk_get_scorer  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


def _assert_same_splits(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for (a_train, a_test), (b_train, b_test) in zip(ours, theirs):
        np.testing.assert_array_equal(a_train, b_train)
        np.testing.assert_array_equal(a_test, b_test)


def _outcome(func):
    """(result or error message, warning messages) of calling func."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func()
        except (ValueError, TypeError) as exc:
            result = f"{type(exc).__name__}: {exc}"
    return result, [str(w.message) for w in caught]


# ---------------------------------------------------------------------------- folds


@pytest.mark.parametrize("seed", range(25))
def test_kfold_same_folds(seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(2, 80)
    k = rng.randint(2, min(n, 10) + 1)
    X = np.zeros((n, 2))
    _assert_same_splits(fm.KFold(k).split(X), skm.KFold(k).split(X))
    _assert_same_splits(
        fm.KFold(k, shuffle=True, random_state=seed).split(X),
        skm.KFold(k, shuffle=True, random_state=seed).split(X),
    )
    # a RandomState instance: both advance it identically over two calls
    ours = fm.KFold(k, shuffle=True, random_state=np.random.RandomState(seed))
    theirs = skm.KFold(k, shuffle=True, random_state=np.random.RandomState(seed))
    for _ in range(2):
        _assert_same_splits(ours.split(X), theirs.split(X))


def test_kfold_global_random_state():
    X = np.zeros((17, 1))
    np.random.seed(5)  # noqa: NPY002 - the global RandomState is what is tested
    ours = list(fm.KFold(3, shuffle=True).split(X))
    np.random.seed(5)  # noqa: NPY002 - the global RandomState is what is tested
    theirs = list(skm.KFold(3, shuffle=True).split(X))
    _assert_same_splits(ours, theirs)


def _stratified_targets(seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(6, 90)
    n_classes = rng.randint(2, 6)
    p = rng.dirichlet(np.ones(n_classes))
    y = rng.choice(n_classes, size=n, p=p)
    kinds = [y, y.astype(float) * 1.5, np.array([f"c{v}" for v in y])]
    return kinds[seed % 3], rng


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_same_folds(seed, shuffle):
    y, rng = _stratified_targets(seed)
    k = rng.randint(2, 6)
    X = np.zeros((len(y), 1))
    random_state = seed if shuffle else None
    ours, our_warnings = _outcome(
        lambda: list(
            fm.StratifiedKFold(k, shuffle=shuffle, random_state=random_state).split(
                X, y
            )
        )
    )
    theirs, their_warnings = _outcome(
        lambda: list(
            skm.StratifiedKFold(k, shuffle=shuffle, random_state=random_state).split(
                X, y
            )
        )
    )
    assert our_warnings == their_warnings
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        _assert_same_splits(ours, theirs)


@pytest.mark.parametrize("seed", range(10))
def test_repeated_splitters_same_folds(seed):
    y, rng = _stratified_targets(seed)
    X = np.zeros((len(y), 1))
    k = rng.randint(2, 5)
    _assert_same_splits(
        fm.RepeatedKFold(n_splits=k, n_repeats=3, random_state=seed).split(X),
        skm.RepeatedKFold(n_splits=k, n_repeats=3, random_state=seed).split(X),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # small classes; checked above
        ours, _ = _outcome(
            lambda: list(
                fm.RepeatedStratifiedKFold(
                    n_splits=k, n_repeats=3, random_state=seed
                ).split(X, y)
            )
        )
        theirs, _ = _outcome(
            lambda: list(
                skm.RepeatedStratifiedKFold(
                    n_splits=k, n_repeats=3, random_state=seed
                ).split(X, y)
            )
        )
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        _assert_same_splits(ours, theirs)


def test_leave_one_out_same_folds():
    X = np.zeros((7, 3))
    _assert_same_splits(fm.LeaveOneOut().split(X), skm.LeaveOneOut().split(X))
    assert fm.LeaveOneOut().get_n_splits(X) == skm.LeaveOneOut().get_n_splits(X)


@pytest.mark.parametrize("seed", range(30))
def test_train_test_split_same_rows(seed):
    rng = np.random.RandomState(seed)
    n = rng.randint(4, 120)
    X = np.arange(2 * n).reshape(n, 2)
    y = rng.randint(0, rng.randint(2, 4), n)
    sizes = [
        {},
        {"test_size": 0.3},
        {"test_size": 0.5, "train_size": 0.3},
        {"train_size": 0.6},
        {"test_size": min(3, n - 1)},
        {"test_size": 2, "train_size": min(n - 2, 5)},
    ]
    for kwargs in sizes:
        for stratify in (None, y):
            ours, _ = _outcome(
                lambda kwargs=kwargs, stratify=stratify: fm.train_test_split(
                    X, y, random_state=seed, stratify=stratify, **kwargs
                )
            )
            theirs, _ = _outcome(
                lambda kwargs=kwargs, stratify=stratify: skm.train_test_split(
                    X, y, random_state=seed, stratify=stratify, **kwargs
                )
            )
            if isinstance(theirs, str):
                assert ours == theirs
            else:
                for a, b in zip(ours, theirs):
                    np.testing.assert_array_equal(a, b)
        ours = fm.train_test_split(X, shuffle=False, **kwargs)
        theirs = skm.train_test_split(X, shuffle=False, **kwargs)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a, b)


def test_train_test_split_multilabel_stratify_same_rows():
    rng = np.random.RandomState(0)
    Y = rng.randint(0, 2, (60, 2))
    for seed in range(5):
        for a, b in zip(
            fm.train_test_split(Y, stratify=Y, random_state=seed, test_size=0.3),
            skm.train_test_split(Y, stratify=Y, random_state=seed, test_size=0.3),
        ):
            np.testing.assert_array_equal(a, b)


def test_train_test_split_dataframe_same_rows():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": range(30), "b": np.arange(30) * 0.5}, index=range(100, 130))
    for a, b in zip(
        fm.train_test_split(df, df["a"], random_state=3),
        skm.train_test_split(df, df["a"], random_state=3),
    ):
        pd.testing.assert_frame_equal(
            a.to_frame() if a.ndim == 1 else a, b.to_frame() if b.ndim == 1 else b
        )


# ---------------------------------------------------------------- errors and reprs

X10 = np.zeros((10, 2))

ERROR_CASES = {
    "kfold_one_split": lambda m: m.KFold(1),
    "kfold_float": lambda m: m.KFold(2.0),
    "kfold_seed_without_shuffle": lambda m: m.KFold(2, random_state=1),
    "kfold_shuffle_not_bool": lambda m: m.KFold(2, shuffle=1),
    "more_splits_than_samples": lambda m: list(m.KFold(5).split(np.zeros((3, 1)))),
    "empty": lambda m: list(m.KFold(2).split(np.zeros((0, 1)))),
    "inconsistent": lambda m: list(m.KFold(2).split(X10, np.arange(9))),
    "strat_continuous": lambda m: list(
        m.StratifiedKFold(3).split(X10, np.linspace(0, 1, 10))
    ),
    "strat_all_small": lambda m: list(m.StratifiedKFold(6).split(X10, [0, 1] * 5)),
    "strat_warning": lambda m: len(
        list(m.StratifiedKFold(3).split(X10, [0] * 9 + [1]))
    ),
    "loo_one": lambda m: list(m.LeaveOneOut().split(np.zeros((1, 1)))),
    "loo_none": lambda m: m.LeaveOneOut().get_n_splits(None),
    "repeats_zero": lambda m: m.RepeatedKFold(n_repeats=0),
    "repeats_float": lambda m: m.RepeatedKFold(n_repeats=1.5),
    "tts_test_size_float": lambda m: m.train_test_split(X10, test_size=1.5),
    "tts_test_size_zero": lambda m: m.train_test_split(X10, test_size=0),
    "tts_test_size_str": lambda m: m.train_test_split(X10, test_size="a"),
    "tts_test_size_n": lambda m: m.train_test_split(X10, test_size=10),
    "tts_sum_float": lambda m: m.train_test_split(X10, test_size=0.6, train_size=0.6),
    "tts_sum_int": lambda m: m.train_test_split(X10, test_size=6, train_size=6),
    "tts_empty_train": lambda m: m.train_test_split(X10, test_size=0.95),
    "tts_empty_input": lambda m: m.train_test_split(np.zeros((0, 2))),
    "tts_no_arrays": lambda m: m.train_test_split(),
    "tts_inconsistent": lambda m: m.train_test_split(X10, np.arange(9)),
    "tts_single_member": lambda m: m.train_test_split(X10, stratify=[0] * 9 + [1]),
    "tts_single_members": lambda m: m.train_test_split(
        X10, stratify=["a"] * 7 + ["b", "c", "d"]
    ),
    "tts_strat_no_shuffle": lambda m: m.train_test_split(
        X10, stratify=[0, 1] * 5, shuffle=False
    ),
    "tts_test_lt_classes": lambda m: m.train_test_split(
        X10, stratify=[0, 1, 2, 3, 4] * 2
    ),
    "tts_train_lt_classes": lambda m: m.train_test_split(
        X10, stratify=[0, 1, 2, 3, 4] * 2, test_size=0.9
    ),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_same_errors_and_warnings(case):
    ours = _outcome(lambda: ERROR_CASES[case](fm))
    theirs = _outcome(lambda: ERROR_CASES[case](skm))
    assert ours == theirs


def test_same_reprs():
    for make in (
        lambda m: m.KFold(),
        lambda m: m.KFold(3, shuffle=True, random_state=0),
        lambda m: m.StratifiedKFold(4, shuffle=True, random_state=12),
        lambda m: m.LeaveOneOut(),
        lambda m: m.RepeatedKFold(n_splits=3, n_repeats=2, random_state=1),
        lambda m: m.RepeatedStratifiedKFold(),
    ):
        assert repr(make(fm)) == repr(make(skm))
    state = np.random.RandomState(0)
    assert repr(fm.KFold(5, shuffle=True, random_state=state)) == repr(
        skm.KFold(5, shuffle=True, random_state=state)
    )
    assert repr(fm.RepeatedStratifiedKFold(random_state=state)) == repr(
        skm.RepeatedStratifiedKFold(random_state=state)
    )


def test_check_cv_same_choice():
    for y, classifier in [
        ([0, 1, 0, 1], True),
        (["a", "b", "c"], True),
        ([0, 1, 0, 1], False),
        ([0.5, 1.5, 2.5], True),
        (np.eye(3), True),
        (None, True),
    ]:
        assert repr(fm.check_cv(3, y, classifier=classifier)) == repr(
            skm.check_cv(3, y, classifier=classifier)
        )


# ------------------------------------------------------------------------- scores


@pytest.fixture(scope="module")
def datasets():
    Xr, yr = load_diabetes(return_X_y=True)
    Xb, yb = load_breast_cancer(return_X_y=True)
    Xm, ym = load_iris(return_X_y=True)
    return {
        "regression": (Xr, yr, LinearRegression()),
        # Poisson regression predicts positive values: for log/deviance/percentage
        "positive": (
            Xr,
            yr,
            make_pipeline(StandardScaler(), PoissonRegressor(alpha=1e-3, max_iter=300)),
        ),
        "binary": (Xb, yb, make_pipeline(StandardScaler(), LogisticRegression())),
        "multiclass": (Xm, ym, make_pipeline(StandardScaler(), LogisticRegression())),
        # label sets of varying size, for the "samples" averages
        "multilabel": (
            Xm,
            np.column_stack(
                [ym == 0, (ym == 1) | (Xm[:, 0] > 6), (ym == 2) | (Xm[:, 3] > 1.3)]
            ),
            make_pipeline(StandardScaler(), KNeighborsClassifier()),
        ),
    }


@pytest.mark.parametrize(
    "name, cv",
    [
        ("regression", 5),
        ("regression", "kfold_shuffled"),
        ("binary", 5),
        ("multiclass", "stratified_shuffled"),
        ("multiclass", "repeated"),
    ],
)
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_cross_val_score_same_values(datasets, name, cv, n_jobs):
    X, y, model = datasets[name]
    ours_cv, theirs_cv = {
        5: (5, 5),
        "kfold_shuffled": (
            fm.KFold(4, shuffle=True, random_state=0),
            skm.KFold(4, shuffle=True, random_state=0),
        ),
        "stratified_shuffled": (
            fm.StratifiedKFold(5, shuffle=True, random_state=1),
            skm.StratifiedKFold(5, shuffle=True, random_state=1),
        ),
        "repeated": (
            fm.RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=4),
            skm.RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=4),
        ),
    }[cv]
    ours = fm.cross_validate(
        model, X, y, cv=ours_cv, n_jobs=n_jobs, return_train_score=True
    )
    theirs = skm.cross_validate(model, X, y, cv=theirs_cv, return_train_score=True)
    # same estimator, same rows in the same order: exactly the same numbers
    np.testing.assert_array_equal(ours["test_score"], theirs["test_score"])
    np.testing.assert_array_equal(ours["train_score"], theirs["train_score"])
    np.testing.assert_array_equal(
        fm.cross_val_score(model, X, y, cv=ours_cv, n_jobs=n_jobs),
        skm.cross_val_score(model, X, y, cv=theirs_cv),
    )


def _scorer_case(name):
    if name.endswith("_samples"):
        return "multilabel"
    if name.startswith(("roc_auc_ov", "f1_", "precision_", "recall_", "jaccard_")):
        return "multiclass"
    if name in (
        "accuracy",
        "balanced_accuracy",
        "matthews_corrcoef",
        "roc_auc",
        "average_precision",
        "neg_log_loss",
        "neg_brier_score",
        "f1",
        "precision",
        "recall",
        "jaccard",
    ):
        return "binary"
    if name in (
        "neg_mean_squared_log_error",
        "neg_root_mean_squared_log_error",
        "neg_mean_poisson_deviance",
        "neg_mean_gamma_deviance",
        "neg_mean_absolute_percentage_error",
    ):
        return "positive"
    return "regression"


@pytest.mark.parametrize("name", fm.get_scorer_names())
def test_string_scorers_same_values(datasets, name):
    ours = fm.get_scorer(name)
    X, y, model = datasets[_scorer_case(name)]
    fitted = model.fit(X[::2], y[::2])
    ours_value = ours(fitted, X[1::2], y[1::2])
    theirs_value = sk_get_scorer(name)(fitted, X[1::2], y[1::2])
    # different metric implementations: a few ulps apart at most (module docstring)
    assert ours_value == pytest.approx(theirs_value, rel=1e-10, abs=1e-12)


def test_multimetric_cross_validate_same_values(datasets):
    names = ["accuracy", "f1", "roc_auc", "neg_log_loss"]
    X, y, model = datasets["binary"]
    ours = fm.cross_validate(
        model, X, y, cv=fm.StratifiedKFold(4), scoring=names, n_jobs=2
    )
    theirs = skm.cross_validate(model, X, y, cv=skm.StratifiedKFold(4), scoring=names)
    for n in names:
        np.testing.assert_allclose(ours[f"test_{n}"], theirs[f"test_{n}"], rtol=1e-10)


def test_error_messages_for_scoring_lists_match():
    X, y = np.zeros((10, 2)), np.arange(10.0)
    for scoring in ([], ["r2", "r2"], [1], {}):
        with pytest.raises(ValueError) as ours:
            fm.cross_validate(LinearRegression(), X, y, scoring=scoring)
        with pytest.raises(ValueError) as theirs:
            skm.cross_validate(LinearRegression(), X, y, scoring=scoring)
        assert re.sub(r"\s+", " ", str(ours.value)) == re.sub(
            r"\s+", " ", str(theirs.value)
        )
