"""BERT's WordPiece tokenizer: basic tokenization, then greedy longest-match-first
sub-words, special tokens, truncation, padding and batch encoding to numpy arrays.

Speed without a compiled kernel. A text is first cut with one small regular
expression into runs between ASCII whitespace and ASCII punctuation (these are word
boundaries whatever else the text holds, since every step of the basic tokenizer
works per character), and the ids of each distinct run are cached. On a miss the
run goes through the basic tokenizer on whole strings, not character by character:
control characters are deleted with one substitution, accents stripped with NFD and
one substitution, lower-casing is ``str.lower`` (the capital sigma made context
free first, as ``tokenizers`` lower-cases one character at a time), and the words
are the matches of one pattern over the Unicode classes of
:mod:`fastml.nn.tokenizers._unicode`; each word is then split greedily. A batch thus
costs one small-pattern scan per text and one dictionary lookup per run: 1,000
sentences take ~8 ms, against ~60 ms for Hugging Face's tokenizers and ~40 ms for
transformers' BertTokenizer (bench/test_tokenizers.py, 2 threads), and a fraction of
a percent of a MiniLM encoder's time, so a Cython kernel would not pay.
``tests/naive/tokenizers.py`` holds the character-by-character algorithm this is
tested against.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from fastml.nn.tokenizers._encoding import (
    check_batch,
    check_multiple,
    pad_rows,
    padding_mode,
    truncate,
    truncation_plan,
)
from fastml.nn.tokenizers._encoding import check_text as _check_text
from fastml.nn.tokenizers._unicode import (
    CJK_RANGES,
    CONTROL_RANGES,
    NONSPACING_MARK_RANGES,
    PUNCTUATION_RANGES,
    WHITESPACE_RANGES,
    regex_class,
)

__all__ = ["WordPieceTokenizer", "load_vocab"]

_CONTROL_RE = re.compile(f"[{regex_class(CONTROL_RANGES)}]+")
_MARK_RE = re.compile(f"[{regex_class(NONSPACING_MARK_RANGES)}]+")
_SPACE = regex_class(WHITESPACE_RANGES)
_PUNCT = regex_class(PUNCTUATION_RANGES)
_CJK = regex_class(CJK_RANGES)
# A word is a run of ordinary characters, or one punctuation character, or (when
# CJK ideographs are split) one ideograph.
_WORD_CJK_RE = re.compile(f"[^{_SPACE}{_PUNCT}{_CJK}]+|[{_PUNCT}{_CJK}]")
_WORD_RE = re.compile(f"[^{_SPACE}{_PUNCT}]+|[{_PUNCT}]")
_ASCII_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
# Runs between ASCII whitespace and punctuation, and ASCII punctuation marks.
_RUN_RE = re.compile(r"[^\t\n\r !-/:-@\[-`{-~]+|[!-/:-@\[-`{-~]")

# tokenizer_config.json stores "no limit" as a huge sentinel (1e30).
_NO_LIMIT = 1 << 40
# Texts longer than this many characters per allowed token are tokenized by prefixes
# when they will be truncated (a WordPiece token rarely covers more than ~6).
_PREFIX_CHARS_PER_TOKEN = 8
# Distinct words whose WordPiece split is remembered; the cache is emptied when full.
_CACHE_SIZE = 1 << 17
# Longer runs (a sentence of CJK text without spaces, say) are not remembered.
_CACHE_MAX_CHARS = 64


def load_vocab(path: str | os.PathLike[str]) -> dict[str, int]:
    """Read a WordPiece ``vocab.txt``: one token per line, the line number is its id.

    Parameters
    ----------
    path : str or path-like
        The vocabulary file (UTF-8).

    Returns
    -------
    vocab : dict of str to int
        Token to id. A token listed twice keeps its last line number.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"vocabulary file not found: {str(path)!r}")
    with open(path, encoding="utf-8") as f:
        tokens = [line.rstrip("\n").rstrip("\r") for line in f]
    if not tokens:
        raise ValueError(f"the vocabulary file {str(path)!r} is empty")
    return {token: idx for idx, token in enumerate(tokens)}


def _special_name(value: Any) -> str | None:
    """A special token from a config value: a string, or a dict with "content"."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("content"), str):
        return str(value["content"])
    raise ValueError(f"cannot read a special token from {value!r}")


class WordPieceTokenizer:
    """BERT's WordPiece tokenizer (uncased or cased), numpy batch encoding.

    Text is cleaned (NUL, U+FFFD and control/format characters dropped, whitespace
    normalised), CJK ideographs are split into words of their own, the text is
    optionally lower-cased and stripped of accents (NFD, then non-spacing marks
    removed), split on whitespace and punctuation, and every word is cut into the
    longest vocabulary pieces from the left, continuation pieces carrying the
    ``##`` prefix. A word with an unmatchable part, or longer than
    ``max_input_chars_per_word`` characters, becomes the unknown token. Special
    tokens written in the text (``[CLS]``, ``[SEP]``, ``[PAD]``, ``[UNK]``,
    ``[MASK]`` and ``never_split``) are kept whole. The ids equal those of Hugging
    Face's BERT tokenizer for the same vocabulary and options (the character tables
    follow it exactly, see :mod:`fastml.nn.tokenizers._unicode`).

    Parameters
    ----------
    vocab : mapping of str to int or str or path-like
        Token to id, or the path of a ``vocab.txt`` file (one token per line).
    do_lower_case : bool, default=True
        Lower-case the text (``False`` for cased models).
    strip_accents : bool or None, default=None
        Remove accents (NFD, then drop non-spacing marks). None follows
        ``do_lower_case``.
    tokenize_chinese_chars : bool, default=True
        Make every CJK ideograph a word of its own.
    unk_token, sep_token, pad_token, cls_token, mask_token : str or None
        The special tokens; each one given must be in the vocabulary.
        ``unk_token`` is required; ``cls_token``/``sep_token`` are needed to add
        special tokens and ``pad_token`` to pad.
    never_split : iterable of str, optional
        More strings kept whole wherever they appear in the text (mapped to their id,
        or cut into pieces when they are not in the vocabulary).
    model_max_length : int or None, default=512
        The longest sequence the model takes: the default ``max_length`` of
        truncation. None means no limit.
    max_input_chars_per_word : int, default=100
        Longer words become the unknown token.

    Attributes
    ----------
    vocab : dict of str to int
        Token to id.
    vocab_size : int
        Number of ids (one more than the largest id).

    Examples
    --------
    >>> from fastml.nn.tokenizers import WordPieceTokenizer
    >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff",
    ...          "##able", "the", "cat", "!"]
    >>> tok = WordPieceTokenizer({t: i for i, t in enumerate(vocab)})
    >>> tok.tokenize("The unaffable cat!")
    ['the', 'un', '##aff', '##able', 'cat', '!']
    >>> batch = tok(["the cat", "unaffable"])
    >>> batch["input_ids"]
    array([[2, 8, 9, 3, 0],
           [2, 5, 6, 7, 3]])
    >>> batch["attention_mask"]
    array([[1, 1, 1, 1, 0],
           [1, 1, 1, 1, 1]])
    """

    def __init__(
        self,
        vocab: Mapping[str, int] | str | os.PathLike[str],
        *,
        do_lower_case: bool = True,
        strip_accents: bool | None = None,
        tokenize_chinese_chars: bool = True,
        unk_token: str = "[UNK]",
        sep_token: str | None = "[SEP]",
        pad_token: str | None = "[PAD]",
        cls_token: str | None = "[CLS]",
        mask_token: str | None = "[MASK]",
        never_split: Iterable[str] | None = None,
        model_max_length: int | None = 512,
        max_input_chars_per_word: int = 100,
    ) -> None:
        if isinstance(vocab, (str, os.PathLike)):
            vocab = load_vocab(vocab)
        if not isinstance(vocab, Mapping):
            raise TypeError(
                f"vocab must be a mapping of str to int or a file path, got "
                f"{type(vocab).__name__}"
            )
        if len(vocab) == 0:
            raise ValueError("the vocabulary is empty")
        self.vocab: dict[str, int] = {}
        for token, idx in vocab.items():
            if not isinstance(token, str) or isinstance(idx, bool):
                raise TypeError("vocab must map str tokens to non-negative int ids")
            if not isinstance(idx, (int, np.integer)) or idx < 0:
                raise TypeError("vocab must map str tokens to non-negative int ids")
            self.vocab[token] = int(idx)
        self.vocab_size = max(self.vocab.values()) + 1
        self._id_to_token: list[str | None] = [None] * self.vocab_size
        for token, idx in self.vocab.items():
            self._id_to_token[idx] = token

        self.do_lower_case = bool(do_lower_case)
        self.strip_accents = strip_accents
        self.tokenize_chinese_chars = bool(tokenize_chinese_chars)
        self.max_input_chars_per_word = int(max_input_chars_per_word)
        if self.max_input_chars_per_word < 1:
            raise ValueError("max_input_chars_per_word must be at least 1")
        if model_max_length is not None:
            if int(model_max_length) < 1:
                raise ValueError("model_max_length must be a positive int or None")
            if int(model_max_length) >= _NO_LIMIT:
                model_max_length = None
        self.model_max_length = (
            None if model_max_length is None else int(model_max_length)
        )

        if unk_token is None:
            raise ValueError("unk_token is required")
        specials: dict[str, str | None] = {
            "unk_token": unk_token,
            "sep_token": sep_token,
            "pad_token": pad_token,
            "cls_token": cls_token,
            "mask_token": mask_token,
        }
        for name, special in specials.items():
            if special is None:
                continue
            if not isinstance(special, str) or not special:
                raise TypeError(f"{name} must be a non-empty str or None")
            if special not in self.vocab:
                raise ValueError(f"{name} {special!r} is not in the vocabulary")
        self.unk_token = unk_token
        self.sep_token = sep_token
        self.pad_token = pad_token
        self.cls_token = cls_token
        self.mask_token = mask_token
        self.unk_token_id = self.vocab[unk_token]
        self.sep_token_id = None if sep_token is None else self.vocab[sep_token]
        self.pad_token_id = None if pad_token is None else self.vocab[pad_token]
        self.cls_token_id = None if cls_token is None else self.vocab[cls_token]
        self.mask_token_id = None if mask_token is None else self.vocab[mask_token]

        extra = [] if never_split is None else list(never_split)
        for token in extra:
            if not isinstance(token, str) or not token:
                raise TypeError("never_split must hold non-empty strings")
        self.never_split = extra
        kept = [t for t in specials.values() if t is not None] + extra
        # Longest first, so that a special token containing another one wins.
        kept = sorted(set(kept), key=len, reverse=True)
        self._kept_re = re.compile("|".join(re.escape(t) for t in kept))
        self._space_in_kept = any(" " in t for t in kept)

        # Longest piece lengths bound the inner search of the greedy matcher.
        prefix = "##"
        self._max_first = max(len(t) for t in self.vocab)
        self._max_next = max(
            (len(t) - len(prefix) for t in self.vocab if t.startswith(prefix)),
            default=0,
        )
        self._strip = (
            self.do_lower_case if strip_accents is None else bool(strip_accents)
        )
        self._cache = _PieceCache(self._run_ids)

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_pretrained(
        cls, folder: str | os.PathLike[str], **overrides: Any
    ) -> WordPieceTokenizer:
        """Load ``vocab.txt`` and, when present, ``tokenizer_config.json`` and
        ``special_tokens_map.json`` from a model folder.

        The configuration gives ``do_lower_case``, ``strip_accents``,
        ``tokenize_chinese_chars``, ``model_max_length``, ``never_split`` and the
        special tokens; keyword arguments override it.

        Parameters
        ----------
        folder : str or path-like
            The model folder (for example a downloaded Hugging Face model).
        **overrides
            Constructor arguments that replace the configuration's values.

        Returns
        -------
        tokenizer : WordPieceTokenizer
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"model folder not found: {str(folder)!r}")
        vocab_path = folder / "vocab.txt"
        if not vocab_path.is_file():
            raise FileNotFoundError(f"no vocab.txt in the model folder {str(folder)!r}")
        kwargs: dict[str, Any] = {}
        config_path = folder / "tokenizer_config.json"
        if config_path.is_file():
            config = _read_json(config_path)
            for key in ("do_lower_case", "strip_accents", "tokenize_chinese_chars"):
                if config.get(key) is not None:
                    kwargs[key] = config[key]
            if config.get("model_max_length") is not None:
                kwargs["model_max_length"] = int(
                    min(config["model_max_length"], _NO_LIMIT)
                )
            if config.get("never_split"):
                kwargs["never_split"] = list(config["never_split"])
            for key in (
                "unk_token",
                "sep_token",
                "pad_token",
                "cls_token",
                "mask_token",
            ):
                if key in config:
                    kwargs[key] = _special_name(config[key])
        special_path = folder / "special_tokens_map.json"
        if special_path.is_file():
            special = _read_json(special_path)
            for key in (
                "unk_token",
                "sep_token",
                "pad_token",
                "cls_token",
                "mask_token",
            ):
                if key in special:
                    kwargs[key] = _special_name(special[key])
        kwargs.update(overrides)
        return cls(load_vocab(vocab_path), **kwargs)

    def __len__(self) -> int:
        return self.vocab_size

    def __repr__(self) -> str:
        return (
            f"WordPieceTokenizer(vocab_size={self.vocab_size}, "
            f"do_lower_case={self.do_lower_case}, "
            f"model_max_length={self.model_max_length})"
        )

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_cache"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache = _PieceCache(self._run_ids)

    # ------------------------------------------------------------- tokenizing
    def basic_tokenize(self, text: str) -> list[str]:
        """Split a text into words (before WordPiece): clean, split CJK ideographs,
        lower-case, strip accents, split on whitespace and punctuation.

        Special tokens are not treated apart here; see :meth:`tokenize`.
        """
        _check_text(text)
        return self._basic(text)

    def _basic(self, text: str) -> list[str]:
        if text.isascii():
            # The common case, with small patterns: after the control characters
            # go, every ASCII character is whitespace, punctuation or alphanumeric.
            if _ASCII_CONTROL_RE.search(text) is not None:
                text = _ASCII_CONTROL_RE.sub("", text)
            if self.do_lower_case:
                text = text.lower()
            return _RUN_RE.findall(text)
        if _CONTROL_RE.search(text) is not None:
            text = _CONTROL_RE.sub("", text)
        if self._strip:
            text = _MARK_RE.sub("", unicodedata.normalize("NFD", text))
        if self.do_lower_case:
            # str.lower gives a final capital sigma the form "ς"; BERT's tokenizers
            # map every capital sigma to "σ".
            text = text.replace("\u03a3", "\u03c3").lower()
        if self.tokenize_chinese_chars:
            return _WORD_CJK_RE.findall(text)
        return _WORD_RE.findall(text)

    def _wordpiece(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match-first split of one word into vocabulary ids."""
        n_chars = len(word)
        if n_chars > self.max_input_chars_per_word:
            return (self.unk_token_id,)
        vocab = self.vocab
        ids = []
        start = 0
        while start < n_chars:
            idx = None
            if start == 0:
                end = min(n_chars, self._max_first)
                while end > 0:
                    idx = vocab.get(word[:end])
                    if idx is not None:
                        break
                    end -= 1
            else:
                end = min(n_chars, start + self._max_next)
                while end > start:
                    idx = vocab.get("##" + word[start:end])
                    if idx is not None:
                        break
                    end -= 1
            if idx is None or end == start:
                return (self.unk_token_id,)
            ids.append(idx)
            start = end
        return tuple(ids)

    def _run_ids(self, run: str) -> tuple[int, ...]:
        """Ids of a run of characters between ASCII whitespace and punctuation."""
        words = self._basic(run)
        if len(words) == 1:
            return self._wordpiece(words[0])
        return tuple(chain.from_iterable(map(self._wordpiece, words)))

    def _span_ids(self, text: str) -> Iterable[int]:
        # ASCII whitespace and punctuation are word boundaries whatever the rest of
        # the text holds (every step of the basic tokenizer works per character,
        # and NFD never reorders marks across them), so a text is cut at them with
        # a small pattern, and each run is looked up in the cache (the full
        # algorithm runs once per distinct run).
        return chain.from_iterable(map(self._cache.__getitem__, _RUN_RE.findall(text)))

    def _text_ids(self, text: str) -> list[int]:
        """Ids of one text without special tokens added."""
        if self._kept_re.search(text) is None:
            return list(self._span_ids(text))
        ids: list[int] = []
        start = 0
        for match in self._kept_re.finditer(text):
            ids.extend(self._span_ids(text[start : match.start()]))
            token = match.group()
            idx = self.vocab.get(token)
            if idx is None:
                ids.extend(self._wordpiece(token))
            else:
                ids.append(idx)
            start = match.end()
        ids.extend(self._span_ids(text[start:]))
        return ids

    def _prefix_ids(self, text: str, budget: int) -> list[int]:
        """Ids of a long text that will be cut to ``budget`` tokens: ids of growing
        prefixes, cut at a space, until one has more than ``budget`` tokens (then
        the rest of the text cannot change the first ``budget`` tokens: every
        step of the basic tokenizer is per character, and a space ends a word and
        is in no special token), else of the whole text."""
        if self._space_in_kept:
            return self._text_ids(text)
        n_chars = _PREFIX_CHARS_PER_TOKEN * (budget + 1)
        while n_chars < len(text):
            cut = text.find(" ", n_chars)
            if cut == -1:
                break
            ids = self._text_ids(text[:cut])
            if len(ids) > budget:
                return ids
            n_chars = 2 * cut
        return self._text_ids(text)

    def tokenize(self, text: str) -> list[str]:
        """The WordPiece tokens of a text, without [CLS]/[SEP].

        Parameters
        ----------
        text : str

        Returns
        -------
        tokens : list of str
        """
        _check_text(text)
        return self.convert_ids_to_tokens(self._text_ids(text))

    # ------------------------------------------------------------ conversions
    def convert_tokens_to_ids(self, tokens: str | Iterable[str]) -> Any:
        """Id of a token (unknown tokens give ``unk_token_id``), or a list of ids."""
        if isinstance(tokens, str):
            return self.vocab.get(tokens, self.unk_token_id)
        return [self.vocab.get(token, self.unk_token_id) for token in tokens]

    def convert_ids_to_tokens(self, ids: int | Iterable[int]) -> Any:
        """Token of an id, or a list of tokens; ids outside the vocabulary raise."""
        if isinstance(ids, (int, np.integer)):
            return self._token_of(int(ids))
        return [self._token_of(int(idx)) for idx in ids]

    def _token_of(self, idx: int) -> str:
        token = self._id_to_token[idx] if 0 <= idx < self.vocab_size else None
        if token is None:
            raise IndexError(f"token id {idx} is not in the vocabulary")
        return token

    def decode(
        self,
        ids: Iterable[int],
        *,
        skip_special_tokens: bool = False,
        clean_up_tokenization_spaces: bool = True,
    ) -> str:
        """Text from ids: ``##`` pieces glued to the previous token, others joined by
        a space.

        Parameters
        ----------
        ids : iterable of int
            One sequence of ids (padding included or not).
        skip_special_tokens : bool, default=False
            Leave out [CLS], [SEP], [PAD], [UNK], [MASK] and ``never_split`` tokens.
        clean_up_tokenization_spaces : bool, default=True
            Remove the space before ``.``, ``?``, ``!`` and ``,``.

        Returns
        -------
        text : str
        """
        tokens = self.convert_ids_to_tokens(np.asarray(ids).ravel().tolist())
        if skip_special_tokens:
            special = {
                self.unk_token,
                self.sep_token,
                self.pad_token,
                self.cls_token,
                self.mask_token,
                *self.never_split,
            }
            tokens = [t for t in tokens if t not in special]
        parts = []
        for i, token in enumerate(tokens):
            if i > 0:
                if token.startswith("##"):
                    token = token[2:]
                else:
                    token = " " + token
            if clean_up_tokenization_spaces and token in (" .", " ?", " !", " ,"):
                token = token[1:]
            parts.append(token)
        return "".join(parts)

    def batch_decode(self, ids: Iterable[Iterable[int]], **kwargs: Any) -> list[str]:
        """:meth:`decode` applied to every row of ``ids``."""
        return [self.decode(row, **kwargs) for row in ids]

    # --------------------------------------------------------------- encoding
    def _encode_rows(
        self,
        texts: Any,
        text_pairs: Any,
        add_special_tokens: bool,
        truncation: bool | str | None,
        max_length: int | None,
    ) -> tuple[list[list[int]], list[int] | None]:
        """Ids of every text (pair) of a batch, truncated, with special tokens, and
        the length of each row's first segment (None without pairs)."""
        texts, text_pairs = check_batch(texts, text_pairs)
        pair = text_pairs is not None
        n_special = (3 if pair else 2) if add_special_tokens else 0
        if add_special_tokens and (
            self.cls_token_id is None or self.sep_token_id is None
        ):
            raise ValueError(
                "add_special_tokens=True needs cls_token and sep_token; this "
                "tokenizer lacks one (pass add_special_tokens=False)"
            )
        strategy, limit, warn = truncation_plan(
            truncation, max_length, self.model_max_length
        )
        budget = None
        if limit is not None:
            budget = limit - n_special
            if budget < 0:
                raise ValueError(
                    f"max_length={limit} is too small: {n_special} special tokens "
                    "are added to every sequence"
                )
        head: list[int] = []
        tail: list[int] = []
        if add_special_tokens:
            assert self.cls_token_id is not None and self.sep_token_id is not None
            head, tail = [self.cls_token_id], [self.sep_token_id]
        rows: list[list[int]] = []
        first_lengths: list[int] | None = [] if pair else None
        n_cut = 0
        text_ids = self._text_ids
        if text_pairs is None:
            for text in texts:
                if budget is not None and len(text) > _PREFIX_CHARS_PER_TOKEN * (
                    budget + 1
                ):
                    ids = self._prefix_ids(text, budget)
                else:
                    ids = text_ids(text)
                if budget is not None and len(ids) > budget:
                    ids = truncate(ids, None, budget, strategy)[0]
                    n_cut += 1
                rows.append(head + ids + tail if add_special_tokens else ids)
        else:
            assert first_lengths is not None
            for text, text_pair in zip(texts, text_pairs):
                first = text_ids(text)
                second = text_ids(text_pair)
                if budget is not None and len(first) + len(second) > budget:
                    first, cut = truncate(first, second, budget, strategy)
                    assert cut is not None
                    second = cut
                    n_cut += 1
                rows.append(head + first + tail + second + tail)
                first_lengths.append(len(head) + len(first) + len(tail))
        if n_cut and warn:
            warnings.warn(
                f"{n_cut} of {len(rows)} texts are longer than max_length={limit} "
                "tokens and were truncated; pass truncation=True to truncate "
                "without this warning, or truncation=False to keep whole texts",
                UserWarning,
                stacklevel=3,
            )
        if limit is None and self.model_max_length is not None:
            longest = max(map(len, rows), default=0)
            if longest > self.model_max_length:
                warnings.warn(
                    f"a sequence has {longest} tokens, more than the model's "
                    f"maximum length {self.model_max_length}; the model may fail "
                    "on it",
                    UserWarning,
                    stacklevel=3,
                )
        return rows, first_lengths

    def encode(
        self,
        text: str,
        text_pair: str | None = None,
        *,
        add_special_tokens: bool = True,
        truncation: bool | str | None = None,
        max_length: int | None = None,
    ) -> list[int]:
        """Ids of one text (or pair), with [CLS]/[SEP] and no padding.

        ``truncation`` and ``max_length`` work as in :meth:`__call__`.

        Returns
        -------
        ids : list of int
        """
        _check_text(text)
        if text_pair is not None:
            _check_text(text_pair)
        rows, _ = self._encode_rows(
            [text],
            None if text_pair is None else [text_pair],
            add_special_tokens,
            truncation,
            max_length,
        )
        return rows[0]

    def encode_batch(
        self,
        texts: str | Sequence[str],
        text_pairs: str | Sequence[str] | None = None,
        *,
        add_special_tokens: bool = True,
        truncation: bool | str | None = None,
        max_length: int | None = None,
    ) -> list[list[int]]:
        """Unpadded ids of every text (or pair) of a batch.

        Parameters are those of :meth:`__call__`.

        Returns
        -------
        input_ids : list of list of int
        """
        rows, _ = self._encode_rows(
            texts, text_pairs, add_special_tokens, truncation, max_length
        )
        return rows

    def __call__(
        self,
        texts: str | Sequence[str],
        text_pairs: str | Sequence[str] | None = None,
        *,
        padding: bool | str = "longest",
        truncation: bool | str | None = None,
        max_length: int | None = None,
        pad_to_multiple_of: int | None = None,
        add_special_tokens: bool = True,
    ) -> dict[str, np.ndarray]:
        """Encode a batch of texts (or text pairs) into padded numpy arrays.

        Parameters
        ----------
        texts : str or sequence of str
            The texts (a single str is a batch of one).
        text_pairs : str or sequence of str, optional
            Second segments, one per text (token type id 1).
        padding : {"longest", "max_length", "do_not_pad"} or bool, default="longest"
            Pad every row to the longest row of the batch, to ``max_length``, or not
            at all (then every row must have the same length). True means
            "longest", False "do_not_pad".
        truncation : bool, str or None, default=None
            None: cut texts to ``max_length`` (default ``model_max_length``) and warn
            when a text was cut. True or "longest_first": cut silently, removing
            tokens from the longer segment of a pair first; "only_first" /
            "only_second": cut only that segment. False or "do_not_truncate": never
            cut.
        max_length : int, optional
            Length limit of truncation and of ``padding="max_length"``, special
            tokens included. Default ``model_max_length``.
        pad_to_multiple_of : int, optional
            Round the padded length up to a multiple of this.
        add_special_tokens : bool, default=True
            Add [CLS] text [SEP] (and pair [SEP]).

        Returns
        -------
        encoding : dict of str to ndarray
            ``input_ids``, ``attention_mask`` (1 for real tokens, 0 for padding) and
            ``token_type_ids`` (0 for the first segment and its special tokens, 1
            for the second), each an int64 array of shape (n_texts, n_tokens).
        """
        mode = padding_mode(padding)
        check_multiple(pad_to_multiple_of)
        rows, first_lengths = self._encode_rows(
            texts, text_pairs, add_special_tokens, truncation, max_length
        )
        return pad_rows(
            rows,
            first_lengths,
            mode=mode,
            max_length=self.model_max_length if max_length is None else max_length,
            pad_to_multiple_of=pad_to_multiple_of,
            pad_id=self.pad_token_id,
        )


class _PieceCache(dict[str, tuple[int, ...]]):
    """Run of text -> WordPiece ids, filled on a miss; emptied when it grows too
    big."""

    def __init__(self, split: Any) -> None:
        super().__init__()
        self._split = split

    def __missing__(self, word: str) -> tuple[int, ...]:
        pieces: tuple[int, ...] = self._split(word)
        if len(word) <= _CACHE_MAX_CHARS:
            if len(self) >= _CACHE_SIZE:
                self.clear()
            self[word] = pieces
        return pieces


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {str(path)!r}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{str(path)!r} does not hold a JSON object")
    return data
