"""``bprop graph``: draw a computational graph with its forward values and gradients.

    bprop graph sigmoid --x 1.0 -o sigmoid.svg   # drawn by bprop itself: nothing to install
    bprop graph softmax-with-loss --x=0.3,2.9,4.0 --t 0 -o swl.png   # PNG and PDF need Graphviz
    bprop graph shopping                         # DOT text on stdout
    bprop graph two-layer -o net.svg             # a network as a chain of layers
    bprop graph sigmoid -o s.svg --renderer graphviz   # Graphviz's SVG instead
"""

from __future__ import annotations

import argparse
import os
import sys

from bprop.cli._common import CommandError, numbers
from bprop.graph import GRAPHS, NETWORKS, format_number, network_graph
from bprop.graph.render import RENDERERS, format_of

# Which options each built-in graph reads, besides --dout.
_OPTIONS = {
    "sigmoid": {"x"},
    "relu": {"x"},
    "tanh": {"x"},
    "affine": {"seed", "batch"},
    "softmax-with-loss": {"x", "t"},
    "shopping": set(),
    "mse": {"x", "t"},
}


def register(subparsers: argparse._SubParsersAction) -> None:
    names = ", ".join(list(GRAPHS) + list(NETWORKS))
    parser = subparsers.add_parser(
        "graph",
        help="draw a computational graph: forward values and backward gradients on every edge",
        description="Draw one of the book's computational graphs (chapter 5) from real numbers: "
        "every edge shows its forward value (blue) above its backward gradient (red). "
        "Or draw a network as a chain of layers. bprop draws .svg itself (nothing to install); "
        ".png and .pdf need Graphviz's dot. Without -o, prints Graphviz DOT text.",
    )
    parser.add_argument("name", metavar="NAME|FILE.npz", help=f"one of {names}; or a saved model file")
    parser.add_argument(
        "--x", metavar="NUMBERS",
        help="input: one number or a comma list (sigmoid, relu, tanh); the 3 scores "
        "(softmax-with-loss); the prediction y (mse). Write negatives as --x=-1,2",
    )
    parser.add_argument(
        "--t", metavar="LABEL|NUMBERS",
        help="target: a class index (softmax-with-loss, default 0) or a comma list (mse)",
    )
    parser.add_argument(
        "--dout", metavar="NUMBERS", default=None,
        help="gradient entering from the right, dL/d(output): a number or a comma list (default 1)",
    )
    parser.add_argument("--seed", type=int, default=None, help="seed for affine's example arrays (default 0)")
    parser.add_argument("--batch", type=int, default=None, help="affine: a batch of N rows instead of one 1-D input")
    parser.add_argument(
        "-o", "--output", metavar="FILE",
        help="write .dot, .svg, .png or .pdf (by extension); .png and .pdf need Graphviz's dot",
    )
    parser.add_argument(
        "--renderer", choices=RENDERERS, default=None,
        help="who draws -o FILE.svg: bprop itself (default, pure Python) or Graphviz's dot",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.output is not None:
        fmt = format_of(args.output)  # a bad extension fails before any work
    if args.renderer is not None and (args.output is None or fmt != "svg"):
        raise CommandError("--renderer applies to -o FILE.svg only (.png and .pdf are always drawn by Graphviz)")
    if args.name in GRAPHS:
        picture, summary = _computational_graph(args)
    else:
        _reject_options(args, set(), f"a network ({args.name})")
        if args.name in NETWORKS:
            picture = NETWORKS[args.name]()
        elif args.name.endswith(".npz") or os.path.exists(args.name):
            picture = _network_from_file(args.name)
        else:
            raise CommandError(
                f"unknown graph {args.name!r}; expected one of {', '.join(list(GRAPHS) + list(NETWORKS))}, "
                "or a model FILE.npz"
            )
        summary = [str(picture)]
    if args.output is None:
        sys.stdout.write(picture.to_dot())
        return 0
    picture.save(args.output, renderer=args.renderer or "bprop")
    print("\n".join(summary + [f"wrote {args.output}"]))
    return 0


def _reject_options(args, allowed: set, what: str) -> None:
    for option in ("x", "t", "dout", "seed", "batch"):
        if option not in allowed and getattr(args, option) is not None:
            raise CommandError(f"--{option} does not apply to {what}")


def _computational_graph(args):
    name = args.name
    _reject_options(args, _OPTIONS[name] | {"dout"}, name)
    kwargs = {}
    if args.x is not None:
        kwargs["y" if name == "mse" else "x"] = numbers(args.x, "--x")
    if args.t is not None:
        if name == "softmax-with-loss":
            try:
                kwargs["t"] = int(args.t)
            except ValueError:
                raise CommandError(f"--t expected a class index such as 0, got {args.t!r}") from None
        else:
            kwargs["t"] = numbers(args.t, "--t")
    if args.seed is not None:
        kwargs["seed"] = args.seed
    if args.batch is not None:
        kwargs["batch"] = args.batch
    g = GRAPHS[name](**kwargs)
    dout = 1.0 if args.dout is None else numbers(args.dout, "--dout")
    g.backward(dout=dout)
    out = g.output
    if out is None:  # every built-in graph ends in its output
        raise RuntimeError(f"graph {name!r} has no output")
    summary = [f"{out.name} = {format_number(out.data)}  (dout = {format_number(g.dout)})"]
    summary += [f"d{v.name} = {format_number(v.grad)}" for v in g.values if v.kind == "input"]
    return g, summary


def _network_from_file(path: str):
    """A saved model as a chain of layers with output shapes and parameter counts."""
    from bprop.nets import load

    if not os.path.exists(path):
        raise CommandError(f"no such model file: {path}")
    net = load(path)
    # Presets that take images say so in ``input_shape``; an MLP's input is W1's rows.
    shape = getattr(net, "input_shape", None) or (net.params["W1"].shape[0],)
    return network_graph(net.describe(shape), input_shape=("N", *shape), title=os.path.basename(path))
