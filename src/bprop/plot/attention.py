"""The attention map of a seq2seq answer (book 2 §8.4, Figure 8-25): where each output step looked.

``attention_figure(weights, question, answer)`` draws weights (answer steps ×
question steps; each row sums to 1) as a grey image, the question's
characters along the bottom and the answer's down the side, as the book's
``ch08/visualize_attention.py`` does (our own drawing code).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from bprop.plot._figure import require_matplotlib

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["attention_figure"]


def attention_figure(weights: ArrayLike, question: Sequence[str], answer: Sequence[str], title: str | None = None, *,
                     xlabel: str = "question (read by the encoder)",
                     ylabel: str = "answer (written by the decoder)") -> Figure:
    """A Figure of weights (len(answer), len(question)) with the characters (or words) as tick labels."""
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (len(answer), len(question)):
        raise ValueError(f"weights must have shape (len(answer), len(question)) = ({len(answer)}, {len(question)}), "
                         f"got {weights.shape}")
    Figure = require_matplotlib()
    fig = Figure(figsize=(max(4.0, 0.32 * len(question) + 1.5), max(3.0, 0.32 * len(answer) + 1.2)))
    ax = fig.add_subplot()
    image = ax.imshow(weights, cmap="gray_r", vmin=0.0, vmax=1.0, aspect="auto")
    words = any(len(c) > 1 for c in question)
    ax.set_xticks(range(len(question)), [c if c != " " else "·" for c in question], rotation=90 if words else 0)
    ax.set_yticks(range(len(answer)), list(answer))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(image, ax=ax, fraction=0.04, label="attention weight")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
