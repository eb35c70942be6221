"""Kernels behind fastml.linear_model: logistic loss/gradient and SAGA, least squares,
coordinate descent."""
