"""Nearest neighbours: exact (brute force) search and HNSW approximate search."""

__all__: list[str] = []
