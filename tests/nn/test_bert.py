"""fastml.nn.BertConfig / BertModel on small random models: against the naive
reference of tests/naive/bert.py, padding invariance, batching, loading, bad input.

Tolerances:
- float64 vs the naive reference: rtol=1e-9, atol=1e-10. Same formula in double
  precision; two layers of products, softmax and LayerNorm over <= 32 features keep
  the difference at ~1e-14 relative; 1e-9 leaves room and still catches any
  formula error (which shows at 1e-2).
- float32 vs the (float64) naive reference: atol=2e-5 on LayerNorm outputs of order
  one: float32 rounding (~6e-8) of every intermediate, amplified by at most a few
  tens through two layers.
- float32 padding / batching: atol=2e-6. The real tokens' rows are computed by the
  same code whatever the padding, but BLAS may block a product differently when it
  has more rows, which changes the summation order (one float32 rounding level).
"""

import json
import pickle

import numpy as np
import pytest
from naive.bert import bert_forward

from fastml.nn import BertConfig, BertModel, save_safetensors

SMALL = {
    "vocab_size": 50,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 48,
    "max_position_embeddings": 24,
    "type_vocab_size": 2,
    "layer_norm_eps": 1e-12,
}


@pytest.fixture(scope="module")
def config():
    return BertConfig(**SMALL)


@pytest.fixture(scope="module")
def model(config):
    return BertModel.random(config, random_state=0)


def _batch(seed, batch=3, length=9, vocab=50):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, size=(batch, length))
    lengths = rng.integers(1, length + 1, size=batch)
    lengths[0] = length
    mask = (np.arange(length) < lengths[:, None]).astype(np.int64)
    ids = np.where(mask == 1, ids, 0)
    types = np.where(np.arange(length) >= lengths[:, None] // 2, 1, 0) * mask
    return ids, mask, types


def _naive(model, ids, mask, types):
    c = model.config
    return bert_forward(
        model.state_dict(),
        c.num_hidden_layers,
        c.num_attention_heads,
        c.layer_norm_eps,
        ids,
        mask,
        types,
    )


# -- config ---------------------------------------------------------------------------


def test_config_from_dict_ignores_unused_keys():
    config = BertConfig.from_dict(
        {**SMALL, "hidden_dropout_prob": 0.1, "architectures": ["BertModel"]}
    )
    assert config.hidden_size == 32 and config.head_dim == 8
    assert BertConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["model_type"] == "bert"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"hidden_act": "relu"}, "hidden_act"),
        ({"hidden_act": "swish"}, "hidden_act"),
        ({"hidden_size": 30}, "multiple of num_attention_heads"),
        ({"num_hidden_layers": 0}, ">= 1"),
        ({"vocab_size": 2.5}, "must be an int"),
        ({"vocab_size": True}, "must be an int"),
        ({"layer_norm_eps": 0}, "layer_norm_eps"),
        ({"layer_norm_eps": "1e-12"}, "layer_norm_eps"),
        ({"pad_token_id": 50}, "outside the vocabulary"),
        ({"position_embedding_type": "relative_key"}, "not supported"),
        ({"model_type": "roberta"}, "not a BERT encoder"),
        ({"is_decoder": True}, "decoder"),
    ],
)
def test_config_rejects(change, message):
    with pytest.raises(ValueError, match=message):
        BertConfig.from_dict({**SMALL, **change})


def test_config_from_json(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(SMALL))
    assert BertConfig.from_json(tmp_path).vocab_size == 50
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        BertConfig.from_json(tmp_path / "config.json")
    with pytest.raises(FileNotFoundError):
        BertConfig.from_json(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="mapping"):
        BertConfig.from_dict([1, 2])


def test_gelu_tanh_variants_are_accepted():
    assert BertConfig(**{**SMALL, "hidden_act": "gelu_new"}).hidden_act == "gelu_new"


# -- forward --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_naive_reference(config, dtype, seed):
    model = BertModel.random(config, random_state=seed, dtype=dtype)
    ids, mask, types = _batch(seed)
    got = model(ids, mask, types)
    assert got.shape == (3, 9, 32) and got.dtype == dtype
    expected = _naive(model, ids, mask, types)
    real = mask.astype(bool)
    if dtype == np.float64:
        np.testing.assert_allclose(got[real], expected[real], rtol=1e-9, atol=1e-10)
    else:
        np.testing.assert_allclose(got[real], expected[real], atol=2e-5)
    # Padded positions are 0.
    assert not got[~real].any()


def test_tanh_gelu_model_differs_from_exact(config):
    exact = BertModel.random(config, random_state=0)
    tanh_config = BertConfig(**{**SMALL, "hidden_act": "gelu_pytorch_tanh"})
    tanh = BertModel.from_state_dict(tanh_config, exact.state_dict())
    ids, mask, types = _batch(0)
    diff = np.abs(exact(ids, mask, types) - tanh(ids, mask, types)).max()
    assert 0 < diff < 1e-2


def test_padding_does_not_change_real_tokens(model):
    ids, mask, types = _batch(2, batch=4, length=7)
    base = model(ids, mask, types)
    # Four more padded columns holding arbitrary ids and types.
    rng = np.random.default_rng(9)
    wide_ids = np.concatenate([ids, rng.integers(0, 50, size=(4, 4))], axis=1)
    wide_mask = np.concatenate([mask, np.zeros((4, 4), np.int64)], axis=1)
    wide_types = np.concatenate([types, np.ones((4, 4), np.int64)], axis=1)
    junk_ids = np.where(mask == 1, ids, rng.integers(0, 50, size=ids.shape))
    wide = model(wide_ids, wide_mask, wide_types)
    junk = model(junk_ids, mask, types)
    real = mask.astype(bool)
    np.testing.assert_allclose(wide[:, :7][real], base[real], atol=2e-6)
    np.testing.assert_allclose(junk[real], base[real], atol=2e-6)


def test_batch_equals_one_by_one(model):
    ids, mask, types = _batch(3, batch=5, length=8)
    together = model(ids, mask, types)
    for i in range(5):
        n = int(mask[i].sum())
        alone = model(ids[i : i + 1, :n], None, types[i : i + 1, :n])
        np.testing.assert_allclose(alone[0], together[i, :n], atol=2e-6)


def test_forward_packed_equals_padded(model):
    ids, mask, types = _batch(4, batch=4, length=6)
    padded = model(ids, mask, types)
    real = mask.astype(bool)
    packed = model.forward_packed(ids[real], mask.sum(axis=1), types[real])
    np.testing.assert_array_equal(packed, padded[real])
    # All sequences of the same length take the path without padding.
    full = model.forward_packed(ids[0], [6])
    np.testing.assert_allclose(full, model(ids[:1])[0], atol=2e-6)
    empty = model.forward_packed(np.array([], dtype=np.int64), [])
    assert empty.shape == (0, 32)


def test_threads_do_not_change_the_result(model):
    ids, mask, types = _batch(5, batch=6, length=24)
    np.testing.assert_array_equal(
        model(ids, mask, types, n_jobs=1), model(ids, mask, types, n_jobs=2)
    )


def test_mask_forms_and_defaults(model):
    ids, mask, types = _batch(6)
    as_int = model(ids, mask, types)
    np.testing.assert_array_equal(model(ids, mask.astype(bool), types), as_int)
    np.testing.assert_array_equal(model(ids, mask.astype(np.float32), types), as_int)
    # No mask and no token types: all real, segment 0.
    full = model(ids)
    np.testing.assert_array_equal(
        full, model(ids, np.ones_like(ids), np.zeros_like(ids))
    )
    assert model(ids[:0]).shape == (0, 9, 32)


def test_inputs_are_not_modified_and_read_only_inputs_work(model):
    ids, mask, types = _batch(7)
    copies = [a.copy() for a in (ids, mask, types)]
    for a in (ids, mask, types):
        a.flags.writeable = False
    model(ids, mask, types)
    for a, b in zip((ids, mask, types), copies):
        np.testing.assert_array_equal(a, b)


def test_pickle_round_trip(model):
    ids, mask, types = _batch(8)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again(ids, mask, types), model(ids, mask, types))


def test_pooler(config):
    with_pooler = BertModel.random(config, random_state=0, pooler=True)
    ids, mask, types = _batch(0)
    hidden = with_pooler(ids, mask, types)
    pooled = with_pooler.pool(hidden)
    expected = np.tanh(
        hidden[:, 0] @ with_pooler.pooler.weight.T + with_pooler.pooler.bias
    )
    np.testing.assert_allclose(pooled, expected, atol=1e-6)
    with pytest.raises(ValueError, match="no pooler"):
        BertModel.random(config, random_state=0).pool(hidden)


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.array([1, 2, 3]),), "2-D"),
        ((np.ones((2, 3)),), "integers"),
        ((np.array([["a", "b"]]),), "integers"),
        ((np.zeros((2, 0), np.int64),), "sequence length 0"),
        ((np.ones((1, 25), np.int64),), "max_position_embeddings"),
        ((np.array([[1, 50]]),), r"\[0, 50\)"),
        ((np.array([[1, -1]]),), r"\[0, 50\)"),
        ((np.ones((2, 3), np.int64), np.ones((2, 4))), "attention_mask has shape"),
        ((np.ones((2, 3), np.int64), np.full((2, 3), 2)), "0/1"),
        ((np.ones((2, 3), np.int64), np.array([[1, 1, 0], [0, 0, 0]])), "real token"),
        ((np.ones((1, 3), np.int64), None, np.array([[0, 2, 0]])), "token_type_ids"),
        ((np.ones((1, 3), np.int64), None, np.zeros((1, 2), np.int64)), "shape"),
        ((np.ones((1, 3), np.int64), None, np.zeros((1, 3))), "integers"),
    ],
)
def test_bad_input(model, args, message):
    with pytest.raises(ValueError, match=message):
        model(*args)


def test_bad_n_jobs_and_packed_input(model):
    with pytest.raises(ValueError, match="n_jobs"):
        model(np.ones((1, 3), np.int64), n_jobs=0)
    with pytest.raises(ValueError, match="lengths sum"):
        model.forward_packed(np.ones(5, np.int64), [2, 2])
    with pytest.raises(ValueError, match="at least one token"):
        model.forward_packed(np.ones(2, np.int64), [2, 0])
    with pytest.raises(ValueError, match="1-D"):
        model.forward_packed(np.ones((1, 2), np.int64), [2])


# -- loading --------------------------------------------------------------------------


def _save_folder(path, config, tensors):
    path.mkdir(exist_ok=True)
    (path / "config.json").write_text(json.dumps(config.to_dict()))
    save_safetensors(path / "model.safetensors", tensors, metadata={"format": "pt"})
    return path


def test_from_pretrained_round_trip(tmp_path, config):
    model = BertModel.random(config, random_state=1, pooler=True)
    folder = _save_folder(tmp_path / "m", config, model.state_dict())
    loaded = BertModel.from_pretrained(folder)
    ids, mask, types = _batch(1)
    np.testing.assert_array_equal(loaded(ids, mask, types), model(ids, mask, types))
    assert loaded.pooler is not None
    in_float64 = BertModel.from_pretrained(folder, dtype=np.float64)
    assert in_float64(ids, mask, types).dtype == np.float64
    assert "layers=2" in repr(loaded)


def test_from_pretrained_with_prefix_old_names_and_buffers(tmp_path, config):
    model = BertModel.random(config, random_state=2)
    tensors = {}
    for name, array in model.state_dict().items():
        name = name.replace("LayerNorm.weight", "LayerNorm.gamma")
        name = name.replace("LayerNorm.bias", "LayerNorm.beta")
        tensors["bert." + name] = array
    tensors["bert.embeddings.position_ids"] = np.arange(24)[None]
    tensors["cls.predictions.bias"] = np.zeros(50, np.float32)
    folder = _save_folder(tmp_path / "m", config, tensors)
    with pytest.raises(ValueError, match="unexpected tensors.*cls.predictions.bias"):
        BertModel.from_pretrained(folder)
    loaded = BertModel.from_pretrained(folder, strict=False)
    ids, mask, types = _batch(2)
    np.testing.assert_array_equal(loaded(ids, mask, types), model(ids, mask, types))


def test_from_pretrained_float16_weights(tmp_path, config):
    model = BertModel.random(config, random_state=3)
    half = {k: v.astype(np.float16) for k, v in model.state_dict().items()}
    loaded = BertModel.from_pretrained(_save_folder(tmp_path / "m", config, half))
    assert loaded.dtype == np.float32
    ids, mask, types = _batch(3)
    np.testing.assert_allclose(
        loaded(ids, mask, types), model(ids, mask, types), atol=5e-2
    )


def test_from_pretrained_errors(tmp_path, config):
    model = BertModel.random(config, random_state=4)
    tensors = model.state_dict()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        BertModel.from_pretrained(tmp_path / "nowhere")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match="config.json"):
        BertModel.from_pretrained(empty)
    missing = dict(tensors)
    del missing["encoder.layer.1.output.dense.bias"]
    with pytest.raises(ValueError, match="missing tensors.*layer.1.output.dense.bias"):
        BertModel.from_pretrained(_save_folder(tmp_path / "a", config, missing))
    wrong = dict(tensors)
    wrong["encoder.layer.0.intermediate.dense.weight"] = np.zeros((48, 31), np.float32)
    with pytest.raises(ValueError, match=r"wrong shape.*expected \(48, 32\)"):
        BertModel.from_pretrained(_save_folder(tmp_path / "b", config, wrong))
    half_pooler = {**tensors, "pooler.dense.weight": np.zeros((32, 32), np.float32)}
    with pytest.raises(ValueError, match="missing tensors.*pooler.dense.bias"):
        BertModel.from_pretrained(_save_folder(tmp_path / "c", config, half_pooler))
    ints = {**tensors, "embeddings.LayerNorm.bias": np.zeros(32, np.int32)}
    with pytest.raises(ValueError, match="floating point"):
        BertModel.from_pretrained(_save_folder(tmp_path / "d", config, ints))
    corrupt = _save_folder(tmp_path / "e", config, tensors)
    raw = (corrupt / "model.safetensors").read_bytes()
    (corrupt / "model.safetensors").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="invalid safetensors file"):
        BertModel.from_pretrained(corrupt)
    with pytest.raises(ValueError, match="float32 or float64"):
        BertModel.from_state_dict(config, tensors, dtype=np.float16)
