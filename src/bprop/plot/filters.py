"""The first convolution's filters as images, before and after training (book §7.6).

Before training the filters are noise; after it they show the oriented edges
and blobs that the book's Figure 7-24 shows. ``filter_grid`` lays the filters
out as one image, ``neighbour_correlation`` puts a number on that change, and
``filters_figure`` draws the two grids side by side::

    from bprop import nets, plot
    net = nets.load("simple_conv.npz")          # saved by bprop train --model simple-conv
    fig = plot.filters_figure(net.params["W1"], net.W1_init)
    plot.save(fig, "filters.png")

As in the book's ``ch07/visualize_filter.py``, channel 0 of each filter is
drawn in reversed gray (large weights dark), each filter scaled to its own
range. matplotlib is imported only by ``filters_figure`` (see ``bprop.plot``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from bprop._checks import integer, is_integer

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["filter_grid", "neighbour_correlation", "filters_figure"]

# Filters per row, as the book's filter_show(nx=8).
COLUMNS = 8


def _check_filters(W, name: str = "W") -> np.ndarray:
    W = np.asarray(W)
    if W.ndim != 4 or W.dtype.kind not in "fiu" or W.size == 0:
        raise ValueError(f"{name} must be convolution filters of shape (FN, C, FH, FW), got an array of shape "
                         f"{W.shape} and dtype {W.dtype}")
    return W


def filter_grid(W: ArrayLike, columns: int = COLUMNS, channel: int = 0, gap: int = 1,
                normalize: bool = True) -> np.ndarray:
    """One image holding every filter's channel ``channel``, ``columns`` filters per row.

    W: (FN, C, FH, FW). Returns a float64 array of shape
    (rows·(FH + gap) − gap, columns·(FW + gap) − gap) with rows = ⌈FN/columns⌉:
    filter i fills the block at row i // columns, column i % columns, i.e.
    grid[r·(FH+gap) : r·(FH+gap) + FH, c·(FW+gap) : c·(FW+gap) + FW] = f(W[i, channel]),
    where f maps the filter's own minimum to 0 and maximum to 1 when
    ``normalize`` (a constant filter becomes 0.5), as imshow scales each of the
    book's subplots; f is the identity otherwise. Gaps and unused blocks are NaN
    (drawn as background).
    """
    W = _check_filters(W)
    FN, C, FH, FW = W.shape
    columns, gap = integer(columns, "columns", 1), integer(gap, "gap", 0)
    if not is_integer(channel) or not 0 <= channel < C:
        raise ValueError(f"channel must be an int in [0, {C}) for filters with {C} channel(s), got {channel!r}")
    columns = min(int(columns), FN)
    rows = -(-FN // columns)
    grid = np.full((rows * (FH + gap) - gap, columns * (FW + gap) - gap), np.nan)
    for i in range(FN):
        f = W[i, channel].astype(np.float64)
        if normalize:
            low, high = f.min(), f.max()
            f = (f - low) / (high - low) if high > low else np.full_like(f, 0.5)
        r, c = divmod(i, columns)
        grid[r * (FH + gap): r * (FH + gap) + FH, c * (FW + gap): c * (FW + gap) + FW] = f
    return grid


def neighbour_correlation(W: np.ndarray) -> float:
    """How smooth the filters are: the correlation of each weight with its right and lower neighbours.

    Over every filter and channel of W (FN, C, FH, FW), pairs (W[..., y, x],
    W[..., y, x+1]) and (W[..., y, x], W[..., y+1, x]), each filter's weights
    first centred on the filter's mean. Independent random filters give about
    −1/(FH·FW − 1) (close to 0); trained first-layer filters, which are
    edge and blob detectors, give clearly positive values. In [−1, 1]; 0 when
    every filter is constant.
    """
    W = _check_filters(W).astype(np.float64)
    W = W - W.mean(axis=(2, 3), keepdims=True)
    a = np.concatenate([W[..., :, :-1].ravel(), W[..., :-1, :].ravel()])
    b = np.concatenate([W[..., :, 1:].ravel(), W[..., 1:, :].ravel()])
    denominator = np.sqrt(np.dot(a, a) * np.dot(b, b))
    return float(np.dot(a, b) / denominator) if denominator > 0 else 0.0


def filters_figure(W: ArrayLike, W_init: ArrayLike | None = None, columns: int = COLUMNS,
                   title: str | None = None) -> Figure:
    """The filters W (after training) and, when given, W_init (before), as two grids side by side.

    W, W_init: (FN, C, FH, FW) of the same shape. Each panel is
    ``filter_grid(…, columns)`` in reversed gray (dark = large weight); its
    title gives the neighbour correlation. Returns a matplotlib Figure.
    """
    from bprop.plot._figure import require_matplotlib

    W = _check_filters(W)
    panels = []
    if W_init is not None:
        W_init = _check_filters(W_init, "W_init")
        if W_init.shape != W.shape:
            raise ValueError(f"W_init must have W's shape {W.shape}, got {W_init.shape}")
        panels.append(("before training", W_init))
    panels.append(("after training" if W_init is not None else "filters", W))
    Figure = require_matplotlib()
    FN, C, FH, FW = W.shape
    grid = filter_grid(W, columns)  # W's first, so a bad ``columns`` is reported from it
    grids = [filter_grid(W_init, columns), grid] if W_init is not None else [grid]  # one per panel
    width = 2.0 + 4.0 * len(panels) * grid.shape[1] / max(grid.shape)
    fig = Figure(figsize=(width, 1.2 + 4.0 * grid.shape[0] / max(grid.shape)), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (label, filters), image in zip(axes, panels, grids):
        image = np.ma.masked_invalid(image)
        ax.imshow(image, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(f"{label}\nneighbour correlation {neighbour_correlation(filters):+.2f}", fontsize=10)
        ax.set_axis_off()  # the NaN gaps, drawn as background, frame each filter
    suffix = f", channel 0 of {C}" if C > 1 else ""
    fig.suptitle(title or f"first-layer filters: {FN} of {FH}×{FW}{suffix}")
    return fig
