"""GPTDecoder: shapes, key/value cache vs full recomputation, weights, bad input."""

import numpy as np
import pytest

from fastml.nn import DecoderConfig, GPTDecoder
from fastml.nn._decoder import KVCache
from fastml.nn._layers import Linear

# Cache vs full recomputation: the same arithmetic on differently shaped operands
# (one query row instead of L, other BLAS blockings), so float32 results differ by
# a few ulps of the logits (observed 2.4e-6 with logits up to ~9 on these sizes);
# the bound is 1e-5. In float64 the differences are ~5e-15.
ATOL = {np.float32: 1e-5, np.float64: 1e-12}


def _config(**overrides):
    params = dict(
        vocab_size=41, n_positions=32, d_model=24, n_heads=3, n_layers=2, d_ff=40
    )
    params.update(overrides)
    return DecoderConfig(**params)


def _model(dtype=np.float32, seed=0, **overrides):
    model = GPTDecoder(_config(**overrides), random_state=seed, dtype=dtype)
    # Larger weights than GPT-2's init, so that logits and attention patterns
    # are far from uniform and the comparisons below are not trivially met.
    rng = np.random.default_rng(seed)
    for block in model.blocks:
        for layer in (block.qkv, block.out_proj, block.fc, block.proj):
            layer.weight *= 10
            layer.bias += rng.standard_normal(layer.bias.shape).astype(dtype) * 0.1
        block.ln_1.weight += rng.standard_normal(block.ln_1.weight.shape).astype(dtype)
    model.token_embedding.weight *= 20
    model.position_embedding.weight *= 20
    return model


def _ids(rng, shape, vocab=41):
    return rng.integers(0, vocab, size=shape)


# ----------------------------------------------------------------- shapes, dtypes
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_and_dtype(dtype):
    model = _model(dtype)
    rng = np.random.default_rng(0)
    logits = model(_ids(rng, (3, 7)))
    assert logits.shape == (3, 7, 41) and logits.dtype == dtype
    assert np.isfinite(logits).all()
    single = model.forward(_ids(rng, 5))
    assert single.shape == (5, 41) and single.dtype == dtype
    assert model(np.array([[4]], dtype=np.uint8)).shape == (1, 1, 41)


def test_logits_spread():
    # The test model is not degenerate: logits vary over a wide range.
    logits = _model()(np.arange(10)[None])
    assert np.ptp(logits) > 5


def test_causal_and_batch_independent():
    model = _model(np.float64)
    rng = np.random.default_rng(1)
    ids = _ids(rng, (2, 12))
    logits = model(ids)
    changed = ids.copy()
    changed[:, 8] = (changed[:, 8] + 1) % 41
    other = model(changed)
    # Positions before the change cannot see it; those at or after do.
    np.testing.assert_array_equal(logits[:, :8], other[:, :8])
    assert np.abs(logits[:, 8:] - other[:, 8:]).min() > 0
    # Rows of a batch are independent.
    np.testing.assert_allclose(logits[1], model(ids[1]), rtol=0, atol=1e-12)


def test_start_pos_without_cache_offsets_positions():
    model = _model(np.float64)
    ids = np.array([[3, 9, 1, 30]])
    shifted = model(ids, start_pos=5)
    assert not np.allclose(shifted, model(ids))
    # Same as computing with explicit position rows 5..8 in the embedding.
    pos = model.position_embedding.weight.copy()
    model.position_embedding.weight[:4] = pos[5:9]
    try:
        np.testing.assert_allclose(model(ids), shifted, rtol=0, atol=1e-12)
    finally:
        model.position_embedding.weight[:] = pos


# ----------------------------------------------------------------- key/value cache
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("capacity", [None, 2, 32])
def test_cache_token_by_token_equals_full_recompute(dtype, capacity):
    model = _model(dtype)
    rng = np.random.default_rng(2)
    ids = _ids(rng, (2, 30))
    full = model(ids)
    cache = model.new_cache(batch_size=2, capacity=capacity)
    steps = [model(ids[:, :1], cache=cache)]
    for t in range(1, 30):
        steps.append(model(ids[:, t : t + 1], cache=cache))
    assert cache.length == 30
    stepped = np.concatenate(steps, axis=1)
    assert stepped.dtype == dtype
    np.testing.assert_allclose(stepped, full, rtol=0, atol=ATOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cache_chunks_equal_full_recompute(dtype):
    # Prompt of 5, then chunks of 3 and 4 (several new queries against a longer
    # cache: the bottom-right causal mask), then single tokens.
    model = _model(dtype)
    rng = np.random.default_rng(3)
    ids = _ids(rng, (3, 20))
    full = model(ids)
    cache = model.new_cache(3)
    parts = []
    bounds = [0, 5, 8, 12, 13, 14, 20]
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        parts.append(model(ids[:, lo:hi], cache=cache))
    np.testing.assert_allclose(
        np.concatenate(parts, axis=1), full, rtol=0, atol=ATOL[dtype]
    )


def test_cache_rewind_overwrites():
    model = _model()
    rng = np.random.default_rng(4)
    first = _ids(rng, (1, 10))
    cache = model.new_cache(1)
    model(first, cache=cache)
    # Go back to position 6 and continue with other tokens.
    other = _ids(rng, (1, 5))
    got = model(other, cache=cache, start_pos=6)
    assert cache.length == 11
    expected = model(np.concatenate([first[:, :6], other], axis=1))[:, 6:]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    cache.reset()
    assert cache.length == 0
    np.testing.assert_allclose(model(first, cache=cache), model(first), atol=1e-5)


def test_cache_up_to_n_positions():
    model = _model()
    rng = np.random.default_rng(5)
    ids = _ids(rng, (1, 32))
    cache = model.new_cache(1, capacity=3)
    model(ids[:, :31], cache=cache)
    last = model(ids[:, 31:], cache=cache)
    assert cache.capacity == 32
    np.testing.assert_allclose(last[:, 0], model(ids)[:, -1], rtol=0, atol=1e-5)
    with pytest.raises(ValueError, match="n_positions"):
        model(ids[:, :1], cache=cache)
    assert cache.nbytes == 2 * 2 * 1 * 3 * 32 * 8 * 4


# ----------------------------------------------------------------- weights
def test_random_weights_reproducible():
    config = _config()
    a = GPTDecoder(config, random_state=7).state_dict()
    b = GPTDecoder(config, random_state=7).state_dict()
    c = GPTDecoder(config, random_state=8).state_dict()
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["blocks.0.qkv.weight"], c["blocks.0.qkv.weight"])
    # GPT-2's init: N(0, 0.02) weights, scaled residual projections, zero biases,
    # identity LayerNorms.
    big = GPTDecoder(
        _config(d_model=64, n_heads=4, d_ff=256, vocab_size=500), random_state=0
    ).state_dict()
    assert abs(big["token_embedding.weight"].std() - 0.02) < 0.001
    assert abs(big["blocks.0.proj.weight"].std() - 0.01) < 0.001  # 0.02/sqrt(4)
    assert not big["blocks.1.fc.bias"].any()
    assert (big["ln_f.weight"] == 1).all()


def test_state_dict_round_trip_and_copies():
    model = _model(np.float64)
    params = model.state_dict()
    rebuilt = GPTDecoder(model.config, params, dtype=np.float64)
    ids = np.arange(9)[None] * 4
    np.testing.assert_array_equal(rebuilt(ids), model(ids))
    # The model copied the arrays: changing them does not change the model.
    params["blocks.0.fc.weight"] += 1
    np.testing.assert_array_equal(rebuilt(ids), model(ids))
    # float64 weights into a float32 model.
    small = GPTDecoder(model.config, model.state_dict(), dtype=np.float32)
    assert small(ids).dtype == np.float32
    np.testing.assert_allclose(small(ids), model(ids), rtol=1e-4, atol=1e-3)


def test_tied_and_untied_head():
    model = _model()
    assert np.shares_memory(model.lm_head.weight, model.token_embedding.weight)
    assert "lm_head.weight" not in model.state_dict()
    untied = GPTDecoder(_config(tie_word_embeddings=False), random_state=0)
    assert not np.shares_memory(untied.lm_head.weight, untied.token_embedding.weight)
    assert untied.state_dict()["lm_head.weight"].shape == (41, 24)
    assert model.n_parameters == sum(v.size for v in model.state_dict().values())


def test_linear_layers_reachable():
    # quantize_model walks attributes and lists of layers: every affine map is a
    # Linear attribute of the model or of a block, and forward goes through them.
    model = _model()
    found = [v for v in vars(model).values() if isinstance(v, Linear)]
    for block in model.blocks:
        found += [v for v in vars(block).values() if isinstance(v, Linear)]
    assert len(found) == 4 * model.config.n_layers + 1

    class Doubled:
        def __init__(self, layer):
            self.layer = layer

        def __call__(self, x):
            return 2 * self.layer(x)

    ids = np.arange(6)[None]
    before = model(ids)
    model.lm_head = Doubled(model.lm_head)
    np.testing.assert_allclose(model(ids), 2 * before, rtol=1e-6)


def test_gpt2_names_round_trip_without_torch():
    # Rename this model's parameters to GPT-2's (Conv1D weights transposed to
    # (in, out)) and load them back.
    model = _model()
    own = model.state_dict()
    gpt2 = {
        "transformer.wte.weight": own["token_embedding.weight"],
        "transformer.wpe.weight": own["position_embedding.weight"],
        "transformer.ln_f.weight": own["ln_f.weight"],
        "transformer.ln_f.bias": own["ln_f.bias"],
        "lm_head.weight": own["token_embedding.weight"],
    }
    pairs = {
        "ln_1": "ln_1",
        "attn.c_attn": "qkv",
        "attn.c_proj": "out_proj",
        "ln_2": "ln_2",
        "mlp.c_fc": "fc",
        "mlp.c_proj": "proj",
    }
    for i in range(model.config.n_layers):
        gpt2[f"transformer.h.{i}.attn.bias"] = np.tril(np.ones((32, 32)))
        for theirs, ours in pairs.items():
            weight = own[f"blocks.{i}.{ours}.weight"]
            gpt2[f"transformer.h.{i}.{theirs}.weight"] = (
                weight if ours.startswith("ln") else weight.T
            )
            gpt2[f"transformer.h.{i}.{theirs}.bias"] = own[f"blocks.{i}.{ours}.bias"]
    gpt2_config = {
        "vocab_size": 41,
        "n_positions": 32,
        "n_embd": 24,
        "n_head": 3,
        "n_layer": 2,
        "n_inner": 40,
        "activation_function": "gelu_new",
    }
    loaded = GPTDecoder.from_gpt2_state_dict(gpt2, gpt2_config)
    ids = np.arange(12)[None] * 3
    np.testing.assert_array_equal(loaded(ids), model(ids))
    # GPT2Model names (no "transformer." prefix) work too.
    bare = {k.removeprefix("transformer."): v for k, v in gpt2.items()}
    np.testing.assert_array_equal(
        GPTDecoder.from_gpt2_state_dict(bare, loaded.config)(ids), model(ids)
    )
    with pytest.raises(ValueError, match="unexpected GPT-2"):
        GPTDecoder.from_gpt2_state_dict(
            {**gpt2, "score.weight": gpt2["lm_head.weight"]}, gpt2_config
        )
    with pytest.raises(ValueError, match="missing"):
        GPTDecoder.from_gpt2_state_dict(
            {k: v for k, v in gpt2.items() if "h.1.mlp.c_fc.bias" not in k},
            gpt2_config,
        )
    with pytest.raises(ValueError, match="differs from the tied"):
        GPTDecoder.from_gpt2_state_dict(
            {**gpt2, "lm_head.weight": gpt2["lm_head.weight"] + 1}, gpt2_config
        )
    for bad in (
        {"scale_attn_by_inverse_layer_idx": True},
        {"activation_function": "relu"},
        {"scale_attn_weights": False},
    ):
        with pytest.raises(ValueError):
            GPTDecoder.from_gpt2_state_dict(gpt2, {**gpt2_config, **bad})


def test_exact_gelu_option_changes_output():
    # Same weights, the two GELU forms: close (the tanh form is within ~5e-4 of
    # the exact one) but not equal.
    erf = GPTDecoder(_config(activation="gelu"), random_state=0, dtype=np.float64)
    tanh = GPTDecoder(
        _config(activation="gelu_tanh"), erf.state_dict(), dtype=np.float64
    )
    ids = np.arange(5)[None]
    diff = np.abs(erf(ids) - tanh(ids)).max()
    assert 0 < diff < 1e-3


# ----------------------------------------------------------------- bad input
def test_bad_config():
    with pytest.raises(ValueError, match="multiple of n_heads"):
        _config(d_model=25)
    with pytest.raises(ValueError, match="activation"):
        _config(activation="relu")
    with pytest.raises(ValueError, match="n_layers"):
        _config(n_layers=0)
    with pytest.raises(TypeError, match="vocab_size"):
        _config(vocab_size=4.0)
    with pytest.raises(ValueError, match="layer_norm_eps"):
        _config(layer_norm_eps=0.0)
    assert DecoderConfig(d_model=64, n_heads=4).d_ff == 256
    assert DecoderConfig(**_config().to_dict()) == _config()
    with pytest.raises(TypeError, match="DecoderConfig"):
        GPTDecoder({"vocab_size": 3})
    with pytest.raises(ValueError, match="dtype"):
        GPTDecoder(_config(), dtype=np.float16)


def test_bad_state_dict():
    model = _model()
    params = model.state_dict()
    with pytest.raises(ValueError, match="missing"):
        GPTDecoder(model.config, {k: v for k, v in params.items() if k != "ln_f.bias"})
    with pytest.raises(ValueError, match="unexpected"):
        GPTDecoder(model.config, {**params, "extra.weight": np.zeros(3)})
    wrong = dict(params)
    wrong["blocks.1.fc.weight"] = params["blocks.1.fc.weight"].T
    with pytest.raises(ValueError, match="shape"):
        GPTDecoder(model.config, wrong)
    wrong["blocks.1.fc.weight"] = np.full((40, 24), np.nan)
    with pytest.raises(ValueError, match="NaN"):
        GPTDecoder(model.config, wrong)
    wrong["blocks.1.fc.weight"] = np.ones((40, 24), dtype=np.int64)
    with pytest.raises(ValueError, match="floating"):
        GPTDecoder(model.config, wrong)


@pytest.mark.parametrize(
    "ids, match",
    [
        (np.zeros((1, 0), dtype=np.int64), "empty"),
        (np.zeros((0, 4), dtype=np.int64), "empty"),
        (np.zeros(0, dtype=np.int64), "empty"),
        (np.array([[1, 41]]), "vocab_size"),
        (np.array([[-1, 2]]), "vocab_size"),
        (np.array([[1.0, 2.0]]), "integers"),
        (np.array([["a"]]), "integers"),
        (np.array([True, False]), "integers"),
        (np.zeros((1, 2, 3), dtype=np.int64), "1-D"),
        (np.array(3), "1-D"),
        (np.zeros((1, 33), dtype=np.int64), "n_positions"),
    ],
)
def test_bad_input_ids(ids, match):
    with pytest.raises(ValueError, match=match):
        _model()(ids)


def test_bad_cache_use():
    model = _model()
    cache = model.new_cache(2)
    with pytest.raises(ValueError, match="2"):
        model(np.zeros((3, 4), dtype=np.int64), cache=cache)
    with pytest.raises(ValueError, match="2"):
        model(np.zeros(4, dtype=np.int64), cache=cache)
    with pytest.raises(ValueError, match="beyond the cached length"):
        model(np.zeros((2, 1), dtype=np.int64), cache=cache, start_pos=1)
    with pytest.raises(ValueError, match=">= 0"):
        model(np.zeros((2, 1), dtype=np.int64), start_pos=-1)
    with pytest.raises(TypeError, match="KVCache"):
        model(np.zeros((2, 1), dtype=np.int64), cache={})
    other = GPTDecoder(_config(n_layers=3), random_state=0)
    with pytest.raises(ValueError, match="another configuration"):
        model(np.zeros((1, 1), dtype=np.int64), cache=other.new_cache(1))
    with pytest.raises(ValueError, match="dtype"):
        wide = GPTDecoder(model.config, random_state=0, dtype=np.float64)
        model(np.zeros((1, 1), dtype=np.int64), cache=wide.new_cache(1))
    with pytest.raises(ValueError, match="n_positions"):
        model.new_cache(1, capacity=33)
    # Running past n_positions with a cache: clear error, cache untouched.
    cache = model.new_cache(1)
    model(np.zeros((1, 30), dtype=np.int64), cache=cache)
    with pytest.raises(ValueError, match="n_positions"):
        model(np.zeros((1, 3), dtype=np.int64), cache=cache)
    assert cache.length == 30
    assert isinstance(cache, KVCache) and "length=30" in repr(cache)


def test_input_not_modified_and_read_only():
    model = _model()
    ids = np.array([[5, 6, 7]], dtype=np.int32)
    ids.flags.writeable = False
    before = ids.copy()
    logits = model(ids)
    np.testing.assert_array_equal(ids, before)
    np.testing.assert_array_equal(logits, model(before.astype(np.int64)))


def test_quantized_model_decodes_with_cache():
    # quantize_model swaps every Linear (the tied head included) for a
    # QuantizedLinear; the decoder only calls its layers, so it keeps working.
    from fastml.nn.quantize import QuantizedLinear, quantize_model

    model = GPTDecoder(_config(), random_state=0)
    quantized = quantize_model(model, "float16")
    assert isinstance(quantized.lm_head, QuantizedLinear)
    assert isinstance(quantized.blocks[1].qkv, QuantizedLinear)
    ids = np.arange(12)[None] * 3
    full = quantized(ids)
    # float16 weights: relative rounding 2^-11 of each weight; the logits of this
    # small model (|logits| < 1) move by ~1e-4.
    np.testing.assert_allclose(full, model(ids), rtol=0, atol=1e-3)
    cache = quantized.new_cache(1)
    steps = np.concatenate(
        [quantized(ids[:, t : t + 1], cache=cache) for t in range(12)], 1
    )
    np.testing.assert_allclose(steps, full, rtol=0, atol=1e-5)
