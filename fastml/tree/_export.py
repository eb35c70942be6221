"""Tree export: a text rendering of the rules and a matplotlib plot."""

from __future__ import annotations

from typing import Any

import numpy as np

from fastml.tree._structure import TREE_LEAF

__all__ = ["export_text", "plot_tree"]


def _fitted_tree(decision_tree: Any) -> Any:
    from fastml.utils.validation import check_is_fitted

    check_is_fitted(decision_tree)
    return decision_tree.tree_


def _feature_labels(tree: Any, feature_names: Any) -> list[str]:
    if feature_names is None:
        return [f"feature_{i}" for i in range(tree.n_features)]
    names = [str(n) for n in feature_names]
    if len(names) != tree.n_features:
        raise ValueError(
            f"feature_names must contain {tree.n_features} elements, got {len(names)}"
        )
    return names


def export_text(
    decision_tree: Any,
    *,
    feature_names: Any = None,
    class_names: Any = None,
    max_depth: int = 10,
    spacing: int = 3,
    decimals: int = 2,
    show_weights: bool = False,
) -> str:
    """The decision rules of a fitted tree as indented text.

    Parameters
    ----------
    decision_tree : fitted DecisionTreeClassifier or DecisionTreeRegressor
    feature_names : list of str, default=None
        Names of the features ("feature_<i>" by default).
    class_names : list of str, default=None
        Names of the classes (the estimator's ``classes_`` by default).
    max_depth : int, default=10
        Deeper branches are replaced by "truncated branch of depth d".
    spacing : int, default=3
        Width of one indentation level.
    decimals : int, default=2
        Decimals of thresholds and values.
    show_weights : bool, default=False
        Print the weighted class counts of each leaf (classifiers).

    Returns
    -------
    str
        One line per branch, e.g. ``|--- petal width <= 0.80``.

    Examples
    --------
    >>> from fastml.tree import DecisionTreeClassifier, export_text
    >>> clf = DecisionTreeClassifier().fit([[0.0], [1.0]], ["a", "b"])
    >>> print(export_text(clf, feature_names=["x"]))
    |--- x <= 0.50
    |   |--- class: a
    |--- x >  0.50
    |   |--- class: b
    <BLANKLINE>
    """
    tree = _fitted_tree(decision_tree)
    if max_depth < 0:
        raise ValueError(f"max_depth bust be >= 0, given {max_depth}")
    if spacing <= 0:
        raise ValueError(f"spacing must be > 0, given {spacing}")
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, given {decimals}")
    names = _feature_labels(tree, feature_names)
    is_classifier = hasattr(decision_tree, "classes_")
    if is_classifier:
        labels = (
            [str(c) for c in decision_tree.classes_]
            if class_names is None
            else [str(c) for c in class_names]
        )
        if len(labels) != decision_tree.n_classes_:
            raise ValueError(
                "When `class_names` is an array, it should contain as many items as "
                f"`decision_tree.classes_`. Got {len(labels)} while the tree was "
                f"fitted with {decision_tree.n_classes_} classes."
            )
    right_child_fmt = "{} {} <= {}\n"
    left_child_fmt = "{} {} >  {}\n"
    truncation_fmt = "{} {}\n"
    bar = "|" + "-" * spacing
    lines: list[str] = []

    def leaf_text(node: int) -> str:
        value = np.asarray(tree.value[node]).reshape(-1)
        if is_classifier:
            weights = value * tree.weighted_n_node_samples[node]
            cls = labels[int(np.argmax(value))]
            if show_weights:
                shown = ", ".join(f"{v:.{decimals}f}" for v in weights)
                return f"weights: [{shown}] class: {cls}"
            return f"class: {cls}"
        shown = ", ".join(f"{v:.{decimals}f}" for v in value)
        return f"value: [{shown}]"

    def subtree_depth(node: int) -> int:
        if tree.children_left[node] == TREE_LEAF:
            return 0
        return 1 + max(
            subtree_depth(int(tree.children_left[node])),
            subtree_depth(int(tree.children_right[node])),
        )

    def recurse(node: int, depth: int) -> None:
        indent = ("|" + " " * spacing) * depth + bar
        if tree.children_left[node] == TREE_LEAF:
            lines.append(f"{indent} {leaf_text(node)}\n")
            return
        if depth > max_depth:
            lines.append(
                truncation_fmt.format(
                    indent, f"truncated branch of depth {subtree_depth(node)}"
                )
            )
            return
        name = names[int(tree.feature[node])]
        thr = f"{tree.threshold[node]:.{decimals}f}"
        lines.append(right_child_fmt.format(indent, name, thr))
        recurse(int(tree.children_left[node]), depth + 1)
        lines.append(left_child_fmt.format(indent, name, thr))
        recurse(int(tree.children_right[node]), depth + 1)

    recurse(0, 0)
    return "".join(lines)


def plot_tree(
    decision_tree: Any,
    *,
    max_depth: int | None = None,
    feature_names: Any = None,
    class_names: Any = None,
    precision: int = 3,
    fontsize: float | None = None,
    ax: Any = None,
) -> list[Any]:
    """Draw a fitted tree with matplotlib (imported here, not by fastml).

    Each node is a box with its split rule (internal nodes), impurity, sample count
    and value (class fractions and predicted class, or the regression value);
    leaves are placed left to right in tree order, each parent centred above its
    children.

    Parameters
    ----------
    decision_tree : fitted DecisionTreeClassifier or DecisionTreeRegressor
    max_depth : int, default=None
        Draw the nodes down to this depth only.
    feature_names, class_names : list of str, default=None
    precision : int, default=3
        Decimals of the numbers shown.
    fontsize : float, default=None
    ax : matplotlib Axes, default=None
        Where to draw (the current Axes by default).

    Returns
    -------
    list of matplotlib.text.Annotation
        One annotation per node drawn (the boxes), in preorder.
    """
    import matplotlib.pyplot as plt

    tree = _fitted_tree(decision_tree)
    names = _feature_labels(tree, feature_names)
    is_classifier = hasattr(decision_tree, "classes_")
    labels = None
    if is_classifier:
        labels = (
            [str(c) for c in decision_tree.classes_]
            if class_names is None
            else [str(c) for c in class_names]
        )
    limit = tree.max_depth if max_depth is None else int(max_depth)
    if ax is None:
        ax = plt.gca()
    # Layout: x from an in-order leaf counter, y from the depth.
    pos: dict[int, tuple[float, int]] = {}
    counter = [0.0]

    def layout(node: int, depth: int) -> float:
        left = int(tree.children_left[node])
        if left == TREE_LEAF or depth >= limit:
            x = counter[0]
            counter[0] += 1.0
        else:
            xl = layout(left, depth + 1)
            xr = layout(int(tree.children_right[node]), depth + 1)
            x = (xl + xr) / 2.0
        pos[node] = (x, depth)
        return x

    layout(0, 0)
    width = max(counter[0], 1.0)
    height = max(limit, 1)

    def label(node: int) -> str:
        parts = []
        if tree.children_left[node] != TREE_LEAF:
            parts.append(
                f"{names[int(tree.feature[node])]} <= "
                f"{round(float(tree.threshold[node]), precision)}"
            )
        parts.append(f"impurity = {round(float(tree.impurity[node]), precision)}")
        parts.append(f"samples = {int(tree.n_node_samples[node])}")
        value = np.asarray(tree.value[node]).reshape(-1)
        shown = ", ".join(str(round(float(v), precision)) for v in value)
        parts.append(f"value = [{shown}]")
        if labels is not None:
            parts.append(f"class = {labels[int(np.argmax(value))]}")
        return "\n".join(parts)

    annotations = []
    ax.set_axis_off()
    order = sorted(pos)
    for node in order:
        x, depth = pos[node]
        xy = ((x + 0.5) / width, 1.0 - (depth + 0.5) / (height + 1))
        kwargs: dict[str, Any] = {
            "ha": "center",
            "va": "center",
            "bbox": {"boxstyle": "round", "fc": "white", "ec": "black"},
            "xycoords": "axes fraction",
        }
        if fontsize is not None:
            kwargs["fontsize"] = fontsize
        parent_xy = None
        for parent in order:
            if (
                tree.children_left[parent] == node
                or tree.children_right[parent] == node
            ):
                px, pd = pos[parent]
                parent_xy = ((px + 0.5) / width, 1.0 - (pd + 0.5) / (height + 1))
                break
        if parent_xy is not None:
            kwargs["arrowprops"] = {"arrowstyle": "<-"}
            annotations.append(
                ax.annotate(
                    label(node),
                    xy=parent_xy,
                    xytext=xy,
                    textcoords="axes fraction",
                    **kwargs,
                )
            )
        else:
            annotations.append(ax.annotate(label(node), xy=xy, **kwargs))
    return annotations
