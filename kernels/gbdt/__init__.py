"""Kernels behind fastml.gbdt: tree growth for gradient boosting."""
