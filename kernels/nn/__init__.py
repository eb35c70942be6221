"""Kernels behind fastml's neural-network building blocks (activations, ...)."""
