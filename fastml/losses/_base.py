"""The Loss base class: validation, weighting, reductions and kernel dispatch."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.utils.validation import (
    check_array,
    check_consistent_length,
    check_sample_weight,
)

__all__ = ["Loss"]

# Below this many prediction entries per thread, a second thread costs more than it
# saves (the kernels take ~1-30 ns per entry).
_MIN_ENTRIES_PER_THREAD = 1 << 15

_FLOAT_DTYPES = (np.float64, np.float32)


def _n_threads(n_entries: int, n_jobs: int | None) -> int:
    wanted = resolve_n_jobs(n_jobs)
    return max(1, min(wanted, n_entries // _MIN_ENTRIES_PER_THREAD))


def _kernels(module: str) -> Any:
    """Import a kernel module lazily (importing fastml.losses compiles nothing)."""
    import importlib

    return importlib.import_module(f"fastml.kernels.losses.{module}")


def _read_only(arr: np.ndarray) -> np.ndarray:
    """A read-only view: kernels always see read-only inputs (one specialization
    per dtype, whatever the caller's arrays' flags)."""
    view = arr.view()
    view.flags.writeable = False
    return view


def _all_finite(arr: np.ndarray, n_threads: int) -> bool:
    """Whether a float array holds no NaN or inf: chunk sums on ``n_threads`` threads
    (NumPy releases the GIL). A sum that overflows reads as "not finite", and the
    caller then runs the exact check."""
    if arr.dtype.kind != "f" or arr.size == 0:
        return True
    from fastml._parallel import run_chunks

    flat = arr.reshape(-1)
    sums = np.zeros(n_threads, dtype=arr.dtype)
    bounds = [flat.shape[0] * i // n_threads for i in range(n_threads + 1)]

    def chunk(start: int, stop: int) -> None:
        with np.errstate(over="ignore", invalid="ignore"):  # per thread
            for i in range(start, stop):
                sums[i] = np.sum(flat[bounds[i] : bounds[i + 1]])

    run_chunks(chunk, n_threads, n_threads)
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(np.sum(sums)))


def _rows(arr: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Rows start:stop of a per-sample array; an empty placeholder stays as it is."""
    return arr[start:stop] if arr.shape[0] else arr


def _check_flag(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r}.")
    return bool(value)


def _check_positive(value: Any, name: str, *, upper: float | None = None) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{name} must be a real number, got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value <= 0 or (upper is not None and value >= upper):
        bound = f"in (0, {upper})" if upper is not None else "> 0 and finite"
        raise ValueError(f"{name} == {value}, must be {bound}.")
    return value


class Loss:
    """Base class of fastml's losses (not instantiated directly).

    A loss is a sum over samples of a per-sample loss ``l(y_true_i, y_pred_i)``.
    ``y_pred`` is the model's output in the space named by the subclass: a real
    value, a probability or a raw score (logit, log-mean) when the loss has a link.

    Methods
    -------
    loss(y_true, y_pred, sample_weight=None)
        Weighted mean ``sum(w_i l_i) / sum(w_i)`` as a Python float.
    loss_per_sample(y_true, y_pred, sample_weight=None)
        ``w_i l_i`` for each sample, shape (n_samples,).
    gradient, hessian, gradient_hessian
        ``w_i dl_i/dy_pred`` and ``w_i d2l_i/dy_pred2`` (the diagonal, elementwise),
        with ``y_pred``'s shape: the derivatives of the weighted *sum* of the
        per-sample losses, not of the mean (as gradient boosting uses them).

    Every method takes ``n_jobs`` (threads for large inputs: None means 1, -1 all
    CPUs; results do not depend on it). ``gradient_hessian`` also takes
    ``out=(gradient, hessian)`` preallocated arrays and ``check_input=False`` for
    callers that pass canonical arrays (see :meth:`gradient_hessian`).

    Inputs are validated: finite, matching lengths, values in the loss's domain,
    non-negative sample weights. float32 ``y_pred`` gives float32 results, anything
    else float64. The caller's arrays are never modified.
    """

    #: Names of the constructor parameters (for repr, equality and get_params).
    _param_names: tuple[str, ...] = ()
    #: True when y_pred is 2-D (n_samples, n_classes).
    _multiclass: bool = False

    # --- parameters -------------------------------------------------------------------

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters as a dict."""
        return {name: getattr(self, name) for name in self._param_names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return False
        assert isinstance(other, Loss)
        return self.get_params() == other.get_params()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.get_params().items())))

    # --- hooks for subclasses ---------------------------------------------------------

    def _check_y_true(self, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
        """Validate y_true against the canonical y_pred; return the kernel's y."""
        raise NotImplementedError

    def _check_y_pred_values(self, y_pred: np.ndarray) -> None:
        """Domain checks on y_pred (probabilities in [0, 1], ...)."""

    def _loss_kernel(
        self, y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
    ) -> None:
        raise NotImplementedError

    def _grad_hess_kernel(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        w: np.ndarray,
        grad: np.ndarray,
        hess: np.ndarray,
    ) -> None:
        raise NotImplementedError

    # --- validation -------------------------------------------------------------------

    def _check_y_pred(self, y_pred: Any, n_jobs: int | None = None) -> np.ndarray:
        n_threads = _n_threads(int(np.size(y_pred)), n_jobs)
        raw = check_array(
            y_pred,
            dtype="numeric",
            order="C",
            ensure_2d=False,
            ensure_min_features=1,
            ensure_all_finite=n_threads == 1,
            input_name="y_pred",
        )
        if n_threads > 1 and not _all_finite(raw, n_threads):
            # Let the shared validation raise its usual message.
            check_array(raw, ensure_2d=False, input_name="y_pred")
        if raw.dtype not in _FLOAT_DTYPES:
            raw = raw.astype(np.float64)
        if self._multiclass:
            if raw.ndim != 2:
                raise ValueError(
                    f"{type(self).__name__} expects y_pred of shape (n_samples, "
                    f"n_classes), got an array of shape {raw.shape}."
                )
        elif raw.ndim == 2 and raw.shape[1] == 1:
            raw = raw.ravel()
        elif raw.ndim != 1:
            raise ValueError(
                f"{type(self).__name__} expects y_pred of shape (n_samples,), got an "
                f"array of shape {raw.shape}."
            )
        self._check_y_pred_values(raw)
        return raw

    def _check_float_target(self, y_true: Any, y_pred: np.ndarray) -> np.ndarray:
        """y_true as a finite float array of y_pred's shape and dtype."""
        y = check_array(
            y_true,
            dtype="numeric",
            order="C",
            ensure_2d=False,
            ensure_min_features=1,
            input_name="y_true",
        )
        check_consistent_length(y, y_pred)
        if y.ndim == 2 and y_pred.ndim == 1 and y.shape[1] == 1:
            y = y.ravel()
        if y.shape != y_pred.shape:
            raise ValueError(
                f"y_true and y_pred must have the same shape, got {y.shape} and "
                f"{y_pred.shape}."
            )
        return np.ascontiguousarray(y, dtype=y_pred.dtype)

    def _validate(
        self, y_true: Any, y_pred: Any, sample_weight: Any, n_jobs: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raw = self._check_y_pred(y_pred, n_jobs)
        y = self._check_y_true(y_true, raw)
        n_samples = raw.shape[0]
        if sample_weight is None:
            w = np.empty(0, dtype=raw.dtype)
        else:
            w = check_sample_weight(sample_weight, n_samples, dtype=raw.dtype)
        return _read_only(y), _read_only(raw), _read_only(np.ascontiguousarray(w))

    # --- public API -------------------------------------------------------------------

    def loss_per_sample(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        *,
        n_jobs: int | None = None,
    ) -> np.ndarray:
        """Per-sample loss, multiplied by the sample weights when given.

        Parameters
        ----------
        y_true : array-like
            Targets (shape and domain as documented by the loss).
        y_pred : array-like
            Predictions (shape and domain as documented by the loss).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; None means all ones.
        n_jobs : int, default=None
            Threads for large inputs (None means 1, -1 all CPUs).

        Returns
        -------
        ndarray of shape (n_samples,)
            ``w_i * l(y_true_i, y_pred_i)``, float32 for float32 ``y_pred``.
        """
        y, raw, w = self._validate(y_true, y_pred, sample_weight, n_jobs)
        return self._per_sample(y, raw, w, n_jobs)

    def _per_sample(
        self, y: np.ndarray, raw: np.ndarray, w: np.ndarray, n_jobs: int | None
    ) -> np.ndarray:
        out = np.empty(raw.shape[0], dtype=raw.dtype)
        from fastml._parallel import run_chunks

        def chunk(start: int, stop: int) -> None:
            self._loss_kernel(
                _rows(y, start, stop),
                raw[start:stop],
                _rows(w, start, stop),
                out[start:stop],
            )

        run_chunks(chunk, raw.shape[0], _n_threads(raw.size, n_jobs))
        return out

    def loss(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        *,
        n_jobs: int | None = None,
    ) -> float:
        """Weighted mean of the per-sample losses, ``sum(w_i l_i) / sum(w_i)``.

        Parameters as in :meth:`loss_per_sample`. Sums are taken in float64
        (NumPy's pairwise summation, independent of ``n_jobs``).

        Returns
        -------
        float
        """
        y, raw, w = self._validate(y_true, y_pred, sample_weight, n_jobs)
        total = float(np.sum(self._per_sample(y, raw, w, n_jobs), dtype=np.float64))
        if w.shape[0] == 0:
            return total / raw.shape[0]
        return total / float(np.sum(w, dtype=np.float64))

    def gradient_hessian(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        *,
        out: tuple[np.ndarray, np.ndarray] | None = None,
        n_jobs: int | None = None,
        check_input: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Gradient and diagonal hessian of the weighted per-sample losses, one pass.

        Parameters
        ----------
        y_true, y_pred, sample_weight, n_jobs
            As in :meth:`loss_per_sample`.
        out : tuple of two ndarrays, default=None
            Preallocated ``(gradient, hessian)``: C-contiguous, writeable, of
            ``y_pred``'s (canonical) shape and dtype.
        check_input : bool, default=True
            False skips all validation for callers in a hot loop (gradient boosting):
            ``y_pred`` must then be a C-contiguous float64/float32 array of the
            canonical shape, ``y_true`` the kernel's target array (same dtype as
            ``y_pred``; int64 class indices or encoded labels where the loss says
            so), ``sample_weight`` None or a 1-D array of ``y_pred``'s dtype.
            Invalid input then gives wrong results, not errors.

        Returns
        -------
        gradient, hessian : ndarray of y_pred's canonical shape
            ``w_i dl_i/dy_pred`` and ``w_i d2l_i/dy_pred2`` (elementwise diagonal).
        """
        if check_input:
            y, raw, w = self._validate(y_true, y_pred, sample_weight, n_jobs)
        else:
            y, raw = _read_only(y_true), _read_only(y_pred)
            w = _read_only(
                np.empty(0, dtype=raw.dtype) if sample_weight is None else sample_weight
            )
        if out is None:
            grad = np.empty(raw.shape, dtype=raw.dtype)
            hess = np.empty(raw.shape, dtype=raw.dtype)
        else:
            grad, hess = out
            if check_input:
                for name, arr in (("gradient", grad), ("hessian", hess)):
                    if (
                        not isinstance(arr, np.ndarray)
                        or arr.shape != raw.shape
                        or arr.dtype != raw.dtype
                        or not arr.flags.c_contiguous
                        or not arr.flags.writeable
                    ):
                        raise ValueError(
                            f"out {name} must be a writeable C-contiguous array of "
                            f"shape {raw.shape} and dtype {raw.dtype}."
                        )
                if np.may_share_memory(grad, hess):
                    raise ValueError("out gradient and hessian must not overlap.")
        from fastml._parallel import run_chunks

        def chunk(start: int, stop: int) -> None:
            self._grad_hess_kernel(
                _rows(y, start, stop),
                raw[start:stop],
                _rows(w, start, stop),
                grad[start:stop],
                hess[start:stop],
            )

        run_chunks(chunk, raw.shape[0], _n_threads(raw.size, n_jobs))
        return grad, hess

    def gradient(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        *,
        n_jobs: int | None = None,
    ) -> np.ndarray:
        """Gradient ``w_i dl_i/dy_pred`` with ``y_pred``'s (canonical) shape.

        Parameters as in :meth:`loss_per_sample`.
        """
        return self.gradient_hessian(y_true, y_pred, sample_weight, n_jobs=n_jobs)[0]

    def hessian(
        self,
        y_true: Any,
        y_pred: Any,
        sample_weight: Any = None,
        *,
        n_jobs: int | None = None,
    ) -> np.ndarray:
        """Diagonal hessian ``w_i d2l_i/dy_pred2`` with ``y_pred``'s (canonical) shape.

        Parameters as in :meth:`loss_per_sample`.
        """
        return self.gradient_hessian(y_true, y_pred, sample_weight, n_jobs=n_jobs)[1]


class _PointwiseLoss(Loss):
    """A loss of fastml.kernels.losses.pointwise: one prediction per sample."""

    #: Name of the kernel's loss constant (a property where it depends on params).
    _kind_name: str = ""

    def _param(self, dtype: np.dtype) -> float:
        """The kernel's scalar parameter (factor, delta, eps); 0 when unused."""
        return 0.0

    def _loss_kernel(
        self, y: np.ndarray, raw: np.ndarray, w: np.ndarray, out: np.ndarray
    ) -> None:
        none = np.empty(0, dtype=raw.dtype)
        self._pointwise(y, raw, w, out, none, none)

    def _grad_hess_kernel(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        w: np.ndarray,
        grad: np.ndarray,
        hess: np.ndarray,
    ) -> None:
        self._pointwise(y, raw, w, np.empty(0, dtype=raw.dtype), grad, hess)

    def _pointwise(
        self,
        y: np.ndarray,
        raw: np.ndarray,
        w: np.ndarray,
        out: np.ndarray,
        grad: np.ndarray,
        hess: np.ndarray,
    ) -> None:
        k = _kernels("pointwise")
        kind = int(getattr(k, self._kind_name))
        param = self._param(raw.dtype)
        binary = kind >= k.BINARY_LOGISTIC
        kernel = k.evaluate_binary_loss if binary else k.evaluate_regression_loss
        kernel(kind, y, raw, w, param, out, grad, hess)
