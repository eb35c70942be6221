"""Kernels behind fastml.metrics."""
