"""Compiled kernels of fastml (Numba ``.py`` and Cython ``.pyx`` modules).

Installed as ``fastml.kernels``. Importing this tree under the bare name ``kernels``
(for instance with the repository root on ``sys.path``) would load every kernel twice
under two names, with two Numba caches, so it is refused.
"""

if __name__ != "fastml.kernels":
    raise ImportError(
        "The kernels tree must be imported as 'fastml.kernels', not as "
        f"{__name__!r}; install fastml (pip install -e .) and import fastml.kernels."
    )
