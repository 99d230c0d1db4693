"""Issue 15's race: a GPT and a BetterRnnlm-style LSTM of about the same size, the same wall time each.

    python bench/lm_race.py [--budget 1200] [--in-turns] [--model gpt|lstm] [--gpt-lr 1e-3] …

Both learn the next word of the shipped corpus (its train split, 631,895 words, 10,000 of them) and are
scored on its validation split (60,990 words). Each trains until its training steps have taken --budget
seconds of wall time; the scoring (and the LSTM's end-of-epoch checks) is not counted.

- the LSTM: ``nets.BetterRnnlm`` (2 LSTM layers, dropout 0.5, the output tied to the embedding) at
  hidden = wordvec = 160 (2.02 M parameters), as book 2's ch06/train_better_rnnlm.py trains it: batch 20 ×
  35 carried through the corpus, SGD lr 20, gradients clipped to norm 0.25, after each epoch lr ÷ 4 when the
  validation perplexity did not drop, the best epoch's weights kept. Scored as the book scores it
  (``eval_perplexity``: 10 streams, the state carried through the whole split).
- the GPT: ``nets.GPT`` (tied output), by default 4 blocks, d_model 128, 4 heads, context 64 (2.09 M
  parameters), AdamW (weight decay 0.1, not on biases and LayerNorm), batch 32 windows of 64 words drawn at
  random places of the corpus, the learning rate warmed up over 100 steps then cosine down to a tenth over
  the budget's time, gradients clipped to norm 1. Scored with windows of --context words that slide by half
  a context, each word scored once, with at least half a context before it (``gpt_perplexity``); the
  disjoint blocks of ``eval_perplexity`` (each word sees 0 … 63 words before it) are printed beside it.

By default the two run side by side, each in its own process pinned to its own core with one BLAS
thread, so that they share the machine's load equally; --in-turns runs them one after the other with all
threads. Prints the BLAS kernel and the load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np
from _timing import openblas_info


def gpt_perplexity(model, ids, context: int, batch: int = 32) -> float:
    """exp(mean loss) over ids, windows of ``context`` sliding by context // 2, each word scored once.

    The first window scores all its words; every later one only its last half, which has at least
    context // 2 words before it inside the window."""
    from bprop.layers import TimeSoftmaxWithLoss

    stride = context // 2
    starts = list(range(0, len(ids) - context, stride))
    total, count, loss = 0.0, 0, TimeSoftmaxWithLoss()
    for i in range(0, len(starts), batch):
        rows = np.array(starts[i:i + batch])
        idx = rows[:, None] + np.arange(context + 1)
        xs, ts = ids[idx[:, :-1]], ids[idx[:, 1:]].copy()
        skip = np.where(rows[:, None] == 0, 0, context - stride)
        scored = np.arange(context)[None, :] >= skip
        ts[~scored] = -1  # TimeSoftmaxWithLoss skips targets of -1
        total += float(loss.forward(model.predict(xs), ts)) * scored.sum()
        count += scored.sum()
    return math.exp(total / count)


def train_gpt(a, train, val) -> dict:
    from bprop import nets
    from bprop.nlp import clip_grads, eval_perplexity
    from bprop.optim import AdamW, merge_tied

    rng = np.random.default_rng(a.seed)
    model = nets.GPT(10_000, a.context, d_model=a.d_model, num_heads=a.heads, num_layers=a.layers,
                     dropout=a.dropout, dtype=np.float32, rng=rng)
    optimizer = AdamW(lr=a.gpt_lr, weight_decay=0.1, no_decay_1d=True)
    spent, steps = 0.0, 0
    while spent < a.budget:
        start = time.perf_counter()
        progress = spent / a.budget
        warm = (steps + 1) / a.warmup if steps < a.warmup else 1.0
        optimizer.lr = a.gpt_lr * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        rows = rng.integers(0, len(train) - a.context - 1, a.batch)
        idx = rows[:, None] + np.arange(a.context + 1)
        model.forward(train[idx[:, :-1]], train[idx[:, 1:]])
        model.backward()
        params, grads = merge_tied(model.params, model.grads)
        clip_grads(grads, 1.0)
        optimizer.update(params, grads)
        spent += time.perf_counter() - start
        steps += 1
    params = sum(p.size for p in merge_tied(model.params, model.grads)[0])
    return {"model": f"GPT {a.layers}×{a.d_model}, {a.heads} heads, context {a.context}, dropout {a.dropout:g}, "
                     f"lr {a.gpt_lr:g}", "params": params, "steps": steps, "words": steps * a.batch * a.context,
            "perplexity": gpt_perplexity(model, val, a.context),
            "blocks": eval_perplexity(model, val, batch_size=10, time_size=a.context)}


def train_lstm(a, train, val) -> dict:
    from bprop import nets
    from bprop.nlp import RnnlmTrainer, eval_perplexity
    from bprop.optim import SGD, merge_tied

    model = nets.BetterRnnlm(10_000, a.hidden, a.hidden, 0.5, dtype=np.float32, rng=np.random.default_rng(a.seed))
    trainer = RnnlmTrainer(model, SGD(lr=20.0), seed=a.seed, verbose=False)
    xs, ts = train[:-1], train[1:]
    per_epoch = len(xs) // (20 * 35)
    spent, steps, best, kept, epochs = 0.0, 0, float("inf"), None, []
    while spent < a.budget:
        start = time.perf_counter()
        trainer._step(*trainer.get_batch(xs, ts, 20, 35), 0.25)
        spent += time.perf_counter() - start
        steps += 1
        if steps % per_epoch == 0 or spent >= a.budget:  # the book's end-of-epoch check
            ppl = eval_perplexity(model, val, batch_size=10, time_size=35)
            epochs.append(round(ppl, 2))
            if ppl < best:
                best, kept = ppl, [p.copy() for p in model.params]
            else:
                trainer.optimizer.lr /= 4.0
            model.reset_state()
            trainer.time_idx = 0 if steps % per_epoch == 0 else trainer.time_idx
    for p, k in zip(model.params, kept):
        p[...] = k
    params = sum(p.size for p in merge_tied(model.params, model.grads)[0])
    return {"model": f"BetterRnnlm, hidden {a.hidden}, dropout 0.5, SGD 20", "params": params, "steps": steps,
            "words": steps * 20 * 35, "perplexity": best, "epochs": epochs}


def run_one(a) -> dict:
    from bprop.datasets import corpus

    train, val = corpus.load_data("train")[0], corpus.load_data("val")[0]
    result = (train_gpt if a.model == "gpt" else train_lstm)(a, train, val)
    return {**result, "budget": a.budget, "blas": openblas_info()}


def side_by_side(a, argv: list[str]) -> list[dict]:
    """Both models at once, each in a child pinned to its own core with one BLAS thread."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    cores = sorted(os.sched_getaffinity(0))
    children = []
    for core, model in zip(cores, ("gpt", "lstm")):
        cmd = ["taskset", "-c", str(core), sys.executable, __file__, *argv, "--model", model, "--json"]
        children.append(subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True))
    return [json.loads(child.communicate()[0].splitlines()[-1]) for child in children]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budget", type=float, default=1200.0, help="seconds of training steps per model")
    p.add_argument("--model", choices=("gpt", "lstm"), help="train only this one")
    p.add_argument("--in-turns", action="store_true", help="one after the other, all threads each")
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--hidden", type=int, default=160, help="the LSTM's hidden and word-vector size")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--context", type=int, default=64)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--gpt-lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=100)
    a = p.parse_args()
    if a.model:
        result = run_one(a)
        print(json.dumps(result) if a.json else result)
        return
    argv = [arg for arg in sys.argv[1:] if arg != "--in-turns"]
    if a.in_turns or len(os.sched_getaffinity(0)) < 2:
        results = []
        for model in ("gpt", "lstm"):
            a.model = model
            results.append(run_one(a))
    else:
        results = side_by_side(a, argv)
    print(results[0]["blas"], "(each side)", f"; load average {os.getloadavg()[0]:.2f}")
    print(f"each model trained for {a.budget:g} s of wall time" + (" in turns" if a.in_turns else
                                                                     ", side by side on one core each"))
    print("| model | parameters | steps | words seen | validation perplexity |")
    print("|---|---|---|---|---|")
    for r in results:
        extra = (f" (disjoint blocks: {r['blocks']:.2f})" if "blocks" in r
                 else f" (after each epoch: {r['epochs']})")
        print(f"| {r['model']} | {r['params']:,} | {r['steps']:,} | {r['words']:,} | "
              f"**{r['perplexity']:.2f}**{extra} |")


if __name__ == "__main__":
    main()
