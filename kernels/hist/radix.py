"""LSD radix sort of float keys (as order-preserving unsigned integers) carrying
float64 weights (Numba); the sort behind the exact summaries of
:mod:`fastml.kernels.hist.sketch`.

Tested through the summaries it builds (``tests/kernels/test_sketch.py``: exact
summaries equal a NumPy sort) and directly in ``tests/kernels/test_radix.py``.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["from_sortable_keys", "radix_sort_pairs", "to_sortable_keys"]


@jit(inline="always")
def to_sortable_keys(keys, n, top):  # pragma: no cover - compiled
    """IEEE float bits -> unsigned integers with the same order (in place).

    Negative floats (sign bit set) are bit-complemented, positive ones get their sign
    bit set. -0.0 must have been normalised to +0.0 beforehand (its image would sort
    below +0.0 although the two compare equal); NaN must be absent.
    """
    for i in range(n):
        x = keys[i]
        if x & top:
            keys[i] = ~x
        else:
            keys[i] = x | top


@jit(inline="always")
def from_sortable_keys(keys, n, top):  # pragma: no cover - compiled
    """Inverse of :func:`to_sortable_keys` (in place)."""
    for i in range(n):
        x = keys[i]
        if x & top:
            keys[i] = x ^ top
        else:
            keys[i] = ~x


@jit
def radix_sort_pairs(
    keys, weights, tmp_keys, tmp_weights, n, move_weights
):  # pragma: no cover - compiled
    """Sort ``keys[:n]`` ascending (unsigned), moving ``weights[:n]`` along.

    LSD radix sort with 8-bit digits; one counting pass builds all digit histograms,
    a digit whose histogram is a single bucket is skipped. Stable. The result is left
    in ``keys``/``weights``; ``tmp_*`` are scratch of at least ``n`` entries. With
    ``move_weights`` False the weights are left in place (callers whose weights are
    all equal: the scatter then moves 4 or 8 bytes per key instead of 12 or 16).
    """
    n_bytes = keys.itemsize
    counts = np.zeros((n_bytes, 256), np.int64)
    for i in range(n):
        k = keys[i]
        for p in range(n_bytes):
            counts[p, (k >> (8 * p)) & 255] += 1
    src_k = keys
    src_w = weights
    dst_k = tmp_keys
    dst_w = tmp_weights
    in_tmp = False
    for p in range(n_bytes):
        trivial = False
        for r in range(256):
            if counts[p, r] != 0:
                trivial = counts[p, r] == n
                break
        if trivial:
            continue
        total = 0
        for r in range(256):
            c = counts[p, r]
            counts[p, r] = total
            total += c
        shift = 8 * p
        for i in range(n):
            k = src_k[i]
            d = (k >> shift) & 255
            pos = counts[p, d]
            counts[p, d] = pos + 1
            dst_k[pos] = k
            if move_weights:
                dst_w[pos] = src_w[i]
        src_k, dst_k = dst_k, src_k
        src_w, dst_w = dst_w, src_w
        in_tmp = not in_tmp
    if in_tmp:
        for i in range(n):
            keys[i] = src_k[i]
        if move_weights:
            for i in range(n):
                weights[i] = src_w[i]
