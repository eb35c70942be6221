"""fastText subword kernels (fastml.kernels.nn.tokenizers) against the naive
references of tests/naive/tokenizers.py."""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.nn.tokenizers import count_char_ngrams, hash_char_ngrams, mean_rows
from naive.tokenizers import naive_char_ngrams, naive_fasttext_hash
from numpy.testing import assert_array_equal

_ALPHABET = (
    list("abcxyzAZ09-_'")
    + list("éüßçñ")
    + list("αβγдж")
    + list("日本語한")
    + [
        "😀",
        "🇫",
        "\u0301",
        "\U0010fffd",
    ]
)


def _random_words(n, seed):
    rng = np.random.default_rng(seed)
    words = ["", "a", "ab", "abc", "日", "😀", "where", "é" * 9]
    for _ in range(n):
        length = int(rng.integers(0, 12))
        words.append("".join(rng.choice(_ALPHABET, size=length)))
    return words


def _pack(words):
    encoded = [("<" + w + ">").encode("utf-8") for w in words]
    starts = np.zeros(len(words) + 1, dtype=np.int64)
    starts[1:] = np.cumsum([len(e) for e in encoded])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), starts


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("minn, maxn", [(3, 6), (1, 1), (1, 3), (2, 5), (5, 5), (4, 9)])
def test_hash_char_ngrams_matches_naive(seed, minn, maxn):
    words = _random_words(60, seed)
    data, starts = _pack(words)
    counts = np.zeros(len(words), dtype=np.int64)
    count_char_ngrams(data, starts, minn, maxn, counts)
    expected = [naive_char_ngrams(w, minn, maxn) for w in words]
    assert_array_equal(counts, [len(g) for g in expected])
    indptr = np.zeros(len(words) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(counts)
    bucket, offset = 1009 + seed, 17
    ids = np.full(int(indptr[-1]), -1, dtype=np.int64)
    hash_char_ngrams(data, starts, minn, maxn, bucket, offset, indptr, ids)
    flat = [offset + naive_fasttext_hash(g) % bucket for gs in expected for g in gs]
    assert_array_equal(ids, flat)


def test_hash_full_range_bucket():
    # A bucket of 2**32 - 1 keeps (almost) the raw 32-bit hash.
    words = ["naïve", "日本語", "x"]
    data, starts = _pack(words)
    counts = np.zeros(3, dtype=np.int64)
    count_char_ngrams(data, starts, 3, 6, counts)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    ids = np.empty(int(indptr[-1]), dtype=np.int64)
    hash_char_ngrams(data, starts, 3, 6, 2**32 - 1, 0, indptr, ids)
    grams = [g for w in words for g in naive_char_ngrams(w)]
    assert_array_equal(ids, [naive_fasttext_hash(g) % (2**32 - 1) for g in grams])


def test_no_words():
    data = np.zeros(1, dtype=np.uint8)
    starts = np.zeros(1, dtype=np.int64)
    counts = np.zeros(0, dtype=np.int64)
    count_char_ngrams(data, starts, 3, 6, counts)
    ids = np.zeros(0, dtype=np.int64)
    hash_char_ngrams(data, starts, 3, 6, 10, 0, starts, ids)


def _naive_mean_rows(matrix, indptr, indices, dtype):
    out = np.zeros((len(indptr) - 1, matrix.shape[1]), dtype=dtype)
    for w in range(len(indptr) - 1):
        rows = indices[indptr[w] : indptr[w + 1]]
        acc = np.zeros(matrix.shape[1], dtype=dtype)
        for r in rows:  # in order, in the matrix dtype
            acc = (acc + matrix[r]).astype(dtype)
        if len(rows):
            acc = (acc * dtype(1.0 / len(rows))).astype(dtype)
        out[w] = acc
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", [0, 1])
def test_mean_rows_matches_naive(dtype, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(50, 7)).astype(dtype)
    counts = rng.integers(0, 6, size=20)
    counts[:2] = [0, 1]
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    indices = rng.integers(0, 50, size=int(indptr[-1])).astype(np.int64)
    scales = np.zeros(20, dtype=dtype)
    scales[counts > 0] = 1.0 / counts[counts > 0]
    out = np.full((20, 7), np.nan, dtype=dtype)
    mean_rows(matrix, indptr, indices, scales, out)
    assert_array_equal(out, _naive_mean_rows(matrix, indptr, indices, dtype))
    assert_array_equal(out[0], 0.0)
    assert_array_equal(out[1], matrix[indices[0]])
