"""Scaled dot-product attention kernels: tiled, with an online softmax.

For every batch b, query head h and query i::

    out[b, h, i, :] = sum_j softmax_j(scale * <q[b, h, i], k[b, g, j]> + bias[b, h, i, j])
                      * v[b, g, j, :],          g = h // (n_heads // n_kv_heads)

(g is the key/value head of grouped-query attention; n_kv_heads = n_heads is plain
multi-head attention).

Algorithm: flash attention (Dao et al. 2022, "FlashAttention", Algorithm 1) with the
online softmax of Milakov and Gimelshein (2018). The queries of one (batch, head) are
cut into tiles of ``tile_q`` rows and the keys into tiles of ``tile_k`` rows. For a
query tile the kernel walks the key tiles keeping, per query, the running maximum m
of its scores, the running sum l of exp(score - m) and the unnormalised output
acc = sum_j exp(score_j - m) v_j; a key tile whose maximum m' exceeds m rescales l
and acc by exp(m - m'). At the end out = acc / l. Extra memory per thread is one
score tile, the output accumulator of the query tile and a few vectors: never an
(L_q, L_k) matrix.

Per key tile: S = q_tile' k_tile^T (tile_q, tile_k), q_tile' the query tile times
the scale; the masks; the exponentials P = exp(S - ref) into a second tile buffer
(in place, LLVM's overlap checks send the loop to its scalar version) and their row
sums; then acc = acc * alpha + P v_tile. float32 scores are kept in base 2
(q_tile' includes a factor log2(e)) and exponentiated by :func:`exp2_nonpos_f32`;
float64 scores use ``exp_nonpos_f64``. Both are vectorised: the exponentials are
the only work besides the two products that grows as L_q * L_k.

Lazy reference: a query row takes the maximum of its scores in its first key tile
(``row_max_*`` of fastml.kernels._vecmath) as its reference m, and keeps it for
the following tiles without computing their maxima, as long as the tile's sum of
exp(S - m) stays below 2^20 (so no exponent exceeded 20 units; they are capped at
24 units, which keeps every value finite, and a capped row always fails the
check). A row that fails takes its tile maximum m' as new reference, its
exponentials are recomputed and alpha = exp(m - m') rescales its running sum and
accumulator. Any reference gives the same softmax; this saves the maximum pass
and almost every rescaling (scores rarely grow by 20 units within a row).

The two products per tile run on the register-blocked FMA micro-kernel of
fastml.kernels.nn._microkernels (blocks of 6 rows x 16 float32 / 8 float64 columns,
~95 GFLOP/s per core in float32 on these shapes, against ~80 for the BLAS that
Numba reaches, which also had to be held to one thread): the key tile is packed
transposed into panels of 16 (8) keys, the value tile into panels of 16 (8)
output columns, with zero padding, and the query, score and accumulator tiles are
padded to multiples of 6 rows and of the panel width. The row sums of P use that
module's vectorised fixed-order sum. Everything runs on the calling thread: no BLAS,
no thread pool of its own. Per thread the tile buffers take ~0.7 MiB (float32,
tiles 252 x 256, E = E_v = 64).

Work items are (batch, head, query tile) triples (:func:`count_items`); one call
computes a range of them with its own tile buffers, and the caller runs disjoint
ranges on its threads (the kernel is serial and releases the GIL: fastml.nn uses
fastml._parallel's thread pool, which costs no parallel-kernel compilation and no
OpenMP runtime). Within a (batch, head) the query tiles are ordered 0, n-1, 1, n-2,
... so that contiguous ranges share the causal work (which grows with the tile
index) evenly. Every output row is computed by one call in a fixed order, so
results do not depend on the number of threads or on the ranges.

Memory layout of the operands (so that heads can be logical slices of a wider
array, e.g. the output of a projection, without a copy): each of q, k, v and out is
a 3-D C-contiguous array X of shape (n_rows, L, width) described by a row of
``layout`` = (batch step, head step, column step): element (b, h, i, c) of the
logical (batch, head, L, dim) tensor is X[b * step_b + h * step_h, i,
h * step_c + c]. A C-contiguous (B, H, L, E) tensor reshaped to (B * H, L, E) has
(H, 1, 0); a (B, L, H * E) tensor has (1, 0, E); a step of 0 broadcasts.

Masks (``torch.nn.functional.scaled_dot_product_attention`` semantics):

- ``causal``: query i sees keys j <= i, top-left aligned as torch's ``is_causal``
  also when L_q != L_k (rows i >= L_k see every key). Key tiles entirely after the
  diagonal are skipped.
- ``mask_kind`` BOOL_MASK: ``bool_mask[b', h', i', j']`` True = attend (False sets
  the score to -inf). FLOAT_MASK: ``float_mask[...]`` is added to the scaled score.
  BOTH_MASKS (= BOOL_MASK | FLOAT_MASK): both.
  Mask arrays are 4-D C-contiguous of shape (B', H', L', S') with B' in {1,
  n_batch}, H' in {1, n_heads}, L' in {1, L_q}, S' in {1, L_k} (1 = broadcast).
  Either may be combined with ``causal``.
- A query whose every score is -inf (fully masked, or L_k = 0) gets output 0. torch
  2.x returns 0 for such rows too (its documented math formula would give NaN).
  A NaN score (from NaN inputs or a NaN in the additive mask) makes its row NaN.

Naive reference: tests/naive/attention.py (softmax(Q K^T scale + bias) V with
numpy); tests: tests/kernels/test_attention.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels._vecmath import exp_nonpos_f64, row_max_f32, row_max_f64
from fastml.kernels.nn._microkernels import MR, fma_block, panel_width, vector_sum

__all__ = [
    "NO_MASK",
    "BOOL_MASK",
    "FLOAT_MASK",
    "BOTH_MASKS",
    "exp2_nonpos_f32",
    "count_items",
    "attend",
]

NO_MASK = 0
BOOL_MASK = 1
FLOAT_MASK = 2
BOTH_MASKS = 3


# --- dtype dispatch (resolved at compile time: one specialisation per dtype) ---------

# float32 scores are kept in base-2 units (the query tile is scaled by
# scale * log2(e)), so that their exponentials are 2^x: the cheapest vectorisable
# form (no reduction multiply, exact r = x - round(x)).
_LOG2E = 1.4426950408889634
_F32_SHIFT = np.float32(12582912.0)  # 1.5 * 2^23: x + shift rounds x to an integer
_F32_EXP2_LO = np.float32(-127.0)
_F32_ONE_BITS = np.int32(0x4B400000 - 127)  # bits of the shift minus the exponent bias
_I23 = np.int32(23)
# 2^r = 1 + r q(r) on |r| <= 1/2, q of degree 4 fitted to (2^r - 1) / r (Chebyshev,
# mpmath.chebyfit, error 3.2e-7 relative to q); the constant term 1 is exact, so
# 2^0 = 1 exactly (a row's maximum gets weight 1).
_P1 = np.float32(0.6931471805599453)
_P2 = np.float32(0.2402234903802036)
_P3 = np.float32(0.05550381013796457)
_P4 = np.float32(0.009666368515385448)
_P5 = np.float32(0.0013381302537320797)
_F32_ONE = np.float32(1.0)
# A lazily referenced row (see _exponentiate) is accepted when its sum is <= this.
_LAZY_LIMIT = 1048576.0


@jit
def exp2_nonpos_f32(x: np.float32) -> np.float32:
    """2^x for float32 x <= 0, relative error below 3e-7 (2.5 float32 ulp).

    x = k + r with k = round(x) (the 1.5 * 2^23 trick) and |r| <= 1/2 exact; 2^r
    by a degree-5 polynomial with constant term 1 (Horner), 2^k from the exponent
    bits. Results below ~2^-126.5 (x < -126.5, and -inf) are flushed to 0: in a
    softmax they are below float32's resolution of the row sum, which includes the
    maximum's weight 1. NaN gives NaN. Also exact to the same relative error for
    0 < x <= 127 (the kernel's lazily rescaled rows reach x <= 24). Cheaper than
    ``exp_nonpos_f32`` (measured 0.46 vs 0.65 ns per element), which matters
    because attention takes L_q * L_k exponentials.
    """
    # x < -127 (and -inf) becomes -127, whose exponent field 0 gives the factor 0;
    # NaN passes through.
    x = _F32_EXP2_LO if x < _F32_EXP2_LO else x
    t = x + _F32_SHIFT
    kf = t - _F32_SHIFT
    r = x - kf
    p = _F32_ONE + r * (_P1 + r * (_P2 + r * (_P3 + r * (_P4 + r * _P5))))
    scale = np.int32((np.float32(t).view(np.int32) - _F32_ONE_BITS) << _I23)
    return p * scale.view(np.float32)


@jit
def _score_unit(x: float) -> float:
    """Factor from natural to the kernel's score units: log2(e) for float32, 1."""
    if isinstance(x, np.float32):
        return _LOG2E
    return 1.0


@jit
def _exp_cap(x: float) -> float:
    """Largest exponent (in score units) of a lazily referenced row: 2^24 for
    float32, e^16 for float64 (the largest ``exp_nonpos_f64`` handles); both above
    _LAZY_LIMIT, so a capped row always fails the check."""
    if isinstance(x, np.float32):
        return np.float32(24.0)
    return 16.0


@jit
def _exp_units(x: float) -> float:
    """exp of a score difference x <= 0 in the kernel's units, in x's precision:
    2^x for float32 (base-2 units), e^x (``exp_nonpos_f64``) for float64."""
    if isinstance(x, np.float32):
        return exp2_nonpos_f32(x)
    return exp_nonpos_f64(x, 0.0)


@jit
def _row_max(row: np.ndarray) -> float:
    """Largest entry of a non-empty row, in the row's dtype (a positive NaN wins)."""
    if isinstance(row[0], np.float32):
        return np.float32(row_max_f32(row))
    return row_max_f64(row)


# --- tile loading and packing -------------------------------------------------------


@jit
def _load_scaled(
    q: np.ndarray,
    row: int,
    i0: int,
    m: int,
    col: int,
    head_dim: int,
    scale: float,
    dst: np.ndarray,
    rows_pad: int,
) -> None:
    """dst[r * E + e] = scale * q[row, i0 + r, col + e] for r < m, and zero rows
    m .. rows_pad - 1 (padding of the micro-kernel's row blocks)."""
    for r in range(m):
        src = q[row, i0 + r]
        d = dst[r * head_dim : (r + 1) * head_dim]
        for e in range(head_dim):
            d[e] = src[col + e] * scale
    for i in range(m * head_dim, rows_pad * head_dim):
        dst[i] = 0.0


@jit
def _fill(dst: np.ndarray, value: float) -> None:
    for i in range(dst.shape[0]):
        dst[i] = value


@jit
def _pack_keys(
    k: np.ndarray,
    row: int,
    j0: int,
    n: int,
    col: int,
    head_dim: int,
    packed: np.ndarray,
    width: int,
) -> None:
    """Keys j0 .. j0 + n - 1 of k[row] (columns col .. col + E - 1) as transposed
    panels of ``width`` keys: packed[(p * E + e) * width + t] = key p * width + t,
    component e; zero past key n. Written in order, read across the keys (a
    ``width`` x E block stays in L1)."""
    n_panels = (n + width - 1) // width
    for p in range(n_panels):
        base = p * head_dim * width
        first = j0 + p * width
        count = min(width, n - p * width)
        if count == width:
            for e in range(head_dim):
                d = packed[base + e * width : base + (e + 1) * width]
                for t in range(width):
                    d[t] = k[row, first + t, col + e]
        else:
            for e in range(head_dim):
                for t in range(width):
                    packed[base + e * width + t] = (
                        k[row, first + t, col + e] if t < count else 0.0
                    )


@jit
def _pack_values(
    v: np.ndarray,
    row: int,
    j0: int,
    n: int,
    col: int,
    v_dim: int,
    packed: np.ndarray,
    width: int,
) -> None:
    """Values j0 .. j0 + n - 1 of v[row] (columns col .. col + E_v - 1) as panels of
    ``width`` columns: packed[(q * n + j) * width + t] = value j0 + j, column
    q * width + t; zero past column E_v."""
    n_full = v_dim // width
    for j in range(n):
        src = v[row, j0 + j]
        for q in range(n_full):
            d = packed[(q * n + j) * width : (q * n + j + 1) * width]
            c0 = col + q * width
            for t in range(width):
                d[t] = src[c0 + t]
        if n_full * width < v_dim:
            base = (n_full * n + j) * width
            for t in range(width):
                c = n_full * width + t
                packed[base + t] = src[col + c] if c < v_dim else 0.0


@jit
def _multiply(
    a: np.ndarray,
    lda: int,
    packed: np.ndarray,
    c: np.ndarray,
    ldc: int,
    rows_pad: int,
    n_panels: int,
    kdim: int,
    width: int,
    accumulate: bool,
) -> None:
    """C (+)= A @ B over row blocks of MR and packed panels of B (all flat):
    A rows_pad x kdim (stride lda), C rows_pad x n_panels * width (stride ldc)."""
    for i0 in range(0, rows_pad, MR):
        for p in range(n_panels):
            fma_block(
                a, i0 * lda, lda, packed, p * kdim * width, c, i0 * ldc + p * width,
                ldc, kdim, accumulate,
            )  # fmt: skip


# --- masks and the online softmax ------------------------------------------------------
# Score and probability tiles are flat buffers of m rows of stride ``ld`` (the
# padded width); only the first n columns of a row are keys.


@jit
def _apply_masks(
    s: np.ndarray,
    m: int,
    n: int,
    ld: int,
    b: int,
    h: int,
    i0: int,
    j0: int,
    causal: bool,
    mask_kind: int,
    bool_mask: np.ndarray,
    float_mask: np.ndarray,
    unit: float,
) -> None:
    """Masks on the score tile S (row r: query i0 + r; column c: key j0 + c); the
    additive mask is taken in the scores' units (times ``unit``)."""
    if mask_kind & BOOL_MASK:
        plane = bool_mask[
            b if bool_mask.shape[0] > 1 else 0, h if bool_mask.shape[1] > 1 else 0
        ]
        for r in range(m):
            mrow = plane[i0 + r if plane.shape[0] > 1 else 0]
            row = s[r * ld : r * ld + n]
            if mrow.shape[0] > 1:
                for c in range(n):
                    if not mrow[j0 + c]:
                        row[c] = -np.inf
            elif not mrow[0]:
                for c in range(n):
                    row[c] = -np.inf
    if mask_kind & FLOAT_MASK:
        fplane = float_mask[
            b if float_mask.shape[0] > 1 else 0, h if float_mask.shape[1] > 1 else 0
        ]
        for r in range(m):
            frow = fplane[i0 + r if fplane.shape[0] > 1 else 0]
            row = s[r * ld : r * ld + n]
            if frow.shape[0] > 1:
                for c in range(n):
                    row[c] += frow[j0 + c] * unit
            else:
                bias = frow[0] * unit
                for c in range(n):
                    row[c] += bias
    if causal:
        # query i = i0 + r sees keys j <= i, i.e. columns c <= i - j0.
        for r in range(m):
            row = s[r * ld : r * ld + n]
            for c in range(max(i0 + r - j0 + 1, 0), n):
                row[c] = -np.inf


@jit
def _exp_row(row: np.ndarray, ref: float, prow: np.ndarray, cap: float) -> None:
    """prow = exp(min(row - ref, cap)) (NaN passes), in two interleaved halves:
    two independent vector chains per iteration run ~15% faster than one."""
    n = row.shape[0]
    h = n // 2
    r0 = row[:h]
    r1 = row[h : 2 * h]
    p0 = prow[:h]
    p1 = prow[h : 2 * h]
    for c in range(h):
        d0 = r0[c] - ref
        d1 = r1[c] - ref
        p0[c] = _exp_units(cap if d0 > cap else d0)
        p1[c] = _exp_units(cap if d1 > cap else d1)
    if 2 * h < n:
        d = row[n - 1] - ref
        prow[n - 1] = _exp_units(cap if d > cap else d)


@jit
def _exponentiate(
    s: np.ndarray,
    p: np.ndarray,
    m: int,
    n: int,
    ld: int,
    run_max: np.ndarray,
    alpha: np.ndarray,
) -> None:
    """Online-softmax step, first half: P = exp(S - ref) row by row.

    A row with a reference already (its running maximum m from earlier key tiles)
    keeps it, lazily: P[r] = exp(min(S[r] - m, cap)), alpha[r] = 1, no pass for the
    row's maximum; :func:`_check_rows` redoes the rows where that was wrong. A row
    without one (first key tile, or every score so far -inf) takes its maximum
    m' = max(S[r]): P[r] = exp(S[r] - m'), alpha[r] = exp(m - m') (0), m = m'; a
    row still without a finite score gets P[r] = 0, alpha[r] = 1.
    """
    for r in range(m):
        row = s[r * ld : r * ld + n]
        # Exponentials over the whole padded row (whole vectors, no scalar tail:
        # at short key tiles the tail dominated), the padding then zeroed.
        row_pad = s[r * ld : (r + 1) * ld]
        prow_pad = p[r * ld : (r + 1) * ld]
        old = run_max[r]
        cap = _exp_cap(row[0])
        if old != -np.inf:
            _exp_row(row_pad, old, prow_pad, cap)
            prow_pad[n:] = 0.0
            alpha[r] = 1.0
            continue
        new = _row_max(row)
        if new == -np.inf:
            prow_pad[:] = 0.0
            alpha[r] = 1.0
            continue
        _exp_row(row_pad, new, prow_pad, cap)
        prow_pad[n:] = 0.0
        alpha[r] = 0.0
        run_max[r] = new


@jit
def _row_sums(p: np.ndarray, m: int, ld: int, sums: np.ndarray) -> None:
    """Sums of the padded rows of P (zeros past the keys): whole vector blocks."""
    for r in range(m):
        sums[r] = vector_sum(p, r * ld, ld)


@jit
def _check_rows(
    s: np.ndarray,
    p: np.ndarray,
    m: int,
    n: int,
    ld: int,
    run_max: np.ndarray,
    alpha: np.ndarray,
    sums: np.ndarray,
) -> None:
    """Online-softmax step, second half: a lazily referenced row whose sum exceeds
    _LAZY_LIMIT had scores well above its reference m (possibly capped): it takes
    its maximum m' instead (P[r] = exp(S[r] - m'), its sum, alpha = exp(m - m'),
    m = m'). Below the limit every exponent was <= log(_LAZY_LIMIT) < cap, so P is
    exact, and keeping the old reference saves the rescaling."""
    for r in range(m):
        if sums[r] > _LAZY_LIMIT:  # False for NaN: a NaN row stays NaN
            row = s[r * ld : r * ld + n]
            prow_pad = p[r * ld : (r + 1) * ld]
            old = run_max[r]
            new = _row_max(row)
            new = old if old > new else new
            _exp_row(s[r * ld : (r + 1) * ld], new, prow_pad, _exp_cap(row[0]))
            prow_pad[n:] = 0.0
            sums[r] = vector_sum(p, r * ld, ld)
            alpha[r] = _exp_units(old - new)
            run_max[r] = new


@jit
def _update_sums(
    run_sum: np.ndarray, alpha: np.ndarray, sums: np.ndarray, m: int
) -> None:
    for r in range(m):
        run_sum[r] = run_sum[r] * alpha[r] + sums[r]


@jit
def _rescale(acc: np.ndarray, alpha: np.ndarray, m: int, ld: int) -> None:
    """acc rows times alpha (rows whose reference changed)."""
    for r in range(m):
        a = alpha[r]
        if a != 1.0:
            row = acc[r * ld : (r + 1) * ld]
            for c in range(ld):
                row[c] *= a


@jit
def _store_output(
    acc: np.ndarray,
    ld: int,
    run_sum: np.ndarray,
    out: np.ndarray,
    row: int,
    i0: int,
    m: int,
    col: int,
    v_dim: int,
) -> None:
    """out[row, i0 + r, col + c] = acc[r, c] / run_sum[r] (0 where the sum is 0)."""
    for r in range(m):
        t = run_sum[r]
        inv = 0.0 if t == 0.0 else 1.0 / t
        src = acc[r * ld : r * ld + v_dim]
        d = out[row, i0 + r]
        for c in range(v_dim):
            d[col + c] = src[c] * inv


# --- driver ------------------------------------------------------------------------------


def count_items(n_batch: int, n_heads: int, len_q: int, tile_q: int) -> int:
    """Number of work items of :func:`attend`: (batch, head, query tile) triples."""
    return n_batch * n_heads * ((len_q + tile_q - 1) // tile_q)


@jit(inline="always")
def _item_position(
    item: int, n_heads: int, n_q_tiles: int, tile_q: int, len_q: int
) -> tuple[int, int, int, int]:
    """(b, h, i0, i1) of a work item; query tiles of a head in the order 0, n-1, 1,
    n-2, ... (balanced causal work for contiguous chunks of items)."""
    bh = item // n_q_tiles
    t = item % n_q_tiles
    qt = t // 2 if t % 2 == 0 else n_q_tiles - 1 - t // 2
    i0 = qt * tile_q
    return bh // n_heads, bh % n_heads, i0, min(i0 + tile_q, len_q)


@jit
def _check_args(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    out: np.ndarray,
    layout: np.ndarray,
    n_batch: int,
    n_heads: int,
    n_kv_heads: int,
    head_dim: int,
    v_dim: int,
    tile_q: int,
    tile_k: int,
) -> None:
    if tile_q < 1 or tile_k < 1 or n_kv_heads < 1 or n_heads % n_kv_heads != 0:
        raise ValueError("attention: bad tile sizes or head counts")
    if k.shape[1] != v.shape[1] or q.shape[1] != out.shape[1]:
        raise ValueError("attention: sequence lengths of k/v or q/out differ")
    if layout.shape[0] != 4 or layout.shape[1] != 3:
        raise ValueError("attention: layout must have shape (4, 3)")
    if n_batch < 1 or n_heads < 1:
        return
    rows = (q.shape[0], k.shape[0], v.shape[0], out.shape[0])
    widths = (q.shape[2], k.shape[2], v.shape[2], out.shape[2])
    heads = (n_heads, n_kv_heads, n_kv_heads, n_heads)
    dims = (head_dim, head_dim, v_dim, v_dim)
    for a in range(4):
        if layout[a, 0] < 0 or layout[a, 1] < 0 or layout[a, 2] < 0:
            raise ValueError("attention: negative layout step")
        last_row = (n_batch - 1) * layout[a, 0] + (heads[a] - 1) * layout[a, 1]
        if last_row >= rows[a] or (heads[a] - 1) * layout[a, 2] + dims[a] > widths[a]:
            raise ValueError("attention: layout addresses elements out of range")


@jit
def attend(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    out: np.ndarray,
    layout: np.ndarray,
    n_batch: int,
    n_heads: int,
    n_kv_heads: int,
    head_dim: int,
    v_dim: int,
    bool_mask: np.ndarray,
    float_mask: np.ndarray,
    mask_kind: int,
    causal: bool,
    scale: float,
    tile_q: int,
    tile_k: int,
    first: int,
    last: int,
) -> None:
    """Scaled dot-product attention (see the module docstring), float32 or float64.

    Parameters
    ----------
    q : ndarray of shape (n_rows_q, L_q, width_q), float32 or float64, C-contiguous (IN)
    k : ndarray of shape (n_rows_k, L_k, width_k), q's dtype, C-contiguous (IN)
    v : ndarray of shape (n_rows_v, L_k, width_v), q's dtype, C-contiguous (IN)
    out : ndarray of shape (n_rows_out, L_q, width_out), q's dtype, C-contiguous (OUT)
    layout : ndarray of shape (4, 3), int64 (IN)
        (batch step, head step, column step) of q, k, v and out, in that order; k
        and v are addressed with the key/value head h // (n_heads // n_kv_heads).
    n_batch, n_heads, n_kv_heads : int
        n_kv_heads divides n_heads.
    head_dim, v_dim : int
        E (query/key dimension) and E_v (value/output dimension).
    bool_mask : ndarray of shape (B', H', L', S'), bool, C-contiguous (IN)
        Read when ``mask_kind & BOOL_MASK``; True = attend.
    float_mask : ndarray of shape (B', H', L', S'), q's dtype, C-contiguous (IN)
        Added to the scaled scores when ``mask_kind & FLOAT_MASK``.
    mask_kind : int
        NO_MASK, BOOL_MASK, FLOAT_MASK or BOTH_MASKS.
    causal : bool
        Query i attends keys j <= i only.
    scale : float
        Multiplies q . k (torch's default is 1 / sqrt(E)); applied to the query tile.
    tile_q, tile_k : int
        Query and key tile sizes.
    first, last : int
        The work items to compute, ``first <= item < last``, among
        :func:`count_items` items (batch, head, query tile). Disjoint ranges may
        run at the same time on different threads (the kernel releases the GIL).

    Reference: ``tests/naive/attention.py::attention``.
    """
    _check_args(
        q, k, v, out, layout, n_batch, n_heads, n_kv_heads, head_dim, v_dim,
        tile_q, tile_k,
    )  # fmt: skip
    group = n_heads // n_kv_heads
    len_q = q.shape[1]
    len_k = k.shape[1]
    n_q_tiles = (len_q + tile_q - 1) // tile_q
    if first < 0 or last > n_batch * n_heads * n_q_tiles:
        raise ValueError("attention: work items out of range")
    dtype = q.dtype
    ones = np.ones(1, dtype=dtype)
    width = panel_width(ones[0])
    unit = _score_unit(ones[0])
    q_scale = scale * unit
    rows_pad = (tile_q + MR - 1) // MR * MR
    keys_pad = (tile_k + width - 1) // width * width
    v_pad = (v_dim + width - 1) // width * width
    qs = np.empty(rows_pad * head_dim, dtype=dtype)
    s_buf = np.empty(rows_pad * keys_pad, dtype=dtype)
    p_buf = np.zeros(rows_pad * keys_pad, dtype=dtype)
    acc = np.empty(rows_pad * v_pad, dtype=dtype)
    k_packed = np.empty(keys_pad * head_dim, dtype=dtype)
    v_packed = np.empty(tile_k * v_pad, dtype=dtype)
    run_max = np.empty(tile_q, dtype=dtype)
    run_sum = np.empty(tile_q, dtype=dtype)
    alpha = np.empty(tile_q, dtype=dtype)
    sums = np.empty(tile_q, dtype=dtype)
    for item in range(first, last):
        b, h, i0, i1 = _item_position(item, n_heads, n_q_tiles, tile_q, len_q)
        m = i1 - i0
        m_pad = (m + MR - 1) // MR * MR
        g = h // group
        q_row = b * layout[0, 0] + h * layout[0, 1]
        k_row = b * layout[1, 0] + g * layout[1, 1]
        v_row = b * layout[2, 0] + g * layout[2, 1]
        o_row = b * layout[3, 0] + h * layout[3, 1]
        q_col = h * layout[0, 2]
        k_col = g * layout[1, 2]
        v_col = g * layout[2, 2]
        o_col = h * layout[3, 2]
        _load_scaled(q, q_row, i0, m, q_col, head_dim, q_scale, qs, m_pad)
        _fill(acc[: m_pad * v_pad], 0.0)
        _fill(run_max[:m], -np.inf)
        _fill(run_sum[:m], 0.0)
        j_end = min(len_k, i1) if causal else len_k
        for j0 in range(0, j_end, tile_k):
            j1 = min(j0 + tile_k, j_end)
            n = j1 - j0
            n_panels = (n + width - 1) // width
            ld = n_panels * width
            _pack_keys(k, k_row, j0, n, k_col, head_dim, k_packed, width)
            _multiply(qs, head_dim, k_packed, s_buf, ld, m_pad, n_panels, head_dim,
                      width, False)  # fmt: skip
            _apply_masks(
                s_buf, m, n, ld, b, h, i0, j0, causal and j1 > i0 + 1, mask_kind,
                bool_mask, float_mask, unit,
            )  # fmt: skip
            _exponentiate(s_buf, p_buf, m, n, ld, run_max, alpha)
            _row_sums(p_buf, m, ld, sums)
            _check_rows(s_buf, p_buf, m, n, ld, run_max, alpha, sums)
            _update_sums(run_sum, alpha, sums, m)
            _rescale(acc, alpha, m, v_pad)
            _pack_values(v, v_row, j0, n, v_col, v_dim, v_packed, width)
            _multiply(p_buf, ld, v_packed, acc, v_pad, m_pad, v_pad // width, n,
                      width, True)  # fmt: skip
        _store_output(acc, v_pad, run_sum, out, o_row, i0, m, o_col, v_dim)
