"""``bprop predict FILE.npz --index N``: one test image as ASCII art, and the digit the net sees."""

from __future__ import annotations

import argparse

import numpy as np

from bprop.cli._common import count
from bprop.cli._data import add_data_option, as_net_input, check_fits, load_data, load_model

# Dark to bright; each pixel is drawn twice across so the digit keeps its shape
# in a terminal, whose cells are about twice as tall as wide.
SHADES = " .:-=+*#%@"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "predict",
        help="show a test image in the terminal and the digit a saved net predicts for it",
        description="Load a net saved by 'bprop train --save FILE', draw test image N as ASCII "
                    "art and print the digit the net predicts, with the true label and the "
                    "probability the net gives its answer (softmax of its scores).",
        epilog="example:\n  bprop predict net.npz --index 0",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("model", metavar="FILE.npz", help="a net saved by 'bprop train --save'")
    p.add_argument("--index", metavar="N", default="0",
                   help="which test image, 0 to 9999 for MNIST (default 0)")
    add_data_option(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bprop.functions import softmax

    net = load_model(args.model)
    _, (x_test, t_test) = load_data(args.data, net.dtype, flatten=False)
    index = count(args.index, "--index", minimum=0, maximum=len(x_test) - 1)
    check_fits(net, x_test, args.data)
    image = x_test[index]
    scores = net.predict(as_net_input(net, image[None]))[0]
    probabilities = softmax(scores)
    digit = int(np.argmax(scores))
    label = int(t_test[index]) if t_test.ndim == 1 else int(np.argmax(t_test[index]))
    print(ascii_art(image.reshape(image.shape[-2], image.shape[-1])))
    verdict = "" if digit == label else "  <- wrong"
    print(f"predicted: {digit} (true label {label}), probability {probabilities[digit]:.2f}{verdict}")
    return 0


def ascii_art(image: np.ndarray) -> str:
    """Rows of SHADES characters for a (H, W) image with values in [0, 1]."""
    levels = np.clip((image * len(SHADES)).astype(np.intp), 0, len(SHADES) - 1)
    return "\n".join("".join(SHADES[v] * 2 for v in row).rstrip() for row in levels)
