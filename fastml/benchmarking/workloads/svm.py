"""Kernel SVM workloads: SVC (rbf, C=1) fit and predict vs scikit-learn (LIBSVM).

Data: fastml.datasets.make_classification, 20 features (10 informative), float64,
a training part and a held-out part of 2,000 rows. Quality: accuracy on the
held-out rows (both libraries find the same support vectors, so it is equal).
Predict workloads time ``predict`` on the training rows of a model fitted in the
untimed warm-up call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.benchmarking._registry import Peer, Size, Workload

_SIZES = {
    "tiny": [{"n_samples": 500}],
    "quick": [{"n_samples": 10_000}],
    "full": [{"n_samples": 20_000}],
}
_N_TEST = 2_000


def _make(size: Size, seed: int) -> tuple[np.ndarray, ...]:
    from fastml.datasets import make_classification

    n = int(size["n_samples"])
    X, y = make_classification(
        n_samples=n + _N_TEST, n_features=20, n_informative=10, random_state=seed
    )
    X = np.ascontiguousarray(X, dtype=np.float64)
    return X[:n], y[:n], X[n:], y[n:]


def _fit_fastml(data: Any, n_threads: int) -> Any:
    from fastml.svm import SVC

    return SVC(C=1.0, kernel="rbf").fit(data[0], data[1])


def _fit_sklearn(data: Any, n_threads: int) -> Any:
    from sklearn.svm import SVC

    return SVC(C=1.0, kernel="rbf").fit(data[0], data[1])


_MODELS: dict[tuple[str, int], Any] = {}


def _predictor(lib: str) -> Any:
    fit = _fit_fastml if lib == "fastml" else _fit_sklearn

    def run(data: Any, n_threads: int) -> Any:
        key = (lib, id(data))
        if key not in _MODELS:  # the untimed warm-up call fits
            _MODELS.clear() if len(_MODELS) > 4 else None
            _MODELS[key] = fit(data, n_threads)
        return _MODELS[key].predict(data[0])

    return run


def _fit_accuracy(data: Any, model: Any) -> float:
    return float(np.mean(model.predict(data[2]) == data[3]))


def _predict_accuracy(data: Any, pred: Any) -> float:
    return float(np.mean(np.asarray(pred) == data[1]))


WORKLOADS = [
    Workload(
        name="svc_rbf_fit",
        area="svm",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_fit_fastml,
        peers=[Peer("sklearn", ("sklearn",), _fit_sklearn)],
        quality=_fit_accuracy,
        quality_name="held-out accuracy",
        description="SVC(kernel='rbf', C=1) fit, 20 features, float64",
    ),
    Workload(
        name="svc_rbf_predict",
        area="svm",
        sizes=_SIZES,
        make_data=_make,
        run_fastml=_predictor("fastml"),
        peers=[Peer("sklearn", ("sklearn",), _predictor("sklearn"))],
        quality=_predict_accuracy,
        quality_name="training accuracy",
        description="SVC(kernel='rbf', C=1) predict on the training rows",
    ),
]
