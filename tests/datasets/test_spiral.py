"""spiral.load_data: the book's shapes, class layout and geometry, our seeded noise."""

from __future__ import annotations

import numpy as np
import pytest

from bprop.datasets import spiral


def _noise_in_angles(x, points_per_class, classes):
    """The noise term of each point's angle, recovered from x: (classes, N), point 0 (radius 0) left out."""
    angle = np.arctan2(x[:, 0], x[:, 1]).reshape(classes, points_per_class)
    rate = np.arange(points_per_class) / points_per_class
    expected = 4.0 * np.arange(classes)[:, None] + 4.0 * rate
    wrapped = (angle - expected + np.pi) % (2 * np.pi) - np.pi
    return wrapped[:, 1:] / 0.2


def test_spiral_has_the_book_shapes_and_dtypes():
    x, t = spiral.load_data()
    assert x.shape == (300, 2) and x.dtype == np.float64
    assert t.shape == (300, 3) and t.dtype == np.int32


def test_spiral_rows_are_grouped_by_class_as_one_hot_blocks():
    _, t = spiral.load_data()
    assert set(np.unique(t)) == {0, 1}
    np.testing.assert_array_equal(t.sum(axis=1), 1)
    np.testing.assert_array_equal(t.argmax(axis=1), np.repeat([0, 1, 2], 100))


def test_spiral_radius_grows_with_the_point_index():
    x, _ = spiral.load_data()
    radius = np.hypot(x[:, 0], x[:, 1]).reshape(3, 100)
    np.testing.assert_allclose(radius, np.tile(np.arange(100) / 100, (3, 1)), rtol=0, atol=1e-15)


def test_spiral_angle_noise_is_the_seeded_default_rng_normal_times_0_2():
    x, _ = spiral.load_data(seed=7)
    noise = np.random.default_rng(7).standard_normal((3, 100))
    np.testing.assert_allclose(_noise_in_angles(x, 100, 3), noise[:, 1:], rtol=0, atol=1e-9)


def test_spiral_for_seed_1984_matches_pinned_values():
    x, _ = spiral.load_data()
    np.testing.assert_allclose(x[1], [0.000566658560164968, 0.009983931994769985], rtol=1e-12)
    np.testing.assert_allclose(x[299], [-0.5698370397546191, 0.8095589837211942], rtol=1e-12)
    np.testing.assert_allclose(x.sum(), -13.273978957243653, rtol=1e-10)


def test_spiral_is_deterministic_and_depends_on_the_seed():
    x1, t1 = spiral.load_data(seed=3)
    x2, t2 = spiral.load_data(seed=3)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(t1, t2)
    x3, t3 = spiral.load_data(seed=4)
    assert not np.array_equal(x1, x3)
    np.testing.assert_array_equal(t1, t3)


def test_spiral_without_seed_still_has_the_geometry():
    x, _ = spiral.load_data(seed=None)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius, np.tile(np.arange(100) / 100, 3), atol=1e-15)


def test_spiral_sizes_follow_points_per_class_and_classes():
    x, t = spiral.load_data(points_per_class=7, classes=5, seed=0)
    assert x.shape == (35, 2) and t.shape == (35, 5)
    np.testing.assert_array_equal(t.argmax(axis=1), np.repeat(np.arange(5), 7))
    noise = np.random.default_rng(0).standard_normal((5, 7))
    np.testing.assert_allclose(_noise_in_angles(x, 7, 5), noise[:, 1:], atol=1e-9)


def test_spiral_float32_is_the_float64_data_rounded():
    x64, t64 = spiral.load_data()
    x32, t32 = spiral.load_data(dtype=np.float32)
    assert x32.dtype == np.float32 and t32.dtype == np.int32
    np.testing.assert_array_equal(x32, x64.astype(np.float32))
    np.testing.assert_array_equal(t32, t64)


def test_spiral_returns_arrays_the_caller_may_change():
    x, t = spiral.load_data()
    x[:] = 0.0
    t[:] = 0
    x2, t2 = spiral.load_data()
    assert x2.any() and t2.sum() == 300


@pytest.mark.parametrize("name", ["points_per_class", "classes"])
@pytest.mark.parametrize("value, error", [(0, ValueError), (-3, ValueError), (2.0, TypeError),
                                          (True, TypeError), ("3", TypeError)])
def test_spiral_rejects_bad_sizes_naming_the_argument(name, value, error):
    with pytest.raises(error, match=f"{name} must be a positive int"):
        spiral.load_data(**{name: value})


@pytest.mark.parametrize("seed, error", [("1984", TypeError), (1.5, TypeError), (False, TypeError),
                                         (-1, ValueError)])
def test_spiral_rejects_bad_seed_naming_it(seed, error):
    with pytest.raises(error, match="seed must be an int >= 0"):
        spiral.load_data(seed=seed)


@pytest.mark.parametrize("dtype", [np.int32, np.float16, "not-a-type"])
def test_spiral_rejects_non_float_dtype(dtype):
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        spiral.load_data(dtype=dtype)
