"""What ``bprop train``, ``evaluate`` and ``predict`` share: the ``--data`` option and model loading."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bprop.cli._common import CommandError

DATA_HELP = (
    "'mnist' (the default: MNIST, shipped with bprop) or a directory holding four IDX files "
    "with MNIST's names, plain or .gz, such as Fashion-MNIST; for book 2's models 'corpus' (shipped) or a "
    "directory with the PTB files, and 'addition' or 'date' for the seq2seq models"
)


def add_data_option(parser, default: str | None = "mnist") -> None:
    """--data; default None lets a command tell a given 'mnist' from no option (bprop train --resume)."""
    parser.add_argument("--data", default=default, metavar="mnist|DIR", help=DATA_HELP)


def load_data(spec: str, dtype, *, flatten: bool = True):
    """((x_train, t_train), (x_test, t_test)) for ``--data``; images in [0, 1] as dtype."""
    if spec == "mnist":
        from bprop.datasets import load_mnist

        return load_mnist(flatten=flatten, dtype=dtype)
    path = Path(spec)
    if not path.is_dir():
        raise CommandError(f"--data expects 'mnist' or a directory with the four IDX files; "
                           f"{spec!r} is not a directory")
    from bprop.datasets import load_idx_dataset

    return load_idx_dataset(path, flatten=flatten, dtype=dtype)


def load_model(path: str):
    """The net saved at path (ModelFileError, a ValueError, for a broken file)."""
    from bprop.nets import load

    return load(path)


def input_size(net) -> int | None:
    """The number of features the net's first parameter expects (None when it has none)."""
    shape = getattr(net, "input_shape", None)  # convnets: one image's (C, H, W)
    if shape is not None:
        return int(np.prod(shape))
    for p in net.params.values():
        return p.shape[0]
    return None


def check_fits(net, x, spec: str) -> None:
    """Raise CommandError when the images of --data do not fit the net's input."""
    features = x[0].size
    expected = input_size(net)
    if expected is not None and features != expected:
        raise CommandError(f"the model expects {expected} input features but the images of "
                           f"--data {spec} have {features} ({'x'.join(map(str, x.shape[1:]))})")


def as_net_input(net, x: np.ndarray) -> np.ndarray:
    """x shaped as the net takes it: (N, C, H, W) for a convnet (its ``input_shape``), else (N, D)."""
    shape = getattr(net, "input_shape", None)
    return x.reshape(len(x), *shape) if shape is not None else x.reshape(len(x), -1)


def summary(net) -> str:
    """e.g. 'TwoLayerNet 784-50-10, float32'; 'SimpleConvNet 1x28x28-conv30@5x5-100-10, float32'."""
    if getattr(net, "input_shape", None) is not None:
        parts = ["x".join(map(str, net.input_shape))]
        parts += [f"conv{p.shape[0]}@{p.shape[2]}x{p.shape[3]}" if p.ndim == 4 else str(p.shape[1])
                  for k, p in net.params.items() if k.startswith("W")]
        return f"{type(net).__name__} {'-'.join(parts)}, {net.dtype}"
    sizes = [p.shape for k, p in net.params.items() if k.startswith("W")]
    arch = "-".join(str(n) for n in [sizes[0][0], *(s[1] for s in sizes)]) if sizes else "no parameters"
    activation = getattr(net, "activation", None)
    extra = f" ({activation})" if activation else ""
    return f"{type(net).__name__} {arch}{extra}, {net.dtype}"
