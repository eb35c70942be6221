"""Nearest-neighbour kernels (brute-force top-k, HNSW graph search)."""
