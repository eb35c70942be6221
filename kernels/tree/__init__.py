"""Kernels shared by tree models: prediction over flat tree arrays."""
