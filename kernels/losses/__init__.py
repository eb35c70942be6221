"""Kernels behind fastml.losses: per-sample losses, gradients and hessians."""
