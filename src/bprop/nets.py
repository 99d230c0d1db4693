"""Networks: ``Sequential`` (layers in order, then a loss layer) and the book's nets as presets.

>>> net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, rng=0)
>>> grads = net.gradient(x_batch, t_batch)        # backprop, as in ch.5
>>> for key in ("W1", "b1", "W2", "b2"):
...     net.params[key] -= 0.1 * grads[key]

``params`` and ``grads`` are dicts keyed like the book (``W1``, ``b1``, ``W2``,
…): each parameter name is numbered by its occurrence over the layers, so
Affine–Relu–Affine gives W1, b1, W2, b2, and a net with batch normalisation
would give W1, b1, gamma1, beta1, W2, … as in the book's MultiLayerNetExtend.
They are views assembled from the layers, never copies: ``params['W1']`` *is*
the first Affine's ``W``, so updating it in place (what the book's loop and
``bprop.optim`` do) trains the layer.

Labels ``t`` may be integer class indices (N,) or one-hot (N, C), as in the book.
Nets are float64 by default, like the book; pass ``dtype=np.float32`` for the
fast path (``bprop train`` does). ``rng`` (a Generator or an int seed) makes the
initial weights reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import NamedTuple

import numpy as np

from bprop import init
from bprop.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Elu,
    Gelu,
    LeakyRelu,
    Pooling,
    Relu,
    Sigmoid,
    Silu,
    SoftmaxWithLoss,
    Softplus,
    Tanh,
)
from bprop.layers.base import as_float_array, contains_nan, layers_feeding_layers

__all__ = [
    "Sequential", "TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet", "DeepConvNet",
    "LayerSummary", "ACTIVATIONS", "save", "load",
]

# MultiLayerNet's activation names (the book has 'relu' and 'sigmoid').
ACTIVATIONS = {
    "relu": Relu,
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "leaky_relu": LeakyRelu,
    "elu": Elu,
    "gelu": Gelu,
    "silu": Silu,
    "softplus": Softplus,
}

# Rows evaluated at once by accuracy(): bounds the memory held (2,000 × 784
# float32 is 6 MB) and keeps it in cache; accuracy on MNIST's 60,000 training
# images took 34 ms in batches of 2,000 and 41 ms in batches of 10,000.
EVAL_BATCH_SIZE = 2_000


class LayerSummary(NamedTuple):
    """One row of ``Sequential.describe``: the spec ``bprop.graph.network_graph`` draws."""

    type: str
    output_shape: tuple
    param_count: int


class ParamDict(MutableMapping):
    """The net's parameters as a dict view: ``params['W1']`` is the layer's own array.

    Reading gives the layer's array itself (no copy). Assigning replaces the
    layer's array with the new value, which must have the same shape; it is
    converted to the net's dtype. ``params[k] -= g`` updates in place (Python
    hands the same array back to ``__setitem__``, which keeps it).
    """

    def __init__(self, slots: dict[str, tuple[object, str]]):
        self._slots = slots

    def __getitem__(self, key: str) -> np.ndarray:
        layer, attr = self._slot(key)
        return getattr(layer, attr)

    def __setitem__(self, key: str, value) -> None:
        layer, attr = self._slot(key)
        old = getattr(layer, attr)
        if value is old:
            return
        value = np.asarray(value)
        if value.shape != old.shape:
            raise ValueError(f"params[{key!r}] has shape {old.shape}, cannot assign an array of shape {value.shape}")
        setattr(layer, attr, value.astype(old.dtype, copy=True))

    def __delitem__(self, key: str) -> None:
        raise TypeError("a net's parameters cannot be deleted; build a new net instead")

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k!r}: array{getattr(l, a).shape}" for k, (l, a) in self._slots.items())
        return f"ParamDict({{{inner}}})"

    def _slot(self, key: str):
        try:
            return self._slots[key]
        except KeyError:
            raise KeyError(f"no parameter {key!r}; the net has {', '.join(self._slots) or 'none'}") from None


class Sequential:
    """Layers applied in order, then a loss layer — the shape of every net in the book.

    predict(x)     = layers[-1](… layers[0](x))            the scores (logits), (N, C)
    loss(x, t)     = last_layer(predict(x), t) + ½λ Σ_W ‖W‖²   a scalar of the net's dtype
    gradient(x, t) = backprop: dL/dparam for every parameter, as a dict keyed like ``params``

    layers: a list of layers (named ``Affine1``, ``Relu1``, ``Affine2`` … by type
    and count) or a dict name → layer, like the book's ``OrderedDict``.
    loss_layer: defaults to ``SoftmaxWithLoss()``; kept as ``last_layer``.
    weight_decay_lambda: λ of the L2 penalty of the book's §6.4.1, on every
    parameter named ``W`` (never on biases); backprop adds λ·W to each dW.
    """

    def __init__(self, layers, loss_layer=None, *, weight_decay_lambda: float = 0.0):
        if isinstance(layers, dict):
            named = dict(layers)
        else:
            named, counts = {}, {}
            for layer in layers:
                kind = type(layer).__name__
                counts[kind] = counts.get(kind, 0) + 1
                named[f"{kind}{counts[kind]}"] = layer
        for name, layer in named.items():
            if not (callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None))):
                raise TypeError(f"layer {name!r} must have forward and backward methods, got {type(layer).__name__}")
        if not named:
            raise ValueError("Sequential needs at least one layer")
        loss_layer = SoftmaxWithLoss() if loss_layer is None else loss_layer
        if not callable(getattr(loss_layer, "forward", None)):
            raise TypeError(f"loss_layer must have forward(x, t) and backward(), got {type(loss_layer).__name__}")
        lam = float(weight_decay_lambda)
        if not np.isfinite(lam) or lam < 0:
            raise ValueError(f"weight_decay_lambda must be a finite number >= 0, got {weight_decay_lambda!r}")
        self.layers = named
        self.last_layer = loss_layer
        self.weight_decay_lambda = lam

    # --- the book's interface ------------------------------------------------------------

    @property
    def params(self) -> ParamDict:
        """Every parameter, keyed W1, b1, W2, … (see the module docstring); the layers' own arrays."""
        return ParamDict(self._slots())

    @property
    def grads(self) -> dict[str, np.ndarray | None]:
        """The gradients the last ``gradient`` call left on the layers, keyed like ``params``."""
        return {key: getattr(layer, "d" + attr, None) for key, (layer, attr) in self._slots().items()}

    @property
    def lastLayer(self):  # noqa: N802 - the book's ch.5 TwoLayerNet spells it so
        return self.last_layer

    @property
    def dtype(self) -> np.dtype | None:
        """The dtype of the parameters (None for a net without any)."""
        slots = self._slots()
        if not slots:
            return None
        layer, attr = next(iter(slots.values()))
        return getattr(layer, attr).dtype

    def predict(self, x, train_flg: bool = False) -> np.ndarray:
        """The last layer's output before the loss: scores (logits) of shape (N, C).

        x is scanned for NaN here, and so are the scores; the layers in
        between skip their own scans (``layers_feeding_layers``): a NaN that
        starts inside a layer still reaches the scores.
        """
        x = as_float_array(x, "x", type(self).__name__)
        with layers_feeding_layers():
            for layer in self.layers.values():
                x = layer.forward(x, train_flg=train_flg)
        if contains_nan(x):
            where = tuple(int(i) for i in np.argwhere(np.isnan(x))[0])
            raise ValueError(
                f"{type(self).__name__} computed NaN scores (at index {where}) from an input without NaN: "
                f"a layer overflowed (inf − inf or 0·inf). Are the weights finite? Is the learning rate too large?"
            )
        return x

    def loss(self, x, t, train_flg: bool = False):
        """L = last_layer(predict(x), t) + ½λ Σ_W ‖W‖², a scalar of the net's dtype."""
        y = self.predict(x, train_flg=train_flg)
        return self.last_layer.forward(y, t) + self._decay_loss()

    def accuracy(self, x, t, batch_size: int = EVAL_BATCH_SIZE) -> float:
        """The fraction of rows whose argmax of ``predict`` equals the label.

        t: integer labels (N,) or one-hot (N, C). The rows are evaluated
        ``batch_size`` at a time, so memory stays bounded on large sets.
        """
        labels = _labels(t)
        n = len(labels)
        if n == 0 or np.shape(x)[0] != n:
            raise ValueError(f"accuracy expected x and t with the same number of rows (> 0), "
                             f"got x of shape {np.shape(x)} and t of shape {np.shape(t)}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
        correct = 0
        for start in range(0, n, batch_size):
            y = self.predict(x[start:start + batch_size], train_flg=False)
            correct += int(np.count_nonzero(y.argmax(axis=1) == labels[start:start + batch_size]))
        return correct / n

    def gradient(self, x, t) -> dict[str, np.ndarray]:
        """Backprop (book §5.7.2): forward, the loss layer's backward(1), then every layer in reverse.

        Returns the gradients keyed like ``params`` (the layers keep them as dW, db).
        """
        self.loss_and_gradient(x, t)
        return self.grads

    def loss_and_gradient(self, x, t):
        """One forward and one backward pass; returns (loss, grads).

        The loss is that of the parameters *before* any update, computed by the
        same forward pass — the book's loop calls ``loss`` again after the
        update, a second forward pass this saves.
        """
        layers = list(self.layers.values())
        y = self.predict(x, train_flg=True)
        loss = self.last_layer.forward(y, t) + self._decay_loss()
        with layers_feeding_layers():
            dout = self.last_layer.backward(1)
            first = _first_with_params(layers)
            for layer in reversed(layers[first + 1:]):
                dout = layer.backward(dout)
            if first < len(layers):
                # Nothing before the first layer with parameters needs dout: skip its
                # dx when the layer can. Affine.backward_params saves the (N,M)·(M,D)
                # product: a TwoLayerNet float32 step took 0.23 ms instead of 0.30
                # (bench/train_mlp.py).
                layer = layers[first]
                getattr(layer, "backward_params", layer.backward)(dout)
        if self.weight_decay_lambda:
            lam = self.weight_decay_lambda
            for layer, attr in self._slots().values():
                if attr == "W":
                    layer.dW += layer.dW.dtype.type(lam) * layer.W
        return loss, self.grads

    def numerical_gradient(self, x, t) -> dict[str, np.ndarray]:
        """Central-difference gradients of ``loss`` for every parameter (book §4.4; slow).

        Uses ``bprop.gradcheck.numerical_gradient``, which perturbs each
        parameter in place and restores it. Meaningful in float64 only: with
        float32 parameters the differences are dominated by rounding.
        """
        from bprop.gradcheck import numerical_gradient

        def f(_):
            return self.loss(x, t, train_flg=True)

        return {key: numerical_gradient(f, param) for key, param in self.params.items()}

    # --- our additions ------------------------------------------------------------------

    def describe(self, input_shape) -> list[LayerSummary]:
        """One (type, output shape, parameter count) per layer, then the loss layer.

        input_shape: one sample's shape, e.g. (784,). Output shapes start with
        "N" (the batch): ("N", 50). The loss layer's row has shape (). The shapes
        come from a forward pass of one zero sample in eval mode. These are the
        specs ``bprop.graph.network_graph`` draws.
        """
        shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
        x = np.zeros((1, *shape), dtype=self.dtype or np.float64)
        rows = []
        for layer in self.layers.values():
            x = layer.forward(x, train_flg=False)
            count = sum(int(np.size(p)) for p in getattr(layer, "params", {}).values())
            rows.append(LayerSummary(type(layer).__name__, ("N", *x.shape[1:]), count))
        rows.append(LayerSummary(type(self.last_layer).__name__, (), 0))
        return rows

    def save(self, path) -> Path:
        """Write the net to an .npz file (see ``bprop.serialize.save``); returns the path written."""
        from bprop.serialize import save

        return save(self, path)

    def __repr__(self) -> str:
        inner = ", ".join(self.layers)
        return f"{type(self).__name__}([{inner}], loss={type(self.last_layer).__name__})"

    # --- internals -------------------------------------------------------------------

    def _slots(self) -> dict[str, tuple[object, str]]:
        """key → (layer, attribute name), numbering each parameter name by occurrence."""
        slots, counts = {}, {}
        for layer in self.layers.values():
            for attr in getattr(layer, "param_names", ()):
                counts[attr] = counts.get(attr, 0) + 1
                slots[f"{attr}{counts[attr]}"] = (layer, attr)
        return slots

    def _decay_loss(self):
        """½λ Σ‖W‖² over every parameter named W (0 when λ = 0)."""
        lam = self.weight_decay_lambda
        weights = [getattr(layer, attr) for layer, attr in self._slots().values() if attr == "W"] if lam else []
        if not weights:
            return 0
        total = sum(np.vdot(W, W) for W in weights)  # np.vdot flattens; float32 stays float32
        return weights[0].dtype.type(0.5 * lam) * total

    # A preset (TwoLayerNet, …) keeps its constructor arguments here (_set_preset),
    # so that a model file can rebuild it as that class.
    _config = None

    def _preset(self) -> dict | None:
        """{"class": the preset's name, "config": its arguments}, or None for a plain Sequential."""
        return None if self._config is None else {"class": type(self).__name__, "config": self._config}


class TwoLayerNet(Sequential):
    """The book's ch.5 two-layer net: Affine – Relu – Affine – SoftmaxWithLoss.

    W1 ~ N(0, std²) of shape (input_size, hidden_size), W2 of shape
    (hidden_size, output_size), biases zero; std is ``weight_init_std`` (a
    number, or 'he'/'xavier', see ``bprop.init``). Our additions, keyword-only:
    dtype (float64 as in the book, or float32) and rng (a Generator or a seed).
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, *,
                 dtype=np.float64, rng=None):
        dtype = init.float_dtype(dtype)
        rng = init.as_generator(rng)
        input_size, hidden_size, output_size = (
            init.positive_int(input_size, "input_size"), init.positive_int(hidden_size, "hidden_size"), init.positive_int(output_size, "output_size"))
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


class MultiLayerNet(Sequential):
    """The book's fully connected net (§6): (Affine – activation) × len(hidden_size_list), Affine, SoftmaxWithLoss.

    activation: 'relu' or 'sigmoid' as in the book, or 'tanh', 'leaky_relu',
    'elu', 'gelu', 'silu', 'softplus'. weight_init_std: a number, or
    'relu'/'he' (√(2/n_in)) or 'sigmoid'/'xavier' (√(1/n_in)), n_in being each
    layer's fan-in. weight_decay_lambda: λ of the L2 penalty ½λ Σ‖W‖², added to
    the loss and as λ·W to every dW (not to the biases). Our additions,
    keyword-only: dtype and rng.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init_std="relu", weight_decay_lambda=0, *, dtype=np.float64, rng=None):
        dtype = init.float_dtype(dtype)
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

    def _set_preset(self, **config):
        self.input_size = config["input_size"]
        self.hidden_size_list = config["hidden_size_list"]
        self.hidden_layer_num = len(self.hidden_size_list)
        self.output_size = config["output_size"]
        self.activation = config["activation"]
        self._config = config


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

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, use_dropout=False, dropout_ration=0.5, use_batchnorm=False, *,
                 dropout_ratio=None, dtype=np.float64, rng=None):
        dtype = init.float_dtype(dtype)
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
        layers = []
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


# Rows evaluated at once by a convnet's accuracy(): the training batch size, so
# the conv layers reuse the workspaces training allocated (they keep them per
# input shape). 2,000 rows, the MLP batch, would make DeepConvNet's second
# convolution alone hold a 1 GB column buffer.
CONV_EVAL_BATCH_SIZE = 100

# The book's ch07/simple_convnet.py and ch08/deep_convnet.py defaults.
SIMPLE_CONV_PARAM = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
DEEP_CONV_PARAMS = (
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},  # pad 2: 14 → 16, so the pools go 16 → 8 → 4
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
)
_POOL_2X2 = {"pool_h": 2, "pool_w": 2, "stride": 2, "pad": 0, "mode": "max"}


class LayerPlan(NamedTuple):
    """One layer a convnet preset builds: its type, its arrays' shapes, its constructor options.

    ``bprop.serialize`` checks a saved preset's layers against its plan.
    """

    type: str
    shapes: dict
    options: dict


class _ConvNet(Sequential):
    """What the convnet presets share: images (N, C, H, W) in, small evaluation batches, the first filters kept.

    ``input_shape`` is one sample's shape (C, H, W) (``bprop graph`` and the
    CLI read it). ``W1_init`` is a copy of the first layer's filters as they
    were drawn, saved with the net, for the before/after picture of §7.6
    (``bprop plot filters``). ``_plan(**config)`` gives the layers a config
    builds without drawing any weight.
    """

    eval_batch_size = CONV_EVAL_BATCH_SIZE

    def accuracy(self, x, t, batch_size: int = CONV_EVAL_BATCH_SIZE) -> float:
        return super().accuracy(x, t, batch_size)

    def _build(self, plan: list[LayerPlan], weight_init_std, dtype, rng, config: dict) -> None:
        """Draw every W in plan order (N(0, std²), std from the fan-in), biases zero; then seed the Dropouts."""
        layers = []
        for p in plan:
            if "W" in p.shapes:
                shape = p.shapes["W"]
                fan_in = int(np.prod(shape[1:])) if len(shape) == 4 else shape[0]
                W = rng.standard_normal(shape, dtype=dtype)
                W *= dtype.type(init.std(weight_init_std, fan_in))
                b = np.zeros(p.shapes["b"], dtype=dtype)
                layers.append((Convolution(W, b, **p.options) if len(shape) == 4 else Affine(W, b)))
            elif p.type == "Pooling":
                layers.append(Pooling(**p.options))
            elif p.type == "Relu":
                layers.append(Relu())  # made in place by _set_preset
            else:
                layers.append(None)  # Dropout: seeded below, once every W is drawn
        for i, p in enumerate(plan):
            if p.type == "Dropout":
                layers[i] = Dropout(**p.options, rng=np.random.default_rng(int(rng.integers(2**63))))
        super().__init__(layers, SoftmaxWithLoss())
        self.W1_init = layers[0].W.copy()
        self._set_preset(**config)

    def _set_preset(self, **config):
        """The preset's fields, set when built and when loaded (``bprop.serialize``).

        Each Relu follows a Convolution or an Affine, whose fresh output nothing
        else holds, and gets a fresh dout from the layer after it: it works in
        place (a loaded net's file records plain Relus).
        """
        self.input_dim = self.input_shape = tuple(config["input_dim"])
        self.hidden_size = config["hidden_size"]
        self.output_size = config["output_size"]
        self._config = config
        for layer in self.layers.values():
            if isinstance(layer, Relu):
                layer.inplace = True

    def _extras(self) -> dict[str, np.ndarray]:
        """Arrays saved with the net besides its layers' (see ``bprop.serialize``)."""
        W1_init = getattr(self, "W1_init", None)  # a file from elsewhere may lack it
        return {} if W1_init is None else {"W1_init": W1_init}


class SimpleConvNet(_ConvNet):
    """The book's ch.7 convnet: Convolution – Relu – Pooling – Affine – Relu – Affine – SoftmaxWithLoss.

    input_dim: one image's shape (C, H, W). conv_param: filter_num (FN),
    filter_size (FS), pad and stride of the convolution, the book's dict
    (missing keys take the book's values, 30, 5, 0, 1). The pooling is 2×2 max
    with stride 2, so the convolution's output OH = (H + 2·pad − FS)/stride + 1
    (and OW) must be even; the first Affine then sees FN·(OH/2)·(OW/2)
    features (4,320 for MNIST) and flattens them itself, as in the book.

    params: W1 (FN, C, FS, FS), b1 (FN,), W2 (FN·OH/2·OW/2, hidden_size), b2,
    W3 (hidden_size, output_size), b3, drawn in that order from N(0, std²),
    biases zero; std is ``weight_init_std`` (a number, or 'he'/'xavier' with each
    layer's fan-in, C·FS·FS for W1). Our additions, keyword-only: dtype and rng.
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01, *, dtype=np.float64, rng=None):
        dtype = init.float_dtype(dtype)
        rng = init.as_generator(rng)
        plan = self._plan(input_dim, conv_param, hidden_size, output_size, weight_init_std)
        conv = plan[0].options
        FN, C, FS, _ = plan[0].shapes["W"]
        config = dict(input_dim=list(_image_shape(input_dim)),
                      conv_param={"filter_num": FN, "filter_size": FS, "pad": conv["pad"], "stride": conv["stride"]},
                      hidden_size=plan[3].shapes["b"][0], output_size=plan[5].shapes["b"][0],
                      weight_init_std=weight_init_std)
        self._build(plan, weight_init_std, dtype, rng, config)

    @staticmethod
    def _plan(input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
              weight_init_std=0.01) -> list[LayerPlan]:
        init.std(weight_init_std, 1)  # a bad spec fails here, before anything is drawn
        C, H, W = _image_shape(input_dim)
        conv = _conv_param(conv_param, SIMPLE_CONV_PARAM, "conv_param")
        hidden_size, output_size = init.positive_int(hidden_size, "hidden_size"), init.positive_int(output_size, "output_size")
        OH, OW = _conv_output(H, W, conv, "the convolution")
        _check_poolable(OH, OW, "the convolution")
        FN = conv["filter_num"]
        return [
            _conv_plan(FN, C, conv),
            LayerPlan("Relu", {}, {}),
            LayerPlan("Pooling", {}, dict(_POOL_2X2)),
            _affine_plan(FN * (OH // 2) * (OW // 2), hidden_size),
            LayerPlan("Relu", {}, {}),
            _affine_plan(hidden_size, output_size),
        ]

    def _set_preset(self, **config):
        super()._set_preset(**config)
        self.conv_param = dict(config["conv_param"])


class DeepConvNet(_ConvNet):
    """The book's ch.8 deep convnet (``ch08/deep_convnet.py``), layer for layer.

    conv1 – Relu – conv2 – Relu – Pooling – conv3 – Relu – conv4 – Relu – Pooling
    – conv5 – Relu – conv6 – Relu – Pooling – Affine – Relu – Dropout – Affine –
    Dropout – SoftmaxWithLoss. The convolutions are 3×3 with 16, 16, 32, 32, 64,
    64 filters, stride 1 and pad 1, except conv4's pad 2: for MNIST the sizes go
    28 → 28 → 28 → pool 14 → 14 → 16 → pool 8 → 8 → 8 → pool 4, and the first
    Affine maps 64·4·4 = 1,024 features to hidden_size (50). Poolings are 2×2 max
    with stride 2; both Dropouts drop half and scale at inference, as the
    book's (``Dropout(0.5, scale_at="test")``: the inverted form trains the
    last layers differently and reached 99.26 % where this reached 99.30-99.49 %).

    conv_param_1 … conv_param_6: the book's dicts (filter_num, filter_size,
    pad, stride; missing keys take the values above). Weights are He
    initialised, W ~ N(0, 2/fan_in), fan_in being C·FS·FS for a convolution and
    the input size for an Affine: the book's ``pre_node_nums`` (1·3·3, 16·3·3,
    16·3·3, 32·3·3, 32·3·3, 64·3·3, 64·4·4, 50), computed rather than written
    out. Biases start at zero. params: W1 … W8 and b1 … b8, W1–W6 the filters.
    The book trains it with Adam (lr 0.001), batch 100. Our additions,
    keyword-only: dtype and rng (the Dropouts get generators seeded from rng
    after every weight is drawn).
    """

    def __init__(self, input_dim=(1, 28, 28), conv_param_1=None, conv_param_2=None, conv_param_3=None,
                 conv_param_4=None, conv_param_5=None, conv_param_6=None, hidden_size=50, output_size=10, *,
                 dtype=np.float64, rng=None):
        dtype = init.float_dtype(dtype)
        rng = init.as_generator(rng)
        given = (conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5, conv_param_6)
        plan = self._plan(input_dim, *given, hidden_size=hidden_size, output_size=output_size)
        convs = [p for p in plan if p.type == "Convolution"]
        affines = [p for p in plan if p.type == "Affine"]
        config = {"input_dim": list(_image_shape(input_dim))}
        for i, p in enumerate(convs, start=1):
            FN, _, FS, _ = p.shapes["W"]
            config[f"conv_param_{i}"] = {"filter_num": FN, "filter_size": FS, **p.options}
        config.update(hidden_size=affines[0].shapes["b"][0], output_size=affines[1].shapes["b"][0])
        self._build(plan, "he", dtype, rng, config)

    @staticmethod
    def _plan(input_dim=(1, 28, 28), conv_param_1=None, conv_param_2=None, conv_param_3=None, conv_param_4=None,
              conv_param_5=None, conv_param_6=None, hidden_size=50, output_size=10) -> list[LayerPlan]:
        C, H, W = _image_shape(input_dim)
        given = (conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5, conv_param_6)
        hidden_size, output_size = init.positive_int(hidden_size, "hidden_size"), init.positive_int(output_size, "output_size")
        plan = []
        for i, (param, default) in enumerate(zip(given, DEEP_CONV_PARAMS), start=1):
            conv = _conv_param(param, default, f"conv_param_{i}")
            H, W = _conv_output(H, W, conv, f"conv{i}")
            plan += [_conv_plan(conv["filter_num"], C, conv), LayerPlan("Relu", {}, {})]
            if i % 2 == 0:
                _check_poolable(H, W, f"conv{i}")
                H, W = H // 2, W // 2
                plan.append(LayerPlan("Pooling", {}, dict(_POOL_2X2)))
            C = conv["filter_num"]
        return plan + [
            _affine_plan(C * H * W, hidden_size),
            LayerPlan("Relu", {}, {}),
            LayerPlan("Dropout", {}, {"dropout_ratio": 0.5, "scale_at": "test"}),
            _affine_plan(hidden_size, output_size),
            LayerPlan("Dropout", {}, {"dropout_ratio": 0.5, "scale_at": "test"}),
        ]


def save(net: Sequential, path):
    """Write ``net`` to an .npz file; see ``bprop.serialize.save``."""
    from bprop.serialize import save as _save

    return _save(net, path)


def load(path) -> Sequential:
    """Read a net written by ``save``; see ``bprop.serialize.load``."""
    from bprop.serialize import load as _load

    return _load(path)


def _first_with_params(layers) -> int:
    """Index of the first layer with parameters (len(layers) when none has any)."""
    for i, layer in enumerate(layers):
        if getattr(layer, "param_names", ()):
            return i
    return len(layers)


def _layer_sizes(input_size, hidden_size_list, output_size) -> list[int]:
    """[input, hidden…, output] for the fully connected presets, each checked."""
    if isinstance(hidden_size_list, (int, np.integer)):
        raise TypeError("hidden_size_list must be a list of sizes, e.g. [100, 100], "
                        f"got the int {hidden_size_list}")
    return [init.positive_int(input_size, "input_size"),
            *(init.positive_int(n, "each of hidden_size_list") for n in hidden_size_list),
            init.positive_int(output_size, "output_size")]


def _activation_name(activation) -> str:
    name = str(activation).lower()
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    return name


def _labels(t) -> np.ndarray:
    """Integer labels (N,) from labels or one-hot (N, C)."""
    t = np.asarray(t)
    if t.ndim == 2:
        return t.argmax(axis=1)
    if t.ndim != 1:
        raise ValueError(f"expected labels of shape (N,) or one-hot of shape (N, C), got shape {t.shape}")
    return t


def _image_shape(input_dim) -> tuple[int, int, int]:
    """input_dim as (C, H, W), each a positive int."""
    if isinstance(input_dim, (str, bytes)) or not hasattr(input_dim, "__len__") or len(input_dim) != 3:
        raise ValueError(f"input_dim must be one image's shape (C, H, W), such as (1, 28, 28), got {input_dim!r}")
    return tuple(init.positive_int(n, "each of input_dim") for n in input_dim)


def _conv_param(param, default: dict, name: str) -> dict:
    """The book's conv_param dict: filter_num, filter_size (>= 1), pad (>= 0), stride (>= 1); missing keys default."""
    if param is None:
        return dict(default)
    if not isinstance(param, dict):
        raise TypeError(f"{name} must be a dict such as {default}, got {type(param).__name__}")
    unknown = set(param) - set(default)
    if unknown:
        raise ValueError(f"{name} has unknown keys {sorted(unknown)}; expected {', '.join(default)}")
    conv = {**default, **param}
    for key in ("filter_num", "filter_size", "stride"):
        conv[key] = init.positive_int(conv[key], f"{name}[{key!r}]")
    pad = conv["pad"]
    if isinstance(pad, (bool, np.bool_)) or not isinstance(pad, (int, np.integer)) or pad < 0:
        raise ValueError(f"{name}['pad'] must be an int >= 0, got {pad!r}")
    conv["pad"] = int(pad)
    return conv


def _conv_output(H: int, W: int, conv: dict, what: str) -> tuple[int, int]:
    """(OH, OW) = ((H + 2·pad − FS)/stride + 1, likewise); ValueError unless both are whole and >= 1."""
    FS, pad, stride = conv["filter_size"], conv["pad"], conv["stride"]
    sides = []
    for axis, n in (("height", H), ("width", W)):
        span = n + 2 * pad - FS
        if span < 0 or span % stride:
            raise ValueError(f"{what}: input {axis} {n} with filter_size {FS}, pad {pad} and stride {stride} gives "
                             f"no whole output size ((n + 2·pad − filter_size)/stride + 1 = {span / stride + 1:g})")
        sides.append(span // stride + 1)
    return sides[0], sides[1]


def _check_poolable(H: int, W: int, what: str) -> None:
    if H % 2 or W % 2:
        raise ValueError(f"the 2×2 stride-2 pooling after {what} needs an even output size, got {H}×{W}; "
                         f"change input_dim or the filter_size/pad/stride")


def _conv_plan(FN: int, C: int, conv: dict) -> LayerPlan:
    FS = conv["filter_size"]
    return LayerPlan("Convolution", {"W": (FN, C, FS, FS), "b": (FN,)}, {"stride": conv["stride"], "pad": conv["pad"]})


def _affine_plan(n_in: int, n_out: int) -> LayerPlan:
    return LayerPlan("Affine", {"W": (n_in, n_out), "b": (n_out,)}, {})
