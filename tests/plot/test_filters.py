"""The first-layer filters picture (§7.6): the grid, the neighbour correlation, the figure."""

import numpy as np
import pytest

from bprop.nets import SimpleConvNet


def test_filter_grid_holds_each_filter_scaled_to_its_own_range():
    from bprop.plot.filters import filter_grid

    W = np.random.default_rng(0).standard_normal((10, 2, 3, 4))
    W[9, 0] = 7.0  # a constant filter
    grid = filter_grid(W, columns=4, gap=1)
    assert grid.shape == (3 * 4 - 1, 4 * 5 - 1)
    for i in range(9):
        r, c = divmod(i, 4)
        block = grid[r * 4:r * 4 + 3, c * 5:c * 5 + 4]
        f = W[i, 0]
        np.testing.assert_allclose(block, (f - f.min()) / (f.max() - f.min()), rtol=0, atol=1e-15)
    np.testing.assert_array_equal(grid[8:11, 5:9], 0.5)
    assert np.isnan(grid[3, :]).all() and np.isnan(grid[:, 4]).all()  # the gaps
    assert np.isnan(grid[8:, 10:]).all()  # blocks 10 and 11 are unused
    raw = filter_grid(W, columns=4, channel=1, normalize=False)
    np.testing.assert_array_equal(raw[4:7, 10:14], W[6, 1])


def test_neighbour_correlation_tells_smooth_filters_from_noise():
    from bprop.plot.filters import neighbour_correlation

    noise = np.random.default_rng(0).standard_normal((500, 1, 5, 5))
    assert abs(neighbour_correlation(noise)) < 0.08
    y, x = np.mgrid[0:5, 0:5]
    ramps = np.stack([x + y, x - y, np.sin(x)])[:, None].astype(float)
    assert neighbour_correlation(ramps) > 0.4
    assert neighbour_correlation(np.ones((2, 1, 3, 3))) == 0.0


def test_filters_figure_draws_both_grids_and_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from bprop import plot
    from bprop.plot.filters import filter_grid, filters_figure

    net = SimpleConvNet(dtype=np.float32, rng=0)
    W = net.params["W1"] * 2 + 0.001
    fig = filters_figure(W, net.W1_init)
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert [ax.get_title().splitlines()[0] for ax in panels] == ["before training", "after training"]
    np.testing.assert_array_equal(panels[0].get_images()[0].get_array().filled(np.nan), filter_grid(net.W1_init))
    np.testing.assert_array_equal(panels[1].get_images()[0].get_array().filled(np.nan), filter_grid(W))
    path = plot.save(fig, tmp_path / "filters.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="W_init must have W's shape"):
        filters_figure(W, net.W1_init[:3])
