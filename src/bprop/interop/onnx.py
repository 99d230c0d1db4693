"""ONNX export: a bprop net as an ONNX graph, node by node, with the ``onnx`` package's helpers (not via torch).

``to_onnx(net, path)`` writes a model whose output ``scores`` is what
``net.predict(x, train_flg=False)`` gives, for any batch size N:

    book 1 (a ``Sequential``: TwoLayerNet … DeepConvNet)   x (N, …one sample…) float → scores (N, C)
    GPT                                                      ids (N, T) int64, 1 ≤ T ≤ context → scores (N, T, V)

Each layer becomes the nodes of its inference formula:

    Affine              Gemm(x, W, b), after Flatten(axis=1) when x is not (N, D)
    Relu, Sigmoid, Tanh, LeakyRelu, Elu, Identity   the ONNX op of the same name
    Gelu                ½·x·(1 + Tanh(√(2/π)·(x + 0.044715·x³))); exact=True: x·½·(1 + Erf(x/√2))
    Silu, Softplus      x·Sigmoid(x); Relu(x) + Log(1 + Exp(−|x|)) (the stable form bprop computes)
    BatchNormalization  BatchNormalization with the running averages (inference)
    Dropout             Identity (scale_at="train"), or x·(1 − ratio) (the book's, scale_at="test")
    Convolution         Conv (pads, strides); Pooling: MaxPool or AveragePool (count_include_pad=1)
    Flatten             Flatten(axis=1)

GPT: Gather for the token embedding, the positions Slice'd to T, per block
LayerNormalization (opset ≥ 17), MatMul + Add projections, heads by Reshape
and Transpose, Softmax over q·kᵀ/√d_k plus a constant additive causal mask (0
or the dtype's lowest number, sliced to T × T), the FFN's GELU as above, and
the tied output h·W_embᵀ + b through a Transpose of the one embedding array.

Initializers are named as ``net.params`` (W1, b1, … or embed.W, block1.attn.W_q, …)
and the running averages as model files name them (BatchNormalization1.running_mean).
A layer or net without a conversion is a ValueError naming it and listing what
is supported. The model passes ``onnx.checker``; the file is written atomically.
``check_onnx`` runs the file in onnxruntime and returns how far it is from
``predict``. onnx and onnxruntime are optional: ``pip install 'bprop[onnx]'``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from bprop import layers as L
from bprop._types import PathLike, Seed
from bprop.fileio import write_bytes_atomic
from bprop.layers.transformer import TransformerBlock
from bprop.nets import GPT, Sequential
from bprop.nets.sequence_model import SequenceModel

__all__ = ["to_onnx", "check_onnx", "require", "OnnxMissing", "OnnxRuntimeRefused", "INSTALL_HINT", "DEFAULT_OPSET", "SUPPORTED_LAYERS"]

INSTALL_HINT = "pip install 'bprop[onnx]'"
DEFAULT_OPSET = 17  # LayerNormalization's first opset; every op used here exists from MIN_OPSET on
MIN_OPSET = 13      # Softmax over one axis, Slice and Reshape as today's
_GELU_C, _GELU_K = math.sqrt(2 / math.pi), 0.044715


class OnnxMissing(ImportError):
    """The optional onnx (or onnxruntime) package is not installed."""


class OnnxRuntimeRefused(ValueError):
    """onnxruntime cannot load or run a (valid) ONNX file: an op it lacks for that dtype, such as float64 Conv."""


def require(module: str = "onnx") -> ModuleType:
    """The optional package ``module`` (onnx or onnxruntime), imported; OnnxMissing saying how to install it."""
    try:
        return __import__(module)
    except ImportError:
        raise OnnxMissing(f"this needs the {module} package, which is not installed: {INSTALL_HINT}") from None


class _Graph:
    """Nodes and initializers being collected; every value gets a fresh name."""

    def __init__(self, dtype: np.dtype) -> None:
        self.onnx = require("onnx")
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.dtype = dtype
        self.nodes: list = []         # onnx NodeProtos, in order
        self.initializers: list = []  # onnx TensorProtos: the weights and constants
        self._used = {"x", "ids", "scores", "probabilities"}  # the graph's inputs and outputs

    def _fresh(self, hint: str) -> str:
        name, i = hint, 1
        while name in self._used:
            i += 1
            name = f"{hint}_{i}"
        self._used.add(name)
        return name

    def const(self, array: ArrayLike, name: str = "const", dtype: DTypeLike | None = None) -> str:
        """An initializer: ``array`` in ``dtype`` (default: the graph's float dtype)."""
        array = np.ascontiguousarray(np.asarray(array, dtype=self.dtype if dtype is None else dtype))
        name = self._fresh(name)
        self.initializers.append(self.numpy_helper.from_array(array, name))
        return name

    def ints(self, values: Sequence[int], name: str = "shape") -> str:
        return self.const(np.asarray(values, dtype=np.int64), name, np.int64)

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        """One node; returns the name of its output."""
        out = self._fresh(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out


# --- book 1: the layers of a Sequential ----------------------------------------------------


def _affine(g, layer, x, rank, names):
    if rank != 2:
        x = g.op("Flatten", x, axis=1)  # Affine flattens each sample itself, as the book's
    return g.op("Gemm", x, names["W"], names["b"]), 2


def _batchnorm(g, layer, x, rank, names):
    inputs = (names[a] for a in ("gamma", "beta", "running_mean", "running_var"))
    return g.op("BatchNormalization", x, *inputs, epsilon=float(layer.eps)), rank


def _dropout(g, layer, x, rank, names):
    if layer.scale_at == "train":
        return g.op("Identity", x), rank  # inverted dropout: y = x at inference
    return g.op("Mul", x, g.const(g.dtype.type(1 - layer.dropout_ratio), "keep")), rank  # the book's x·(1 − ratio)


def _conv(g, layer, x, rank, names):
    p, s = layer.pad, layer.stride
    return g.op("Conv", x, names["W"], names["b"], kernel_shape=list(layer.W.shape[2:]), strides=[s, s],
                pads=[p, p, p, p]), 4


def _pool(g, layer, x, rank, names):
    p, s = layer.pad, layer.stride
    attrs = dict(kernel_shape=[layer.pool_h, layer.pool_w], strides=[s, s], pads=[p, p, p, p],
                 ceil_mode=int(layer.ceil_mode))
    if layer.mode == "max":
        return g.op("MaxPool", x, **attrs), 4
    if layer.ceil_mode:
        raise ValueError("Pooling(mode='avg', ceil_mode=True) has no ONNX equivalent here: its divisor at the "
                         "overhanging windows is torch's, AveragePool's differs")
    return g.op("AveragePool", x, count_include_pad=1, **attrs), 4


def gelu(g: _Graph, x: str, exact: bool) -> str:
    """x·Φ(x) through Erf (exact), or GELU's tanh form, as bprop.layers.Gelu computes them."""
    half = g.const(g.dtype.type(0.5), "half")
    one = g.const(g.dtype.type(1), "one")
    if exact:
        cdf = g.op("Mul", half, g.op("Add", one, g.op("Erf", g.op("Mul", x, g.const(g.dtype.type(1 / math.sqrt(2)))))))
        return g.op("Mul", x, cdf)
    u = g.op("Mul", g.op("Mul", x, x), g.const(g.dtype.type(_GELU_K), "gelu_k"))  # u = c·x·(1 + k·x²)
    u = g.op("Mul", g.op("Mul", g.op("Add", u, one), x), g.const(g.dtype.type(_GELU_C), "gelu_c"))
    return g.op("Mul", g.op("Mul", g.op("Add", g.op("Tanh", u), one), x), half)


def _softplus(g, x):
    """max(x, 0) + log(1 + exp(−|x|)): no overflow for large x (ONNX's Softplus is log(exp(x) + 1))."""
    tail = g.op("Log", g.op("Add", g.const(g.dtype.type(1), "one"), g.op("Exp", g.op("Neg", g.op("Abs", x)))))
    return g.op("Add", g.op("Relu", x), tail)


def _elementwise(build):
    def convert(g, layer, x, rank, names):
        return build(g, layer, x), rank
    return convert


_CONVERT = {
    L.Affine: _affine, L.BatchNormalization: _batchnorm, L.Dropout: _dropout, L.Convolution: _conv,
    L.Pooling: _pool,
    L.Flatten: lambda g, layer, x, rank, names: (g.op("Flatten", x, axis=1), 2),
    L.Relu: _elementwise(lambda g, layer, x: g.op("Relu", x)),
    L.Sigmoid: _elementwise(lambda g, layer, x: g.op("Sigmoid", x)),
    L.Tanh: _elementwise(lambda g, layer, x: g.op("Tanh", x)),
    L.Identity: _elementwise(lambda g, layer, x: g.op("Identity", x)),
    L.LeakyRelu: _elementwise(lambda g, layer, x: g.op("LeakyRelu", x, alpha=float(layer.alpha))),
    L.Elu: _elementwise(lambda g, layer, x: g.op("Elu", x, alpha=float(layer.alpha))),
    L.Gelu: _elementwise(lambda g, layer, x: gelu(g, x, layer.exact)),
    L.Silu: _elementwise(lambda g, layer, x: g.op("Mul", x, g.op("Sigmoid", x))),
    L.Softplus: _elementwise(lambda g, layer, x: _softplus(g, x)),
}
SUPPORTED_LAYERS = tuple(cls.__name__ for cls in _CONVERT)
_PROBABILITIES = {L.SoftmaxWithLoss: "Softmax", L.SigmoidWithLoss: "Sigmoid"}


def _sequential(g, net, input_shape, probabilities: bool):
    """The graph's (inputs, outputs) for a book-1 net; its nodes go into g."""
    for name, layer in net.layers.items():
        if type(layer) not in _CONVERT:  # exactly bprop's class: a subclass may compute something else
            raise ValueError(f"to_onnx cannot export layer {name!r} ({type(layer).__name__}); the layers it "
                             f"exports are {', '.join(SUPPORTED_LAYERS)}")
    if probabilities and type(net.last_layer) not in _PROBABILITIES:
        raise ValueError(f"probabilities=True needs a SoftmaxWithLoss or SigmoidWithLoss net, this one ends in "
                         f"{type(net.last_layer).__name__}")
    if input_shape is None:
        input_shape = net._sample_shape()
        if input_shape is None:
            raise ValueError(f"to_onnx cannot tell one sample's shape for {type(net).__name__}: pass input_shape, "
                             f"e.g. (784,) or (1, 28, 28)")
    shape = (int(input_shape),) if isinstance(input_shape, (int, np.integer)) else tuple(int(n) for n in input_shape)
    rows = net.describe(shape)  # a zero sample through the net: a shape that does not fit fails here, clearly
    keys = {(id(layer), attr): key for key, (layer, attr) in net._slots().items()}
    x, rank = "x", 1 + len(shape)
    for name, layer in net.layers.items():
        names = {a: g.const(getattr(layer, a), keys[id(layer), a]) for a in getattr(layer, "param_names", ())}
        names.update({a: g.const(getattr(layer, a), f"{name}.{a}") for a in getattr(layer, "state_names", ())})
        x, rank = _CONVERT[type(layer)](g, layer, x, rank, names)
    h = g.helper
    elem = h.np_dtype_to_tensor_dtype(g.dtype)
    classes = rows[-2].output_shape[1:]
    outputs = [_rename(g, x, "scores")]
    if probabilities:
        op = _PROBABILITIES[type(net.last_layer)]
        outputs.append(_rename(g, g.op(op, "scores", **({"axis": 1} if op == "Softmax" else {})), "probabilities"))
    return ([h.make_tensor_value_info("x", elem, ["N", *shape])],
            [h.make_tensor_value_info(o, elem, ["N", *classes]) for o in outputs])


def _rename(g, value: str, name: str) -> str:
    """Make the node that computes ``value`` write ``name`` instead (a graph output's name)."""
    node = next(n for n in g.nodes if n.output[0] == value)
    node.output[0] = name
    return name


# --- the GPT -------------------------------------------------------------------------------


def _gpt(g, model):
    """The graph's (inputs, outputs) for a GPT: ids (N, T) int64 → scores (N, T, V)."""
    for i, block in enumerate(model.blocks, start=1):
        if type(block) is not TransformerBlock or not block.causal:
            raise ValueError(f"to_onnx exports GPTs of causal TransformerBlocks; block{i} is {block!r}")
    consts = {name: g.const(p, name) for name, p in zip(model.params.names, model.params)
              if name != "affine.W"}  # the tied projection is embed.W transposed (below), not a second copy
    T = g.op("Shape", "ids", start=1, end=2)
    zero = g.ints([0], "zero")
    h = g.op("Gather", consts["embed.W"], "ids", axis=0)
    h = g.op("Add", h, g.op("Slice", consts["pos.W"], zero, T, zero))  # x + W_pos[:T]
    allowed = np.tri(model.context, dtype=bool)
    mask = g.const(np.where(allowed, 0, np.finfo(g.dtype).min), "causal_mask")  # 0 or ≈ −inf: exp gives 0
    mask = g.op("Slice", mask, g.ints([0, 0], "zeros"), g.op("Concat", T, T, axis=0), g.ints([0, 1], "axes"))
    for i, block in enumerate(model.blocks, start=1):
        p = f"block{i}."
        a = _layer_norm(g, h, consts, p + "ln1.", block.eps)
        h = g.op("Add", h, _attention(g, a, consts, p + "attn.", block.num_heads, block.d_model, mask))
        a = _layer_norm(g, h, consts, p + "ln2.", block.eps)
        h = g.op("Add", h, _feed_forward(g, a, consts, p + "ffn.", block.activation))
    h = _layer_norm(g, h, consts, "ln_f.", model.ln_f.eps)
    W_out = g.op("Transpose", consts["embed.W"], perm=[1, 0])
    scores = _rename(g, g.op("Add", g.op("MatMul", h, W_out), consts["affine.b"]), "scores")
    helper, V = g.helper, model.embed.W.shape[0]
    return ([helper.make_tensor_value_info("ids", g.onnx.TensorProto.INT64, ["N", "T"])],
            [helper.make_tensor_value_info(scores, helper.np_dtype_to_tensor_dtype(g.dtype), ["N", "T", V])])


def _layer_norm(g, x, consts, prefix, eps):
    return g.op("LayerNormalization", x, consts[prefix + "gamma"], consts[prefix + "beta"], axis=-1,
                epsilon=float(eps))


def _dense(g, x, consts, W, b):
    return g.op("Add", g.op("MatMul", x, consts[W]), consts[b])


def _attention(g, x, consts, p, heads, d_model, mask):
    """concat_i(softmax(Q_i·K_iᵀ/√d_k + mask)·V_i)·W_o + b_o on x (N, T, d_model), heads as (N, h, T, d_k)."""
    split = g.ints([0, 0, heads, d_model // heads], "heads")  # 0: keep that axis (N, T)

    def projection(w, perm):
        return g.op("Transpose", g.op("Reshape", _dense(g, x, consts, p + "W_" + w, p + "b_" + w), split), perm=perm)

    q, k_t, v = projection("q", [0, 2, 1, 3]), projection("k", [0, 2, 3, 1]), projection("v", [0, 2, 1, 3])
    scale = g.const(g.dtype.type(1 / math.sqrt(d_model // heads)), "inv_sqrt_dk")
    weights = g.op("Softmax", g.op("Add", g.op("Mul", g.op("MatMul", q, k_t), scale), mask), axis=-1)
    joined = g.op("Reshape", g.op("Transpose", g.op("MatMul", weights, v), perm=[0, 2, 1, 3]),
                  g.ints([0, 0, d_model], "joined"))
    return _dense(g, joined, consts, p + "W_o", p + "b_o")


def _feed_forward(g, x, consts, p, activation):
    a = _dense(g, x, consts, p + "W1", p + "b1")
    a = g.op("Relu", a) if activation == "relu" else gelu(g, a, exact=activation == "gelu")
    return _dense(g, a, consts, p + "W2", p + "b2")


# --- the model file ------------------------------------------------------------------------


def to_onnx(net: Sequential | SequenceModel, path: PathLike, *, input_shape: Sequence[int] | None = None,
            opset: int = DEFAULT_OPSET, dtype: DTypeLike | None = None, probabilities: bool = False) -> Path:
    """Write ``net`` as an ONNX model to ``path`` (atomically); returns the path.

    net: a book-1 net (a ``Sequential`` of the layers in ``SUPPORTED_LAYERS``) or
    a ``GPT``. input_shape: one sample's shape for a Sequential (default: the
    net's own, e.g. (784,) or (1, 28, 28)); the batch axis is dynamic ("N"), as
    are a GPT's N and T. opset: the ONNX operator set (MIN_OPSET … the installed
    onnx's newest; a GPT needs 17 or later). dtype: float32 or float64 for the
    weights, the input and the scores (default: the net's). probabilities: add a
    second output, softmax (SoftmaxWithLoss) or sigmoid (SigmoidWithLoss) of the
    scores. Raises OnnxMissing without the onnx package, ValueError for what
    cannot be exported.
    """
    dtype = np.dtype(net.dtype if dtype is None else dtype)  # (not `dtype or …`: a dtype is falsy)
    if dtype not in (np.float32, np.float64):
        raise ValueError(f"to_onnx exports float32 or float64, got dtype {dtype}")
    g = _Graph(dtype)
    newest = g.onnx.defs.onnx_opset_version()
    least = 17 if isinstance(net, GPT) else MIN_OPSET
    if isinstance(opset, bool) or not isinstance(opset, (int, np.integer)) or not least <= opset <= newest:
        raise ValueError(f"opset must be a whole number from {least} to {newest} (the installed onnx's newest) "
                         f"for {type(net).__name__}, got {opset!r}")
    if isinstance(net, GPT):
        if input_shape is not None or probabilities:
            raise ValueError("a GPT's input is token ids (N, T); input_shape and probabilities do not apply")
        inputs, outputs = _gpt(g, net)
    elif isinstance(net, Sequential):
        inputs, outputs = _sequential(g, net, input_shape, probabilities)
    else:
        raise ValueError(f"to_onnx exports book-1 nets (Sequential: TwoLayerNet … DeepConvNet) and GPT, "
                         f"not {type(net).__name__}")
    from bprop import __version__

    graph = g.helper.make_graph(g.nodes, type(net).__name__, inputs, outputs, g.initializers)
    model = g.helper.make_model(graph, opset_imports=[g.helper.make_opsetid("", int(opset))],
                                producer_name="bprop", producer_version=__version__)
    g.onnx.checker.check_model(model, full_check=True)
    path = Path(os.fspath(path))
    write_bytes_atomic(path, model.SerializeToString())
    return path


def check_onnx(net: Sequential | GPT, path: PathLike, x: ArrayLike | None = None, *, rng: Seed = 0) -> float:
    """How far onnxruntime's scores for the ONNX file at path are from ``net.predict(x, train_flg=False)``.

    Returns max |ort − predict| / max(1, max |predict|): the absolute difference
    for scores of order 1, the relative one for larger. x: the input (default: 8
    random samples in [0, 1) of the file's input shape, or random token ids of
    length ``context`` for a GPT). Needs onnxruntime (OnnxMissing otherwise);
    runs on one CPU thread. OnnxRuntimeRefused when onnxruntime cannot load the
    file (its CPU kernels lack some ops in float64, Conv among them).
    """
    ort = require("onnxruntime")
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    try:
        session = ort.InferenceSession(os.fspath(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime's own error classes (NotImplemented, Fail …) share no base of ours
        reason = str(exc).rsplit(" : ", 1)[-1].strip()
        raise OnnxRuntimeRefused(f"onnxruntime cannot run {path}: {reason}") from None
    feed = session.get_inputs()[0]
    ids = feed.name == "ids"
    if x is None:
        gen = np.random.default_rng(rng)
        if ids:
            if not isinstance(net, GPT):
                raise TypeError(f"check_onnx: {path} reads token ids (a GPT's), but net is a {type(net).__name__}")
            x = gen.integers(0, net.embed.W.shape[0], size=(2, net.context))
        else:
            x = gen.random((8, *feed.shape[1:]))
    if ids:
        x = np.asarray(x, dtype=np.int64)
    else:
        x = np.asarray(x, dtype=np.float64 if feed.type == "tensor(double)" else np.float32)
    got = session.run(["scores"], {feed.name: x})[0].astype(np.float64)
    want = net.predict(x if ids else x.astype(net.dtype), train_flg=False).astype(np.float64)
    return float(np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want)))))
