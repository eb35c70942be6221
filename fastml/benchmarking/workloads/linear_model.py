"""Linear-model workloads: Lasso, ElasticNet and Ridge fits vs scikit-learn.

Data (``make_ar1_regression``): float32 rows whose features follow an AR(1) process
along the feature index (corr(x_j, x_k) = rho^|j - k|, rho = 0.9), 20 informative
features with coefficients of magnitude 1 to 3 and Gaussian noise (sd 2); 100,000 x
200 in full mode (the issue's benchmark size), 20,000 x 100 in quick mode (keeps
``--quick`` short: scikit-learn's lasso alone takes ~25 s at the full size). Both libraries fit the same alpha and tol; the quality
figure is the objective each one reached (scikit-learn's objective function), the
comparison the largest coefficient difference.

Each family appends its own workload functions and ``Workload`` rows to
``WORKLOADS`` below (logistic regression included).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 5_000, "n_features": 50}],
    "quick": [{"n_samples": 20_000, "n_features": 100}],
    "full": [{"n_samples": 100_000, "n_features": 200}],
}
CD_ALPHA = 0.1
CD_TOL = 1e-4
RIDGE_ALPHA = 1.0


def make_ar1_regression(
    n_samples: int,
    n_features: int,
    *,
    rho: float = 0.9,
    n_informative: int = 20,
    noise: float = 2.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """AR(1)-correlated float32 design, target and true coefficients (float64)."""
    rng = np.random.default_rng(seed)
    X = np.empty((n_samples, n_features), dtype=np.float32)
    column = rng.standard_normal(n_samples)
    X[:, 0] = column
    scale = np.sqrt(1.0 - rho * rho)
    for j in range(1, n_features):
        column = rho * column + scale * rng.standard_normal(n_samples)
        X[:, j] = column
    coef = np.zeros(n_features)
    support = rng.choice(n_features, min(n_informative, n_features), replace=False)
    coef[support] = rng.uniform(1.0, 3.0, support.size) * rng.choice(
        [-1.0, 1.0], support.size
    )
    y = X.astype(np.float64) @ coef + noise * rng.standard_normal(n_samples)
    return X, y.astype(np.float32), coef


def _make(size: Size, seed: int) -> dict[str, Any]:
    X, y, coef = make_ar1_regression(size["n_samples"], size["n_features"], seed=seed)
    return {"X": X, "y": y, "coef": coef}


def enet_objective(
    X: np.ndarray, y: np.ndarray, model: Any, alpha: float, l1_ratio: float
) -> float:
    """scikit-learn's elastic-net objective of a fitted model, in float64."""
    w = np.asarray(model.coef_, dtype=np.float64)
    residual = y.astype(np.float64) - X.astype(np.float64) @ w - float(model.intercept_)
    return float(
        0.5 * np.mean(residual**2)
        + alpha * l1_ratio * np.abs(w).sum()
        + 0.5 * alpha * (1.0 - l1_ratio) * (w @ w)
    )


def _cd_runner(lib: str, name: str, l1_ratio: float) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> Any:
        module: Any = None
        if lib == "fastml":
            import fastml.linear_model as module
        else:
            import sklearn.linear_model as module  # type: ignore[no-redef]
        kwargs: dict[str, Any] = {"alpha": CD_ALPHA, "tol": CD_TOL}
        if name == "ElasticNet":
            kwargs["l1_ratio"] = l1_ratio
        return getattr(module, name)(**kwargs).fit(data["X"], data["y"])

    return run


def _cd_quality(l1_ratio: float) -> Any:
    def quality(data: dict[str, Any], model: Any) -> float:
        return enet_objective(data["X"], data["y"], model, CD_ALPHA, l1_ratio)

    return quality


def _ridge_runner(lib: str) -> Any:
    def run(data: dict[str, Any], n_threads: int) -> Any:
        if lib == "fastml":
            from fastml.linear_model import Ridge
        else:
            from sklearn.linear_model import Ridge  # type: ignore[no-redef]
        return Ridge(alpha=RIDGE_ALPHA).fit(data["X"], data["y"])

    return run


def _ridge_quality(data: dict[str, Any], model: Any) -> float:
    w = np.asarray(model.coef_, dtype=np.float64)
    residual = (
        data["y"].astype(np.float64)
        - data["X"].astype(np.float64) @ w
        - float(model.intercept_)
    )
    return float(residual @ residual + RIDGE_ALPHA * (w @ w))


def _coef_diff(a: Any, b: Any) -> float:
    return float(
        np.max(
            np.abs(np.asarray(a.coef_, np.float64) - np.asarray(b.coef_, np.float64))
        )
    )


def _label(size: Size) -> str:
    return f"{size['n_samples'] / 1000:g}k x {size['n_features']}"


WORKLOADS = [
    Workload(
        name="lasso_fit",
        area="linear_model",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_cd_runner("fastml", "Lasso", 1.0),
        peers=[Peer("sklearn", ("sklearn",), _cd_runner("sklearn", "Lasso", 1.0))],
        quality=_cd_quality(1.0),
        quality_name="objective",
        compare=_coef_diff,
        description=f"Lasso(alpha={CD_ALPHA}, tol={CD_TOL}) fit, AR(1) rho 0.9 "
        "float32 features",
        size_label=_label,
    ),
    Workload(
        name="elastic_net_fit",
        area="linear_model",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_cd_runner("fastml", "ElasticNet", 0.5),
        peers=[Peer("sklearn", ("sklearn",), _cd_runner("sklearn", "ElasticNet", 0.5))],
        quality=_cd_quality(0.5),
        quality_name="objective",
        compare=_coef_diff,
        description=f"ElasticNet(alpha={CD_ALPHA}, l1_ratio=0.5, tol={CD_TOL}) fit, "
        "AR(1) rho 0.9 float32 features",
        size_label=_label,
    ),
    Workload(
        name="ridge_fit",
        area="linear_model",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_ridge_runner("fastml"),
        peers=[Peer("sklearn", ("sklearn",), _ridge_runner("sklearn"))],
        quality=_ridge_quality,
        quality_name="objective",
        compare=_coef_diff,
        description=f"Ridge(alpha={RIDGE_ALPHA}) fit (auto solver), AR(1) float32",
        size_label=_label,
    ),
]
