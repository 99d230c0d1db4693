"""What every figure shares: matplotlib on demand, atomic saving, colours, panel grids, smoothed curves.

matplotlib is an optional extra (``pip install 'bprop[plot]'``), imported only
when a figure is drawn; without it ``require_matplotlib`` raises
``MatplotlibMissing`` (an ImportError) saying so. Figures are built as
``Figure`` objects, never through ``pyplot``: no global backend is switched and
nothing is left open; PNG is rendered by Agg.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from bprop.fileio import format_of as _format_of
from bprop.fileio import write_bytes_atomic

FORMATS = ("png", "svg", "pdf")
INSTALL_HINT = "pip install 'bprop[plot]'"
# One colour per curve, the same optimizer or variant always in the same colour.
COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink", "tab:gray")
_DPI = 100


class MatplotlibMissing(ImportError):
    """matplotlib is not installed; the message says how to install it."""


def require_matplotlib():
    """The ``matplotlib.figure.Figure`` class; MatplotlibMissing when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise MatplotlibMissing(f"bprop plot needs matplotlib: {INSTALL_HINT} ({exc})") from None
    return Figure


def format_of(path) -> str:
    """The figure format named by the extension of path: 'png', 'svg' or 'pdf' (ValueError otherwise)."""
    return _format_of(path, FORMATS, "figure file")


def save(fig, path) -> Path:
    """Write ``fig`` to ``path`` (format by extension) through a temporary file and ``os.replace``.

    PNG is rendered by Agg at 100 dpi and stored with a 256-colour palette
    (see ``_palette_png``). No timestamp is written into SVG or PDF files, so
    PNG and PDF files of the same figure are identical from run to run.
    Returns the path.
    """
    fmt = format_of(path)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"CreationDate": None} if fmt == "pdf" else None
    fig.savefig(buffer, format=fmt, dpi=_DPI, metadata=metadata)
    data = buffer.getvalue()
    write_bytes_atomic(path, _palette_png(data) if fmt == "png" else data)
    return Path(os.fspath(path))


def _palette_png(data: bytes) -> bytes:
    """The PNG re-encoded with a 256-colour palette, without dithering.

    These figures are lines, bars and text on white: the palette keeps them
    visually identical (a mean difference under 0.1 of 255 per channel on the
    optimizers figure) and the file 2-3 times smaller (75 KB instead of 187 KB).
    Pillow is a dependency of matplotlib, so it is there whenever a figure is.
    """
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        palette = image.convert("RGB").quantize(colors=256, dither=0)  # 0: Image.Dither.NONE
    out = io.BytesIO()
    palette.save(out, format="png", optimize=True)
    return out.getvalue()


def panel_grid(n: int, columns: int) -> tuple[int, int]:
    """(rows, columns) of a grid of n panels, at most ``columns`` per row."""
    columns = min(columns, n)
    return -(-n // columns), columns


def finish_panels(fig, axes, n: int, ylabel: str) -> None:
    """Hide the grid's unused panels, label the outer axes, and put one legend below the panels.

    axes: the (rows, columns) array of ``fig.subplots(..., squeeze=False)``;
    panel k is axes[k // columns, k % columns], the first n are used.
    """
    columns = axes.shape[1]
    for k in range(n, axes.size):
        axes[k // columns, k % columns].set_visible(False)
    for ax in axes[-1, :]:
        ax.set_xlabel("epoch", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=2)


def plot_smoothed(ax, losses: dict) -> None:
    """Each label's losses per step as a moving average (``moving_average``), one colour per label."""
    for i, (label, values) in enumerate(losses.items()):
        values = np.asarray(values, dtype=float)
        xs, smooth = moving_average(np.arange(1, len(values) + 1), values)
        ax.plot(xs, smooth, color=COLORS[i % len(COLORS)], label=label)


def moving_average(x, y, window: int | None = None):
    """A centred moving average of y (NaN steps skipped): returns (x, y) trimmed to the full windows."""
    y = np.asarray(y, dtype=float)
    x = np.asarray(x)
    finite = np.isfinite(y)
    x, y = x[finite], y[finite]
    if window is None:
        window = max(1, min(len(y) // 40, 50))
    if window < 2 or len(y) < window:
        return x, y
    kernel = np.full(window, 1.0 / window)
    half = (window - 1) // 2
    return x[half:half + len(y) - window + 1], np.convolve(y, kernel, mode="valid")
