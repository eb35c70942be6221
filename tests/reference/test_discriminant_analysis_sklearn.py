"""LinearDiscriminantAnalysis against scikit-learn's on iris, wine and digits.

Tolerances: both fit the same model with the same LAPACK decompositions in float64;
the differences are rounding (~1e-13 relative here). Probabilities, decision values,
coefficients, explained ratios and transforms are compared at 1e-6 (relative, with
an absolute floor of 1e-6 times the largest value), and predictions exactly.

Transforms: the discriminant directions' signs come from LAPACK (an SVD for the svd
solver, a generalised symmetric eigensolver for eigen) and scikit-learn does not
normalise them, so its own result is sign-ambiguous (another LAPACK build may flip a
direction; a rounding-level difference in the input matrices can flip one too: this
happens here for one discriminant of digits with the eigen solver and shrinkage
0.25). The comparison therefore allows one sign per discriminant.
"""

from __future__ import annotations

import numpy as np
import pytest

from fastml.discriminant_analysis import LinearDiscriminantAnalysis

sk_da = pytest.importorskip("sklearn.discriminant_analysis")
sk_datasets = pytest.importorskip("sklearn.datasets")

RTOL = 1e-6
DATA = {
    "iris": sk_datasets.load_iris(return_X_y=True),
    "wine": sk_datasets.load_wine(return_X_y=True),
    # the first 600 digits (all 10 classes, constant pixels included) keep the
    # test fast on a loaded 2-core machine
    "digits": tuple(a[:600] for a in sk_datasets.load_digits(return_X_y=True)),
}


def _close(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    np.testing.assert_allclose(
        a, b, rtol=RTOL, atol=RTOL * max(np.abs(b).max(), 1e-300)
    )


def _configs(n_classes):
    uniform = np.full(n_classes, 1.0 / n_classes)
    return [
        {"solver": "svd"},
        {"solver": "svd", "priors": uniform},
        {"solver": "svd", "n_components": 1, "store_covariance": True},
        {"solver": "eigen"},
        {"solver": "eigen", "shrinkage": "auto"},
        {"solver": "eigen", "shrinkage": 0.25, "priors": uniform},
        {"solver": "lsqr", "shrinkage": "auto"},
        {"solver": "lsqr", "shrinkage": 0.5},
    ]


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("index", range(8))
def test_lda_matches_sklearn(name, index):
    X, y = DATA[name]
    params = _configs(len(np.unique(y)))[index]
    if name == "digits" and params == {"solver": "eigen"}:
        # constant pixels make the within-class covariance singular: both fail
        with pytest.raises(np.linalg.LinAlgError):
            sk_da.LinearDiscriminantAnalysis(**params).fit(X, y)
        with pytest.raises(np.linalg.LinAlgError):
            LinearDiscriminantAnalysis(**params).fit(X, y)
        return
    ours = LinearDiscriminantAnalysis(**params).fit(X, y)
    theirs = sk_da.LinearDiscriminantAnalysis(**params).fit(X, y)
    assert np.array_equal(ours.predict(X), theirs.predict(X))
    _close(ours.predict_proba(X), theirs.predict_proba(X))
    _close(ours.decision_function(X), theirs.decision_function(X))
    _close(ours.coef_, theirs.coef_)
    _close(ours.intercept_, theirs.intercept_)
    _close(ours.means_, theirs.means_)
    _close(ours.priors_, theirs.priors_)
    assert ours.score(X, y) == theirs.score(X, y)
    for name_ in ("covariance_", "xbar_"):
        if hasattr(theirs, name_):
            _close(getattr(ours, name_), getattr(theirs, name_))
    if params["solver"] == "lsqr":
        return
    _close(ours.explained_variance_ratio_, theirs.explained_variance_ratio_)
    Z, W = ours.transform(X), theirs.transform(X)
    assert Z.shape == W.shape
    signs = np.sign(np.sum(Z * W, axis=0))
    _close(Z * signs, W)


def test_lda_binary_and_float32():
    X, y = DATA["wine"]
    mask = y < 2
    for solver, shrinkage in (("svd", None), ("eigen", "auto"), ("lsqr", None)):
        ours = LinearDiscriminantAnalysis(solver=solver, shrinkage=shrinkage).fit(
            X[mask], y[mask]
        )
        theirs = sk_da.LinearDiscriminantAnalysis(
            solver=solver, shrinkage=shrinkage
        ).fit(X[mask], y[mask])
        _close(ours.coef_, theirs.coef_)
        _close(ours.decision_function(X), theirs.decision_function(X))
        _close(ours.predict_proba(X), theirs.predict_proba(X))
    X32 = X.astype(np.float32)
    ours = LinearDiscriminantAnalysis().fit(X32, y)
    theirs = sk_da.LinearDiscriminantAnalysis().fit(X32, y)
    # float32 data: fastml fits in float64 internally, scikit-learn in float32, so
    # the two differ by float32 rounding; predictions agree
    assert ours.coef_.dtype == theirs.coef_.dtype == np.float32
    assert np.array_equal(ours.predict(X32), theirs.predict(X32))
    np.testing.assert_allclose(
        ours.predict_proba(X32), theirs.predict_proba(X32), atol=1e-3
    )
