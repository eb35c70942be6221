"""Slow, obviously-correct references for the metrics kernels (plain Python loops)."""

from __future__ import annotations

import numpy as np


def naive_confusion_counts(y_true_idx, y_pred_idx, sample_weight, n_classes):
    """Per-row loop: add each row's weight (or 1) to cell [true, pred]."""
    weighted = sample_weight is not None
    is_float = weighted and np.asarray(sample_weight).dtype.kind == "f"
    out = np.zeros((n_classes, n_classes), dtype=np.float64 if is_float else np.int64)
    for i in range(len(y_true_idx)):
        t, p = int(y_true_idx[i]), int(y_pred_idx[i])
        if 0 <= t < n_classes and 0 <= p < n_classes:
            out[t, p] += sample_weight[i] if weighted else 1
    return out


def naive_auc_pairwise(y_score, is_pos, sample_weight=None):
    """Probability that a random positive outscores a random negative (ties: 1/2).

    O(n_pos * n_neg) over all pairs, weighted by w_pos * w_neg.
    """
    y_score = np.asarray(y_score, dtype=np.float64)
    is_pos = np.asarray(is_pos, dtype=bool)
    w = np.ones(len(y_score)) if sample_weight is None else np.asarray(sample_weight)
    num = 0.0
    den = 0.0
    for i in np.flatnonzero(is_pos):
        for j in np.flatnonzero(~is_pos):
            pair = w[i] * w[j]
            den += pair
            if y_score[i] > y_score[j]:
                num += pair
            elif y_score[i] == y_score[j]:
                num += 0.5 * pair
    return num / den if den > 0 else float("nan")


def naive_threshold_counts(y_score, is_pos, sample_weight=None):
    """For each distinct score t (decreasing): weight of positives/negatives >= t."""
    y_score = np.asarray(y_score)
    is_pos = np.asarray(is_pos, dtype=bool)
    w = np.ones(len(y_score)) if sample_weight is None else np.asarray(sample_weight)
    thresholds = sorted(set(y_score.tolist()), reverse=True)
    fps, tps = [], []
    for t in thresholds:
        tp = 0.0
        fp = 0.0
        for i in range(len(y_score)):
            if y_score[i] >= t:
                if is_pos[i]:
                    tp += w[i]
                else:
                    fp += w[i]
        fps.append(fp)
        tps.append(tp)
    return np.array(fps), np.array(tps), np.array(thresholds, dtype=y_score.dtype)


def naive_average_precision(y_score, is_pos, sample_weight=None):
    """sum_k (R_k - R_{k-1}) * P_k over the distinct thresholds, decreasing."""
    fps, tps, _ = naive_threshold_counts(y_score, is_pos, sample_weight)
    total_pos = tps[-1]
    if total_pos <= 0:
        return float("nan")
    ap = 0.0
    prev_recall = 0.0
    for fp, tp in zip(fps, tps):
        recall = tp / total_pos
        precision = tp / (tp + fp) if tp + fp > 0 else 0.0
        ap += (recall - prev_recall) * precision
        prev_recall = recall
    return ap


def naive_roc_points(y_score, is_pos, sample_weight=None):
    """(fpr, tpr, thresholds) including the (0, 0) point at threshold inf."""
    fps, tps, thr = naive_threshold_counts(y_score, is_pos, sample_weight)
    fpr = np.concatenate([[0.0], fps / fps[-1]])
    tpr = np.concatenate([[0.0], tps / tps[-1]])
    return fpr, tpr, np.concatenate([[np.inf], thr.astype(np.float64)])


def naive_pareto_mask(fpr, tpr):
    """O(k^2): a point is kept unless another one is at least as good on both axes
    (lower or equal fpr, higher or equal tpr) and strictly better on one."""
    keep = np.ones(len(fpr), dtype=bool)
    for i in range(len(fpr)):
        for j in range(len(fpr)):
            if (
                fpr[j] <= fpr[i]
                and tpr[j] >= tpr[i]
                and (fpr[j] < fpr[i] or tpr[j] > tpr[i])
            ):
                keep[i] = False
                break
    return keep


def naive_binary_counts(y_true, y_pred, pos, sample_weight=None):
    """(tp, fp, fn, tn) of one label against the rest, by a loop over samples."""
    w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight)
    tp = fp = fn = tn = 0.0
    for t, p, wi in zip(list(y_true), list(y_pred), w):
        if t == pos and p == pos:
            tp += wi
        elif t != pos and p == pos:
            fp += wi
        elif t == pos and p != pos:
            fn += wi
        else:
            tn += wi
    return tp, fp, fn, tn
