"""Boosting objectives: gradients and hessians from fastml.losses, base margins, links.

Each objective turns the current raw predictions (margins) into per-row gradient and
hessian pairs for the tree learner, estimates the initial margin (XGBoost's
``base_score``) and maps margins to predictions.

========================  ==================================  ==============  ========
objective (aliases)       loss (fastml.losses)                 link            metric
========================  ==================================  ==============  ========
"reg:squarederror"        SquaredError(half=True)              identity        rmse
"reg:pseudohubererror"    PseudoHuber(delta)                   identity        mphe
"count:poisson"           Poisson                              exp             poisson-nloglik
"binary:logistic"         BinaryCrossEntropy(from_logits)      sigmoid         logloss
"multi:softprob"          CategoricalCrossEntropy(from_logits) softmax         mlogloss
callable                  user ``(y_true, y_pred) -> (g, h)``  identity/
                                                               sigmoid/softmax
========================  ==================================  ==============  ========

Aliases: "squared_error", "pseudo_huber", "poisson", "binary_logistic"
(= ``get_loss("binary_logistic")``), "softmax" and "multi:softmax" (= "multi:softprob";
``predict`` returns labels either way). A fastml Loss instance of one of these five
classes is accepted too (e.g. ``PseudoHuber(delta=2.0)``).

Conventions (XGBoost's):

- The multiclass hessian is doubled, ``2 p (1 - p)``, and hessians of the logistic
  and softmax objectives are clamped below at 1e-16.
- Initial margins when ``base_score`` is None: the weighted mean of y (squared error),
  its weighted median (pseudo-Huber: XGBoost's one-step estimate is far off for
  targets away from 0), ``log`` of the weighted mean (Poisson), the logit of the
  weighted positive rate (logistic), the centred log class frequencies (softmax, as
  XGBoost 3). A given ``base_score`` is in prediction space: a mean for the
  regressions, a probability for the logistic objective (0.5 -> margin 0), the
  same value for every class with softmax.
- A callable objective gets ``y_true`` (float64 targets; encoded class indices
  0..K-1 for classifiers) and the raw margins (shape (n,) or (n, K)) and returns the
  per-row gradient and hessian of the same shape, *unweighted*: fastml multiplies
  them by ``sample_weight``. Its initial margin is ``base_score`` (default 0).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from fastml.losses import (
    BinaryCrossEntropy,
    CategoricalCrossEntropy,
    Loss,
    Poisson,
    PseudoHuber,
    SquaredError,
)
from fastml.losses._base import _read_only

__all__ = [
    "Objective",
    "make_objective",
    "REGRESSION_OBJECTIVES",
    "CLASSIFICATION_OBJECTIVES",
]

REGRESSION_OBJECTIVES = {
    "reg:squarederror": "squared_error",
    "squared_error": "squared_error",
    "reg:pseudohubererror": "pseudo_huber",
    "pseudo_huber": "pseudo_huber",
    "count:poisson": "poisson",
    "poisson": "poisson",
}
CLASSIFICATION_OBJECTIVES = {
    "binary:logistic": "binary_logistic",
    "binary_logistic": "binary_logistic",
    "multi:softprob": "softmax",
    "multi:softmax": "softmax",
    "softmax": "softmax",
}

#: Rows per call of the loss kernels: bounds their float64 scratch to 1 MiB per group
#: (fit memory budget); ~16 calls per round on 1M rows cost well under 1% of a round.
_CHUNK = 1 << 16
_MIN_HESSIAN = 1e-16
#: Rows per loss-kernel call in the single-output gradient pass (per thread: two
#: float64 buffers of 256 KiB, in L2).
_THREAD_BLOCK = 1 << 14


def _weighted_median(y: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(y, kind="stable")
    cum = np.cumsum(w[order])
    k = int(np.searchsorted(cum, 0.5 * cum[-1]))
    return float(y[order[min(k, len(y) - 1)]])


class Objective:
    """One boosting objective (see the module docstring).

    Parameters
    ----------
    kind : str
        "squared_error", "pseudo_huber", "poisson", "binary_logistic", "softmax" or
        "custom".
    n_groups : int
        Outputs per row (trees per round): n_classes for softmax, else 1.
    loss : Loss or None
        The fastml loss (None for a callable objective).
    func : callable or None
        The user's objective.
    link : str
        "identity", "exp", "sigmoid" or "softmax".
    """

    def __init__(
        self,
        kind: str,
        n_groups: int,
        loss: Loss | None,
        func: Callable[..., Any] | None,
        link: str,
    ) -> None:
        self.kind = kind
        self.n_groups = n_groups
        self.loss = loss
        self.func = func
        self.link = link

    @property
    def name(self) -> str:
        """Canonical name stored with the model."""
        return self.kind

    @property
    def default_metric(self) -> str:
        """XGBoost's default evaluation metric of the objective."""
        if self.link == "softmax":
            return "mlogloss"
        if self.link == "sigmoid":
            return "logloss"
        return {"pseudo_huber": "mphe", "poisson": "poisson-nloglik"}.get(
            self.kind, "rmse"
        )

    @property
    def default_max_delta_step(self) -> float:
        """XGBoost's default: 0.7 for Poisson (keeps exp(margin) stable), else 0."""
        return 0.7 if self.kind == "poisson" else 0.0

    # --- targets and margins -------------------------------------------------------

    def _chunk_target(self, y: np.ndarray) -> np.ndarray:
        """A chunk of y as the loss kernels want it (float64, or int64 class indices);
        y itself stays compact (uint8/int32 class indices for classifiers)."""
        if self.kind == "softmax":
            return y.astype(np.int64)
        return y.astype(np.float64, copy=False)

    def check_target(self, y: np.ndarray) -> None:
        if self.kind == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson "
                "regression."
            )

    def initial_margin(
        self, y: np.ndarray, w: np.ndarray | None, base_score: float | None
    ) -> np.ndarray:
        """Initial raw prediction per group, shape (n_groups,) (``w`` None: unit
        weights)."""
        k = self.n_groups
        if base_score is not None:
            b = float(base_score)
            if self.link == "sigmoid":
                if not 0.0 < b < 1.0:
                    raise ValueError(
                        f"base_score must be in (0, 1) for a logistic objective, got {b}."
                    )
                return np.full(k, np.log(b / (1.0 - b)))
            if self.link == "exp":
                if not b > 0.0:
                    raise ValueError(
                        f"base_score must be > 0 for a Poisson objective, got {b}."
                    )
                return np.full(k, np.log(b))
            return np.full(k, b)
        if self.kind == "custom":
            return np.zeros(k)
        n = y.shape[0]
        total = float(n) if w is None else float(np.sum(w))

        def wsum(v: np.ndarray) -> float:
            if w is None:
                return float(np.sum(v, dtype=np.float64))
            return float(np.dot(w, v.astype(np.float64, copy=False)))

        if self.kind == "squared_error":
            return np.array([wsum(y) / total])
        if self.kind == "pseudo_huber":
            return np.array([_weighted_median(y, np.ones(n) if w is None else w)])
        if self.kind == "poisson":
            mean = wsum(y) / total
            if not mean > 0.0:
                raise ValueError(
                    "Poisson regression needs a positive weighted mean of y."
                )
            return np.array([np.log(mean)])
        if self.kind == "binary_logistic":
            p = wsum(y) / total
            p = min(max(p, 1e-7), 1.0 - 1e-7)
            return np.array([np.log(p / (1.0 - p))])
        # softmax: centred log class frequencies
        freq = np.bincount(y.astype(np.int64), weights=w, minlength=k) / total
        logp = np.log(np.maximum(freq, 1e-7))
        return logp - logp.mean()

    # --- gradients -------------------------------------------------------------------

    def gradients(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        w: np.ndarray | None,
        gh: np.ndarray,
        n_jobs: int,
    ) -> None:
        """Fill ``gh[g]`` (float32, (n_samples, 2)) with gradient and hessian for each
        group g, from the margins ``raw`` ((n_samples, n_groups) float64).

        ``y`` is :meth:`kernel_target`'s output, ``w`` None or float64 weights.
        """
        n = raw.shape[0]
        if self.kind == "custom":
            self._custom_gradients(y, raw, w, gh)
            return
        assert self.loss is not None
        if self.n_groups == 1:
            self._single_output_gradients(y, raw, w, gh, n_jobs)
            return
        chunk = min(_CHUNK, max(n, 1))
        k = self.n_groups
        g_buf = np.empty((chunk, k) if k > 1 else chunk)
        h_buf = np.empty_like(g_buf)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            m = stop - start
            r = raw[start:stop] if k > 1 else raw[start:stop, 0]
            g = g_buf[:m]
            h = h_buf[:m]
            self.loss.gradient_hessian(
                self._chunk_target(y[start:stop]),
                r,
                None if w is None else w[start:stop],
                out=(g, h),
                n_jobs=n_jobs,
                check_input=False,
            )
            if self.kind == "softmax":
                h *= 2.0
                np.maximum(h, _MIN_HESSIAN, out=h)
                for c in range(k):
                    gh[c, start:stop, 0] = g[:, c]
                    gh[c, start:stop, 1] = h[:, c]
            else:
                if self.kind == "binary_logistic":
                    np.maximum(h, _MIN_HESSIAN, out=h)
                gh[0, start:stop, 0] = g
                gh[0, start:stop, 1] = h

    def _single_output_gradients(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        w: np.ndarray | None,
        gh: np.ndarray,
        n_jobs: int,
    ) -> None:
        """:meth:`gradients` for one output group in one parallel pass: each thread
        runs the loss kernel on blocks of its rows (float64 scratch of
        ``_THREAD_BLOCK`` rows) and stores them as float32 pairs straight into gh.
        The values are those of the loss kernels (the same as any block split)."""
        from fastml._parallel import run_chunks
        from fastml.kernels.gbdt.grow import store_gradients

        assert self.loss is not None
        loss = self.loss
        n = raw.shape[0]
        margins = raw[:, 0]
        min_hessian = _MIN_HESSIAN if self.kind == "binary_logistic" else -np.inf
        no_weight = _read_only(np.empty(0))

        def part(start: int, stop: int) -> None:
            size = min(_THREAD_BLOCK, stop - start)
            g = np.empty(size)
            h = np.empty(size)
            for lo in range(start, stop, _THREAD_BLOCK):
                hi = min(lo + _THREAD_BLOCK, stop)
                m = hi - lo
                loss._grad_hess_kernel(
                    _read_only(self._chunk_target(y[lo:hi])),
                    _read_only(margins[lo:hi]),
                    no_weight if w is None else _read_only(w[lo:hi]),
                    g[:m],
                    h[:m],
                )
                store_gradients(g[:m], h[:m], min_hessian, gh[0, lo:hi])

        n_threads = max(1, min(n_jobs, n // _THREAD_BLOCK))
        run_chunks(part, n, n_threads)

    def _custom_gradients(
        self, y: np.ndarray, raw: np.ndarray, w: np.ndarray | None, gh: np.ndarray
    ) -> None:
        assert self.func is not None
        k = self.n_groups
        margin = raw if k > 1 else raw[:, 0]
        out = self.func(
            y.astype(np.float64) if k == 1 else y.astype(np.int64), margin.copy()
        )
        if not isinstance(out, tuple) or len(out) != 2:
            raise ValueError(
                "A callable objective must return a tuple (grad, hess), got "
                f"{type(out).__name__}."
            )
        grad = np.asarray(out[0], dtype=np.float64)
        hess = np.asarray(out[1], dtype=np.float64)
        shape = margin.shape
        for name, arr in (("grad", grad), ("hess", hess)):
            if arr.shape != shape and arr.size == margin.size:
                arr.shape = shape
            if arr.shape != shape:
                raise ValueError(
                    f"The objective's {name} has shape {arr.shape}, expected {shape}."
                )
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"The objective's {name} contains NaN or infinity.")
        if w is not None:
            grad = grad * (w[:, None] if k > 1 else w)
            hess = hess * (w[:, None] if k > 1 else w)
        if k > 1:
            for c in range(k):
                gh[c, :, 0] = grad[:, c]
                gh[c, :, 1] = hess[:, c]
        else:
            gh[0, :, 0] = grad
            gh[0, :, 1] = hess

    # --- predictions -------------------------------------------------------------------

    def transform(self, raw: np.ndarray) -> np.ndarray:
        """Predictions from margins (n_samples, n_groups): the inverse link."""
        if self.link == "identity":
            return raw[:, 0].copy()
        if self.link == "exp":
            return np.exp(raw[:, 0])
        if self.link == "sigmoid":
            z = raw[:, 0]
            out = np.empty_like(z)
            pos = z >= 0
            out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
            ez = np.exp(z[~pos])
            out[~pos] = ez / (1.0 + ez)
            return out
        z = raw - raw.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z


def make_objective(
    objective: Any, *, classifier: bool, n_classes: int = 0
) -> Objective:
    """Build the Objective for an estimator's ``objective`` parameter.

    Parameters
    ----------
    objective : str, Loss, callable or None
        None means "reg:squarederror" for regressors and "binary:logistic" /
        "multi:softprob" for classifiers (chosen from the number of classes).
    classifier : bool
    n_classes : int
        Classes seen in y (classifiers).
    """
    if classifier:
        multi = n_classes > 2
        link = "softmax" if multi else "sigmoid"
        n_groups = n_classes if multi else 1
        if objective is None:
            kind = "softmax" if multi else "binary_logistic"
        elif callable(objective) and not isinstance(objective, Loss):
            return Objective("custom", n_groups, None, objective, link)
        elif isinstance(objective, Loss):
            if isinstance(objective, BinaryCrossEntropy) and objective.from_logits:
                kind = "binary_logistic"
            elif (
                isinstance(objective, CategoricalCrossEntropy) and objective.from_logits
            ):
                kind = "softmax"
            else:
                raise ValueError(
                    "A classifier's loss objective must be "
                    "BinaryCrossEntropy(from_logits=True) or "
                    "CategoricalCrossEntropy(from_logits=True), got "
                    f"{objective!r}."
                )
        elif isinstance(objective, str) and objective in CLASSIFICATION_OBJECTIVES:
            kind = CLASSIFICATION_OBJECTIVES[objective]
        else:
            raise ValueError(
                f"Unknown objective {objective!r} for a classifier; expected one of "
                f"{sorted(CLASSIFICATION_OBJECTIVES)}, a fastml Loss or a callable."
            )
        if kind == "binary_logistic" and multi:
            raise ValueError(
                f"objective {objective!r} is binary but y has {n_classes} classes; "
                "use 'multi:softprob'."
            )
        if kind == "softmax" and not multi:
            # Two classes with softmax: still one logistic output (same model).
            kind = "binary_logistic"
        if kind == "binary_logistic":
            return Objective(
                kind, 1, BinaryCrossEntropy(from_logits=True), None, "sigmoid"
            )
        return Objective(
            kind, n_classes, CategoricalCrossEntropy(from_logits=True), None, "softmax"
        )
    if objective is None:
        objective = "reg:squarederror"
    if callable(objective) and not isinstance(objective, Loss):
        return Objective("custom", 1, None, objective, "identity")
    if isinstance(objective, Loss):
        if isinstance(objective, SquaredError):
            return Objective(
                "squared_error", 1, SquaredError(half=True), None, "identity"
            )
        if isinstance(objective, PseudoHuber):
            return Objective("pseudo_huber", 1, objective, None, "identity")
        if isinstance(objective, Poisson):
            return Objective("poisson", 1, objective, None, "exp")
        raise ValueError(
            "A regressor's loss objective must be SquaredError, PseudoHuber or "
            f"Poisson, got {objective!r}."
        )
    if isinstance(objective, str) and objective in REGRESSION_OBJECTIVES:
        kind = REGRESSION_OBJECTIVES[objective]
        if kind == "squared_error":
            return Objective(kind, 1, SquaredError(half=True), None, "identity")
        if kind == "pseudo_huber":
            return Objective(kind, 1, PseudoHuber(), None, "identity")
        return Objective(kind, 1, Poisson(), None, "exp")
    raise ValueError(
        f"Unknown objective {objective!r} for a regressor; expected one of "
        f"{sorted(REGRESSION_OBJECTIVES)}, a fastml Loss or a callable."
    )
