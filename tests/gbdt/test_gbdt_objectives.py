"""The boosting objectives' gradient pass against the fastml losses it wraps."""

from __future__ import annotations

import numpy as np
import pytest

from fastml.gbdt._objectives import _MIN_HESSIAN, _THREAD_BLOCK, make_objective

# (objective, classifier): every single-output objective of the hist and exact paths.
SINGLE_OUTPUT = [
    ("reg:squarederror", False),
    ("reg:pseudohubererror", False),
    ("count:poisson", False),
    ("binary:logistic", True),
]


@pytest.mark.parametrize("name, classifier", SINGLE_OUTPUT)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_single_output_gradients_equal_the_loss(name, classifier, weighted, dtype):
    # More rows than two thread blocks and not a multiple of one: every block
    # boundary and thread split is crossed. The pairs must equal the loss's
    # gradient/hessian (hessian floored for the logistic loss) rounded to gh's
    # dtype, bit for bit, whatever the thread count.
    rng = np.random.default_rng(7)
    n = 2 * _THREAD_BLOCK + 123
    objective = make_objective(name, classifier=classifier, n_classes=2 * classifier)
    if classifier:
        y = rng.integers(0, 2, n).astype(np.uint8)
    elif name == "count:poisson":
        y = rng.poisson(2.0, n).astype(np.float64)
    else:
        y = rng.standard_normal(n) * 5
    raw = rng.standard_normal((n, 1))
    w = rng.random(n) if weighted else None
    grad, hess = objective.loss.gradient_hessian(
        objective._chunk_target(y), raw[:, 0], w, check_input=False
    )
    if classifier:
        hess = np.maximum(hess, _MIN_HESSIAN)
    expected = np.stack([grad, hess], axis=1).astype(dtype)
    for n_jobs in (1, 2):
        gh = np.full((1, n, 2), np.nan, dtype=dtype)
        objective.gradients(y, raw, w, gh, n_jobs)
        np.testing.assert_array_equal(gh[0], expected)
