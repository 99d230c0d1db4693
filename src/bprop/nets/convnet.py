"""The book's convolutional nets: SimpleConvNet (ch.7) and DeepConvNet (ch.8).

Each is a Sequential built from a *plan*: the list of layers a config gives,
with their arrays' shapes and options, computed without drawing a weight
(``_plan(**config)``), which is also how a model file's layers are checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import DTypeLike

from bprop import init
from bprop._checks import float_dtype, integer, positive_int
from bprop._types import InitSpec, Seed
from bprop.layers import Affine, Convolution, Dropout, Pooling, Relu, SoftmaxWithLoss
from bprop.layers.conv import output_size
from bprop.nets.sequential import Sequential, preset

__all__ = ["SimpleConvNet", "DeepConvNet", "CONV_EVAL_BATCH_SIZE"]

# Rows evaluated at once by a convnet's accuracy(): the training batch size, so
# the conv layers reuse the workspaces training allocated (they keep them per
# input shape); the MLP's 2,000 rows would make DeepConvNet's second
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

    A saved preset's layers are checked against its plan (``_check_saved``).
    """

    type: str
    shapes: dict
    options: dict


class _ConvNet(Sequential):
    if TYPE_CHECKING:  # each preset's own staticmethod: its constructor's arguments → its layers
        _plan: Callable[..., list[LayerPlan]]

    """What the convnet presets share: images (N, C, H, W) in, small evaluation batches, the first filters kept.

    ``input_shape`` is one sample's shape (C, H, W) (``bprop graph`` and the
    CLI read it). ``W1_init`` is a copy of the first layer's filters as they
    were drawn, saved with the net, for the before/after picture of §7.6
    (``bprop plot filters``). ``_plan(**config)`` gives the layers a config
    builds without drawing any weight.
    """

    eval_batch_size = CONV_EVAL_BATCH_SIZE
    EXTRAS = ("W1_init",)

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = CONV_EVAL_BATCH_SIZE) -> float:
        return super().accuracy(x, t, batch_size)

    def _build(self, plan: list[LayerPlan], weight_init_std, dtype, rng, config: dict) -> None:
        """Draw every W in plan order (N(0, std²), std from the fan-in), biases zero; then seed the Dropouts."""
        layers: list[Any] = []
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
        """The preset's fields, set when built and when loaded (``bprop.nets.load``).

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

    @classmethod
    def _check_saved(cls, config, records) -> None:
        """The layers, array shapes and options must be those of the config's plan.

        The plan is computed from the config without drawing weights, so a
        config asking for huge layers costs nothing before it is refused.
        """
        preset = cls.__name__
        if not isinstance(config, dict):
            raise ValueError(f"{preset} config must be an object, got {config!r}")
        try:
            plan = cls._plan(**config)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{preset} config is malformed ({exc}): {config!r}") from None
        found = [r.type for r in records]
        expected = [p.type for p in plan]
        if found != expected:
            raise ValueError(f"{preset} with config {config!r} must have layers {expected}, got {found}")
        for i, (record, p) in enumerate(zip(records, plan), start=1):
            for attr, shape in p.shapes.items():
                key, array = record.arrays[attr]
                if array.shape != shape:
                    raise ValueError(f"{preset}: array {key!r} has shape {array.shape}, its config gives {shape}")
            for option, value in p.options.items():
                if option == "scale_at":
                    # Either Dropout form: a DeepConvNet saved before Dropout had scale_at
                    # (then always inverted) loads with the form its weights were trained with.
                    continue
                if record.options.get(option) != value:
                    raise ValueError(f"{preset}: layer {i} ({p.type}) has {option}={record.options.get(option)!r}, "
                                     f"its config gives {value!r}")


@preset
class SimpleConvNet(_ConvNet):
    """The book's ch.7 convnet: Convolution – Relu – Pooling – Affine – Relu – Affine – SoftmaxWithLoss.

    input_dim: one image's shape (C, H, W). conv_param: filter_num (FN),
    filter_size (FS), pad and stride of the convolution, the book's dict
    (missing keys take the book's values, 30, 5, 0, 1). The pooling is 2×2 max
    with stride 2 on the convolution's OH = ⌊(H + 2·pad − FS)/stride⌋ + 1 (and
    OW), floored like the book's int(OH / 2) when odd; the first Affine then sees
    FN·⌊OH/2⌋·⌊OW/2⌋ features (4,320 for MNIST) and flattens them itself, as in the book.

    params: W1 (FN, C, FS, FS), b1 (FN,), W2 (FN·OH/2·OW/2, hidden_size), b2,
    W3 (hidden_size, output_size), b3, drawn in that order from N(0, std²),
    biases zero; std is ``weight_init_std`` (a number, or 'he'/'xavier' with each
    layer's fan-in, C·FS·FS for W1). Our additions, keyword-only: dtype and rng.
    """

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28), conv_param: dict | None = None,
                 hidden_size: int = 100, output_size: int = 10, weight_init_std: InitSpec = 0.01, *,
                 dtype: DTypeLike = np.float64, rng: Seed = None) -> None:
        dtype = float_dtype(dtype)
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
        hidden_size, output_size = positive_int(hidden_size, "hidden_size"), positive_int(output_size, "output_size")
        OH, OW = _conv_output(H, W, conv, "the convolution")
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


@preset
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

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28), conv_param_1: dict | None = None,
                 conv_param_2: dict | None = None, conv_param_3: dict | None = None,
                 conv_param_4: dict | None = None, conv_param_5: dict | None = None,
                 conv_param_6: dict | None = None, hidden_size: int = 50, output_size: int = 10, *,
                 dtype: DTypeLike = np.float64, rng: Seed = None) -> None:
        dtype = float_dtype(dtype)
        rng = init.as_generator(rng)
        given = (conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5, conv_param_6)
        plan = self._plan(input_dim, *given, hidden_size=hidden_size, output_size=output_size)
        convs = [p for p in plan if p.type == "Convolution"]
        affines = [p for p in plan if p.type == "Affine"]
        config: dict[str, Any] = {"input_dim": list(_image_shape(input_dim))}
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
        hidden_size, output_size = positive_int(hidden_size, "hidden_size"), positive_int(output_size, "output_size")
        plan = []
        for i, (param, default) in enumerate(zip(given, DEEP_CONV_PARAMS), start=1):
            conv = _conv_param(param, default, f"conv_param_{i}")
            H, W = _conv_output(H, W, conv, f"conv{i}")
            plan += [_conv_plan(conv["filter_num"], C, conv), LayerPlan("Relu", {}, {})]
            if i % 2 == 0:
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


def _image_shape(input_dim) -> tuple[int, int, int]:
    """input_dim as (C, H, W), each a positive int."""
    if isinstance(input_dim, (str, bytes)) or not hasattr(input_dim, "__len__") or len(input_dim) != 3:
        raise ValueError(f"input_dim must be one image's shape (C, H, W), such as (1, 28, 28), got {input_dim!r}")
    C, H, W = (positive_int(n, "each of input_dim") for n in input_dim)
    return C, H, W


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
        conv[key] = positive_int(conv[key], f"{name}[{key!r}]")
    conv["pad"] = integer(conv["pad"], f"{name}[{'pad'!r}]", 0)
    return conv


def _conv_output(H: int, W: int, conv: dict, what: str) -> tuple[int, int]:
    """(OH, OW) of a convolution with the conv_param ``conv``; ValueError unless both are whole and >= 1."""
    FS, pad, stride = conv["filter_size"], conv["pad"], conv["stride"]
    return (output_size(what, "height", H, FS, "filter_size", stride, pad),
            output_size(what, "width", W, FS, "filter_size", stride, pad))



def _conv_plan(FN: int, C: int, conv: dict) -> LayerPlan:
    FS = conv["filter_size"]
    return LayerPlan("Convolution", {"W": (FN, C, FS, FS), "b": (FN,)}, {"stride": conv["stride"], "pad": conv["pad"]})


def _affine_plan(n_in: int, n_out: int) -> LayerPlan:
    return LayerPlan("Affine", {"W": (n_in, n_out), "b": (n_out,)}, {})
