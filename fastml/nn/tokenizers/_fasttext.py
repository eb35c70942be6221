"""fastText subwords: hashed character n-grams, so that every word gets a vector."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from fastml.nn.tokenizers._encoding import check_text

__all__ = ["FastTextSubwords", "fasttext_hash"]


def fasttext_hash(text: str) -> int:
    """fastText's 32-bit hash of a string.

    FNV-1a over the UTF-8 bytes, with each byte read as a signed char (bytes >= 0x80
    sign-extended before the xor), as fastText computes it.

    Parameters
    ----------
    text : str

    Returns
    -------
    hash : int
        In [0, 2**32).

    Examples
    --------
    >>> from fastml.nn.tokenizers import fasttext_hash
    >>> fasttext_hash("<wh")
    1048167652
    """
    check_text(text)
    h = 2166136261
    for byte in text.encode("utf-8"):
        if byte >= 0x80:
            byte |= 0xFFFFFF00
        h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


# fastText's end-of-sentence token: a vocabulary word without n-grams.
EOS = "</s>"


def _pack_words(words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of "<word>" for every word, back to back, and the byte offsets
    (no bytes, hence no n-grams, for the end-of-sentence token)."""
    encoded = [b"" if word == EOS else ("<" + word + ">").encode() for word in words]
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=starts[1:])
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    if data.size == 0:
        data = np.zeros(1, dtype=np.uint8)
    return data, starts


class FastTextSubwords:
    """Character n-gram subwords of fastText (Bojanowski et al., 2017).

    A word is wrapped in "<" and ">"; its subwords are all character n-grams of
    the wrapped word with ``minn <= n <= maxn`` (the wrapped word itself included
    when it is short enough), each hashed (:func:`fasttext_hash`) into one of
    ``bucket`` rows placed after the vocabulary's rows. A vocabulary word also has
    its own row. Its vector is the mean of the rows of its subwords (and its own
    row), so a word outside the vocabulary still gets a vector from its n-grams.
    fastText's end-of-sentence token ``"</s>"`` has no n-grams.
    Row numbers and vectors equal those of fastText's ``get_subwords`` and
    ``get_word_vector``.

    Parameters
    ----------
    vocab : sequence of str or mapping of str to int, optional
        The vocabulary: words in row order, or word to row (rows 0 to
        len(vocab) - 1). Default: no vocabulary (every word is built from its
        n-grams).
    minn, maxn : int, default=3, 6
        Shortest and longest n-gram, in characters. ``maxn=0`` turns subwords off.
    bucket : int, default=2_000_000
        Number of hash buckets (fastText's default).

    Attributes
    ----------
    vocab : dict of str to int
        Word to row.
    n_words : int
        Number of vocabulary rows; n-gram rows start here.
    n_rows : int
        ``n_words + bucket``: the number of rows a vector matrix must have.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.nn.tokenizers import FastTextSubwords
    >>> sub = FastTextSubwords(["where"], bucket=100)
    >>> sub.ngrams("where")[:4]
    ['<wh', '<whe', '<wher', '<where']
    >>> matrix = np.ones((sub.n_rows, 3), dtype=np.float32)
    >>> sub.word_vector("wherever", matrix)
    array([1., 1., 1.], dtype=float32)
    """

    def __init__(
        self,
        vocab: Sequence[str] | Mapping[str, int] | None = None,
        *,
        minn: int = 3,
        maxn: int = 6,
        bucket: int = 2_000_000,
    ) -> None:
        for name, value in (("minn", minn), ("maxn", maxn), ("bucket", bucket)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {value!r}")
        if maxn < 0 or minn < 1 or (maxn > 0 and minn > maxn):
            raise ValueError(
                f"need 1 <= minn <= maxn (or maxn = 0), got minn={minn}, maxn={maxn}"
            )
        if not 0 < bucket < 2**32:
            raise ValueError(f"bucket must be in [1, 2**32), got {bucket}")
        self.minn, self.maxn, self.bucket = int(minn), int(maxn), int(bucket)
        if vocab is None:
            self.vocab: dict[str, int] = {}
        elif isinstance(vocab, Mapping):
            self.vocab = {}
            for word, row in vocab.items():
                check_text(word, "every vocabulary word")
                if isinstance(row, bool) or not isinstance(row, (int, np.integer)):
                    raise TypeError("vocabulary rows must be ints")
                self.vocab[word] = int(row)
            if sorted(self.vocab.values()) != list(range(len(self.vocab))):
                raise ValueError(
                    "vocabulary rows must be 0 to len(vocab) - 1, once each"
                )
        elif isinstance(vocab, str) or not isinstance(vocab, Iterable):
            raise TypeError("vocab must be a sequence of str or a mapping")
        else:
            self.vocab = {}
            for word in vocab:
                check_text(word, "every vocabulary word")
                if word in self.vocab:
                    raise ValueError(f"the word {word!r} is twice in the vocabulary")
                self.vocab[word] = len(self.vocab)
        self.n_words = len(self.vocab)
        self.n_rows = self.n_words + self.bucket

    def __repr__(self) -> str:
        return (
            f"FastTextSubwords(n_words={self.n_words}, minn={self.minn}, "
            f"maxn={self.maxn}, bucket={self.bucket})"
        )

    def ngrams(self, word: str) -> list[str]:
        """The character n-grams of ``"<" + word + ">"``, by start then length.

        Parameters
        ----------
        word : str

        Returns
        -------
        ngrams : list of str
        """
        check_text(word, "word")
        if word == EOS:
            return []
        marked = "<" + word + ">"
        last = len(marked) - 1
        grams = []
        for start in range(len(marked)):
            for n in range(self.minn, min(self.maxn, len(marked) - start) + 1):
                if n == 1 and (start == 0 or start == last):
                    continue
                grams.append(marked[start : start + n])
        return grams

    def subword_ids(self, words: str | Sequence[str]) -> Any:
        """Rows of a word (its own row first when in the vocabulary, then its
        n-grams), or, for a sequence of words, CSR arrays of all of them.

        Parameters
        ----------
        words : str or sequence of str

        Returns
        -------
        ids : ndarray of shape (n_ids,), int64
            For one word.
        indptr, ids : ndarray of shape (n_words + 1,) and (nnz,), int64
            For a sequence: word i's rows are ``ids[indptr[i]:indptr[i + 1]]``.
        """
        if isinstance(words, str):
            indptr, ids = self._csr([words])
            return ids
        if not isinstance(words, (Sequence, np.ndarray)):
            raise TypeError("words must be a str or a sequence of str")
        for word in words:
            check_text(word, "every word")
        return self._csr(words)

    def _csr(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        from fastml.kernels.nn.tokenizers import count_char_ngrams, hash_char_ngrams

        n_words = len(words)
        own = np.array([self.vocab.get(word, -1) for word in words], dtype=np.int64)
        counts = np.zeros(n_words, dtype=np.int64)
        data, starts = _pack_words(words)
        if self.maxn > 0 and n_words:
            count_char_ngrams(data, starts, self.minn, self.maxn, counts)
        counts += own >= 0
        indptr = np.zeros(n_words + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        ids = np.empty(int(indptr[-1]), dtype=np.int64)
        has_own = own >= 0
        ids[indptr[:-1][has_own]] = own[has_own]
        if self.maxn > 0 and n_words:
            # The n-grams go after the word's own row.
            gram_ptr = indptr.copy()
            gram_ptr[:-1] += has_own
            hash_char_ngrams(
                data,
                starts,
                self.minn,
                self.maxn,
                self.bucket,
                self.n_words,
                gram_ptr,
                ids,
            )
        return indptr, ids

    def word_vectors(self, words: Sequence[str], matrix: np.ndarray) -> np.ndarray:
        """Vectors of many words: the mean of each word's rows of ``matrix``.

        Parameters
        ----------
        words : sequence of str
        matrix : array-like of shape (n_rows, dim), float32 or float64
            fastText's input matrix: vocabulary rows, then ``bucket`` n-gram rows.

        Returns
        -------
        vectors : ndarray of shape (n_words, dim)
            In the matrix's dtype (float32 for other inputs); a word without any
            row (empty, or shorter than ``minn`` and unknown) gets zeros.
        """
        from fastml.kernels.nn.tokenizers import mean_rows

        if isinstance(words, str):
            raise TypeError("words must be a sequence of str; use word_vector for one")
        matrix = np.asarray(matrix)
        if matrix.ndim != 2 or matrix.shape[0] != self.n_rows:
            raise ValueError(
                f"matrix must have shape ({self.n_rows}, dim) (n_words + bucket rows), "
                f"got {matrix.shape}"
            )
        if matrix.dtype not in (np.float32, np.float64):
            if not np.issubdtype(matrix.dtype, np.number):
                raise TypeError(f"matrix must be numeric, got dtype {matrix.dtype}")
            matrix = matrix.astype(np.float32)
        matrix = np.ascontiguousarray(matrix)
        indptr, ids = self.subword_ids(words)
        counts = np.diff(indptr)
        scales = np.zeros(len(counts), dtype=matrix.dtype)
        nonzero = counts > 0
        scales[nonzero] = 1.0 / counts[nonzero]
        out = np.empty((len(counts), matrix.shape[1]), dtype=matrix.dtype)
        mean_rows(matrix, indptr, ids, scales, out)
        return out

    def word_vector(self, word: str, matrix: np.ndarray) -> np.ndarray:
        """The vector of one word (see :meth:`word_vectors`).

        Returns
        -------
        vector : ndarray of shape (dim,)
        """
        check_text(word, "word")
        return self.word_vectors([word], matrix)[0]
