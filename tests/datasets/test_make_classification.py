"""Properties of fastml.datasets.make_classification."""

import numpy as np
import pytest

from fastml.datasets import make_classification


def _knn_accuracy(X, y, k=5):
    """Hold-out accuracy of a k-nearest-neighbour vote on a random half split."""
    order = np.random.RandomState(0).permutation(X.shape[0])
    X, y = X[order], y[order]
    half = X.shape[0] // 2
    Xtr, ytr, Xte, yte = X[:half], y[:half], X[half:], y[half:]
    d = ((Xte[:, None, :] - Xtr[None, :, :]) ** 2).sum(-1)
    nearest = np.argsort(d, axis=1)[:, :k]
    votes = np.array([np.bincount(ytr[row], minlength=y.max() + 1) for row in nearest])
    return float(np.mean(votes.argmax(1) == yte))


def test_shapes_dtypes_defaults():
    X, y = make_classification(random_state=0)
    assert X.shape == (100, 20) and y.shape == (100,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.flags.c_contiguous
    assert set(np.unique(y)) == {0, 1}


def test_float32_is_the_float64_data_cast():
    X64, y64 = make_classification(300, 7, random_state=3)
    X32, y32 = make_classification(300, 7, random_state=3, dtype=np.float32)
    assert X32.dtype == np.float32 and X32.flags.c_contiguous
    np.testing.assert_array_equal(X32, X64.astype(np.float32))
    np.testing.assert_array_equal(y32, y64)


def test_deterministic_for_fixed_seed_and_different_for_other_seeds():
    a = make_classification(200, 6, random_state=42)
    b = make_classification(200, 6, random_state=42)
    c = make_classification(200, 6, random_state=43)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_random_state_instance_is_advanced():
    rng = np.random.RandomState(0)
    X1, _ = make_classification(50, 5, random_state=rng)
    X2, _ = make_classification(50, 5, random_state=rng)
    assert not np.array_equal(X1, X2)


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_balanced_classes_exact_without_flips(n_classes):
    n = 1001
    _, y = make_classification(
        n, 10, n_informative=4, n_classes=n_classes, flip_y=0.0, random_state=0
    )
    counts = np.bincount(y, minlength=n_classes)
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1


def test_weights_give_exact_class_sizes_without_flips():
    _, y = make_classification(
        1000,
        5,
        n_informative=3,
        n_classes=3,
        weights=[0.1, 0.3, 0.6],
        flip_y=0.0,
        random_state=0,
    )
    np.testing.assert_array_equal(np.bincount(y), [100, 300, 600])


def test_weights_with_n_classes_minus_one_entries():
    _, y = make_classification(
        1000,
        5,
        n_informative=3,
        n_classes=3,
        weights=[0.2, 0.5],
        flip_y=0.0,
        random_state=0,
    )
    np.testing.assert_array_equal(np.bincount(y), [200, 500, 300])


def test_unnormalised_weights_are_normalised():
    _, y = make_classification(
        900,
        5,
        n_informative=3,
        n_classes=3,
        weights=[1, 1, 1],
        flip_y=0.0,
        random_state=0,
    )
    np.testing.assert_array_equal(np.bincount(y), [300, 300, 300])


def test_flip_y_one_destroys_imbalance():
    # flip_y=1 redraws every label uniformly: a 95/5 split becomes ~50/50; the bound
    # 0.45 is > 10 binomial standard deviations (0.005) away from 0.5.
    _, y = make_classification(20000, 5, weights=[0.95], flip_y=1.0, random_state=0)
    assert 0.45 < y.mean() < 0.55


def test_flip_y_fraction_changes_about_that_many_labels():
    kw = dict(n_samples=20000, n_features=5, shuffle=False, random_state=7)
    _, y0 = make_classification(flip_y=0.0, **kw)
    _, y1 = make_classification(flip_y=0.2, **kw)
    # A redrawn label equals the old one half the time (2 classes): ~10% changed.
    # The stream before the flip is identical, so only labels can differ.
    changed = np.mean(y0 != y1)
    assert 0.08 < changed < 0.12


def test_informative_features_predict_and_noise_features_do_not():
    X, y = make_classification(
        1200,
        10,
        n_informative=3,
        n_redundant=2,
        n_repeated=1,
        class_sep=2.0,
        flip_y=0.0,
        shuffle=False,
        random_state=0,
    )
    informative = _knn_accuracy(X[:, :3], y)
    noise = _knn_accuracy(X[:, 6:], y)
    # Well separated clusters: a 5-NN vote is far above chance on the informative
    # block; on pure noise it stays near 0.5 (600 test points: sd ~0.02).
    assert informative > 0.85
    assert noise < 0.6


def test_redundant_columns_are_linear_combinations_of_informative():
    X, _ = make_classification(
        500,
        12,
        n_informative=4,
        n_redundant=3,
        n_repeated=2,
        shuffle=False,
        random_state=1,
    )
    inf, red = X[:, :4], X[:, 4:7]
    coef, *_ = np.linalg.lstsq(inf, red, rcond=None)
    np.testing.assert_allclose(inf @ coef, red, atol=1e-9)
    assert np.linalg.matrix_rank(X[:, :9]) == 4
    # Repeated columns are exact copies of earlier (informative/redundant) ones.
    for j in (7, 8):
        assert any(np.array_equal(X[:, j], X[:, i]) for i in range(7))
    # The remaining columns are independent standard-normal noise.
    noise = X[:, 9:]
    assert np.all(np.abs(noise.mean(0)) < 0.2)
    assert np.all(np.abs(noise.std(0) - 1.0) < 0.15)
    assert np.linalg.matrix_rank(X) == 4 + 3


def test_class_sep_places_cluster_means_on_hypercube_vertices():
    sep = 3.0
    X, y = make_classification(
        8000,
        2,
        n_informative=2,
        n_redundant=0,
        n_clusters_per_class=1,
        class_sep=sep,
        flip_y=0.0,
        shuffle=False,
        random_state=0,
    )
    for c in (0, 1):
        mean = X[y == c].mean(0)
        # Per-axis spread is at most sqrt(2) (mixing entries in [-1, 1]), so the mean
        # of 4000 points is within 0.1 of its vertex with overwhelming probability.
        np.testing.assert_allclose(np.abs(mean), sep, atol=0.1)
    assert not np.allclose(X[y == 0].mean(0), X[y == 1].mean(0), atol=1.0)


def test_shuffle_permutes_rows_and_columns_of_the_same_data():
    kw = dict(n_samples=300, n_features=8, random_state=5)
    Xs, ys = make_classification(shuffle=True, **kw)
    Xu, yu = make_classification(shuffle=False, **kw)
    np.testing.assert_allclose(np.sort(Xs.sum(0)), np.sort(Xu.sum(0)))
    np.testing.assert_allclose(np.sort(Xs.sum(1)), np.sort(Xu.sum(1)))
    np.testing.assert_array_equal(np.bincount(ys), np.bincount(yu))
    assert not np.array_equal(Xs, Xu)


def test_many_informative_features_large_cube():
    X, y = make_classification(
        200, 40, n_informative=40, n_redundant=0, n_classes=4, random_state=0
    )
    assert X.shape == (200, 40) and set(np.unique(y)) <= {0, 1, 2, 3}


def test_one_sample():
    X, y = make_classification(
        1, 3, n_informative=1, n_redundant=0, n_clusters_per_class=1, random_state=0
    )
    assert X.shape == (1, 3) and y.shape == (1,)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n_samples=0), ValueError, "'n_samples' parameter"),
        (dict(n_samples=10.5), TypeError, "'n_samples' parameter"),
        (dict(n_features=True), TypeError, "'n_features' parameter"),
        (dict(n_features=3), ValueError, "must not exceed n_features"),
        (dict(n_classes=1), ValueError, "'n_classes' parameter"),
        (dict(n_informative=1), ValueError, "2 \\*\\* n_informative"),
        (
            dict(n_informative=3, n_classes=3, weights=[0.5]),
            ValueError,
            "weights has 1 entries",
        ),
        (dict(weights=[0.5, -0.1]), ValueError, "non-negative"),
        (dict(weights=[0.0, 0.0]), ValueError, "not all be zero"),
        (
            dict(n_informative=3, n_classes=3, weights=[0.8, 0.7]),
            ValueError,
            "must not exceed 1",
        ),
        (dict(flip_y=1.5), ValueError, "'flip_y' parameter"),
        (dict(class_sep=-1.0), ValueError, "'class_sep' parameter"),
        (dict(class_sep=float("nan")), ValueError, "'class_sep' parameter"),
        (dict(dtype=np.int64), ValueError, "float64 or float32"),
        (dict(dtype="not a dtype"), TypeError, "float64 or float32"),
        (dict(random_state="seed"), ValueError, "cannot be used to seed"),
    ],
)
def test_parameter_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_classification(**kwargs)
