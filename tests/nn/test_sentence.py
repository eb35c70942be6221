"""fastml.nn.SentenceEncoder on a tiny random sentence-transformers folder: the
pipeline (tokens -> BERT -> pooling -> normalisation), ordering, options, bad input.

Tolerance: atol=2e-6 between encode() and the same pipeline written out by hand on
the padded batch. Both run the same float32 encoder; only the pooling sum order
(float64 in encode, float32 by hand) and BLAS blocking of differently sized
products differ, one float32 rounding level on values of order one.
"""

import json
import logging
import warnings

import numpy as np
import pytest

from fastml.nn import BertConfig, BertModel, SentenceEncoder, save_safetensors
from fastml.nn.tokenizers import WordPieceTokenizer

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = (
    "the a cat dog sat on mat and ran fast slow red blue green big small house tree "
    "river is was very not , . ! ? ##s ##ing ##ed un ##able hello world"
).split()
VOCAB = SPECIAL + WORDS
CONFIG = BertConfig(
    vocab_size=len(VOCAB),
    hidden_size=16,
    num_hidden_layers=2,
    num_attention_heads=2,
    intermediate_size=24,
    max_position_embeddings=20,
)
SENTENCES = [
    "the cat sat on the mat.",
    "Hello world!",
    "",
    "a big red dog ran very fast and the small blue cat was not able",
    "trees",
    "the river",
    "unable? running!",
    "zebra",
]


def _make_folder(path, *, pooling=None, modules=True, normalize=True, max_len=18):
    path.mkdir(parents=True, exist_ok=True)
    (path / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    (path / "config.json").write_text(json.dumps(CONFIG.to_dict()))
    (path / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": True}))
    model = BertModel.random(CONFIG, random_state=0)
    save_safetensors(path / "model.safetensors", model.state_dict())
    (path / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": max_len, "do_lower_case": False})
    )
    if modules:
        listed = [
            {"idx": 0, "name": "0", "path": "", "type": _T},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": _P},
        ]
        if normalize:
            listed.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": _N})
        (path / "modules.json").write_text(json.dumps(listed))
        (path / "1_Pooling").mkdir(exist_ok=True)
        pool = {
            "word_embedding_dimension": 16,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
        }
        pool.update(pooling or {})
        (path / "1_Pooling" / "config.json").write_text(json.dumps(pool))
    return path


_T = "sentence_transformers.models.Transformer"
_P = "sentence_transformers.models.Pooling"
_N = "sentence_transformers.models.Normalize"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return _make_folder(tmp_path_factory.mktemp("st") / "model")


@pytest.fixture(scope="module")
def encoder(folder):
    return SentenceEncoder.from_pretrained(folder)


def _by_hand(folder, sentences, modes=("mean",), normalize=True, max_len=18):
    tokenizer = WordPieceTokenizer.from_pretrained(folder)
    model = BertModel.from_pretrained(folder)
    batch = tokenizer(sentences, truncation=True, max_length=max_len)
    mask = batch["attention_mask"]
    hidden = model(batch["input_ids"], mask, batch["token_type_ids"])
    weights = mask[:, :, None].astype(np.float32)
    parts = []
    for mode in modes:
        if mode == "cls":
            parts.append(hidden[:, 0])
        elif mode == "max":
            parts.append(np.where(weights > 0, hidden, -np.inf).max(axis=1))
        elif mode == "mean":
            parts.append((hidden * weights).sum(1) / weights.sum(1))
        else:
            parts.append((hidden * weights).sum(1) / np.sqrt(weights.sum(1)))
    out = np.concatenate(parts, axis=1)
    if normalize:
        out = out / np.linalg.norm(out, axis=1, keepdims=True)
    return out


def test_from_pretrained_reads_the_modules(encoder):
    assert encoder.pooling == ("mean",)
    assert encoder.normalize is True
    assert encoder.max_seq_length == 18
    assert encoder.embedding_dim == 16
    assert "SentenceEncoder" in repr(encoder)


def test_encode_equals_the_pipeline_by_hand(folder, encoder):
    got = encoder.encode(SENTENCES, batch_size=3)
    assert got.shape == (len(SENTENCES), 16) and got.dtype == np.float32
    np.testing.assert_allclose(got, _by_hand(folder, SENTENCES), atol=2e-6)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)


def test_order_and_batch_size_do_not_matter(encoder):
    whole = encoder.encode(SENTENCES)
    for batch_size in (1, 2, 5, 100):
        np.testing.assert_allclose(
            encoder.encode(SENTENCES, batch_size=batch_size), whole, atol=2e-6
        )
    reordered = encoder.encode(SENTENCES[::-1])
    np.testing.assert_allclose(reordered[::-1], whole, atol=2e-6)
    for i, sentence in enumerate(SENTENCES):
        single = encoder.encode(sentence)
        assert single.shape == (16,)
        np.testing.assert_allclose(single, whole[i], atol=2e-6)


def test_threads_do_not_change_the_result(encoder):
    np.testing.assert_array_equal(
        encoder.encode(SENTENCES, n_jobs=1), encoder.encode(SENTENCES, n_jobs=2)
    )


def test_normalize_override(folder, encoder):
    raw = encoder.encode(SENTENCES, normalize_embeddings=False)
    np.testing.assert_allclose(
        raw, _by_hand(folder, SENTENCES, normalize=False), atol=2e-6
    )
    assert not np.allclose(np.linalg.norm(raw, axis=1), 1.0)


@pytest.mark.parametrize(
    "flags, modes",
    [
        ({"pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}, ["cls"]),
        ({"pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": True}, ["max"]),
        (
            {
                "pooling_mode_mean_tokens": False,
                "pooling_mode_mean_sqrt_len_tokens": True,
            },
            ["mean_sqrt_len"],
        ),
        (
            {"pooling_mode_cls_token": True, "pooling_mode_max_tokens": True},
            ["cls", "max", "mean"],
        ),
    ],
)
def test_pooling_modes(tmp_path, flags, modes):
    folder = _make_folder(tmp_path / "m", pooling=flags, normalize=False)
    encoder = SentenceEncoder.from_pretrained(folder)
    assert list(encoder.pooling) == modes
    got = encoder.encode(SENTENCES, batch_size=3)
    assert got.shape == (len(SENTENCES), 16 * len(modes))
    expected = _by_hand(folder, SENTENCES, modes=modes, normalize=False)
    np.testing.assert_allclose(got, expected, atol=2e-6)


def test_plain_bert_folder_means_mean_pooling(tmp_path):
    folder = _make_folder(tmp_path / "m", modules=False)
    encoder = SentenceEncoder.from_pretrained(folder)
    assert encoder.pooling == ("mean",) and encoder.normalize is False
    expected = _by_hand(folder, SENTENCES, normalize=False)
    np.testing.assert_allclose(encoder.encode(SENTENCES), expected, atol=2e-6)


def test_truncation_warns_and_cuts(folder, encoder):
    long_text = " ".join(["cat"] * 30)
    ids, n_cut = encoder.tokenize([long_text, "the cat"])
    assert n_cut == 1 and len(ids[0]) == 18 and ids[0][-1] == VOCAB.index("[SEP]")
    with pytest.warns(UserWarning, match="1 of 2 sentences exceed max_seq_length=18"):
        got = encoder.encode([long_text, "the cat"])
    np.testing.assert_allclose(got, _by_hand(folder, [long_text, "the cat"]), atol=2e-6)
    exactly = " ".join(["cat"] * 16)  # 16 + 2 special tokens: fits, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoder.encode([exactly])


def test_lowercase_option(folder):
    tokenizer = WordPieceTokenizer.from_pretrained(folder, do_lower_case=False)
    model = BertModel.from_pretrained(folder)
    cased = SentenceEncoder(tokenizer, model, normalize=True, max_seq_length=18)
    lowered = SentenceEncoder(
        tokenizer, model, normalize=True, max_seq_length=18, lowercase=True
    )
    upper = ["THE CAT SAT"]
    assert not np.allclose(cased.encode(upper), cased.encode(["the cat sat"]))
    np.testing.assert_allclose(
        lowered.encode(upper), cased.encode(["the cat sat"]), atol=1e-7
    )


def test_progress_bar(encoder, capsys, caplog):
    encoder.encode(SENTENCES, batch_size=1)
    out, err = capsys.readouterr()
    assert out == "" and err == ""  # silent by default
    encoder.encode(SENTENCES, batch_size=2, show_progress_bar=True)
    out, err = capsys.readouterr()
    assert out == "" and "4/4" in err
    # Automatic for long inputs when the logger is verbose.
    caplog.set_level(logging.INFO, logger="fastml.nn._sentence")
    encoder.encode(SENTENCES, batch_size=1)
    assert "8/8" in capsys.readouterr().err
    encoder.encode(SENTENCES, batch_size=1, show_progress_bar=False)
    assert capsys.readouterr().err == ""


def test_inputs_not_modified_and_empty_input(encoder):
    sentences = list(SENTENCES)
    encoder.encode(sentences)
    assert sentences == SENTENCES
    assert encoder.encode([]).shape == (0, 16)
    as_tuple = encoder.encode(tuple(SENTENCES[:3]))
    np.testing.assert_allclose(as_tuple, encoder.encode(SENTENCES[:3]), atol=2e-6)
    as_array = encoder.encode(np.array(SENTENCES[:3]))
    np.testing.assert_allclose(as_array, encoder.encode(SENTENCES[:3]), atol=2e-6)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (([1, 2],), {}, "item 0 is int"),
        ((["ok", None],), {}, "item 1 is NoneType"),
        ((["ok", b"bytes"],), {}, "item 1 is bytes"),
        ((5,), {}, "string or a sequence"),
        ((["ok"],), {"batch_size": 0}, "batch_size must be >= 1"),
        ((["ok"],), {"batch_size": True}, "batch_size must be an int"),
        ((["ok"],), {"batch_size": 2.0}, "batch_size must be an int"),
        ((["ok"],), {"n_jobs": 0}, "n_jobs"),
    ],
)
def test_bad_input(encoder, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        encoder.encode(*args, **kwargs)


def test_bad_folders(tmp_path, folder):
    with pytest.raises(FileNotFoundError):
        SentenceEncoder.from_pretrained(tmp_path / "missing")
    dense = _make_folder(tmp_path / "dense")
    modules = json.loads((dense / "modules.json").read_text())
    modules.append({"idx": 3, "path": "3_Dense", "type": "x.models.Dense"})
    (dense / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ValueError, match="not supported"):
        SentenceEncoder.from_pretrained(dense)
    escape = _make_folder(tmp_path / "escape")
    modules = json.loads((escape / "modules.json").read_text())
    modules[1]["path"] = "../../etc"
    (escape / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ValueError, match="leaves the model folder"):
        SentenceEncoder.from_pretrained(escape)
    weighted = _make_folder(
        tmp_path / "weighted", pooling={"pooling_mode_weightedmean_tokens": True}
    )
    with pytest.raises(ValueError, match="unsupported pooling"):
        SentenceEncoder.from_pretrained(weighted)
    nothing = _make_folder(
        tmp_path / "nothing", pooling={"pooling_mode_mean_tokens": False}
    )
    with pytest.raises(ValueError, match="no pooling mode"):
        SentenceEncoder.from_pretrained(nothing)
    broken = _make_folder(tmp_path / "broken")
    (broken / "modules.json").write_text("{oops")
    with pytest.raises(ValueError, match="not valid JSON"):
        SentenceEncoder.from_pretrained(broken)
    no_vocab = _make_folder(tmp_path / "novocab")
    (no_vocab / "vocab.txt").unlink()
    with pytest.raises(FileNotFoundError, match="vocab.txt"):
        SentenceEncoder.from_pretrained(no_vocab)


def test_constructor_checks(folder):
    tokenizer = WordPieceTokenizer.from_pretrained(folder)
    model = BertModel.from_pretrained(folder)
    with pytest.raises(ValueError, match="pooling must be"):
        SentenceEncoder(tokenizer, model, pooling="sum")
    with pytest.raises(ValueError, match="pooling must be"):
        SentenceEncoder(tokenizer, model, pooling=())
    with pytest.raises(ValueError, match=r"max_seq_length must lie in \[2, 20\]"):
        SentenceEncoder(tokenizer, model, max_seq_length=21)
    with pytest.raises(ValueError, match="max_seq_length must be an int"):
        SentenceEncoder(tokenizer, model, max_seq_length=8.0)
    assert SentenceEncoder(tokenizer, model).max_seq_length == 20


def test_concurrent_calls_from_two_threads(encoder):
    from concurrent.futures import ThreadPoolExecutor

    expected = encoder.encode(SENTENCES, batch_size=2, n_jobs=2)
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(
                lambda _: encoder.encode(SENTENCES, batch_size=2, n_jobs=2), range(4)
            )
        )
    for got in results:
        np.testing.assert_array_equal(got, expected)
