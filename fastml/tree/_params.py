"""Hyper-parameter validation of the tree estimators, with scikit-learn's messages
("The 'max_depth' parameter of DecisionTreeClassifier must be an int in the range
[1, inf) or None. Got 0 instead.")."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from fastml.exceptions import InvalidParameterError

__all__ = ["Interval", "Options", "check_params"]


class Interval:
    """Numbers of a kind ("int", "float" = real not int, "real") in a range."""

    def __init__(
        self, kind: str, low: float | None, high: float | None, closed: str
    ) -> None:
        self.kind, self.low, self.high, self.closed = kind, low, high, closed

    def accepts(self, value: Any) -> bool:
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
        left_closed = self.closed in ("left", "both")
        right_closed = self.closed in ("right", "both")
        if self.low is not None:
            if value < self.low or (not left_closed and value == self.low):
                return False
        if self.high is not None:
            if value > self.high or (not right_closed and value == self.high):
                return False
        return True

    def __str__(self) -> str:
        kind = {"int": "an int", "float": "a float", "real": "a float"}[self.kind]
        left = "[" if self.closed in ("left", "both") else "("
        right = "]" if self.closed in ("right", "both") else ")"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        if self.low is None:
            left = "("
        if self.high is None:
            right = ")"
        return f"{kind} in the range {left}{low}, {high}{right}"


class Options:
    """A string among a set."""

    def __init__(self, *options: str) -> None:
        self.options = set(options)

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.options

    def __str__(self) -> str:
        return "a str among {" + ", ".join(repr(o) for o in sorted(self.options)) + "}"


class _Type:
    def __init__(self, types: tuple[type, ...], text: str) -> None:
        self.types, self.text = types, text

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.types)

    def __str__(self) -> str:
        return self.text


class _RandomState:
    def accepts(self, value: Any) -> bool:
        if value is None:
            return True
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return 0 <= int(value) <= 2**32 - 1
        return isinstance(value, np.random.RandomState)

    def __str__(self) -> str:
        return (
            "an int in the range [0, 4294967295], an instance of "
            "'numpy.random.mtrand.RandomState' or None"
        )


RANDOM_STATE = _RandomState()
DICT = _Type((dict,), "an instance of 'dict'")
LIST = _Type((list,), "an instance of 'list'")
NONE = None


def check_params(estimator: Any, constraints: dict[str, list[Any]]) -> None:
    """Raise InvalidParameterError when a parameter fits none of its constraints."""
    name = type(estimator).__name__
    for param, options in constraints.items():
        value = getattr(estimator, param)
        ok = False
        for c in options:
            if c is None:
                ok = value is None
            elif c is RANDOM_STATE:
                ok = c.accepts(value)
            else:
                ok = c.accepts(value)
            if ok:
                break
        if ok:
            continue
        texts = [str(c) for c in options if c is not None]
        if any(c is None for c in options):
            texts.append("None")
        if len(texts) == 1:
            desc = texts[0]
        else:
            desc = ", ".join(texts[:-1]) + " or " + texts[-1]
        raise InvalidParameterError(
            f"The {param!r} parameter of {name} must be {desc}. Got {value!r} instead."
        )
