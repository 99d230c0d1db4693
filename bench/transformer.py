"""A GPT training step in bprop and in torch on the CPU, side by side: time, peak memory, generation speed.

    python bench/transformer.py [--steps 5] [--gen 64]

The step (issue 15's size): 4 pre-LN blocks, d_model 128, 4 heads, context 64, batch 32, float32, vocabulary
10,000 with the output projection tied to the token embedding, tanh-GELU in the FFN, AdamW, gradients clipped
to norm 1. torch runs the same architecture with ``F.scaled_dot_product_attention(is_causal=True)``.

- ms per step: the best of 5 rounds after a warm-up, the two frameworks timed in turns in one run;
- peak memory of a step: each framework in its own child process, the peak RSS over 3 steps minus the RSS
  before the first (the model and its optimizer state already built), so imports and weights are not counted;
- generation: tokens per second of ``GPT.generate`` from one start token, with and without the KV cache.

Goals: step ≤ 1.5× torch's time and ≤ 1.5× its peak memory. Prints the BLAS kernel and the load average
(run it when the load is below 1 and nothing else runs on the machine).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np
from _timing import best_ms, openblas_info

V, T, N, D, HEADS, LAYERS = 10_000, 64, 32, 128, 4, 4


def _batch(seed: int = 0):
    rng = np.random.default_rng(seed)
    xs = rng.integers(0, V, (N, T + 1))
    return xs[:, :-1], xs[:, 1:]


def bprop_step():
    from bprop import nets
    from bprop.nlp import clip_grads
    from bprop.optim import AdamW, merge_tied

    model = nets.GPT(V, T, d_model=D, num_heads=HEADS, num_layers=LAYERS, dtype=np.float32, rng=0)
    optimizer = AdamW(lr=3e-4, weight_decay=0.1)
    xs, ts = _batch()

    def step():
        model.forward(xs, ts)
        model.backward()
        params, grads = merge_tied(model.params, model.grads)
        clip_grads(grads, 1.0)
        optimizer.update(params, grads)

    return step


def torch_step():
    import torch
    from torch import nn
    from torch.nn import functional as F

    torch.manual_seed(0)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(D), nn.LayerNorm(D)
            self.qkv, self.proj = nn.Linear(D, 3 * D), nn.Linear(D, D)
            self.fc1, self.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)

        def forward(self, x):
            q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
            q, k, v = (a.view(N, T, HEADS, D // HEADS).transpose(1, 2) for a in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(N, T, D)
            x = x + self.proj(y)
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(V, D), nn.Embedding(T, D)
            self.blocks = nn.Sequential(*(Block() for _ in range(LAYERS)))
            self.ln = nn.LayerNorm(D)

        def forward(self, xs):
            h = self.blocks(self.tok(xs) + self.pos.weight[None])
            return self.ln(h) @ self.tok.weight.T

    model = GPT()
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
    xs, ts = (torch.tensor(a) for a in _batch())

    def step():
        optimizer.zero_grad()
        F.cross_entropy(model(xs).reshape(-1, V), ts.reshape(-1)).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    return step


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _child_peak(framework: str) -> None:
    """In a child process: the peak RSS a few steps add above the built model's."""
    step = {"bprop": bprop_step, "torch": torch_step}[framework]()
    before = _rss_mb()
    for _ in range(3):
        step()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before)


def peak_mb(framework: str) -> float:
    out = subprocess.run([sys.executable, __file__, "--peak", framework], capture_output=True, text=True,
                         check=True)
    return float(out.stdout.split()[-1])


def generation_tokens_per_s(length: int) -> dict:
    from bprop import nets

    model = nets.GPT(V, T, d_model=D, num_heads=HEADS, num_layers=LAYERS, dtype=np.float32, rng=0)
    rates = {}
    for cache in (False, True):
        start = time.perf_counter()
        model.generate([0], length, seed=0, cache=cache)
        rates[cache] = length / (time.perf_counter() - start)
    return rates


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--gen", type=int, default=64, help="tokens to generate (0: skip)")
    parser.add_argument("--peak", choices=("bprop", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak:
        _child_peak(args.peak)
        return 0
    import torch

    print(f"{openblas_info()}; torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"GPT step: {LAYERS} layers, d_model {D}, {HEADS} heads, context {T}, batch {N}, V {V}, float32")
    steps = {"bprop": bprop_step(), "torch": torch_step()}
    ms = {name: [] for name in steps}
    for _ in range(3):  # in turns, so a change of load touches both
        for name, step in steps.items():
            ms[name].append(best_ms(step, steps=args.steps, rounds=2, warmup=1))
    ms = {name: min(times) for name, times in ms.items()}
    peaks = {name: peak_mb(name) for name in steps}
    print(f"{'':8s} {'ms/step':>9s} {'peak MB':>9s}")
    for name in steps:
        print(f"{name:8s} {ms[name]:9.1f} {peaks[name]:9.0f}")
    print(f"{'ratio':8s} {ms['bprop'] / ms['torch']:8.2f}× {peaks['bprop'] / peaks['torch']:8.2f}×   "
          f"(goal ≤ 1.5× each)")
    if args.gen:
        rates = generation_tokens_per_s(args.gen)
        print(f"generation, {args.gen} tokens: {rates[False]:.0f} tokens/s without the KV cache, "
              f"{rates[True]:.0f} with it ({rates[True] / rates[False]:.1f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
