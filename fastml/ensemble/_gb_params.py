"""Hyper-parameter validation for the boosting and bagging ensembles.

A small declarative layer: each estimator lists, per parameter, the constraints a
value may satisfy (any one is enough); :func:`validate_params` raises
:class:`fastml.exceptions.InvalidParameterError` with scikit-learn's message layout
("The 'n_estimators' parameter of GradientBoostingClassifier must be an int in the
range [1, inf). Got 0 instead.") so that code written against scikit-learn's errors
keeps working.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from fastml.exceptions import InvalidParameterError

__all__ = [
    "Interval",
    "Options",
    "HasMethods",
    "BOOLEAN",
    "RANDOM_STATE",
    "VERBOSE",
    "INTEGER",
    "validate_params",
]


def _fmt(x: float) -> str:
    if x == np.inf:
        return "inf"
    if x == -np.inf:
        return "-inf"
    return repr(x)


class Interval:
    """A numeric range.

    Parameters
    ----------
    kind : {"int", "float", "real"}
        "int": integers (not bool); "float": real numbers that are not integers;
        "real": any real number (not bool).
    low, high : float or None
        Bounds (None: unbounded).
    closed : {"left", "right", "both", "neither"}
        Which bounds belong to the interval.
    """

    def __init__(
        self, kind: str, low: float | None, high: float | None, closed: str
    ) -> None:
        self.kind = kind
        self.low = low
        self.high = high
        self.closed = closed

    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return False
        if self.kind == "int":
            if not isinstance(value, numbers.Integral):
                return False
        elif self.kind == "float":
            if not isinstance(value, numbers.Real) or isinstance(
                value, numbers.Integral
            ):
                return False
        elif not isinstance(value, numbers.Real):
            return False
        if np.isnan(float(value)):
            return False
        low_in = self.closed in ("left", "both")
        high_in = self.closed in ("right", "both")
        if self.low is not None and (
            value < self.low or (value == self.low and not low_in)
        ):
            return False
        if self.high is not None and (
            value > self.high or (value == self.high and not high_in)
        ):
            return False
        return True

    def __str__(self) -> str:
        name = "an int" if self.kind == "int" else "a float"
        low = -np.inf if self.low is None else self.low
        high = np.inf if self.high is None else self.high
        if self.kind != "int":
            low, high = float(low), float(high)
        left = "[" if self.closed in ("left", "both") and self.low is not None else "("
        right = (
            "]" if self.closed in ("right", "both") and self.high is not None else ")"
        )
        return f"{name} in the range {left}{_fmt(low)}, {_fmt(high)}{right}"


class Options:
    """One of a set of strings."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = set(values)

    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.values

    def __str__(self) -> str:
        return "a str among {" + ", ".join(repr(v) for v in sorted(self.values)) + "}"


class HasMethods:
    """An object with the given callable methods."""

    def __init__(self, methods: Sequence[str]) -> None:
        self.methods = list(methods)

    def is_satisfied_by(self, value: Any) -> bool:
        return not isinstance(value, str) and all(
            callable(getattr(value, m, None)) for m in self.methods
        )

    def __str__(self) -> str:
        names = [repr(m) for m in self.methods]
        if len(names) == 1:
            return f"an object implementing {names[0]}"
        return f"an object implementing {', '.join(names[:-1])} and {names[-1]}"


class _NoneConstraint:
    def is_satisfied_by(self, value: Any) -> bool:
        return value is None

    def __str__(self) -> str:
        return "None"


class _Boolean:
    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, (bool, np.bool_))

    def __str__(self) -> str:
        return "an instance of 'bool' or an instance of 'numpy.bool'"


class _RandomState:
    def is_satisfied_by(self, value: Any) -> bool:
        if value is None or isinstance(value, np.random.RandomState):
            return True
        return (
            isinstance(value, numbers.Integral)
            and not isinstance(value, (bool, np.bool_))
            and 0 <= int(value) <= 2**32 - 1
        )

    def __str__(self) -> str:
        return (
            "an int in the range [0, 4294967295], an instance of "
            "'numpy.random.mtrand.RandomState' or None"
        )


class _Verbose:
    def is_satisfied_by(self, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return True
        return isinstance(value, numbers.Integral) and int(value) >= 0

    def __str__(self) -> str:
        return (
            "an int in the range [0, inf), an instance of 'bool' or an instance of "
            "'numpy.bool'"
        )


class _Integer:
    def is_satisfied_by(self, value: Any) -> bool:
        return isinstance(value, numbers.Integral) and not isinstance(
            value, (bool, np.bool_)
        )

    def __str__(self) -> str:
        return "an instance of 'int'"


NONE = _NoneConstraint()
BOOLEAN = _Boolean()
RANDOM_STATE = [_RandomState()]
VERBOSE = [_Verbose()]
INTEGER = _Integer()


def validate_params(estimator: Any, constraints: Mapping[str, Sequence[Any]]) -> None:
    """Check every parameter of ``estimator`` named in ``constraints``.

    Each entry lists the accepted constraints (``None`` stands for the value None);
    the value must satisfy at least one.

    Raises
    ------
    InvalidParameterError
        With scikit-learn's wording.
    """
    name = type(estimator).__name__
    for param, allowed in constraints.items():
        value = getattr(estimator, param)
        resolved = [NONE if c is None else c for c in allowed]
        if any(c.is_satisfied_by(value) for c in resolved):
            continue
        texts = [str(c) for c in resolved if not getattr(c, "hidden", False)]
        expected = (
            texts[0] if len(texts) == 1 else (f"{', '.join(texts[:-1])} or {texts[-1]}")
        )
        raise InvalidParameterError(
            f"The {param!r} parameter of {name} must be {expected}. "
            f"Got {value!r} instead."
        )
