"""The fitted tree: plain numpy arrays with scikit-learn's names and meanings.

Every tree model of fastml stores its trees as :class:`Tree` objects (attribute
``tree_`` of the decision trees). Node ``i`` is described by

- ``children_left[i]``, ``children_right[i]`` (int64): child node ids, -1 at leaves;
- ``feature[i]`` (int64, -2 at leaves) and ``threshold[i]`` (float64, -2 at leaves):
  a row goes left iff ``x[feature] <= threshold``;
- ``impurity[i]``, ``n_node_samples[i]`` (int64: rows of positive weight),
  ``weighted_n_node_samples[i]`` (float64);
- ``value[i]`` of shape (n_outputs, n_values): weighted class fractions
  (classification) or the mean / median (regression);
- ``missing_go_to_left[i]`` (uint8): where a NaN goes at prediction time (the child
  that received more training rows).

Node 0 is the root; ids are in preorder for depth-first growth. ``value`` may be
rewritten after fit (gradient boosting updates leaf values): :meth:`Tree.predict`
reads it at call time. The split structure (children, feature, threshold) must not be
changed after construction: the flat prediction layout is derived from it once.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.tree._flat import FlatTrees, flatten_trees, predict_sum

__all__ = ["Tree", "TREE_LEAF", "TREE_UNDEFINED"]

TREE_LEAF = -1
TREE_UNDEFINED = -2


class Tree:
    """Array representation of a fitted binary decision tree.

    Parameters
    ----------
    n_features : int
        Number of features of the data the tree splits.
    n_classes : array-like of int
        Number of classes per output (``[1]`` for regression).
    n_outputs : int, default=1
        Number of outputs (fastml's trees have one).

    Attributes
    ----------
    node_count, max_depth, n_leaves : int
    children_left, children_right, feature, threshold, impurity, n_node_samples,
    weighted_n_node_samples, value, missing_go_to_left : ndarray
        See the module docstring.
    """

    def __init__(self, n_features: int, n_classes: Any, n_outputs: int = 1) -> None:
        self.n_features = int(n_features)
        self.n_classes = np.asarray(n_classes, dtype=np.int64).reshape(-1)
        self.n_outputs = int(n_outputs)
        self.max_n_classes = int(self.n_classes.max())
        self.node_count = 0
        self.max_depth = 0
        self.children_left = np.zeros(0, dtype=np.int64)
        self.children_right = np.zeros(0, dtype=np.int64)
        self.feature = np.zeros(0, dtype=np.int64)
        self.threshold = np.zeros(0, dtype=np.float64)
        self.impurity = np.zeros(0, dtype=np.float64)
        self.n_node_samples = np.zeros(0, dtype=np.int64)
        self.weighted_n_node_samples = np.zeros(0, dtype=np.float64)
        self.value = np.zeros((0, self.n_outputs, self.max_n_classes), dtype=np.float64)
        self.missing_go_to_left: np.ndarray | None = np.zeros(0, dtype=np.uint8)
        self._flat: FlatTrees | None = None

    @classmethod
    def from_arrays(
        cls,
        *,
        n_features: int,
        n_classes: Any,
        children_left: np.ndarray,
        children_right: np.ndarray,
        feature: np.ndarray,
        threshold: np.ndarray,
        impurity: np.ndarray,
        n_node_samples: np.ndarray,
        weighted_n_node_samples: np.ndarray,
        value: np.ndarray,
        missing_go_to_left: np.ndarray | None = None,
        max_depth: int | None = None,
    ) -> Tree:
        """A tree from its node arrays (``value`` of shape (node_count, n_values) or
        (node_count, 1, n_values))."""
        tree = cls(n_features, n_classes)
        n = int(np.asarray(children_left).shape[0])
        tree.node_count = n
        tree.children_left = np.ascontiguousarray(children_left, dtype=np.int64)
        tree.children_right = np.ascontiguousarray(children_right, dtype=np.int64)
        tree.feature = np.ascontiguousarray(feature, dtype=np.int64)
        tree.threshold = np.ascontiguousarray(threshold, dtype=np.float64)
        tree.impurity = np.ascontiguousarray(impurity, dtype=np.float64)
        tree.n_node_samples = np.ascontiguousarray(n_node_samples, dtype=np.int64)
        tree.weighted_n_node_samples = np.ascontiguousarray(
            weighted_n_node_samples, dtype=np.float64
        )
        tree.value = np.ascontiguousarray(value, dtype=np.float64).reshape(n, 1, -1)
        tree.missing_go_to_left = (
            np.zeros(n, dtype=np.uint8)
            if missing_go_to_left is None
            else np.ascontiguousarray(missing_go_to_left, dtype=np.uint8)
        )
        tree.max_depth = int(tree._compute_depth() if max_depth is None else max_depth)
        return tree

    # --- derived quantities -----------------------------------------------------------

    @property
    def n_leaves(self) -> int:
        """Number of leaves."""
        return int(np.sum(self.children_left == TREE_LEAF))

    @property
    def capacity(self) -> int:
        return self.node_count

    def _compute_depth(self) -> int:
        if self.node_count == 0:
            return 0
        depth = np.zeros(self.node_count, dtype=np.int64)
        # Children always have larger ids than their parent in fastml's trees, but do
        # not rely on it: walk from the root.
        stack = [0]
        while stack:
            node = stack.pop()
            left = self.children_left[node]
            if left != TREE_LEAF:
                right = self.children_right[node]
                depth[left] = depth[node] + 1
                depth[right] = depth[node] + 1
                stack.append(int(left))
                stack.append(int(right))
        return int(depth.max())

    def flat(self) -> FlatTrees:
        """The flat prediction layout of this tree (computed once, cached)."""
        if self._flat is None:
            self._flat = flatten_trees([self])
        return self._flat

    def _check_X(self, X: Any) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float32)
        X = np.ascontiguousarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(
                f"X must have shape (n_samples, {self.n_features}), got {X.shape}."
            )
        return X

    # --- prediction ----------------------------------------------------------------------

    def apply(self, X: Any, n_threads: int = 1) -> np.ndarray:
        """Id of the leaf each row of X (float32 or float64) reaches, int64."""
        from fastml._parallel import run_chunks
        from fastml.kernels.tree.predict import apply_tree

        X = self._check_X(X)
        flat = self.flat()
        out = np.empty(X.shape[0], dtype=np.int64)

        def chunk(start: int, stop: int) -> None:
            # Serial walks on fastml's thread pool, rows split between the threads:
            # an OpenMP team waits for a descheduled member on a busy machine.
            apply_tree(
                X[start:stop],
                flat.feature,
                flat.threshold,
                flat.default_left,
                flat.left,
                flat.right,
                out[start:stop],
                1,
            )

        run_chunks(chunk, X.shape[0], max(1, min(int(n_threads), X.shape[0])))
        return out

    def predict(self, X: Any, n_threads: int = 1) -> np.ndarray:
        """``value`` row of the leaf each row reaches, shape (n_samples, n_values)
        (``value`` is read now, so leaf values rewritten after fit are used)."""
        X = self._check_X(X)
        values = np.asarray(self.value, dtype=np.float64).reshape(self.node_count, -1)
        if values.shape[1] > 1:
            # One tree: the leaf ids, then one gather of the value rows (cheaper
            # than adding vector rows in the kernel).
            return values.take(self.apply(X, n_threads=n_threads), axis=0)
        return predict_sum(self.flat(), X, values, n_threads=n_threads)

    def decision_path(self, X: Any) -> Any:
        """Indicator matrix (scipy CSR, (n_samples, node_count)) of the nodes each row
        goes through, root to leaf."""
        from scipy.sparse import csr_matrix

        X = self._check_X(X)
        n = X.shape[0]
        node = np.zeros(n, dtype=np.int64)
        rows_list = [np.arange(n)]
        nodes_list = [node.copy()]
        active = np.arange(n)
        while active.size:
            cur = node[active]
            internal = self.children_left[cur] != TREE_LEAF
            active = active[internal]
            cur = cur[internal]
            if not active.size:
                break
            x = X[active, self.feature[cur]]
            go_left = x <= self.threshold[cur]
            nan = np.isnan(x)
            if nan.any() and self.missing_go_to_left is not None:
                go_left = np.where(nan, self.missing_go_to_left[cur] != 0, go_left)
            nxt = np.where(go_left, self.children_left[cur], self.children_right[cur])
            node[active] = nxt
            rows_list.append(active.copy())
            nodes_list.append(nxt)
        rows = np.concatenate(rows_list)
        cols = np.concatenate(nodes_list)
        order = np.lexsort((cols, rows))
        rows = rows[order]
        cols = cols[order]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        data = np.ones(cols.shape[0], dtype=np.int64)
        return csr_matrix((data, cols, indptr), shape=(n, self.node_count))

    def compute_feature_importances(self, normalize: bool = True) -> np.ndarray:
        """Total weighted impurity decrease brought by each feature (divided by the
        root's weight; summing to 1 when ``normalize`` and the tree has a split)."""
        importances = np.zeros(self.n_features, dtype=np.float64)
        w = self.weighted_n_node_samples
        imp = self.impurity
        internal = np.flatnonzero(self.children_left != TREE_LEAF)
        left = self.children_left[internal]
        right = self.children_right[internal]
        decrease = (
            w[internal] * imp[internal] - w[left] * imp[left] - w[right] * imp[right]
        )
        # np.add.at accumulates in node order (the order of a loop over the nodes).
        np.add.at(importances, self.feature[internal], decrease)
        if self.node_count:
            importances /= w[0]
        if normalize:
            total = importances.sum()
            if total > 0.0:
                importances /= total
        return importances

    # --- persistence -------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_flat"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._flat = None

    def __repr__(self) -> str:
        return (
            f"Tree(node_count={self.node_count}, max_depth={self.max_depth}, "
            f"n_features={self.n_features}, n_classes={self.n_classes.tolist()})"
        )
