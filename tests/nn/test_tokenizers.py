"""fastml.nn.tokenizers: API behaviour, options, edge cases and bad input."""

from __future__ import annotations

import json
import pickle
import warnings

import numpy as np
import pytest
from naive.tokenizers import (
    naive_char_ngrams,
    naive_fasttext_hash,
    naive_tokenize,
    varied_texts,
)
from numpy.testing import assert_array_equal

from fastml.exceptions import NotFittedError
from fastml.nn.tokenizers import (
    FastTextSubwords,
    GloveLookup,
    WordPieceTokenizer,
    WordTokenizer,
    fasttext_hash,
    load_vocab,
)

_TOKENS = [
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
    "the", "cat", "sat", "on", "mat", "un", "##aff", "##able", "##s", "a", "##b",
    "b", "c", ".", ",", "!", "?", "'", "中", "é", "e", "hello", "world", "##ing",
    "play", "σ", "ς", "ο", "##δ", "##ο", "##σ", "##ς", "x", "##x",
]  # fmt: skip
_VOCAB = {token: idx for idx, token in enumerate(_TOKENS)}
_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


@pytest.fixture
def tok():
    return WordPieceTokenizer(_VOCAB)


def _write_folder(tmp_path, tokens=_TOKENS, config=None, special=None):
    (tmp_path / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    if config is not None:
        (tmp_path / "tokenizer_config.json").write_text(json.dumps(config))
    if special is not None:
        (tmp_path / "special_tokens_map.json").write_text(json.dumps(special))
    return tmp_path


# ------------------------------------------------------------------ tokenizing
def test_tokenize_basic(tok):
    assert tok.tokenize("The cats sat, on the mat!") == [
        "the", "cat", "##s", "sat", ",", "on", "the", "mat", "!",
    ]  # fmt: skip
    assert tok.tokenize("unaffable") == ["un", "##aff", "##able"]
    assert tok.tokenize("zzz cat") == ["[UNK]", "cat"]
    # One unmatchable piece makes the whole word unknown.
    assert tok.tokenize("catz") == ["[UNK]"]
    assert tok.tokenize("") == []
    assert tok.tokenize(" \t\n ") == []


def test_lower_case_accents_and_cjk(tok):
    assert tok.tokenize("CAFÉ É e\u0301") == ["[UNK]", "e", "e"]
    assert tok.tokenize("中中") == ["中", "中"]
    # Every capital sigma lower-cases to "σ", also at the end of a word.
    assert tok.tokenize("ΟΔΟΣ") == ["ο", "##δ", "##ο", "##σ"]
    cased = WordPieceTokenizer(_VOCAB, do_lower_case=False)
    assert cased.tokenize("The cat é") == ["[UNK]", "cat", "é"]
    keep = WordPieceTokenizer(_VOCAB, strip_accents=False)
    assert keep.tokenize("É") == ["é"]
    no_cjk = WordPieceTokenizer(_VOCAB, tokenize_chinese_chars=False)
    assert no_cjk.tokenize("中中") == ["[UNK]"]


def test_control_characters_and_whitespace(tok):
    assert tok.tokenize("c\x00a\u200bt\ufffd") == ["cat"]
    assert tok.tokenize("cat\u00a0sat\u3000on\u2028mat") == ["cat", "sat", "on", "mat"]
    assert tok.tokenize("cat\x0csat") == ["[UNK]"]  # form feed is dropped


def test_special_tokens_kept_whole(tok):
    assert tok.tokenize("the[MASK]cat [SEP]") == ["the", "[MASK]", "cat", "[SEP]"]
    assert tok.tokenize("[mask]") == ["[UNK]"] * 3  # "[", "mask", "]": unknown
    custom = WordPieceTokenizer(_VOCAB, never_split=["HELLO", "xx"])
    assert custom.tokenize("HELLO world") == ["[UNK]", "world"]
    assert custom.tokenize("axxb") == ["a", "x", "##x", "b"]


def test_max_input_chars_per_word():
    tok = WordPieceTokenizer(_VOCAB, max_input_chars_per_word=5)
    assert tok.tokenize("xxxxx xxxxxx") == ["x", "##x", "##x", "##x", "##x", "[UNK]"]
    default = WordPieceTokenizer(_VOCAB)
    assert default.tokenize("x" * 100) == ["x"] + ["##x"] * 99
    assert default.tokenize("x" * 101) == ["[UNK]"]


def test_matches_naive_on_varied_texts(tok):
    for text in varied_texts(n_random=150, seed=1):
        expected = naive_tokenize(text, set(_VOCAB), _SPECIALS)
        assert tok.tokenize(text) == expected, repr(text)
    cased = WordPieceTokenizer(
        _VOCAB, do_lower_case=False, tokenize_chinese_chars=False
    )
    for text in varied_texts(n_random=50, seed=2):
        expected = naive_tokenize(
            text, set(_VOCAB), _SPECIALS, lowercase=False, chinese=False
        )
        assert cased.tokenize(text) == expected, repr(text)


@pytest.mark.filterwarnings("ignore:a sequence has")
def test_cache_does_not_change_results(tok):
    texts = varied_texts(n_random=30, seed=3)
    first = [tok.encode(t, truncation=False) for t in texts]
    second = [tok.encode(t, truncation=False) for t in texts]
    fresh = WordPieceTokenizer(_VOCAB)
    assert first == second == [fresh.encode(t, truncation=False) for t in texts]


# ------------------------------------------------------------------- encoding
def test_encode_single_and_pair(tok):
    assert tok.encode("the cat") == [2, 5, 6, 3]
    assert tok.encode("the cat", "a mat") == [2, 5, 6, 3, 14, 9, 3]
    assert tok.encode("the cat", add_special_tokens=False) == [5, 6]


def test_batch_arrays(tok):
    batch = tok(["the cat", "unaffable", ""])
    assert set(batch) == {"input_ids", "attention_mask", "token_type_ids"}
    for value in batch.values():
        assert value.dtype == np.int64
        assert value.shape == (3, 5)
        assert value.flags.c_contiguous
    assert_array_equal(
        batch["input_ids"], [[2, 5, 6, 3, 0], [2, 10, 11, 12, 3], [2, 3, 0, 0, 0]]
    )
    assert_array_equal(batch["attention_mask"], batch["input_ids"] != 0)
    assert not batch["token_type_ids"].any()
    # A single str is a batch of one.
    assert tok("the cat")["input_ids"].shape == (1, 4)


def test_pairs_token_types(tok):
    batch = tok(["the cat", "a"], ["mat", "on the mat"])
    assert_array_equal(
        batch["input_ids"],
        [[2, 5, 6, 3, 9, 3, 0], [2, 14, 3, 8, 5, 9, 3]],
    )
    assert_array_equal(
        batch["token_type_ids"],
        [[0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1]],
    )
    assert_array_equal(batch["attention_mask"], batch["input_ids"] != 0)


def test_padding_modes(tok):
    texts = ["the cat", "the cat sat"]
    assert tok(texts, padding="max_length", max_length=8)["input_ids"].shape == (2, 8)
    assert tok(texts, padding=True, pad_to_multiple_of=4)["input_ids"].shape == (2, 8)
    same = tok(["the cat", "a mat"], padding=False)
    assert same["input_ids"].shape == (2, 4)
    with pytest.raises(ValueError, match="different lengths"):
        tok(texts, padding=False)
    empty = tok([])
    assert empty["input_ids"].shape == (0, 0)


def test_truncation(tok):
    text = "the cat sat on the mat"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tok.encode(text, truncation=True, max_length=5) == [2, 5, 6, 7, 3]
        assert tok.encode(text, max_length=8) == [2, 5, 6, 7, 8, 5, 9, 3]
    with pytest.warns(UserWarning, match="truncated"):
        assert tok.encode(text, max_length=5) == [2, 5, 6, 7, 3]
    with pytest.warns(UserWarning, match="truncated"):
        batch = tok([text, "the"], max_length=4)
    assert_array_equal(batch["input_ids"], [[2, 5, 6, 3], [2, 5, 3, 0]])
    # The model's maximum length is the default limit.
    small = WordPieceTokenizer(_VOCAB, model_max_length=4)
    with pytest.warns(UserWarning, match="max_length=4"):
        assert small.encode(text) == [2, 5, 6, 3]
    with pytest.warns(UserWarning, match="more than the model's maximum"):
        assert len(small.encode(text, truncation=False)) == 8
    # Exactly the special tokens: the text is cut away entirely.
    assert tok.encode(text, truncation=True, max_length=2) == [2, 3]


def test_pair_truncation_strategies(tok):
    first, second = "the cat sat on the mat", "a cat"
    assert tok.encode(first, second, truncation=True, max_length=9) == [
        2, 5, 6, 7, 8, 3, 14, 6, 3,
    ]  # fmt: skip
    assert tok.encode(first, second, truncation="only_first", max_length=8) == [
        2, 5, 6, 7, 3, 14, 6, 3,
    ]  # fmt: skip
    assert tok.encode(second, first, truncation="only_second", max_length=7) == [
        2, 14, 6, 3, 5, 6, 3,
    ]  # fmt: skip
    with pytest.raises(ValueError, match="cannot reach max_length"):
        tok.encode(first, second, truncation="only_second", max_length=5)
    with pytest.raises(ValueError, match="needs text pairs"):
        tok.encode(first, truncation="only_second", max_length=4)


def test_conversions_and_decode(tok):
    assert tok.convert_tokens_to_ids("cat") == 6
    assert tok.convert_tokens_to_ids(["cat", "dog"]) == [6, 1]
    assert tok.convert_ids_to_tokens([2, 6]) == ["[CLS]", "cat"]
    assert tok.convert_ids_to_tokens(np.int64(6)) == "cat"
    with pytest.raises(IndexError, match="not in the vocabulary"):
        tok.convert_ids_to_tokens([len(_TOKENS)])
    ids = tok.encode("the unaffable cat , sat!")
    assert tok.decode(ids) == "[CLS] the unaffable cat, sat! [SEP]"
    assert tok.decode(ids, skip_special_tokens=True) == "the unaffable cat, sat!"
    assert (
        tok.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        == "the unaffable cat , sat !"
    )
    batch = tok(["the cat", "a"])
    assert tok.batch_decode(batch["input_ids"], skip_special_tokens=True) == [
        "the cat",
        "a",
    ]


def test_len_repr_pickle(tok):
    assert len(tok) == len(_TOKENS) == tok.vocab_size
    assert "vocab_size=39" in repr(tok)
    tok.encode("the cat")
    clone = pickle.loads(pickle.dumps(tok))
    assert clone.encode("the unaffable cat") == tok.encode("the unaffable cat")


def test_inputs_not_modified(tok):
    texts = ["the cat", "a mat"]
    copy = list(texts)
    vocab = dict(_VOCAB)
    WordPieceTokenizer(vocab)(texts)
    assert texts == copy and vocab == _VOCAB


# -------------------------------------------------------------------- loading
def test_from_pretrained_folder(tmp_path):
    folder = _write_folder(
        tmp_path,
        config={"do_lower_case": False, "model_max_length": 6, "unk_token": "[UNK]"},
    )
    tok = WordPieceTokenizer.from_pretrained(folder)
    assert not tok.do_lower_case and tok.model_max_length == 6
    assert tok.tokenize("The cat") == ["[UNK]", "cat"]
    assert WordPieceTokenizer.from_pretrained(folder, do_lower_case=True).tokenize(
        "The"
    ) == ["the"]
    assert load_vocab(folder / "vocab.txt") == _VOCAB


def test_from_pretrained_defaults_and_special_map(tmp_path):
    folder = _write_folder(
        tmp_path,
        config={"model_max_length": 1e30, "mask_token": {"content": "[MASK]"}},
        special={"unk_token": "x"},
    )
    tok = WordPieceTokenizer.from_pretrained(folder)
    assert tok.do_lower_case and tok.model_max_length is None
    assert tok.unk_token == "x" and tok.tokenize("zz") == ["x"]


def test_vocab_path_and_crlf(tmp_path):
    path = tmp_path / "v.txt"
    path.write_bytes("\r\n".join(_TOKENS).encode())
    assert WordPieceTokenizer(path).tokenize("the cat") == ["the", "cat"]
    assert WordPieceTokenizer(str(path)).vocab == _VOCAB


# ------------------------------------------------------------------ bad input
def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="vocabulary file not found"):
        WordPieceTokenizer(tmp_path / "nope.txt")
    with pytest.raises(FileNotFoundError, match="model folder not found"):
        WordPieceTokenizer.from_pretrained(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no vocab.txt"):
        WordPieceTokenizer.from_pretrained(tmp_path)


def test_bad_config(tmp_path):
    folder = _write_folder(tmp_path)
    (folder / "tokenizer_config.json").write_text("{not json")
    with pytest.raises(ValueError, match="cannot read"):
        WordPieceTokenizer.from_pretrained(folder)
    (folder / "tokenizer_config.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        WordPieceTokenizer.from_pretrained(folder)


def test_bad_vocab(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ValueError, match="is empty"):
        WordPieceTokenizer(empty)
    with pytest.raises(ValueError, match="the vocabulary is empty"):
        WordPieceTokenizer({})
    no_unk = {t: i for i, t in enumerate(t for t in _TOKENS if t != "[UNK]")}
    with pytest.raises(ValueError, match="unk_token '\\[UNK\\]' is not in the"):
        WordPieceTokenizer(no_unk)
    with pytest.raises(ValueError, match="mask_token"):
        WordPieceTokenizer(_VOCAB, mask_token="<mask>")
    with pytest.raises(TypeError, match="non-negative int"):
        WordPieceTokenizer({"a": -1, "[UNK]": 0})
    with pytest.raises(TypeError, match="non-negative int"):
        WordPieceTokenizer({"a": "1", "[UNK]": 0})
    with pytest.raises(TypeError, match="mapping"):
        WordPieceTokenizer(["[UNK]", "a"])
    with pytest.raises(ValueError, match="unk_token is required"):
        WordPieceTokenizer(_VOCAB, unk_token=None)
    with pytest.raises(ValueError, match="model_max_length"):
        WordPieceTokenizer(_VOCAB, model_max_length=0)


def test_non_str_input(tok):
    for bad in [None, 3, b"bytes", ["a"]]:
        with pytest.raises(TypeError, match="must be a str"):
            tok.tokenize(bad)
    with pytest.raises(TypeError, match="every text must be a str"):
        tok(["ok", None])
    with pytest.raises(TypeError, match="sequence of str"):
        tok(42)
    with pytest.raises(TypeError, match="every text pair must be a str"):
        tok(["a"], [1])
    with pytest.raises(ValueError, match="text_pairs has 1 entries"):
        tok(["a", "b"], ["c"])
    # numpy string arrays are sequences of str
    assert tok(np.array(["the cat", "a"]))["input_ids"].shape == (2, 4)


def test_bad_lengths_and_options(tok):
    with pytest.raises(ValueError, match="too small: 2 special tokens"):
        tok.encode("the cat", truncation=True, max_length=1)
    with pytest.raises(ValueError, match="too small: 3 special tokens"):
        tok.encode("the", "cat", truncation=True, max_length=2)
    with pytest.raises(ValueError, match="max_length must be positive"):
        tok(["a"], max_length=0)
    with pytest.raises(TypeError, match="max_length must be an int"):
        tok(["a"], max_length=2.5)
    with pytest.raises(ValueError, match="padding must be"):
        tok(["a"], padding="left")
    with pytest.raises(ValueError, match="truncation must be"):
        tok(["a"], truncation="middle")
    with pytest.raises(ValueError, match="pad_to_multiple_of must be positive"):
        tok(["a"], pad_to_multiple_of=0)
    no_cls = WordPieceTokenizer(_VOCAB, cls_token=None)
    with pytest.raises(ValueError, match="needs cls_token and sep_token"):
        no_cls.encode("a")
    assert no_cls.encode("a", add_special_tokens=False) == [14]
    no_pad = WordPieceTokenizer(_VOCAB, pad_token=None)
    with pytest.raises(ValueError, match="needs a pad_token"):
        no_pad(["a", "the cat"])
    no_limit = WordPieceTokenizer(_VOCAB, model_max_length=None)
    with pytest.raises(ValueError, match="needs max_length"):
        no_limit(["a"], padding="max_length")


# ------------------------------------------------------------- WordTokenizer
_CORPUS = ["The cat sat on the mat.", "the dog sat", "A cat! a CAT?", "dog dog bird"]


def test_word_tokenizer_vocabulary():
    tok = WordTokenizer().fit(_CORPUS)
    # Most frequent first; ties in order of first appearance.
    # Split on whitespace: "cat!" and "cat?" are words of their own.
    assert list(tok.vocab_)[:6] == ["<unk>", "the", "dog", "sat", "a", "cat"]
    assert tok.counts_["dog"] == 3 and tok.counts_["the"] == 3
    assert len(tok) == len(tok.vocab_)
    assert WordTokenizer(min_count=3).fit(_CORPUS).vocab_ == {
        "<unk>": 0, "the": 1, "dog": 2,
    }  # fmt: skip
    assert list(WordTokenizer(max_size=2).fit(_CORPUS).vocab_) == [
        "<unk>", "the", "dog",
    ]  # fmt: skip
    assert WordTokenizer(max_size=0).fit(_CORPUS).vocab_ == {"<unk>": 0}
    cased = WordTokenizer(lowercase=False).fit(_CORPUS)
    assert "The" in cased.vocab_ and "CAT?" in cased.vocab_


def test_word_tokenizer_encode_decode():
    tok = WordTokenizer(token_pattern=r"\w+|[^\w\s]").fit(_CORPUS)
    assert tok.tokenize("A cat!") == ["a", "cat", "!"]
    ids = tok.encode("The zebra sat.")
    assert ids.dtype == np.int64
    assert tok.decode(ids) == "the <unk> sat ."
    assert [len(x) for x in tok.encode_batch(["a cat", "", "x y z"])] == [2, 0, 3]
    assert tok.encode("").shape == (0,)
    with pytest.raises(IndexError, match="not in the vocabulary"):
        tok.decode([99])
    # The unknown token in the corpus is not a second entry.
    assert WordTokenizer().fit(["<unk> a"]).vocab_ == {"<unk>": 0, "a": 1}


def test_word_tokenizer_bad_input():
    with pytest.raises(NotFittedError):
        WordTokenizer().encode("a")
    with pytest.raises(TypeError, match="sequence of str"):
        WordTokenizer().fit("just one string")
    with pytest.raises(TypeError, match="every entry of texts must be a str"):
        WordTokenizer().fit(["a", 3])
    with pytest.raises(ValueError, match="min_count must be at least 1"):
        WordTokenizer(min_count=0).fit(_CORPUS)
    with pytest.raises(ValueError, match="max_size must be >= 0"):
        WordTokenizer(max_size=-1).fit(_CORPUS)
    with pytest.raises(TypeError, match="unk_token"):
        WordTokenizer(unk_token="").fit(_CORPUS)
    tok = WordTokenizer().fit([])
    assert tok.vocab_ == {"<unk>": 0}
    with pytest.raises(TypeError, match="text must be a str"):
        tok.encode(None)


# ---------------------------------------------------------- FastTextSubwords
def test_fasttext_ngrams_and_ids():
    sub = FastTextSubwords(["where", "there"], bucket=1000)
    assert sub.n_words == 2 and sub.n_rows == 1002
    grams = sub.ngrams("where")
    assert grams == naive_char_ngrams("where")
    assert "<wh" in grams and "re>" in grams and "<where" in grams
    assert "<where>" not in grams  # 7 characters, more than maxn
    ids = sub.subword_ids("where")
    assert ids[0] == 0 and len(ids) == len(grams) + 1
    assert_array_equal(ids[1:], [2 + fasttext_hash(g) % 1000 for g in grams])
    oov = sub.subword_ids("wherever")
    assert (oov >= 2).all() and len(oov) == len(sub.ngrams("wherever"))
    assert sub.subword_ids("").size == 0
    assert sub.ngrams("日本") == ["<日本", "<日本>", "日本>"]
    assert sub.ngrams("ab") == ["<ab", "<ab>", "ab>"]
    assert FastTextSubwords(maxn=0).ngrams("word") == []
    assert FastTextSubwords(["</s>"]).ngrams("</s>") == []
    indptr, ids = sub.subword_ids(["where", "", "x"])
    assert indptr.tolist() == [0, len(grams) + 1, len(grams) + 1, len(grams) + 2]
    assert fasttext_hash("") == 2166136261
    assert fasttext_hash("é") == naive_fasttext_hash("é")


def test_fasttext_word_vectors():
    sub = FastTextSubwords({"b": 1, "a": 0}, minn=2, maxn=3, bucket=50)
    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(sub.n_rows, 4))
    words = ["a", "zzz", ""]
    vectors = sub.word_vectors(words, matrix)
    assert vectors.dtype == np.float64 and vectors.shape == (3, 4)
    for word, vector in zip(words, vectors):
        rows = sub.subword_ids(word)
        expected = matrix[rows].mean(axis=0) if rows.size else np.zeros(4)
        np.testing.assert_allclose(vector, expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(sub.word_vector(word, matrix), vector)
    f32 = sub.word_vectors(words, matrix.astype(np.float32))
    assert f32.dtype == np.float32
    ints = sub.word_vectors(words, np.ones((sub.n_rows, 2), dtype=np.int64))
    # "" has the single n-gram "<>" when minn <= 2.
    assert ints.dtype == np.float32 and (ints == 1).all()
    default = FastTextSubwords(bucket=5)
    assert not default.word_vectors([""], np.ones((5, 2))).any()
    # Read-only and F-ordered matrices work; the caller's matrix is unchanged.
    frozen = np.asfortranarray(matrix)
    before = frozen.copy()
    frozen.flags.writeable = False
    assert_array_equal(sub.word_vectors(words, frozen), vectors)
    assert_array_equal(frozen, before)


def test_fasttext_bad_input():
    with pytest.raises(ValueError, match="minn <= maxn"):
        FastTextSubwords(minn=4, maxn=3)
    with pytest.raises(ValueError, match="minn <= maxn"):
        FastTextSubwords(minn=0)
    with pytest.raises(ValueError, match="bucket"):
        FastTextSubwords(bucket=0)
    with pytest.raises(TypeError, match="bucket must be an int"):
        FastTextSubwords(bucket=2.0)
    with pytest.raises(ValueError, match="twice"):
        FastTextSubwords(["a", "a"])
    with pytest.raises(ValueError, match="0 to len"):
        FastTextSubwords({"a": 0, "b": 2})
    with pytest.raises(TypeError, match="sequence of str or a mapping"):
        FastTextSubwords("abc")
    sub = FastTextSubwords(["a"], bucket=10)
    with pytest.raises(ValueError, match=r"shape \(11, dim\)"):
        sub.word_vectors(["a"], np.zeros((10, 3)))
    with pytest.raises(ValueError, match=r"shape \(11, dim\)"):
        sub.word_vectors(["a"], np.zeros(11))
    with pytest.raises(TypeError, match="numeric"):
        sub.word_vectors(["a"], np.full((11, 2), "x"))
    with pytest.raises(TypeError, match="word_vector for one"):
        sub.word_vectors("a", np.zeros((11, 2)))
    with pytest.raises(TypeError, match="every word must be a str"):
        sub.subword_ids(["a", 1])
    with pytest.raises(TypeError, match="word must be a str"):
        sub.ngrams(None)


# --------------------------------------------------------------- GloveLookup
def _glove_file(tmp_path, text):
    path = tmp_path / "glove.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_glove_lookup_from_dict():
    glove = GloveLookup({"Cat": [1, 0, 0], "dog": [0, 2, 0], "cat": [9, 9, 9]})
    assert glove.dim == 3 and len(glove) == 3
    assert_array_equal(glove["Cat"], [1, 0, 0])
    zero = glove["bird"]
    assert zero.dtype == np.float32 and not zero.any()
    assert not zero.flags.writeable
    batch = glove.lookup(["dog", "bird", "cat"])
    assert batch.shape == (3, 3) and batch.flags.writeable
    assert_array_equal(batch, [[0, 2, 0], [0, 0, 0], [9, 9, 9]])
    assert "dog" in glove and "DOG" not in glove and 3 not in glove
    lower = GloveLookup({"Cat": [1, 0, 0], "cat": [9, 9, 9]}, lowercase=True)
    assert len(lower) == 1 and "CAT" in lower
    assert_array_equal(lower["cAt"], [1, 0, 0])  # the first spelling wins
    assert GloveLookup({"a": [1.0]}, dtype=np.float64)["a"].dtype == np.float64


def test_glove_sentence_vectors():
    glove = GloveLookup({"cat": [2.0, 0.0], "dog": [0.0, 2.0], ".": [1.0, 1.0]})
    assert_array_equal(glove.sentence_vector("cat dog bird"), [1.0, 1.0])
    # float32 result of a float64 mean: equal to 1 float32 ulp.
    np.testing.assert_allclose(
        glove.sentence_vector("cat dog bird", skip_unknown=False),
        [2 / 3, 2 / 3],
        rtol=1e-7,
    )
    assert_array_equal(glove.sentence_vector("cat."), [1.5, 0.5])
    assert_array_equal(glove.sentence_vector(["cat", "cat"]), [2.0, 0.0])
    assert_array_equal(glove.sentence_vector(""), [0.0, 0.0])
    assert_array_equal(glove.sentence_vector("zebra"), [0.0, 0.0])
    out = glove.sentence_vectors(["cat", "dog", ""])
    assert_array_equal(out, [[2, 0], [0, 2], [0, 0]])
    spaces = GloveLookup({"cat.": [1.0, 1.0]}, token_pattern=None)
    assert_array_equal(spaces.sentence_vector("cat. cat"), [1.0, 1.0])


def test_glove_from_file(tmp_path):
    path = _glove_file(
        tmp_path,
        "the 0.1 0.2 -0.3\n, 1e-3 2 3\n. . . 4 5 6\n\nThe 7 8 9\nzebra 1 1 1\n",
    )
    glove = GloveLookup.from_file(path)
    assert glove.dim == 3 and len(glove) == 5
    assert_array_equal(glove["the"], np.array([0.1, 0.2, -0.3], dtype=np.float32))
    assert_array_equal(glove[". . ."], [4, 5, 6])  # a word with spaces
    assert GloveLookup.from_file(path, lowercase=True)["THE"][0] == np.float32(0.1)
    assert len(GloveLookup.from_file(path, max_words=2)) == 2
    header = _glove_file(tmp_path, "2 2\na 1 2\nb 3 4\n")
    assert_array_equal(
        GloveLookup.from_file(header).lookup(["b", "a"]), [[3, 4], [1, 2]]
    )
    crlf = _glove_file(tmp_path, "a 1 2\r\nb 3 4 \r\n")
    assert_array_equal(GloveLookup.from_file(crlf)["b"], [3, 4])


def test_glove_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="vector file not found"):
        GloveLookup.from_file(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="no word vectors"):
        GloveLookup.from_file(_glove_file(tmp_path, "\n\n"))
    with pytest.raises(ValueError, match="line 2: expected a word and 3 numbers"):
        GloveLookup.from_file(_glove_file(tmp_path, "a 1 2 3\nb 1\n"))
    with pytest.raises(ValueError, match="line 1: no vector"):
        GloveLookup.from_file(_glove_file(tmp_path, "word only\n"))
    with pytest.raises(ValueError, match="not a number"):
        GloveLookup.from_file(_glove_file(tmp_path, "a 1 2\nb x 2\n"))
    with pytest.raises(ValueError, match="no word vectors given"):
        GloveLookup({})
    with pytest.raises(ValueError, match="same non-zero length"):
        GloveLookup({"a": [1, 2], "b": [1]})
    with pytest.raises(ValueError, match="same non-zero length"):
        GloveLookup({"a": [[1, 2]]})
    with pytest.raises(TypeError, match="numeric"):
        GloveLookup({"a": ["x", "y"]})
    with pytest.raises(TypeError, match="from_file"):
        GloveLookup(str(tmp_path / "glove.txt"))
    with pytest.raises(ValueError, match="float32 or float64"):
        GloveLookup({"a": [1]}, dtype=np.int32)
    glove = GloveLookup({"a": [1.0]})
    with pytest.raises(TypeError, match="word must be a str"):
        glove[3]
    with pytest.raises(TypeError, match="sequence of str"):
        glove.lookup("abc")


@pytest.mark.parametrize("max_length", [3, 4, 10, 50])
def test_truncated_long_texts_same_as_whole(max_length):
    # Long texts cut by truncation are tokenized by prefixes: the same ids as the
    # whole text cut afterwards.
    rng = np.random.default_rng(0)
    words = np.array(["the", "cat", "unaffable", "zz", ",", "中", "  ", "\t", "é"])
    texts = ["".join(rng.choice(words, size=n)) + " " for n in (50, 200, 800)]
    texts += [" ".join(rng.choice(words, size=n)) for n in (50, 200, 800)]
    texts += ["x" * 2000, "the " * 5 + "x" * 2000 + " cat", "[SEP] " * 300]
    tok = WordPieceTokenizer(_VOCAB, model_max_length=None)
    for text in texts:
        whole = tok.encode(text, add_special_tokens=False, truncation=False)
        cut = tok.encode(text, truncation=True, max_length=max_length)
        assert cut == [2] + whole[: max_length - 2] + [3]
    # A kept token with a space turns the prefix shortcut off.
    spaced = WordPieceTokenizer(_VOCAB, never_split=["cat the"])
    text = "the cat " * 300
    whole = spaced.encode(text, truncation=False, add_special_tokens=False)
    assert whole[:3] == [5, 1, 1]  # "the", then "cat the" (unknown) again and again
    assert spaced.encode(text, truncation=True, max_length=5) == [2] + whole[:3] + [3]
