"""Naive references for kernels/tree/forest.py: one walk per row and tree, in Python."""

from __future__ import annotations

import numpy as np


def leaf_of(x, feature, threshold, left, right, base):
    """Node (absolute index) reached by row ``x`` in the tree rooted at ``base``."""
    node = base
    while feature[node] >= 0:
        if x[feature[node]] <= threshold[node]:
            node = base + left[node]
        else:
            node = base + right[node]
    return node


def oob_sums(X, feature, threshold, left, right, value, tree_ptr, inbag):
    """(sums of out-of-bag leaf vectors, number of out-of-bag trees) per row."""
    n_rows = X.shape[0]
    out = np.zeros((n_rows, value.shape[1]))
    n_oob = np.zeros(n_rows, dtype=np.int64)
    for r in range(n_rows):
        for t in range(len(tree_ptr) - 1):
            if inbag[r, t]:
                continue
            node = leaf_of(X[r], feature, threshold, left, right, tree_ptr[t])
            out[r] += value[node]
            n_oob[r] += 1
    return out, n_oob


def random_trees(rng, n_trees, n_features, n_values, max_nodes=15):
    """Random valid trees in the flat layout (children after their parent)."""
    feature, threshold, left, right, values, ptr = [], [], [], [], [], [0]
    for _ in range(n_trees):
        n_nodes = 1
        f, th, lf, rt = [-1], [-2.0], [0], [0]
        queue = [0]
        while queue and n_nodes + 2 <= max_nodes:
            node = queue.pop(0)
            if rng.random() < 0.25 and node != 0:
                continue
            f[node] = int(rng.integers(n_features))
            th[node] = float(rng.normal())
            lf[node], rt[node] = n_nodes, n_nodes + 1
            for _ in range(2):
                f.append(-1)
                th.append(-2.0)
                lf.append(0)
                rt.append(0)
            queue += [n_nodes, n_nodes + 1]
            n_nodes += 2
        feature += f
        threshold += th
        left += lf
        right += rt
        values.append(rng.random((n_nodes, n_values)))
        ptr.append(ptr[-1] + n_nodes)
    return (
        np.array(feature, dtype=np.int64),
        np.array(threshold, dtype=np.float64),
        np.array(left, dtype=np.int64),
        np.array(right, dtype=np.int64),
        np.ascontiguousarray(np.concatenate(values)),
        np.array(ptr, dtype=np.int64),
    )
