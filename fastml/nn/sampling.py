"""Choosing the next token from a language model's logits, and text generation.

Every function takes logits of shape ``(vocab,)`` (one distribution) or
``(batch, vocab)`` (one per row) and works in float64 whatever the input dtype.
Logits may hold ``-inf`` (a token that must never be chosen) but not NaN or
``+inf``, and each row needs at least one finite value.

The pipeline, in this order (as in common generation libraries):

1. **temperature** ``T``: logits become ``(logits - max) / T``; ``T > 1`` flattens
   the distribution, ``T < 1`` sharpens it. ``T = 0`` is defined as greedy
   decoding: all the probability goes to the greedy token.
2. **top_k** ``k``: keep exactly the ``k`` tokens with the highest logits. Ties
   are broken by token id, lowest first, so exactly ``k`` tokens survive
   (``k`` larger than the vocabulary keeps everything).
3. **top_p** ``p`` (nucleus): among the survivors, renormalised, sort the tokens
   by logit descending and then by id ascending, and keep the shortest prefix of
   that order whose cumulative probability reaches ``p`` (``>= p``, computed in
   float64); the token that crosses ``p`` is kept. ``p = 1`` keeps every survivor.
4. The kept tokens' probabilities are renormalised and one token is drawn by
   inverse-CDF sampling with one uniform number per row from ``random_state``.

:func:`greedy` is the argmax with ties going to the lowest token id. The softmax
is :func:`fastml.activations.softmax` (the maximum is subtracted first, so huge
or tiny temperatures neither overflow nor divide by zero).

Random numbers: ``random_state`` is None, an int seed, a ``numpy.random.Generator``
or a ``numpy.random.RandomState``; the same seed gives the same tokens.

Examples
--------
>>> import numpy as np
>>> from fastml.nn.sampling import greedy, sample, filtered_probabilities
>>> logits = np.log([0.5, 0.3, 0.15, 0.05])
>>> int(greedy(logits))
0
>>> filtered_probabilities(logits, top_p=0.75).round(3)
array([0.625, 0.375, 0.   , 0.   ])
>>> int(sample(logits, top_k=1, random_state=0))
0
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from fastml.activations import softmax
from fastml.utils.validation import check_random_state

__all__ = ["filter_logits", "filtered_probabilities", "generate", "greedy", "sample"]


# --------------------------------------------------------------------- validation
def _check_logits(logits: Any) -> tuple[np.ndarray, bool]:
    """float64 2-D copy-free view of ``logits`` and whether the input was 1-D."""
    arr = np.asarray(logits)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
    ):
        raise ValueError(f"logits must be numeric, got dtype {arr.dtype}.")
    if np.iscomplexobj(arr):
        raise ValueError(f"logits must be real, got dtype {arr.dtype}.")
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"logits must have shape (vocab,) or (batch, vocab), got {arr.shape}."
        )
    one_row = arr.ndim == 1
    arr = arr.reshape(1, -1) if one_row else arr
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"logits is empty (shape {np.shape(logits)}).")
    arr = arr.astype(np.float64, copy=False)
    if np.isnan(arr).any():
        raise ValueError("logits contain NaN.")
    if np.isposinf(arr).any():
        raise ValueError("logits contain +inf.")
    if not np.isfinite(arr).any(axis=1).all():
        raise ValueError("every row of logits needs at least one finite value.")
    return arr, one_row


def _check_temperature(temperature: Any) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise TypeError(
            f"temperature must be a real number, got {type(temperature).__name__}."
        )
    value = float(temperature)
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(
            f"temperature must be >= 0 and finite (0 means greedy), got {temperature}."
        )
    return value


def _check_top_k(top_k: Any) -> int | None:
    if top_k is None:
        return None
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral):
        raise TypeError(f"top_k must be an int or None, got {type(top_k).__name__}.")
    if top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}.")
    return int(top_k)


def _check_top_p(top_p: Any) -> float | None:
    if top_p is None:
        return None
    if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real):
        raise TypeError(f"top_p must be a float or None, got {type(top_p).__name__}.")
    value = float(top_p)
    if not 0.0 < value <= 1.0:
        raise ValueError(f"top_p must lie in (0, 1], got {top_p}.")
    return value


def _generator(random_state: Any) -> Any:
    """Something with ``.random(size)``: a Generator or a RandomState."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    return check_random_state(random_state)


# --------------------------------------------------------------------- filtering
def _greedy_rows(x: np.ndarray) -> np.ndarray:
    # np.argmax returns the first maximum: the lowest id on ties (no NaN here).
    return np.argmax(x, axis=1).astype(np.int64)


def _first_in_order(
    x: np.ndarray, boundary: np.ndarray, count: np.ndarray
) -> np.ndarray:
    """Mask of the first ``count`` entries of each row in the order (value
    descending, index ascending), given the value ``boundary`` of the last of them
    (both of shape (n_rows, 1)): every entry above it, and the lowest-index entries
    equal to it up to ``count``."""
    above = x > boundary
    needed = count - above.sum(axis=1, keepdims=True)
    tied = x == boundary
    return above | (tied & (np.cumsum(tied, axis=1) <= needed))


def _top_k_candidates(x: np.ndarray, k: int) -> np.ndarray:
    """Ids ``(batch, k)`` of the ``k`` largest entries per row, ties to the lowest
    ids, each row sorted by id. O(vocab) per row (a partition, no full sort)."""
    kth = -np.partition(-x, k - 1, axis=1)[:, k - 1 : k]
    keep = _first_in_order(x, kth, np.full((x.shape[0], 1), k))
    return np.nonzero(keep)[1].reshape(x.shape[0], k).astype(np.int64)


def _filter(
    logits: Any, temperature: Any, top_k: Any, top_p: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """The filtering pipeline on candidate tokens.

    Returns ``(candidates, scaled, keep, one_row)``: ``candidates`` ``(batch, C)``
    token ids (ascending), ``scaled`` their temperature-scaled logits, ``keep`` a
    boolean mask of the candidates that survive top-p.
    """
    x, one_row = _check_logits(logits)
    temperature = _check_temperature(temperature)
    k = _check_top_k(top_k)
    p = _check_top_p(top_p)
    n_rows, n_cols = x.shape
    if temperature == 0.0:
        # Greedy: one candidate per row, with all the probability.
        cand = _greedy_rows(x)[:, None]
        scaled = np.zeros((n_rows, 1))
        return cand, scaled, np.ones((n_rows, 1), dtype=bool), one_row
    # Shift before dividing: (x - max) / T never overflows, even for tiny T.
    shifted = (x - x.max(axis=1, keepdims=True)) / temperature
    if k is not None and k < n_cols:
        cand = _top_k_candidates(shifted, k)
        scaled = np.take_along_axis(shifted, cand, axis=1)
    else:
        cand = np.broadcast_to(np.arange(n_cols, dtype=np.int64), (n_rows, n_cols))
        scaled = shifted
    if p is None or p == 1.0:
        return cand, scaled, np.ones(scaled.shape, dtype=bool), one_row
    cand, scaled, keep = _top_p(cand, scaled, p)
    return cand, scaled, keep, one_row


def _top_p(
    cand: np.ndarray, scaled: np.ndarray, p: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mask of the candidates in the nucleus of mass ``p``.

    The nucleus is the first ``n_keep`` tokens of the order (logit descending, id
    ascending). Tied tokens have equal probabilities, so the cumulative sums along
    that order only need the sorted values (a plain sort, several times faster
    than a stable argsort); the kept set is then "every token above the boundary
    value, and the lowest-id tokens at it", as for top-k.
    """
    n_rows, n_cols = scaled.shape
    descending = -np.sort(-scaled, axis=1)
    cumulative = np.cumsum(softmax(descending, axis=1), axis=1)
    # Entries before the crossing have cumulative < p; keep them and the crossing
    # token. Rounding may leave the total just below p: then keep all.
    n_keep = np.minimum((cumulative < p).sum(axis=1) + 1, n_cols)
    boundary = descending[np.arange(n_rows), n_keep - 1][:, None]
    return cand, scaled, _first_in_order(scaled, boundary, n_keep[:, None])


def filter_logits(
    logits: Any,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> np.ndarray:
    """Temperature-scaled logits with the tokens top-k / top-p remove set to -inf.

    Parameters
    ----------
    logits : array-like of shape (vocab,) or (batch, vocab)
    temperature : float, default=1.0
        ``>= 0``; the result is ``(logits - rowmax) / temperature`` on kept tokens.
        0 keeps only the greedy token (its value 0).
    top_k : int or None, default=None
        Keep exactly this many tokens (ties to the lowest ids); None keeps all.
    top_p : float in (0, 1] or None, default=None
        Nucleus threshold (see the module docstring for the rule); None or 1 keeps
        all.

    Returns
    -------
    ndarray of float64, same shape as ``logits``
        ``softmax`` of it is the distribution :func:`sample` draws from.
    """
    cand, scaled, keep, one_row = _filter(logits, temperature, top_k, top_p)
    n_rows = cand.shape[0]
    n_cols = np.shape(logits)[-1]
    out = np.full((n_rows, n_cols), -np.inf)
    np.put_along_axis(out, cand, np.where(keep, scaled, -np.inf), axis=1)
    return out[0] if one_row else out


def filtered_probabilities(
    logits: Any,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> np.ndarray:
    """The distribution :func:`sample` draws from (zeros on filtered tokens).

    Parameters as in :func:`filter_logits`.

    Returns
    -------
    ndarray of float64, same shape as ``logits``
        Non-negative, each row summing to 1.
    """
    cand, scaled, keep, one_row = _filter(logits, temperature, top_k, top_p)
    probs = _kept_probabilities(scaled, keep)
    out = np.zeros((cand.shape[0], np.shape(logits)[-1]))
    np.put_along_axis(out, cand, probs, axis=1)
    return out[0] if one_row else out


def _kept_probabilities(scaled: np.ndarray, keep: np.ndarray) -> np.ndarray:
    return np.asarray(softmax(np.where(keep, scaled, -np.inf), axis=1))


# --------------------------------------------------------------------- choosing
def greedy(logits: Any) -> Any:
    """The highest-scoring token id of each row; ties go to the lowest id.

    Parameters
    ----------
    logits : array-like of shape (vocab,) or (batch, vocab)

    Returns
    -------
    numpy int64 or ndarray of int64 of shape (batch,)
    """
    x, one_row = _check_logits(logits)
    ids = _greedy_rows(x)
    return ids[0] if one_row else ids


def _draw(
    cand: np.ndarray, scaled: np.ndarray, keep: np.ndarray, rng: Any
) -> np.ndarray:
    """One token per row by inverse-CDF sampling over the kept candidates."""
    n_rows = cand.shape[0]
    if cand.shape[1] == 1:
        rng.random(n_rows)  # the same draws per call whatever the filtering
        return cand[:, 0].copy()
    probs = _kept_probabilities(scaled, keep)
    cumulative = np.cumsum(probs, axis=1)
    target = rng.random(n_rows) * cumulative[:, -1]
    # First candidate whose cumulative sum exceeds the target: a token of zero
    # probability never qualifies (its cumulative equals its predecessor's).
    idx = (cumulative <= target[:, None]).sum(axis=1)
    # target rounding up to the total would point past the end: take the last
    # token of positive probability instead.
    last_positive = probs.shape[1] - 1 - np.argmax((probs > 0)[:, ::-1], axis=1)
    idx = np.minimum(idx, last_positive)
    return cand[np.arange(n_rows), idx].astype(np.int64)


def sample(
    logits: Any,
    *,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    random_state: Any = None,
) -> Any:
    """Draw one token per row from the filtered softmax distribution.

    Parameters
    ----------
    logits : array-like of shape (vocab,) or (batch, vocab)
    temperature, top_k, top_p
        As in :func:`filter_logits` (``temperature=0`` is greedy).
    random_state : None, int, numpy Generator or RandomState, default=None
        Source of the uniform numbers (one per row and call, also for greedy
        rows, so a seed gives the same stream whatever the parameters).

    Returns
    -------
    numpy int64 or ndarray of int64 of shape (batch,)
    """
    cand, scaled, keep, one_row = _filter(logits, temperature, top_k, top_p)
    ids = _draw(cand, scaled, keep, _generator(random_state))
    return ids[0] if one_row else ids


# --------------------------------------------------------------------- generation
def _check_prompt(prompt_ids: Any) -> tuple[np.ndarray, bool]:
    ids = np.asarray(prompt_ids)
    if ids.dtype.kind not in "iu":
        raise ValueError(f"prompt_ids must be integers, got dtype {ids.dtype}.")
    if ids.ndim not in (1, 2):
        raise ValueError(
            f"prompt_ids must have shape (L,) or (batch, L), got {ids.shape}."
        )
    if ids.size == 0:
        raise ValueError(
            f"prompt_ids is empty (shape {ids.shape}): generation needs at least "
            "one token to condition on."
        )
    one_row = ids.ndim == 1
    return (ids[None, :] if one_row else ids).astype(np.int64), one_row


def generate(
    model: Any,
    prompt_ids: Any,
    max_new_tokens: int,
    *,
    strategy: str = "greedy",
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    random_state: Any = None,
    eos_token_id: int | None = None,
    pad_token_id: int | None = None,
    use_cache: bool = True,
) -> np.ndarray:
    """Extend prompts token by token with a causal language model.

    Parameters
    ----------
    model : GPTDecoder
        Any object with ``config.n_positions``, ``forward(ids, cache=None)`` and
        ``new_cache(batch_size, capacity)`` as :class:`fastml.nn.GPTDecoder`.
    prompt_ids : array-like of int, shape (L,) or (batch, L)
        Prompts, all of length ``L >= 1``.
    max_new_tokens : int
        Tokens to add at most (``L + max_new_tokens <= n_positions``).
    strategy : {"greedy", "sample"}, default="greedy"
        "greedy" takes the argmax each step (ties to the lowest id; temperature,
        top_k, top_p must keep their defaults); "sample" draws as :func:`sample`.
    temperature, top_k, top_p
        Sampling parameters (see :func:`filter_logits`).
    random_state : None, int, numpy Generator or RandomState, default=None
        For "sample": one uniform number per sequence and step.
    eos_token_id : int, default=None
        A sequence that produces it is finished: its later positions are
        ``pad_token_id``. Generation stops early once every sequence has finished.
    pad_token_id : int, default=None
        Filler after the end of a finished sequence; None means ``eos_token_id``.
    use_cache : bool, default=True
        Feed one token per step through a key/value cache; False recomputes the
        whole sequence at every step (same tokens, slower: for checking).

    Returns
    -------
    ndarray of int64, shape (batch, L + n_generated) or (L + n_generated,)
        The prompts followed by the generated tokens (``n_generated`` is
        ``max_new_tokens`` unless every sequence finished earlier).
    """
    ids, one_row = _check_prompt(prompt_ids)
    if isinstance(max_new_tokens, bool) or not isinstance(
        max_new_tokens, numbers.Integral
    ):
        raise TypeError(
            f"max_new_tokens must be an int, got {type(max_new_tokens).__name__}."
        )
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be >= 0, got {max_new_tokens}.")
    if strategy not in ("greedy", "sample"):
        raise ValueError(f"strategy must be 'greedy' or 'sample', got {strategy!r}.")
    _check_temperature(temperature)
    _check_top_k(top_k)
    _check_top_p(top_p)
    if strategy == "greedy" and (
        temperature != 1.0 or top_k is not None or top_p is not None
    ):
        raise ValueError(
            "temperature, top_k and top_p apply to strategy='sample', not 'greedy'."
        )
    vocab_size = int(model.config.vocab_size)
    for name, token in (("eos_token_id", eos_token_id), ("pad_token_id", pad_token_id)):
        if token is not None and (
            isinstance(token, bool)
            or not isinstance(token, numbers.Integral)
            or not 0 <= token < vocab_size
        ):
            raise ValueError(
                f"{name} must be an int in [0, {vocab_size}), got {token}."
            )
    if pad_token_id is None:
        pad_token_id = eos_token_id
    batch_size, prompt_len = ids.shape
    total = prompt_len + int(max_new_tokens)
    n_positions = int(model.config.n_positions)
    if total > n_positions:
        raise ValueError(
            f"prompt length ({prompt_len}) + max_new_tokens ({max_new_tokens}) = "
            f"{total} exceeds the model's n_positions ({n_positions})."
        )
    if max_new_tokens == 0:
        out = ids.copy()
        return out[0] if one_row else out
    rng = _generator(random_state) if strategy == "sample" else None

    cache = model.new_cache(batch_size, capacity=total) if use_cache else None
    logits = model.forward(ids, cache=cache)[:, -1]
    tokens = np.empty((batch_size, total), dtype=np.int64)
    tokens[:, :prompt_len] = ids
    finished = np.zeros(batch_size, dtype=bool)
    length = prompt_len
    for step in range(int(max_new_tokens)):
        if strategy == "greedy":
            chosen = greedy(logits)
        else:
            chosen = sample(
                logits,
                temperature=temperature,
                top_k=top_k,
                top_p=top_p,
                random_state=rng,
            )
        if eos_token_id is not None:
            chosen = np.where(finished, pad_token_id, chosen)
            finished |= chosen == eos_token_id
        tokens[:, length] = chosen
        length += 1
        if finished.all() or step == max_new_tokens - 1:
            break
        if cache is not None:
            logits = model.forward(tokens[:, length - 1 : length], cache=cache)[:, -1]
        else:
            logits = model.forward(tokens[:, :length])[:, -1]
    out = tokens[:, :length]
    return out[0] if one_row else out
