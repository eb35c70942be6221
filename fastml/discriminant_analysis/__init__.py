"""Discriminant analysis: linear discriminant analysis (LDA)."""

from fastml.discriminant_analysis._lda import LinearDiscriminantAnalysis

__all__ = ["LinearDiscriminantAnalysis"]
