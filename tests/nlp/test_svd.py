"""bprop.nlp.svd: truncated_svd against np.linalg.svd, on matrices whose spectrum is known."""

import warnings

import numpy as np
import pytest

from bprop.nlp import create_co_matrix, ppmi, preprocess, truncated_svd


def _with_spectrum(m, n, singular_values, seed=0, dtype=np.float64):
    """A random (m, n) matrix U·diag(s)·Vᵀ with orthonormal U, V: its singular values are s, known exactly."""
    rng = np.random.default_rng(seed)
    r = len(singular_values)
    U, _ = np.linalg.qr(rng.standard_normal((m, r)))
    V, _ = np.linalg.qr(rng.standard_normal((n, r)))
    return ((U * singular_values) @ V.T).astype(dtype)


def _largest_entries_positive(U):
    return bool(np.all(U[np.abs(U).argmax(axis=0), np.arange(U.shape[1])] > 0))


SPECTRUM = 10.0 * 0.8 ** np.arange(120)  # decays: S_31 / S_10 ≈ 0.01
M = _with_spectrum(800, 700, SPECTRUM)


def test_randomized_singular_values_match_the_full_svd_to_1e_6():
    U, S, Vt = truncated_svd(M, 10, method="randomized")
    S_full = np.linalg.svd(M, compute_uv=False)[:10]
    np.testing.assert_allclose(S, S_full, rtol=1e-6)
    np.testing.assert_allclose(S, SPECTRUM[:10], rtol=1e-6)


def test_randomized_subspaces_and_vectors_agree_with_the_full_svd():
    U, S, Vt = truncated_svd(M, 10, method="randomized")
    U_full, S_full, Vt_full = truncated_svd(M, 10, method="full")
    # the projectors onto the two k-dimensional subspaces
    assert np.linalg.norm(U @ U.T - U_full @ U_full.T, 2) < 1e-6
    assert np.linalg.norm(Vt.T @ Vt - Vt_full.T @ Vt_full, 2) < 1e-6
    # the sign convention makes the vectors themselves agree, not just up to sign
    np.testing.assert_allclose(U, U_full, atol=1e-6)
    np.testing.assert_allclose(Vt, Vt_full, atol=1e-6)


def test_full_method_is_np_linalg_svd_with_the_sign_convention():
    U, S, Vt = truncated_svd(M[:300, :200], 5, method="full")
    U_np, S_np, Vt_np = np.linalg.svd(M[:300, :200], full_matrices=False)
    signs = np.sign(np.sum(U * U_np[:, :5], axis=0))
    np.testing.assert_allclose(U, U_np[:, :5] * signs, atol=1e-12)
    np.testing.assert_allclose(Vt, Vt_np[:5] * signs[:, None], atol=1e-12)
    np.testing.assert_array_equal(S, S_np[:5])
    assert _largest_entries_positive(U)


@pytest.mark.parametrize("method", ["full", "randomized"])
def test_the_triplets_are_orthonormal_descending_and_reconstruct_the_best_rank_k_matrix(method):
    U, S, Vt = truncated_svd(M, 8, method=method)
    assert U.shape == (800, 8) and S.shape == (8,) and Vt.shape == (8, 700)
    np.testing.assert_allclose(U.T @ U, np.eye(8), atol=1e-12)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(8), atol=1e-12)
    assert np.all(np.diff(S) <= 0)
    assert _largest_entries_positive(U)
    # Eckart–Young: the best rank-8 approximation leaves the error S_9 (in the 2-norm)
    assert np.linalg.norm(M - (U * S) @ Vt, 2) == pytest.approx(SPECTRUM[8], rel=1e-6)


def test_a_matrix_of_rank_k_is_reproduced_exactly_even_wide():
    low_rank = _with_spectrum(300, 900, np.array([5.0, 3.0, 1.0]), seed=3)
    U, S, Vt = truncated_svd(low_rank, 3, method="randomized", n_iter=0)
    np.testing.assert_allclose((U * S) @ Vt, low_rank, atol=1e-12)
    np.testing.assert_allclose(S, [5, 3, 1], rtol=1e-12)


def test_auto_picks_randomized_for_a_large_matrix_and_a_small_k_else_full():
    big = [truncated_svd(M, 10, method=m) for m in ("auto", "randomized")]
    for got, want in zip(big[0], big[1]):
        np.testing.assert_array_equal(got, want)
    small = M[:400, :400]
    for got, want in zip(truncated_svd(small, 10), truncated_svd(small, 10, method="full")):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(truncated_svd(M, 200), truncated_svd(M, 200, method="full")):  # k > min(m, n)/4
        np.testing.assert_array_equal(got, want)


def test_the_same_seed_gives_the_same_result_and_a_generator_is_accepted():
    flat = _with_spectrum(600, 600, 1.0 / np.arange(1, 601))  # a slow decay: the sketch matters
    first = truncated_svd(flat, 5, method="randomized", seed=7, n_iter=1)
    again = truncated_svd(flat, 5, method="randomized", seed=7, n_iter=1)
    other = truncated_svd(flat, 5, method="randomized", seed=np.random.default_rng(8), n_iter=1)
    np.testing.assert_array_equal(first[0], again[0])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("method", ["full", "randomized"])
def test_float32_stays_float32_and_integers_give_float64(method):
    A = _with_spectrum(600, 600, SPECTRUM, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        U, S, Vt = truncated_svd(A, 10, method=method)
    assert U.dtype == S.dtype == Vt.dtype == np.float32
    np.testing.assert_allclose(S, SPECTRUM[:10], rtol=1e-4)
    U, S, Vt = truncated_svd(np.arange(12).reshape(4, 3), 2, method=method)
    assert U.dtype == S.dtype == Vt.dtype == np.float64


def test_ppmi_then_svd_of_the_books_example_gives_its_first_dimensions_up_to_sign():
    corpus, word_to_id, _ = preprocess("You say goodbye and I say hello.")
    W = ppmi(create_co_matrix(corpus, len(word_to_id)))
    U, S, Vt = truncated_svd(W, 2)
    U_book = np.linalg.svd(W)[0][:, :2]
    np.testing.assert_allclose(np.abs(U), np.abs(U_book), atol=1e-5)
    assert U.dtype == np.float32 and _largest_entries_positive(U)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(k=0), ValueError, "k >= 1"),
    (dict(k=4), ValueError, r"k <= min\(m, n\) = 3"),
    (dict(k=True), TypeError, "integer k"),
    (dict(k=2, method="lanczos"), ValueError, "method one of 'auto', 'full', 'randomized', got 'lanczos'"),
    (dict(k=2, n_iter=-1), ValueError, "n_iter >= 0"),
    (dict(k=2, n_oversamples=1.5), TypeError, "n_oversamples"),
    (dict(k=2, method="randomized", seed="abc"), TypeError, "seed"),
    (dict(k=2, method="randomized", seed=-1), TypeError, "seed"),
    (dict(k=2, method="full", seed=True), TypeError, "seed"),
])
def test_truncated_svd_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        truncated_svd(np.ones((4, 3)), **kwargs)


def test_truncated_svd_refuses_what_is_not_a_finite_matrix():
    with pytest.raises(ValueError, match=r"matrix \(m, n\), got shape \(3,\)"):
        truncated_svd(np.ones(3), 1)
    with pytest.raises(ValueError, match="finite matrix, got an entry nan"):
        truncated_svd(np.array([[1.0, np.nan], [0.0, 1.0]]), 1)
    with pytest.raises(ValueError, match="got an entry -inf"):
        truncated_svd(np.array([[1.0, -np.inf], [0.0, 1.0]]), 1)
    with pytest.raises(TypeError, match="dtype complex128"):
        truncated_svd(np.eye(2, dtype=complex), 1)
