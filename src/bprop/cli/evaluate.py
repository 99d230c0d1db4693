"""``bprop evaluate FILE.npz``: a saved net's test accuracy and confusion matrix."""

from __future__ import annotations

import argparse

import numpy as np

from bprop.cli._data import add_data_option, as_net_input, check_fits, load_data, load_model, summary


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="test accuracy and confusion matrix of a net saved by 'bprop train --save'",
        description="Load a net saved by 'bprop train --save FILE' and run it on the 10,000 test "
                    "images. Prints the accuracy and the confusion matrix: row d counts the "
                    "images of digit d by the digit the net predicted, so the diagonal holds the "
                    "correct answers and everything else shows which digits the net confuses.",
        epilog="example:\n  bprop train --save net.npz && bprop evaluate net.npz",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="FILE.npz", help="a net saved by 'bprop train --save'")
    add_data_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bprop.nets import EVAL_BATCH_SIZE

    net = load_model(args.model)
    _, (x_test, t_test) = load_data(args.data, net.dtype)
    check_fits(net, x_test, args.data)
    x_test = as_net_input(net, x_test)
    step = getattr(net, "eval_batch_size", EVAL_BATCH_SIZE)  # convnets: small batches bound the memory
    predicted = np.concatenate([
        net.predict(x_test[i:i + step]).argmax(axis=1) for i in range(0, len(x_test), step)
    ])
    labels = t_test if t_test.ndim == 1 else t_test.argmax(axis=1)
    n_classes = max(int(labels.max()), int(predicted.max()), 9) + 1
    matrix = confusion_matrix(labels, predicted, n_classes)
    correct = int(np.trace(matrix))
    print(f"model: {args.model} ({summary(net)})")
    print(f"test accuracy {correct / len(labels):.4f} ({correct:,} of {len(labels):,} images)")
    print()
    print(format_confusion(matrix))
    return 0


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """counts[i, j]: how many images of class i were predicted as class j."""
    return np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes)


def format_confusion(matrix: np.ndarray) -> str:
    n = len(matrix)
    width = max(5, len(f"{matrix.max():,}") + 1)
    lines = ["confusion matrix: rows = true digit, columns = predicted digit",
             "true" + "".join(f"{j:>{width}}" for j in range(n)) + "   correct"]
    for i, row in enumerate(matrix):
        total = row.sum()
        rate = f"{row[i] / total:8.1%}" if total else "       -"
        lines.append(f"{i:>4}" + "".join(f"{v:>{width},}" for v in row) + rate)
    return "\n".join(lines)
