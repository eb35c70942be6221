"""LinearDiscriminantAnalysis against the textbook Fisher LDA, its geometric
properties, parameters and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from naive.discriminant_analysis import naive_lda, naive_lda_proba

from fastml.discriminant_analysis import LinearDiscriminantAnalysis as LDA
from fastml.discriminant_analysis._covariance import ledoit_wolf, ledoit_wolf_shrinkage
from fastml.exceptions import InvalidParameterError, NotFittedError


def _blobs(n_per=60, p=5, k=4, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(k, p))
    A = rng.normal(size=(p, p)) / np.sqrt(p) + np.eye(p)  # shared correlated noise
    X = np.vstack([c + rng.normal(size=(n_per, p)) @ A for c in centres])
    y = np.repeat(np.arange(k), n_per)
    return X, y


@pytest.mark.parametrize("solver", ["svd", "eigen", "lsqr"])
def test_posteriors_match_textbook(solver):
    X, y = _blobs()
    model = naive_lda(X, y)
    lda = LDA(solver=solver).fit(X, y)
    # same model, different algebra: agreement to rounding (~1e-12)
    np.testing.assert_allclose(
        lda.predict_proba(X), naive_lda_proba(model, X), atol=1e-10
    )
    np.testing.assert_allclose(lda.means_, model["means"], rtol=1e-12)
    np.testing.assert_allclose(lda.priors_, [0.25] * 4)
    assert np.array_equal(
        lda.predict(X), model["classes"][lda.predict_proba(X).argmax(1)]
    )
    np.testing.assert_allclose(
        np.exp(lda.predict_log_proba(X)), lda.predict_proba(X), rtol=1e-12
    )


@pytest.mark.parametrize("solver", ["svd", "eigen"])
def test_discriminants_are_fisher_directions(solver):
    X, y = _blobs()
    model = naive_lda(X, y)
    lda = LDA(solver=solver).fit(X, y)
    Z = lda.transform(X)
    assert Z.shape == (X.shape[0], 3)
    # each discriminant spans the same line as the textbook one (sign free) and
    # explains the same share of the between-class scatter, LD1 first
    for j in range(3):
        a = lda.scalings_[:, j] / np.linalg.norm(lda.scalings_[:, j])
        b = model["directions"][:, j] / np.linalg.norm(model["directions"][:, j])
        assert abs(abs(a @ b) - 1.0) < 1e-10
    ratio = model["evals"][:3] / model["evals"][:3].sum()
    np.testing.assert_allclose(lda.explained_variance_ratio_, ratio, rtol=1e-9)
    assert np.all(np.diff(lda.explained_variance_ratio_) <= 0)
    # orthogonal in the within-class metric: projections are uncorrelated within
    # classes, and the between-class variances decrease
    within = lda.scalings_[:, :3].T @ model["within"] @ lda.scalings_[:, :3]
    np.testing.assert_allclose(within - np.diag(np.diag(within)), 0, atol=1e-10)
    if solver == "eigen":
        np.testing.assert_allclose(within, np.eye(3), atol=1e-10)


def test_binary_and_priors():
    X, y = _blobs(k=2)
    lda = LDA().fit(X, y)
    assert lda.coef_.shape == (1, 5) and lda.intercept_.shape == (1,)
    d = lda.decision_function(X)
    assert d.shape == (X.shape[0],)
    np.testing.assert_allclose(
        lda.predict_proba(X)[:, 1], 1 / (1 + np.exp(-d)), rtol=1e-12
    )
    assert np.array_equal(lda.predict(X), (d > 0).astype(int))
    priors = np.array([0.9, 0.1])
    skewed = LDA(priors=priors).fit(X, y)
    # svd solver: the pooled within-class scatter, priors only in the log term
    ref = naive_lda_proba(naive_lda(X, y, priors=priors, within_by_priors=False), X)
    np.testing.assert_allclose(skewed.predict_proba(X), ref, atol=1e-10)
    # eigen/lsqr: class covariances weighted by the priors
    ref = naive_lda_proba(naive_lda(X, y, priors=priors), X)
    for solver in ("eigen", "lsqr"):
        got = LDA(solver=solver, priors=priors).fit(X, y).predict_proba(X)
        np.testing.assert_allclose(got, ref, atol=1e-10)
    # the log prior ratio shifts the decision function and nothing else
    np.testing.assert_allclose(
        skewed.decision_function(X) - d, np.log(0.1 / 0.9) - np.log(1.0), atol=1e-9
    )
    with pytest.warns(UserWarning, match="do not sum to 1"):
        renorm = LDA(priors=[2.0, 2.0]).fit(X, y)
    np.testing.assert_allclose(renorm.priors_, [0.5, 0.5])
    with pytest.raises(ValueError, match="priors must be non-negative"):
        LDA(priors=[1.5, -0.5]).fit(X, y)


def test_shrinkage():
    X, y = _blobs(n_per=15, p=20, k=3)
    # Ledoit-Wolf intensity from its definition (Ledoit and Wolf 2004, lemma 3.x)
    c = X - X.mean(0)
    n, p = c.shape
    S = c.T @ c / n
    mu = np.trace(S) / p
    d2 = np.sum((S - mu * np.eye(p)) ** 2) / p
    b2 = sum(np.sum((np.outer(x, x) - S) ** 2) for x in c) / n**2 / p
    np.testing.assert_allclose(ledoit_wolf_shrinkage(c), min(b2, d2) / d2, rtol=1e-10)
    lw = ledoit_wolf(X)
    np.testing.assert_allclose(np.trace(lw), np.trace(S), rtol=1e-12)
    full = LDA(solver="eigen", shrinkage=1.0).fit(X, y)
    # shrinkage 1: the covariance is mu I per class, so coef_ ~ means / mu
    cov = full.covariance_
    np.testing.assert_allclose(cov, np.diag(np.diag(cov)), atol=1e-12)
    for solver in ("eigen", "lsqr"):
        a = LDA(solver=solver, shrinkage="auto").fit(X, y)
        b = LDA(solver=solver, shrinkage=0.0).fit(X, y)
        assert a.score(X, y) >= 0.9
        np.testing.assert_allclose(
            b.covariance_, LDA(solver="eigen").fit(X, y).covariance_
        )
    with pytest.raises(NotImplementedError, match="shrinkage not supported with 'svd'"):
        LDA(solver="svd", shrinkage="auto").fit(X, y)


def test_covariance_estimator():
    X, y = _blobs()

    class Diagonal:
        def fit(self, X):
            self.covariance_ = np.diag(np.var(X, axis=0))
            return self

        def get_params(self, deep=True):
            return {}

    lda = LDA(solver="lsqr", covariance_estimator=Diagonal()).fit(X, y)
    np.testing.assert_allclose(lda.covariance_, np.diag(np.diag(lda.covariance_)))
    with pytest.raises(ValueError, match="Only one of the two can be set"):
        LDA(solver="lsqr", shrinkage=0.5, covariance_estimator=Diagonal()).fit(X, y)
    with pytest.raises(ValueError, match="not supported with svd solver"):
        LDA(covariance_estimator=Diagonal()).fit(X, y)


def test_n_components_and_transform_errors():
    X, y = _blobs()
    assert LDA(n_components=2).fit(X, y).transform(X).shape == (240, 2)
    with pytest.raises(ValueError, match=r"cannot be larger than min\(n_features"):
        LDA(n_components=4).fit(X, y)
    with pytest.raises(
        NotImplementedError, match="transform not implemented for 'lsqr'"
    ):
        LDA(solver="lsqr").fit(X, y).transform(X)
    lda = LDA(n_components=2).fit(X, y)
    assert list(lda.get_feature_names_out()) == [
        "lineardiscriminantanalysis0",
        "lineardiscriminantanalysis1",
    ]


def test_collinear_and_constant_features():
    X, y = _blobs()
    # an exact copy of a feature and a constant feature: singular within scatter
    Xc = np.column_stack([X, X[:, 0], np.full(len(X), 3.0)])
    svd = LDA().fit(Xc, y)
    base = LDA().fit(X, y)
    # the svd solver drops the null directions: the same posteriors as without them
    np.testing.assert_allclose(svd.predict_proba(Xc), base.predict_proba(X), atol=1e-9)
    with pytest.raises(
        np.linalg.LinAlgError, match="within-class covariance is singular"
    ):
        LDA(solver="eigen").fit(Xc, y)
    shrunk = LDA(solver="eigen", shrinkage="auto").fit(Xc, y)
    assert shrunk.score(Xc, y) >= base.score(X, y) - 0.05


@pytest.mark.parametrize(
    "params, match",
    [
        ({"solver": "qr"}, "'solver' parameter of LinearDiscriminantAnalysis"),
        ({"shrinkage": 1.5}, "'shrinkage' parameter"),
        ({"shrinkage": "lw"}, "'shrinkage' parameter"),
        ({"n_components": 0}, "'n_components' parameter"),
        ({"tol": -1.0}, "'tol' parameter"),
        ({"covariance_estimator": 3}, "'covariance_estimator' parameter"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _blobs()
    with pytest.raises(InvalidParameterError, match=match):
        LDA(**params).fit(X, y)


def test_bad_input():
    X, y = _blobs(n_per=10)
    with pytest.raises(ValueError, match="only one class"):
        LDA().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="more than the number of classes"):
        LDA().fit(X[:2], [0, 1])
    with pytest.raises(ValueError, match="Unknown label type"):
        LDA().fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        LDA().fit(X[:1], y[:1])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Xn = X.copy()
        Xn[0, 0] = np.nan
        LDA().fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LDA().fit(X, y[:-1])
    with pytest.raises(NotFittedError):
        LDA().predict(X)
    lda = LDA().fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features"):
        lda.predict(X[:, :4])
    # layouts, read-only and lists give the same model; caller's arrays unchanged
    before = X.copy()
    Xr = np.asfortranarray(X)
    Xr.setflags(write=False)
    other = LDA().fit(Xr, y)
    np.testing.assert_allclose(other.coef_, lda.coef_, rtol=1e-12)
    np.testing.assert_allclose(
        LDA().fit(X.tolist(), list(y)).coef_, lda.coef_, rtol=1e-12
    )
    assert np.array_equal(X, before)
    # string labels
    labels = np.array(["a", "b", "c", "d"])[y]
    assert set(LDA().fit(X, labels).predict(X)) <= set(labels)
    # float32 in, float32 attributes
    lda32 = LDA().fit(X.astype(np.float32), y)
    assert lda32.coef_.dtype == np.float32
