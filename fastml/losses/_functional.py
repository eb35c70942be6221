"""Functional aliases of the loss classes and the name registry."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.losses._base import Loss
from fastml.losses._classification import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Hinge,
    KLDivergence,
)
from fastml.losses._regression import (
    AbsoluteError,
    Huber,
    Poisson,
    PseudoHuber,
    SquaredError,
)

__all__ = [
    "LOSSES",
    "get_loss",
    "squared_error",
    "absolute_error",
    "huber",
    "pseudo_huber",
    "poisson",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "hinge",
    "kl_divergence",
]

#: Loss classes by name. "binary_logistic" and "softmax" are the gradient-boosting
#: objectives: cross-entropies from logits.
LOSSES: dict[str, tuple[type[Loss], dict[str, Any]]] = {
    "squared_error": (SquaredError, {}),
    "absolute_error": (AbsoluteError, {}),
    "huber": (Huber, {}),
    "pseudo_huber": (PseudoHuber, {}),
    "poisson": (Poisson, {}),
    "binary_cross_entropy": (BinaryCrossEntropy, {}),
    "binary_logistic": (BinaryCrossEntropy, {"from_logits": True}),
    "categorical_cross_entropy": (CategoricalCrossEntropy, {}),
    "softmax": (CategoricalCrossEntropy, {"from_logits": True}),
    "hinge": (Hinge, {}),
    "kl_divergence": (KLDivergence, {}),
}

_REDUCTIONS = ("mean", "sum", "none")


def get_loss(loss: str | Loss, **params: Any) -> Loss:
    """A loss object from its name (a key of :data:`LOSSES`) or a Loss instance.

    Parameters
    ----------
    loss : str or Loss
        Name such as "squared_error", "binary_logistic", "softmax"; an instance is
        returned unchanged (``params`` must then be empty).
    **params
        Constructor parameters, e.g. ``delta=2.0`` for "huber".

    Examples
    --------
    >>> from fastml.losses import get_loss
    >>> get_loss("huber", delta=2.0)
    Huber(delta=2.0)
    >>> get_loss("binary_logistic")
    BinaryCrossEntropy(from_logits=True, eps=None)
    """
    if isinstance(loss, Loss):
        if params:
            raise ValueError("Parameters cannot be given with a Loss instance.")
        return loss
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(
            f"Unknown loss {loss!r}; expected a Loss instance or one of "
            f"{sorted(LOSSES)}."
        )
    cls, defaults = LOSSES[loss]
    return cls(**{**defaults, **params})


def _reduce(
    loss: Loss,
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    reduction: str,
    n_jobs: int | None,
) -> Any:
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"reduction must be one of {list(_REDUCTIONS)}, got {reduction!r}."
        )
    if reduction == "mean":
        return loss.loss(y_true, y_pred, sample_weight, n_jobs=n_jobs)
    per_sample = loss.loss_per_sample(y_true, y_pred, sample_weight, n_jobs=n_jobs)
    if reduction == "sum":
        return float(np.sum(per_sample, dtype=np.float64))
    return per_sample


_FUNCTIONAL_DOC = """{summary}

    Functional form of :class:`{cls}`: ``reduction="mean"`` gives the weighted
    mean ``sum(w l) / sum(w)`` as a float, ``"sum"`` the weighted sum, ``"none"``
    the per-sample ``w l`` as an array of shape (n_samples,).

    Parameters
    ----------
    y_true, y_pred : array-like
        As documented by :class:`{cls}`.
    sample_weight : array-like of shape (n_samples,), default=None
    reduction : {{"mean", "sum", "none"}}, default="mean"
    n_jobs : int, default=None
        Threads for large inputs (None means 1, -1 all CPUs).
    {params}
    Returns
    -------
    float or ndarray of shape (n_samples,)
    """


def squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    reduction: str = "mean",
    half: bool = False,
    n_jobs: int | None = None,
) -> Any:
    return _reduce(SquaredError(half), y_true, y_pred, sample_weight, reduction, n_jobs)


def absolute_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    return _reduce(AbsoluteError(), y_true, y_pred, sample_weight, reduction, n_jobs)


def huber(
    y_true: Any,
    y_pred: Any,
    *,
    delta: float = 1.0,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    return _reduce(Huber(delta), y_true, y_pred, sample_weight, reduction, n_jobs)


def pseudo_huber(
    y_true: Any,
    y_pred: Any,
    *,
    delta: float = 1.0,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    return _reduce(PseudoHuber(delta), y_true, y_pred, sample_weight, reduction, n_jobs)


def poisson(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    return _reduce(Poisson(), y_true, y_pred, sample_weight, reduction, n_jobs)


def binary_cross_entropy(
    y_true: Any,
    y_pred: Any,
    *,
    from_logits: bool = False,
    eps: float | None = None,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    loss = BinaryCrossEntropy(from_logits, eps)
    return _reduce(loss, y_true, y_pred, sample_weight, reduction, n_jobs)


def categorical_cross_entropy(
    y_true: Any,
    y_pred: Any,
    *,
    from_logits: bool = False,
    eps: float | None = None,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    loss = CategoricalCrossEntropy(from_logits, eps)
    return _reduce(loss, y_true, y_pred, sample_weight, reduction, n_jobs)


def hinge(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    return _reduce(Hinge(), y_true, y_pred, sample_weight, reduction, n_jobs)


def kl_divergence(
    y_true: Any,
    y_pred: Any,
    *,
    from_logits: bool = False,
    eps: float | None = None,
    sample_weight: Any = None,
    reduction: str = "mean",
    n_jobs: int | None = None,
) -> Any:
    loss = KLDivergence(from_logits, eps)
    return _reduce(loss, y_true, y_pred, sample_weight, reduction, n_jobs)


_HALF = "half : bool, default=False\n        Use half the squared error.\n"
_DELTA = "delta : float, default=1.0\n        The loss's threshold / scale, > 0.\n"
_LOGITS = (
    "from_logits : bool, default=False\n        Whether y_pred holds logits.\n"
    "    eps : float, default=None\n        Probability clipping bound.\n"
)
for _func, _cls, _summary, _params in [
    (
        squared_error,
        "SquaredError",
        "Squared error (mean squared error by default).",
        _HALF,
    ),
    (absolute_error, "AbsoluteError", "Absolute error (mean absolute error).", ""),
    (huber, "Huber", "Huber loss.", _DELTA),
    (pseudo_huber, "PseudoHuber", "Pseudo-Huber loss.", _DELTA),
    (poisson, "Poisson", "Poisson loss with log link (y_pred = log mean).", ""),
    (binary_cross_entropy, "BinaryCrossEntropy", "Binary cross-entropy.", _LOGITS),
    (
        categorical_cross_entropy,
        "CategoricalCrossEntropy",
        "Categorical cross-entropy.",
        _LOGITS,
    ),
    (hinge, "Hinge", "Hinge loss (labels in {-1, 1} or {0, 1}).", ""),
    (kl_divergence, "KLDivergence", "KL divergence KL(y_true || y_pred).", _LOGITS),
]:
    _func.__doc__ = _FUNCTIONAL_DOC.format(summary=_summary, cls=_cls, params=_params)
