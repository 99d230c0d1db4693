"""What a layer declares once — its role, arrays and options — and what comes from it:
the registry, the argument checks, ``repr``, and what a model file records."""

import numpy as np
import pytest

from bprop import layers as L
from bprop.layers import registry
from bprop.nets import ACTIVATIONS, Sequential, load

# One way to build each registered layer; the tests below build every one of them.
BUILD = {
    "Relu": lambda: L.Relu(), "Sigmoid": lambda: L.Sigmoid(), "Tanh": lambda: L.Tanh(),
    "LeakyRelu": lambda: L.LeakyRelu(0.2), "Elu": lambda: L.Elu(0.5), "Gelu": lambda: L.Gelu(),
    "Silu": lambda: L.Silu(), "Softplus": lambda: L.Softplus(), "Identity": lambda: L.Identity(),
    "Affine": lambda: L.Affine(np.ones((4, 3)), np.zeros(3)),
    "MulLayer": lambda: L.MulLayer(), "AddLayer": lambda: L.AddLayer(),
    "SoftmaxWithLoss": lambda: L.SoftmaxWithLoss(), "SigmoidWithLoss": lambda: L.SigmoidWithLoss(),
    "MeanSquaredError": lambda: L.MeanSquaredError(),
    "BatchNormalization": lambda: L.BatchNormalization(np.ones(3), np.zeros(3), momentum=0.8, eps=1e-5),
    "Dropout": lambda: L.Dropout(0.25, scale_at="test", seed=0),
    "Convolution": lambda: L.Convolution(np.ones((2, 3, 3, 3)), np.zeros(2), stride=2, pad=1),
    "Pooling": lambda: L.Pooling(3, 2, stride=1, pad=1, mode="avg"),
    "Flatten": lambda: L.Flatten(),
    # book 2
    "MatMul": lambda: L.MatMul(np.ones((4, 3))),
    "Embedding": lambda: L.Embedding(np.ones((10, 3))), "EmbeddingDot": lambda: L.EmbeddingDot(np.ones((10, 3))),
    "NegativeSamplingLoss": lambda: L.NegativeSamplingLoss(np.ones((10, 3)), np.arange(10), sample_size=2, seed=0),
    "RNN": lambda: L.RNN(np.ones((4, 3)), np.ones((3, 3)), np.zeros(3)),
    "LSTM": lambda: L.LSTM(np.ones((4, 12)), np.ones((3, 12)), np.zeros(12)),
    "GRU": lambda: L.GRU(np.ones((4, 9)), np.ones((3, 9)), np.zeros(9)),
    "TimeRNN": lambda: L.TimeRNN(np.ones((4, 3)), np.ones((3, 3)), np.zeros(3), stateful=True),
    "TimeLSTM": lambda: L.TimeLSTM(np.ones((4, 12)), np.ones((3, 12)), np.zeros(12)),
    "TimeGRU": lambda: L.TimeGRU(np.ones((4, 9)), np.ones((3, 9)), np.zeros(9)),
    "TimeBiLSTM": lambda: L.TimeBiLSTM(*[np.ones((4, 12)), np.ones((3, 12)), np.zeros(12)] * 2),
    "TimeEmbedding": lambda: L.TimeEmbedding(np.ones((10, 3))),
    "TimeAffine": lambda: L.TimeAffine(np.ones((4, 3)), np.zeros(3)),
    "TimeSoftmaxWithLoss": lambda: L.TimeSoftmaxWithLoss(), "TimeDropout": lambda: L.TimeDropout(0.3, seed=0),
    "WeightSum": lambda: L.WeightSum(), "AttentionWeight": lambda: L.AttentionWeight(),
    "Attention": lambda: L.Attention(), "TimeAttention": lambda: L.TimeAttention(),
    # the Transformer
    "Softmax": lambda: L.Softmax(axis=1), "LayerNorm": lambda: L.LayerNorm(np.ones(4), np.zeros(4), eps=1e-6),
    "ScaledDotProductAttention": lambda: L.ScaledDotProductAttention(causal=True, dropout=0.1, rng=0),
    "MultiHeadAttention": lambda: L.MultiHeadAttention(8, 2, causal=True, dropout=0.1, rng=0),
    "PositionalEncoding": lambda: L.PositionalEncoding(10, 8), "PositionEmbedding": lambda: L.PositionEmbedding(10, 8),
    "FeedForward": lambda: L.FeedForward(8, 16, activation="relu", dropout=0.1, rng=0),
    "TransformerBlock": lambda: L.TransformerBlock(8, 2, 16, causal=True, dropout=0.1, rng=0),
    "TransformerDecoderBlock": lambda: L.TransformerDecoderBlock(8, 2, 16, dropout=0.1, rng=0),
}


def test_every_public_layer_is_registered_once_with_its_role():
    public = {name: getattr(L, name) for name in L.__all__
              if name != "Layer" and isinstance(getattr(L, name), type) and issubclass(getattr(L, name), L.Layer)}
    classes = {cls.__name__: cls for cls in public.values()}  # the PyTorch spellings are aliases
    assert registry.layer_classes() == classes
    assert set(BUILD) == set(classes)
    assert set(registry.loss_layers()) == {"SoftmaxWithLoss", "SigmoidWithLoss", "MeanSquaredError"}
    assert set(registry.layer_classes("node")) == {"MulLayer", "AddLayer"}
    assert "Identity" in registry.sequential_layers() and "MulLayer" not in registry.sequential_layers()


def test_a_class_defined_outside_bprop_is_not_registered():
    class MyRelu(L.Relu):
        pass

    assert "MyRelu" not in registry.layer_classes()


def test_the_activation_names_are_the_snake_case_of_the_activation_layers():
    assert list(registry.activations()) == ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu", "silu", "softplus"]
    assert ACTIVATIONS == registry.activations()
    assert ACTIVATIONS["leaky_relu"] is L.LeakyRelu
    assert registry.snake_case("BatchNormalization") == "batch_normalization"


@pytest.mark.parametrize("name, text", [
    ("Convolution", "Convolution(2 filters 3×3×3, stride 2, pad 1)"),
    ("Affine", "Affine(4 → 3)"),
    ("Pooling", "Pooling(avg 3×2, stride 1, pad 1)"),
    ("BatchNormalization", "BatchNormalization(3, momentum=0.8, eps=1e-05)"),
    ("Dropout", "Dropout(dropout_ratio=0.25, scale_at='test')"),
    ("LeakyRelu", "LeakyRelu(alpha=0.2)"),
    ("Relu", "Relu()"),
    ("SoftmaxWithLoss", "SoftmaxWithLoss()"),
    ("MulLayer", "MulLayer()"),
    ("MultiHeadAttention", "MultiHeadAttention(d_model=8, num_heads=2, causal=True, dropout=0.1)"),
    ("LayerNorm", "LayerNorm(4, eps=1e-06)"),
    ("PositionEmbedding", "PositionEmbedding(max_len=10, d_model=8)"),
    ("TransformerBlock", "TransformerBlock(d_model=8, num_heads=2, d_ff=16, causal=True, dropout=0.1)"),
])
def test_repr_shows_the_parameters_sizes_and_the_options(name, text):
    assert repr(BUILD[name]()) == text


def test_a_run_time_flag_shows_only_when_set():
    assert repr(L.Relu(inplace=True)) == "Relu(inplace=True)"


def _bad_values(option):
    """A value of the wrong kind and, where the option has a range or a set, one outside it."""
    return {"inplace": [1, "yes"], "alpha": ["0.1", True, float("inf")], "stride": [0, 1.0, True],
            "pad": [-1, 1.5], "pool_h": [0, 2.0], "pool_w": [0, "2"], "mode": ["min", 3],
            "momentum": [1.5, -0.1, "0.9"], "eps": [0.0, -1.0, None], "dropout_ratio": [1.0, -0.1, "half"],
            "scale_at": ["eval", None], "ceil_mode": [1, "yes"], "stateful": [1, "yes"], "exact": [1, "yes"],
            "axis": [1.0, True, "-1"], "causal": [1, "yes"], "dropout": [1.0, -0.1, "half"], "d_model": [0, 8.0],
            "num_heads": [0, True], "d_ff": [0, "16"], "max_len": [0, 1.5], "activation": ["tanh", None]}[option]


@pytest.mark.parametrize("name", sorted(n for n, cls in registry.layer_classes().items() if cls.options))
def test_every_declared_option_refuses_a_bad_value_naming_the_layer_and_the_option(name):
    cls = registry.layer_classes()[name]
    layer = BUILD[name]()
    for option in cls.options:
        for bad in _bad_values(option.name):
            with pytest.raises((TypeError, ValueError)) as info:
                layer._set_options(**{o.name: getattr(layer, o.name) for o in cls.options} | {option.name: bad})
            assert name in str(info.value) and option.name in str(info.value), (option.name, bad, info.value)


@pytest.mark.parametrize("name", sorted(registry.sequential_layers()))
def test_a_model_file_records_each_layer_with_its_declared_arrays_and_options(name, tmp_path):
    layer = BUILD[name]()
    first = L.Affine(np.ones((5, 4)), np.zeros(4))
    if name in ("Convolution", "Pooling", "Flatten"):
        net = Sequential([layer])
    elif name == "Affine":
        net = Sequential([L.Affine(np.ones((5, 4)), np.zeros(4)), layer])
    elif name == "BatchNormalization":
        net = Sequential([L.Affine(np.ones((5, 3)), np.zeros(3)), layer])
    else:
        net = Sequential([first, layer])
    loaded = load(net.save(tmp_path / "net.npz"))
    back = list(loaded.layers.values())[-1]
    assert type(back) is type(layer) and repr(back) == repr(layer)
    for attr in (*layer.param_names, *layer.state_names):
        np.testing.assert_array_equal(getattr(back, attr), getattr(layer, attr))
