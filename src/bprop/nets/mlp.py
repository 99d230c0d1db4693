"""The book's fully connected nets: TwoLayerNet (ch.5), MultiLayerNet and MultiLayerNetExtend (ch.6).

Nets are float64 by default, like the book; pass ``dtype=np.float32`` for the
fast path (``bprop train`` does). ``rng`` (a Generator or an int seed) makes the
initial weights reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from bprop import init
from bprop._checks import float_dtype, positive_int
from bprop._types import InitSpec, Seed
from bprop.layers import Affine, BatchNormalization, Dropout, Relu, SoftmaxWithLoss, registry
from bprop.nets.sequential import Sequential, preset

__all__ = ["TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "ACTIVATIONS"]

# MultiLayerNet's activation names (the book has 'relu' and 'sigmoid'): every activation layer of bprop.
ACTIVATIONS = registry.activations()


@preset
class TwoLayerNet(Sequential):
    """The book's ch.5 two-layer net: Affine – Relu – Affine – SoftmaxWithLoss.

    W1 ~ N(0, std²) of shape (input_size, hidden_size), W2 of shape
    (hidden_size, output_size), biases zero; std is ``weight_init_std`` (a
    number, or 'he'/'xavier', see ``bprop.init``). Our additions, keyword-only:
    dtype (float64 as in the book, or float32) and rng (a Generator or a seed).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std: InitSpec = 0.01, *,
                 dtype: DTypeLike = np.float64, rng: Seed = None) -> None:
        dtype = float_dtype(dtype)
        rng = init.as_generator(rng)
        input_size, hidden_size, output_size = (positive_int(input_size, "input_size"),
                                                positive_int(hidden_size, "hidden_size"),
                                                positive_int(output_size, "output_size"))
        layers = [
            Affine(init.weights(input_size, hidden_size, weight_init_std, rng=rng, dtype=dtype),
                   np.zeros(hidden_size, dtype=dtype)),
            Relu(),
            Affine(init.weights(hidden_size, output_size, weight_init_std, rng=rng, dtype=dtype),
                   np.zeros(output_size, dtype=dtype)),
        ]
        super().__init__(layers, SoftmaxWithLoss())
        self._set_preset(input_size=input_size, hidden_size=hidden_size, output_size=output_size,
                         weight_init_std=weight_init_std)

    def _set_preset(self, **config):
        self.input_size = config["input_size"]
        self.hidden_size = config["hidden_size"]
        self.output_size = config["output_size"]
        self._config = config

    @classmethod
    def _check_saved(cls, config, records) -> None:
        _check_config_fields("TwoLayerNet", config, {"input_size", "hidden_size", "output_size", "weight_init_std"})
        _check_dense_layers("TwoLayerNet", config, [config["hidden_size"]], "relu", records)


@preset
class MultiLayerNet(Sequential):
    """The book's fully connected net (§6): (Affine – activation) × len(hidden_size_list), Affine, SoftmaxWithLoss.

    activation: 'relu' or 'sigmoid' as in the book, or 'tanh', 'leaky_relu',
    'elu', 'gelu', 'silu', 'softplus'. weight_init_std: a number, or
    'relu'/'he' (√(2/n_in)) or 'sigmoid'/'xavier' (√(1/n_in)), n_in being each
    layer's fan-in. weight_decay_lambda: λ of the L2 penalty ½λ Σ‖W‖², added to
    the loss and as λ·W to every dW (not to the biases). Our additions,
    keyword-only: dtype and rng.
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: InitSpec = "relu", weight_decay_lambda: float = 0, *,
                 dtype: DTypeLike = np.float64, rng: Seed = None) -> None:
        dtype = float_dtype(dtype)
        rng = init.as_generator(rng)
        sizes, name = _layer_sizes(input_size, hidden_size_list, output_size), _activation_name(activation)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Affine(init.weights(n_in, n_out, weight_init_std, rng=rng, dtype=dtype),
                                 np.zeros(n_out, dtype=dtype)))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[name]())
        super().__init__(layers, SoftmaxWithLoss(), weight_decay_lambda=weight_decay_lambda)
        self._set_preset(input_size=sizes[0], hidden_size_list=sizes[1:-1], output_size=sizes[-1], activation=name,
                         weight_init_std=weight_init_std, weight_decay_lambda=self.weight_decay_lambda)

    def _set_preset(self: Any, **config: Any) -> None:  # self: also a MultiLayerNetExtend (the same fields)
        self.input_size = config["input_size"]
        self.hidden_size_list = config["hidden_size_list"]
        self.hidden_layer_num = len(self.hidden_size_list)
        self.output_size = config["output_size"]
        self.activation = config["activation"]
        self._config = config

    @classmethod
    def _check_saved(cls, config, records) -> None:
        _check_config_fields("MultiLayerNet", config, {"input_size", "hidden_size_list", "output_size", "activation",
                                                       "weight_init_std", "weight_decay_lambda"})
        _check_dense_layers("MultiLayerNet", config, config["hidden_size_list"], config["activation"], records)


@preset
class MultiLayerNetExtend(Sequential):
    """The book's §6.3–6.4 net: MultiLayerNet with optional batch normalisation and dropout.

    Each hidden layer is Affine → [BatchNormalization] → activation → [Dropout],
    then a last Affine and SoftmaxWithLoss, as in the book's
    ``common/multi_layer_net_extend.py``; ``params`` are keyed W1, b1, gamma1,
    beta1, W2, … (gamma/beta only with ``use_batchnorm``). gamma starts at 1 and
    beta at 0; the running averages at 0 and 1 (see ``BatchNormalization``).

    The arguments are the book's, ``dropout_ration`` spelling included (the
    Dropout layer's ``dropout_ratio`` is accepted too, keyword-only).
    weight_decay_lambda adds ½λ Σ‖W‖² to the loss and λ·W to every dW (never
    to b, gamma or beta). Our additions, keyword-only: dtype and rng. All
    weights are drawn first, in MultiLayerNet's order, so the same ``rng`` gives
    the same W as ``MultiLayerNet`` with or without batch norm and dropout — a
    fair comparison. The Dropout layers then get generators seeded from rng, so
    a seeded net also drops the same units.

    ``predict(x, train_flg=False)`` and ``loss(x, t, train_flg=False)`` infer
    (running averages, no dropout); ``gradient`` and ``loss_and_gradient``
    train (batch statistics, dropout), as in the book.
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int, activation: str = "relu",
                 weight_init_std: InitSpec = "relu", weight_decay_lambda: float = 0, use_dropout: bool = False,
                 dropout_ration: float = 0.5, use_batchnorm: bool = False, *, dropout_ratio: float | None = None,
                 dtype: DTypeLike = np.float64, rng: Seed = None) -> None:
        dtype = float_dtype(dtype)
        rng = init.as_generator(rng)
        sizes, name = _layer_sizes(input_size, hidden_size_list, output_size), _activation_name(activation)
        if dropout_ratio is not None:
            if dropout_ration != 0.5 and dropout_ration != dropout_ratio:
                raise ValueError(f"give dropout_ration (the book's spelling) or dropout_ratio, not both: "
                                 f"got {dropout_ration!r} and {dropout_ratio!r}")
            dropout_ration = dropout_ratio
        if isinstance(dropout_ration, (bool, np.bool_)) or not isinstance(dropout_ration, (int, float, np.number)):
            raise TypeError(f"dropout_ration must be a number in [0, 1), got {dropout_ration!r}")
        ratio = float(dropout_ration)
        if not 0.0 <= ratio < 1.0:
            raise ValueError(f"dropout_ration must be a number in [0, 1), got {dropout_ration!r}")
        weights = [init.weights(n_in, n_out, weight_init_std, rng=rng, dtype=dtype)
                   for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        layers: list[Any] = []
        for i, W in enumerate(weights):
            n_out = W.shape[1]
            layers.append(Affine(W, np.zeros(n_out, dtype=dtype)))
            if i == len(sizes) - 2:
                break
            if use_batchnorm:
                layers.append(BatchNormalization(np.ones(n_out, dtype=dtype), np.zeros(n_out, dtype=dtype)))
            layers.append(ACTIVATIONS[name]())
            if use_dropout:
                # Every W is drawn already: the dropout seeds never shift the weights.
                layers.append(Dropout(ratio, rng=np.random.default_rng(int(rng.integers(2**63)))))
        super().__init__(layers, SoftmaxWithLoss(), weight_decay_lambda=weight_decay_lambda)
        self._set_preset(input_size=sizes[0], hidden_size_list=sizes[1:-1], output_size=sizes[-1], activation=name,
                         weight_init_std=weight_init_std, weight_decay_lambda=self.weight_decay_lambda,
                         use_dropout=bool(use_dropout), dropout_ration=ratio,
                         use_batchnorm=bool(use_batchnorm))

    def _set_preset(self, **config):
        MultiLayerNet._set_preset(self, **config)
        self.use_dropout = config["use_dropout"]
        self.dropout_ration = config["dropout_ration"]
        self.use_batchnorm = config["use_batchnorm"]

    @classmethod
    def _check_saved(cls, config, records) -> None:
        _check_config_fields("MultiLayerNetExtend", config, {
            "input_size", "hidden_size_list", "output_size", "activation", "weight_init_std",
            "weight_decay_lambda", "use_dropout", "dropout_ration", "use_batchnorm"})
        flags = (config["use_batchnorm"], config["use_dropout"])
        if not all(isinstance(f, bool) for f in flags):
            raise ValueError(f"MultiLayerNetExtend config is malformed: {config!r}")
        _check_dense_layers("MultiLayerNetExtend", config, config["hidden_size_list"], config["activation"],
                            records, batchnorm=flags[0], dropout=flags[1])


def _layer_sizes(input_size, hidden_size_list, output_size) -> list[int]:
    """[input, hidden…, output] for the fully connected presets, each checked."""
    if isinstance(hidden_size_list, (int, np.integer)):
        raise TypeError("hidden_size_list must be a list of sizes, e.g. [100, 100], "
                        f"got the int {hidden_size_list}")
    return [positive_int(input_size, "input_size"),
            *(positive_int(n, "each of hidden_size_list") for n in hidden_size_list),
            positive_int(output_size, "output_size")]


def _activation_name(activation) -> str:
    name = str(activation).lower()
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    return name


# --- model files: a saved fully connected preset must be what its config builds ----------------


def _check_config_fields(preset: str, config, keys: set) -> None:
    if not isinstance(config, dict) or set(config) != keys:
        raise ValueError(f"{preset} config must have the fields {sorted(keys)}, got {config!r}")


def _check_dense_layers(preset: str, config: dict, hidden, activation, records, *,
                        batchnorm: bool | None = None, dropout: bool | None = None) -> None:
    """Per hidden layer Affine, [BatchNormalization], activation, [Dropout]; then Affine; Affine sizes from config.

    batchnorm, dropout: the preset's use_batchnorm and use_dropout, None for a preset without them.
    """
    if not isinstance(hidden, list) or activation not in ACTIVATIONS:
        raise ValueError(f"{preset} config is malformed: {config!r}")
    block = ["Affine", *(["BatchNormalization"] if batchnorm else []), ACTIVATIONS[activation].__name__,
             *(["Dropout"] if dropout else [])]
    expected = block * len(hidden) + ["Affine"]
    described = f"{preset} with {len(hidden)} hidden layer(s)"
    if batchnorm is None:
        described += f" and {activation}"
    else:
        described += f", {activation}, use_batchnorm={batchnorm} and use_dropout={dropout}"
    found = [r.type for r in records]
    if found != expected:
        raise ValueError(f"{described} must have layers {expected}, got {found}")
    affine = [r.arrays["W"][1].shape for r in records if r.type == "Affine"]
    sizes = [affine[0][0], *(s[1] for s in affine)]
    if sizes != [config["input_size"], *hidden, config["output_size"]]:
        raise ValueError(f"{preset} config sizes {config!r} do not match the layers' sizes {sizes}")
