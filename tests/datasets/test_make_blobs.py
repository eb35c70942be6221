"""Properties of fastml.datasets.make_blobs."""

import numpy as np
import pytest

from fastml.datasets import make_blobs


def test_defaults_three_centres_even_split():
    X, y = make_blobs(random_state=0)
    assert X.shape == (100, 2) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [34, 33, 33])


def test_centres_and_std_are_respected():
    stds = [0.5, 1.0, 2.0]
    X, y, C = make_blobs(
        30000, 4, centers=3, cluster_std=stds, random_state=0, return_centers=True
    )
    assert C.shape == (3, 4)
    assert np.all((C >= -10) & (C <= 10))
    for k, s in enumerate(stds):
        pts = X[y == k]
        # 10000 points per blob: the mean is within ~4 standard errors (4*s/100) of
        # the centre, the per-axis sd within 3% of s.
        np.testing.assert_allclose(pts.mean(0), C[k], atol=4 * s / 100)
        np.testing.assert_allclose(pts.std(0), s, rtol=0.03)


def test_per_centre_counts_with_given_centres():
    centers = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]])
    X, y, C = make_blobs(
        [3, 7],
        n_features=99,
        centers=centers,
        cluster_std=0.0,
        random_state=0,
        return_centers=True,
    )
    # n_features is taken from the centres; std 0 puts every point on its centre.
    assert X.shape == (10, 3)
    np.testing.assert_array_equal(np.bincount(y), [3, 7])
    np.testing.assert_array_equal(X, centers[y])
    np.testing.assert_array_equal(C, centers)


def test_per_centre_counts_random_centres_and_center_box():
    X, y, C = make_blobs(
        [1, 2, 3, 4],
        n_features=3,
        center_box=(2.0, 3.0),
        random_state=0,
        return_centers=True,
    )
    assert C.shape == (4, 3) and np.all((C >= 2) & (C <= 3))
    np.testing.assert_array_equal(np.bincount(y), [1, 2, 3, 4])


def test_no_shuffle_groups_by_blob_and_shuffle_permutes():
    _, y = make_blobs(10, centers=2, shuffle=False, random_state=0)
    np.testing.assert_array_equal(y, [0] * 5 + [1] * 5)
    Xs, ys = make_blobs(10, centers=2, shuffle=True, random_state=0)
    Xu, yu = make_blobs(10, centers=2, shuffle=False, random_state=0)
    order = np.lexsort(Xs.T)
    np.testing.assert_array_equal(Xs[order], Xu[np.lexsort(Xu.T)])


def test_deterministic_and_float32():
    a = make_blobs(50, 3, random_state=4)
    b = make_blobs(50, 3, random_state=4)
    c = make_blobs(50, 3, random_state=4, dtype="float32")
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(c[0], a[0].astype(np.float32))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n_samples=0), ValueError, "'n_samples' parameter"),
        (dict(n_samples=[]), TypeError, "non-empty sequence"),
        (dict(n_samples=[1.5, 2]), TypeError, "sequence of ints"),
        (dict(n_samples=[0, 0]), ValueError, "positive"),
        (dict(n_samples=[2, 3], centers=2), ValueError, "not an int"),
        (dict(n_samples=[2, 3], centers=[[0, 0]]), ValueError, "must match"),
        (dict(centers=[1.0, 2.0]), ValueError, "2-D array"),
        (dict(centers=[[np.nan, 0.0]]), ValueError, "finite"),
        (dict(centers=0), ValueError, "'centers' parameter"),
        (dict(centers=2, cluster_std=[1.0, 2.0, 3.0]), ValueError, "one entry"),
        (dict(cluster_std=-1.0), ValueError, "non-negative"),
        (dict(center_box=(1.0, 0.0)), ValueError, "min <= max"),
        (dict(n_features=0), ValueError, "'n_features' parameter"),
    ],
)
def test_parameter_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        make_blobs(**kwargs)
