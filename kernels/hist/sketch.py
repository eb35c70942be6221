"""Weighted quantile sketch: mergeable summaries of (value, weight) pairs (Numba).

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

Per-feature cut points of a data matrix built from these summaries are in
:mod:`fastml.kernels.hist.cuts`; the radix sort behind exact summaries is in
:mod:`fastml.kernels.hist.radix`.

Naive references: ``tests/naive/sketch.py`` (exact weighted ranks by sorting and
cumulative sums); compared in ``tests/kernels/test_sketch.py``.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit
from fastml.kernels.hist.radix import (
    from_sortable_keys,
    radix_sort_pairs,
    to_sortable_keys,
)

__all__ = [
    "build_summary",
    "merge_summaries",
    "prune_summary",
    "query_summary",
    "summary_epsilon",
    "summary_cuts",
]

_VALUE = 0
_RMIN = 1
_RMAX = 2
_WMIN = 3


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
# Summary operations. A summary lives in columns [off, off + k) of a float64 (4, cap)
# C-contiguous buffer; passing offsets instead of slices keeps one compiled
# specialization per helper.
# --------------------------------------------------------------------------------------


@jit(inline="always")
def _copy_entry(src, i, dst, j):  # pragma: no cover - compiled
    dst[_VALUE, j] = src[_VALUE, i]
    dst[_RMIN, j] = src[_RMIN, i]
    dst[_RMAX, j] = src[_RMAX, i]
    dst[_WMIN, j] = src[_WMIN, i]


@jit(inline="always")
def _query_step(s, so, k, d, i):  # pragma: no cover - compiled
    """Index (0-based within the summary) answering rank ``d``; ``i`` a scan hint.

    The summary is ``s[:, so:so + k]``. ``i`` must be <= the largest index with
    ``rmin_i + rmax_i <= 2 d`` (0 is always valid); returns ``(index, new_hint)`` so
    that increasing ranks scan the summary once. Rule (the paper's query): below the
    first midpoint ``(rmin + rmax) / 2`` answer ``x_0``, at or above the last answer
    ``x_{k-1}``; otherwise with ``mid_i <= d < mid_{i+1}`` answer ``x_i`` if ``2 d <
    rmin_i + wmin_i + rmax_{i+1} - wmin_{i+1}``, else ``x_{i+1}``.

    Guarantee (eps-approximate summary): the answer ``x`` has ``rmin(x) + wmin(x) >=
    d - eps W / 2`` and ``rmax(x) - wmin(x) <= d + eps W / 2``. Proof sketch: in the
    middle case ``rmax_i - wmin_i - d <= (rmax_i - rmin_i - 2 wmin_i) / 2`` and ``d -
    rmin_i - wmin_i < (rmax_{i+1} - wmin_{i+1} - rmin_i - wmin_i) / 2``, both halves of
    an error term; the other cases are alike. Since ``rmin <= r-``, ``r+ <= rmax`` and
    ``wmin <= w``, the exact ranks follow: ``r-(x) <= d + eps W / 2`` and
    ``r+(x) >= d - eps W / 2``.
    """
    two_d = 2.0 * d
    if two_d < s[_RMIN, so] + s[_RMAX, so]:
        return 0, i
    last = so + k - 1
    if two_d >= s[_RMIN, last] + s[_RMAX, last]:
        return k - 1, i
    while i + 1 < k and s[_RMIN, so + i + 1] + s[_RMAX, so + i + 1] <= two_d:
        i += 1
    e = so + i
    split = s[_RMIN, e] + s[_WMIN, e] + s[_RMAX, e + 1] - s[_WMIN, e + 1]
    if two_d < split:
        return i, i
    return i + 1, i


@jit
def _prune_into(s, so, k, b, out, oo):  # pragma: no cover - compiled
    """Prune ``s[:, so:so + k]`` to at most ``b + 1`` entries at ``out[:, oo:]``.

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
            _copy_entry(s, so + e, out, oo + e)
        return k
    total = s[_RMAX, so + k - 1]
    _copy_entry(s, so, out, oo)
    # np.int64(...) rather than literals: a literal-typed argument would compile an
    # extra specialization of the callee (Numba types `x = 0` as Literal[int](0))
    m = np.int64(1)
    last = np.int64(0)
    hint = np.int64(0)
    for j in range(1, b):
        idx, hint = _query_step(s, so, k, total * j / b, hint)
        if idx > last:
            _copy_entry(s, so + idx, out, oo + m)
            m += 1
            last = idx
    if last < k - 1:
        _copy_entry(s, so + k - 1, out, oo + m)
        m += 1
    return m


@jit
def _merge_into(a, ao, ka, b, bo, kb, out, oo):  # pragma: no cover - compiled
    """Merge ``a[:, ao:ao + ka]`` and ``b[:, bo:bo + kb]`` into ``out[:, oo:]``.

    Every value of either input becomes an entry. Its bounds are the sums of the two
    inputs' bounds at that value (definition A.2's extension): from the summary that
    holds the value, its own entry; from the other one, when the value lies between
    its entries ``x_j < y < x_{j+1}``: ``rmin = rmin_j + wmin_j``, ``rmax = rmax_{j+1} -
    wmin_{j+1}``, ``wmin = 0``; below its first entry ``(0, 0, 0)``; above its last
    ``(W, W, 0)``. All bounds stay valid (they bound the exact ranks of the union), and
    every error term of the result is the sum of one term (or a smaller quantity) of
    each input, hence ``<= eps_a W_a + eps_b W_b``. Returns the number of entries.
    """
    if ka == 0:
        for e in range(kb):
            _copy_entry(b, bo + e, out, oo + e)
        return kb
    if kb == 0:
        for e in range(ka):
            _copy_entry(a, ao + e, out, oo + e)
        return ka
    wa = a[_RMAX, ao + ka - 1]
    wb = b[_RMAX, bo + kb - 1]
    i = 0
    j = 0
    m = oo
    while i < ka or j < kb:
        ai = ao + i
        bj = bo + j
        if j >= kb or (i < ka and a[_VALUE, ai] < b[_VALUE, bj]):
            # a's value, positioned against b (j entries of b lie below it)
            out[_VALUE, m] = a[_VALUE, ai]
            if j == 0:
                out[_RMIN, m] = a[_RMIN, ai]
                out[_RMAX, m] = a[_RMAX, ai]
            elif j == kb:
                out[_RMIN, m] = a[_RMIN, ai] + wb
                out[_RMAX, m] = a[_RMAX, ai] + wb
            else:
                out[_RMIN, m] = a[_RMIN, ai] + b[_RMIN, bj - 1] + b[_WMIN, bj - 1]
                out[_RMAX, m] = a[_RMAX, ai] + b[_RMAX, bj] - b[_WMIN, bj]
            out[_WMIN, m] = a[_WMIN, ai]
            i += 1
        elif i >= ka or b[_VALUE, bj] < a[_VALUE, ai]:
            out[_VALUE, m] = b[_VALUE, bj]
            if i == 0:
                out[_RMIN, m] = b[_RMIN, bj]
                out[_RMAX, m] = b[_RMAX, bj]
            elif i == ka:
                out[_RMIN, m] = b[_RMIN, bj] + wa
                out[_RMAX, m] = b[_RMAX, bj] + wa
            else:
                out[_RMIN, m] = b[_RMIN, bj] + a[_RMIN, ai - 1] + a[_WMIN, ai - 1]
                out[_RMAX, m] = b[_RMAX, bj] + a[_RMAX, ai] - a[_WMIN, ai]
            out[_WMIN, m] = b[_WMIN, bj]
            j += 1
        else:  # the same value in both
            out[_VALUE, m] = a[_VALUE, ai]
            out[_RMIN, m] = a[_RMIN, ai] + b[_RMIN, bj]
            out[_RMAX, m] = a[_RMAX, ai] + b[_RMAX, bj]
            out[_WMIN, m] = a[_WMIN, ai] + b[_WMIN, bj]
            i += 1
            j += 1
        m += 1
    return m - oo


@jit(inline="always")
def _midpoint(lo, hi):  # pragma: no cover - compiled
    """A threshold t with lo < t <= hi for lo < hi: the midpoint, or hi if it rounds.

    ``lo/2 + hi/2`` cannot overflow; it is <= hi by monotone rounding, and when it
    rounds down to lo (adjacent floats, or lo = -inf) hi itself is used.
    """
    m = 0.5 * lo + 0.5 * hi
    if m <= lo:
        m = hi
    return m


@jit(inline="always")
def _gap_estimate(s, e):  # pragma: no cover - compiled
    """Estimated weight left of the gap between entries e and e + 1 (interval mid)."""
    return 0.5 * (s[_RMIN, e] + s[_WMIN, e] + s[_RMAX, e + 1] - s[_WMIN, e + 1])


@jit
def _cuts_into(s, so, k, max_bin, out, oo):  # pragma: no cover - compiled
    """Thresholds of ``s[:, so:so + k]`` for ``max_bin`` bins into ``out[oo:]``.

    See the module docstring (nearest gap to each target rank ``j W / max_bin``).
    Returns the number of thresholds (``<= max_bin - 1``, ``<= k - 1``).
    """
    if k <= 1:
        return 0
    if k <= max_bin:
        for g in range(k - 1):
            out[oo + g] = _midpoint(s[_VALUE, so + g], s[_VALUE, so + g + 1])
        return k - 1
    total = s[_RMAX, so + k - 1]
    n_gaps = k - 1
    n_cuts = 0
    last = -1
    g = 0
    est_g = _gap_estimate(s, so)
    for j in range(1, max_bin):
        d = total * j / max_bin
        # estimates are nondecreasing in g: advance while the next one is <= d
        while g + 1 < n_gaps:
            est_next = _gap_estimate(s, so + g + 1)
            if est_next > d:
                break
            g += 1
            est_g = est_next
        best = g
        if g + 1 < n_gaps and _gap_estimate(s, so + g + 1) - d < d - est_g:
            best = g + 1
        if best > last:
            e = so + best
            out[oo + n_cuts] = _midpoint(s[_VALUE, e], s[_VALUE, e + 1])
            n_cuts += 1
            last = best
    return n_cuts


# --------------------------------------------------------------------------------------
# Public summary API
# --------------------------------------------------------------------------------------


@jit(inline="always")
def _sorted_exact_summary(
    vbuf, wbuf, m, tmp_keys, tmp_w, key_top, uniform, out
):  # pragma: no cover
    """Exact summary of the pairs ``(vbuf[:m], wbuf[:m])`` into ``out`` (buffers reused).

    ``vbuf`` holds non-NaN values with -0.0 normalised; it is sorted in place through
    its unsigned-integer view. Returns the number of entries.
    """
    keys = vbuf.view(key_top.dtype)
    top = key_top[0]
    to_sortable_keys(keys, m, top)
    radix_sort_pairs(keys, wbuf, tmp_keys, tmp_w, m, not uniform)
    from_sortable_keys(keys, m, top)
    return _exact_summary_sorted(vbuf, wbuf, m, out)


@jit
def _build_summary_kernel(
    values, weights, key_top, uniform
):  # pragma: no cover - compiled
    n = values.shape[0]
    vbuf = np.empty(n, values.dtype)
    wbuf = np.empty(n)
    m = np.int64(0)
    for i in range(n):
        x = values[i]
        w = weights[i]
        if x == x and w > 0.0:
            vbuf[m] = x + 0.0  # -0.0 -> +0.0
            wbuf[m] = w
            m += 1
    out = np.empty((4, m))
    k = _sorted_exact_summary(
        vbuf, wbuf, m, np.empty(m, key_top.dtype), np.empty(m), key_top, uniform, out
    )
    return out[:, :k].copy()


def _all_equal(weights: np.ndarray) -> bool:
    """True when every weight is the same (the radix sort then leaves them in place)."""
    return bool(weights.shape[0] == 0 or np.all(weights == weights[0]))


def _key_top(dtype: np.dtype) -> np.ndarray:
    """The top bit of the radix key type of ``dtype``, as a 1-element array.

    It carries both the key dtype (uint32 for float32, uint64 for float64) and the
    sign bit used by the key transform.
    """
    if dtype == np.float32:
        return np.array([1 << 31], dtype=np.uint32)
    return np.array([1 << 63], dtype=np.uint64)


def _as_summary(summary: np.ndarray, name: str = "summary") -> np.ndarray:
    """A writable C-contiguous float64 (4, k) array (one compiled specialization)."""
    s = np.require(summary, dtype=np.float64, requirements=["C", "W"])
    if s.ndim != 2 or s.shape[0] != 4:
        raise ValueError(f"{name} must have shape (4, k), got {np.shape(summary)}.")
    return s


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
    weights summed left to right. Reference: ``tests/naive/sketch.py::naive_distinct``.
    """
    values = np.asarray(values)
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float64)
    values = np.require(values, requirements=["C", "W"])
    if weights is None:
        weights = np.ones(values.shape[0])
    weights = np.require(weights, dtype=np.float64, requirements=["C", "W"])
    if values.ndim != 1 or weights.shape != values.shape:
        raise ValueError("values and weights must be 1-D arrays of the same length.")
    return _build_summary_kernel(
        values, weights, _key_top(values.dtype), _all_equal(weights)
    )


@jit
def _prune_kernel(s, b):  # pragma: no cover - compiled
    k = s.shape[1]
    out = np.empty((4, min(k, b + 1)))
    zero = np.int64(0)
    m = _prune_into(s, zero, k, b, out, zero)
    return out[:, :m].copy()


def prune_summary(summary, b):
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
    if int(b) < 1:
        raise ValueError(f"b must be >= 1, got {b}.")
    return _prune_kernel(_as_summary(summary), int(b))


@jit
def _merge_kernel(a, b):  # pragma: no cover - compiled
    ka = a.shape[1]
    kb = b.shape[1]
    out = np.empty((4, ka + kb))
    zero = np.int64(0)
    m = _merge_into(a, zero, ka, b, zero, kb, out, zero)
    return out[:, :m].copy()


def merge_summaries(a, b):
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
    return _merge_kernel(_as_summary(a, "a"), _as_summary(b, "b"))


@jit
def _query_kernel(s, ranks):  # pragma: no cover - compiled
    k = s.shape[1]
    n = ranks.shape[0]
    out = np.empty(n)
    if k == 0:
        out[:] = np.nan
        return out
    zero = np.int64(0)
    for q in range(n):
        d = ranks[q]
        # hint: largest i with rmin_i + rmax_i <= 2 d (binary search), or 0
        lo = 0
        hi = k
        while lo < hi:
            mid = (lo + hi) >> 1
            if s[_RMIN, mid] + s[_RMAX, mid] <= 2.0 * d:
                lo = mid + 1
            else:
                hi = mid
        idx, _ = _query_step(s, zero, k, d, max(zero, lo - 1))
        out[q] = s[_VALUE, idx]
    return out


def query_summary(summary, ranks):
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
    ranks = np.require(np.atleast_1d(ranks), dtype=np.float64, requirements=["C", "W"])
    return _query_kernel(_as_summary(summary), ranks.reshape(-1))


@jit
def _epsilon_kernel(s):  # pragma: no cover - compiled
    k = s.shape[1]
    if k == 0:
        return 0.0
    worst = 0.0
    for i in range(k):
        e = s[_RMAX, i] - s[_RMIN, i] - s[_WMIN, i]
        if e > worst:
            worst = e
        if i + 1 < k:
            e = s[_RMAX, i + 1] - s[_WMIN, i + 1] - s[_RMIN, i] - s[_WMIN, i]
            if e > worst:
                worst = e
    total = s[_RMAX, k - 1]
    if total <= 0.0:
        return 0.0
    return worst / total


def summary_epsilon(summary):
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
    return float(_epsilon_kernel(_as_summary(summary)))


@jit
def _summary_cuts_kernel(s, max_bin):  # pragma: no cover - compiled
    k = s.shape[1]
    out = np.empty(max(1, min(k, max_bin)))
    zero = np.int64(0)
    m = _cuts_into(s, zero, k, max_bin, out, zero)
    return out[:m].copy()


def summary_cuts(summary, max_bin):
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
    if int(max_bin) < 2:
        raise ValueError(f"max_bin must be >= 2, got {max_bin}.")
    return _summary_cuts_kernel(_as_summary(summary), int(max_bin))
