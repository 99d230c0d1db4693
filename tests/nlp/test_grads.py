"""bprop.nlp.grads: clip_grads against the book's version written here."""

import math
import warnings

import numpy as np
import pytest

from bprop.nlp import clip_grads


def _book_clip_grads(grads, max_norm):
    total_norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


def _grads(dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(0)
    return [(scale * rng.standard_normal(shape)).astype(dtype) for shape in [(4, 3), (3,), (2, 2, 5)]]


@pytest.mark.parametrize("max_norm", [0.5, 3.0, 100.0])
def test_clip_grads_scales_in_place_as_the_book_and_returns_the_norm_before(max_norm):
    grads, want = _grads(), _grads()
    before = [id(g) for g in grads]
    norm = clip_grads(grads, max_norm)
    _book_clip_grads(want, max_norm)
    assert norm == pytest.approx(math.sqrt(sum(float(np.sum(g ** 2)) for g in _grads())), rel=1e-14)
    assert [id(g) for g in grads] == before
    for got, expected in zip(grads, want):
        np.testing.assert_allclose(got, expected, rtol=1e-14)
    after = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    assert after <= max_norm + 1e-12


def test_clip_grads_under_the_threshold_changes_nothing():
    grads = _grads()
    copies = [g.copy() for g in grads]
    clip_grads(grads, 1e6)
    for got, before in zip(grads, copies):
        np.testing.assert_array_equal(got, before)


def test_clip_grads_accepts_a_dict_and_keeps_float32():
    grads = dict(zip(("W", "b", "c"), _grads(np.float32)))
    norm = clip_grads(grads, 1.0)
    assert norm > 1
    assert all(g.dtype == np.float32 for g in grads.values())
    assert math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values())) == pytest.approx(1, rel=1e-5)


def test_clip_grads_counts_and_scales_a_repeated_array_once():
    g = np.array([3.0, 4.0])
    assert clip_grads([g, g], 1.0) == 5.0
    np.testing.assert_allclose(g, [0.6, 0.8], rtol=1e-6)


def test_clip_grads_clips_a_huge_finite_float32_gradient_without_a_warning():
    grads = _grads(np.float32, scale=1e30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        norm = clip_grads(grads, 5.0)
    assert math.isfinite(norm) and norm > 1e30
    after = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    assert after == pytest.approx(5.0, rel=1e-5)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_clip_grads_with_a_nan_or_inf_leaves_the_grads_and_returns_that_norm(bad):
    grads = _grads()
    grads[1][0] = bad
    copies = [g.copy() for g in grads]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        norm = clip_grads(grads, 1.0)
    assert not math.isfinite(norm)
    for got, before in zip(grads, copies):
        np.testing.assert_array_equal(got, before)


def test_clip_grads_of_no_gradients_is_zero():
    assert clip_grads([], 1.0) == 0.0


@pytest.mark.parametrize("grads, max_norm, error, message", [
    (np.ones(3), 1.0, TypeError, r"wrap a single array in a list: \[grad\]"),
    ([np.ones(3), np.ones(2, dtype=np.int64)], 1.0, TypeError, r"grads\[1\] to be a float array.*dtype int64"),
    ({"W": [1.0, 2.0]}, 1.0, TypeError, r"grads\['W'\] to be a float array.*got list"),
    ([np.ones(3)], 0.0, ValueError, "max_norm > 0"),
    ([np.ones(3)], -1.0, ValueError, "max_norm > 0"),
    ([np.ones(3)], "5", TypeError, "max_norm"),
])
def test_clip_grads_refuses_bad_arguments(grads, max_norm, error, message):
    with pytest.raises(error, match=message):
        clip_grads(grads, max_norm)


def test_clip_grads_refuses_a_read_only_gradient():
    g = np.ones(3)
    g.flags.writeable = False
    with pytest.raises(ValueError, match=r"read-only grads\[0\]"):
        clip_grads([g], 1.0)
