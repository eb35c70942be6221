"""Synthetic data sets for tests, examples and ``python -m fastml bench``.

fastml's own generators (plain vectorised NumPy, no scikit-learn at run time). Each
function documents exactly how its data are drawn; a fixed ``random_state`` gives the
same data on every call. They do not reproduce scikit-learn's random streams.

- :func:`make_classification`: Gaussian clusters on hypercube vertices, with
  informative, redundant, repeated and noise features, class weights, label noise.
- :func:`make_regression`: linear targets with a few informative features.
- :func:`make_blobs`: isotropic Gaussian blobs.
- :func:`make_low_rank_mixture`: Gaussian mixture on a random low-dimensional
  subspace plus isotropic noise (nearest-neighbour and k-means benchmarks).
"""

from fastml.datasets._low_rank import make_low_rank_mixture
from fastml.datasets._samples import make_blobs, make_classification, make_regression

__all__ = [
    "make_blobs",
    "make_classification",
    "make_low_rank_mixture",
    "make_regression",
]
