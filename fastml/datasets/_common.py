"""Parameter checks shared by the synthetic data generators."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from fastml.utils.validation import check_random_state

__all__ = ["check_int", "check_real", "check_float_dtype", "rng_from"]


def check_int(value: Any, name: str, func: str, *, min_val: int) -> int:
    """Return ``value`` as an int, or raise for a non-integer or a value < ``min_val``.

    The message follows scikit-learn's parameter-validation wording.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"The {name!r} parameter of {func} must be an int in the range "
            f"[{min_val}, inf). Got {value!r} instead."
        )
    if value < min_val:
        raise ValueError(
            f"The {name!r} parameter of {func} must be an int in the range "
            f"[{min_val}, inf). Got {value!r} instead."
        )
    return int(value)


def check_real(
    value: Any,
    name: str,
    func: str,
    *,
    min_val: float = -np.inf,
    max_val: float = np.inf,
) -> float:
    """Return ``value`` as a float, or raise when it is not a finite real in range.

    Infinite and NaN values are always rejected.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"The {name!r} parameter of {func} must be a float in the range "
            f"[{min_val}, {max_val}]. Got {value!r} instead."
        )
    value = float(value)
    if not (np.isfinite(value) and min_val <= value <= max_val):
        raise ValueError(
            f"The {name!r} parameter of {func} must be a float in the range "
            f"[{min_val}, {max_val}]. Got {value!r} instead."
        )
    return value


def check_float_dtype(dtype: Any, func: str) -> np.dtype:
    """Accept float64 or float32 (any spelling numpy understands), nothing else."""
    try:
        resolved = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(
            f"The 'dtype' parameter of {func} must be float64 or float32. "
            f"Got {dtype!r} instead."
        ) from exc
    if resolved not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(
            f"The 'dtype' parameter of {func} must be float64 or float32. "
            f"Got {dtype!r} instead."
        )
    return resolved


def rng_from(random_state: Any) -> np.random.RandomState:
    """The generator a data set draws from (scikit-learn's ``random_state`` rules)."""
    return check_random_state(random_state)
