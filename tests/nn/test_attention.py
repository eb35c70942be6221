"""fastml.nn.scaled_dot_product_attention and MultiheadAttention: API, shapes,
broadcasting, bad input, caller's arrays unchanged.

Numerical agreement is tested against the float64 numpy reference of
tests/naive/attention.py with atol 1e-5 (float32; see tests/kernels/test_attention.py
for the error budget) and 1e-12 (float64).
"""

from __future__ import annotations

import numpy as np
import pytest
from naive.attention import attention as naive_attention
from numpy.testing import assert_allclose, assert_array_equal

from fastml.nn import Linear, MultiheadAttention, scaled_dot_product_attention

sdpa = scaled_dot_product_attention


def _qkv(seed, shape_q, shape_k, v_dim=None, dtype=np.float32):
    rng = np.random.default_rng(seed)
    v_shape = shape_k[:-1] + ((shape_k[-1] if v_dim is None else v_dim),)
    return (
        rng.standard_normal(shape_q).astype(dtype),
        rng.standard_normal(shape_k).astype(dtype),
        rng.standard_normal(v_shape).astype(dtype),
    )


# --- scaled_dot_product_attention ------------------------------------------------------


@pytest.mark.parametrize(
    ("shape_q", "shape_k"),
    [
        ((7, 8), (9, 8)),  # (L, E)
        ((3, 7, 8), (3, 9, 8)),  # (H, L, E)
        ((2, 3, 7, 8), (2, 3, 9, 8)),  # (B, H, L, E)
        ((2, 2, 3, 7, 8), (2, 2, 3, 9, 8)),  # two batch dimensions
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shapes_and_dtypes(shape_q, shape_k, dtype):
    q, k, v = _qkv(0, shape_q, shape_k, v_dim=5, dtype=dtype)
    out = sdpa(q, k, v)
    assert out.shape == shape_q[:-1] + (5,)
    assert out.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert_allclose(out, naive_attention(q, k, v), atol=tol)
    mask = np.random.default_rng(1).random(shape_q[:-1] + (shape_k[-2],)) > 0.3
    assert_allclose(
        sdpa(q, k, v, attn_mask=mask, is_causal=True),
        naive_attention(q, k, v, attn_mask=mask, is_causal=True),
        atol=tol,
    )


def test_batch_and_head_broadcasting():
    q, _, _ = _qkv(2, (2, 4, 6, 8), (1, 1, 5, 8))
    _, k, v = _qkv(3, (1,), (1, 1, 5, 8))
    out = sdpa(q, k, v)  # one key/value head and batch shared by all
    assert out.shape == (2, 4, 6, 8)
    assert_allclose(out, naive_attention(q, np.broadcast_to(k, (2, 4, 5, 8)),
                                         np.broadcast_to(v, (2, 4, 5, 8))), atol=1e-5)  # fmt: skip
    # A 2-D query against batched keys, and keys broadcast over a second batch dim.
    q2 = q[0, 0]
    out = sdpa(q2, k[0], v[0])
    assert out.shape == (1, 6, 8)
    k3 = np.broadcast_to(k, (3, 1, 5, 8)).copy()
    v3 = np.broadcast_to(v, (3, 1, 5, 8)).copy()
    out = sdpa(q[:, None], k3, v3)  # (2, 1, 4, 6, 8) vs (3, 1, 5, 8)
    assert out.shape == (2, 3, 4, 6, 8)


def test_masks_broadcast_like_torch():
    q, k, v = _qkv(4, (2, 3, 6, 8), (2, 3, 7, 8))
    rng = np.random.default_rng(5)
    for shape in [(7,), (6, 7), (1, 7), (6, 1), (3, 1, 7), (2, 1, 1, 7), (2, 3, 6, 7)]:
        bmask = rng.random(shape) > 0.4
        fmask = rng.standard_normal(shape)
        assert_allclose(
            sdpa(q, k, v, attn_mask=bmask), naive_attention(q, k, v, attn_mask=bmask),
            atol=1e-5,
        )  # fmt: skip
        assert_allclose(
            sdpa(q, k, v, attn_mask=fmask), naive_attention(q, k, v, attn_mask=fmask),
            atol=1e-5,
        )  # fmt: skip


def test_padding_mask_small_batch_like_an_encoder():
    # The encoder's call: (batch, heads, L, d) with a (batch, 1, 1, L) key mask.
    q, k, v = _qkv(6, (8, 4, 21, 32), (8, 4, 21, 32))
    lengths = np.random.default_rng(7).integers(1, 22, size=8)
    mask = (np.arange(21)[None, :] < lengths[:, None])[:, None, None, :]
    out = sdpa(q, k, v, attn_mask=mask, n_jobs=2)
    assert_allclose(out, naive_attention(q, k, v, attn_mask=mask), atol=1e-5)


def test_gqa_rules():
    q, k, v = _qkv(8, (1, 6, 5, 8), (1, 2, 5, 8))
    out = sdpa(q, k, v, enable_gqa=True)
    assert_allclose(out, naive_attention(q, k, v, enable_gqa=True), atol=1e-5)
    with pytest.raises(ValueError, match="enable_gqa"):
        sdpa(q, k, v)  # 6 vs 2 heads without GQA
    with pytest.raises(ValueError, match="must divide"):
        sdpa(q[:, :5], k, v, enable_gqa=True)
    with pytest.raises(ValueError, match="same number of heads"):
        sdpa(q, k, v[:, :1], enable_gqa=True)


def test_scale_and_value_dim():
    q, k, v = _qkv(9, (2, 5, 16), (2, 9, 16), v_dim=3, dtype=np.float64)
    for scale in (None, 0.0, 0.5, 3, np.float32(2.0)):
        out = sdpa(q, k, v, scale=scale)
        s = None if scale is None else float(scale)
        assert_allclose(out, naive_attention(q, k, v, scale=s), atol=1e-12)


def test_empty_and_degenerate_lengths():
    q, k, v = _qkv(10, (2, 0, 8), (2, 5, 8))
    assert sdpa(q, k, v).shape == (2, 0, 8)
    q, k, v = _qkv(11, (2, 4, 8), (2, 0, 8))
    out = sdpa(q, k, v)  # no keys: every row fully masked -> 0 (as torch)
    assert out.shape == (2, 4, 8)
    assert_array_equal(out, 0.0)
    q, k, v = _qkv(12, (0, 3, 4, 8), (0, 3, 5, 8))
    assert sdpa(q, k, v).shape == (0, 3, 4, 8)
    q, k, v = _qkv(13, (1, 1, 1, 8), (1, 1, 1, 8))
    assert_allclose(sdpa(q, k, v), v, atol=1e-7)  # one key: its value


def test_fully_masked_rows_give_zero():
    q, k, v = _qkv(14, (2, 5, 8), (2, 6, 8))
    mask = np.ones((5, 6), dtype=bool)
    mask[2] = False
    out = sdpa(q, k, v, attn_mask=mask)
    assert_array_equal(out[:, 2], 0.0)
    fmask = np.where(mask, 0.0, -np.inf)
    assert_array_equal(sdpa(q, k, v, attn_mask=fmask)[:, 2], 0.0)


def test_n_jobs_and_layouts_give_identical_results():
    q, k, v = _qkv(15, (2, 3, 70, 16), (2, 3, 50, 16))
    mask = np.random.default_rng(16).random((2, 1, 1, 50)) > 0.2
    ref = sdpa(q, k, v, attn_mask=mask, is_causal=True, n_jobs=1)
    assert_array_equal(sdpa(q, k, v, attn_mask=mask, is_causal=True, n_jobs=2), ref)
    assert_array_equal(sdpa(q, k, v, attn_mask=mask, is_causal=True, n_jobs=-1), ref)
    # F-ordered, non-contiguous and read-only inputs: the same answer.
    qf, kf, vf = (np.asfortranarray(x) for x in (q, k, v))
    assert_array_equal(sdpa(qf, kf, vf, attn_mask=mask, is_causal=True), ref)
    big = np.zeros((2, 3, 70, 32), np.float32)
    big[..., ::2] = q
    assert_array_equal(sdpa(big[..., ::2], k, v, attn_mask=mask, is_causal=True), ref)
    for x in (q, k, v, mask):
        x.flags.writeable = False
    assert_array_equal(sdpa(q, k, v, attn_mask=mask, is_causal=True), ref)


def test_inputs_are_not_modified():
    q, k, v = _qkv(17, (2, 3, 9, 8), (2, 3, 11, 8))
    mask = np.random.default_rng(18).standard_normal((9, 11)).astype(np.float32)
    copies = [x.copy() for x in (q, k, v, mask)]
    sdpa(q, k, v, attn_mask=mask, is_causal=True, scale=0.3)
    for x, c in zip((q, k, v, mask), copies):
        assert_array_equal(x, c)


def test_nan_and_inf_inputs():
    q, k, v = _qkv(19, (4, 8), (6, 8))
    q[1, 0] = np.nan
    out = sdpa(q, k, v)
    assert np.isnan(out[1]).all()
    assert np.isfinite(out[[0, 2, 3]]).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"key": np.zeros((3, 5, 7), np.float32)}, "same last dimension"),
        ({"value": np.zeros((3, 6, 8), np.float32)}, "same sequence length"),
        ({"attn_mask": np.ones((4, 6), bool)}, "does not broadcast"),
        ({"attn_mask": np.ones((2, 3, 4, 5), bool)}, "does not broadcast"),
        ({"attn_mask": np.ones((4, 5), np.int64)}, "bool or floating"),
        ({"query": np.zeros((3, 4, 8), np.int64)}, "float32 or float64"),
        ({"query": np.zeros((3, 4, 8), np.float16)}, "float32 or float64"),
        ({"query": np.array([["a"]])}, "numeric"),
        ({"query": np.zeros(8, np.float32)}, "at least 2 dimensions"),
        ({"query": np.zeros((3, 4, 8))}, "same dtype"),
        (
            {
                "query": np.zeros((3, 4, 0), np.float32),
                "key": np.zeros((3, 5, 0), np.float32),
            },
            "at least 1",
        ),  # fmt: skip
        ({"dropout_p": 0.1}, "dropout_p"),
        ({"scale": "big"}, "scale"),
        ({"scale": np.inf}, "finite"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_bad_input_raises_clear_errors(kwargs, match):
    args = {
        "query": np.zeros((3, 4, 8), np.float32),
        "key": np.zeros((3, 5, 8), np.float32),
        "value": np.zeros((3, 5, 8), np.float32),
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        sdpa(**args)


def test_batch_dims_that_do_not_broadcast():
    q, k, v = _qkv(20, (2, 3, 4, 8), (3, 3, 5, 8))
    with pytest.raises(ValueError, match="do not broadcast"):
        sdpa(q, k, v)


def test_torch_positional_order():
    # torch: (query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)
    q, k, v = _qkv(21, (5, 8), (5, 8))
    assert_allclose(
        sdpa(q, k, v, None, 0.0, True, 0.5),
        naive_attention(q, k, v, is_causal=True, scale=0.5),
        atol=1e-5,
    )


# --- MultiheadAttention ------------------------------------------------------------


def _split_heads(x, n_heads):
    n, length, width = x.shape
    return x.reshape(n, length, n_heads, width // n_heads).transpose(0, 2, 1, 3)


def _mha_reference(layer, query, key, value, attn_mask=None, is_causal=False):
    """Projections, head split with transposed copies, naive attention, merge."""
    q = _split_heads(layer.q_proj(query), layer.num_heads)
    k = _split_heads(layer.k_proj(key), layer.num_kv_heads)
    v = _split_heads(layer.v_proj(value), layer.num_kv_heads)
    out = naive_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal,
                          enable_gqa=layer.num_kv_heads != layer.num_heads)  # fmt: skip
    n, h, length, d = out.shape
    return layer.out_proj(out.transpose(0, 2, 1, 3).reshape(n, length, h * d))


@pytest.mark.parametrize("num_kv_heads", [None, 2, 1])
def test_mha_matches_composed_reference(num_kv_heads):
    layer = MultiheadAttention.random(32, 4, num_kv_heads=num_kv_heads, random_state=0)
    rng = np.random.default_rng(22)
    x = rng.standard_normal((3, 7, 32)).astype(np.float32)
    mem = rng.standard_normal((3, 9, 32)).astype(np.float32)
    assert_allclose(layer(x), _mha_reference(layer, x, x, x), atol=1e-5)
    pad = np.zeros((3, 9), dtype=bool)
    pad[1, 6:] = True
    keep = ~pad[:, None, None, :]
    out = layer(x, mem, mem, key_padding_mask=pad, is_causal=True)
    ref = _mha_reference(layer, x, mem, mem, attn_mask=keep, is_causal=True)
    assert_allclose(out, ref, atol=1e-5)


def test_mha_masks_follow_torch_module_semantics():
    layer = MultiheadAttention.random(16, 2, random_state=1)
    rng = np.random.default_rng(23)
    x = rng.standard_normal((2, 5, 16)).astype(np.float32)
    blocked = rng.random((5, 5)) > 0.7  # True = not allowed
    np.fill_diagonal(blocked, False)
    ref = _mha_reference(layer, x, x, x, attn_mask=~blocked)
    assert_allclose(layer(x, attn_mask=blocked), ref, atol=1e-5)
    additive = np.where(blocked, -np.inf, 0.0)
    assert_allclose(layer(x, attn_mask=additive), ref, atol=1e-5)
    per_head = np.broadcast_to(blocked, (2 * 2, 5, 5))
    assert_allclose(layer(x, attn_mask=per_head), ref, atol=1e-5)
    # Both masks boolean, and a float padding mask with a boolean attention mask.
    pad = np.zeros((2, 5), dtype=bool)
    pad[0, 4] = True
    both = ~blocked[None, None] & ~pad[:, None, None, :]
    ref2 = _mha_reference(layer, x, x, x, attn_mask=both)
    assert_allclose(layer(x, key_padding_mask=pad, attn_mask=blocked), ref2, atol=1e-5)
    fpad = np.where(pad, -np.inf, 0.0)
    assert_allclose(layer(x, key_padding_mask=fpad, attn_mask=blocked), ref2, atol=1e-5)
    assert_allclose(
        layer(x, key_padding_mask=fpad, attn_mask=additive), ref2, atol=1e-5
    )


def test_mha_layouts_and_constructors():
    layer = MultiheadAttention.random(24, 3, random_state=2, batch_first=False)
    x = np.random.default_rng(24).standard_normal((6, 2, 24)).astype(np.float32)
    out = layer(x)  # (L, batch, E)
    first = MultiheadAttention(
        layer.q_proj, layer.k_proj, layer.v_proj, layer.out_proj, 3
    )
    assert_allclose(out, first(x.transpose(1, 0, 2)).transpose(1, 0, 2), atol=1e-6)
    # Unbatched input.
    assert_allclose(first(x[:, 0]), first(x[:, :1].transpose(1, 0, 2))[0], atol=1e-6)
    # from_packed / from_weights rebuild the same layer.
    packed = np.concatenate([layer.q_proj.weight, layer.k_proj.weight,
                             layer.v_proj.weight])  # fmt: skip
    bias = np.concatenate([layer.q_proj.bias, layer.k_proj.bias, layer.v_proj.bias])
    again = MultiheadAttention.from_packed(
        packed, bias, layer.out_proj.weight, layer.out_proj.bias, 3
    )
    assert_array_equal(again(x[:, 0]), first(x[:, 0]))
    # random_state makes the initialisation reproducible.
    a = MultiheadAttention.random(8, 2, random_state=5)
    b = MultiheadAttention.random(8, 2, random_state=5)
    assert_array_equal(a.q_proj.weight, b.q_proj.weight)
    assert a.embed_dim == 8 and a.head_dim == 4 and "num_heads=2" in repr(a)
    f64 = MultiheadAttention.random(8, 2, random_state=5, dtype=np.float64)
    assert f64(np.zeros((3, 8))).dtype == np.float64


def test_mha_bad_input():
    layer = MultiheadAttention.random(16, 4, random_state=3)
    x = np.zeros((2, 5, 16), np.float32)
    with pytest.raises(ValueError, match="3-D"):
        layer(np.zeros((1, 2, 5, 16), np.float32))
    with pytest.raises(ValueError, match="features"):
        layer(np.zeros((2, 5, 15), np.float32))
    with pytest.raises(ValueError, match="batch size"):
        layer(x, np.zeros((3, 5, 16), np.float32))
    with pytest.raises(ValueError, match="key_padding_mask"):
        layer(x, key_padding_mask=np.zeros((2, 4), bool))
    with pytest.raises(ValueError, match="attn_mask"):
        layer(x, attn_mask=np.zeros((5, 4), bool))
    with pytest.raises(ValueError, match="bool or floating"):
        layer(x, attn_mask=np.zeros((5, 5), np.int64))
    with pytest.raises(ValueError, match="multiple of num_heads"):
        MultiheadAttention.random(10, 4)
    with pytest.raises(ValueError, match="divisor"):
        MultiheadAttention.random(16, 4, num_kv_heads=3)
    lin = Linear(np.zeros((16, 16), np.float32))
    with pytest.raises(ValueError, match="k_proj"):
        MultiheadAttention(lin, Linear(np.zeros((8, 16), np.float32)), lin, lin, 4)
    with pytest.raises(ValueError, match="Linear"):
        MultiheadAttention(lin, lin, lin, np.zeros((16, 16)), 4)
    with pytest.raises(ValueError, match="dtype"):
        MultiheadAttention(lin, lin, lin, Linear(np.zeros((16, 16))), 4)
    with pytest.raises(ValueError, match="in_proj_weight"):
        MultiheadAttention.from_packed(np.zeros((16, 16)), None, np.zeros((16, 16)),
                                       None, 4)  # fmt: skip


def test_mha_does_not_modify_inputs():
    layer = MultiheadAttention.random(16, 2, random_state=4)
    x = np.random.default_rng(25).standard_normal((2, 5, 16)).astype(np.float32)
    pad = np.zeros((2, 5), dtype=bool)
    pad[0, 3:] = True
    copies = (x.copy(), pad.copy(), layer.q_proj.weight.copy())
    layer(x, key_padding_mask=pad, is_causal=True)
    assert_array_equal(x, copies[0])
    assert_array_equal(pad, copies[1])
    assert_array_equal(layer.q_proj.weight, copies[2])
