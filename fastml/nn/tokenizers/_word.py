"""Word-level tokenization (Word2Vec style) and GloVe-style word vector lookup."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fastml.nn.tokenizers._encoding import check_text

__all__ = ["GloveLookup", "WordTokenizer"]


def _split(text: str, pattern: re.Pattern[str] | None, lowercase: bool) -> list[str]:
    if lowercase:
        text = text.lower()
    if pattern is None:
        return text.split()
    return pattern.findall(text)


def _compile(token_pattern: str | None) -> re.Pattern[str] | None:
    if token_pattern is None:
        return None
    if not isinstance(token_pattern, str):
        raise TypeError("token_pattern must be a str (a regular expression) or None")
    return re.compile(token_pattern)


def _texts(texts: Any, name: str = "texts") -> Any:
    if isinstance(texts, str) or not isinstance(texts, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of str, got {type(texts).__name__}")
    for text in texts:
        check_text(text, f"every entry of {name}")
    return texts


class WordTokenizer:
    """Word-level vocabulary with an unknown token (Word2Vec style).

    Texts are split into words (on whitespace, as Word2Vec's tools do, or with a
    regular expression), optionally lower-cased. :meth:`fit` keeps the words seen
    at least ``min_count`` times, the most frequent first (ties in order of first
    appearance), at most ``max_size`` of them; id 0 is the unknown token, which
    every other word maps to.

    Parameters
    ----------
    lowercase : bool, default=True
        Lower-case texts before splitting.
    min_count : int, default=1
        Words seen fewer times are left out of the vocabulary.
    max_size : int, optional
        At most this many words (the unknown token not counted).
    unk_token : str, default="<unk>"
        The token of id 0.
    token_pattern : str, optional
        A regular expression whose matches are the words (for example
        ``r"\\w+|[^\\w\\s]"`` for words and punctuation marks). Default: split on
        whitespace.

    Attributes
    ----------
    vocab_ : dict of str to int
        Word to id (``unk_token`` is 0).
    counts_ : dict of str to int
        How often each vocabulary word was seen by :meth:`fit`.

    Examples
    --------
    >>> from fastml.nn.tokenizers import WordTokenizer
    >>> tok = WordTokenizer(min_count=2).fit(["the cat", "the dog", "a cat"])
    >>> tok.vocab_
    {'<unk>': 0, 'the': 1, 'cat': 2}
    >>> tok.encode("The bird")
    array([1, 0])
    >>> tok.decode([1, 2, 0])
    'the cat <unk>'
    """

    def __init__(
        self,
        *,
        lowercase: bool = True,
        min_count: int = 1,
        max_size: int | None = None,
        unk_token: str = "<unk>",
        token_pattern: str | None = None,
    ) -> None:
        self.lowercase = lowercase
        self.min_count = min_count
        self.max_size = max_size
        self.unk_token = unk_token
        self.token_pattern = token_pattern

    def _check_params(self) -> re.Pattern[str] | None:
        if isinstance(self.min_count, bool) or not isinstance(
            self.min_count, (int, np.integer)
        ):
            raise TypeError(f"min_count must be an int, got {self.min_count!r}")
        if self.min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {self.min_count}")
        if self.max_size is not None:
            if isinstance(self.max_size, bool) or not isinstance(
                self.max_size, (int, np.integer)
            ):
                raise TypeError(
                    f"max_size must be an int or None, got {self.max_size!r}"
                )
            if self.max_size < 0:
                raise ValueError(f"max_size must be >= 0, got {self.max_size}")
        if not isinstance(self.unk_token, str) or not self.unk_token:
            raise TypeError("unk_token must be a non-empty str")
        return _compile(self.token_pattern)

    def fit(self, texts: Sequence[str]) -> WordTokenizer:
        """Build the vocabulary from a corpus.

        Parameters
        ----------
        texts : sequence of str

        Returns
        -------
        self : WordTokenizer
        """
        pattern = self._check_params()
        counts: Counter[str] = Counter()
        for text in _texts(texts):
            counts.update(_split(text, pattern, self.lowercase))
        counts.pop(self.unk_token, None)
        # Counter keeps first-appearance order; the stable sort keeps it for ties.
        kept = [w for w, c in counts.items() if c >= self.min_count]
        kept.sort(key=counts.__getitem__, reverse=True)
        if self.max_size is not None:
            kept = kept[: self.max_size]
        self.vocab_ = {self.unk_token: 0}
        for word in kept:
            self.vocab_[word] = len(self.vocab_)
        self.counts_ = {word: counts[word] for word in kept}
        self._pattern = pattern
        self._id_to_word = list(self.vocab_)
        return self

    def _fitted(self) -> None:
        if not hasattr(self, "vocab_"):
            from fastml.base import NotFittedError

            raise NotFittedError(
                "This WordTokenizer instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def __len__(self) -> int:
        self._fitted()
        return len(self.vocab_)

    def tokenize(self, text: str) -> list[str]:
        """The words of a text (lower-cased when asked), known or not."""
        check_text(text)
        pattern = self._pattern if hasattr(self, "_pattern") else self._check_params()
        return _split(text, pattern, self.lowercase)

    def encode(self, text: str) -> np.ndarray:
        """Ids of the words of a text (0 for unknown words).

        Returns
        -------
        ids : ndarray of shape (n_words,), int64
        """
        self._fitted()
        vocab = self.vocab_
        words = self.tokenize(text)
        return np.fromiter((vocab.get(w, 0) for w in words), np.int64, len(words))

    def encode_batch(self, texts: Sequence[str]) -> list[np.ndarray]:
        """:meth:`encode` of every text."""
        return [self.encode(text) for text in _texts(texts)]

    def decode(self, ids: Iterable[int]) -> str:
        """Words of the ids joined by spaces (ids out of range raise IndexError)."""
        self._fitted()
        words = []
        for idx in np.asarray(ids, dtype=np.int64).ravel().tolist():
            if not 0 <= idx < len(self._id_to_word):
                raise IndexError(f"word id {idx} is not in the vocabulary")
            words.append(self._id_to_word[idx])
        return " ".join(words)


class GloveLookup:
    """Word to vector lookup (GloVe style); unknown words get the zero vector.

    Parameters
    ----------
    vectors : mapping of str to array-like
        Word to vector (all of the same length).
    lowercase : bool, default=False
        Lower-case the words looked up (for uncased vectors such as GloVe 6B);
        when two stored words differ only in case, the first one is kept.
    dtype : {np.float32, np.float64}, default=np.float32
        The dtype of the vectors.
    token_pattern : str or None, default=r"\\w+|[^\\w\\s]"
        How :meth:`sentence_vector` splits a text into words (words and single
        punctuation marks, as GloVe's tokenized corpora); None splits on
        whitespace.

    Attributes
    ----------
    vocab : dict of str to int
        Word to row of ``vectors``.
    vectors : ndarray of shape (n_words, dim)
    dim : int

    Examples
    --------
    >>> from fastml.nn.tokenizers import GloveLookup
    >>> glove = GloveLookup({"cat": [1.0, 0.0], "dog": [0.0, 1.0]})
    >>> glove["cat"], glove["bird"]
    (array([1., 0.], dtype=float32), array([0., 0.], dtype=float32))
    >>> glove.sentence_vector("cat dog bird")
    array([0.5, 0.5], dtype=float32)
    """

    def __init__(
        self,
        vectors: Mapping[str, Any],
        *,
        lowercase: bool = False,
        dtype: Any = np.float32,
        token_pattern: str | None = r"\w+|[^\w\s]",
    ) -> None:
        if not isinstance(vectors, Mapping):
            raise TypeError(
                f"vectors must be a mapping of str to vectors, got "
                f"{type(vectors).__name__}; use GloveLookup.from_file for a file"
            )
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        if not vectors:
            raise ValueError("no word vectors given")
        words = list(vectors)
        for word in words:
            check_text(word, "every word")
        rows = [np.asarray(vectors[word]) for word in words]
        dims = {row.shape for row in rows}
        if len(dims) != 1 or rows[0].ndim != 1 or rows[0].shape[0] == 0:
            raise ValueError(
                "every vector must be 1-D and of the same non-zero length, got "
                f"shapes {sorted(dims)[:3]}"
            )
        if not all(np.issubdtype(row.dtype, np.number) for row in rows):
            raise TypeError("vectors must be numeric")
        self._setup(words, np.array(rows, dtype=dtype), lowercase, token_pattern)

    def _setup(
        self,
        words: list[str],
        matrix: np.ndarray,
        lowercase: bool,
        token_pattern: str | None,
    ) -> None:
        self.lowercase = bool(lowercase)
        self.token_pattern = token_pattern
        self._pattern = _compile(token_pattern)
        self.vocab: dict[str, int] = {}
        keep: list[int] = []
        for row, word in enumerate(words):
            key = word.lower() if self.lowercase else word
            if key not in self.vocab:
                self.vocab[key] = len(keep)
                keep.append(row)
        self.vectors = matrix if len(keep) == len(words) else matrix[keep]
        self.dim = int(matrix.shape[1])
        self._zero = np.zeros(self.dim, dtype=matrix.dtype)
        self._zero.flags.writeable = False

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        *,
        lowercase: bool = False,
        dtype: Any = np.float32,
        max_words: int | None = None,
        token_pattern: str | None = r"\w+|[^\w\s]",
    ) -> GloveLookup:
        """Read a GloVe text file: a word then its floats, separated by spaces, one
        word per line (a first line "n_words dim", as in word2vec text files, is
        skipped). Words may contain spaces: the last ``dim`` fields are the vector.

        Parameters
        ----------
        path : str or path-like
            The file (UTF-8).
        lowercase, dtype, token_pattern
            As in the constructor.
        max_words : int, optional
            Read only the first ``max_words`` words.

        Returns
        -------
        lookup : GloveLookup
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"vector file not found: {str(path)!r}")
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype}")
        words: list[str] = []
        numbers: list[str] = []
        dim = 0
        with open(path, encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                if max_words is not None and len(words) >= max_words:
                    break
                fields = line.rstrip("\r\n").rstrip(" ").split(" ")
                if fields == [""]:
                    continue
                if (
                    line_no == 1
                    and len(fields) == 2
                    and all(field.isdigit() for field in fields)
                ):
                    continue
                if dim == 0:
                    dim = _vector_width(fields)
                    if dim == 0:
                        raise ValueError(f"{str(path)!r} line {line_no}: no vector")
                if len(fields) < dim + 1:
                    raise ValueError(
                        f"{str(path)!r} line {line_no}: expected a word and {dim} "
                        f"numbers, got {len(fields)} fields"
                    )
                words.append(" ".join(fields[:-dim]))
                numbers.extend(fields[-dim:])
        if not words:
            raise ValueError(f"no word vectors in {str(path)!r}")
        try:
            matrix = np.array(numbers, dtype=np.float64).reshape(len(words), dim)
        except ValueError as exc:
            raise ValueError(f"{str(path)!r}: a vector field is not a number") from exc
        lookup = cls.__new__(cls)
        lookup._setup(words, matrix.astype(dtype), lowercase, token_pattern)
        return lookup

    def __len__(self) -> int:
        return len(self.vocab)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        return (word.lower() if self.lowercase else word) in self.vocab

    def __repr__(self) -> str:
        return f"GloveLookup(n_words={len(self)}, dim={self.dim})"

    def __getitem__(self, word: str) -> np.ndarray:
        """The vector of a word (a read-only zero vector for unknown words)."""
        check_text(word, "word")
        row = self.vocab.get(word.lower() if self.lowercase else word)
        return self._zero if row is None else self.vectors[row]

    def lookup(self, words: Sequence[str]) -> np.ndarray:
        """Vectors of many words.

        Parameters
        ----------
        words : sequence of str

        Returns
        -------
        vectors : ndarray of shape (n_words, dim)
            A new array; rows of unknown words are zero.
        """
        words = _texts(words, "words")
        rows = self._rows(words)
        out = np.zeros((len(words), self.dim), dtype=self.vectors.dtype)
        known = rows >= 0
        out[known] = self.vectors[rows[known]]
        return out

    def _rows(self, words: Sequence[str]) -> np.ndarray:
        vocab = self.vocab
        if self.lowercase:
            words = [w.lower() for w in words]
        return np.fromiter((vocab.get(w, -1) for w in words), np.int64, len(words))

    def sentence_vector(
        self, text: str | Sequence[str], *, skip_unknown: bool = True
    ) -> np.ndarray:
        """Mean vector of the words of a text.

        Parameters
        ----------
        text : str or sequence of str
            A text (split with ``token_pattern``) or its words.
        skip_unknown : bool, default=True
            Average over known words only; False counts unknown words as zero
            vectors. A text without (known) words gives the zero vector.

        Returns
        -------
        vector : ndarray of shape (dim,)
        """
        if isinstance(text, str):
            words: Sequence[str] = _split(text, self._pattern, False)
        else:
            words = _texts(text, "text")
        rows = self._rows(words)
        known = rows[rows >= 0]
        n = len(known) if skip_unknown else len(rows)
        if n == 0:
            return np.zeros(self.dim, dtype=self.vectors.dtype)
        total = self.vectors[known].sum(axis=0, dtype=np.float64)
        return (total / n).astype(self.vectors.dtype)

    def sentence_vectors(
        self, texts: Sequence[str], *, skip_unknown: bool = True
    ) -> np.ndarray:
        """:meth:`sentence_vector` of every text, shape (n_texts, dim)."""
        texts = _texts(texts)
        out = np.zeros((len(texts), self.dim), dtype=self.vectors.dtype)
        for i, text in enumerate(texts):
            out[i] = self.sentence_vector(text, skip_unknown=skip_unknown)
        return out


def _vector_width(fields: list[str]) -> int:
    """Number of trailing fields of a line that are numbers (the vector width)."""
    width = 0
    for field in reversed(fields[1:]):
        try:
            float(field)
        except ValueError:
            break
        width += 1
    return width
