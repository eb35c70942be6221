"""Minimal cost-complexity pruning kernels (Breiman, Friedman, Olshen & Stone 1984,
ch. 3): the weakest-link pruning path and pruning at a given alpha, on the node
arrays of a fitted tree. Naive reference: tests/naive/cart.py ``prune_path``; tests:
tests/kernels/test_cart.py, tests/reference/test_tree_sklearn.py (paths equal to
scikit-learn's to 1e-12).
"""

from __future__ import annotations

import numpy as np
from fastml.kernels._jit import jit

__all__ = ["prune_path", "prune_mask"]


@jit
def _prune(
    children_left: np.ndarray,
    children_right: np.ndarray,
    weighted_n_node_samples: np.ndarray,
    impurity: np.ndarray,
    ccp_alpha: float,
    record_path: bool,
) -> tuple:
    n_nodes = children_left.shape[0]
    total_w = weighted_n_node_samples[0]
    r_node = np.empty(n_nodes, dtype=np.float64)
    for i in range(n_nodes):
        r_node[i] = weighted_n_node_samples[i] * impurity[i] / total_w
    parent = np.full(n_nodes, -2, dtype=np.int64)
    leaves = np.zeros(n_nodes, dtype=np.bool_)
    stack = np.empty(n_nodes + 1, dtype=np.int64)
    stack_parent = np.empty(n_nodes + 1, dtype=np.int64)
    n_stack = 1
    stack[0] = 0
    stack_parent[0] = -2
    while n_stack > 0:
        n_stack -= 1
        node = stack[n_stack]
        parent[node] = stack_parent[n_stack]
        if children_left[node] == -1:
            leaves[node] = True
        else:
            stack[n_stack] = children_left[node]
            stack_parent[n_stack] = node
            n_stack += 1
            stack[n_stack] = children_right[node]
            stack_parent[n_stack] = node
            n_stack += 1
    n_leaves = np.zeros(n_nodes, dtype=np.int64)
    r_branch = np.zeros(n_nodes, dtype=np.float64)
    for leaf in range(n_nodes):
        if not leaves[leaf]:
            continue
        r_branch[leaf] = r_node[leaf]
        current = r_node[leaf]
        node = leaf
        while node != 0:
            p = parent[node]
            r_branch[p] += current
            n_leaves[p] += 1
            node = p
    candidate = np.empty(n_nodes, dtype=np.bool_)
    for i in range(n_nodes):
        candidate[i] = not leaves[i]
    in_subtree = np.ones(n_nodes, dtype=np.bool_)
    alphas = np.zeros(n_nodes + 1, dtype=np.float64)
    impurities = np.zeros(n_nodes + 1, dtype=np.float64)
    count = 0
    if record_path:
        alphas[0] = 0.0
        impurities[0] = r_branch[0]
        count = 1
    big = np.finfo(np.float64).max
    while candidate[0]:
        effective = big
        pruned = 0
        for i in range(n_nodes):
            if not candidate[i]:
                continue
            sub = (r_node[i] - r_branch[i]) / (n_leaves[i] - 1)
            if sub < effective:
                effective = sub
                pruned = i
        if not record_path and ccp_alpha < effective:
            break
        n_stack = 1
        stack[0] = pruned
        while n_stack > 0:
            n_stack -= 1
            node = stack[n_stack]
            if not in_subtree[node]:
                continue
            candidate[node] = False
            leaves[node] = False
            in_subtree[node] = False
            if children_left[node] != -1:
                stack[n_stack] = children_left[node]
                n_stack += 1
                stack[n_stack] = children_right[node]
                n_stack += 1
        leaves[pruned] = True
        in_subtree[pruned] = True
        n_pruned_leaves = n_leaves[pruned] - 1
        n_leaves[pruned] = 0
        r_diff = r_node[pruned] - r_branch[pruned]
        r_branch[pruned] = r_node[pruned]
        node = parent[pruned]
        while node != -2:
            n_leaves[node] -= n_pruned_leaves
            r_branch[node] += r_diff
            node = parent[node]
        if record_path:
            alphas[count] = effective
            impurities[count] = r_branch[0]
            count += 1
    return leaves, in_subtree, alphas[:count].copy(), impurities[:count].copy()


def prune_path(
    children_left: np.ndarray,
    children_right: np.ndarray,
    weighted_n_node_samples: np.ndarray,
    impurity: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Minimal cost-complexity pruning path (Breiman et al. 1984, ch. 3.3).

    IN the tree arrays (children int64 with -1 at leaves, float64 weights and
    impurities; node 0 the root). Node risk R(t) = N_t / N * impurity(t); the
    weakest link (smallest (R(t) - R(T_t)) / (|leaves(T_t)| - 1), the first node id
    on ties) is pruned repeatedly until only the root is left; branch risks are
    updated incrementally along the ancestors (the summation order scikit-learn
    uses, so the path agrees to rounding).
    OUT (ccp_alphas, impurities) float64: the effective alpha of each subtree of the
    sequence (0 first) and the total leaf risk of that subtree.
    Naive reference: tests/naive/cart.py ``naive_prune_path``.
    """
    _, _, alphas, impurities = _prune(
        children_left, children_right, weighted_n_node_samples, impurity, 0.0, True
    )
    return alphas, impurities


def prune_mask(
    children_left: np.ndarray,
    children_right: np.ndarray,
    weighted_n_node_samples: np.ndarray,
    impurity: np.ndarray,
    ccp_alpha: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Weakest-link pruning up to ``ccp_alpha``: prune while the weakest link's
    effective alpha is <= ccp_alpha.

    OUT (leaves, kept) bool (n_nodes,): the leaves of the pruned subtree and the
    nodes it keeps (a node is kept iff it is the root or its parent is kept and not
    a leaf of the pruned subtree).
    """
    leaves, in_subtree, _, _ = _prune(
        children_left,
        children_right,
        weighted_n_node_samples,
        impurity,
        float(ccp_alpha),
        False,
    )
    return leaves, in_subtree
