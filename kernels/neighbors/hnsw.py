"""HNSW graph kernels: batched insertion, layered beam search, exact fallback.

The implementation is Cython (``_hnsw.pyx``, compiled ahead of time so the first
query is fast, OpenMP when available); this module documents and re-exports it.

Algorithm: Malkov & Yashunin (2018), "Efficient and robust approximate nearest
neighbor search using Hierarchical Navigable Small World graphs": alg. 2 (beam
search of one layer, :func:`search_knn` and the insertion searches), alg. 4 (the
neighbour-selection heuristic, without the extend/keep-pruned options, as hnswlib),
alg. 5 (greedy descent through the upper layers).

Graph layout (owned by ``fastml.neighbors.Index``):

- ``data`` float32 (capacity, dim); ``levels`` int32 (capacity,);
- ``links0`` int32 (capacity, 2M + 1): layer-0 list ``[n, id_1 .. id_n, ...]``;
- ``upper`` int32 (n_rows, M + 1) and ``upper_off`` int64 (capacity,): the list of
  node u on layer l >= 1 is row ``upper_off[u] + l - 1``;
- ``visited`` uint16 (n_threads, capacity + 1): per-thread visit tags, the last
  column holding the current tag between calls.

Spaces: 0 = squared L2, 1 = 1 - dot product (cosine = 1 on normalised vectors).

:func:`insert_batch` is deterministic for any thread count: each batch point
searches only the graph frozen before the batch plus the earlier batch points (by
brute force, through the same bounded result heap); then, after one barrier, the
node ids are split into 16 parts by ``id % 16`` and each part writes its batch
nodes' own lists and adds the reverse links into its nodes in batch order, one at
a time, pruning with the heuristic when a list is full (as hnswlib does). One
parallel region per batch: few synchronisation points, so a thread descheduled on
a busy machine delays little.

Search (alg. 2) gathers a node's unvisited neighbours first and prefetches every
cache line of their vectors, then computes the distances: the memory loads of a
2M-neighbour expansion overlap instead of queueing (the index outgrows the caches
at ~100k x 96 float32).

Naive references (tests/naive/hnsw.py): brute-force k nearest neighbours (recall,
exact fallback), the heuristic on explicit candidate lists, graph invariants.
"""

from fastml.kernels.neighbors._hnsw import (
    exact_knn,
    insert_batch,
    pairwise_distances,
    search_knn,
    simd_available,
)

__all__ = [
    "insert_batch",
    "search_knn",
    "exact_knn",
    "pairwise_distances",
    "simd_available",
]
