"""Minimal cost-complexity pruning (Breiman, Friedman, Olshen & Stone 1984, ch. 3)
and the choice of its alpha by k-fold cross-validation.

The cost-complexity of a subtree T is R_alpha(T) = R(T) + alpha |leaves(T)|, with
R the total leaf risk: sum over leaves t of N_t / N * impurity(t) (weighted counts).
Weakest-link pruning (kernels/tree/prune.py ``prune_path``) collapses, one after the
other, the internal node t of smallest effective alpha
g(t) = (R(t) - R(T_t)) / (|leaves(T_t)| - 1); the sequence of effective alphas and
subtree risks is the pruning path. Pruning at ``ccp_alpha`` collapses the weakest
links while their effective alpha is <= ccp_alpha.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.tree._structure import TREE_LEAF, Tree

__all__ = ["Bunch", "pruning_path", "prune_tree", "select_ccp_alpha"]


class Bunch(dict):
    """A dict whose keys are also attributes (``path.ccp_alphas``)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __dir__(self) -> list[str]:
        return list(self.keys())


def pruning_path(tree: Tree) -> tuple[np.ndarray, np.ndarray]:
    """(ccp_alphas, impurities) of the weakest-link pruning sequence of ``tree``."""
    from fastml.kernels.tree.prune import prune_path

    return prune_path(
        tree.children_left,
        tree.children_right,
        tree.weighted_n_node_samples,
        tree.impurity,
    )


def prune_tree(tree: Tree, ccp_alpha: float) -> Tree:
    """The subtree of ``tree`` pruned at ``ccp_alpha``, nodes renumbered in preorder
    (the numbering of depth-first growth)."""
    from fastml.kernels.tree.prune import prune_mask

    leaves, _ = prune_mask(
        tree.children_left,
        tree.children_right,
        tree.weighted_n_node_samples,
        tree.impurity,
        float(ccp_alpha),
    )
    # Preorder walk of the kept nodes (left subtree before right).
    order: list[int] = []
    new_left: list[int] = []
    new_right: list[int] = []
    stack: list[tuple[int, int, bool]] = [(0, -1, False)]
    depth_of: list[int] = []
    depth_stack = [0]
    while stack:
        node, parent, is_left = stack.pop()
        depth = depth_stack.pop()
        new_id = len(order)
        order.append(node)
        new_left.append(TREE_LEAF)
        new_right.append(TREE_LEAF)
        depth_of.append(depth)
        if parent >= 0:
            if is_left:
                new_left[parent] = new_id
            else:
                new_right[parent] = new_id
        if not leaves[node] and tree.children_left[node] != TREE_LEAF:
            stack.append((int(tree.children_right[node]), new_id, False))
            depth_stack.append(depth + 1)
            stack.append((int(tree.children_left[node]), new_id, True))
            depth_stack.append(depth + 1)
    idx = np.asarray(order, dtype=np.int64)
    left = np.asarray(new_left, dtype=np.int64)
    is_leaf = left == TREE_LEAF
    feature = tree.feature[idx].copy()
    threshold = tree.threshold[idx].copy()
    feature[is_leaf] = -2
    threshold[is_leaf] = -2.0
    missing = (
        tree.missing_go_to_left[idx].copy()
        if tree.missing_go_to_left is not None
        else None
    )
    return Tree.from_arrays(
        n_features=tree.n_features,
        n_classes=tree.n_classes,
        children_left=left,
        children_right=np.asarray(new_right, dtype=np.int64),
        feature=feature,
        threshold=threshold,
        impurity=tree.impurity[idx],
        n_node_samples=tree.n_node_samples[idx],
        weighted_n_node_samples=tree.weighted_n_node_samples[idx],
        value=np.asarray(tree.value)[idx],
        missing_go_to_left=missing,
        max_depth=int(max(depth_of)) if depth_of else 0,
    )


def select_ccp_alpha(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    cv: Any = 5,
    scoring: Any = None,
    sample_weight: Any = None,
) -> Any:
    """Choose ``ccp_alpha`` by k-fold cross-validation and refit on all the data.

    The classic procedure (Breiman et al. 1984, section 3.4; Hastie, Tibshirani &
    Friedman, *The Elements of Statistical Learning*, section 9.2.2):

    1. grow the tree on all of (X, y) and compute its pruning path: the candidate
       alphas are the geometric midpoints sqrt(alpha_k alpha_{k+1}) of consecutive
       effective alphas (each the typical value of one subtree of the sequence), plus
       0 and the last alpha;
    2. for each fold: grow the tree on the training part (one growth per fold), prune
       it at every candidate alpha (cheap: pruning only collapses nodes) and score
       each pruned tree on the validation part (``scoring``: a scorer name or
       callable, default the estimator's ``score``: accuracy or R^2);
    3. pick the alpha of best mean validation score (the smallest alpha on ties);
    4. refit a clone of ``estimator`` with that ``ccp_alpha`` on all of (X, y).

    Parameters
    ----------
    estimator : DecisionTreeClassifier or DecisionTreeRegressor
        Its other parameters are kept (its own ``ccp_alpha`` is ignored).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    cv : int or cross-validation splitter, default=5
        As in fastml.model_selection.check_cv (stratified for classifiers).
    scoring : str, callable or None, default=None
    sample_weight : array-like of shape (n_samples,), default=None
        Used when growing the trees (not in scoring).

    Returns
    -------
    estimator : fitted clone with the chosen ``ccp_alpha``. Its attribute
        ``cv_results_`` is a dict with "ccp_alphas" (the candidates),
        "mean_test_score", "std_test_score", "split_test_scores" (n_splits,
        n_candidates); ``best_ccp_alpha_`` is the chosen alpha.
    """
    from fastml.base import clone, is_classifier
    from fastml.model_selection import check_cv, get_scorer
    from fastml.utils.validation import check_array

    X_arr = check_array(X, dtype=np.float32)
    y_arr = np.asarray(y)
    sw = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    base = clone(estimator).set_params(ccp_alpha=0.0)
    path = base.cost_complexity_pruning_path(X_arr, y_arr, sample_weight=sw)
    alphas = np.asarray(path["ccp_alphas"], dtype=np.float64)
    alphas = np.unique(np.maximum(alphas, 0.0))
    if alphas.size > 1:
        mids = np.sqrt(alphas[:-1] * alphas[1:])
        candidates = np.unique(np.concatenate([[0.0], mids, alphas[-1:]]))
    else:
        candidates = np.array([0.0])
    splitter = check_cv(cv, y_arr, classifier=is_classifier(estimator))
    scorer = get_scorer(scoring) if scoring is not None else None
    splits = list(splitter.split(X_arr, y_arr))
    scores = np.empty((len(splits), candidates.size), dtype=np.float64)
    for s, (train, test) in enumerate(splits):
        fold = clone(base)
        fold.fit(
            X_arr[train], y_arr[train], sample_weight=None if sw is None else sw[train]
        )
        full_tree = fold.tree_
        for k, alpha in enumerate(candidates):
            fold.tree_ = prune_tree(full_tree, alpha) if alpha > 0 else full_tree
            if scorer is None:
                scores[s, k] = fold.score(X_arr[test], y_arr[test])
            else:
                scores[s, k] = scorer(fold, X_arr[test], y_arr[test])
    mean = scores.mean(axis=0)
    best = int(np.argmax(mean))
    best_alpha = float(candidates[best])
    final = clone(estimator).set_params(ccp_alpha=best_alpha)
    final.fit(X_arr, y_arr, sample_weight=sw)
    final.best_ccp_alpha_ = best_alpha
    final.cv_results_ = {
        "ccp_alphas": candidates,
        "mean_test_score": mean,
        "std_test_score": scores.std(axis=0),
        "split_test_scores": scores,
    }
    return final
