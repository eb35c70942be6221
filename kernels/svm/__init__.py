"""Kernel SVM kernels (SMO solver with a kernel-row cache, decision values)."""
