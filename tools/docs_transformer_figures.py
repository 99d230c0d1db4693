"""Draw the figures of docs/transformer.md (and .ja.md) into docs/images/transformer-*.png.

    python tools/docs_transformer_figures.py            # all of them, a few seconds
    python tools/docs_transformer_figures.py --out DIR  # somewhere else

Every number comes from bprop's own layers, with fixed seeds and small sizes, so
the same code draws the same pictures. matplotlib is used without pyplot (the
Agg canvas) and the files are written by ``bprop.plot.save`` (a 256-colour PNG,
written atomically), as the other figures of docs/images/ are.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bprop import plot  # noqa: E402
from bprop.functions import attention_weights, causal_mask  # noqa: E402
from bprop.gradcheck import numerical_gradient  # noqa: E402
from bprop.layers import Gelu, PositionalEncoding, Relu, ScaledDotProductAttention  # noqa: E402
from bprop.nets import GPT  # noqa: E402
from bprop.nlp import clip_grads  # noqa: E402
from bprop.optim import AdamW, TransformerSchedule, WarmupCosine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# The little text of the GPT section: a few sentences, repeated (the docs' snippet builds the same one).
SENTENCES = [
    "the cat sat on the warm mat and looked at the rain.",
    "a small dog ran to the door and waited for the bell.",
    "the rain fell on the roof all night and the cat slept.",
    "in the morning the dog and the cat sat by the window.",
    "the sun came out and the mat was warm again.",
    "the bell rang, the dog ran, and the cat did not move.",
]


def tiny_text() -> str:
    return "\n".join(SENTENCES[i % len(SENTENCES)] for i in range(60)) + "\n"


def _heatmap(ax, A, title, xlabels=None, ylabels=None):
    image = ax.imshow(A, cmap="viridis", vmin=0.0, vmax=1.0)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("key j")
    ax.set_ylabel("query i")
    if xlabels is not None:
        ax.set_xticks(range(len(xlabels)), xlabels, fontsize=7)
    if ylabels is not None:
        ax.set_yticks(range(len(ylabels)), ylabels, fontsize=7)
    return image


def attention_masks(out: Path) -> Path:
    """§1: the weights softmax(q·kᵀ/√d_k) of one sequence, unmasked, causal, and with two padded keys."""
    rng = np.random.default_rng(0)
    T, d_k = 6, 8
    q, k = rng.standard_normal((T, d_k)), rng.standard_normal((T, d_k))
    padding = np.arange(T) < 4  # the last two keys are padding
    panels = [("no mask", None), ("causal: j ≤ i", causal_mask(T)), ("padding: keys 4, 5 masked", padding[None, :])]
    fig = Figure(figsize=(11, 3.9), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, (title, mask) in zip(axes, panels):
        A = attention_weights(q, k, mask)
        image = _heatmap(ax, A, title)
        for i in range(T):
            for j in range(T):
                ax.text(j, i, f"{A[i, j]:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if A[i, j] < 0.5 else "black")
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight A[i, j]")
    fig.suptitle("attention weights: each row sums to 1 over the keys it may see", fontsize=11)
    return plot.save(fig, out / "transformer-attention.png")


class _Unscaled(ScaledDotProductAttention):
    """The backward's classic slip for the picture: dq and dk without the 1/√d_k."""

    def backward(self, dout):
        dq, dk, dv = super().backward(dout)
        s = np.sqrt(self.cache[0].shape[-1])
        return dq * s, dk * s, dv


def backward_check(out: Path) -> Path:
    """§2: dq of the hand-written backward against central differences, right and with the 1/√d_k forgotten."""
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((2, 3, 9)), rng.standard_normal((2, 5, 9)), rng.standard_normal((2, 5, 2))
    dout = rng.standard_normal((2, 3, 2))
    fig = Figure(figsize=(8, 3.8))
    axes = fig.subplots(1, 2)
    for ax, layer, title in zip(axes, (ScaledDotProductAttention(), _Unscaled()),
                                ("the backward as derived", "dq without the 1/√d_k")):
        layer.forward(q, k, v)
        dq = layer.backward(dout)[0]
        numerical = numerical_gradient(lambda _: float((layer.forward(q, k, v) * dout).sum()), q)
        lim = 1.1 * max(np.abs(dq).max(), np.abs(numerical).max())
        ax.plot([-lim, lim], [-lim, lim], color="0.7", lw=1)
        ax.scatter(numerical.ravel(), dq.ravel(), s=12)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xlabel("central differences")
        ax.set_ylabel("backward")
        ax.set_title(title, fontsize=10)
    fig.suptitle("dq, one point per entry: on the diagonal when the backward is right (d_k = 9)", fontsize=11)
    fig.tight_layout()
    return plot.save(fig, out / "transformer-backward.png")


def head_split(out: Path) -> Path:
    """§3: which columns of Q each head takes, before and after reshape + transpose."""
    T, d_model, h = 4, 8, 2
    d_k = d_model // h
    column = np.tile(np.arange(d_model), (T, 1))
    head = column // d_k
    fig = Figure(figsize=(10, 2.7), layout="constrained")
    grid = fig.add_gridspec(1, 1 + h, width_ratios=[d_model + 2] + [d_k + 1] * h)
    ax = fig.add_subplot(grid[0])
    ax.imshow(head, cmap="Pastel1", vmin=0, vmax=8)
    for t in range(T):
        for c in range(d_model):
            ax.text(c, t, f"{c}", ha="center", va="center", fontsize=8)
    ax.set_title("Q = x·W_q: (T, d_model), number = column", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks(range(T), [f"t={t}" for t in range(T)], fontsize=8)
    split = column.reshape(T, h, d_k).transpose(1, 0, 2)  # one sequence's (h, T, d_k)
    for i in range(h):
        ax = fig.add_subplot(grid[1 + i])
        ax.imshow(np.full((T, d_k), i), cmap="Pastel1", vmin=0, vmax=8)
        for t in range(T):
            for c in range(d_k):
                ax.text(c, t, f"{split[i, t, c]}", ha="center", va="center", fontsize=8)
        ax.set_title(f"head {i}: (T, d_k)", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("reshape(N, T, h, d_k).transpose(0, 2, 1, 3): head i takes columns i·d_k … (i+1)·d_k − 1",
                 fontsize=10)
    return plot.save(fig, out / "transformer-heads.png")


def positional_encoding(out: Path) -> Path:
    """§4: the sinusoid table PE (max_len × d_model) and a few of its columns."""
    pe = PositionalEncoding(max_len=64, d_model=32).pe
    fig = Figure(figsize=(10, 3.8))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    image = left.imshow(pe, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    left.set_xlabel("dimension (even: sin, odd: cos)")
    left.set_ylabel("position t")
    left.set_title("PE[t, :] for max_len 64, d_model 32", fontsize=10)
    fig.colorbar(image, ax=left)
    for column in (0, 1, 6, 14):
        right.plot(pe[:, column], label=f"column {column}")
    right.set_xlabel("position t")
    right.set_title("slower waves further right", fontsize=10)
    right.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return plot.save(fig, out / "transformer-positional-encoding.png")


def gelu(out: Path) -> Path:
    """§5: GELU (exact and tanh) and ReLU, with their derivatives, from the layers' own forward and backward."""
    x = np.linspace(-4, 4, 401)
    fig = Figure(figsize=(9, 3.4))
    values, slopes = fig.subplots(1, 2)
    for name, layer, style in (("GELU x·Φ(x)", Gelu(exact=True), "-"), ("GELU, tanh form", Gelu(), "--"),
                               ("ReLU", Relu(), ":")):
        values.plot(x, layer.forward(x), style, label=name, lw=1.5)
        slopes.plot(x, layer.backward(np.ones_like(x)), style, label=name, lw=1.5)
    values.set_title("y", fontsize=10)
    slopes.set_title("dy/dx (backward of ones)", fontsize=10)
    for ax in (values, slopes):
        ax.axhline(0, color="0.8", lw=0.8)
        ax.set_xlabel("x")
        ax.legend(fontsize=8)
    fig.tight_layout()
    return plot.save(fig, out / "transformer-gelu.png")


def lr_schedules(out: Path) -> Path:
    """§6: WarmupCosine as bprop train uses it, and the paper's TransformerSchedule."""
    cosine = WarmupCosine(lr=3e-4, warmup=100, total=1000, min_lr=3e-5)
    noam = TransformerSchedule(d_model=512, warmup=4000)
    fig = Figure(figsize=(9, 3.4))
    left, right = fig.subplots(1, 2)
    steps = np.arange(1100)
    left.plot(steps, [1e4 * cosine(int(s)) for s in steps])
    left.axvline(100, color="0.7", ls="--", lw=1)
    left.axvline(1000, color="0.7", ls="--", lw=1)
    left.set_title("WarmupCosine(3e-4, warmup=100, total=1000, min_lr=3e-5)", fontsize=9)
    steps = np.arange(0, 40000, 20)
    right.plot(steps, [1e4 * noam(int(s)) for s in steps])
    right.set_xticks([0, 10000, 20000, 30000, 40000], ["0", "10k", "20k", "30k", "40k"])
    right.axvline(3999, color="0.7", ls="--", lw=1)
    right.set_title("TransformerSchedule(d_model=512, warmup=4000)", fontsize=9)
    for ax in (left, right):
        ax.set_xlabel("step (updates before this one)")
        ax.set_ylabel("lr (× 1e-4)")
    fig.tight_layout()
    return plot.save(fig, out / "transformer-lr-schedule.png")


def gpt_attention(out: Path) -> Path:
    """§7: a one-block character GPT trained a second on the tiny text; both heads' causal attention."""
    text = tiny_text()
    chars = sorted(set(text))
    ids = np.array([chars.index(c) for c in text])
    T, steps = 16, 300
    model = GPT(len(chars), context=T, d_model=32, num_heads=2, num_layers=1, rng=0)
    optimizer = AdamW(lr=3e-3, weight_decay=0.1, no_decay_1d=True)
    schedule = WarmupCosine(lr=3e-3, warmup=30, total=steps, min_lr=3e-4)
    rng = np.random.default_rng(0)
    for step in range(steps):
        window = rng.integers(0, len(ids) - T - 1, size=16)[:, None] + np.arange(T)
        model.forward(ids[window], ids[window + 1])
        model.backward()
        clip_grads(model.grads, 1.0)
        schedule.apply(optimizer, step)
        optimizer.update(model.params, model.grads)
    window = text[:T]
    model.predict(np.array([[chars.index(c) for c in window]]))
    labels = [repr(c)[1:-1] if c != " " else "␣" for c in window]
    fig = Figure(figsize=(10, 4.6), layout="constrained")
    axes = fig.subplots(1, 2)
    for head, ax in enumerate(axes):
        image = _heatmap(ax, model.attention_map(layer=0, head=head)[0], f"block 1, head {head + 1}", labels, labels)
    fig.colorbar(image, ax=axes, shrink=0.8, label="weight")
    fig.suptitle("a tiny character GPT after 300 updates: nothing above the diagonal (causal)", fontsize=11)
    return plot.save(fig, out / "transformer-gpt-attention.png")


FIGURES = (attention_masks, backward_check, head_split, positional_encoding, gelu, lr_schedules, gpt_attention)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "images"), help="folder (default docs/images)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for figure in FIGURES:
        start = time.perf_counter()
        path = figure(out)
        print(f"{path}  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
