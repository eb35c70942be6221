"""Kernels behind histogram gradient boosting (fastml.gbdt): quantile sketch, binning."""
