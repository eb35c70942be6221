"""Losses with their gradients and hessians, on compiled kernels.

Each loss is a small object (:class:`SquaredError`, :class:`Huber`,
:class:`BinaryCrossEntropy`, ...) with the methods ``loss`` (weighted mean),
``loss_per_sample``, ``gradient``, ``hessian`` and ``gradient_hessian`` (one pass
through a Numba kernel), plus a functional alias per loss (:func:`squared_error`,
:func:`binary_cross_entropy`, ...) and :func:`get_loss` to build one by name.

Conventions
-----------
- Arguments are ``(y_true, y_pred, sample_weight=None)``. ``y_pred`` is what the
  model outputs: a value, a probability, or a raw score for losses with a link
  (``from_logits=True``: logits; :class:`Poisson`: the log of the mean).
- Derivatives are taken with respect to ``y_pred`` (the raw score / logit where
  there is one), per sample and multiplied by the sample weight: the derivatives
  of ``sum_i w_i l_i``, not of the mean. ``hessian`` is the elementwise diagonal.
- Shapes: binary and regression losses take ``y_pred`` of shape (n_samples,);
  multiclass losses (:class:`CategoricalCrossEntropy`, :class:`KLDivergence`)
  take (n_samples, n_classes) and return gradients and hessians of that shape.
- Non-smooth points: :class:`AbsoluteError` and :class:`Hinge` return a
  subgradient (0 at the kink) and a zero hessian (0 almost everywhere);
  :class:`Huber` returns hessian 1 at ``|r| == delta``.
- :class:`SquaredError` is the plain MSE (gradient ``2 r``); ``half=True`` gives the
  boosting convention ``r**2 / 2`` (gradient ``r``, hessian 1).
- Multiclass hessian: the diagonal ``p (1 - p)`` of the softmax cross-entropy's
  Hessian (XGBoost doubles it to ``2 p (1 - p)``).
- Stability: logits of any finite size give finite values (no inf or NaN at
  ``|z| = 1e4``); probabilities are clipped at ``eps`` (machine epsilon by default).
- dtypes: float32 ``y_pred`` gives float32 arrays, anything else float64; ``loss``
  returns a Python float computed in float64. Inputs are never modified.
"""

from fastml.losses._base import Loss
from fastml.losses._classification import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Hinge,
    KLDivergence,
)
from fastml.losses._functional import (
    LOSSES,
    absolute_error,
    binary_cross_entropy,
    categorical_cross_entropy,
    get_loss,
    hinge,
    huber,
    kl_divergence,
    poisson,
    pseudo_huber,
    squared_error,
)
from fastml.losses._regression import (
    AbsoluteError,
    Huber,
    Poisson,
    PseudoHuber,
    SquaredError,
)

__all__ = [
    "Loss",
    "SquaredError",
    "AbsoluteError",
    "Huber",
    "PseudoHuber",
    "Poisson",
    "BinaryCrossEntropy",
    "Hinge",
    "CategoricalCrossEntropy",
    "KLDivergence",
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
