"""Benchmark: one training step of book 2's models in bprop, in book 2's own code and in torch, side by side.

    python bench/train_nlp.py [--book2 DIR] [--jobs cbow,lstm100,lstm650,seq2seq,attention,ppmi]

DIR (or $BPROP_BOOK2_REPO) is a checkout of the book's repository
(oreilly-japan/deep-learning-from-scratch-2); its code is imported from there
as the reference, never copied. Without it the book's column stays empty.
Each row is one step (forward, backward, the optimizer's update) at the book's
sizes, float32, random ids (the speed does not depend on the words):

- cbow: CBOW with negative sampling, V 10,000, H 100, window 5, batch 100, Adam;
- lstm100 / lstm650: the LSTM language model (book 2's Rnnlm; BetterRnnlm's sizes
  without dropout for 650), V 10,000, batch 20, T 35, SGD with clipping;
- seq2seq: PeekySeq2seq on addition, V 13, D 16, H 128, batch 128, Adam;
- attention: AttentionSeq2seq on dates, V 59, D 16, H 256, batch 128, Adam;
- ppmi: PPMI + a rank-100 SVD of a V = 10,000 co-occurrence matrix (bprop only:
  the book's double loop takes minutes at V = 5,000).

For seq2seq and attention a second table gives one epoch as the book's scripts
(ch07/train_seq2seq.py, ch08/train.py) and ``bprop train`` run it: the steps,
then the accuracy on the 5,000 test questions, which the book's scripts answer
one question at a time and bprop in batches.

Ratios are bprop's time over the others', measured in this run; the header
names the BLAS kernel and the load average (run it when the load is below 1).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from _timing import best_ms, openblas_info

V_WORDS = 10_000


def _ids(rng, high, *shape):
    return rng.integers(0, high, shape)


# --- bprop ------------------------------------------------------------------------------------


def bprop_step(job, rng):
    from bprop import nets
    from bprop.nlp import clip_grads
    from bprop.optim import SGD, Adam, merge_tied

    if job == "cbow":
        model, opt = nets.CBOW(V_WORDS, 100, 5, _ids(rng, V_WORDS, 100_000), rng=0), Adam()
        args = (_ids(rng, V_WORDS, 100, 10), _ids(rng, V_WORDS, 100))
    elif job.startswith("lstm"):
        H = int(job[4:])
        model, opt = nets.Rnnlm(V_WORDS, H, H, rng=0), SGD(lr=20.0)
        args = (_ids(rng, V_WORDS, 20, 35), _ids(rng, V_WORDS, 20, 35))
    elif job == "seq2seq":
        model, opt = nets.PeekySeq2seq(13, 16, 128, rng=0), Adam()
        args = (_ids(rng, 13, 128, 7), _ids(rng, 13, 128, 5))
    else:
        model, opt = nets.AttentionSeq2seq(59, 16, 256, rng=0), Adam()
        args = (_ids(rng, 59, 128, 29), _ids(rng, 59, 128, 11))
    clip = 0.25 if job.startswith("lstm") else 5.0 if job in ("seq2seq", "attention") else None

    def step():
        model.forward(*args)
        model.backward()
        params, grads = merge_tied(model.params, model.grads)
        if clip is not None:
            clip_grads(grads, clip)
        opt.update(params, grads)

    return step


# --- book 2's own code --------------------------------------------------------------------


def book_step(job, rng, book):
    for sub in ("", "ch04", "ch06", "ch07", "ch08"):
        path = os.path.join(book, sub)
        if path not in sys.path:
            sys.path.insert(0, path)
    from common.optimizer import SGD, Adam
    from common.util import clip_grads

    if job == "cbow":
        from cbow import CBOW

        model, opt = CBOW(V_WORDS, 100, 5, _ids(rng, V_WORDS, 100_000)), Adam()
        args = (_ids(rng, V_WORDS, 100, 10), _ids(rng, V_WORDS, 100))
    elif job.startswith("lstm"):
        from rnnlm import Rnnlm

        H = int(job[4:])
        model, opt = Rnnlm(V_WORDS, H, H), SGD(lr=20.0)
        args = (_ids(rng, V_WORDS, 20, 35), _ids(rng, V_WORDS, 20, 35))
    elif job == "seq2seq":
        from peeky_seq2seq import PeekySeq2seq

        model, opt = PeekySeq2seq(13, 16, 128), Adam()
        args = (_ids(rng, 13, 128, 7), _ids(rng, 13, 128, 5))
    else:
        from attention_seq2seq import AttentionSeq2seq

        model, opt = AttentionSeq2seq(59, 16, 256), Adam()
        args = (_ids(rng, 59, 128, 29), _ids(rng, 59, 128, 11))
    from common.trainer import remove_duplicate

    clip = 0.25 if job.startswith("lstm") else 5.0 if job in ("seq2seq", "attention") else None

    def step():
        model.forward(*args)
        model.backward()
        params, grads = remove_duplicate(model.params, model.grads)
        if clip is not None:
            clip_grads(grads, clip)
        opt.update(params, grads)

    return step


# --- torch -------------------------------------------------------------------------------------


def torch_step(job, rng):
    import torch
    from torch import nn

    torch.manual_seed(0)
    if job.startswith("lstm"):
        H = int(job[4:])
        embed, lstm, out = nn.Embedding(V_WORDS, H), nn.LSTM(H, H, batch_first=True), nn.Linear(H, V_WORDS)
        modules, opt_cls, lr = [embed, lstm, out], torch.optim.SGD, 20.0
        xs, ts = (torch.tensor(_ids(rng, V_WORDS, 20, 35)) for _ in range(2))

        def loss_fn():
            return nn.functional.cross_entropy(out(lstm(embed(xs))[0]).reshape(-1, V_WORDS), ts.reshape(-1))
    elif job == "cbow":
        w_in, w_out = nn.Embedding(V_WORDS, 100), nn.Embedding(V_WORDS, 100)
        modules, opt_cls, lr = [w_in, w_out], torch.optim.Adam, 0.001
        ctx, tgt = torch.tensor(_ids(rng, V_WORDS, 100, 10)), torch.tensor(_ids(rng, V_WORDS, 100))
        neg = torch.tensor(_ids(rng, V_WORDS, 100, 5))

        def loss_fn():
            h = w_in(ctx).mean(1)
            scores = (w_out(torch.cat([tgt[:, None], neg], 1)) * h[:, None]).sum(2)
            labels = torch.zeros_like(scores)
            labels[:, 0] = 1
            return nn.functional.binary_cross_entropy_with_logits(scores, labels, reduction="sum") / len(h)
    else:
        V, D, H, T_in, T_out = (13, 16, 128, 7, 5) if job == "seq2seq" else (59, 16, 256, 29, 11)
        enc_embed, dec_embed = nn.Embedding(V, D), nn.Embedding(V, D)
        enc, dec = nn.LSTM(D, H, batch_first=True), nn.LSTM(D + (H if job == "seq2seq" else 0), H, batch_first=True)
        out = nn.Linear(2 * H, V)
        modules, opt_cls, lr = [enc_embed, dec_embed, enc, dec, out], torch.optim.Adam, 0.001
        xs, ts = torch.tensor(_ids(rng, V, 128, T_in)), torch.tensor(_ids(rng, V, 128, T_out))

        def loss_fn():
            hs, (h, c) = enc(enc_embed(xs))
            e = dec_embed(ts[:, :-1])
            if job == "seq2seq":  # peeky: h beside every input and output
                peek = h[0][:, None].expand(-1, e.shape[1], -1)
                y, _ = dec(torch.cat([peek, e], 2), (h, torch.zeros_like(c)))
                z = torch.cat([peek, y], 2)
            else:
                y, _ = dec(e, (h, torch.zeros_like(c)))
                a = torch.softmax(y @ hs.transpose(1, 2), dim=2)
                z = torch.cat([a @ hs, y], 2)
            return nn.functional.cross_entropy(out(z).reshape(-1, V), ts[:, 1:].reshape(-1))
    params = [p for m in modules for p in m.parameters()]
    opt = opt_cls(params, lr=lr)
    clip = 0.25 if job.startswith("lstm") else 5.0 if job in ("seq2seq", "attention") else None

    def step():
        opt.zero_grad()
        loss_fn().backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()

    return step


# --- a whole epoch of the seq2seq scripts: the steps, then the evaluation each script does -------------

EPOCH_STEPS = 45_000 // 128  # both trainers: the 45,000 training pairs in batches of 128, the rest dropped
EVAL_SAMPLE = 500  # test questions timed; the epoch's evaluation is 10× this (5,000 questions)


def _test_pairs(job):
    from bprop.datasets import sequence

    _, (x_test, t_test) = sequence.load_data("addition.txt" if job == "seq2seq" else "date.txt")
    return x_test[:EVAL_SAMPLE], t_test[:EVAL_SAMPLE], sequence.get_vocab()[1]


def bprop_eval_s(job) -> float:
    """bprop train's evaluation: seq2seq_accuracy, the questions answered in batches of 500."""
    from bprop import nets
    from bprop.nlp import seq2seq_accuracy

    model = nets.PeekySeq2seq(13, 16, 128, rng=0) if job == "seq2seq" else nets.AttentionSeq2seq(59, 16, 256, rng=0)
    x, t, _ = _test_pairs(job)
    start = time.perf_counter()
    seq2seq_accuracy(model, x, t)
    return (time.perf_counter() - start) * 5000 / len(x)


def book_eval_s(job, book) -> float:
    """The book's scripts' evaluation (ch07/train_seq2seq.py, ch08/train.py): eval_seq2seq question by question."""
    book_step(job, np.random.default_rng(0), book)  # puts the book's folders on sys.path
    from common.util import eval_seq2seq

    if job == "seq2seq":
        from peeky_seq2seq import PeekySeq2seq

        model = PeekySeq2seq(13, 16, 128)
    else:
        from attention_seq2seq import AttentionSeq2seq

        model = AttentionSeq2seq(59, 16, 256)
    x, t, id_to_char = _test_pairs(job)
    start = time.perf_counter()
    for i in range(len(x)):
        eval_seq2seq(model, x[[i]], t[[i]], id_to_char, verbose=False, is_reverse=False)
    return (time.perf_counter() - start) * 5000 / len(x)


def ppmi_svd_seconds() -> float:
    from bprop.nlp import ppmi, truncated_svd

    rng = np.random.default_rng(0)
    C = rng.poisson(0.05, (V_WORDS, V_WORDS)).astype(np.int32)
    C = C + C.T
    start = time.perf_counter()
    truncated_svd(ppmi(C), 100)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--book2", default=os.environ.get("BPROP_BOOK2_REPO"))
    parser.add_argument("--jobs", default="cbow,lstm100,lstm650,seq2seq,attention,ppmi")
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args(argv)
    try:
        import torch

        torch_threads = torch.get_num_threads()
    except ImportError:
        torch = None
    print(f"{openblas_info()}; torch {'absent' if torch is None else f'{torch.__version__}, {torch_threads} threads'}; "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"{'job':<10} {'bprop ms':>9} {'book ms':>9} {'torch ms':>9} {'book/bprop':>11} {'bprop/torch':>12}")
    step_ms = {}
    for job in args.jobs.split(","):
        if job == "ppmi":
            print(f"{'ppmi+svd':<10} {ppmi_svd_seconds() * 1e3:>9.0f} (V = 10,000, k = 100; goal < 30 s)")
            continue
        rng = np.random.default_rng(0)
        ours = best_ms(bprop_step(job, rng), args.steps, rounds=3)
        book = best_ms(book_step(job, rng, args.book2), args.steps, rounds=3) if args.book2 else None
        theirs = best_ms(torch_step(job, rng), args.steps, rounds=3) if torch is not None else None
        cells = [f"{v:>9.1f}" if v is not None else f"{'-':>9}" for v in (ours, book, theirs)]
        ratio_book = f"{book / ours:>10.2f}×" if book else f"{'-':>11}"
        ratio_torch = f"{ours / theirs:>11.2f}×" if theirs else f"{'-':>12}"
        print(f"{job:<10} {' '.join(cells)} {ratio_book} {ratio_torch}", flush=True)
        if job in ("seq2seq", "attention"):
            step_ms[job] = (ours, book)
    epochs = [job for job in args.jobs.split(",") if job in step_ms]
    if epochs:
        print(f"\none epoch as the scripts run it: {EPOCH_STEPS} steps (the times above) + evaluating the 5,000 test "
              f"questions (timed on {EVAL_SAMPLE}, × 10)")
        print(f"{'job':<10} {'bprop s':>9} {'book s':>9} {'book/bprop':>11}")
    for job in epochs:
        ours_ms, book_ms = step_ms[job]
        ours = EPOCH_STEPS * ours_ms / 1e3 + bprop_eval_s(job)
        book = EPOCH_STEPS * book_ms / 1e3 + book_eval_s(job, args.book2) if book_ms else None
        cells = f"{ours:>9.1f} " + (f"{book:>9.1f} {book / ours:>10.2f}×" if book else f"{'-':>9} {'-':>11}")
        print(f"{job:<10} {cells}", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
