"""Dense layer product ``out = x @ w.T (+ bias)`` on the register-blocked micro-kernel.

Why not BLAS (``np.matmul``): at the shapes of a sentence encoder (a few thousand
token rows times 384 x 1536 weights) OpenBLAS runs at about the speed of this
kernel, but its worker threads keep spinning for a while after each call, on the
very cores the next fastml kernel (GELU, attention, LayerNorm) wants: measured, the
GELU right after a 2-thread OpenBLAS product took twice its time. Running the
product on fastml's own thread pool avoids the contention.

Layout: :func:`linear_panels` computes the output columns of a range of panels of
``W = panel_width`` (16 float32 / 8 float64) output features for every row. It
first packs those panels of ``w`` (n_out, k) into the micro-kernel's B operand,
``packed[(p * k + kk) * W + t] = w[p * W + t, kk]`` (zeros past n_out), on every
call, as BLAS does: a layer's weight may change in place between calls (tied
embeddings, user edits), so a cached copy could go stale; packing costs ~1/(2 n_rows)
of the product. Threads take disjoint panel ranges, so each packs only its own.
The loops are blocked for the caches: rows in blocks of ``_ROW_BLOCK``, the sum in
blocks of ``_K_BLOCK`` (a block of x stays in L2, a panel slice in L1 while the
micro-kernel sweeps them). Every output element is one chain of fused multiply-adds
in increasing ``kk`` whatever the blocking, the edge path or the thread split, so
results do not depend on the number of threads.

Naive reference: ``x @ w.T + bias`` in float64 (tests/kernels/test_linear.py).
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels.nn._microkernels import MR, fma_block, panel_width

__all__ = ["MR", "pack_panels", "linear_panels"]

# Rows of x per cache block (a multiple of MR) and sum length per block, measured
# on a Zen 3 core (32 KiB L1d, 512 KiB L2): 96 x 384 float32 of x = 144 KiB in L2,
# a 384 x 16 panel slice = 24 KiB in L1.
_ROW_BLOCK = 96
_K_BLOCK = 384


@jit
def pack_panels(w: np.ndarray, packed: np.ndarray, p_start: int, p_stop: int) -> None:
    """Pack panels ``[p_start, p_stop)`` of ``w`` (n_out, k), C-contiguous, into
    ``packed`` (1-D, ``n_panels * k * panel_width`` values of w's dtype; layout in
    the module doc), zero-padding the last panel past n_out."""
    n_out, kdim = w.shape
    width = panel_width(packed[0])
    for p in range(p_start, p_stop):
        base = p * kdim * width
        n_cols = min(width, n_out - p * width)
        if n_cols < width:
            packed[base : base + kdim * width] = 0
        for t in range(n_cols):
            row = w[p * width + t]
            for kk in range(kdim):
                packed[base + kk * width + t] = row[kk]


@jit
def linear_panels(
    x: np.ndarray,
    w: np.ndarray,
    bias: np.ndarray,
    has_bias: bool,
    packed: np.ndarray,
    out: np.ndarray,
    p_start: int,
    p_stop: int,
) -> None:
    """Columns ``[p_start * W, p_stop * W)`` (panels of W = panel_width output
    features, clipped to n_out) of ``out = x @ w.T (+ bias)`` for every row.

    x: (n_rows, k) and w: (n_out, k), C-contiguous, one float dtype; bias: (n_out,)
    (read only if ``has_bias``); packed: 1-D scratch of ``n_panels * k * W`` values
    whose panels ``[p_start, p_stop)`` this call packs and uses; out: (n_rows,
    n_out), C-contiguous (OUT).
    """
    n_rows, kdim = x.shape
    n_out = w.shape[0]
    width = panel_width(packed[0])
    pack_panels(w, packed, p_start, p_stop)
    xf = x.reshape(-1)
    of = out.reshape(-1)
    col_stop = min(p_stop * width, n_out)
    # Panels written straight into out (whole), the last one maybe through a tile.
    full_stop = min(p_stop, n_out // width)
    tile = np.empty(MR * width, dtype=packed.dtype)
    rows_full = (n_rows // MR) * MR
    for i0 in range(0, rows_full, _ROW_BLOCK):
        i1 = min(i0 + _ROW_BLOCK, rows_full)
        for k0 in range(0, kdim, _K_BLOCK):
            kc = min(_K_BLOCK, kdim - k0)
            for p in range(p_start, full_stop):
                b_off = (p * kdim + k0) * width
                for i in range(i0, i1, MR):
                    fma_block(
                        xf, i * kdim + k0, kdim, packed, b_off, of,
                        i * n_out + p * width, n_out, kc, k0 > 0,
                    )  # fmt: skip
        for p in range(max(full_stop, p_start), p_stop):
            for i in range(i0, i1, MR):
                fma_block(
                    xf, i * kdim, kdim, packed, p * kdim * width, tile, 0, width,
                    kdim, False,
                )  # fmt: skip
                for r in range(MR):
                    for t in range(n_out - p * width):
                        of[(i + r) * n_out + p * width + t] = tile[r * width + t]
        if has_bias:
            for i in range(i0, i1):
                for j in range(p_start * width, col_stop):
                    of[i * n_out + j] += bias[j]
    # The last rows (fewer than MR): copied into a zero-padded block of MR rows.
    n_rest = n_rows - rows_full
    if n_rest > 0:
        a_rest = np.zeros(MR * kdim, dtype=packed.dtype)
        a_rest[: n_rest * kdim] = xf[rows_full * kdim :]
        for p in range(p_start, p_stop):
            fma_block(
                a_rest, 0, kdim, packed, p * kdim * width, tile, 0, width, kdim,
                False,
            )  # fmt: skip
            for r in range(n_rest):
                for t in range(min(width, n_out - p * width)):
                    of[(rows_full + r) * n_out + p * width + t] = tile[r * width + t]
        if has_bias:
            for i in range(rows_full, n_rows):
                for j in range(p_start * width, col_stop):
                    of[i * n_out + j] += bias[j]
