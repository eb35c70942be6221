"""PCA and IncrementalPCA: solvers against the naive covariance eigendecomposition,
parameters, attributes, the probabilistic model, scree data, and bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from naive.decomposition import naive_pca, subspace_sin

from fastml.decomposition import PCA, IncrementalPCA
from fastml.decomposition._linalg import centered_gram, flip_rows
from fastml.exceptions import InvalidParameterError, NotFittedError

SOLVERS = ["full", "covariance_eigh", "randomized", "arpack"]


def _low_rank(n=300, p=12, rank=4, seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    scales = np.linspace(6.0, 3.0, rank)
    Z = rng.normal(size=(n, rank)) * scales
    W = np.linalg.qr(rng.normal(size=(p, rank)))[0].T
    return Z @ W + 0.1 * rng.normal(size=(n, p)) + offset


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("shape", [(300, 12), (40, 60)])
def test_solvers_match_naive_eigh(solver, shape):
    X = _low_rank(*shape)
    k = 3
    pca = PCA(k, svd_solver=solver, random_state=0).fit(X)
    comps, ev, _, mean = naive_pca(X, k)
    # well-separated leading eigenvalues (scales 6 > 5 > 4): every solver's
    # components are determined up to sign, fixed by the convention; the
    # randomized/arpack solvers converge to ~1e-10 here (strong spectral gap)
    np.testing.assert_allclose(pca.components_, comps, atol=1e-8)
    np.testing.assert_allclose(pca.explained_variance_, ev, rtol=1e-9)
    np.testing.assert_allclose(pca.mean_, mean, rtol=1e-12, atol=1e-12)
    assert pca.n_components_ == k and pca.n_samples_ == shape[0]


def test_sign_convention():
    X = _low_rank()
    for solver in SOLVERS:
        comps = PCA(4, svd_solver=solver, random_state=0).fit(X).components_
        idx = np.argmax(np.abs(comps), axis=1)
        assert np.all(comps[np.arange(4), idx] > 0)
    Vt = np.array([[0.0, -2.0, 2.0], [-1.0, 0.5, 0.0]])
    U = np.ones((2, 2))
    flipped, U2 = flip_rows(Vt, U)
    # ties: the first largest |entry| decides
    assert np.array_equal(flipped, [[0.0, 2.0, -2.0], [1.0, -0.5, 0.0]])
    assert np.array_equal(U2, [[-1.0, -1.0], [-1.0, -1.0]])


def test_attributes_and_transform_properties():
    X = _low_rank()
    pca = PCA(5, svd_solver="full").fit(X)
    Z = pca.transform(X)
    # projections are uncorrelated with the explained variances as variances
    cov = np.cov(Z, rowvar=False)
    np.testing.assert_allclose(cov, np.diag(pca.explained_variance_), atol=1e-9)
    np.testing.assert_allclose(pca.fit_transform(X), Z, atol=1e-9)
    total = np.var(X, axis=0, ddof=1).sum()
    np.testing.assert_allclose(
        pca.explained_variance_ratio_ * total, pca.explained_variance_
    )
    np.testing.assert_allclose(
        pca.singular_values_**2 / (X.shape[0] - 1), pca.explained_variance_
    )
    np.testing.assert_allclose(
        pca.components_ @ pca.components_.T, np.eye(5), atol=1e-12
    )
    all_ev = naive_pca(X, 12)[2]
    np.testing.assert_allclose(pca.noise_variance_, all_ev[5:].mean(), rtol=1e-9)


@pytest.mark.parametrize("solver", ["full", "covariance_eigh", "randomized"])
def test_whiten_and_inverse_transform(solver):
    X = _low_rank()
    pca = PCA(4, whiten=True, svd_solver=solver, random_state=0).fit(X)
    Z = pca.transform(X)
    np.testing.assert_allclose(np.var(Z, axis=0, ddof=1), np.ones(4), rtol=1e-8)
    np.testing.assert_allclose(pca.fit_transform(X), Z, atol=1e-8)
    np.testing.assert_allclose(pca.transform(pca.inverse_transform(Z)), Z, atol=1e-9)
    # all components: the reconstruction is exact
    full = PCA(None, svd_solver="full").fit(X)
    np.testing.assert_allclose(full.inverse_transform(full.transform(X)), X, atol=1e-9)


def test_fraction_of_variance_and_mle():
    X = _low_rank(rank=4)
    ratio = PCA(svd_solver="full").fit(X).explained_variance_ratio_
    for frac in (0.3, 0.5, 0.9, 0.99):
        for solver in ("full", "covariance_eigh", "auto"):
            k = PCA(frac, svd_solver=solver).fit(X).n_components_
            assert np.cumsum(ratio)[k - 1] > frac
            assert k == 1 or np.cumsum(ratio)[k - 2] <= frac
    # the data has 4 strong directions plus isotropic noise
    assert PCA("mle", svd_solver="full").fit(X).n_components_ == 4
    with pytest.raises(ValueError, match="n_samples >= n_features"):
        PCA("mle", svd_solver="full").fit(X[:5])
    with pytest.raises(ValueError, match="cannot be a string"):
        PCA("mle", svd_solver="randomized").fit(X)
    with pytest.raises(ValueError, match="must be between 1 and"):
        PCA(0.5, svd_solver="randomized").fit(X)


def test_auto_solver_choice():
    rng = np.random.default_rng(0)
    cases = [
        ((1000, 20), 5, "covariance_eigh"),  # tall: n >= 10 p, p <= 1000
        ((100, 50), 5, "full"),  # small: max dimension <= 500
        ((100, 50), "mle", "full"),
        ((300, 520), 10, "randomized"),  # 1 <= k < 0.8 min(shape)
        ((300, 520), 250, "full"),  # k >= 0.8 min(shape)
        ((300, 520), 0.5, "full"),  # fraction of variance
    ]
    for shape, k, expected in cases:
        X = rng.normal(size=shape)
        pca = PCA(k, random_state=0).fit(X)
        assert pca._fit_svd_solver == expected, (shape, k)


def test_covariance_precision_and_score():
    X = _low_rank(p=8)
    for whiten in (False, True):
        pca = PCA(3, whiten=whiten, svd_solver="full").fit(X)
        cov = pca.get_covariance()
        np.testing.assert_allclose(pca.get_precision() @ cov, np.eye(8), atol=1e-9)
        # PPCA log-likelihood = a Gaussian density with that covariance
        centred = X - pca.mean_
        sign, logdet = np.linalg.slogdet(cov)
        ref = -0.5 * (
            np.sum(centred @ np.linalg.inv(cov) * centred, axis=1)
            + 8 * np.log(2 * np.pi)
            + logdet
        )
        np.testing.assert_allclose(pca.score_samples(X), ref, rtol=1e-9)
        assert pca.score(X) == pytest.approx(ref.mean())
    full = PCA(8, svd_solver="full").fit(X)  # no noise left: plain inverse
    np.testing.assert_allclose(
        full.get_precision() @ full.get_covariance(), np.eye(8), atol=1e-8
    )


def test_scree_data_and_plot():
    X = _low_rank()
    pca = PCA(6).fit(X)
    data = pca.scree_data()
    assert list(data["component"]) == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(
        data["cumulative_ratio"], np.cumsum(pca.explained_variance_ratio_)
    )
    assert np.all(np.diff(data["explained_variance"]) <= 0)
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    ax = pca.plot_scree()
    assert len(ax.patches) == 6
    plt.close("all")


def test_centered_gram_precision_with_large_means():
    rng = np.random.default_rng(0)
    X64 = rng.normal(size=(20_000, 5)) + np.array([1e4, 0.0, -3e3, 5.0, 0.0])
    X64[:, 4] = 2.5  # constant column
    for dtype in (np.float64, np.float32):
        X = X64.astype(dtype)
        mean, gram, finite = centered_gram(X)
        Xd = X.astype(np.float64)
        ref = (Xd - Xd.mean(0)).T @ (Xd - Xd.mean(0))
        assert finite
        # float32 data: centring the blocks (the means are large here) leaves the
        # products' float32 rounding on unit-variance values, ~1e-6 relative
        tol = 1e-10 if dtype == np.float64 else 2e-5
        np.testing.assert_allclose(gram, ref, atol=tol * np.abs(ref).max())
        assert gram[4, 4] == 0.0
        # float32: the block sums are BLAS gemv sums of float32 values (~1e-7
        # relative each) of near-centred data: errors ~1e-7 of the spread (1)
        atol = 1e-9 if dtype == np.float64 else 1e-6
        np.testing.assert_allclose(mean, Xd.mean(0), rtol=1e-12, atol=atol)


def test_float32_preserved_and_close_to_float64():
    X = _low_rank()
    for solver in ("full", "covariance_eigh", "randomized"):
        p32 = PCA(3, svd_solver=solver, random_state=0).fit(X.astype(np.float32))
        p64 = PCA(3, svd_solver=solver, random_state=0).fit(X)
        assert p32.components_.dtype == np.float32
        assert p32.transform(X.astype(np.float32)).dtype == np.float32
        # float32 data: ~1e-7 relative rounding amplified by the eigengaps (~1e-5)
        np.testing.assert_allclose(p32.components_, p64.components_, atol=1e-4)
        np.testing.assert_allclose(
            p32.explained_variance_, p64.explained_variance_, rtol=1e-5
        )


def test_randomized_power_iteration_options():
    X = _low_rank(n=400, p=30)
    ref = PCA(3, svd_solver="full").fit(X)
    for normalizer in ("auto", "QR", "LU", "none"):
        for n_iter in (0, 2, 5):
            pca = PCA(
                3,
                svd_solver="randomized",
                power_iteration_normalizer=normalizer,
                iterated_power=n_iter,
                random_state=1,
            ).fit(X)
            # 13 random vectors for 3 components of a rank-3 + noise matrix: even
            # without power iterations the subspace is found to ~1e-2; the
            # variances then to ~1e-2 (n_iter=0) or ~1e-4 (power iterations)
            rtol = 1e-2 if n_iter == 0 else 1e-3
            assert subspace_sin(pca.components_, ref.components_) < 1e-2
            np.testing.assert_allclose(
                pca.explained_variance_, ref.explained_variance_, rtol=rtol
            )
    a = PCA(3, svd_solver="randomized", random_state=5).fit(X).components_
    b = PCA(3, svd_solver="randomized", random_state=5).fit(X).components_
    assert np.array_equal(a, b)


def test_randomized_gram_path_equals_direct_path():
    from fastml.decomposition._linalg import (
        randomized_svd_centered,
        randomized_svd_gram,
        use_gram_path,
    )

    X = _low_rank(n=1000, p=20, offset=3.0)
    assert use_gram_path(1000, 20, 4, 13)
    assert not use_gram_path(50, 100, 4, 13) and not use_gram_path(10**5, 600, 4, 13)
    mean, gram, _ = centered_gram(X)
    for normalizer in ("LU", "QR", "none"):
        opts = dict(n_oversamples=10, n_iter=3, power_iteration_normalizer=normalizer)
        S1, Vt1 = randomized_svd_gram(
            gram, 3, random_state=np.random.RandomState(0), dtype=X.dtype, **opts
        )
        _, S2, Vt2 = randomized_svd_centered(
            X, mean, 3, random_state=np.random.RandomState(0), **opts
        )
        # the same iterations in exact arithmetic: equal to rounding
        np.testing.assert_allclose(S1, S2, rtol=1e-10)
        assert subspace_sin(Vt1, Vt2) < 1e-8


def test_randomized_rank_deficient_falls_back():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3)) @ rng.normal(size=(3, 12))  # rank 3, tall
    pca = PCA(5, svd_solver="randomized", random_state=0).fit(X)
    ref = PCA(5, svd_solver="full").fit(X)
    np.testing.assert_allclose(
        pca.explained_variance_[:3], ref.explained_variance_[:3], rtol=1e-8
    )
    assert subspace_sin(pca.components_[:3], ref.components_[:3]) < 1e-6


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_components": -1}, "'n_components' parameter of PCA must be"),
        ({"n_components": 1.5}, "'n_components' parameter of PCA must be"),
        ({"n_components": "foo"}, "'n_components' parameter of PCA must be"),
        ({"svd_solver": "lapack"}, "'svd_solver' parameter of PCA must be a str among"),
        ({"tol": -1.0}, "'tol' parameter of PCA must be a float in the range"),
        ({"iterated_power": -1}, "'iterated_power' parameter of PCA"),
        ({"n_oversamples": 0}, "'n_oversamples' parameter of PCA"),
        ({"power_iteration_normalizer": "qr"}, "'power_iteration_normalizer'"),
        ({"whiten": "yes"}, "'whiten' parameter of PCA"),
        ({"random_state": "x"}, "'random_state' parameter of PCA"),
    ],
)
def test_parameter_errors(params, match):
    with pytest.raises(InvalidParameterError, match=match):
        PCA(**params).fit(np.random.default_rng(0).normal(size=(10, 3)))


def test_n_components_too_large():
    X = np.random.default_rng(0).normal(size=(10, 4))
    for solver in ("full", "covariance_eigh"):
        with pytest.raises(ValueError, match=r"n_components=5 must be between 0 and"):
            PCA(5, svd_solver=solver).fit(X)
    with pytest.raises(ValueError, match=r"must be between 1 and min\(n_samples"):
        PCA(5, svd_solver="randomized").fit(X)
    with pytest.raises(ValueError, match="strictly less than"):
        PCA(4, svd_solver="arpack").fit(X)
    assert PCA(0, svd_solver="full").fit(X).components_.shape == (0, 4)


def test_bad_input():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    pca = PCA(2)
    with pytest.raises(NotFittedError):
        pca.transform(X)
    with pytest.raises(ValueError, match="0 sample"):
        pca.fit(np.empty((0, 4)))
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        pca.fit(X[:1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        pca.fit(X[:, 0])
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[3, 2] = bad
        for solver in ("full", "covariance_eigh", "randomized"):
            with pytest.raises(ValueError, match="Input X contains"):
                PCA(2, svd_solver=solver).fit(Xb)
    with pytest.raises(ValueError, match="could not convert|numeric"):
        pca.fit(np.array([["a", "b"], ["c", "d"], ["e", "f"]], dtype=object))
    pca.fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but PCA is expecting 4"):
        pca.transform(X[:, :3])


def test_input_layouts_and_caller_arrays_unchanged():
    X = _low_rank()
    ref = PCA(3, svd_solver="full").fit(X)
    for solver in ("full", "covariance_eigh", "randomized", "arpack"):
        for variant in (np.asfortranarray(X), X.copy()):
            before = variant.copy()
            variant.setflags(write=False)
            pca = PCA(3, svd_solver=solver, random_state=0).fit(variant)
            pca.fit_transform(variant)
            assert np.array_equal(variant, before)
            np.testing.assert_allclose(pca.components_, ref.components_, atol=1e-8)
    as_list = PCA(3, svd_solver="full").fit(X.tolist())
    np.testing.assert_allclose(as_list.components_, ref.components_)


@pytest.mark.filterwarnings(
    "ignore:invalid value encountered"
)  # 0/0 ratios, as sklearn
def test_constant_features():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=200), np.full(200, 3.0), rng.normal(size=200)])
    for solver in ("full", "covariance_eigh"):
        pca = PCA(svd_solver=solver).fit(X)
        assert pca.explained_variance_[-1] == pytest.approx(0.0, abs=1e-12)
        # the constant feature carries no weight in the informative components
        assert np.all(np.abs(pca.components_[:2, 1]) < 1e-12)
    X_const = np.full((30, 3), 2.0)
    pca = PCA(2, svd_solver="covariance_eigh").fit(X_const)
    assert np.all(pca.explained_variance_ == 0.0)


def test_pickle_and_feature_names():
    pd = pytest.importorskip("pandas")
    X = _low_rank(p=4)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    pca = PCA(2).fit(df)
    assert list(pca.feature_names_in_) == ["a", "b", "c", "d"]
    assert list(pca.get_feature_names_out()) == ["pca0", "pca1"]
    clone = pickle.loads(pickle.dumps(pca))
    np.testing.assert_array_equal(clone.transform(df), pca.transform(df))


# --------------------------------------------------------------------- IncrementalPCA


def test_incremental_equals_batch_pca_when_nothing_is_discarded():
    X = _low_rank(n=400, p=10)
    ipca = IncrementalPCA(n_components=10, batch_size=50).fit(X)
    pca = PCA(10, svd_solver="full").fit(X)
    # keeping every component, the incremental SVD update is exact (Ross et al.)
    np.testing.assert_allclose(ipca.components_, pca.components_, atol=1e-9)
    np.testing.assert_allclose(
        ipca.explained_variance_, pca.explained_variance_, rtol=1e-9
    )
    np.testing.assert_allclose(ipca.mean_, X.mean(0), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(ipca.var_, X.var(0), rtol=1e-12)
    assert ipca.n_samples_seen_ == 400 and ipca.batch_size_ == 50


def test_incremental_truncated_is_close_and_partial_fit_matches_fit():
    X = _low_rank(n=600, p=10, rank=3)
    ipca = IncrementalPCA(n_components=3, batch_size=100).fit(X)
    pca = PCA(3, svd_solver="full").fit(X)
    # discarding the noise directions between batches perturbs by ~noise level
    assert subspace_sin(ipca.components_, pca.components_) < 1e-2
    np.testing.assert_allclose(
        ipca.explained_variance_, pca.explained_variance_, rtol=1e-2
    )
    part = IncrementalPCA(n_components=3)
    for start in range(0, 600, 100):
        part.partial_fit(X[start : start + 100])
    np.testing.assert_allclose(part.components_, ipca.components_, atol=1e-12)
    np.testing.assert_allclose(part.transform(X), ipca.transform(X), atol=1e-10)


def test_incremental_batches_and_errors():
    X = _low_rank(n=103, p=6)
    ipca = IncrementalPCA(n_components=5, batch_size=10).fit(X)
    assert ipca.n_samples_seen_ == 103
    assert IncrementalPCA().fit(X).batch_size_ == 30
    with pytest.raises(ValueError, match="invalid for n_features=6"):
        IncrementalPCA(n_components=7).fit(X)
    with pytest.raises(ValueError, match="must be less or equal to the batch number"):
        IncrementalPCA(n_components=5).partial_fit(X[:3])
    inc = IncrementalPCA().partial_fit(X[:4])
    with pytest.raises(ValueError, match="Number of input features has changed"):
        inc.set_params(n_components=3).partial_fit(X[4:20])
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter"):
        IncrementalPCA(batch_size=0).fit(X)
    with pytest.raises(ValueError, match="X has 5 features"):
        IncrementalPCA(3).fit(X).partial_fit(X[:, :5])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Xn = X.copy()
        Xn[0, 0] = np.nan
        IncrementalPCA(3).fit(Xn)


def test_two_python_threads_at_once():
    from concurrent.futures import ThreadPoolExecutor

    X = _low_rank(n=2000, p=30)
    ref = PCA(4, svd_solver="full").fit(X).components_

    def fit(solver: str) -> np.ndarray:
        return PCA(4, svd_solver=solver, random_state=0).fit(X).components_

    with ThreadPoolExecutor(2) as pool:
        outs = list(pool.map(fit, ["full", "randomized", "full", "covariance_eigh"]))
    for out in outs:
        np.testing.assert_allclose(out, ref, atol=1e-8)
