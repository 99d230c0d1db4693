"""``bprop plot filters FILE.npz``: a convnet's first-layer filters before and after training (§7.6).

Registered by ``bprop.cli.plot`` as one of its figures; kept apart because it
reads a saved model instead of running an experiment.
"""

from __future__ import annotations

from bprop.cli._common import CommandError, count

HELP = "a saved convnet's first-layer filters as images, before and after training (§7.6)"


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="FILE.npz",
                        help="a convnet saved by 'bprop train --model simple-conv|deep-conv --save FILE.npz'")
    parser.add_argument("--columns", metavar="N", default="8", help="filters per row (default 8, as the book)")


def run(args, seed):
    """(figure, lines): the filters W1 and, when the file holds them, the initial ones W1_init."""
    from bprop import plot
    from bprop.cli._data import load_model

    columns = count(args.columns, "--columns")
    net = load_model(args.model)
    W = net.params["W1"] if "W1" in net.params else None
    if W is None or W.ndim != 4:
        raise CommandError(f"{args.model}: the first layer is not a convolution (W1 has shape "
                           f"{None if W is None else W.shape}); train one with --model simple-conv or deep-conv")
    W_init = getattr(net, "W1_init", None)
    FN, C, FH, FW = W.shape
    lines = [f"{args.model}: {FN} filters of {C}x{FH}x{FW} (channel 0 drawn)"]
    lines.append(f"{'':16} {'std':>8} {'neighbour correlation':>22}")
    if W_init is not None:
        lines.append(f"{'before training':16} {W_init.std():8.4f} {plot.neighbour_correlation(W_init):22.3f}")
    else:
        lines.append("(the file holds no initial filters W1_init: only the trained ones are drawn)")
    lines.append(f"{'after training':16} {W.std():8.4f} {plot.neighbour_correlation(W):22.3f}")
    title = f"{type(net).__name__}: first-layer filters"
    return plot.filters_figure(W, W_init, columns=columns, title=title), lines

