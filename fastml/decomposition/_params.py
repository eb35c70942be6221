"""Hyper-parameter checks of the decomposition and discriminant-analysis estimators,
worded as scikit-learn words them ("The 'tol' parameter of PCA must be a float in the
range [0.0, inf). Got -1 instead.")."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from fastml.exceptions import InvalidParameterError

__all__ = ["Interval", "Options", "Constraint", "check_param"]


class Constraint:
    """One accepted kind of value, with its description for the error message."""

    def accepts(self, value: Any) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class Interval(Constraint):
    """Numbers of a kind ("int", "float" = real but not int, "real") in a range."""

    def __init__(
        self, kind: str, low: float | None, high: float | None, closed: str
    ) -> None:
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def accepts(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return False
        is_int = isinstance(value, numbers.Integral)
        if self.kind == "int" and not is_int:
            return False
        if self.kind == "float" and (not isinstance(value, numbers.Real) or is_int):
            return False
        if not isinstance(value, numbers.Real) or np.isnan(float(value)):
            return False
        value = float(value)
        left = self.closed in ("left", "both")
        right = self.closed in ("right", "both")
        if self.low is not None and (
            value < self.low or (not left and value == self.low)
        ):
            return False
        if self.high is not None and (
            value > self.high or (not right and value == self.high)
        ):
            return False
        return True

    def describe(self) -> str:
        kind = "an int" if self.kind == "int" else "a float"
        low = "-inf" if self.low is None else self._fmt(self.low)
        high = "inf" if self.high is None else self._fmt(self.high)
        lb = "[" if self.closed in ("left", "both") and self.low is not None else "("
        rb = "]" if self.closed in ("right", "both") and self.high is not None else ")"
        return f"{kind} in the range {lb}{low}, {high}{rb}"

    def _fmt(self, x: float) -> str:
        return str(int(x)) if self.kind == "int" else str(float(x))


class Options(Constraint):
    """A string among a fixed set."""

    def __init__(self, *options: str) -> None:
        self.options = options

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.options

    def describe(self) -> str:
        return "a str among {" + ", ".join(repr(o) for o in sorted(self.options)) + "}"


class _NoneConstraint(Constraint):
    def accepts(self, value: Any) -> bool:
        return value is None

    def describe(self) -> str:
        return "None"


class _Boolean(Constraint):
    def accepts(self, value: Any) -> bool:
        return isinstance(value, (bool, np.bool_))

    def describe(self) -> str:
        return "an instance of 'bool' or an instance of 'numpy.bool'"


class _RandomState(Constraint):
    def accepts(self, value: Any) -> bool:
        if value is None or isinstance(value, np.random.RandomState):
            return True
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)

    def describe(self) -> str:
        return (
            "an int in the range [0, 4294967295], an instance of "
            "'numpy.random.mtrand.RandomState' or None"
        )


class _ArrayLike(Constraint):
    def accepts(self, value: Any) -> bool:
        return hasattr(value, "__len__") or hasattr(value, "__array__")

    def describe(self) -> str:
        return "an array-like"


class _HasFit(Constraint):
    def accepts(self, value: Any) -> bool:
        return callable(getattr(value, "fit", None))

    def describe(self) -> str:
        return "an object implementing 'fit'"


NONE = _NoneConstraint()
BOOLEAN = _Boolean()
RANDOM_STATE = _RandomState()
ARRAY_LIKE = _ArrayLike()
HAS_FIT = _HasFit()


def check_param(
    estimator: Any, name: str, value: Any, constraints: Sequence[Constraint]
) -> None:
    """Raise InvalidParameterError (scikit-learn's message) unless ``value`` meets one
    of ``constraints``."""
    if any(c.accepts(value) for c in constraints):
        return
    texts = [c.describe() for c in constraints]
    text = texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " or " + texts[-1]
    raise InvalidParameterError(
        f"The {name!r} parameter of {type(estimator).__name__} must be {text}. "
        f"Got {value!r} instead."
    )
