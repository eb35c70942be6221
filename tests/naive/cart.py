"""Obviously-correct references for the CART kernels (kernels/tree/cart.py).

- ``node_stats``: impurity and value of a set of rows, straight from the definitions
  (gini, entropy in bits, variance, mean absolute deviation about the weighted
  median, half Poisson deviance).
- ``best_split``: exhaustive search over every feature and every cut between two
  consecutive distinct values (more than 1e-7 apart) of the weighted impurity
  decrease n_L/n I_L + n_R/n I_R, children impurities recomputed from scratch.
- ``prune_path``: weakest-link pruning recomputing every subtree's risk and leaf
  count from scratch at each step.
"""

from __future__ import annotations

import numpy as np

FEATURE_THRESHOLD = 1e-7


def weighted_median(y: np.ndarray, w: np.ndarray) -> float:
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cum = np.cumsum(ws)
    half = 0.5 * cum[-1]
    k = int(np.searchsorted(cum, half, side="right"))
    k = min(k, len(ys) - 1)
    if k > 0 and np.isclose(cum[k - 1], half, rtol=0, atol=1e-12 * cum[-1]):
        return float((ys[k - 1] + ys[k]) / 2)
    return float(ys[k])


def node_stats(
    y: np.ndarray, w: np.ndarray, criterion: str, n_classes: int
) -> tuple[float, np.ndarray]:
    """(impurity, value) of the rows (y, w)."""
    wn = w.sum()
    if n_classes > 0:
        counts = np.bincount(y.astype(np.int64), weights=w, minlength=n_classes)
        p = counts / wn
        if criterion == "gini":
            imp = 1.0 - np.sum(p**2)
        else:
            nz = p[p > 0]
            imp = -np.sum(nz * np.log2(nz))
        return float(imp), p
    mean = np.sum(w * y) / wn
    if criterion in ("squared_error", "friedman_mse"):
        return float(np.sum(w * (y - mean) ** 2) / wn), np.array([mean])
    if criterion == "absolute_error":
        med = weighted_median(y, w)
        return float(np.sum(w * np.abs(y - med)) / wn), np.array([med])
    if criterion == "poisson":
        if np.sum(w * y) <= 10 * np.finfo(float).eps:
            return float("inf"), np.array([mean])
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(y > 0, y * np.log(y / mean), 0.0)
        return float(np.sum(w * terms) / wn), np.array([mean])
    raise ValueError(criterion)


def best_split(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    criterion: str,
    n_classes: int,
    *,
    min_samples_leaf: int = 1,
    min_weight_leaf: float = 0.0,
) -> tuple[float, list[tuple[int, float]]]:
    """Smallest weighted children impurity over all valid cuts, and the list of
    (feature, threshold) achieving it (within 1e-9 relative). (inf, []) if none."""
    X = np.asarray(X, dtype=np.float32)
    best = np.inf
    found: list[tuple[int, float, float]] = []
    wn = w.sum()
    for f in range(X.shape[1]):
        values = np.unique(X[:, f]).astype(np.float64)
        for a, b in zip(values[:-1], values[1:], strict=False):
            if b <= a + FEATURE_THRESHOLD:
                continue
            thr = a / 2.0 + b / 2.0
            left = X[:, f].astype(np.float64) <= a
            if left.sum() < min_samples_leaf or (~left).sum() < min_samples_leaf:
                continue
            wl, wr = w[left].sum(), w[~left].sum()
            if wl < min_weight_leaf or wr < min_weight_leaf:
                continue
            il, _ = node_stats(y[left], w[left], criterion, n_classes)
            ir, _ = node_stats(y[~left], w[~left], criterion, n_classes)
            score = (wl * il + wr * ir) / wn
            found.append((f, thr, score))
            best = min(best, score)
    if not found:
        return np.inf, []
    tol = 1e-9 * max(abs(best), 1e-12)
    return best, [(f, t) for f, t, s in found if s <= best + tol]


def prune_path(
    children_left: np.ndarray,
    children_right: np.ndarray,
    weighted_n_node_samples: np.ndarray,
    impurity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Weakest-link pruning path, subtree risks recomputed from scratch each step."""
    n = len(children_left)
    total = weighted_n_node_samples[0]
    risk = weighted_n_node_samples * impurity / total
    left = np.array(children_left).copy()
    right = np.array(children_right).copy()

    def branch(node: int) -> tuple[float, int]:
        if left[node] == -1:
            return float(risk[node]), 1
        rl, nl = branch(int(left[node]))
        rr, nr = branch(int(right[node]))
        return rl + rr, nl + nr

    alphas = [0.0]
    impurities = [branch(0)[0]]
    while left[0] != -1:
        best, best_node = np.inf, -1
        stack = [0]
        internal = []
        while stack:
            node = stack.pop()
            if left[node] != -1:
                internal.append(node)
                stack.extend([int(left[node]), int(right[node])])
        for node in sorted(internal):
            r, k = branch(node)
            g = (risk[node] - r) / (k - 1)
            if g < best:
                best, best_node = g, node
        left[best_node] = -1
        right[best_node] = -1
        alphas.append(best)
        impurities.append(branch(0)[0])
    del n
    return np.array(alphas), np.array(impurities)
