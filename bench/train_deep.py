"""Benchmark: the book's ch.8 DeepConvNet training, whole, in bprop and in torch, one after the other.

    python bench/train_deep.py                 # 20 epochs each: about 20 minutes on 2 cores
    python bench/train_deep.py --epochs 1      # a quick look
    python bench/train_deep.py --only bprop    # one side

The recipe is the book's ch08/train_deepnet.py (read, not copied): DeepConvNet (six 3×3
convolutions 16-16-32-32-64-64 with ReLU, a 2×2 max pooling after every second, Affine
1024→50, ReLU, Dropout 0.5, Affine 50→10, Dropout 0.5), Adam lr 0.001, 20 epochs of 600
mini-batches of 100, the accuracy on 1,000 training and 1,000 test images after each epoch
and on all 10,000 test images at the end. Here both nets are float32 (torch's default; the
book's net is float64), both draw each epoch's batches from a fresh shuffle, and both
start from He-initialised weights (bprop's DeepConvNet, torch's kaiming default is close).

- bprop: ``bprop.train.Trainer`` on ``bprop.nets.DeepConvNet(dtype=float32)``, as a learner
  runs the book's script ported by its imports (with the dtype given).
- torch: the same architecture as nn.Sequential (bench/train_conv.py's ``torch_net``),
  torch.optim.Adam, mean cross-entropy, our own loop doing what the Trainer does.

Prints the OpenBLAS kernel, both wall times of the training (data loaded before the clock
starts), the seconds per epoch, the final test accuracies, and the ratio bprop/torch. The
runs are sequential, not interleaved: on a shared machine keep everything else quiet for
the whole run; the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from _timing import has_torch, load_average, openblas_info
from train_conv import torch_net

BATCH, LR, EVAL_SAMPLES = 100, 0.001, 1000


def bprop_run(data, epochs: int) -> tuple[float, float]:
    """(training seconds, final test accuracy) of the ch.8 recipe in bprop."""
    from bprop.nets import DeepConvNet
    from bprop.train import Trainer

    (x_train, t_train), (x_test, t_test) = data
    net = DeepConvNet(dtype=np.float32, rng=0)
    trainer = Trainer(net, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=BATCH,
                      optimizer="Adam", optimizer_param={"lr": LR},
                      evaluate_sample_num_per_epoch=EVAL_SAMPLES, verbose=False, seed=0)
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    return seconds, float(net.accuracy(x_test, t_test))


def torch_run(data, epochs: int) -> tuple[float, float]:
    """(training seconds, final test accuracy) of the same recipe in torch."""
    import torch

    (x_train, t_train), (x_test, t_test) = [(torch.from_numpy(x), torch.from_numpy(t)) for x, t in data]
    torch.manual_seed(0)
    net = torch_net("DeepConvNet")
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)

    def accuracy(x, t) -> float:
        net.eval()
        with torch.no_grad():
            hits = sum(int((net(x[i:i + 1000]).argmax(dim=1) == t[i:i + 1000]).sum()) for i in range(0, len(x), 1000))
        net.train()
        return hits / len(x)

    generator = torch.Generator().manual_seed(0)
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x_train), generator=generator)
        for pos in range(0, len(x_train) - BATCH + 1, BATCH):
            idx = order[pos:pos + BATCH]
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x_train[idx]), t_train[idx]).backward()
            optimizer.step()
        accuracy(x_train[:EVAL_SAMPLES], t_train[:EVAL_SAMPLES])
        accuracy(x_test[:EVAL_SAMPLES], t_test[:EVAL_SAMPLES])
    seconds = time.perf_counter() - start
    return seconds, accuracy(x_test, t_test)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20, help="epochs of 600 steps (default 20, the book's)")
    parser.add_argument("--only", choices=("bprop", "torch"), help="run one side only")
    args = parser.parse_args()
    from bprop.datasets import load_mnist

    data = load_mnist(flatten=False, dtype=np.float32)
    sides = {"bprop": bprop_run, "torch": torch_run}
    if args.only:
        sides = {args.only: sides[args.only]}
    elif not has_torch():
        print("torch is not installed: timing bprop alone")
        sides = {"bprop": bprop_run}
    print(f"NumPy {np.__version__}, {openblas_info()}, {os.cpu_count()} CPUs; load average {load_average()}")
    results = {}
    for name, run in sides.items():
        seconds, acc = run(data, args.epochs)
        results[name] = seconds
        print(f"{name:6s} {seconds:8.1f} s for {args.epochs} epoch(s) ({seconds / args.epochs:6.1f} s/epoch), "
              f"final test accuracy {acc:.4f}; load average {load_average()}", flush=True)
    if len(results) == 2:
        print(f"bprop/torch {results['bprop'] / results['torch']:.2f}")


if __name__ == "__main__":
    main()
