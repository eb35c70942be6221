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

Per key tile: S = (scale q_tile) k_tile^T (tile_q, tile_k); the masks; per query
row the maximum (``row_max_*``), the exponentials exp(S - m') in place (the
vectorised ``exp_nonpos_*`` of fastml.kernels._vecmath) and their pairwise sum
(``tree_sum``); then acc = acc * exp(m - m') + P v_tile. The two products are

- ``use_blas`` true: BLAS gemm calls (``np.dot`` with ``out=``, which Numba lowers
  to the BLAS SciPy ships) on the tile buffers. The caller must make sure BLAS runs
  on the calling thread (one BLAS thread, or tiles small enough that BLAS does not
  start threads): this kernel already runs one tile per thread.
- ``use_blas`` false: hand-written products, register-blocked over 4 output rows
  and 2 terms of the sum, each inner loop a vectorised axpy over a contiguous row
  (S[i] += q[i, e] kT[e] with the key tile transposed once; acc[i] += P[i, j] v[j]).
  No call overhead, so faster for small tiles.

Both summation orders are fixed, so results are reproducible; they differ from each
other by float rounding only.

Work items (batch, head, query tile) are split into ``n_threads`` contiguous chunks
run in parallel (``prange``), each chunk with its own tile buffers; within a (batch,
head) the query tiles are ordered 0, n-1, 1, n-2, ... so that causal work (which
grows with the tile index) is shared evenly. Every output row is computed by one
thread in a fixed order, so results do not depend on the thread count.

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
from fastml.kernels._jit import jit, jit_parallel, prange
from fastml.kernels._vecmath import (
    exp_nonpos_f32,
    exp_nonpos_f64,
    row_max_f32,
    row_max_f64,
    tree_sum,
)

__all__ = [
    "NO_MASK",
    "BOOL_MASK",
    "FLOAT_MASK",
    "BOTH_MASKS",
    "attend",
]

NO_MASK = 0
BOOL_MASK = 1
FLOAT_MASK = 2
BOTH_MASKS = 3


# --- dtype dispatch (resolved at compile time: one specialisation per dtype) ---------


@jit
def _exp_nonpos(x: float) -> float:
    """exp(x) for x <= 0 in the precision of x (float32 lanes for float32)."""
    if isinstance(x, np.float32):
        return exp_nonpos_f32(x, np.float32(0.0))
    return exp_nonpos_f64(x, 0.0)


@jit
def _row_max(row: np.ndarray) -> float:
    """Largest entry of a non-empty row, in the row's dtype (a positive NaN wins)."""
    if isinstance(row[0], np.float32):
        return np.float32(row_max_f32(row))
    return row_max_f64(row)


# --- tile products ---------------------------------------------------------------------


@jit
def _load_scaled(src: np.ndarray, scale: float, dst: np.ndarray) -> None:
    """dst = scale * src (same shape; src may have any strides)."""
    rows, cols = dst.shape
    for r in range(rows):
        s = src[r]
        d = dst[r]
        for c in range(cols):
            d[c] = s[c] * scale


@jit
def _fill(dst: np.ndarray, value: float) -> None:
    for i in range(dst.shape[0]):
        dst[i] = value


@jit
def _copy(src: np.ndarray, dst: np.ndarray) -> None:
    """dst = src (2-D, same shape; src may have any strides)."""
    rows, cols = dst.shape
    for r in range(rows):
        s = src[r]
        d = dst[r]
        for c in range(cols):
            d[c] = s[c]


@jit
def _load_transposed(src: np.ndarray, dst: np.ndarray) -> None:
    """dst (cols, rows) = src (rows, cols).T."""
    rows, cols = src.shape
    for r in range(rows):
        s = src[r]
        for c in range(cols):
            dst[c, r] = s[c]


@jit
def _scores_hand(qs: np.ndarray, kt: np.ndarray, s: np.ndarray) -> None:
    """S = qs @ kT: qs (m, E), kT (E, n) C-contiguous, S (m, n).

    Blocks of 4 rows of S, 2 terms of the sum at a time, in increasing e:
    S[i] += qs[i, e] kT[e] + qs[i, e + 1] kT[e + 1].
    """
    m, head_dim = qs.shape
    n = kt.shape[1]
    m4 = m - m % 4
    e2 = head_dim - head_dim % 2
    for i in range(0, m4, 4):
        s0 = s[i]
        s1 = s[i + 1]
        s2 = s[i + 2]
        s3 = s[i + 3]
        for j in range(n):
            s0[j] = 0.0
            s1[j] = 0.0
            s2[j] = 0.0
            s3[j] = 0.0
        for e in range(0, e2, 2):
            a00 = qs[i, e]
            a01 = qs[i, e + 1]
            a10 = qs[i + 1, e]
            a11 = qs[i + 1, e + 1]
            a20 = qs[i + 2, e]
            a21 = qs[i + 2, e + 1]
            a30 = qs[i + 3, e]
            a31 = qs[i + 3, e + 1]
            b0 = kt[e]
            b1 = kt[e + 1]
            for j in range(n):
                x0 = b0[j]
                x1 = b1[j]
                s0[j] += a00 * x0 + a01 * x1
                s1[j] += a10 * x0 + a11 * x1
                s2[j] += a20 * x0 + a21 * x1
                s3[j] += a30 * x0 + a31 * x1
        if e2 < head_dim:
            a0 = qs[i, e2]
            a1 = qs[i + 1, e2]
            a2 = qs[i + 2, e2]
            a3 = qs[i + 3, e2]
            b0 = kt[e2]
            for j in range(n):
                x0 = b0[j]
                s0[j] += a0 * x0
                s1[j] += a1 * x0
                s2[j] += a2 * x0
                s3[j] += a3 * x0
    for i in range(m4, m):
        s0 = s[i]
        for j in range(n):
            s0[j] = 0.0
        for e in range(0, e2, 2):
            a00 = qs[i, e]
            a01 = qs[i, e + 1]
            b0 = kt[e]
            b1 = kt[e + 1]
            for j in range(n):
                s0[j] += a00 * b0[j] + a01 * b1[j]
        if e2 < head_dim:
            a0 = qs[i, e2]
            b0 = kt[e2]
            for j in range(n):
                s0[j] += a0 * b0[j]


@jit
def _accumulate_hand(p: np.ndarray, vt: np.ndarray, acc: np.ndarray) -> None:
    """acc += P @ v_tile: P (m, n), v_tile (n, E_v) (any strides), acc (m, E_v).

    Blocks of 4 rows of acc, 2 keys at a time, keys in increasing order:
    acc[i] += P[i, j] v[j] + P[i, j + 1] v[j + 1].
    """
    m, n = p.shape
    v_dim = vt.shape[1]
    m4 = m - m % 4
    n2 = n - n % 2
    for i in range(0, m4, 4):
        o0 = acc[i]
        o1 = acc[i + 1]
        o2 = acc[i + 2]
        o3 = acc[i + 3]
        for j in range(0, n2, 2):
            a00 = p[i, j]
            a01 = p[i, j + 1]
            a10 = p[i + 1, j]
            a11 = p[i + 1, j + 1]
            a20 = p[i + 2, j]
            a21 = p[i + 2, j + 1]
            a30 = p[i + 3, j]
            a31 = p[i + 3, j + 1]
            b0 = vt[j]
            b1 = vt[j + 1]
            for c in range(v_dim):
                x0 = b0[c]
                x1 = b1[c]
                o0[c] += a00 * x0 + a01 * x1
                o1[c] += a10 * x0 + a11 * x1
                o2[c] += a20 * x0 + a21 * x1
                o3[c] += a30 * x0 + a31 * x1
        if n2 < n:
            a0 = p[i, n2]
            a1 = p[i + 1, n2]
            a2 = p[i + 2, n2]
            a3 = p[i + 3, n2]
            b0 = vt[n2]
            for c in range(v_dim):
                x0 = b0[c]
                o0[c] += a0 * x0
                o1[c] += a1 * x0
                o2[c] += a2 * x0
                o3[c] += a3 * x0
    for i in range(m4, m):
        o0 = acc[i]
        for j in range(0, n2, 2):
            a00 = p[i, j]
            a01 = p[i, j + 1]
            b0 = vt[j]
            b1 = vt[j + 1]
            for c in range(v_dim):
                o0[c] += a00 * b0[c] + a01 * b1[c]
        if n2 < n:
            a0 = p[i, n2]
            b0 = vt[n2]
            for c in range(v_dim):
                o0[c] += a0 * b0[c]


# --- masks and the online softmax ------------------------------------------------------


@jit
def _apply_masks(
    s: np.ndarray,
    b: int,
    h: int,
    i0: int,
    j0: int,
    causal: bool,
    mask_kind: int,
    bool_mask: np.ndarray,
    float_mask: np.ndarray,
) -> None:
    """Masks on the score tile S (row r: query i0 + r; column c: key j0 + c)."""
    m, n = s.shape
    if mask_kind & BOOL_MASK:
        plane = bool_mask[
            b if bool_mask.shape[0] > 1 else 0, h if bool_mask.shape[1] > 1 else 0
        ]
        for r in range(m):
            mrow = plane[i0 + r if plane.shape[0] > 1 else 0]
            row = s[r]
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
            row = s[r]
            if frow.shape[0] > 1:
                for c in range(n):
                    row[c] += frow[j0 + c]
            else:
                bias = frow[0]
                for c in range(n):
                    row[c] += bias
    if causal:
        # query i = i0 + r sees keys j <= i, i.e. columns c <= i - j0.
        for r in range(m):
            row = s[r]
            for c in range(max(i0 + r - j0 + 1, 0), n):
                row[c] = -np.inf


@jit
def _softmax_rows(
    s: np.ndarray,
    run_max: np.ndarray,
    run_sum: np.ndarray,
    alpha: np.ndarray,
    tmp: np.ndarray,
) -> None:
    """Online-softmax step on a score tile S (m, n), row by row: S becomes
    P = exp(S - m') (0 for a row with no finite score so far), and
    run_sum = run_sum * alpha + sum(P), run_max = m', with alpha = exp(m - m')
    the factor the caller applies to the accumulator."""
    m, n = s.shape
    for r in range(m):
        row = s[r]
        old = run_max[r]
        new = _row_max(row)
        new = old if old > new else new  # a NaN maximum stays NaN
        if new == -np.inf:
            for c in range(n):
                row[c] = 0.0
            alpha[r] = 1.0
            continue
        for c in range(n):
            row[c] = _exp_nonpos(row[c] - new)
        total = tree_sum(row, tmp)
        a = _exp_nonpos(old - new) if old != new else 1.0
        alpha[r] = a
        run_sum[r] = run_sum[r] * a + total
        run_max[r] = new


@jit
def _rescale_add(acc: np.ndarray, alpha: np.ndarray, pv: np.ndarray) -> None:
    """acc = acc * alpha[:, None] + pv."""
    m, v_dim = acc.shape
    for r in range(m):
        a = alpha[r]
        o = acc[r]
        t = pv[r]
        if a == 1.0:
            for c in range(v_dim):
                o[c] += t[c]
        else:
            for c in range(v_dim):
                o[c] = o[c] * a + t[c]


@jit
def _rescale(acc: np.ndarray, alpha: np.ndarray) -> None:
    m, v_dim = acc.shape
    for r in range(m):
        a = alpha[r]
        if a != 1.0:
            o = acc[r]
            for c in range(v_dim):
                o[c] *= a


@jit
def _store_output(acc: np.ndarray, run_sum: np.ndarray, dst: np.ndarray) -> None:
    """dst = acc / run_sum[:, None] (0 where the sum is 0)."""
    m, v_dim = acc.shape
    for r in range(m):
        t = run_sum[r]
        inv = 0.0 if t == 0.0 else 1.0 / t
        o = acc[r]
        d = dst[r]
        for c in range(v_dim):
            d[c] = o[c] * inv


# --- driver ------------------------------------------------------------------------------


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
def _run_chunk(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    out: np.ndarray,
    layout: np.ndarray,
    n_heads: int,
    group: int,
    head_dim: int,
    v_dim: int,
    bool_mask: np.ndarray,
    float_mask: np.ndarray,
    mask_kind: int,
    causal: bool,
    scale: float,
    tile_q: int,
    tile_k: int,
    use_blas: bool,
    first: int,
    last: int,
) -> None:
    """Work items first .. last - 1 with one set of tile buffers (see :func:`attend`)."""
    len_q = q.shape[1]
    len_k = k.shape[1]
    n_q_tiles = (len_q + tile_q - 1) // tile_q
    dtype = q.dtype
    k_direct = k.shape[2] == head_dim
    v_direct = v.shape[2] == v_dim
    qs_buf = np.empty(tile_q * head_dim, dtype=dtype)
    s_buf = np.empty(tile_q * tile_k, dtype=dtype)
    acc_buf = np.empty(tile_q * v_dim, dtype=dtype)
    kt_buf = np.empty(tile_k * head_dim, dtype=dtype)
    v_buf = np.empty(tile_k * v_dim if use_blas else 0, dtype=dtype)
    pv_buf = np.empty(tile_q * v_dim if use_blas else 0, dtype=dtype)
    run_max = np.empty(tile_q, dtype=dtype)
    run_sum = np.empty(tile_q, dtype=dtype)
    alpha = np.empty(tile_q, dtype=dtype)
    tmp = np.empty(tile_k // 2 + 1, dtype=np.float64)
    for item in range(first, last):
        b, h, i0, i1 = _item_position(item, n_heads, n_q_tiles, tile_q, len_q)
        m = i1 - i0
        g = h // group
        q_row = b * layout[0, 0] + h * layout[0, 1]
        k_row = b * layout[1, 0] + g * layout[1, 1]
        v_row = b * layout[2, 0] + g * layout[2, 1]
        o_row = b * layout[3, 0] + h * layout[3, 1]
        q_col = h * layout[0, 2]
        k_col = g * layout[1, 2]
        v_col = g * layout[2, 2]
        o_col = h * layout[3, 2]
        qs = qs_buf[: m * head_dim].reshape((m, head_dim))
        acc = acc_buf[: m * v_dim].reshape((m, v_dim))
        _load_scaled(q[q_row, i0:i1, q_col : q_col + head_dim], scale, qs)
        _fill(acc_buf[: m * v_dim], 0.0)
        _fill(run_max[:m], -np.inf)
        _fill(run_sum[:m], 0.0)
        j_end = min(len_k, i1) if causal else len_k
        for j0 in range(0, j_end, tile_k):
            j1 = min(j0 + tile_k, j_end)
            n = j1 - j0
            s = s_buf[: m * n].reshape((m, n))
            k_tile = k[k_row, j0:j1, k_col : k_col + head_dim]
            v_tile = v[v_row, j0:j1, v_col : v_col + v_dim]
            if use_blas:
                if k_direct:
                    np.dot(qs, k[k_row, j0:j1].T, s)
                else:
                    kc = kt_buf[: n * head_dim].reshape((n, head_dim))
                    _copy(k_tile, kc)
                    np.dot(qs, kc.T, s)
            else:
                kt = kt_buf[: n * head_dim].reshape((head_dim, n))
                _load_transposed(k_tile, kt)
                _scores_hand(qs, kt, s)
            _apply_masks(
                s,
                b,
                h,
                i0,
                j0,
                causal and j1 > i0 + 1,
                mask_kind,
                bool_mask,
                float_mask,
            )
            _softmax_rows(s, run_max[:m], run_sum[:m], alpha[:m], tmp)
            if use_blas:
                pv = pv_buf[: m * v_dim].reshape((m, v_dim))
                if v_direct:
                    np.dot(s, v[v_row, j0:j1], pv)
                else:
                    vc = v_buf[: n * v_dim].reshape((n, v_dim))
                    _copy(v_tile, vc)
                    np.dot(s, vc, pv)
                _rescale_add(acc, alpha[:m], pv)
            else:
                _rescale(acc, alpha[:m])
                _accumulate_hand(s, v_tile, acc)
        _store_output(acc, run_sum[:m], out[o_row, i0:i1, o_col : o_col + v_dim])


@jit_parallel
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
    use_blas: bool,
    n_threads: int,
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
    use_blas : bool
        BLAS gemm for the two products per tile (else the hand-written products).
    n_threads : int
        Number of contiguous chunks of work items (one per thread).

    Reference: ``tests/naive/attention.py::attention``.
    """
    len_q = q.shape[1]
    _check_args(
        q, k, v, out, layout, n_batch, n_heads, n_kv_heads, head_dim, v_dim,
        tile_q, tile_k,
    )  # fmt: skip
    group = n_heads // n_kv_heads
    n_q_tiles = (len_q + tile_q - 1) // tile_q
    n_items = n_batch * n_heads * n_q_tiles
    n_chunks = max(1, min(n_threads, n_items))
    for chunk in prange(n_chunks):
        _run_chunk(
            q, k, v, out, layout, n_heads, group, head_dim, v_dim, bool_mask,
            float_mask, mask_kind, causal, scale, tile_q, tile_k, use_blas,
            chunk * n_items // n_chunks, (chunk + 1) * n_items // n_chunks,
        )  # fmt: skip
