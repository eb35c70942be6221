"""fastml.kernels.nn.attention against the numpy reference of tests/naive/attention.py.

The kernel is called directly with the argument types fastml.nn passes (read-only
C-contiguous inputs), so these tests compile the same single specialisation per
dtype. Small tiles (e.g. 16 x 8) make small inputs cross many tile boundaries,
including partial tiles at the ends.

Tolerances (absolute, outputs are weighted means of values ~N(0, 1)):
- float32: 1e-5. The kernel computes scores by float32 products of length E <= 128
  (relative rounding ~E * 6e-8 on |scores| <~ 5 after scaling), exponentials with
  relative error <= 3e-7 and float32 accumulation of the weighted values; the
  observed errors are ~1e-6. 1e-5 is also the issue's bar against torch.
- float64: 1e-12. The same computations in double precision (errors ~1e-15).
"""

from __future__ import annotations

import numpy as np
import pytest
from fastml.kernels.nn import attention as K
from naive.attention import attention as naive_attention
from numpy.testing import assert_allclose, assert_array_equal

from fastml._parallel import run_chunks

ATOL = {np.float32: 1e-5, np.float64: 1e-12}


def _ro(x):
    view = np.ascontiguousarray(x).view()
    view.flags.writeable = False
    return view


def _as_rows(x):
    """(..., H, L, D) -> (rows, L, D) C-contiguous, with its (batch, head) steps."""
    n_heads, length, dim = x.shape[-3:]
    return np.ascontiguousarray(x).reshape(-1, length, dim), n_heads


def run_kernel(
    q,
    k,
    v,
    *,
    bool_mask=None,
    float_mask=None,
    causal=False,
    scale=None,
    tiles=(16, 8),
    n_threads=2,
):
    """out (B, H, L, E_v) for q (B, H, L, E), k (B, H_kv, S, E), v (B, H_kv, S, E_v);
    masks 4-D (B', H', L', S')."""
    n_batch, n_heads, len_q, head_dim = q.shape
    n_kv = k.shape[1]
    v_dim = v.shape[-1]
    out = np.full((n_batch, n_heads, len_q, v_dim), np.nan, dtype=q.dtype)
    layout = np.array(
        [[n_heads, 1, 0], [n_kv, 1, 0], [n_kv, 1, 0], [n_heads, 1, 0]], dtype=np.int64
    )
    kind = K.NO_MASK
    if bool_mask is not None:
        kind |= K.BOOL_MASK
    else:
        bool_mask = np.ones((1, 1, 1, 1), dtype=bool)
    if float_mask is not None:
        kind |= K.FLOAT_MASK
    else:
        float_mask = np.zeros((1, 1, 1, 1), dtype=q.dtype)
    if scale is None:
        scale = 1.0 / np.sqrt(head_dim)
    args = (
        _ro(q.reshape(-1, len_q, head_dim)),
        _ro(k.reshape(-1, k.shape[2], head_dim)),
        _ro(v.reshape(-1, v.shape[2], v_dim)),
        out.reshape(-1, len_q, v_dim),
        layout,
        n_batch,
        n_heads,
        n_kv,
        head_dim,
        v_dim,
        _ro(bool_mask),
        _ro(float_mask.astype(q.dtype)),
        kind,
        causal,
        float(scale),
        tiles[0],
        tiles[1],
    )
    n_items = K.count_items(n_batch, n_heads, len_q, tiles[0])
    run_chunks(lambda a, b: K.attend(*args, a, b), n_items, n_threads)
    return out


def _qkv(rng, shape_q, shape_k, v_dim, dtype):
    q = rng.standard_normal(shape_q).astype(dtype)
    k = rng.standard_normal(shape_k).astype(dtype)
    v = rng.standard_normal(shape_k[:-1] + (v_dim,)).astype(dtype)
    return q, k, v


def _reference(q, k, v, **kw):
    gqa = q.shape[1] != k.shape[1]
    return naive_attention(q, k, v, enable_gqa=gqa, **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(
    ("len_q", "len_k", "head_dim"),
    [(37, 53, 32), (64, 64, 64), (1, 1, 80), (45, 17, 128), (1, 30, 64), (30, 1, 32)],
)
def test_matches_reference(dtype, seed, len_q, len_k, head_dim):
    rng = np.random.default_rng(seed)
    q, k, v = _qkv(rng, (2, 3, len_q, head_dim), (2, 3, len_k, head_dim), 24, dtype)
    for causal in (False, True):
        out = run_kernel(q, k, v, causal=causal)
        assert out.dtype == dtype
        assert_allclose(
            out, _reference(q, k, v, is_causal=causal), rtol=0, atol=ATOL[dtype]
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("tiles", [(1, 1), (7, 5), (64, 64), (256, 256)])
def test_tile_sizes(dtype, tiles):
    rng = np.random.default_rng(3)
    q, k, v = _qkv(rng, (1, 2, 29, 16), (1, 2, 41, 16), 16, dtype)
    ref = _reference(q, k, v, is_causal=True)
    out = run_kernel(q, k, v, causal=True, tiles=tiles)
    assert_allclose(out, ref, rtol=0, atol=ATOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_causal_alignment_when_lengths_differ(dtype):
    # torch's is_causal is top-left aligned: query i sees keys 0..i whatever L_k.
    rng = np.random.default_rng(4)
    for len_q, len_k in [(5, 9), (9, 5), (20, 3)]:
        q, k, _ = _qkv(rng, (1, 1, len_q, 8), (1, 1, len_k, 8), 8, dtype)
        eye = np.eye(len_k, dtype=dtype)[None, None]  # out = the attention weights
        weights = run_kernel(q, k, eye, causal=True, tiles=(4, 2))
        allowed = np.tril(np.ones((len_q, len_k), dtype=bool))
        assert np.all(weights[0, 0][~allowed] == 0)
        assert_allclose(weights.sum(-1), 1.0, atol=ATOL[dtype] * 10)
        assert_allclose(
            weights, _reference(q, k, eye, is_causal=True), atol=ATOL[dtype]
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masks_broadcast_and_combine(dtype):
    rng = np.random.default_rng(5)
    n_batch, n_heads, len_q, len_k = 2, 3, 19, 23
    q, k, v = _qkv(
        rng, (n_batch, n_heads, len_q, 16), (n_batch, n_heads, len_k, 16), 8, dtype
    )
    shapes = [
        (n_batch, n_heads, len_q, len_k),
        (n_batch, 1, 1, len_k),  # padding mask
        (1, n_heads, len_q, 1),
        (1, 1, len_q, len_k),
        (1, 1, 1, 1),
    ]
    for shape in shapes:
        bmask = rng.random(shape) > 0.3
        fmask = rng.standard_normal(shape).astype(dtype)
        full_b = np.broadcast_to(bmask, (n_batch, n_heads, len_q, len_k))
        for causal in (False, True):
            out = run_kernel(q, k, v, bool_mask=bmask, causal=causal)
            ref = _reference(q, k, v, attn_mask=full_b, is_causal=causal)
            assert_allclose(out, ref, rtol=0, atol=ATOL[dtype])
            out = run_kernel(q, k, v, float_mask=fmask, causal=causal)
            ref = _reference(q, k, v, attn_mask=fmask, is_causal=causal)
            assert_allclose(out, ref, rtol=0, atol=ATOL[dtype])
        out = run_kernel(q, k, v, bool_mask=bmask, float_mask=fmask)
        ref = _reference(q, k, v, attn_mask=np.where(full_b, fmask, -np.inf))
        assert_allclose(out, ref, rtol=0, atol=ATOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fully_masked_rows_are_zero(dtype):
    rng = np.random.default_rng(6)
    q, k, v = _qkv(rng, (1, 2, 10, 8), (1, 2, 12, 8), 8, dtype)
    bmask = rng.random((1, 2, 10, 12)) > 0.5
    bmask[0, 0, 3] = False
    bmask[0, 1, :] = False  # a whole head
    fmask = np.where(bmask, 0.0, -np.inf).astype(dtype)
    for kw in ({"bool_mask": bmask}, {"float_mask": fmask}):
        out = run_kernel(q, k, v, tiles=(4, 5), **kw)
        assert_array_equal(out[0, 0, 3], 0.0)
        assert_array_equal(out[0, 1], 0.0)
        ref = _reference(q, k, v, attn_mask=bmask)
        assert_allclose(out, ref, rtol=0, atol=ATOL[dtype])
    # A row masked in its first key tiles only is rescaled correctly.
    late = np.zeros((1, 1, 10, 12), dtype=bool)
    late[..., 10:] = True
    out = run_kernel(q, k, v, bool_mask=late, tiles=(4, 5))
    assert_allclose(out, _reference(q, k, v, attn_mask=late), atol=ATOL[dtype])


def test_nan_propagates_to_its_row_only():
    rng = np.random.default_rng(7)
    q, k, v = _qkv(rng, (1, 1, 6, 8), (1, 1, 9, 8), 8, np.float32)
    fmask = np.zeros((1, 1, 6, 9), dtype=np.float32)
    fmask[0, 0, 2, 4] = np.nan
    out = run_kernel(q, k, v, float_mask=fmask, tiles=(2, 4))
    assert np.isnan(out[0, 0, 2]).all()
    rows = [0, 1, 3, 4, 5]
    ref = _reference(q, k, v, attn_mask=np.nan_to_num(fmask))
    assert_allclose(out[0, 0, rows], ref[0, 0, rows], atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grouped_query_attention(dtype):
    rng = np.random.default_rng(8)
    q, k, v = _qkv(rng, (2, 8, 21, 16), (2, 2, 33, 16), 12, dtype)
    out = run_kernel(q, k, v, causal=True)
    ref = naive_attention(q, k, v, is_causal=True, enable_gqa=True)
    assert_allclose(out, ref, rtol=0, atol=ATOL[dtype])


def test_custom_scale_and_large_scores():
    rng = np.random.default_rng(9)
    q, k, v = _qkv(rng, (1, 2, 17, 32), (1, 2, 19, 32), 8, np.float64)
    for scale in (0.0, 1e-3, 1.0, 25.0, -2.0):
        out = run_kernel(q, k, v, scale=scale)
        assert_allclose(out, _reference(q, k, v, scale=scale), atol=1e-12)
    # float32 with scores in the hundreds: the online maximum keeps exp finite.
    q32, k32, v32 = (x.astype(np.float32) for x in (q, k, v))
    out = run_kernel(q32, k32, v32, scale=30.0)
    assert np.isfinite(out).all()
    assert_allclose(out, _reference(q32, k32, v32, scale=30.0), atol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_do_not_depend_on_thread_count(dtype):
    rng = np.random.default_rng(10)
    q, k, v = _qkv(rng, (3, 2, 50, 16), (3, 2, 40, 16), 16, dtype)
    mask = rng.random((3, 1, 1, 40)) > 0.2
    one = run_kernel(q, k, v, bool_mask=mask, causal=True, n_threads=1)
    two = run_kernel(q, k, v, bool_mask=mask, causal=True, n_threads=2)
    assert_array_equal(one, two)


def test_heads_as_column_slices():
    # (B, L, H * E) arrays addressed through the layout steps (1, 0, E): the same
    # result as the (B, H, L, E) arrays.
    rng = np.random.default_rng(11)
    n_batch, n_heads, n_kv, length, head_dim, v_dim = 2, 4, 2, 13, 8, 6
    q = rng.standard_normal((n_batch, length, n_heads * head_dim)).astype(np.float32)
    k = rng.standard_normal((n_batch, length, n_kv * head_dim)).astype(np.float32)
    v = rng.standard_normal((n_batch, length, n_kv * v_dim)).astype(np.float32)
    out = np.zeros((n_batch, length, n_heads * v_dim), dtype=np.float32)
    layout = np.array(
        [[1, 0, head_dim], [1, 0, head_dim], [1, 0, v_dim], [1, 0, v_dim]],
        dtype=np.int64,
    )
    n_items = K.count_items(n_batch, n_heads, length, 4)
    K.attend(
        _ro(q), _ro(k), _ro(v), out, layout, n_batch, n_heads, n_kv, head_dim,
        v_dim, _ro(np.ones((1, 1, 1, 1), bool)),
        _ro(np.zeros((1, 1, 1, 1), np.float32)), K.NO_MASK, True,
        1.0 / np.sqrt(head_dim), 4, 4, 0, n_items,
    )  # fmt: skip

    def split(x, h):
        return x.reshape(n_batch, length, h, -1).transpose(0, 2, 1, 3)

    ref = naive_attention(
        split(q, n_heads), split(k, n_kv), split(v, n_kv), is_causal=True,
        enable_gqa=True,
    )  # fmt: skip
    assert_allclose(split(out, n_heads), ref, atol=1e-5)


def test_bad_layout_is_refused():
    q = np.zeros((2, 4, 8), np.float32)
    out = np.zeros((2, 4, 8), np.float32)
    layout = np.array([[2, 1, 0]] * 4, dtype=np.int64)  # rows 0..3 of 2
    with pytest.raises(ValueError, match="out of range"):
        K.attend(
            _ro(q), _ro(q), _ro(q), out, layout, 2, 2, 2, 8, 8,
            _ro(np.ones((1, 1, 1, 1), bool)), _ro(np.zeros((1, 1, 1, 1), np.float32)),
            K.NO_MASK, False, 1.0, 4, 4, 0, 4,
        )  # fmt: skip


def test_exp2_nonpos_f32_accuracy():
    x = -np.linspace(0.0, 130.0, 200_001).astype(np.float32)
    x = np.concatenate([x, np.float32([-0.0, -1e-30, -np.inf, np.nan])])
    got = np.array([K.exp2_nonpos_f32(np.float32(t)) for t in x[::97]], np.float32)
    ref = np.exp2(x[::97].astype(np.float64))
    normal = ref >= 2.0**-126
    rel = np.abs(got[normal] - ref[normal]) / ref[normal]
    assert rel.max() < 3e-7
    tiny = ~normal & ~np.isnan(ref)
    assert np.all(np.abs(got[tiny]) < 2.0**-126)  # flushed or subnormal
    assert np.all(got[x[::97] < -127] == 0.0)
    # 0 < x <= 127 (lazily referenced rows) keeps the accuracy.
    xp = np.linspace(0.0, 120.0, 4001).astype(np.float32)
    gotp = np.array([K.exp2_nonpos_f32(np.float32(t)) for t in xp], np.float32)
    refp = np.exp2(xp.astype(np.float64))
    assert (np.abs(gotp - refp) / refp).max() < 3e-7
    assert K.exp2_nonpos_f32(np.float32(-np.inf)) == 0.0
    assert np.isnan(K.exp2_nonpos_f32(np.float32(np.nan)))
    assert K.exp2_nonpos_f32(np.float32(0.0)) == 1.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scores_growing_or_shrinking_along_the_keys(dtype):
    # Rows keep the maximum of their first key tile as the reference while later
    # tiles stay within reach; keys whose scores grow by tens of units per tile
    # force the re-referencing (and rescaling) path, shrinking ones the lazy path.
    # Scores reach ~500 here: their own rounding (~|score| * eps, from the products
    # of length 16) moves the outputs by up to ~1e-6 |score| in float32, hence the
    # tolerance proportional to the largest score.
    rng = np.random.default_rng(12)
    q, k, v = _qkv(rng, (1, 2, 24, 16), (1, 2, 64, 16), 8, dtype)
    q = np.abs(q)
    ramp = np.linspace(0.1, 12.0, 64, dtype=dtype)[None, None, :, None]
    eps = 1e-6 if dtype == np.float32 else 1e-14
    for keys in (np.abs(k) * ramp, np.abs(k) * ramp[:, :, ::-1]):
        for scale in (0.25, 1.0, 4.0):
            out = run_kernel(q, keys, v, scale=scale, tiles=(8, 8))
            ref = _reference(q, keys, v, scale=scale)
            top = scale * np.abs(q.astype(np.float64) @ np.swapaxes(keys, -1, -2)).max()
            assert_allclose(out, ref, rtol=0, atol=max(ATOL[dtype], eps * top))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_packed_tile_products_match_numpy(dtype):
    # The micro-kernel products behind the attention tiles (the kernel's private
    # helpers): transposed key panels and value panels with zero padding.
    from fastml.kernels.nn._microkernels import MR

    width = 16 if dtype == np.float32 else 8
    rng = np.random.default_rng(13)
    for m, n, head_dim, v_dim in [(1, 1, 1, 1), (6, 16, 64, 64), (13, 37, 80, 24)]:
        m_pad = -(-m // MR) * MR
        qs = np.zeros(m_pad * head_dim, dtype)
        q = rng.standard_normal((m, head_dim)).astype(dtype)
        qs[: m * head_dim] = q.ravel()
        keys = rng.standard_normal((n, head_dim)).astype(dtype)
        n_panels = -(-n // width)
        ld = n_panels * width
        packed = np.full(n_panels * width * head_dim, np.nan, dtype)
        K._pack_keys(_ro(keys[None]), 0, 0, n, 0, head_dim, packed, width)
        scores = np.full(m_pad * ld, np.nan, dtype)
        K._multiply(qs, head_dim, packed, scores, ld, m_pad, n_panels, head_dim,
                    width, False)  # fmt: skip
        got = scores.reshape(m_pad, ld)[:m, :n]
        tol = 1e-5 if dtype == np.float32 else 1e-12
        assert_allclose(got, q.astype(np.float64) @ keys.T, atol=tol * head_dim)
        # acc += P @ V with an accumulator holding earlier values.
        p = rng.random((m_pad, ld)).astype(dtype)
        values = rng.standard_normal((n, v_dim)).astype(dtype)
        v_pad = -(-v_dim // width) * width
        vpacked = np.full(n * v_pad, np.nan, dtype)
        K._pack_values(_ro(values[None]), 0, 0, n, 0, v_dim, vpacked, width)
        acc = rng.standard_normal((m_pad, v_pad)).astype(dtype)
        expected = acc[:m, :v_dim] + p[:m, :n].astype(np.float64) @ values
        K._multiply(p.ravel(), ld, vpacked, acc.ravel(), v_pad, m_pad, v_pad // width,
                    n, width, True)  # fmt: skip
        assert_allclose(acc[:m, :v_dim], expected, atol=tol * n)
        # Row sums run over the padded rows, whose padding the exponentiation zeroes.
        p[:, n:] = 0
        sums = np.empty(m, dtype)
        K._row_sums(p.ravel(), m, ld, sums)
        assert_allclose(sums, p[:m, :n].astype(np.float64).sum(axis=1), rtol=tol)
