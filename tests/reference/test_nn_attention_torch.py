"""fastml.nn attention against torch (scaled_dot_product_attention and
nn.MultiheadAttention with batch_first=True).

Tolerances:
- float32: atol 1e-5 (the issue's bar). Both libraries compute float32 scores and
  float32 weighted sums with different blockings and exponentials (torch's ~20 ulp
  vectorised exp, fastml's ~2.5 ulp exp2); the differences seen are ~1e-6 for
  outputs of size ~1.
- float64: atol 1e-12 (double-precision rounding differences ~1e-15).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fastml.nn import MultiheadAttention, scaled_dot_product_attention  # noqa: E402

ATOL = {np.float32: 1e-5, np.float64: 1e-12}


@pytest.fixture(autouse=True)
def _torch_threads():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


def _torch_sdpa(q, k, v, **kw):
    mask = kw.pop("attn_mask", None)
    args = [torch.from_numpy(np.ascontiguousarray(x)) for x in (q, k, v)]
    if mask is not None:
        kw["attn_mask"] = torch.from_numpy(np.ascontiguousarray(mask))
    with torch.no_grad():
        return torch.nn.functional.scaled_dot_product_attention(*args, **kw).numpy()


def _data(seed, shape_q, shape_k, v_dim, dtype):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal(shape_q).astype(dtype),
        rng.standard_normal(shape_k).astype(dtype),
        rng.standard_normal(shape_k[:-1] + (v_dim,)).astype(dtype),
    )


# L not a multiple of the tile (256), L = 1, L_q != L_k, d in {32, 64, 80, 128}.
GRID = [
    (1, 1, 32),
    (37, 37, 64),
    (300, 300, 80),
    (257, 100, 128),
    (100, 513, 64),
    (5, 290, 32),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("len_q", "len_k", "head_dim"), GRID)
def test_sdpa_matches_torch(dtype, len_q, len_k, head_dim):
    q, k, v = _data(
        0, (2, 3, len_q, head_dim), (2, 3, len_k, head_dim), head_dim, dtype
    )
    rng = np.random.default_rng(1)
    bool_mask = rng.random((2, 1, len_q, len_k)) > 0.25
    pad = np.ones((2, 1, 1, len_k), dtype=bool)
    pad[1, ..., len_k // 2 :] = False
    float_mask = rng.standard_normal((len_q, len_k)).astype(dtype)
    cases = [
        {},
        {"is_causal": True},
        {"attn_mask": bool_mask},
        {"attn_mask": pad, "is_causal": True},
        {"attn_mask": float_mask},
        {"scale": 0.37},
    ]
    for kw in cases:
        ours = scaled_dot_product_attention(q, k, v, n_jobs=2, **kw)
        theirs = _torch_sdpa(q, k, v, **dict(kw))
        np.testing.assert_allclose(
            ours, theirs, rtol=0, atol=ATOL[dtype], err_msg=str(kw)
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gqa_value_dim_and_fully_masked_rows_match_torch(dtype):
    q, k, v = _data(2, (2, 8, 41, 64), (2, 2, 67, 64), 48, dtype)
    for causal in (False, True):
        ours = scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
        theirs = _torch_sdpa(q, k, v, is_causal=causal, enable_gqa=True)
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL[dtype])
    mask = np.random.default_rng(3).random((41, 67)) > 0.5
    mask[[0, 7, 40]] = False  # fully masked rows: torch 2.x gives 0, as fastml
    ours = scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
    theirs = _torch_sdpa(q, k, v, attn_mask=mask, enable_gqa=True)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=ATOL[dtype])
    assert np.all(ours[:, :, [0, 7, 40]] == 0)


def test_sdpa_causal_with_mask_and_three_dims_match_torch():
    # torch combines attn_mask and is_causal for 4-D inputs (see above) but refuses
    # the pair for these 3-D ones; fastml always combines them: compare with the
    # combined mask.
    q, k, v = _data(4, (4, 33, 32), (4, 45, 32), 32, np.float32)
    mask = np.random.default_rng(5).random((33, 45)) > 0.3
    ours = scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=True)
    both = mask & np.tril(np.ones((33, 45), dtype=bool))
    theirs = _torch_sdpa(q, k, v, attn_mask=both)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5)


def _torch_mha(embed_dim, num_heads, seed, kdim=None, vdim=None):
    torch.manual_seed(seed)
    module = torch.nn.MultiheadAttention(
        embed_dim, num_heads, batch_first=True, kdim=kdim, vdim=vdim
    )
    with torch.no_grad():  # non-zero biases, so that they are tested too
        module.in_proj_bias.normal_()
        module.out_proj.bias.normal_()
    return module.eval()


def _ours_from(module, num_heads):
    state = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    if "in_proj_weight" in state:
        return MultiheadAttention.from_packed(
            state["in_proj_weight"],
            state["in_proj_bias"],
            state["out_proj.weight"],
            state["out_proj.bias"],
            num_heads,
        )
    qb, kb, vb = np.split(state["in_proj_bias"], 3)
    return MultiheadAttention.from_weights(
        state["q_proj_weight"],
        state["k_proj_weight"],
        state["v_proj_weight"],
        state["out_proj.weight"],
        num_heads,
        qb,
        kb,
        vb,
        state["out_proj.bias"],
    )


def test_multihead_attention_matches_torch():
    module = _torch_mha(64, 8, seed=0)
    ours = _ours_from(module, 8)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 19, 64)).astype(np.float32)
    mem = rng.standard_normal((3, 23, 64)).astype(np.float32)
    pad = np.zeros((3, 23), dtype=bool)
    pad[0, 15:] = True
    pad[2, :3] = True
    blocked = rng.random((19, 23)) > 0.8
    causal = ~np.tril(np.ones((19, 19), dtype=bool))
    tx, tm = torch.from_numpy(x), torch.from_numpy(mem)
    with torch.no_grad():
        cases = [
            (ours(x), module(tx, tx, tx, need_weights=False)[0]),
            (
                ours(x, mem, mem, key_padding_mask=pad, attn_mask=blocked),
                module(
                    tx,
                    tm,
                    tm,
                    key_padding_mask=torch.from_numpy(pad),
                    attn_mask=torch.from_numpy(blocked),
                    need_weights=False,
                )[0],
            ),  # fmt: skip
            (
                ours(x, is_causal=True),
                module(
                    tx, tx, tx, attn_mask=torch.from_numpy(causal), need_weights=False
                )[0],
            ),  # fmt: skip
        ]
    for got, want in cases:
        np.testing.assert_allclose(got, want.numpy(), rtol=0, atol=1e-5)


def test_multihead_attention_kdim_vdim_matches_torch():
    module = _torch_mha(32, 4, seed=1, kdim=12, vdim=20)
    ours = _ours_from(module, 4)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 9, 32)).astype(np.float32)
    key = rng.standard_normal((2, 11, 12)).astype(np.float32)
    value = rng.standard_normal((2, 11, 20)).astype(np.float32)
    with torch.no_grad():
        want = module(
            torch.from_numpy(x), torch.from_numpy(key), torch.from_numpy(value),
            need_weights=False,
        )[0].numpy()  # fmt: skip
    np.testing.assert_allclose(ours(x, key, value), want, rtol=0, atol=1e-5)
