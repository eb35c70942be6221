"""TargetEncoder / KFoldTargetEncoder: leakage, cross-fitting, API and errors."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from fastml.preprocessing import KFoldTargetEncoder, TargetEncoder


def _auc(y, score):
    """ROC AUC of ``score`` for binary ``y`` (Mann-Whitney, ties counted half).

    The AUC of a single feature is what any threshold on it (or any monotone model
    on it, such as a one-feature logistic regression) can reach.
    """
    order = np.argsort(score, kind="mergesort")
    s = score[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2.0 + 1.0
        i = j + 1
    r = np.empty(len(s))
    r[order] = ranks
    n1 = int(y.sum())
    n0 = len(y) - n1
    return (r[y == 1].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def _noise(seed, n=2000, n_categories=500):
    rng = np.random.RandomState(seed)
    X = rng.randint(0, n_categories, size=(n, 1))
    y = rng.randint(0, 2, size=n)
    return X, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_in_sample_encoding_leaks_and_cross_fitting_does_not(seed):
    # Pure noise: 2000 samples, 500 categories (~4 samples each), y independent of X.
    X_train, y_train = _noise(seed)
    X_test, y_test = _noise(seed + 100)
    # Naive in-sample encoding: fit on train, transform train (no cross-fitting).
    naive = TargetEncoder(random_state=0).fit(X_train, y_train)
    train_auc = _auc(y_train, naive.transform(X_train)[:, 0])
    test_auc = _auc(y_test, naive.transform(X_test)[:, 0])
    assert train_auc > 0.7  # it "learns" the noise through each row's own target
    assert abs(test_auc - 0.5) < 0.05  # ... which does not generalise
    # Cross-fitted (out-of-fold) encodings of the training rows: chance level.
    for enc in (TargetEncoder(random_state=0), KFoldTargetEncoder(random_state=0)):
        oof = enc.fit_transform(X_train, y_train)[:, 0]
        assert abs(_auc(y_train, oof) - 0.5) < 0.06
        assert abs(_auc(y_test, enc.transform(X_test)[:, 0]) - 0.5) < 0.05


def test_out_of_fold_rows_never_see_their_own_target():
    # Changing the target of rows in one fold must not change those rows' encodings.
    rng = np.random.RandomState(0)
    X = rng.randint(0, 6, size=(60, 2))
    y = rng.normal(size=60)
    enc = KFoldTargetEncoder(n_splits=3, random_state=0, target_type="continuous")
    base = enc.fit_transform(X, y)
    held = enc.fold_of_ == 1
    y2 = y.copy()
    y2[held] += 100.0
    changed = enc.fit_transform(X, y2)
    assert_allclose(changed[held], base[held], rtol=0, atol=1e-12)
    assert not np.allclose(changed[~held], base[~held])


def test_fit_transform_is_out_of_fold_and_transform_uses_full_data():
    X = np.array([[0], [0], [1], [1]])
    y = np.array([0.0, 2.0, 4.0, 6.0])
    enc = KFoldTargetEncoder(
        n_splits=2, shuffle=False, smooth=0.0, target_type="continuous"
    )
    assert_array_equal(enc.fit_transform(X, y), [[5.0], [5.0], [1.0], [1.0]])
    assert_array_equal(enc.transform(X), [[1.0], [1.0], [5.0], [5.0]])
    assert_array_equal(enc.fold_of_, [0, 0, 1, 1])
    assert enc.encodings_[0].tolist() == [1.0, 5.0]


def test_smoothing_formulas():
    X = np.array([["a"], ["a"], ["a"], ["b"]], dtype=object)
    y = np.array([1.0, 2.0, 3.0, 10.0])
    mean = y.mean()
    enc = TargetEncoder(smooth=2.0, target_type="continuous").fit(X, y)
    assert_allclose(enc.encodings_[0], [(6 + 2 * mean) / 5, (10 + 2 * mean) / 3])
    enc = TargetEncoder(smooth="auto", target_type="continuous").fit(X, y)
    v = y.var()
    lam_a = 3 * v / (3 * v + np.var([1.0, 2.0, 3.0]))
    assert_allclose(enc.encodings_[0][0], lam_a * 2.0 + (1 - lam_a) * mean)
    assert_allclose(enc.encodings_[0][1], 10.0)  # one sample: no within variance
    assert_allclose(enc.transform([["zz"]]), [[mean]])  # unknown -> mean


def test_binary_and_multiclass_targets():
    rng = np.random.RandomState(1)
    X = rng.randint(0, 4, size=(90, 2))
    y_bin = rng.choice(["no", "yes"], size=90)
    enc = TargetEncoder(random_state=0).fit(X, y_bin)
    assert enc.target_type_ == "binary"
    assert list(enc.classes_) == ["no", "yes"]
    assert_allclose(enc.target_mean_, np.mean(y_bin == "yes"))
    y_multi = rng.choice([3, 5, 9], size=90)
    enc = TargetEncoder(random_state=0)
    out = enc.fit_transform(X, y_multi)
    assert enc.target_type_ == "multiclass"
    assert out.shape == (90, 6)
    assert enc.get_feature_names_out().tolist() == [
        "x0_3",
        "x0_5",
        "x0_9",
        "x1_3",
        "x1_5",
        "x1_9",
    ]
    # per feature, the class encodings of one category sum to 1 (one-vs-rest means
    # with smooth=0 are class frequencies)
    enc = TargetEncoder(smooth=0.0).fit(X, y_multi)
    assert_allclose(enc.transform(X).reshape(90, 2, 3).sum(axis=2), 1.0)


def test_random_state_reproducible_and_cv_splitter():
    X, y = _noise(0, n=200, n_categories=20)
    a = TargetEncoder(random_state=3).fit_transform(X, y)
    b = TargetEncoder(random_state=3).fit_transform(X, y)
    assert_array_equal(a, b)
    c = TargetEncoder(random_state=4).fit_transform(X, y)
    assert not np.array_equal(a, c)
    # an explicit iterable of folds
    idx = np.arange(200)
    folds = [
        (idx[idx % 2 == 1], idx[idx % 2 == 0]),
        (idx[idx % 2 == 0], idx[idx % 2 == 1]),
    ]
    out = TargetEncoder(cv=folds).fit_transform(X, y)
    assert out.shape == (200, 1)
    bad = [(idx[:100], idx[:150])]
    with pytest.raises(ValueError, match="must cover each sample index exactly once"):
        TargetEncoder(cv=bad).fit_transform(X, y)


def test_errors():
    X, y = _noise(0, n=50, n_categories=5)
    with pytest.raises(ValueError, match="requires y to be passed"):
        TargetEncoder().fit(X, None)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        TargetEncoder().fit(X, y[:-1])
    with pytest.raises(ValueError, match="'smooth' parameter"):
        TargetEncoder(smooth=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="'smooth' parameter"):
        TargetEncoder(smooth="big").fit(X, y)
    with pytest.raises(ValueError, match="'target_type' parameter"):
        TargetEncoder(target_type="ordinal").fit(X, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        TargetEncoder().fit(X, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="Input y contains NaN"):
        TargetEncoder(target_type="continuous").fit(X, np.full(50, np.nan))
    with pytest.raises(ValueError, match="n_splits=1"):
        TargetEncoder(cv=1).fit_transform(X, y)
    with pytest.raises(ValueError, match="greater than the number of samples"):
        KFoldTargetEncoder(n_splits=60).fit_transform(X, y)
    with pytest.raises(
        ValueError, match="X has 2 features, but TargetEncoder is expecting 1"
    ):
        TargetEncoder().fit(X, y).transform(np.zeros((2, 2)))
    enc = TargetEncoder()
    with pytest.raises(ValueError, match="not fitted yet"):
        enc.transform(X)
