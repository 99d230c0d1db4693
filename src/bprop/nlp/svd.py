"""Truncated SVD for dense word vectors (book 2 §2.4.3): the top k singular triplets of M.

M ≈ U_k diag(S_k) Vt_k, with U_k (m, k) and Vt_k (k, n) orthonormal and
S_1 ≥ … ≥ S_k ≥ 0. The book's word vectors are the rows of U_k: it calls
``np.linalg.svd(W)`` and keeps ``U[:, :k]`` (unscaled), or scikit-learn's
``randomized_svd`` for the PTB matrix. ``truncated_svd`` does both without
scikit-learn:

- 'full': ``np.linalg.svd(M, full_matrices=False)``, then the first k.
- 'randomized' (Halko, Martinsson & Tropp 2011, "Finding structure with
  randomness", algorithms 4.3 and 4.4): with l = k + n_oversamples columns,

      Q = qr(M Ω),  Ω (n, l) Gaussian                       the sketch of range(M)
      q times:  Q = qr(Mᵀ Q);  Q = qr(M Q)                  power (subspace) iterations
      B = Qᵀ M  (l, n);  B = Û S Vt;  U = Q Û               the SVD of a small matrix (l rows)

  Subspace iteration sees the spectrum raised to the power 2q + 1, so the
  error in the k-th triplet falls roughly like (S_{l+1}/S_k)^(2q+1): a few
  iterations suffice when the spectrum decays; a flat one needs more. Each step costs two products
  (m, n)·(n, l); the QR between them keeps the columns from collapsing onto
  the top singular vector in floating point.
- 'auto': 'randomized' when min(m, n) > 500 and k ≤ min(m, n)/4, else 'full'.

Signs. A singular pair (u, v) is defined up to (−u, −v); LAPACK's choice is
not portable, and the randomized sketch's depends on the seed. Here each
column of U_k has its largest-|·| entry positive (the first such entry, on a
tie), and the matching row of Vt_k is flipped with it. So 'full' and
'randomized' give the same signs whenever they agree on the vectors; the
book's ``U[:, :k]`` may differ from ours in the sign of whole columns.

>>> M = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
>>> U, S, Vt = truncated_svd(M, 2)
>>> np.round(S, 4)
array([9.5255, 0.5143])
>>> np.allclose(U * S @ Vt, M), U[np.abs(U).argmax(axis=0), [0, 1]] > 0
(True, array([ True,  True]))
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from bprop._checks import FLOAT_DTYPES, integer
from bprop._types import Seed

METHODS = ("auto", "full", "randomized")
AUTO_MIN_SIZE = 500  # 'auto' uses the full SVD for min(m, n) up to this


def truncated_svd(M: ArrayLike, k: int, *, method: str = "auto", seed: Seed = 0, n_iter: int = 7,
                  n_oversamples: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The top-k singular triplets (U_k, S_k, Vt_k) of M, exactly ('full') or by randomized SVD.

    M: (m, n), finite, float32 or float64 (kept), or integers (computed in
    float64, as ``np.linalg.svd`` does). k: 1 ≤ k ≤ min(m, n). Returns U_k
    (m, k), S_k (k,) descending, Vt_k (k, n), all of M's float dtype, with
    M ≈ U_k·diag(S_k)·Vt_k. Word vectors as in the book: ``U_k`` itself.

    method: 'auto', 'full' or 'randomized' (see the module's docstring for
    the algorithms and the sign convention). seed (None, an int or a
    np.random.Generator), n_iter (power iterations, ≥ 0) and n_oversamples
    (extra sketch columns, ≥ 0) apply to 'randomized' only; the same seed
    gives the same result. n_iter = 7 and n_oversamples = 10 are
    scikit-learn's defaults for a small k (the book calls it with n_iter=5);
    each iteration costs two products with M and two QRs of (·, l). The
    randomized SVD works in M's dtype: float32 for the book's PPMI matrix,
    whose products then run at the float32 GEMM speed.
    """
    M = np.asarray(M)
    if M.ndim != 2:
        raise ValueError(f"truncated_svd expected a matrix (m, n), got shape {M.shape}")
    if M.dtype.kind in "iu":
        M = M.astype(np.float64)
    elif M.dtype not in FLOAT_DTYPES:
        raise TypeError(f"truncated_svd expected a float32, float64 or integer matrix, got dtype {M.dtype}")
    small = min(M.shape)
    k = integer(k, "k", 1, owner="truncated_svd")
    if k > small:
        raise ValueError(f"truncated_svd expected k <= min(m, n) = {small} for M of shape {M.shape}, got {k}")
    if method not in METHODS:
        raise ValueError(f"truncated_svd expected method one of {', '.join(map(repr, METHODS))}, got {method!r}")
    n_iter = integer(n_iter, "n_iter", 0, owner="truncated_svd")
    n_oversamples = integer(n_oversamples, "n_oversamples", 0, owner="truncated_svd")
    rng = _generator(seed)
    low, high = M.min(), M.max()  # two passes, no temporary; NaN or inf shows in one of them
    if not (np.isfinite(low) and np.isfinite(high)):
        bad = low if not np.isfinite(low) else high
        raise ValueError(f"truncated_svd expected a finite matrix, got an entry {bad}")
    if method == "auto":
        method = "randomized" if small > AUTO_MIN_SIZE and 4 * k <= small else "full"
    if method == "full":
        U, S, Vt = np.linalg.svd(M, full_matrices=False)
        U, S, Vt = U[:, :k], S[:k], Vt[:k]
    else:
        U, S, Vt = _randomized_svd(M, k, rng, n_iter, n_oversamples)
    return _flip_signs(U, S, Vt)


def _randomized_svd(M: np.ndarray, k: int, rng: np.random.Generator, n_iter: int, n_oversamples: int):
    """Halko, Martinsson & Tropp's randomized subspace iteration: (U_k, S_k, Vt_k) of a float M, signs as LAPACK's.

    The plain algorithm, without the checks or the sign convention of
    ``truncated_svd`` (which calls it). Works in M's dtype throughout.
    """
    m, n = M.shape
    sketch = min(k + n_oversamples, m, n)
    omega = rng.standard_normal((n, sketch), dtype=M.dtype)
    Q, _ = np.linalg.qr(M @ omega)  # (m, l): an orthonormal basis of the sketched range
    for _ in range(n_iter):
        Q, _ = np.linalg.qr(M.T @ Q)  # (n, l)
        Q, _ = np.linalg.qr(M @ Q)  # (m, l)
    Bt = M.T @ Q  # (n, l): Bᵀ for B = Qᵀ M, M restricted to the basis
    V_small, S, Ut_small = np.linalg.svd(Bt, full_matrices=False)  # Bᵀ = V S Ûᵀ; LAPACK is faster tall than wide
    return Q @ Ut_small[:k].T, S[:k], V_small[:, :k].T


def _generator(seed) -> np.random.Generator:
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"truncated_svd expected seed None, an int or a np.random.Generator, got {seed!r}")
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise TypeError(f"truncated_svd expected seed None, an int >= 0 or a np.random.Generator, "
                        f"got {seed!r}") from None


def _flip_signs(U: np.ndarray, S: np.ndarray, Vt: np.ndarray):
    """Each column of U with its largest-|·| entry positive (the first, on a tie); Vt's rows follow."""
    biggest = np.argmax(np.abs(U), axis=0)  # (k,)
    signs = np.where(U[biggest, np.arange(U.shape[1])] < 0, -1, 1).astype(U.dtype)
    return U * signs, S, Vt * signs[:, None]
