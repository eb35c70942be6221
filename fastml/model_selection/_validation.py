"""Cross-validated evaluation: ``cross_validate`` and ``cross_val_score``.

Folds run in a thread pool when ``n_jobs > 1``, not in worker processes:

- fastml's compiled kernels release the GIL (Numba ``nogil=True``, Cython ``nogil``),
  and NumPy/scikit-learn release it in their heavy loops, so threads do run folds
  in parallel;
- Numba's default threading layer here is GNU OpenMP, which is not fork-safe: a
  forked worker process dies at its first parallel kernel, so a process pool
  (fork start method) would crash, and spawn would re-import and re-compile
  everything per worker;
- threads share X and y without copying or pickling them.

Each fold fits its own clone (:func:`fastml.base.clone`, which only uses
``get_params`` and so clones scikit-learn estimators too), the folds are collected
in split order and warnings about failed folds are emitted from the calling thread in
that order, so results are identical for any ``n_jobs``. Estimators that are
themselves multi-threaded compete with the fold threads for the cores: on a small
machine use either ``n_jobs`` here or the estimator's own, not both.
"""

from __future__ import annotations

import logging
import numbers
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from fastml._config import resolve_n_jobs
from fastml.base import clone
from fastml.exceptions import FitFailedWarning, InvalidParameterError
from fastml.model_selection._scorer import (
    _check_multimetric_scoring,
    _check_scoring,
)
from fastml.model_selection._split import _indexable, _safe_indexing, check_cv
from fastml.utils.validation import num_samples

__all__ = ["cross_validate", "cross_val_score"]

_logger = logging.getLogger("fastml.model_selection")


def _is_classifier(estimator: Any) -> bool:
    """Classifier test that also works for scikit-learn >= 1.6 estimators (tags)."""
    kind = getattr(estimator, "_estimator_type", None)
    if kind is not None:
        return kind == "classifier"
    get_tags = getattr(estimator, "__sklearn_tags__", None)
    if get_tags is not None:
        try:
            return get_tags().estimator_type == "classifier"
        except Exception:  # tags are optional metadata
            return False
    return False


def _is_arraylike_not_scalar(x: Any) -> bool:
    if isinstance(x, (str, bytes)) or np.isscalar(x):
        return False
    return hasattr(x, "__len__") or hasattr(x, "shape") or hasattr(x, "__array__")


def _fold_params(params: dict[str, Any], idx: np.ndarray, n_samples: int) -> dict:
    """Per-sample parameters (e.g. sample_weight) restricted to the fold's rows."""
    out = {}
    for name, value in params.items():
        if _is_arraylike_not_scalar(value) and num_samples(value) == n_samples:
            out[name] = _safe_indexing(value, idx)
        else:
            out[name] = value
    return out


def _as_number(value: Any, scorer: Any) -> Any:
    if hasattr(value, "item"):
        try:
            value = value.item()
        except ValueError:
            pass
    if not isinstance(value, numbers.Number):
        raise ValueError(
            f"scoring must return a number, got {value!s} ({type(value)}) instead. "
            f"(scorer={scorer})"
        )
    return value


def _score(
    estimator: Any,
    X: Any,
    y: Any,
    scorer: Callable[..., Any] | dict[str, Callable[..., Any]],
    error_score: Any,
    messages: list[str],
) -> Any:
    """Score with one scorer or a dict of scorers; failures give ``error_score``."""
    if isinstance(scorer, dict):
        return {
            name: _score(estimator, X, y, s, error_score, messages)
            for name, s in scorer.items()
        }
    try:
        value = scorer(estimator, X) if y is None else scorer(estimator, X, y)
    except Exception:
        if error_score == "raise":
            raise
        messages.append(
            "Scoring failed. The score on this train-test partition for these "
            f"parameters will be set to {error_score}. Details: \n"
            f"{traceback.format_exc()}"
        )
        return error_score
    if isinstance(value, dict):
        return {name: _as_number(v, scorer) for name, v in value.items()}
    return _as_number(value, scorer)


def _fit_and_score(
    estimator: Any,
    X: Any,
    y: Any,
    scorer: Any,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    params: dict[str, Any],
    return_train_score: bool,
    error_score: Any,
) -> dict[str, Any]:
    """Fit ``estimator`` (already a clone) on one split and score it."""
    n_samples = num_samples(X)
    X_train, X_test = _safe_indexing(X, train_idx), _safe_indexing(X, test_idx)
    y_train, y_test = _safe_indexing(y, train_idx), _safe_indexing(y, test_idx)
    fold_params = _fold_params(params, train_idx, n_samples)
    messages: list[str] = []
    out: dict[str, Any] = {"estimator": estimator, "messages": messages}
    start = time.perf_counter()
    try:
        if y_train is None:
            estimator.fit(X_train, **fold_params)
        else:
            estimator.fit(X_train, y_train, **fold_params)
    except Exception:
        if error_score == "raise":
            raise
        out.update(
            fit_error=traceback.format_exc(),
            fit_time=time.perf_counter() - start,
            score_time=0.0,
            test_scores=None,
            train_scores=None,
        )
        return out
    fit_time = time.perf_counter() - start
    out["test_scores"] = _score(
        estimator, X_test, y_test, scorer, error_score, messages
    )
    score_time = time.perf_counter() - start - fit_time
    if return_train_score:
        out["train_scores"] = _score(
            estimator, X_train, y_train, scorer, error_score, messages
        )
    out.update(fit_error=None, fit_time=fit_time, score_time=score_time)
    return out


def _check_estimator(estimator: Any, caller: str) -> None:
    if not hasattr(estimator, "fit"):
        raise InvalidParameterError(
            f"The 'estimator' parameter of {caller} must be an object implementing "
            f"'fit'. Got {estimator!r} instead."
        )


def _check_error_score(error_score: Any, caller: str) -> None:
    if isinstance(error_score, str):
        if error_score == "raise":
            return
    elif isinstance(error_score, numbers.Real) and not isinstance(error_score, bool):
        return
    raise InvalidParameterError(
        f"The 'error_score' parameter of {caller} must be a str among {{'raise'}} or "
        f"an instance of 'float'. Got {error_score!r} instead."
    )


def _report_fit_failures(results: list[dict[str, Any]], error_score: Any) -> None:
    errors = [r["fit_error"] for r in results if r["fit_error"] is not None]
    if not errors:
        return
    summary = "".join(
        f"\n{'-' * 80}\n{count} fits failed with the following error:\n{text}"
        for text, count in Counter(errors).items()
    )
    if len(errors) == len(results):
        raise ValueError(
            f"\nAll the {len(results)} fits failed.\nIt is very likely that your "
            "model is misconfigured.\nYou can try to debug the error by setting "
            f"error_score='raise'.\n\nBelow are more details about the failures:"
            f"{summary}"
        )
    warnings.warn(
        f"\n{len(errors)} fits failed out of a total of {len(results)}.\nThe score "
        f"on these train-test partitions for these parameters will be set to "
        f"{error_score}.\nIf these failures are not expected, you can try to debug "
        "them by setting error_score='raise'.\n\nBelow are more details about the "
        f"failures:{summary}",
        FitFailedWarning,
        stacklevel=3,
    )


def _normalize_scores(
    results: list[dict[str, Any]], key: str, error_score: Any
) -> list:
    """Per-fold score dicts; failed fits get ``error_score`` under every metric name."""
    template = next(
        r[key] for r in results if r["fit_error"] is None and r.get(key) is not None
    )
    names = list(template) if isinstance(template, dict) else None
    out = []
    for r in results:
        value = r.get(key)
        if value is None:
            value = dict.fromkeys(names, error_score) if names else error_score
        out.append(value if isinstance(value, dict) else {"score": value})
    return out


def cross_validate(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    scoring: Any = None,
    cv: Any = None,
    n_jobs: int | None = None,
    verbose: int = 0,
    params: dict[str, Any] | None = None,
    fit_params: dict[str, Any] | None = None,
    pre_dispatch: Any = "2*n_jobs",
    return_train_score: bool = False,
    return_estimator: bool = False,
    return_indices: bool = False,
    error_score: Any = np.nan,
) -> dict[str, Any]:
    """Fit and score an estimator on every cross-validation split.

    Parameters
    ----------
    estimator : estimator
        Object with ``fit``; cloned (unfitted copy) for every split. fastml and
        scikit-learn estimators both work.
    X : array-like of shape (n_samples, n_features)
        Data: ndarray, list, DataFrame (rows taken with ``iloc``) or sparse matrix.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Target; None for unsupervised estimators.
    groups : array-like of shape (n_samples,), default=None
        Passed to the splitter's ``split``.
    scoring : str, callable, list, tuple, set, dict or None, default=None
        None uses ``estimator.score``; a string names a predefined scorer
        (see :func:`get_scorer_names`, e.g. "accuracy", "r2", "roc_auc",
        "neg_log_loss"); a callable has the signature ``scorer(estimator, X, y)``
        and returns a number (or a dict of numbers for several metrics); a
        list/tuple/set of names or a ``{name: scorer}`` dict evaluates several
        metrics at once.
    cv : int, splitter, iterable of (train, test) or None, default=None
        None means 5 folds; see :func:`check_cv` (stratified for classifiers).
    n_jobs : int or None, default=None
        Number of threads running folds (None: 1, -1: all CPUs). Threads, not
        processes: see the module notes. Results do not depend on it.
    verbose : int, default=0
        > 0 logs one line per fold to the "fastml.model_selection" logger.
    params : dict, default=None
        Extra arguments of ``estimator.fit``; array-likes of length n_samples (e.g.
        ``sample_weight``) are restricted to the training rows of each split.
    fit_params : dict, default=None
        Older name of ``params``; give at most one of the two.
    pre_dispatch : object, default="2*n_jobs"
        Accepted for compatibility and ignored: threads share the data, so there is
        nothing to pre-dispatch.
    return_train_score : bool, default=False
        Also score each fitted estimator on its training rows.
    return_estimator : bool, default=False
        Include the fitted estimators.
    return_indices : bool, default=False
        Include the train and test indices of every split.
    error_score : "raise" or float, default=np.nan
        Value given to a split whose fit or scoring raised; "raise" re-raises.
        Failed fits are reported in one FitFailedWarning; if every fit fails a
        ValueError is raised.

    Returns
    -------
    dict
        ``fit_time``, ``score_time`` (ndarray of shape (n_splits,)), optionally
        ``estimator`` (list) and ``indices`` ({"train": [...], "test": [...]}),
        then ``test_score`` (single metric) or ``test_<name>`` per metric, and the
        ``train_*`` counterparts when ``return_train_score``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.model_selection import cross_validate
    >>> class Mean:
    ...     def get_params(self, deep=True):
    ...         return {}
    ...     def fit(self, X, y):
    ...         self.mean_ = float(np.mean(y))
    ...         return self
    ...     def score(self, X, y):
    ...         return -float(np.mean((np.asarray(y) - self.mean_) ** 2))
    >>> X, y = np.zeros((6, 1)), np.array([1.0, 1.0, 2.0, 2.0, 3.0, 3.0])
    >>> cross_validate(Mean(), X, y, cv=3)["test_score"]
    array([-2.25, -0.  , -2.25])
    """
    _check_estimator(estimator, "cross_validate")
    _check_error_score(error_score, "cross_validate")
    if params is not None and fit_params is not None:
        raise ValueError("Pass fit parameters as params or fit_params, not both.")
    fold_params = dict(params if params is not None else fit_params or {})
    n_threads = resolve_n_jobs(n_jobs)

    X, y, groups = _indexable(X, y, groups)
    splitter = check_cv(cv, y, classifier=_is_classifier(estimator))

    multimetric = isinstance(scoring, (list, tuple, set, dict))
    scorer: Any = (
        _check_multimetric_scoring(scoring)
        if multimetric
        else _check_scoring(estimator, scoring)
    )

    splits = [
        (np.asarray(train_idx), np.asarray(test_idx))
        for train_idx, test_idx in splitter.split(X, y, groups)
    ]
    clones = [clone(estimator) for _ in splits]

    def run(i: int) -> dict[str, Any]:
        train_idx, test_idx = splits[i]
        result = _fit_and_score(
            clones[i],
            X,
            y,
            scorer,
            train_idx,
            test_idx,
            fold_params,
            return_train_score,
            error_score,
        )
        if verbose > 0:
            _logger.info(
                "[CV] fold %d/%d: fit_time=%.3fs score_time=%.3fs test=%s",
                i + 1,
                len(splits),
                result["fit_time"],
                result["score_time"],
                result["test_scores"],
            )
        return result

    n_workers = min(n_threads, len(splits))
    if n_workers <= 1:
        results = [run(i) for i in range(len(splits))]
    else:
        with ThreadPoolExecutor(
            max_workers=n_workers, thread_name_prefix="fastml-cv"
        ) as pool:
            futures = [pool.submit(run, i) for i in range(len(splits))]
            try:
                results = [f.result() for f in futures]
            except BaseException:
                for f in futures:
                    f.cancel()
                raise

    _report_fit_failures(results, error_score)
    for r in results:
        for message in r["messages"]:
            warnings.warn(message, UserWarning, stacklevel=2)

    out: dict[str, Any] = {
        "fit_time": np.array([r["fit_time"] for r in results]),
        "score_time": np.array([r["score_time"] for r in results]),
    }
    if return_estimator:
        out["estimator"] = [r["estimator"] for r in results]
    if return_indices:
        out["indices"] = {
            "train": [train_idx for train_idx, _ in splits],
            "test": [test_idx for _, test_idx in splits],
        }
    test_scores = _normalize_scores(results, "test_scores", error_score)
    for name in test_scores[0]:
        out[f"test_{name}"] = np.array([s[name] for s in test_scores])
    if return_train_score:
        train_scores = _normalize_scores(results, "train_scores", error_score)
        for name in train_scores[0]:
            out[f"train_{name}"] = np.array([s[name] for s in train_scores])
    return out


def cross_val_score(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    scoring: Any = None,
    cv: Any = None,
    n_jobs: int | None = None,
    verbose: int = 0,
    params: dict[str, Any] | None = None,
    fit_params: dict[str, Any] | None = None,
    pre_dispatch: Any = "2*n_jobs",
    error_score: Any = np.nan,
) -> np.ndarray:
    """Score of an estimator on each cross-validation split.

    Parameters
    ----------
    estimator : estimator
        Object with ``fit``; cloned for every split.
    X : array-like of shape (n_samples, n_features)
        Data.
    y : array-like of shape (n_samples,), default=None
        Target.
    groups : array-like of shape (n_samples,), default=None
        Passed to the splitter's ``split``.
    scoring : str, callable or None, default=None
        One metric: a predefined scorer name, ``scorer(estimator, X, y)`` or None
        (``estimator.score``). Use :func:`cross_validate` for several.
    cv : int, splitter, iterable of (train, test) or None, default=None
        None means 5 folds (stratified for classifiers).
    n_jobs : int or None, default=None
        Threads running folds; results do not depend on it.
    verbose : int, default=0
        > 0 logs one line per fold.
    params, fit_params : dict, default=None
        Extra arguments of ``estimator.fit`` (at most one of the two).
    pre_dispatch : object, default="2*n_jobs"
        Ignored (compatibility).
    error_score : "raise" or float, default=np.nan
        Score of a split whose fit or scoring raised; "raise" re-raises.

    Returns
    -------
    ndarray of shape (n_splits,)
        The test score of each split, in split order.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.model_selection import KFold, cross_val_score
    >>> class Mean:
    ...     def get_params(self, deep=True):
    ...         return {}
    ...     def fit(self, X, y):
    ...         self.mean_ = float(np.mean(y))
    ...         return self
    ...     def predict(self, X):
    ...         return np.full(len(X), self.mean_)
    >>> X, y = np.zeros((4, 1)), np.array([1.0, 1.0, 3.0, 3.0])
    >>> def neg_max_abs_error(estimator, X, y):
    ...     return -float(np.max(np.abs(y - estimator.predict(X))))
    >>> cross_val_score(Mean(), X, y, cv=KFold(2), scoring=neg_max_abs_error)
    array([-2., -2.])
    """
    _check_estimator(estimator, "cross_val_score")
    _check_error_score(error_score, "cross_val_score")
    scorer = _check_scoring(estimator, scoring)
    results = cross_validate(
        estimator,
        X,
        y,
        groups=groups,
        scoring=scorer,
        cv=cv,
        n_jobs=n_jobs,
        verbose=verbose,
        params=params,
        fit_params=fit_params,
        pre_dispatch=pre_dispatch,
        error_score=error_score,
    )
    return results["test_score"]
