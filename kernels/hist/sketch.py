"""Weighted quantile sketch and per-feature cut points for histogram GBDT (Numba).

The summary
-----------
A *weighted quantile summary* of a multiset ``D`` of (value, weight) pairs (weights
> 0, total weight ``W``) is the weighted quantile summary of Chen & Guestrin,
"XGBoost: A Scalable Tree Boosting System" (KDD 2016), appendix A. For a value ``y``
write ``r-(y)`` for the weight of the pairs with value ``< y``, ``r+(y)`` for the
weight with value ``<= y`` and ``w(y) = r+(y) - r-(y)``. A summary is a sorted list of
distinct values ``x_0 < ... < x_{k-1}`` (``x_0`` and ``x_{k-1}`` the minimum and the
maximum of ``D``) with, for each entry, bounds ``rmin <= r-(x)``, ``rmax >= r+(x)``
and ``wmin <= w(x)`` (definition A.1, with ``rmin_i + wmin_i <= rmin_{i+1}`` and
``rmax_i <= rmax_{i+1} - wmin_{i+1}``). It is stored as one float64 array of shape
``(4, k)``, C-contiguous: row 0 the values, rows 1, 2, 3 ``rmin``, ``rmax``,
``wmin`` (plain numpy, so summaries can be shipped between processes and merged).
``rmax`` of the last entry is the total weight ``W``.

Error (the epsilon of this module).
    Between and at the entries the summary bounds the rank of any ``y`` (definition
    A.2): for ``y = x_i`` the uncertainty is ``rmax_i - rmin_i - wmin_i``, for
    ``x_i < y < x_{i+1}`` it is ``rmax_{i+1} - wmin_{i+1} - rmin_i - wmin_i``. The
    summary is *eps-approximate* when every one of these is ``<= eps * W``;
    :func:`summary_epsilon` returns the smallest such eps of a summary (a certificate
    the tests check against exact ranks). Guarantees, each proved in the paper's
    appendix and re-derived in the docstrings below:

    - :func:`build_summary` (no pruning) is exact: eps = 0.
    - :func:`prune_summary` to ``b`` (at most ``b + 1`` entries) of an
      eps-approximate summary is ``(eps + 1/b)``-approximate.
    - :func:`merge_summaries` of an eps1- and an eps2-approximate summary with total
      weights W1, W2 has error ``<= eps1 * W1 + eps2 * W2 <= max(eps1, eps2) * W``:
      merging never loses accuracy, so any tree of merges of summaries pruned once to
      ``b`` is ``1/b``-approximate (pruning after a merge adds ``1/b`` per level).
    - :func:`query_summary` on an eps-approximate summary returns, for a rank ``d``,
      a value ``x`` of ``D`` whose exact rank interval ``[r-(x), r+(x)]`` is within
      ``eps * W / 2`` of ``d`` (so the *rank error* is ``<= eps/2 * W``).

Cut points
----------
:func:`sketch_feature_cuts` gives each feature at most ``max_bin - 1`` strictly
increasing thresholds ``t_1 < ... < t_m`` so that ``bin(v) = #{j : t_j <= v}`` puts
about equal weight into each of the ``m + 1`` bins. A threshold always lies strictly
above one value of the summary and at or below the next one: it is the midpoint
``x_g/2 + x_{g+1}/2`` of two consecutive summary values (LightGBM's rule; XGBoost puts
its cut at ``x_{g+1}`` itself, which splits the training values identically).
Features whose summary has at most ``max_bin`` distinct values (always the case for
a feature with at most ``max_bin`` distinct values, see below) get one threshold
between every pair of consecutive values, so every distinct value has its own bin.
Otherwise, for ``j = 1 .. max_bin - 1`` the target rank ``d_j = j W / max_bin`` picks
the gap between consecutive summary values whose estimated weight to the left,
``(rmin_g + wmin_g + rmax_{g+1} - wmin_{g+1}) / 2``, is nearest to ``d_j`` (ties to the
left); gaps picked twice count once (a heavy value spans several targets). With an
eps-approximate summary the weight ``C(t)`` left of the chosen threshold satisfies
``|C(t) - d_j| <= min_g |C_g - d_j| + eps * W`` where ``C_g`` ranges over the exact
weights left of every gap between consecutive distinct values of the data: each bin
holds ``W / max_bin`` up to the granularity of the data plus ``eps * W`` at each end.

How the per-feature summary is built: the rows are cut into chunks of
``chunk_rows``; each chunk's non-NaN, positive-weight values are radix-sorted (an
LSD radix sort on the order-preserving unsigned-integer image of the floats, 4 byte
passes for float32, 8 for float64, passes whose byte is constant skipped), ties
collapsed into an exact summary, pruned to ``b = max(max_bin, ceil(1 / eps))`` and the
chunk summaries merged pairwise in a fixed tree. No summary is pruned after a merge,
so the feature's summary is ``1/b <= eps``-approximate, and a chunk with at most
``max_bin`` distinct values is never pruned (low-cardinality features stay exact).
``eps = 0`` means no pruning at all (exact cuts). Features are processed in parallel
(``prange``), each one serially in a fixed order: the cuts do not depend on the
thread count.

Naive references: ``tests/naive/sketch.py`` (exact weighted ranks by sorting and
cumulative sums; exact nearest-boundary cuts); compared in
``tests/kernels/test_sketch.py``.
"""

from __future__ import annotations

import math

import numpy as np
from fastml.kernels._jit import jit, jit_parallel, prange

__all__ = [
    "build_summary",
    "merge_summaries",
    "prune_summary",
    "query_summary",
    "summary_epsilon",
    "summary_cuts",
    "sketch_feature_cuts",
    "gather_columns",
    "DEFAULT_CHUNK_ROWS",
]

# Rows per exact chunk summary: two key buffers and two weight buffers of this length
# (~400 KB for float32) stay in a core's L2 cache while the chunk is radix-sorted.
DEFAULT_CHUNK_ROWS = 16384

_VALUE = 0
_RMIN = 1
_RMAX = 2
_WMIN = 3


# --------------------------------------------------------------------------------------
# Radix sort of float keys carrying float64 weights
# --------------------------------------------------------------------------------------


@jit
def _top_bit(keys):  # pragma: no cover - compiled
    """The highest bit of the unsigned key dtype, as a value of that dtype."""
    t = np.zeros(1, keys.dtype)
    t[0] = ~t[0]
    t[0] = t[0] >> 1
    t[0] = ~t[0]
    return t[0]


@jit
def _to_sortable_keys(keys, n):  # pragma: no cover - compiled
    """IEEE float bits -> unsigned integers with the same order (in place).

    Negative floats (sign bit set) are bit-complemented, positive ones get their sign
    bit set. -0.0 must have been normalised to +0.0 beforehand (its image would sort
    below +0.0 although the two compare equal); NaN must be absent.
    """
    top = _top_bit(keys)
    for i in range(n):
        x = keys[i]
        if x & top:
            keys[i] = ~x
        else:
            keys[i] = x | top


@jit
def _from_sortable_keys(keys, n):  # pragma: no cover - compiled
    """Inverse of :func:`_to_sortable_keys` (in place)."""
    top = _top_bit(keys)
    for i in range(n):
        x = keys[i]
        if x & top:
            keys[i] = x ^ top
        else:
            keys[i] = ~x


@jit
def _radix_sort_pairs(keys, weights, tmp_keys, tmp_weights, n):  # pragma: no cover
    """Sort ``keys[:n]`` ascending (unsigned), moving ``weights[:n]`` along.

    LSD radix sort with 8-bit digits; one counting pass builds all digit histograms,
    a digit whose histogram is a single bucket is skipped. Stable. The result is left
    in ``keys``/``weights``; ``tmp_*`` are scratch of at least ``n`` entries.
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
            dst_w[pos] = src_w[i]
        src_k, dst_k = dst_k, src_k
        src_w, dst_w = dst_w, src_w
        in_tmp = not in_tmp
    if in_tmp:
        for i in range(n):
            keys[i] = src_k[i]
            weights[i] = src_w[i]


@jit
def _exact_summary_sorted(values, weights, n, out):  # pragma: no cover - compiled
    """Exact summary of sorted ``values[:n]`` (ties adjacent) into ``out[:, :k]``.

    Returns k, the number of distinct values. ``rmin`` is the weight strictly below
    the value, ``rmax`` the weight up to and including it, ``wmin`` its own weight
    (sums accumulated left to right in float64).
    """
    k = 0
    for i in range(n):
        v = np.float64(values[i])
        if k > 0 and v == out[_VALUE, k - 1]:
            out[_WMIN, k - 1] += weights[i]
        else:
            out[_VALUE, k] = v
            out[_WMIN, k] = weights[i]
            k += 1
    cum = 0.0
    for e in range(k):
        out[_RMIN, e] = cum
        cum += out[_WMIN, e]
        out[_RMAX, e] = cum
    return k


# --------------------------------------------------------------------------------------
# Summary operations on (4, k) arrays (or (4, >= k) buffers with k entries in use)
# --------------------------------------------------------------------------------------


@jit
def _copy_entry(src, i, dst, j):  # pragma: no cover - compiled
    dst[_VALUE, j] = src[_VALUE, i]
    dst[_RMIN, j] = src[_RMIN, i]
    dst[_RMAX, j] = src[_RMAX, i]
    dst[_WMIN, j] = src[_WMIN, i]


@jit
def _query_step(s, k, d, i):  # pragma: no cover - compiled
    """Index of the entry answering rank ``d`` (paper's query); ``i`` a scan hint.

    ``i`` must be <= the largest index with ``rmin_i + rmax_i <= 2 d`` (0 is always
    valid); returns ``(index, new_hint)`` so that increasing ranks scan the summary
    once. Rule: below the first midpoint ``(rmin + rmax) / 2`` answer ``x_0``, at or
    above the last answer ``x_{k-1}``; otherwise with ``mid_i <= d < mid_{i+1}`` answer
    ``x_i`` if ``2 d < rmin_i + wmin_i + rmax_{i+1} - wmin_{i+1}``, else ``x_{i+1}``.

    Guarantee (eps-approximate summary): the answer ``x`` has ``rmin(x) + wmin(x) >=
    d - eps W / 2`` and ``rmax(x) - wmin(x) <= d + eps W / 2``. Proof sketch: in the
    middle case ``rmax_i - wmin_i - d <= (rmax_i - rmin_i - 2 wmin_i) / 2`` and ``d -
    rmin_i - wmin_i < (rmax_{i+1} - wmin_{i+1} - rmin_i - wmin_i) / 2``, both halves of
    an error term; the other cases are alike. Since ``rmin <= r-``, ``r+ <= rmax`` and
    ``wmin <= w``, the exact ranks follow: ``r-(x) <= d + eps W / 2`` and
    ``r+(x) >= d - eps W / 2``.
    """
    two_d = 2.0 * d
    if two_d < s[_RMIN, 0] + s[_RMAX, 0]:
        return 0, i
    if two_d >= s[_RMIN, k - 1] + s[_RMAX, k - 1]:
        return k - 1, i
    while i + 1 < k and s[_RMIN, i + 1] + s[_RMAX, i + 1] <= two_d:
        i += 1
    split = s[_RMIN, i] + s[_WMIN, i] + s[_RMAX, i + 1] - s[_WMIN, i + 1]
    if two_d < split:
        return i, i
    return i + 1, i


@jit
def _prune_into(s, k, b, out):  # pragma: no cover - compiled
    """Prune the first k entries of ``s`` to at most ``b + 1`` entries in ``out``.

    Keeps ``x_0``, ``x_{k-1}`` and the answers to the ranks ``j W / b``,
    ``j = 1 .. b - 1`` (duplicates once), with their bounds unchanged. Error: for
    consecutive kept entries ``x_a = query(d_j)`` and ``x_c = query(d_{j+1})`` the gap
    term is ``rmax_c - wmin_c - rmin_a - wmin_a <= d_{j+1} - d_j + eps W = W / b +
    eps W`` by the query guarantee (queries are monotone in the rank, so consecutive
    kept entries answer consecutive ranks; the first and last entries are the answers
    to ranks 0 and W). Entry terms are those of ``s``. Hence eps + 1/b.
    Returns the number of entries written.
    """
    if k <= b + 1:
        for e in range(k):
            _copy_entry(s, e, out, e)
        return k
    total = s[_RMAX, k - 1]
    _copy_entry(s, 0, out, 0)
    m = 1
    last = 0
    hint = 0
    for j in range(1, b):
        idx, hint = _query_step(s, k, total * j / b, hint)
        if idx > last:
            _copy_entry(s, idx, out, m)
            m += 1
            last = idx
    if last < k - 1:
        _copy_entry(s, k - 1, out, m)
        m += 1
    return m


@jit
def _merge_into(a, ka, b, kb, out):  # pragma: no cover - compiled
    """Merge the summaries ``a[:, :ka]`` and ``b[:, :kb]`` into ``out``; returns k.

    Every value of either input becomes an entry. Its bounds are the sums of the two
    inputs' bounds at that value (definition A.2's extension): from the summary that
    holds the value, its own entry; from the other one, when the value lies between
    its entries ``x_j < y < x_{j+1}``: ``rmin = rmin_j + wmin_j``, ``rmax = rmax_{j+1} -
    wmin_{j+1}``, ``wmin = 0``; below its first entry ``(0, 0, 0)``; above its last
    ``(W, W, 0)``. All bounds stay valid (they bound the exact ranks of the union), and
    every error term of the result is the sum of one term (or a smaller quantity) of
    each input, hence ``<= eps_a W_a + eps_b W_b``.
    """
    if ka == 0:
        for e in range(kb):
            _copy_entry(b, e, out, e)
        return kb
    if kb == 0:
        for e in range(ka):
            _copy_entry(a, e, out, e)
        return ka
    wa = a[_RMAX, ka - 1]
    wb = b[_RMAX, kb - 1]
    i = 0
    j = 0
    m = 0
    while i < ka or j < kb:
        if j >= kb or (i < ka and a[_VALUE, i] < b[_VALUE, j]):
            # a's value, positioned against b (j entries of b lie below it)
            out[_VALUE, m] = a[_VALUE, i]
            if j == 0:
                out[_RMIN, m] = a[_RMIN, i]
                out[_RMAX, m] = a[_RMAX, i]
            elif j == kb:
                out[_RMIN, m] = a[_RMIN, i] + wb
                out[_RMAX, m] = a[_RMAX, i] + wb
            else:
                out[_RMIN, m] = a[_RMIN, i] + b[_RMIN, j - 1] + b[_WMIN, j - 1]
                out[_RMAX, m] = a[_RMAX, i] + b[_RMAX, j] - b[_WMIN, j]
            out[_WMIN, m] = a[_WMIN, i]
            i += 1
        elif i >= ka or b[_VALUE, j] < a[_VALUE, i]:
            out[_VALUE, m] = b[_VALUE, j]
            if i == 0:
                out[_RMIN, m] = b[_RMIN, j]
                out[_RMAX, m] = b[_RMAX, j]
            elif i == ka:
                out[_RMIN, m] = b[_RMIN, j] + wa
                out[_RMAX, m] = b[_RMAX, j] + wa
            else:
                out[_RMIN, m] = b[_RMIN, j] + a[_RMIN, i - 1] + a[_WMIN, i - 1]
                out[_RMAX, m] = b[_RMAX, j] + a[_RMAX, i] - a[_WMIN, i]
            out[_WMIN, m] = b[_WMIN, j]
            j += 1
        else:  # the same value in both
            out[_VALUE, m] = a[_VALUE, i]
            out[_RMIN, m] = a[_RMIN, i] + b[_RMIN, j]
            out[_RMAX, m] = a[_RMAX, i] + b[_RMAX, j]
            out[_WMIN, m] = a[_WMIN, i] + b[_WMIN, j]
            i += 1
            j += 1
        m += 1
    return m


@jit
def _midpoint(lo, hi):  # pragma: no cover - compiled
    """A threshold t with lo < t <= hi for lo < hi: the midpoint, or hi if it rounds.

    ``lo/2 + hi/2`` cannot overflow; it is <= hi by monotone rounding, and when it
    rounds down to lo (adjacent floats, or lo = -inf) hi itself is used.
    """
    m = 0.5 * lo + 0.5 * hi
    if m <= lo:
        m = hi
    return m


@jit
def _cuts_into(s, k, max_bin, out):  # pragma: no cover - compiled
    """Thresholds of the summary ``s[:, :k]`` for ``max_bin`` bins into ``out``.

    See the module docstring (nearest gap to each target rank ``j W / max_bin``).
    Returns the number of thresholds (``<= max_bin - 1``, ``<= k - 1``).
    """
    if k <= 1:
        return 0
    if k <= max_bin:
        for g in range(k - 1):
            out[g] = _midpoint(s[_VALUE, g], s[_VALUE, g + 1])
        return k - 1
    total = s[_RMAX, k - 1]
    n_gaps = k - 1
    n_cuts = 0
    last = -1
    g = 0
    est_g = 0.5 * (s[_RMIN, 0] + s[_WMIN, 0] + s[_RMAX, 1] - s[_WMIN, 1])
    for j in range(1, max_bin):
        d = total * j / max_bin
        # estimates are nondecreasing in g: advance while the next one is <= d
        while g + 1 < n_gaps:
            est_next = 0.5 * (
                s[_RMIN, g + 1] + s[_WMIN, g + 1] + s[_RMAX, g + 2] - s[_WMIN, g + 2]
            )
            if est_next > d:
                break
            g += 1
            est_g = est_next
        best = g
        if g + 1 < n_gaps:
            est_next = 0.5 * (
                s[_RMIN, g + 1] + s[_WMIN, g + 1] + s[_RMAX, g + 2] - s[_WMIN, g + 2]
            )
            if est_next - d < d - est_g:
                best = g + 1
        if best > last:
            out[n_cuts] = _midpoint(s[_VALUE, best], s[_VALUE, best + 1])
            n_cuts += 1
            last = best
    return n_cuts


# --------------------------------------------------------------------------------------
# Public summary API
# --------------------------------------------------------------------------------------


@jit
def _build_summary_kernel(values, weights, key_proto):  # pragma: no cover - compiled
    n = values.shape[0]
    buf = np.empty(n, values.dtype)
    wbuf = np.empty(n)
    m = 0
    for i in range(n):
        x = values[i]
        w = weights[i]
        if x == x and w > 0.0:
            buf[m] = x + 0.0  # -0.0 -> +0.0
            wbuf[m] = w
            m += 1
    keys = buf.view(key_proto.dtype)
    _to_sortable_keys(keys, m)
    _radix_sort_pairs(keys, wbuf, np.empty(m, key_proto.dtype), np.empty(m), m)
    _from_sortable_keys(keys, m)
    out = np.empty((4, m))
    k = _exact_summary_sorted(buf, wbuf, m, out)
    return out[:, :k].copy()


def _key_proto(dtype: np.dtype) -> np.ndarray:
    return np.empty(0, np.uint32 if dtype == np.float32 else np.uint64)


def build_summary(values, weights=None):
    """Exact weighted quantile summary of one feature's (value, weight) pairs.

    Parameters
    ----------
    values : ndarray of shape (n,), float32 or float64 (IN)
        NaN values are ignored (other dtypes are converted to float64).
    weights : ndarray of shape (n,), float64, or None (IN)
        Pairs with weight <= 0 (or NaN) are ignored; None means unit weights.

    Returns
    -------
    summary : ndarray of shape (4, k), float64 (OUT)
        Rows: distinct values ascending, rmin, rmax, wmin (exact, eps = 0); k = 0
        when no pair is kept. -0.0 and 0.0 are one value (+0.0).

    Notes
    -----
    Radix sort of the values with their weights, then ties collapsed, cumulative
    weights summed left to right. Reference: ``tests/naive/sketch.py::naive_ranks``.
    """
    values = np.ascontiguousarray(values)
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float64)
    if weights is None:
        weights = np.ones(values.shape[0])
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if values.ndim != 1 or weights.shape != values.shape:
        raise ValueError("values and weights must be 1-D arrays of the same length.")
    return _build_summary_kernel(values, weights, _key_proto(values.dtype))


@jit
def prune_summary(summary, b):  # pragma: no cover - compiled
    """Prune a summary to at most ``b + 1`` entries (``b >= 1``).

    Parameters
    ----------
    summary : ndarray of shape (4, k), float64 (IN)
    b : int
        Number of rank steps: the answers to ranks ``j W / b``, ``j = 1 .. b - 1``,
        are kept with the first and last entries.

    Returns
    -------
    pruned : ndarray of shape (4, k'), float64, ``k' <= b + 1`` (OUT)
        A copy of ``summary`` when ``k <= b + 1``.

    Notes
    -----
    Paper's prune: an eps-approximate input gives an ``(eps + 1/b)``-approximate
    output (proof in ``_prune_into``).
    """
    k = summary.shape[1]
    bb = max(1, b)
    out = np.empty((4, min(k, bb + 1)))
    m = _prune_into(summary, k, bb, out)
    return out[:, :m].copy()


@jit
def merge_summaries(a, b):  # pragma: no cover - compiled
    """Merge two summaries (of two multisets) into a summary of their union.

    Parameters
    ----------
    a, b : ndarrays of shape (4, ka) and (4, kb), float64 (IN)

    Returns
    -------
    merged : ndarray of shape (4, k), float64, ``k <= ka + kb`` (OUT)

    Notes
    -----
    Paper's merge: the error of the result is at most ``eps_a W_a + eps_b W_b``
    (proof in ``_merge_into``): merging keeps the bound ``max(eps_a, eps_b)``.
    """
    ka = a.shape[1]
    kb = b.shape[1]
    out = np.empty((4, ka + kb))
    m = _merge_into(a, ka, b, kb, out)
    return out[:, :m].copy()


@jit
def query_summary(summary, ranks):  # pragma: no cover - compiled
    """Values of approximate weighted rank ``ranks`` (in weight units, 0 .. W).

    Parameters
    ----------
    summary : ndarray of shape (4, k), float64 (IN)
    ranks : ndarray of shape (n_queries,), float64 (IN)
        Any order. The weighted q-quantile is the rank ``q * W``.

    Returns
    -------
    values : ndarray of shape (n_queries,), float64 (OUT)
        NaN for an empty summary.

    Notes
    -----
    With an eps-approximate summary the answer ``x`` to rank ``d`` is a value of the
    data with ``r-(x) - eps W / 2 <= d <= r+(x) + eps W / 2`` (see ``_query_step``).
    Reference: ``tests/naive/sketch.py::naive_rank_error``.
    """
    k = summary.shape[1]
    n = ranks.shape[0]
    out = np.empty(n)
    if k == 0:
        out[:] = np.nan
        return out
    for q in range(n):
        d = ranks[q]
        # hint: largest i with rmin_i + rmax_i <= 2 d (binary search), or 0
        lo = 0
        hi = k
        while lo < hi:
            mid = (lo + hi) >> 1
            if summary[_RMIN, mid] + summary[_RMAX, mid] <= 2.0 * d:
                lo = mid + 1
            else:
                hi = mid
        hint = max(0, lo - 1)
        idx, hint = _query_step(summary, k, d, hint)
        out[q] = summary[_VALUE, idx]
    return out


@jit
def summary_epsilon(summary):  # pragma: no cover - compiled
    """Smallest eps for which the summary is eps-approximate (0 when empty).

    Parameters
    ----------
    summary : ndarray of shape (4, k), float64 (IN)

    Returns
    -------
    eps : float
        ``max(max_i (rmax_i - rmin_i - wmin_i), max_i (rmax_{i+1} - wmin_{i+1} -
        rmin_i - wmin_i)) / W``: the largest uncertainty of the rank of any value,
        relative to the total weight.
    """
    k = summary.shape[1]
    if k == 0:
        return 0.0
    worst = 0.0
    for i in range(k):
        e = summary[_RMAX, i] - summary[_RMIN, i] - summary[_WMIN, i]
        if e > worst:
            worst = e
        if i + 1 < k:
            e = (
                summary[_RMAX, i + 1]
                - summary[_WMIN, i + 1]
                - summary[_RMIN, i]
                - summary[_WMIN, i]
            )
            if e > worst:
                worst = e
    total = summary[_RMAX, k - 1]
    if total <= 0.0:
        return 0.0
    return worst / total


@jit
def summary_cuts(summary, max_bin):  # pragma: no cover - compiled
    """Thresholds for ``max_bin`` equal-weight bins from one summary.

    Parameters
    ----------
    summary : ndarray of shape (4, k), float64 (IN)
    max_bin : int
        Number of value bins wanted (>= 2).

    Returns
    -------
    thresholds : ndarray of shape (m,), float64, strictly increasing (OUT)
        ``m <= min(max_bin, k) - 1``; the rule is the module docstring's.
    """
    k = summary.shape[1]
    out = np.empty(max(1, min(k, max_bin)))
    m = _cuts_into(summary, k, max_bin, out)
    return out[:m].copy()


# --------------------------------------------------------------------------------------
# Per-feature cuts of a data matrix
# --------------------------------------------------------------------------------------


@jit_parallel
def _sketch_cuts_kernel(
    X, weights, max_bin, prune_b, chunk_rows, key_proto, out_cuts, out_counts
):  # pragma: no cover - compiled
    n_samples, n_features = X.shape
    rows = max(1, min(chunk_rows, n_samples))
    n_chunks = max(1, (n_samples + rows - 1) // rows)
    slot = rows if prune_b <= 0 else min(rows, prune_b + 1)
    for j in prange(n_features):
        vbuf = np.empty(rows, X.dtype)
        wbuf = np.empty(rows)
        tmp_keys = np.empty(rows, key_proto.dtype)
        tmp_w = np.empty(rows)
        keys = vbuf.view(key_proto.dtype)
        exact = np.empty((4, rows))
        buf_a = np.empty((4, n_chunks * slot))
        buf_b = np.empty((4, n_chunks * slot))
        seg_off = np.empty(n_chunks, np.int64)
        seg_len = np.empty(n_chunks, np.int64)
        offset = 0
        for c in range(n_chunks):
            m = 0
            for i in range(c * rows, min(n_samples, (c + 1) * rows)):
                x = X[i, j]
                w = weights[i]
                if x == x and w > 0.0:
                    vbuf[m] = x + 0.0  # -0.0 -> +0.0
                    wbuf[m] = w
                    m += 1
            _to_sortable_keys(keys, m)
            _radix_sort_pairs(keys, wbuf, tmp_keys, tmp_w, m)
            _from_sortable_keys(keys, m)
            k = _exact_summary_sorted(vbuf, wbuf, m, exact)
            if prune_b > 0:
                k = _prune_into(exact, k, prune_b, buf_a[:, offset:])
            else:
                for e in range(k):
                    _copy_entry(exact, e, buf_a, offset + e)
            seg_off[c] = offset
            seg_len[c] = k
            offset += k
        # pairwise merge tree, fixed order, ping-pong between buf_a and buf_b
        n_seg = n_chunks
        src = buf_a
        dst = buf_b
        while n_seg > 1:
            n_next = 0
            for p in range(0, n_seg, 2):
                o = seg_off[p]
                if p + 1 < n_seg:
                    o2 = seg_off[p + 1]
                    k = _merge_into(
                        src[:, o:], seg_len[p], src[:, o2:], seg_len[p + 1], dst[:, o:]
                    )
                else:
                    k = seg_len[p]
                    for e in range(k):
                        _copy_entry(src, o + e, dst, o + e)
                seg_off[n_next] = o
                seg_len[n_next] = k
                n_next += 1
            n_seg = n_next
            src, dst = dst, src
        out_counts[j] = _cuts_into(src, seg_len[0], max_bin, out_cuts[j])


def sketch_feature_cuts(X, weights, max_bin, eps, chunk_rows=None):
    """Per-feature thresholds for ``max_bin`` equal-weight bins (see module docstring).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64 (IN)
        Any memory layout; F-contiguous (columns contiguous) is fastest, since each
        feature is read column-wise (see :func:`gather_columns`). NaN = missing,
        ignored.
    weights : ndarray of shape (n_samples,), float64 (IN)
        Sample weights or hessians; rows with weight <= 0 are ignored.
    max_bin : int
        At most ``max_bin - 1`` thresholds per feature (``max_bin >= 2``).
    eps : float
        Rank accuracy: chunk summaries are pruned to ``b = max(max_bin,
        ceil(1 / eps))``, so each feature's summary is ``1/b <= eps``-approximate and
        every threshold's left weight is within ``eps * W`` of the best exact
        boundary for its target rank. ``eps = 0``: exact (no pruning).
    chunk_rows : int or None, default=None
        Rows per exact chunk summary. None: ``DEFAULT_CHUNK_ROWS`` when ``eps > 0``
        and the whole column when ``eps = 0`` (merging unpruned chunk summaries
        would only cost time).

    Returns
    -------
    cut_values : ndarray of shape (total,), float64 (OUT)
        The thresholds of feature f are ``cut_values[cut_ptr[f]:cut_ptr[f + 1]]``,
        strictly increasing; ``bin(v) = #{t <= v}``.
    cut_ptr : ndarray of shape (n_features + 1,), int64 (OUT)

    Notes
    -----
    A thin Python wrapper choosing the radix key width (uint32 for float32, uint64 for
    float64) of the parallel Numba kernel ``_sketch_cuts_kernel`` (prange over
    features). Run it under ``fastml.kernels._jit.num_threads(n)``. An all-NaN,
    all-zero-weight or constant column gets no threshold. Reference:
    ``tests/naive/sketch.py::naive_feature_cuts``.
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype not in (np.float32, np.float64):
        raise ValueError("X must be a 2-D float32 or float64 array.")
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    n_samples, n_features = X.shape
    if weights.shape != (n_samples,):
        raise ValueError("weights must have shape (n_samples,).")
    max_bin = int(max_bin)
    if max_bin < 2:
        raise ValueError(f"max_bin must be >= 2, got {max_bin}.")
    eps = float(eps)
    if not eps >= 0.0:
        raise ValueError(f"eps must be >= 0, got {eps}.")
    prune_b = 0 if eps == 0.0 else max(max_bin, math.ceil(1.0 / eps))
    if chunk_rows is None:
        chunk_rows = DEFAULT_CHUNK_ROWS if prune_b > 0 else max(1, n_samples)
    if int(chunk_rows) < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}.")
    width = max(1, min(max_bin - 1, n_samples - 1))
    out_cuts = np.empty((n_features, width))
    out_counts = np.zeros(n_features, np.int64)
    if n_samples > 0 and n_features > 0:
        _sketch_cuts_kernel(
            X,
            weights,
            max_bin,
            prune_b,
            int(chunk_rows),
            _key_proto(X.dtype),
            out_cuts,
            out_counts,
        )
    cut_ptr = np.zeros(n_features + 1, np.int64)
    np.cumsum(out_counts, out=cut_ptr[1:])
    cut_values = np.empty(int(cut_ptr[-1]))
    for f in range(n_features):
        cut_values[cut_ptr[f] : cut_ptr[f + 1]] = out_cuts[f, : out_counts[f]]
    return cut_values, cut_ptr


@jit_parallel
def gather_columns(X, row_idx, out):  # pragma: no cover - compiled
    """Selected rows of X, transposed: ``out[f, r] = X[row_idx[r], f]``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous (IN)
    row_idx : ndarray of shape (n_rows,), int64 (IN)
        Rows to take, in this order (each in range).
    out : ndarray of shape (n_features, n_rows), X's dtype, C-contiguous (OUT)
        ``out.T`` is the F-contiguous ``X[row_idx]`` that :func:`sketch_feature_cuts`
        reads fastest.

    Notes
    -----
    Parallel over blocks of 256 selected rows: each block reads whole rows of X
    (contiguous) and writes a short run of every feature. Reference:
    ``X[row_idx].T``.
    """
    n_rows = row_idx.shape[0]
    n_features = X.shape[1]
    block = 256
    n_blocks = (n_rows + block - 1) // block
    for b in prange(n_blocks):
        stop = min(n_rows, (b + 1) * block)
        for r in range(b * block, stop):
            i = row_idx[r]
            for f in range(n_features):
                out[f, r] = X[i, f]
