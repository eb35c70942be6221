"""Batch plumbing shared by the tokenizers: argument checks, truncation of a text
or a text pair, and padding of id rows into numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

__all__ = [
    "check_batch",
    "check_multiple",
    "check_text",
    "pad_rows",
    "padding_mode",
    "truncate",
    "truncation_plan",
]

TRUNCATION_STRATEGIES = ("longest_first", "only_first", "only_second")


def check_text(text: Any, name: str = "text") -> None:
    """Raise TypeError unless ``text`` is a str."""
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")


def check_batch(texts: Any, text_pairs: Any) -> tuple[Any, Any]:
    """Validate a batch: a str (a batch of one) or a sequence of str, and optional
    second segments of the same length."""
    if isinstance(texts, str):
        texts = [texts]
        if isinstance(text_pairs, str):
            text_pairs = [text_pairs]
    if not isinstance(texts, (Sequence, np.ndarray)):
        raise TypeError(
            f"texts must be a str or a sequence of str, got {type(texts).__name__}"
        )
    for text in texts:
        check_text(text, "every text")
    if text_pairs is not None:
        if isinstance(text_pairs, str) or not isinstance(
            text_pairs, (Sequence, np.ndarray)
        ):
            raise TypeError("text_pairs must be a sequence of str, one per text")
        if len(text_pairs) != len(texts):
            raise ValueError(
                f"text_pairs has {len(text_pairs)} entries but texts has {len(texts)}"
            )
        for text in text_pairs:
            check_text(text, "every text pair")
    return texts, text_pairs


def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be positive, got {value}")
    return int(value)


def check_multiple(pad_to_multiple_of: Any) -> None:
    """Validate ``pad_to_multiple_of`` (None or a positive int)."""
    if pad_to_multiple_of is not None:
        _check_positive_int(pad_to_multiple_of, "pad_to_multiple_of")


def truncation_plan(
    truncation: bool | str | None,
    max_length: int | None,
    model_max_length: int | None,
) -> tuple[str, int | None, bool]:
    """Resolve the truncation arguments.

    Returns
    -------
    strategy : str
        "longest_first", "only_first" or "only_second".
    limit : int or None
        The length limit (special tokens included), None for no truncation.
    warn : bool
        Whether cutting a text deserves a warning (``truncation=None``).
    """
    if max_length is not None:
        max_length = _check_positive_int(max_length, "max_length")
    limit = model_max_length if max_length is None else max_length
    if truncation is None:
        return "longest_first", limit, True
    if truncation is False or truncation == "do_not_truncate":
        return "longest_first", None, False
    if truncation is True:
        return "longest_first", limit, False
    if isinstance(truncation, str) and truncation in TRUNCATION_STRATEGIES:
        return truncation, limit, False
    raise ValueError(
        "truncation must be None, True, False, 'do_not_truncate', "
        f"'longest_first', 'only_first' or 'only_second', got {truncation!r}"
    )


def truncate(
    first: list[int], second: list[int] | None, budget: int, strategy: str
) -> tuple[list[int], list[int] | None]:
    """Cut a sequence (or pair) to ``budget`` tokens in all.

    "longest_first" on a pair: when the shorter segment fits in half the budget it
    is kept whole and the longer one gets the rest; otherwise each gets half, the
    odd token going to the longer segment (to the second on a tie). This is the
    split reached by removing one token at a time from the longer segment, and the
    one Hugging Face's tokenizers makes.
    """
    n_first = len(first)
    if second is None:
        if n_first <= budget:
            return first, None
        if strategy == "only_second":
            raise ValueError("truncation='only_second' needs text pairs")
        return first[:budget], None
    n_second = len(second)
    if n_first + n_second <= budget:
        return first, second
    if strategy in ("only_first", "only_second"):
        n_other = n_second if strategy == "only_first" else n_first
        keep = budget - n_other
        if keep < 0:
            raise ValueError(
                f"truncation={strategy!r} cannot reach max_length: the other segment "
                f"alone has {n_other} tokens"
            )
        if strategy == "only_first":
            return first[:keep], second
        return first, second[:keep]
    short = min(n_first, n_second)
    if 2 * short <= budget:
        keep_short, keep_long = short, budget - short
    else:
        keep_short, keep_long = budget // 2, budget - budget // 2
    if n_first > n_second:
        return first[:keep_long], second[:keep_short]
    return first[:keep_short], second[:keep_long]


def padding_mode(padding: bool | str) -> str:
    """ "longest", "max_length" or "do_not_pad" from a ``padding`` argument."""
    if padding is True or padding == "longest":
        return "longest"
    if padding is False or padding == "do_not_pad":
        return "do_not_pad"
    if padding == "max_length":
        return "max_length"
    raise ValueError(
        "padding must be True, False, 'longest', 'max_length' or 'do_not_pad', "
        f"got {padding!r}"
    )


def pad_rows(
    rows: list[list[int]],
    first_lengths: list[int] | None,
    *,
    mode: str,
    max_length: int | None,
    pad_to_multiple_of: int | None,
    pad_id: int | None,
) -> dict[str, np.ndarray]:
    """Pad id rows into ``input_ids``, ``attention_mask`` and ``token_type_ids``
    (int64 arrays of shape (n_rows, width)).

    ``first_lengths`` gives the length of each row's first segment (token type 0);
    the rest of the row is type 1. None means single texts (all type 0).
    """
    n_rows = len(rows)
    lengths = np.fromiter(map(len, rows), np.int64, n_rows)
    longest = int(lengths.max()) if n_rows else 0
    if mode == "max_length":
        if max_length is None:
            raise ValueError(
                "padding='max_length' needs max_length (the tokenizer has no "
                "model_max_length)"
            )
        width = max(int(max_length), longest)
    elif mode == "longest":
        width = longest
    else:
        if n_rows and int(lengths.min()) != longest:
            raise ValueError(
                f"the texts have different lengths ({int(lengths.min())} to "
                f"{longest} tokens) and padding is off; pass padding=True"
            )
        width = longest
    if pad_to_multiple_of is not None and width % pad_to_multiple_of:
        width += pad_to_multiple_of - width % pad_to_multiple_of
    if width > int(lengths.min(initial=width)) and pad_id is None:
        raise ValueError("padding needs a pad_token; this tokenizer has none")
    columns = np.arange(width, dtype=np.int64)
    mask = columns[None, :] < lengths[:, None]
    input_ids = np.full((n_rows, width), 0 if pad_id is None else pad_id, np.int64)
    input_ids[mask] = np.fromiter(
        chain.from_iterable(rows), np.int64, int(lengths.sum())
    )
    if first_lengths is None:
        token_type_ids = np.zeros((n_rows, width), dtype=np.int64)
    else:
        first = np.asarray(first_lengths, dtype=np.int64)
        token_type_ids = (mask & (columns[None, :] >= first[:, None])).astype(np.int64)
    return {
        "input_ids": input_ids,
        "attention_mask": mask.astype(np.int64),
        "token_type_ids": token_type_ids,
    }
