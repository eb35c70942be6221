"""Linear algebra behind PCA: moments, the centred Gram matrix, the randomized SVD of
the implicitly centred data, the sign convention and Minka's dimension estimate.

Precision choices (float32 input):

- column means and sums of squares: float64, one pass (fastml.kernels.decomposition);
- the centred Gram matrix X_c^T X_c (covariance_eigh): BLAS syrk (through numpy's
  matmul) in the data's dtype, as scikit-learn does, on row blocks whose products
  are added in float64, and the column sums by one gemv; the rows are centred
  (block by block, into a reused cache-sized buffer: the caller's X is never copied
  whole) only when some column's mean is large next to its spread, where ``X^T X -
  n m m^T`` would cancel (see :func:`centered_gram`). The sums' finiteness is the
  finite check (no separate pass);
- the randomized solver on tall data with few features (:func:`use_gram_path`)
  forms the centred Gram matrix as above and runs the power iterations and the
  final projection on it in float64 (:func:`randomized_svd_gram`: one pass over X);
  otherwise its products run in the data's dtype (BLAS gemm) on X itself, with the
  centring applied to the thin product (``X_c W = X W - 1 (m^T W)``), as Halko et
  al. allow for any linear operator (:func:`randomized_svd_centered`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.linalg
from scipy.special import gammaln

__all__ = [
    "column_moments",
    "centered_gram",
    "flip_rows",
    "randomized_svd_centered",
    "randomized_svd_gram",
    "use_gram_path",
    "infer_dimension",
]

_MOMENT_BLOCK = 2048
_GRAM_BLOCK = 8192
_HEAD_ROWS = 2048  # rows that decide whether to centre, and the shift
_GRAM_BUFFER = 4 << 20  # bytes of the centring buffer (cache-sized)
_GRAM_VIEW_BYTES = 32 << 20  # rows per syrk call when no centring copy is needed


def column_moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Float64 column means and centred sums of squares of C-contiguous X."""
    from fastml.kernels._jit import num_threads
    from fastml.kernels.decomposition.moments import column_moments as kernel
    from fastml.kernels.decomposition.moments import current_num_threads

    with num_threads(current_num_threads()):
        mean, m2 = kernel(X, _MOMENT_BLOCK)
    return mean, m2


def centered_gram(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """Column means and the centred Gram matrix X_c^T X_c.

    ``mean = s + sums / n`` and ``X_c^T X_c = G_s - n (mean - s)(mean - s)^T``, where
    ``G_s`` and ``sums`` are the Gram matrix and column sums of X - s for a shift
    ``s``. The products are BLAS calls in X's dtype (syrk through numpy's matmul,
    gemv for the sums), accumulated in float64 over row blocks.

    The shift decides the precision. ``X^T X - n m m^T`` loses the relative
    precision ``(m_j^2 + var_j) / var_j`` on column j. When the first rows show no
    column with ``m_j^2 > var_j`` (a loss of at most a factor two) X is used as it
    is (s = 0): no copy, few large BLAS calls (a few row blocks of ``_GRAM_VIEW_BYTES``
    for syrk, one gemv over X for the sums; few calls matter when the cores are
    shared, each call ends at a barrier of BLAS's threads). Otherwise each block
    of rows minus ``s`` = the first rows' mean (rounded to X's dtype) is written
    into a reused cache-sized buffer first, and its syrk and gemv run on the buffer,
    so the products see nearly centred data (constant columns become exact zeros).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32/float64, C-contiguous

    Returns
    -------
    mean : ndarray of shape (n_features,), float64
    gram : ndarray of shape (n_features, n_features), float64
    finite : bool
        False when the sums are not finite (X holds NaN or inf, or overflows).
    """
    n_samples, n_features = X.shape
    head = X[: min(n_samples, _HEAD_ROWS)].astype(np.float64)
    head_mean = head.mean(axis=0)
    centre = bool(np.any(head_mean**2 > head.var(axis=0)))
    acc = np.zeros((n_features, n_features))
    row_bytes = X.dtype.itemsize * n_features
    if centre:
        shift = head_mean.astype(X.dtype)
        block = int(
            min(n_samples, max(64, min(_GRAM_BLOCK, _GRAM_BUFFER // row_bytes)))
        )
        buf = np.empty((block, n_features), dtype=X.dtype)
        ones = np.ones(block, dtype=X.dtype)
        sums = np.zeros(n_features)
        for start in range(0, n_samples, block):
            rows = X[start : start + block]
            shifted = np.subtract(rows, shift, out=buf[: rows.shape[0]])
            acc += shifted.T @ shifted
            sums += ones[: rows.shape[0]] @ shifted
    else:
        shift = np.zeros(n_features, dtype=X.dtype)
        block = int(min(n_samples, max(1024, _GRAM_VIEW_BYTES // row_bytes)))
        for start in range(0, n_samples, block):
            rows = X[start : start + block]
            acc += rows.T @ rows
        sums = (np.ones(n_samples, dtype=X.dtype) @ X).astype(np.float64)
    finite = bool(np.all(np.isfinite(acc)) and np.all(np.isfinite(sums)))
    offset = sums / n_samples
    mean = shift.astype(np.float64) + offset
    acc -= n_samples * np.outer(offset, offset)
    return mean, acc, finite


def flip_rows(
    Vt: np.ndarray, U: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The deterministic sign convention: in every row of Vt the entry of largest
    absolute value (the first one on ties) is made positive; U's columns follow."""
    if Vt.shape[0] == 0:
        return Vt, U
    idx = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), idx])
    signs[signs == 0] = 1
    Vt = Vt * signs[:, None]
    if U is not None:
        U = U * signs[None, :]
    return Vt, U


class _CenteredOperator:
    """X_c = X - 1 m^T as a linear operator, never materialised."""

    def __init__(self, X: np.ndarray, mean: np.ndarray) -> None:
        self.X = X
        self.mean = mean

    def matmul(self, W: np.ndarray) -> np.ndarray:
        """X_c @ W, W of shape (n_features, r) -> (n_samples, r)."""
        out = self.X @ W
        out -= (self.mean @ W.astype(np.float64)).astype(out.dtype)[None, :]
        return out

    def rmatmul(self, Q: np.ndarray) -> np.ndarray:
        """X_c^T @ Q, Q of shape (n_samples, r) -> (n_features, r)."""
        out = self.X.T @ Q
        col_sums = Q.sum(axis=0, dtype=np.float64)
        out -= np.outer(self.mean, col_sums).astype(out.dtype)
        return out


def _normalizer(name: str) -> Callable[[np.ndarray], np.ndarray]:
    if name == "LU":
        return lambda A: scipy.linalg.lu(A, permute_l=True, check_finite=False)[0]
    if name == "QR":
        return lambda A: scipy.linalg.qr(A, mode="economic", check_finite=False)[0]
    return lambda A: A


def randomized_svd_centered(
    X: np.ndarray,
    mean: np.ndarray,
    n_components: int,
    *,
    n_oversamples: int,
    n_iter: int,
    power_iteration_normalizer: str,
    random_state: np.random.RandomState,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Truncated SVD of the centred data by the randomized range finder.

    Halko, Martinsson and Tropp (2011), "Finding structure with randomness",
    algorithms 4.3/4.4: a Gaussian test matrix of ``n_components + n_oversamples``
    columns, ``n_iter`` power iterations (each product renormalised by LU, QR or not
    at all), an orthonormal basis Q of the range, then the exact SVD of the thin
    matrix Q^T X_c. The wide case (n_samples < n_features) works on X_c^T. The test
    matrix is drawn from ``random_state.normal`` with the shape of the operated
    matrix's column count, in the data's dtype.

    Returns U (n_samples, k), S (k,), Vt (k, n_features), not sign-flipped.
    """
    op = _CenteredOperator(X, mean)
    n_samples, n_features = X.shape
    transpose = n_samples < n_features
    forward: Callable[[np.ndarray], np.ndarray] = op.matmul
    backward: Callable[[np.ndarray], np.ndarray] = op.rmatmul
    n_cols = n_features
    if transpose:
        forward, backward = op.rmatmul, op.matmul
        n_cols = n_samples
    size = n_components + n_oversamples
    Q = random_state.normal(size=(n_cols, size)).astype(X.dtype, copy=False)
    normalize = _normalizer(power_iteration_normalizer)
    for _ in range(n_iter):
        Q = normalize(forward(Q))
        Q = normalize(backward(Q))
    Q = scipy.linalg.qr(forward(Q), mode="economic", check_finite=False)[0]
    B = backward(Q).T
    Uhat, S, Vt = scipy.linalg.svd(B, full_matrices=False, check_finite=False)
    U = Q @ Uhat
    k = n_components
    if transpose:
        return Vt[:k].T, S[:k], U[:, :k].T
    return U[:, :k], S[:k], Vt[:k]


def randomized_svd_gram(
    gram: np.ndarray,
    n_components: int,
    *,
    n_oversamples: int,
    n_iter: int,
    power_iteration_normalizer: str,
    random_state: np.random.RandomState,
    dtype: np.dtype,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The randomized SVD of X_c evaluated through G = X_c^T X_c (tall data).

    The same algorithm as :func:`randomized_svd_centered` (same test matrix from the
    same random stream, same power iterations, same final projection), with every
    pair of products X_c^T (X_c Q) evaluated as G Q in float64: one pass over X
    (for G) instead of 2 n_iter + 2. The normalisation of the tall intermediate
    X_c Q is a right multiplication by an r x r matrix that does not change the
    subspaces, so only the thin side is renormalised (by the requested
    normaliser, as in the direct path). The final step, the SVD of B = Q_t^T X_c
    with Q_t an orthonormal basis of Y = X_c Q, uses B^T B = M C^-1 M^T with
    M = G Q = X_c^T Y and C = Q^T G Q = Y^T Y: the SVD of D^-1/2 V^T M^T
    (C = V D V^T) has the same singular values and right singular vectors as B.

    Returns (S, Vt) of the leading ``n_components``, or None when Y is numerically
    rank-deficient below ``n_components`` (the caller then uses the direct path).
    """
    n_features = gram.shape[0]
    size = n_components + n_oversamples
    Q = random_state.normal(size=(n_features, size)).astype(dtype, copy=False)
    Q = Q.astype(np.float64)
    normalize = _normalizer(power_iteration_normalizer)
    for _ in range(n_iter):
        Q = normalize(gram @ Q)
    M = gram @ Q
    C = Q.T @ M
    C = 0.5 * (C + C.T)
    d, V = np.linalg.eigh(C)
    keep = d > max(float(d.max()), 0.0) * 1e-12
    if int(keep.sum()) < n_components:
        return None
    B = (V[:, keep] / np.sqrt(d[keep])).T @ M.T
    _, S, Vt = scipy.linalg.svd(B, full_matrices=False, check_finite=False)
    return S[:n_components], Vt[:n_components]


def use_gram_path(n_samples: int, n_features: int, n_iter: int, size: int) -> bool:
    """Whether the randomized solver should go through the Gram matrix: tall data
    whose Gram matrix (n p^2 / 2 multiply-adds, one pass) costs less than the
    direct path's 2 n_iter + 2 products (n p size each, one pass each)."""
    return (
        n_samples >= n_features
        and n_features <= 1000
        and n_features <= (2 * n_iter + 2) * size
    )


def infer_dimension(spectrum: np.ndarray, n_samples: int) -> int:
    """Number of components maximising Minka's (2000) Laplace approximation of the
    PCA evidence ("Automatic choice of dimensionality for PCA", NIPS 13).

    ``spectrum`` holds the eigenvalues of the covariance in decreasing order.
    """
    n = float(n_samples)
    n_features = spectrum.shape[0]
    best_rank, best_ll = 0, -np.inf
    for rank in range(1, n_features):
        ll = _log_evidence(spectrum, rank, n, n_features)
        if ll > best_ll:
            best_rank, best_ll = rank, ll
    return best_rank


def _log_evidence(spectrum: np.ndarray, rank: int, n: float, p: int) -> float:
    eps = 1e-15
    if spectrum[rank - 1] < eps:
        return -np.inf
    i = np.arange(1, rank + 1)
    # log of the uniform prior over the Stiefel manifold (Minka's p(U))
    log_pu = -rank * np.log(2.0) + float(
        np.sum(gammaln((p - i + 1) / 2.0) - np.log(np.pi) * (p - i + 1) / 2.0)
    )
    log_pl = -float(np.sum(np.log(spectrum[:rank]))) * n / 2.0
    v = max(eps, float(np.sum(spectrum[rank:])) / (p - rank))
    log_pv = -np.log(v) * n * (p - rank) / 2.0
    m = p * rank - rank * (rank + 1.0) / 2.0
    log_pp = np.log(2.0 * np.pi) * (m + rank) / 2.0
    # log determinant of the Hessian: pairs (i < j), the j-th eigenvalue replaced by
    # v beyond the rank in the reciprocal terms
    replaced = spectrum.astype(np.float64, copy=True)
    replaced[rank:] = v
    log_az = 0.0
    for a in range(rank):
        diff = spectrum[a] - spectrum[a + 1 :]
        recip = 1.0 / replaced[a + 1 :] - 1.0 / replaced[a]
        log_az += float(np.sum(np.log(diff * recip) + np.log(n)))
    return float(
        log_pu + log_pl + log_pv + log_pp - log_az / 2.0 - rank * np.log(n) / 2.0
    )
