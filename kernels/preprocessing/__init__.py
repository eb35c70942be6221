"""Kernels behind fastml.preprocessing."""
