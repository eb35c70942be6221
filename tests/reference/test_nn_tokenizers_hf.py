"""WordPieceTokenizer against Hugging Face's tokenizers (Rust) and transformers'
BertTokenizer on the all-MiniLM-L6-v2 vocabulary.

Token ids, attention masks and token type ids are integers: every comparison is
exact (no tolerance). A sweep over every Unicode code point checks the character
tables (control, whitespace, CJK, punctuation, accents) against tokenizers' own
normalizer and pre-tokenizer.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from naive.tokenizers import varied_texts
from numpy.testing import assert_array_equal

from fastml.nn.tokenizers import WordPieceTokenizer

tokenizers = pytest.importorskip("tokenizers")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="module")
def texts():
    corpus = varied_texts(n_random=200, seed=0)
    assert len(corpus) >= 300
    return corpus


@pytest.fixture(scope="module")
def pairs(texts):
    half = len(texts) // 2
    return texts[:half], texts[half : 2 * half][::-1]


@pytest.fixture(scope="module")
def ours(minilm_dir):
    return WordPieceTokenizer.from_pretrained(minilm_dir)


@pytest.fixture
def rust(minilm_dir):
    tok = tokenizers.Tokenizer.from_file(str(minilm_dir / "tokenizer.json"))
    # The file sets fixed padding and truncation to 128; each test sets its own.
    tok.no_padding()
    tok.no_truncation()
    return tok


@pytest.fixture(scope="module")
def bert(minilm_dir):
    transformers = pytest.importorskip("transformers")
    return transformers.BertTokenizer.from_pretrained(str(minilm_dir))


def _rust_arrays(encodings):
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def _assert_same(ours, theirs):
    assert set(ours) == {"input_ids", "attention_mask", "token_type_ids"}
    for key in ours:
        assert ours[key].dtype == np.int64
        assert_array_equal(ours[key], np.asarray(theirs[key]), err_msg=key)


@pytest.mark.filterwarnings("ignore:a sequence has")
def test_tokens_and_ids_per_text(ours, rust, texts):
    for text in texts:
        expected = rust.encode(text)
        assert ours.encode(text, truncation=False) == expected.ids, repr(text)
        assert ours.tokenize(text) == expected.tokens[1:-1], repr(text)
        no_special = rust.encode(text, add_special_tokens=False).ids
        assert ours.encode(text, add_special_tokens=False, truncation=False) == (
            no_special
        )


@pytest.mark.parametrize("max_length", [8, 32, 128])
def test_batch_padding_truncation(ours, rust, texts, max_length):
    rust.enable_truncation(max_length)
    rust.enable_padding(pad_id=0, pad_token="[PAD]")
    expected = _rust_arrays(rust.encode_batch(texts))
    got = ours(texts, padding="longest", truncation=True, max_length=max_length)
    _assert_same(got, expected)

    rust.enable_padding(pad_id=0, pad_token="[PAD]", length=max_length + 3)
    expected = _rust_arrays(rust.encode_batch(texts[:50]))
    got = ours(texts[:50], padding="max_length", truncation=True, max_length=max_length)
    # padding="max_length" pads to max_length itself; tokenizers pads to the
    # fixed length asked for, so compare the first max_length columns and check
    # the rest of tokenizers' row is padding.
    assert got["input_ids"].shape == (50, max_length)
    _assert_same(got, {k: v[:, :max_length] for k, v in expected.items()})
    assert (expected["attention_mask"][:, max_length:] == 0).all()


@pytest.mark.filterwarnings("ignore:a sequence has")
@pytest.mark.parametrize("max_length", [None, 9, 24, 64])
def test_pairs(ours, rust, pairs, max_length):
    firsts, seconds = pairs
    if max_length is not None:
        rust.enable_truncation(max_length, strategy="longest_first")
    rust.enable_padding(pad_id=0, pad_token="[PAD]")
    expected = _rust_arrays(rust.encode_batch(list(zip(firsts, seconds))))
    got = ours(
        firsts,
        seconds,
        truncation=max_length is not None,
        max_length=max_length,
    )
    _assert_same(got, expected)


@pytest.mark.parametrize("strategy", ["only_first", "only_second"])
def test_pairs_one_side_truncation(ours, rust, strategy):
    firsts = ["a long first segment with many many words in it"] * 2
    seconds = ["short", "a somewhat longer second segment here"]
    rust.enable_truncation(20, strategy=strategy)
    rust.enable_padding()
    expected = _rust_arrays(rust.encode_batch(list(zip(firsts, seconds))))
    got = ours(firsts, seconds, truncation=strategy, max_length=20)
    _assert_same(got, expected)


def test_transformers_bert_tokenizer(ours, bert, texts, pairs):
    for options in [
        dict(padding=True, truncation=True, max_length=64),
        dict(padding="max_length", truncation=True, max_length=40),
        dict(padding=True, truncation=True, max_length=256),
    ]:
        expected = bert(texts, return_tensors="np", **options)
        _assert_same(ours(texts, **options), expected)
    firsts, seconds = pairs
    expected = bert(
        list(firsts),
        list(seconds),
        padding=True,
        truncation=True,
        max_length=48,
        return_tensors="np",
    )
    _assert_same(ours(firsts, seconds, truncation=True, max_length=48), expected)


def test_decode(ours, rust, bert, texts):
    for text in texts[:120]:
        ids = rust.encode(text).ids
        assert ours.decode(ids, skip_special_tokens=True) == rust.decode(
            ids, skip_special_tokens=True
        )
        assert ours.decode(ids) == bert.decode(ids), repr(text)


def test_unicode_tables_sweep(ours):
    """Every code point (surrogates aside) between letters: the words after
    cleaning, CJK splitting and punctuation splitting, then after accent
    stripping and lower-casing, equal tokenizers' normalizer + pre-tokenizer."""
    import unicodedata

    normalizers, pre_tokenizers = tokenizers.normalizers, tokenizers.pre_tokenizers
    split = pre_tokenizers.BertPreTokenizer()
    plain = normalizers.BertNormalizer(
        clean_text=True,
        handle_chinese_chars=True,
        strip_accents=False,
        lowercase=False,
    )
    full = normalizers.BertNormalizer(
        clean_text=True,
        handle_chinese_chars=True,
        strip_accents=True,
        lowercase=True,
    )
    cased = WordPieceTokenizer(ours.vocab, do_lower_case=False, strip_accents=False)
    code_points = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    # Known differences in lower-casing and NFD: characters this Python's Unicode
    # tables do not know (tokenizers lower-cases with newer tables) and U+11938,
    # which Python decomposes and tokenizers does not.
    known = {cp for cp in code_points if unicodedata.category(chr(cp)) == "Cn"} | {
        0x11938
    }
    for start in range(0, len(code_points), 1 << 16):
        chunk = code_points[start : start + (1 << 16)]
        text = "x".join(map(chr, chunk))
        theirs = [w for w, _ in split.pre_tokenize_str(plain.normalize_str(text))]
        assert cased.basic_tokenize(text) == theirs
        kept = "x".join(chr(cp) for cp in chunk if cp not in known)
        theirs = [w for w, _ in split.pre_tokenize_str(full.normalize_str(kept))]
        assert ours.basic_tokenize(kept) == theirs
