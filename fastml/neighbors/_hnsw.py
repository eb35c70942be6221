"""HNSW approximate nearest-neighbour search with hnswlib's Python API.

:class:`Index` implements the hierarchical navigable small world graph of Malkov &
Yashunin (2018, "Efficient and robust approximate nearest neighbor search using
Hierarchical Navigable Small World graphs"): node levels drawn with
``mL = 1 / ln(M)``, at most ``M`` links per node on the upper layers and ``2M`` on
layer 0, candidates found with a beam of ``ef_construction``, neighbours chosen with
the selection heuristic, queries descending greedily through the upper layers and
searching layer 0 with a beam of ``ef``. The compiled kernels are in
``fastml.kernels.neighbors.hnsw``; the file format in ``_hnsw_io``.

Node levels are drawn exactly as hnswlib draws them for the same ``random_seed``
(its ``minstd_rand0`` generator, see :func:`_draw_levels`), so the two libraries
build graphs with the same hierarchy and recall seed for seed (the batched
insertion below makes the links differ a little).

Differences from hnswlib, all on purpose:

- construction is batched (each batch searches the graph built by the earlier
  batches, and the earlier points of its own batch by brute force, in parallel;
  links are then added in a fixed order), so the graph is identical for any number
  of threads;
- ``add_items`` is all-or-nothing (hnswlib adds up to the capacity, then raises), and
  ``init_index(..., auto_resize=True)`` grows the capacity instead of raising;
- NaN/inf vectors, queries of the wrong width and use before ``init_index`` raise
  (hnswlib accepts NaN, reads out of bounds or crashes);
- ``knn_query`` also takes an id array or a boolean mask indexed by label as
  ``filter`` (no Python call per candidate; very selective filters use an exact
  scan), and ``pad_missing=True`` pads short rows with label -1 and distance inf.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from fastml._config import cpu_count
from fastml.neighbors import _hnsw_io
from fastml.neighbors._hnsw_levels import _draw_levels

__all__ = ["Index"]

_SPACES = {"l2": 0, "ip": 1, "cosine": 1}
# Points inserted per batch: each batch is searched in parallel against the graph
# of the earlier batches (see the module docstring). Fixed, never the thread count.
_BATCH = 256
_NOT_ENOUGH = (
    "Cannot return the results in a contiguous 2D array. Probably ef or M is too small"
)


_KERNELS: Any = None


def _kernels() -> Any:
    """The compiled kernels, imported on first use (``import fastml`` stays light)."""
    global _KERNELS
    if _KERNELS is None:
        from fastml.kernels.neighbors import hnsw

        _KERNELS = hnsw
    return _KERNELS


def _as_vectors(data: Any, dim: int, copy: bool) -> np.ndarray:
    """float32 C-contiguous (n, dim); a 1-D input is one vector.

    ``copy=True`` always returns a new array (it is normalised in place for
    "cosine"); otherwise a float32 C-contiguous input is used as it is (read
    only): a large ``add_items`` then holds no second copy of the data.
    """
    arr = np.asarray(data)
    if arr.dtype.kind not in "fiub" and arr.dtype != object:
        raise ValueError(f"Vectors must be numeric, got dtype {arr.dtype}.")
    if copy or arr.dtype != np.float32 or not arr.flags.c_contiguous:
        arr = np.array(arr, dtype=np.float32, order="C", copy=True if copy else None)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1) if arr.size else arr.reshape(0, dim)
    if arr.ndim != 2 or arr.shape[1] != dim:
        raise RuntimeError("Wrong dimensionality of the vectors")
    # In row blocks: a full-size boolean temporary would cost n * dim bytes.
    for start in range(0, arr.shape[0], 16384):
        block = arr if arr.shape[0] <= 16384 else arr[start : start + 16384]
        if not np.isfinite(block).all():
            raise ValueError("Input contains NaN or infinity.")
    return arr


def _normalize(arr: np.ndarray) -> None:
    norms = np.sqrt(np.einsum("ij,ij->i", arr, arr, dtype=np.float64))
    arr /= (norms + 1e-30).astype(np.float32)[:, None]


class Index:
    """An HNSW index with hnswlib's Python API.

    Parameters
    ----------
    space : {"l2", "ip", "cosine"}
        Distance: squared Euclidean, 1 - inner product, or 1 - cosine similarity
        (vectors are normalised when added and queried).
    dim : int
        Dimension of the vectors.

    Examples
    --------
    >>> import numpy as np
    >>> from fastml.neighbors import Index
    >>> X = np.random.default_rng(0).standard_normal((500, 8)).astype(np.float32)
    >>> index = Index(space="l2", dim=8)
    >>> index.init_index(max_elements=500, M=16, ef_construction=100)
    >>> index.add_items(X)
    >>> labels, distances = index.knn_query(X[:2], k=3)
    >>> labels[:, 0].tolist(), labels.dtype.name, distances.dtype.name
    ([0, 1], 'uint64', 'float32')
    """

    def __init__(self, space: str, dim: int) -> None:
        if space not in _SPACES:
            raise RuntimeError("Space name must be one of l2, ip, or cosine.")
        if isinstance(dim, bool) or int(dim) != dim or dim < 1:
            raise ValueError(f"dim must be a positive integer, got {dim!r}.")
        self._space = space
        self._dim = int(dim)
        self._lock = threading.RLock()
        self._num_threads = cpu_count()
        self._ef = 10
        self._reset(0, 0, 0, 100, False, False)
        self._initialized = False

    # ------------------------------------------------------------------ state
    def _reset(
        self,
        capacity: int,
        m: int,
        ef_construction: int,
        random_seed: int,
        allow_replace_deleted: bool,
        auto_resize: bool,
    ) -> None:
        self._M = m
        self._ef_construction = ef_construction
        self._random_seed = random_seed
        self._allow_replace_deleted = allow_replace_deleted
        self._auto_resize = auto_resize
        self._count = 0
        self._n_inserted = 0
        self._entry = -1
        self._max_level = -1
        self._n_upper_rows = 0
        self._n_deleted = 0
        self._data = np.zeros((capacity, self._dim), dtype=np.float32)
        self._links0 = np.zeros((capacity, 2 * m + 1), dtype=np.int32)
        self._levels = np.zeros(capacity, dtype=np.int32)
        self._upper_off = np.full(capacity, -1, dtype=np.int64)
        expected_rows = int(capacity / max(m - 1, 1) * 1.2) + 16 if m else 0
        self._upper = np.zeros((expected_rows, m + 1), dtype=np.int32)
        self._labels = np.zeros(capacity, dtype=np.uint64)
        self._deleted = np.zeros(capacity, dtype=np.uint8)
        self._sorted_labels = np.zeros(0, dtype=np.uint64)
        self._sorted_idx = np.zeros(0, dtype=np.int32)
        self._visited_pool: list[np.ndarray] = []

    def _require_init(self) -> None:
        if not self._initialized:
            raise RuntimeError(
                "Index is not initialized: call init_index or load_index first."
            )

    def _resolve_threads(self, num_threads: int) -> int:
        if num_threads is None or num_threads <= 0:
            return max(1, self._num_threads)
        return int(num_threads)

    def _take_visited(self, n_threads: int) -> np.ndarray:
        width = self._data.shape[0] + 1
        with self._lock:
            for i, arr in enumerate(self._visited_pool):
                if arr.shape[0] >= n_threads and arr.shape[1] == width:
                    return self._visited_pool.pop(i)
        return np.zeros((n_threads, width), dtype=np.uint16)

    def _give_visited(self, arr: np.ndarray) -> None:
        with self._lock:
            if arr.shape[1] == self._data.shape[0] + 1 and len(self._visited_pool) < 4:
                self._visited_pool.append(arr)

    def _rebuild_lookup(self) -> None:
        labels = self._labels[: self._count]
        order = np.argsort(labels, kind="stable").astype(np.int32)
        self._sorted_labels = labels[order]
        self._sorted_idx = order

    def _lookup(self, labels: np.ndarray) -> np.ndarray:
        """Internal ids of ``labels`` (uint64), -1 where absent."""
        pos = np.searchsorted(self._sorted_labels, labels)
        pos = np.minimum(pos, max(self._count - 1, 0))
        found = self._count > 0 and True
        out = np.full(labels.shape, -1, dtype=np.int64)
        if found:
            hit = self._sorted_labels[pos] == labels
            out[hit] = self._sorted_idx[pos[hit]]
        return out

    def _lookup_one(self, label: Any) -> int:
        lab = np.asarray([label]).astype(np.uint64)
        if int(label) < 0:
            raise RuntimeError("Label not found")
        return int(self._lookup(lab)[0])

    # --------------------------------------------------------- hnswlib's API
    def init_index(
        self,
        max_elements: int,
        M: int = 16,
        ef_construction: int = 200,
        random_seed: int = 100,
        allow_replace_deleted: bool = False,
        *,
        auto_resize: bool = False,
    ) -> None:
        """Allocate an empty index for ``max_elements`` vectors.

        Parameters
        ----------
        max_elements : int
            Capacity (see ``resize_index`` and ``auto_resize``).
        M : int, default=16
            Links per node on the upper layers (2M on layer 0).
        ef_construction : int, default=200
            Beam width of the searches made while inserting.
        random_seed : int, default=100
            Seed of the level draws.
        allow_replace_deleted : bool, default=False
            Allow ``add_items(..., replace_deleted=True)`` to reuse deleted slots.
        auto_resize : bool, default=False
            fastml extension: grow the capacity (doubling) instead of raising when
            ``add_items`` goes past it.
        """
        for name, value, low in (
            ("max_elements", max_elements, 0),
            ("M", M, 2),
            ("ef_construction", ef_construction, 1),
        ):
            if isinstance(value, bool) or int(value) != value or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
        if int(max_elements) >= 2**31 - 1:
            raise ValueError("max_elements must be below 2**31 - 1.")
        with self._lock:
            self._reset(
                int(max_elements),
                int(M),
                int(ef_construction),
                int(random_seed),
                bool(allow_replace_deleted),
                bool(auto_resize),
            )
            self._ef = 10
            self._initialized = True

    def resize_index(self, new_size: int) -> None:
        """Change the capacity to ``new_size`` (at least the current count)."""
        self._require_init()
        new_size = int(new_size)
        with self._lock:
            if new_size < self._count:
                raise RuntimeError(
                    "Cannot resize, max element is less than the current number of "
                    "elements"
                )
            if new_size >= 2**31 - 1:
                raise ValueError("max_elements must be below 2**31 - 1.")
            n = self._count

            def grown(arr: np.ndarray, fill: Any = 0) -> np.ndarray:
                out = np.full((new_size, *arr.shape[1:]), fill, dtype=arr.dtype)
                out[:n] = arr[:n]
                return out

            self._data = grown(self._data)
            self._links0 = grown(self._links0)
            self._levels = grown(self._levels)
            self._upper_off = grown(self._upper_off, -1)
            self._labels = grown(self._labels)
            self._deleted = grown(self._deleted)
            self._visited_pool = []

    def set_ef(self, ef: int) -> None:
        """Set the beam width of queries (``max(ef, k)`` is used)."""
        self.ef = ef

    @property
    def ef(self) -> int:
        """Beam width of queries."""
        return self._ef

    @ef.setter
    def ef(self, value: int) -> None:
        if isinstance(value, bool) or int(value) != value or value < 0:
            raise ValueError(f"ef must be a non-negative integer, got {value!r}.")
        self._ef = int(value)

    def set_num_threads(self, num_threads: int) -> None:
        """Default number of threads of ``add_items`` and ``knn_query``."""
        self.num_threads = num_threads

    @property
    def num_threads(self) -> int:
        """Default number of threads of ``add_items`` and ``knn_query``."""
        return self._num_threads

    @num_threads.setter
    def num_threads(self, value: int) -> None:
        value = int(value)
        self._num_threads = value if value > 0 else cpu_count()

    @property
    def space(self) -> str:
        """The distance: "l2", "ip" or "cosine"."""
        return self._space

    @property
    def dim(self) -> int:
        """Dimension of the vectors."""
        return self._dim

    @property
    def M(self) -> int:
        """Links per node on the upper layers."""
        return self._M

    @property
    def ef_construction(self) -> int:
        """Beam width of the searches made while inserting."""
        return self._ef_construction

    @property
    def max_elements(self) -> int:
        """Capacity."""
        return int(self._data.shape[0]) if self._initialized else 0

    @property
    def element_count(self) -> int:
        """Number of stored elements (deleted ones included, as in hnswlib)."""
        return self._count

    @property
    def auto_resize(self) -> bool:
        """Whether ``add_items`` grows the capacity instead of raising."""
        return self._auto_resize

    def get_max_elements(self) -> int:
        """Capacity."""
        return self.max_elements

    def get_current_count(self) -> int:
        """Number of stored elements (deleted ones included)."""
        return self._count

    def get_ids_list(self) -> list[int]:
        """Labels of all stored elements (deleted ones included)."""
        return [int(v) for v in self._labels[: self._count]]

    def get_items(self, ids: Any = None, return_type: str = "numpy") -> Any:
        """Stored vectors of the labels ``ids`` (normalised for "cosine").

        Returns an ndarray of shape (len(ids), dim) float32, or a list of lists
        when ``return_type="list"``. A deleted or unknown label raises
        RuntimeError("Label not found").
        """
        self._require_init()
        if return_type not in ("numpy", "list"):
            raise ValueError("return_type should be 'numpy' or 'list'")
        if ids is None:
            labels = np.zeros(0, dtype=np.int64)
        else:
            labels = np.atleast_1d(np.asarray(ids))
        if labels.size and (labels.dtype.kind not in "iu" or labels.min() < 0):
            raise RuntimeError("Label not found")
        idx = self._lookup(labels.astype(np.uint64))
        if np.any(idx < 0) or np.any(self._deleted[idx[idx >= 0]]):
            raise RuntimeError("Label not found")
        out = self._data[idx] if labels.size else np.zeros(0, dtype=np.float32)
        return out.tolist() if return_type == "list" else out

    def mark_deleted(self, label: int) -> None:
        """Hide ``label`` from query results (it still routes searches)."""
        self._require_init()
        with self._lock:
            idx = self._lookup_one(label)
            if idx < 0:
                raise RuntimeError("Label not found")
            if self._deleted[idx]:
                raise RuntimeError("The requested to delete element is already deleted")
            self._deleted[idx] = 1
            self._n_deleted += 1

    def unmark_deleted(self, label: int) -> None:
        """Make a deleted ``label`` visible again."""
        self._require_init()
        with self._lock:
            idx = self._lookup_one(label)
            if idx < 0:
                raise RuntimeError("Label not found")
            if not self._deleted[idx]:
                raise RuntimeError("The requested to undelete element is not deleted")
            self._deleted[idx] = 0
            self._n_deleted -= 1

    # ------------------------------------------------------------- insertion
    def add_items(
        self,
        data: Any,
        ids: Any = None,
        num_threads: int = -1,
        replace_deleted: bool = False,
    ) -> None:
        """Insert vectors, or update the vectors of labels already present.

        Parameters
        ----------
        data : array-like of shape (n, dim) or (dim,)
            The vectors (converted to float32).
        ids : array-like of int of shape (n,) or int, default=None
            Labels (non-negative, < 2**64); default ``count .. count + n - 1``.
            A label present already is updated (and undeleted); a label repeated
            within ``ids`` keeps its last vector.
        num_threads : int, default=-1
            Threads; -1 uses ``num_threads``. The graph does not depend on it.
        replace_deleted : bool, default=False
            Put new labels into the slots of deleted elements first (requires
            ``allow_replace_deleted=True`` in ``init_index``).
        """
        self._require_init()
        if replace_deleted and not self._allow_replace_deleted:
            raise RuntimeError(
                "Replacement of deleted elements is disabled in constructor"
            )
        vectors = _as_vectors(data, self._dim, copy=self._space == "cosine")
        n = vectors.shape[0]
        if ids is None:
            labels = np.arange(self._count, self._count + n, dtype=np.uint64)
        else:
            raw = np.atleast_1d(np.asarray(ids))
            if raw.ndim != 1 or (raw.size and raw.dtype.kind not in "iu"):
                raise ValueError("ids must be a 1-D array of non-negative integers.")
            if raw.size and raw.dtype.kind == "i" and raw.min() < 0:
                raise OverflowError(
                    f"Python integer {int(raw.min())} out of bounds for uint64"
                )
            if raw.shape[0] != n:
                raise RuntimeError(
                    f"The input label shape {raw.shape[0]} does not match the input "
                    f"data vector shape {n}"
                )
            labels = raw.astype(np.uint64)
        if n == 0:
            return
        if self._space == "cosine":
            _normalize(vectors)
        # A label repeated within the call keeps its last vector.
        rev_unique, rev_first = np.unique(labels[::-1], return_index=True)
        if rev_unique.size < n:
            keep = np.sort(n - 1 - rev_first)
            labels, vectors = labels[keep], vectors[keep]
        n_threads = self._resolve_threads(num_threads)
        with self._lock:
            self._add_locked(vectors, labels, n_threads, bool(replace_deleted))

    def _add_locked(
        self, vectors: np.ndarray, labels: np.ndarray, n_threads: int, replace: bool
    ) -> None:
        existing = self._lookup(labels)
        is_new = existing < 0
        upd = existing[~is_new]
        if self._allow_replace_deleted and not replace and np.any(self._deleted[upd]):
            raise RuntimeError(
                "Can't use addPoint to update deleted elements if replacement of "
                "deleted elements is enabled."
            )
        n_new = int(is_new.sum())
        vacant = np.zeros(0, dtype=np.int64)
        if replace and n_new:
            vacant = np.flatnonzero(self._deleted[: self._count])[:n_new]
        n_fresh = n_new - vacant.size
        capacity = self._data.shape[0]
        if self._count + n_fresh > capacity:
            if not self._auto_resize:
                raise RuntimeError("The number of elements exceeds the specified limit")
            self.resize_index(max(self._count + n_fresh, 2 * capacity, 16))
        slots = existing.copy()
        new_pos = np.flatnonzero(is_new)
        slots[new_pos[: vacant.size]] = vacant
        fresh = np.arange(self._count, self._count + n_fresh, dtype=np.int64)
        slots[new_pos[vacant.size :]] = fresh
        # Levels of fresh nodes and their upper-layer rows.
        levels = _draw_levels(self._random_seed, self._n_inserted, n_fresh, self._M)
        self._n_inserted += n_fresh
        self._levels[fresh] = levels
        need = int(levels.sum())
        if self._n_upper_rows + need > self._upper.shape[0]:
            rows = max(self._n_upper_rows + need, int(self._upper.shape[0] * 1.5) + 16)
            upper = np.zeros((rows, self._M + 1), dtype=np.int32)
            upper[: self._n_upper_rows] = self._upper[: self._n_upper_rows]
            self._upper = upper
        up = levels > 0
        offsets = self._n_upper_rows + np.cumsum(levels) - levels
        self._upper_off[fresh[up]] = offsets[up]
        self._upper[self._n_upper_rows : self._n_upper_rows + need] = 0
        self._n_upper_rows += need
        # Vectors, labels, deletion flags.
        self._data[slots] = vectors
        self._labels[slots] = labels
        reused = slots[self._deleted[slots] == 1]
        self._n_deleted -= int(reused.size)
        self._deleted[slots] = 0
        self._links0[fresh, 0] = 0
        self._count += n_fresh
        self._rebuild_lookup()
        self._link(slots.astype(np.int32), n_threads)

    def _link(self, slots: np.ndarray, n_threads: int) -> None:
        k = _kernels()
        visited = self._take_visited(n_threads)
        try:
            for start in range(0, slots.shape[0], _BATCH):
                batch = np.ascontiguousarray(slots[start : start + _BATCH])
                k.insert_batch(
                    self._data,
                    self._links0,
                    self._upper,
                    self._upper_off,
                    self._levels,
                    batch,
                    self._entry,
                    self._max_level,
                    self._M,
                    self._ef_construction,
                    _SPACES[self._space],
                    visited,
                    n_threads,
                )
                lv = self._levels[batch]
                top = int(np.argmax(lv))
                if lv[top] > self._max_level:
                    self._max_level = int(lv[top])
                    self._entry = int(batch[top])
        finally:
            self._give_visited(visited)

    # ---------------------------------------------------------------- search
    def _allowed_mask(self, filter: Any) -> np.ndarray | None:
        """uint8 mask over internal ids (capacity), or None for "everything"."""
        n = self._count
        if filter is None:
            if self._n_deleted == 0:
                return None
            mask = np.zeros(self._data.shape[0], dtype=np.uint8)
            mask[:n] = self._deleted[:n] == 0
            return mask
        labels = self._labels[:n]
        if callable(filter):
            keep = np.fromiter((bool(filter(int(v))) for v in labels), bool, n)
        else:
            arr = np.asarray(filter)
            if arr.dtype == bool:
                if arr.ndim != 1:
                    raise ValueError("A boolean filter must be 1-D, indexed by label.")
                inside = labels < arr.shape[0]
                keep = np.zeros(n, dtype=bool)
                keep[inside] = arr[labels[inside].astype(np.int64)]
            elif arr.dtype.kind in "iu" or arr.size == 0:
                arr = arr.ravel()
                if arr.size and arr.dtype.kind == "i" and arr.min() < 0:
                    arr = arr[arr >= 0]
                keep = np.isin(labels, arr.astype(np.uint64))
            else:
                raise TypeError(
                    "filter must be a callable, an array of labels or a boolean "
                    "mask indexed by label."
                )
        mask = np.zeros(self._data.shape[0], dtype=np.uint8)
        mask[:n] = keep & (self._deleted[:n] == 0)
        return mask

    def knn_query(
        self,
        data: Any,
        k: int = 1,
        num_threads: int = -1,
        filter: Callable[[int], bool] | Any = None,
        *,
        pad_missing: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` approximate nearest neighbours of each query vector.

        Parameters
        ----------
        data : array-like of shape (n_queries, dim) or (dim,)
            Query vectors.
        k : int, default=1
            Neighbours per query.
        num_threads : int, default=-1
            Threads; -1 uses ``num_threads``.
        filter : callable, array of labels or bool array, default=None
            Only labels for which ``filter(label)`` is true, that are in the array,
            or whose entry of the boolean mask (indexed by label) is true are
            returned. Filters keeping few elements are answered by an exact scan.
        pad_missing : bool, default=False
            fastml extension: when fewer than ``k`` elements qualify, pad with
            label -1 and distance inf (labels are then int64) instead of raising.

        Returns
        -------
        labels : ndarray of shape (n_queries, k), uint64 (int64 if pad_missing)
        distances : ndarray of shape (n_queries, k), float32
        """
        self._require_init()
        queries = _as_vectors(data, self._dim, copy=self._space == "cosine")
        if isinstance(k, bool) or int(k) != k or k < 0:
            raise ValueError(f"k must be a non-negative integer, got {k!r}.")
        k = int(k)
        if self._space == "cosine":
            _normalize(queries)
        n_threads = self._resolve_threads(num_threads)
        kern = _kernels()
        nq = queries.shape[0]
        out_idx = np.empty((nq, k), dtype=np.int32)
        out_dist = np.empty((nq, k), dtype=np.float32)
        n_short = -1  # unknown: count the padded entries
        with self._lock:
            mask = self._allowed_mask(filter)
            n_allowed = self._count if mask is None else int(mask.sum())
            efk = max(self._ef, k)
            exact = filter is not None and n_allowed**2 <= 10 * efk * self._count
            if exact:
                assert mask is not None
                cand = np.flatnonzero(mask).astype(np.int32)
                kern.exact_knn(
                    self._data,
                    cand,
                    _SPACES[self._space],
                    queries,
                    k,
                    out_idx,
                    out_dist,
                    n_threads,
                )
            else:
                visited = self._take_visited(n_threads)
                try:
                    n_short = kern.search_knn(
                        self._data,
                        self._links0,
                        self._upper,
                        self._upper_off,
                        self._levels,
                        self._entry,
                        self._max_level,
                        _SPACES[self._space],
                        queries,
                        k,
                        self._ef,
                        mask if mask is not None else np.zeros(0, dtype=np.uint8),
                        mask is not None,
                        visited,
                        out_idx,
                        out_dist,
                        n_threads,
                    )
                finally:
                    self._give_visited(visited)
            complete = n_short == 0 or (nq * k > 0 and out_idx.min() >= 0)
            if pad_missing:
                if complete:
                    return self._labels[out_idx].astype(np.int64), out_dist
                missing = out_idx < 0
                labels = np.full((nq, k), -1, dtype=np.int64)
                labels[~missing] = self._labels[out_idx[~missing]].astype(np.int64)
                return labels, out_dist
            if not complete and nq * k > 0:
                raise RuntimeError(_NOT_ENOUGH)
            return self._labels[out_idx], out_dist

    def _knn_exact(
        self, data: Any, k: int, num_threads: int = -1
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact k nearest non-deleted neighbours (labels int64, -1 padded)."""
        self._require_init()
        queries = _as_vectors(data, self._dim, copy=self._space == "cosine")
        if self._space == "cosine":
            _normalize(queries)
        nq = queries.shape[0]
        out_idx = np.empty((nq, k), dtype=np.int32)
        out_dist = np.empty((nq, k), dtype=np.float32)
        with self._lock:
            cand = np.flatnonzero(self._deleted[: self._count] == 0).astype(np.int32)
            _kernels().exact_knn(
                self._data,
                cand,
                _SPACES[self._space],
                queries,
                k,
                out_idx,
                out_dist,
                self._resolve_threads(num_threads),
            )
            labels = np.full((nq, k), -1, dtype=np.int64)
            found = out_idx >= 0
            labels[found] = self._labels[out_idx[found]].astype(np.int64)
        return labels, out_dist

    # ------------------------------------------------------------ persistence
    def _state(self) -> dict[str, Any]:
        n = self._count
        return {
            "space": self._space,
            "dim": self._dim,
            "M": self._M,
            "ef_construction": self._ef_construction,
            "random_seed": self._random_seed,
            "allow_replace_deleted": self._allow_replace_deleted,
            "capacity": int(self._data.shape[0]),
            "count": n,
            "n_inserted": self._n_inserted,
            "n_upper_rows": self._n_upper_rows,
            "entry": self._entry,
            "max_level": self._max_level,
            "data": self._data[:n],
            "labels": self._labels[:n],
            "deleted": self._deleted[:n],
            "levels": self._levels[:n],
            "upper_off": self._upper_off[:n],
            "links0": self._links0[:n],
            "upper": self._upper[: self._n_upper_rows],
        }

    def _load_state(self, state: dict[str, Any], capacity: int) -> None:
        self._reset(
            capacity,
            int(state["M"]),
            int(state["ef_construction"]),
            int(state["random_seed"]),
            bool(state["allow_replace_deleted"]),
            False,
        )
        n = int(state["count"])
        self._data[:n] = state["data"]
        self._labels[:n] = state["labels"]
        self._deleted[:n] = state["deleted"]
        self._levels[:n] = state["levels"]
        self._upper_off[:n] = state["upper_off"]
        self._links0[:n] = state["links0"]
        self._upper = np.array(state["upper"], dtype=np.int32, order="C")
        self._n_upper_rows = int(state["n_upper_rows"])
        self._count = n
        self._n_inserted = int(state["n_inserted"])
        self._entry = int(state["entry"])
        self._max_level = int(state["max_level"])
        self._n_deleted = int(np.count_nonzero(self._deleted[:n]))
        self._rebuild_lookup()
        self._initialized = True

    def save_index(self, path: str | os.PathLike[str]) -> None:
        """Write the index to ``path`` (format: see ``fastml.neighbors._hnsw_io``)."""
        self._require_init()
        with self._lock:
            _hnsw_io.write_index(path, self._state())

    def index_file_size(self) -> int:
        """Size in bytes of the file ``save_index`` writes."""
        self._require_init()
        return _hnsw_io.file_size(self._state())

    def load_index(self, path: str | os.PathLike[str], max_elements: int = 0) -> None:
        """Replace this index by the one saved at ``path``.

        The capacity is ``max_elements`` when it is at least the saved count, the
        saved capacity otherwise; ``ef`` is reset to 10 (as in hnswlib). A file
        that is truncated, corrupted or of another space/dim raises ValueError.
        """
        state = _hnsw_io.read_index(path)
        if state["space"] != self._space or state["dim"] != self._dim:
            raise ValueError(
                f"The file holds a ({state['space']!r}, dim={state['dim']}) index; "
                f"this Index is ({self._space!r}, dim={self._dim})."
            )
        capacity = int(max_elements)
        if capacity < state["count"]:
            capacity = int(state["capacity"])
        with self._lock:
            self._load_state(state, capacity)
            self._ef = 10

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = {
            "space": self._space,
            "dim": self._dim,
            "ef": self._ef,
            "num_threads": self._num_threads,
            "initialized": self._initialized,
        }
        if self._initialized:
            graph = self._state()
            graph = {
                key: (np.array(val) if isinstance(val, np.ndarray) else val)
                for key, val in graph.items()
            }
            state["graph"] = graph
            state["auto_resize"] = self._auto_resize
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["space"], state["dim"])  # type: ignore[misc]
        self._num_threads = int(state["num_threads"])
        if state["initialized"]:
            graph = state["graph"]
            _hnsw_io.validate_state(graph)
            self._load_state(graph, int(graph["capacity"]))
            self._auto_resize = bool(state["auto_resize"])
        self._ef = int(state["ef"])

    def __repr__(self) -> str:
        return f"<fastml.neighbors.Index(space={self._space!r}, dim={self._dim})>"
