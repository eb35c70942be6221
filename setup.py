"""Build script: the package mapping and the Cython extension list.

``kernels/`` is installed as ``fastml.kernels`` (never as a top-level ``kernels``
package, a name already taken on PyPI). Cython modules are compiled with OpenMP when
the compiler accepts ``-fopenmp`` and serially otherwise; the sources use
``cython.parallel.prange``, which degrades to a plain loop without OpenMP.
"""

import os
import sys
import tempfile

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, find_packages, setup
from setuptools.command.build_ext import build_ext

# Every Cython module, as (dotted module name, source path).
CYTHON_MODULES = [
    ("fastml.kernels.metrics._counting", "kernels/metrics/_counting.pyx"),
    ("fastml.kernels.gbdt._grow", "kernels/gbdt/_grow.pyx"),
    ("fastml.kernels.tree._predict", "kernels/tree/_predict.pyx"),
    ("fastml.kernels.neighbors._hnsw", "kernels/neighbors/_hnsw.pyx"),
]

# Packages are listed from the two source trees only (never tests/ or bench/), and the
# kernels tree is mapped under fastml.kernels.
FASTML_PACKAGES = ["fastml", *("fastml." + p for p in find_packages("fastml"))]
KERNEL_PACKAGES = ["fastml.kernels", *("fastml.kernels." + p for p in find_packages("kernels"))]


def _compiler_accepts_openmp(compiler) -> bool:
    """Compile and link a tiny OpenMP program; False on any failure."""
    if os.environ.get("FASTML_NO_OPENMP") == "1":
        return False
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "omp_probe.c")
        with open(src, "w") as f:
            f.write("#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n")
        try:
            objs = compiler.compile([src], output_dir=tmp, extra_postargs=["-fopenmp"])
            compiler.link_executable(
                objs, os.path.join(tmp, "omp_probe"), extra_postargs=["-fopenmp"]
            )
        except Exception:  # any compiler or linker error means "no OpenMP"
            return False
    return True


class BuildExtWithOptionalOpenMP(build_ext):
    def build_extensions(self):
        use_openmp = sys.platform != "win32" and _compiler_accepts_openmp(self.compiler)
        for ext in self.extensions:
            if use_openmp:
                ext.extra_compile_args.append("-fopenmp")
                ext.extra_link_args.append("-fopenmp")
        super().build_extensions()


extensions = [
    Extension(
        name,
        [path],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O3"],
    )
    for name, path in CYTHON_MODULES
]

setup(
    packages=FASTML_PACKAGES + KERNEL_PACKAGES,
    package_dir={"fastml": "fastml", "fastml.kernels": "kernels"},
    ext_modules=cythonize(
        extensions,
        compiler_directives={
            "language_level": 3,
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    ),
    cmdclass={"build_ext": BuildExtWithOptionalOpenMP},
)
