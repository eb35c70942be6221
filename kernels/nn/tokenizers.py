"""fastText subword kernels: hashed character n-grams and mean rows.

Words arrive as one uint8 buffer of UTF-8 bytes, each word already wrapped in the
boundary markers "<" and ">", with ``word_starts`` (int64, n_words + 1) giving each
word's byte range (word i is ``data[word_starts[i]:word_starts[i + 1]]``).

Character n-grams (Bojanowski et al., "Enriching Word Vectors with Subword
Information", TACL 2017, section 3.2): every run of n consecutive characters of the
wrapped word, minn <= n <= maxn, characters counted as UTF-8 code points (a byte
0b10xxxxxx continues the previous character), the wrapped word itself included when
its length is in range, and, when minn is 1, the lone boundary markers left out (as
fastText does). N-grams are listed by start character, then by length.

Hash: 32-bit FNV-1a over the n-gram's bytes, as fastText computes it: each byte is
read as a signed char, so bytes >= 0x80 are sign-extended to 32 bits before the xor
(fastText issues #539 and #553 document this departure from textbook FNV-1a). The
n-gram's id is ``offset + hash % bucket``.

Kernels are serial (nogil): hashing costs a few nanoseconds per byte and the mean
is a row gather, both far below a Python-level loop over the words.

Naive references: tests/naive/tokenizers.py (``naive_char_ngrams``,
``naive_fasttext_hash``); tests: tests/kernels/test_tokenizers.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["count_char_ngrams", "hash_char_ngrams", "mean_rows"]

_FNV_OFFSET = np.uint64(2166136261)
_FNV_PRIME = np.uint64(16777619)
_LOW32 = np.uint64(0xFFFFFFFF)
_SIGN_BITS = np.uint64(0xFFFFFF00)


@jit
def _is_continuation(byte: np.uint8) -> bool:
    return (byte & 0xC0) == 0x80


@jit
def count_char_ngrams(data, word_starts, minn, maxn, counts):
    """Number of character n-grams of every wrapped word.

    Parameters
    ----------
    data : ndarray of shape (n_bytes,), uint8
        IN. The wrapped words' UTF-8 bytes, back to back.
    word_starts : ndarray of shape (n_words + 1,), int64
        IN. Byte offsets of the words in ``data``.
    minn, maxn : int
        Shortest and longest n-gram, in characters.
    counts : ndarray of shape (n_words,), int64
        OUT. The number of n-grams of each word.
    """
    n_words = word_starts.shape[0] - 1
    for w in range(n_words):
        begin = word_starts[w]
        end = word_starts[w + 1]
        total = 0
        for i in range(begin, end):
            if _is_continuation(data[i]):
                continue
            j = i
            n = 1
            while j < end and n <= maxn:
                j += 1
                while j < end and _is_continuation(data[j]):
                    j += 1
                if n >= minn and not (n == 1 and (i == begin or j == end)):
                    total += 1
                n += 1
        counts[w] = total


@jit
def hash_char_ngrams(data, word_starts, minn, maxn, bucket, offset, indptr, ids):
    """Bucket ids of the character n-grams of every wrapped word.

    Parameters
    ----------
    data, word_starts, minn, maxn
        IN. As in :func:`count_char_ngrams`.
    bucket : int
        Number of hash buckets (> 0).
    offset : int
        Added to every bucket (fastText: the number of vocabulary words).
    indptr : ndarray of shape (n_words + 1,), int64
        IN. Word w's ids go to ``ids[indptr[w]:indptr[w + 1]]`` (the cumulative
        sum of :func:`count_char_ngrams`' counts, starting at 0).
    ids : ndarray of shape (indptr[-1],), int64
        OUT. ``offset + fnv1a(ngram) % bucket`` for each n-gram, in the order of
        the module docstring.
    """
    n_words = word_starts.shape[0] - 1
    bucket64 = np.uint64(bucket)
    for w in range(n_words):
        begin = word_starts[w]
        end = word_starts[w + 1]
        k = indptr[w]
        for i in range(begin, end):
            if _is_continuation(data[i]):
                continue
            h = _FNV_OFFSET
            j = i
            n = 1
            while j < end and n <= maxn:
                # Hash the next character's bytes, each as a sign-extended char;
                # the state is kept in 64 bits and cut back to 32 after each step.
                while True:
                    byte = np.uint64(data[j])
                    if byte >= 0x80:
                        byte |= _SIGN_BITS
                    h = ((h ^ byte) * _FNV_PRIME) & _LOW32
                    j += 1
                    if j >= end or not _is_continuation(data[j]):
                        break
                if n >= minn and not (n == 1 and (i == begin or j == end)):
                    ids[k] = offset + np.int64(h % bucket64)
                    k += 1
                n += 1


@jit
def mean_rows(matrix, indptr, indices, scales, out):
    """Mean of selected rows: ``out[w] = scales[w] * sum(matrix[indices[indptr[w]:
    indptr[w + 1]]])``, summed in index order in the matrix dtype.

    Parameters
    ----------
    matrix : ndarray of shape (n_rows, dim), float32 or float64
        IN. C-contiguous.
    indptr : ndarray of shape (n_words + 1,), int64
        IN.
    indices : ndarray of shape (indptr[-1],), int64
        IN. Row numbers, all in [0, n_rows).
    scales : ndarray of shape (n_words,), matrix dtype
        IN. 1 / (number of rows of word w), rounded to the matrix dtype; a word
        without rows gets the zero vector.
    out : ndarray of shape (n_words, dim), matrix dtype
        OUT. Summing in the matrix dtype and multiplying by the rounded reciprocal
        reproduces fastText's float32 word vectors.
    """
    n_words = indptr.shape[0] - 1
    dim = matrix.shape[1]
    for w in range(n_words):
        for d in range(dim):
            out[w, d] = 0
        for k in range(indptr[w], indptr[w + 1]):
            row = indices[k]
            for d in range(dim):
                out[w, d] += matrix[row, d]
        scale = scales[w]
        for d in range(dim):
            out[w, d] *= scale
