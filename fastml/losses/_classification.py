"""Losses for classification: binary cross-entropy, hinge, categorical cross-entropy,
KL divergence."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.losses._base import (
    Loss,
    _check_flag,
    _check_positive,
    _kernels,
    _PointwiseLoss,
    _read_only,
)
from fastml.utils.validation import check_array, check_consistent_length

__all__ = ["BinaryCrossEntropy", "Hinge", "CategoricalCrossEntropy", "KLDivergence"]


def _check_eps(eps: Any) -> float | None:
    if eps is None:
        return None
    return _check_positive(eps, "eps", upper=0.5)


def _eps_for(eps: float | None, dtype: np.dtype) -> float:
    """The clipping bound: ``eps`` or, when None, the machine epsilon of ``dtype``."""
    return float(np.finfo(dtype).eps) if eps is None else eps


def _check_probabilities(y_pred: np.ndarray, name: str) -> None:
    if y_pred.size and (y_pred.min() < 0 or y_pred.max() > 1):
        raise ValueError(
            f"{name} with from_logits=False expects probabilities in [0, 1] as y_pred; "
            "pass from_logits=True for raw scores."
        )


class BinaryCrossEntropy(_PointwiseLoss):
    """Binary cross-entropy (log loss) ``-[y log p + (1 - y) log(1 - p)]``.

    ``y_true`` holds labels or soft targets in [0, 1], shape (n_samples,).

    With ``from_logits=True`` (the gradient-boosting "binary logistic" objective)
    ``y_pred`` is the logit ``z`` and ``p = sigmoid(z)``; the loss is evaluated as
    ``max(z, 0) - y z + log1p(exp(-|z|))``, the gradient is ``sigmoid(z) - y`` and the
    hessian ``sigmoid(z) (1 - sigmoid(z))`` (exact; it underflows to 0 for |z| > ~745
    and is not clamped, XGBoost clamps it at 1e-16). No inf or NaN for any finite z.

    With ``from_logits=False`` ``y_pred`` is the probability ``p`` in [0, 1], clipped
    to ``[eps, 1 - eps]`` before use; gradient ``(p - y) / (p (1 - p))`` and hessian
    ``y / p**2 + (1 - y) / (1 - p)**2`` with respect to ``p``, at the clipped ``p``.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits rather than probabilities.
    eps : float in (0, 0.5), default=None
        Clipping bound for probabilities; None means the machine epsilon of
        ``y_pred``'s dtype (so p = 0 costs -log(eps) ~ 36 in float64, 16 in float32).

    Examples
    --------
    >>> from fastml.losses import BinaryCrossEntropy
    >>> BinaryCrossEntropy(from_logits=True).loss([1.0, 0.0], [1e4, -1e4])
    0.0
    >>> BinaryCrossEntropy(from_logits=True).gradient([1.0], [0.0])
    array([-0.5])
    """

    _param_names = ("from_logits", "eps")

    def __init__(self, from_logits: bool = False, eps: float | None = None) -> None:
        self.from_logits = _check_flag(from_logits, "from_logits")
        self.eps = _check_eps(eps)

    def _check_y_pred_values(self, y_pred: np.ndarray) -> None:
        if not self.from_logits:
            _check_probabilities(y_pred, type(self).__name__)

    def _check_y_true(self, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
        y = self._check_float_target(y_true, y_pred)
        if y.size and (y.min() < 0 or y.max() > 1):
            raise ValueError("BinaryCrossEntropy expects y_true in [0, 1].")
        return y

    @property
    def _kind_name(self) -> str:  # type: ignore[override]
        return "BINARY_LOGISTIC" if self.from_logits else "BINARY_CROSS_ENTROPY"

    def _param(self, dtype: np.dtype) -> float:
        return 0.0 if self.from_logits else _eps_for(self.eps, dtype)


class Hinge(_PointwiseLoss):
    """Hinge loss ``max(0, 1 - y z)`` of decision values ``z = y_pred``.

    Labels ``y_true`` of shape (n_samples,) are in {-1, 1} or in {0, 1} (0 is read
    as -1). Gradient (a subgradient): ``-y`` where ``y z < 1`` and 0 elsewhere,
    including the kink ``y z == 1``. Hessian: 0 everywhere (it is 0 wherever it
    exists); zeros are returned.

    With ``gradient_hessian(check_input=False)``, ``y_true`` must already be a float
    array of -1 and 1 in ``y_pred``'s dtype.

    Examples
    --------
    >>> from fastml.losses import Hinge
    >>> Hinge().loss_per_sample([1, 0, 1], [2.0, 0.5, 0.25])
    array([0.  , 1.5 , 0.75])
    """

    def _check_y_true(self, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
        y = self._check_float_target(y_true, y_pred)
        values = np.unique(y)
        if np.all(np.isin(values, (-1.0, 1.0))):
            return y
        if np.all(np.isin(values, (0.0, 1.0))):
            return np.ascontiguousarray(2 * y - 1, dtype=y_pred.dtype)
        raise ValueError(
            f"Hinge expects labels in {{-1, 1}} or {{0, 1}}, got values {values[:5]}."
        )

    _kind_name = "HINGE"


class _MulticlassLoss(Loss):
    """y_pred of shape (n_samples, n_classes); y_true class indices or targets."""

    _multiclass = True
    #: Whether the logits kernels take int64 class indices directly (else one-hot).
    _index_kernels = False
    from_logits: bool
    eps: float | None

    def _check_y_true(self, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
        name = type(self).__name__
        y = check_array(
            y_true,
            dtype="numeric",
            order="C",
            ensure_2d=False,
            ensure_min_features=1,
            input_name="y_true",
        )
        check_consistent_length(y, y_pred)
        n_classes = y_pred.shape[1]
        if y.ndim == 1:
            if y.dtype.kind == "f" and np.any(y != np.floor(y)):
                raise ValueError(
                    f"{name} expects class indices (integers) as 1-D y_true, got "
                    "non-integer values."
                )
            if y.size and (y.min() < 0 or y.max() >= n_classes):
                raise ValueError(
                    f"{name}: class indices in y_true must be in [0, {n_classes}) "
                    f"for y_pred with {n_classes} columns, got values in "
                    f"[{y.min():g}, {y.max():g}]."
                )
            labels = np.ascontiguousarray(y, dtype=np.int64)
            if self.from_logits and self._index_kernels:
                return labels
            onehot = np.zeros(y_pred.shape, dtype=y_pred.dtype)
            onehot[np.arange(labels.shape[0]), labels] = 1
            return onehot
        if y.shape != y_pred.shape:
            raise ValueError(
                f"{name} expects y_true of shape (n_samples,) (class indices) or "
                f"{y_pred.shape} (targets), got {y.shape}."
            )
        if y.size and y.min() < 0:
            raise ValueError(f"{name} expects non-negative targets in y_true.")
        return np.ascontiguousarray(y, dtype=y_pred.dtype)

    def _check_y_pred_values(self, y_pred: np.ndarray) -> None:
        if not self.from_logits:
            _check_probabilities(y_pred, type(self).__name__)

    #: Kernel constants for (soft targets from logits, targets from probabilities).
    _logits_kind = "SOFT"
    _proba_kind = "CROSS_ENTROPY"

    def _logits_args(
        self, y: np.ndarray, raw: np.ndarray
    ) -> tuple[int, np.ndarray, np.ndarray]:
        """(kind, labels, targets) for the logits kernels; the unused one empty."""
        k = _kernels("multiclass")
        if y.ndim == 1:
            targets = _read_only(np.empty((0, raw.shape[1]), dtype=raw.dtype))
            return int(k.LABELS), y, targets
        labels = _read_only(np.empty(0, dtype=np.int64))
        return int(getattr(k, self._logits_kind)), labels, y

    def _run_multiclass(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        w: np.ndarray,
        out: np.ndarray,
        grad: np.ndarray,
        hess: np.ndarray,
    ) -> None:
        k = _kernels("multiclass")
        if self.from_logits:
            kind, labels, targets = self._logits_args(y, raw)
            suffix = "f32" if raw.dtype == np.float32 else "f64"
            if out.shape[0]:
                kernel = getattr(k, f"loss_softmax_{suffix}")
                kernel(kind, labels, targets, raw, w, out)
            if grad.shape[0]:
                kernel = getattr(k, f"gradient_hessian_softmax_{suffix}")
                kernel(kind, labels, targets, raw, w, grad, hess)
        else:
            eps = _eps_for(self.eps, raw.dtype)
            kind = int(getattr(k, self._proba_kind))
            k.evaluate_proba_loss(kind, y, raw, w, eps, out, grad, hess)

    def _loss_kernel(
        self, y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
    ) -> None:
        none = np.empty((0, raw.shape[1]), dtype=raw.dtype)
        self._run_multiclass(y, raw, w, out, none, none)

    def _grad_hess_kernel(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        w: np.ndarray,
        grad: np.ndarray,
        hess: np.ndarray,
    ) -> None:
        self._run_multiclass(y, raw, w, np.empty(0, dtype=raw.dtype), grad, hess)


class CategoricalCrossEntropy(_MulticlassLoss):
    """Categorical cross-entropy ``-sum_k y_k log p_k`` per sample.

    ``y_pred`` has shape (n_samples, n_classes). ``y_true`` is either class indices
    of shape (n_samples,) in ``[0, n_classes)``, or targets of ``y_pred``'s shape
    (one-hot rows or any non-negative soft targets, usually rows summing to 1).

    With ``from_logits=True`` (the gradient-boosting "softmax" objective) ``y_pred``
    holds logits ``z`` and ``p = softmax(z)`` row-wise; the loss is evaluated as
    ``sum_k y_k (logsumexp(z) - z_k)`` with the row maximum subtracted, so any finite
    logits are safe. Gradient ``t p - y`` with ``t = sum_k y_k`` (``p - y`` for
    probability targets, ``p - onehot(label)`` for indices), shape
    (n_samples, n_classes). Hessian: the diagonal of the per-sample Hessian,
    ``t p_k (1 - p_k)``; off-diagonal terms ``-p_j p_k`` are dropped. XGBoost's
    multi:softprob uses this gradient with the hessian doubled, ``2 p (1 - p)``
    clamped at 1e-16 (a deliberate upper bound); a boosting objective can scale it.

    With ``from_logits=False`` ``y_pred`` holds probabilities in [0, 1] (rows are not
    renormalised), clipped below at ``eps``; gradient ``-y_k / p_k`` and hessian
    ``y_k / p_k**2``, each ``p_k`` taken as a free variable.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits rather than probabilities.
    eps : float in (0, 0.5), default=None
        Lower clipping bound for probabilities; None means the machine epsilon of
        ``y_pred``'s dtype.

    Examples
    --------
    >>> from fastml.losses import CategoricalCrossEntropy
    >>> loss = CategoricalCrossEntropy(from_logits=True)
    >>> loss.loss([1], [[0.0, 1e4, -1e4]])
    0.0
    >>> loss.gradient([0], [[0.0, 0.0]])
    array([[-0.5,  0.5]])
    """

    _param_names = ("from_logits", "eps")
    _index_kernels = True

    def __init__(self, from_logits: bool = False, eps: float | None = None) -> None:
        self.from_logits = _check_flag(from_logits, "from_logits")
        self.eps = _check_eps(eps)


class KLDivergence(_MulticlassLoss):
    """Kullback-Leibler divergence ``KL(y || p) = sum_k y_k log(y_k / p_k)`` per
    sample, with ``0 log 0 = 0`` (``scipy.special.rel_entr`` summed over classes).

    ``y_true`` (the reference distribution) has ``y_pred``'s shape
    (n_samples, n_classes) with non-negative entries (class indices of shape
    (n_samples,) are accepted as one-hot rows). The mean loss equals torch's
    ``kl_div(log p, y, reduction="batchmean")``.

    ``from_logits=True``: ``y_pred`` holds logits and ``p = softmax(y_pred)``; the
    loss differs from :class:`CategoricalCrossEntropy`'s by the entropy of ``y``,
    so gradient (``t p - y``, ``t = sum_k y_k``) and diagonal hessian
    (``t p (1 - p)``) are the same. ``from_logits=False``: ``y_pred`` holds
    probabilities clipped below at ``eps``; gradient ``-y_k / p_k``, hessian
    ``y_k / p_k**2``.

    Parameters
    ----------
    from_logits : bool, default=False
        Whether ``y_pred`` holds logits rather than probabilities.
    eps : float in (0, 0.5), default=None
        Lower clipping bound for probabilities; None means the machine epsilon of
        ``y_pred``'s dtype.

    Examples
    --------
    >>> from fastml.losses import KLDivergence
    >>> KLDivergence().loss([[0.5, 0.5]], [[0.5, 0.5]])
    0.0
    """

    _param_names = ("from_logits", "eps")

    def __init__(self, from_logits: bool = False, eps: float | None = None) -> None:
        self.from_logits = _check_flag(from_logits, "from_logits")
        self.eps = _check_eps(eps)

    _logits_kind = "KL"
    _proba_kind = "KL"
