"""Book 1's nets both ways: a bprop ``Sequential`` (TwoLayerNet … DeepConvNet) ↔ a torch ``nn.Sequential``.

Layer for layer:

    Affine                 nn.Flatten (where the input may be images), nn.Linear
    Convolution            nn.Conv2d(C, FN, (FH, FW), stride, padding=pad)
    Pooling                nn.MaxPool2d / nn.AvgPool2d(count_include_pad=True), same window, stride, pad, ceil_mode
    BatchNormalization     nn.BatchNorm1d after an Affine, nn.BatchNorm2d after a Convolution
    Dropout                nn.Dropout (the inverted form, scale_at="train"), or BookDropout (the book's, "test")
    Flatten                nn.Flatten
    Relu, Sigmoid, Tanh, LeakyRelu, Elu, Gelu, Silu, Softplus, Identity   their torch namesakes

bprop's Affine flattens each sample itself, as the book's does; torch's Linear
does not, hence the nn.Flatten (marked ``bprop_added``: ``from_torch`` folds it
back into the Affine; any other nn.Flatten becomes a Flatten). The loss layer stays
out: the module gives the scores, as ``predict``; SoftmaxWithLoss is torch's
``cross_entropy`` on them. The nn.Sequential keeps ``bprop_model`` (the preset's
name and config, the loss, λ), so ``from_torch`` gives back a TwoLayerNet, not
only a Sequential with its layers, as long as the layers still are the preset's.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import DTypeLike

from bprop import layers as L
from bprop.interop._torch_layers import take
from bprop.interop._torch_modules import classes, import_torch
from bprop.layers import registry
from bprop.nets.sequential import PRESETS, Sequential

if TYPE_CHECKING:
    from torch import nn

    from bprop.layers.base import Layer

__all__ = ["sequential_to_torch", "sequential_from_torch", "layer_from_torch", "BOOK1_LAYERS", "BOOK1_MODULES"]

# the layers of a Sequential that to_torch converts, and the modules from_torch turns into them (for the messages)
BOOK1_LAYERS = ("Affine", "Convolution", "Pooling", "BatchNormalization", "Dropout", "Flatten", "Relu", "Sigmoid",
                "Tanh", "LeakyRelu", "Elu", "Gelu", "Silu", "Softplus", "Identity")
BOOK1_MODULES = ("Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Dropout", "BookDropout",
                 "Flatten", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus", "Identity")


# --- bprop → torch ----------------------------------------------------------------------------------------


def _activation_module(layer, nn):
    kind = type(layer).__name__
    made = {"Relu": nn.ReLU, "Sigmoid": nn.Sigmoid, "Tanh": nn.Tanh, "Silu": nn.SiLU, "Softplus": nn.Softplus,
            "Identity": nn.Identity, "LeakyRelu": lambda: nn.LeakyReLU(layer.alpha), "Elu": lambda: nn.ELU(layer.alpha),
            "Gelu": lambda: nn.GELU(approximate="none" if layer.exact else "tanh")}
    return made[kind]() if kind in made else None


def _modules_for(layer, shape: str, nn):
    """(the torch modules standing for ``layer``, the one holding its weights or None, the shape after it).

    shape: "flat" (N, D), "images" (N, C, H, W) or "unknown" (the net's input).
    """
    kind = type(layer).__name__
    if kind == "Affine":
        linear = nn.Linear(*layer.W.shape)
        if shape == "flat":
            return [linear], linear, "flat"
        flatten = nn.Flatten()
        flatten.bprop_added = True  # from_torch folds it back into the Affine
        return [flatten, linear], linear, "flat"
    if kind == "Convolution":
        FN, C, FH, FW = layer.W.shape
        conv = nn.Conv2d(C, FN, (FH, FW), stride=layer.stride, padding=layer.pad)
        return [conv], conv, "images"
    if kind == "Pooling":
        window = (layer.pool_h, layer.pool_w)
        if layer.mode == "max":
            return [nn.MaxPool2d(window, layer.stride, layer.pad, ceil_mode=layer.ceil_mode)], None, "images"
        return [nn.AvgPool2d(window, layer.stride, layer.pad, ceil_mode=layer.ceil_mode, count_include_pad=True)], \
            None, "images"
    if kind == "BatchNormalization":
        bn = (nn.BatchNorm2d if shape == "images" else nn.BatchNorm1d)(layer.gamma.size)
        return [bn], bn, shape
    if kind == "Dropout":
        p = layer.dropout_ratio
        return [nn.Dropout(p) if layer.scale_at == "train" else classes()["BookDropout"](p)], None, shape
    if kind == "Flatten":
        return [nn.Flatten()], None, "flat"
    activation = _activation_module(layer, nn)
    if activation is None:
        raise TypeError(f"to_torch cannot convert a {kind} layer: torch has no module for it here; "
                        f"a Sequential converts with the layers {', '.join(BOOK1_LAYERS)}")
    return [activation], None, shape


def sequential_to_torch(net: Sequential) -> tuple[nn.Sequential, list[tuple[Layer, nn.Module]]]:
    """(the nn.Sequential, [(bprop layer, torch module holding its weights)]); the weights are put in later."""
    nn = import_torch().nn
    shape = "images" if len(getattr(net, "input_shape", None) or ()) == 3 else "unknown"
    modules, links = [], []
    for layer in net.layers.values():
        made, holder, shape = _modules_for(layer, shape, nn)
        modules += made
        if holder is not None:
            links.append((layer, holder))
    module = nn.Sequential(*modules)
    preset = copy.deepcopy(net._preset()) or {"class": None, "config": None}  # the module's own, not the net's
    module.bprop_model = {**preset, "loss": type(net.last_layer).__name__, "weight_decay_lambda": net.weight_decay_lambda}
    return module, links


# --- torch → bprop ----------------------------------------------------------------------------------------


def _pair(value, what: str, owner: str) -> int:
    """An int, or a pair of equal ints (bprop's layers take one stride and one pad for both axes)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if values[0] != values[1]:
        raise ValueError(f"from_torch: {owner} has {what}={value}; bprop takes the same {what} for height and width")
    return int(values[0])


def _unsupported(module, option: str, why: str):
    return ValueError(f"from_torch cannot convert {type(module).__name__} with {option}: {why}")


def _conv(m, dtype):
    if m.groups != 1 or tuple(m.dilation) != (1, 1) or m.padding_mode != "zeros":
        raise _unsupported(m, f"groups={m.groups}, dilation={m.dilation}, padding_mode={m.padding_mode!r}",
                           "bprop's Convolution is the plain one (groups=1, dilation=1, zero padding)")
    if isinstance(m.padding, str) and m.padding != "valid":
        raise _unsupported(m, f"padding={m.padding!r}", "give the padding as a number")
    pad = 0 if isinstance(m.padding, str) else _pair(m.padding, "padding", "Conv2d")
    FN, C, FH, FW = m.weight.shape
    layer = L.Convolution(np.zeros((FN, C, FH, FW), dtype), np.zeros(FN, dtype), _pair(m.stride, "stride", "Conv2d"),
                          pad)
    take(m, layer)
    return layer


def _pool(m, mode: str):
    if mode == "max" and (m.return_indices or _pair(m.dilation, "dilation", "MaxPool2d") != 1):
        raise _unsupported(m, f"dilation={m.dilation} or return_indices", "bprop's Pooling takes neither")
    if mode == "avg" and (not m.count_include_pad or m.divisor_override is not None):
        raise _unsupported(m, "count_include_pad=False or divisor_override",
                           "bprop's average counts the zero padding, as count_include_pad=True")
    kh, kw = m.kernel_size if isinstance(m.kernel_size, (tuple, list)) else (m.kernel_size, m.kernel_size)
    stride = m.stride if m.stride is not None else m.kernel_size
    return L.Pooling(int(kh), int(kw), _pair(stride, "stride", type(m).__name__),
                     _pair(m.padding, "padding", type(m).__name__), mode=mode, ceil_mode=bool(m.ceil_mode))


def _batchnorm(m, dtype):
    if not m.track_running_stats or m.momentum is None:
        raise _unsupported(m, "track_running_stats=False or momentum=None",
                           "bprop keeps exponential running averages, used at inference")
    C = m.num_features
    layer = L.BatchNormalization(np.ones(C, dtype), np.zeros(C, dtype))
    take(m, layer)
    return layer


def _flatten(m):
    if m.start_dim != 1 or m.end_dim != -1:
        raise _unsupported(m, f"start_dim={m.start_dim}, end_dim={m.end_dim}", "bprop flattens each whole sample")
    return L.Flatten()


def _softplus(m):
    if m.beta != 1 or m.threshold < 20:
        raise _unsupported(m, f"beta={m.beta}, threshold={m.threshold}", "bprop's Softplus is log(1 + exp(x))")
    return L.Softplus()


def _book1_builders(nn):
    """torch module type → function(module, dtype) → bprop layer, for the layers of a Sequential."""
    return {
        nn.Linear: lambda m, dtype: _linear(m, dtype),
        nn.Conv2d: _conv,
        nn.MaxPool2d: lambda m, dtype: _pool(m, "max"), nn.AvgPool2d: lambda m, dtype: _pool(m, "avg"),
        nn.BatchNorm1d: _batchnorm, nn.BatchNorm2d: _batchnorm,
        nn.Dropout: lambda m, dtype: L.Dropout(m.p),
        classes()["BookDropout"]: lambda m, dtype: L.Dropout(m.p, scale_at="test"),
        nn.Flatten: lambda m, dtype: _flatten(m),
        nn.ReLU: lambda m, dtype: L.Relu(), nn.Sigmoid: lambda m, dtype: L.Sigmoid(), nn.Tanh: lambda m, dtype: L.Tanh(),
        nn.LeakyReLU: lambda m, dtype: L.LeakyRelu(m.negative_slope), nn.ELU: lambda m, dtype: L.Elu(m.alpha),
        nn.GELU: lambda m, dtype: L.Gelu(exact=m.approximate == "none"), nn.SiLU: lambda m, dtype: L.Silu(),
        nn.Softplus: lambda m, dtype: _softplus(m), nn.Identity: lambda m, dtype: L.Identity(),
    }


def _linear(m, dtype):
    layer = L.Affine(np.zeros((m.in_features, m.out_features), dtype), np.zeros(m.out_features, dtype))
    take(m, layer)
    return layer


def layer_from_torch(module: nn.Module, dtype: DTypeLike | None) -> Layer | None:
    """The bprop layer for one of book 1's torch modules (type exactly one of BOOK1_MODULES), or None."""
    build = _book1_builders(import_torch().nn).get(type(module))
    return None if build is None else build(module, np.dtype(dtype or np.float32))


def _children(module) -> list:
    """The modules of an nn.Sequential in order, nested nn.Sequentials opened."""
    nn = import_torch().nn
    found = []
    for child in module:
        found += _children(child) if type(child) is nn.Sequential else [child]
    return found


def sequential_from_torch(module: nn.Sequential, dtype: DTypeLike | None) -> Sequential:
    """A bprop Sequential (the preset's class when ``bprop_model`` names one whose layers these still are)."""
    nn = import_torch().nn
    children = _children(module)
    layers = []
    for i, child in enumerate(children):
        if getattr(child, "bprop_added", False) and i + 1 < len(children) and type(children[i + 1]) is nn.Linear:
            continue  # the nn.Flatten to_torch put before a Linear: the Affine flattens each sample itself
        layer = layer_from_torch(child, dtype)
        if layer is None:
            raise TypeError(f"from_torch cannot convert the {type(child).__name__} at position {i} of this "
                            f"nn.Sequential; bprop's Sequential holds {', '.join(BOOK1_MODULES)}")
        layers.append(layer)
    spec = getattr(module, "bprop_model", None) or {}
    loss = registry.loss_layers().get(spec.get("loss", ""), L.SoftmaxWithLoss)()
    lam = spec.get("weight_decay_lambda", 0.0)
    preset = PRESETS.get(spec.get("class", ""))
    if preset is not None and _same_layers(preset(**spec["config"], dtype=dtype or np.float64, rng=0), layers):
        net = preset.__new__(preset)
        Sequential.__init__(net, layers, loss, weight_decay_lambda=lam)
        net._set_preset(**spec["config"])  # as bprop.nets.load rebuilds a preset
        return net
    return Sequential(layers, loss, weight_decay_lambda=lam)


def _same_layers(net: Sequential, layers: list) -> bool:
    """The preset's layers have these types, parameter shapes and (saved) options."""
    ours = list(net.layers.values())
    if [type(a) for a in ours] != [type(b) for b in layers]:
        return False
    for a, b in zip(ours, layers):
        if any(np.shape(getattr(a, n)) != np.shape(getattr(b, n)) for n in a.param_names):
            return False
        if not all(_same(getattr(a, o.name), getattr(b, o.name)) for o in a.options if o.saved):
            return False
    return True


def _same(a, b) -> bool:
    """Equal options; numbers equal up to rounding (a momentum of 0.9 comes back from torch as 1 − 0.1)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12)
    return a == b
