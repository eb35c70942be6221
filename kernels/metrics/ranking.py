"""Sort-based ranking kernels: ROC / precision-recall counts, ROC AUC, AP.

Every ranking metric of a binary problem is a function of the cumulative counts
``tps[k]`` (positives scored >= the k-th largest distinct score) and ``fps[k]``
(negatives scored >= it). Two ways to get them:

Unweighted input (the fast path).
    The caller splits the scores by class and sorts each part ascending with
    ``np.sort`` (numpy's SIMD sort; no stable arg-sort is needed since rows of one class
    are interchangeable). One merge pass from the top of both sorted arrays visits the
    distinct scores in decreasing order and accumulates the counts. The scalar scores
    (ROC AUC, average precision) are produced in the same pass without any
    intermediate array: the ROC area is accumulated in exact int64 arithmetic
    (``sum(dF * (T + T_prev))``, the trapezoid rule on counts, exact up to
    2**63 / 2 = P * N), the average precision with compensated (Kahan) summation.

Weighted input.
    The caller arg-sorts the scores in decreasing order with a stable sort (ties keep
    their input order) and one pass accumulates the weighted counts in that order,
    which is the order scikit-learn's cumulative sums use, so the counts agree with it
    to the last bit.

Conventions: thresholds are listed in decreasing order; a sample is predicted
positive at threshold ``t`` when its score is ``>= t``. Scores are float64 or float32
(the caller converts other dtypes), C-contiguous, free of NaN. Naive references (the
O(n^2) pairwise AUC, per-threshold counting loops) are in tests/naive/metrics.py.
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = [
    "split_scores",
    "compute_auc_sorted",
    "compute_average_precision_sorted",
    "count_thresholds_sorted",
    "count_thresholds_weighted",
]


@jit
def split_scores(y_score, is_pos):
    """Scores of the positive and of the negative rows, in input order.

    Parameters
    ----------
    y_score : ndarray of shape (n_samples,), float64 or float32 (IN)
    is_pos : ndarray of shape (n_samples,), bool (IN)
        True for rows of the positive class.

    Returns
    -------
    pos_scores, neg_scores : ndarrays of shape (n_pos,) and (n_samples - n_pos,) (OUT)
        Same dtype as ``y_score``.

    Notes
    -----
    Equivalent to ``(y_score[is_pos], y_score[~is_pos])`` (the naive reference), in
    one counting pass and one branch-free filling pass. The outputs are views of
    buffers one element longer (sorting them in place is fine).
    """
    n = y_score.shape[0]
    n_pos = 0
    for i in range(n):
        n_pos += is_pos[i]
    # One spare slot in each buffer lets every row be written to both without a
    # branch; only the index of its own class advances.
    pos = np.empty(n_pos + 1, dtype=y_score.dtype)
    neg = np.empty(n - n_pos + 1, dtype=y_score.dtype)
    ip = 0
    ineg = 0
    for i in range(n):
        v = y_score[i]
        p = 1 if is_pos[i] else 0
        pos[ip] = v
        neg[ineg] = v
        ip += p
        ineg += 1 - p
    return pos[:n_pos], neg[: n - n_pos]


@jit
def _next_threshold(pos_sorted, neg_sorted, i, j):
    """One step of the merge pass: the next distinct score, decreasing.

    ``i`` and ``j`` index the largest not yet visited score of each class (-1 once
    a class is exhausted). Returns ``(t, i_next, j_next)``: ``t`` is the larger of
    the two scores, and the rows of each class scored ``t`` (a run, the arrays being
    sorted) are skipped, so ``i - i_next`` positives and ``j - j_next`` negatives
    score exactly ``t``. Shared by every kernel that merges sorted class scores.
    """
    if j < 0 or (i >= 0 and pos_sorted[i] >= neg_sorted[j]):
        t = pos_sorted[i]
    else:
        t = neg_sorted[j]
    while i >= 0 and pos_sorted[i] == t:
        i -= 1
    while j >= 0 and neg_sorted[j] == t:
        j -= 1
    return t, i, j


@jit
def compute_auc_sorted(pos_sorted, neg_sorted):
    """Area under the ROC curve from the sorted scores of each class.

    Parameters
    ----------
    pos_sorted : ndarray of shape (n_pos,), float64 or float32, ascending (IN)
        Scores of the positive rows.
    neg_sorted : ndarray of shape (n_neg,), same dtype, ascending (IN)
        Scores of the negative rows.

    Returns
    -------
    auc : float
        The trapezoidal area under the ROC curve (ties between classes count one
        half, as in the Mann-Whitney U statistic); NaN when a class is empty.

    Notes
    -----
    One merge pass from the largest score down; at each distinct score ``t`` the
    counts move from (F0, T0) to (F, T) and the doubled area grows by
    ``(F - F0) * (T + T0)``, accumulated exactly in int64. The result is
    ``area2 / (2 * n_pos * n_neg)``. Naive reference: ``naive_auc_pairwise``.
    """
    n_pos = pos_sorted.shape[0]
    n_neg = neg_sorted.shape[0]
    if n_pos == 0 or n_neg == 0:
        return np.nan
    i = n_pos - 1
    j = n_neg - 1
    tps = 0
    fps = 0
    area2 = 0
    while i >= 0 or j >= 0:
        _, i, j = _next_threshold(pos_sorted, neg_sorted, i, j)
        tps_prev = tps
        fps_prev = fps
        tps = n_pos - 1 - i
        fps = n_neg - 1 - j
        area2 += (fps - fps_prev) * (tps + tps_prev)
    return area2 / (2.0 * n_pos * n_neg)


@jit
def compute_average_precision_sorted(pos_sorted, neg_sorted):
    """Average precision (step-wise, no interpolation) from sorted class scores.

    Parameters
    ----------
    pos_sorted : ndarray of shape (n_pos,), float64 or float32, ascending (IN)
    neg_sorted : ndarray of shape (n_neg,), same dtype, ascending (IN)

    Returns
    -------
    average_precision : float
        ``sum_k (R_k - R_{k-1}) * P_k`` over the distinct scores in decreasing order,
        with recall ``R_k = tps_k / n_pos`` and precision ``P_k = tps_k / (tps_k +
        fps_k)``; NaN when there is no positive row.

    Notes
    -----
    Same merge pass as :func:`compute_auc_sorted`; the terms ``(tps_k - tps_{k-1}) *
    P_k`` are added with Kahan summation and divided by ``n_pos`` once. Naive
    reference: ``naive_average_precision``.
    """
    n_pos = pos_sorted.shape[0]
    n_neg = neg_sorted.shape[0]
    if n_pos == 0:
        return np.nan
    i = n_pos - 1
    j = n_neg - 1
    tps = 0
    total = 0.0
    comp = 0.0
    while i >= 0 or j >= 0:
        _, i, j = _next_threshold(pos_sorted, neg_sorted, i, j)
        tps_prev = tps
        tps = n_pos - 1 - i
        fps = n_neg - 1 - j
        if tps > tps_prev:
            term = (tps - tps_prev) * (tps / (tps + fps)) - comp
            new_total = total + term
            comp = (new_total - total) - term
            total = new_total
    return total / n_pos


@jit
def count_thresholds_sorted(pos_sorted, neg_sorted):
    """Cumulative counts at each distinct score, from sorted class scores.

    Parameters
    ----------
    pos_sorted : ndarray of shape (n_pos,), float64 or float32, ascending (IN)
    neg_sorted : ndarray of shape (n_neg,), same dtype, ascending (IN)

    Returns
    -------
    fps : ndarray of shape (n_thresholds,), float64 (OUT)
        Negatives scored >= each threshold.
    tps : ndarray of shape (n_thresholds,), float64 (OUT)
        Positives scored >= each threshold.
    thresholds : ndarray of shape (n_thresholds,), dtype of the scores (OUT)
        The distinct scores, decreasing.

    Notes
    -----
    The merge pass of :func:`compute_auc_sorted`, recording the counts. Naive
    reference: ``naive_threshold_counts``.
    """
    n_pos = pos_sorted.shape[0]
    n_neg = neg_sorted.shape[0]
    n = n_pos + n_neg
    fps_out = np.empty(n, dtype=np.float64)
    tps_out = np.empty(n, dtype=np.float64)
    thr_out = np.empty(n, dtype=pos_sorted.dtype)
    i = n_pos - 1
    j = n_neg - 1
    k = 0
    while i >= 0 or j >= 0:
        t, i, j = _next_threshold(pos_sorted, neg_sorted, i, j)
        fps_out[k] = n_neg - 1 - j
        tps_out[k] = n_pos - 1 - i
        thr_out[k] = t
        k += 1
    return fps_out[:k].copy(), tps_out[:k].copy(), thr_out[:k].copy()


@jit
def count_thresholds_weighted(score_desc, is_pos_desc, weight_desc):
    """Weighted cumulative counts at each distinct score, from score-sorted rows.

    Parameters
    ----------
    score_desc : ndarray of shape (n_samples,), float64 or float32 (IN)
        Scores sorted in decreasing order.
    is_pos_desc : ndarray of shape (n_samples,), bool (IN)
        Class of each row in that order.
    weight_desc : ndarray of shape (n_samples,), float64 (IN)
        Weight of each row in that order.

    Returns
    -------
    fps, tps : ndarrays of shape (n_thresholds,), float64 (OUT)
        Weight of the negative / positive rows scored >= each threshold.
    thresholds : ndarray of shape (n_thresholds,), dtype of the scores (OUT)
        The distinct scores, decreasing.

    Notes
    -----
    Running sums in row order, recorded at the last row of each run of equal
    scores. Naive reference: ``naive_threshold_counts`` with weights.
    """
    n = score_desc.shape[0]
    fps_out = np.empty(n, dtype=np.float64)
    tps_out = np.empty(n, dtype=np.float64)
    thr_out = np.empty(n, dtype=score_desc.dtype)
    tps = 0.0
    fps = 0.0
    k = 0
    for i in range(n):
        if is_pos_desc[i]:
            tps += weight_desc[i]
        else:
            fps += weight_desc[i]
        if i == n - 1 or score_desc[i + 1] != score_desc[i]:
            fps_out[k] = fps
            tps_out[k] = tps
            thr_out[k] = score_desc[i]
            k += 1
    return fps_out[:k].copy(), tps_out[:k].copy(), thr_out[:k].copy()
