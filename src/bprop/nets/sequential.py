"""``Sequential``: layers in order, then a loss layer — the shape of every net in the book.

``params`` and ``grads`` are dicts keyed like the book (``W1``, ``b1``, ``W2``,
…): each parameter name is numbered by its occurrence over the layers, so
Affine–Relu–Affine gives W1, b1, W2, b2, and a net with batch normalisation
gives W1, b1, gamma1, beta1, W2, … as in the book's MultiLayerNetExtend.
They are views assembled from the layers, never copies: ``params['W1']`` *is*
the first Affine's ``W``, so updating it in place (what the book's loop and
``bprop.optim`` do) trains the layer.

Labels ``t`` may be integer class indices (N,) or one-hot (N, C), as in the book.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, cast

import numpy as np

from bprop import serialize
from bprop._checks import class_labels, positive_int
from bprop._kernels.nan import contains_nan, layers_feeding_layers
from bprop._types import PathLike
from bprop.layers import SoftmaxWithLoss
from bprop.layers.base import as_float_array
from bprop.nets._evaluate import count_correct
from bprop.nets._repr import table_html
from bprop.nets.state import HasState
from bprop.nets.summary import LayerSummary, shape_text, summary_table

__all__ = ["Sequential", "ParamDict", "EVAL_BATCH_SIZE", "PRESETS", "preset"]

# Rows evaluated at once by accuracy(): bounds the memory a large set needs
# while keeping each batch's GEMMs large.
EVAL_BATCH_SIZE = 2_000

# The book's nets that a model file may name as its class: name → class (``preset``).
PRESETS: dict[str, Any] = {}  # class name → preset class (with _check_saved, EXTRAS, _set_preset)


def preset(cls: type) -> type:
    """Class decorator: ``cls`` is a preset net a model file may name, rebuilt as described in ``bprop.nets.model_files``.

    A preset keeps its constructor arguments with ``_set_preset(**config)``,
    which loading calls again on the saved config, and checks a file's layers
    against a config with the classmethod ``_check_saved(config, records)``.
    """
    PRESETS[cls.__name__] = cls
    return cls


class ParamDict(MutableMapping):
    """The net's parameters as a dict view: ``params['W1']`` is the layer's own array.

    Reading gives the layer's array itself (no copy). Assigning replaces the
    layer's array with the new value, which must have the same shape; it is
    converted to the net's dtype. ``params[k] -= g`` updates in place (Python
    hands the same array back to ``__setitem__``, which keeps it).
    """

    def __init__(self, slots: dict[str, tuple[object, str]]) -> None:
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


class Sequential(HasState):
    """Layers applied in order, then a loss layer — the shape of every net in the book.

    predict(x)     = layers[-1](… layers[0](x))            the scores (logits), (N, C)
    loss(x, t)     = last_layer(predict(x), t) + ½λ Σ_W ‖W‖²   a scalar of the net's dtype
    gradient(x, t) = backprop: dL/dparam for every parameter, as a dict keyed like ``params``

    layers: a list of layers (named ``Affine1``, ``Relu1``, ``Affine2`` … by type
    and count) or a dict name → layer, like the book's ``OrderedDict``.
    loss_layer: defaults to ``SoftmaxWithLoss()``; kept as ``last_layer``.
    weight_decay_lambda: λ of the L2 penalty of the book's §6.4.1, on every
    parameter named ``W`` (never on biases); backprop adds λ·W to each dW.
    ``print(net)`` shows each layer, its output shape and its parameter count;
    a notebook shows that table as HTML. ``state_dict()`` / ``load_state_dict(d)``:
    the parameters and BatchNormalization's running averages as copies, named
    as in a model file (``bprop.nets.state``).
    """

    def __init__(self, layers: Mapping[str, Any] | Iterable[Any], loss_layer: Any = None, *,
                 weight_decay_lambda: float = 0.0) -> None:
        named: dict[str, Any]
        if isinstance(layers, dict):
            named = dict(layers)
        else:
            named = {}
            counts: dict[str, int] = {}
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
    def lastLayer(self) -> Any:  # noqa: N802 - the book's ch.5 TwoLayerNet spells it so
        return self.last_layer

    @property
    def dtype(self) -> np.dtype | None:
        """The dtype of the parameters (None for a net without any)."""
        slots = self._slots()
        if not slots:
            return None
        layer, attr = next(iter(slots.values()))
        return getattr(layer, attr).dtype

    def predict(self, x: np.ndarray, train_flg: bool = False) -> np.ndarray:
        """The last layer's output before the loss: scores (logits) of shape (N, C).

        x is scanned for NaN here, and so are the scores; the layers in
        between skip their own scans (``bprop._kernels.nan``): a NaN that
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

    def loss(self, x: np.ndarray, t: np.ndarray, train_flg: bool = False) -> float:
        """L = last_layer(predict(x), t) + ½λ Σ_W ‖W‖², a scalar of the net's dtype."""
        y = self.predict(x, train_flg=train_flg)
        with layers_feeding_layers():  # predict has scanned the scores for NaN; t is still checked
            loss = self.last_layer.forward(y, t)
        return loss + self._decay_loss()

    def accuracy(self, x: np.ndarray, t: np.ndarray, batch_size: int = EVAL_BATCH_SIZE) -> float:
        """The fraction of rows whose argmax of ``predict`` equals the label.

        t: integer labels (N,) in [0, C) or one-hot (N, C); labels (N, 1), −1 or C,
        or rows that are not one-hot are a ValueError saying what is valid. The rows
        are evaluated ``batch_size`` at a time (float32 x in a float64 Affine/Relu net:
        in float32 where a proven bound decides the argmax, ``bprop.nets._certified``).
        """
        n = np.shape(t)[0] if np.ndim(t) else 0
        if n == 0 or np.shape(x)[0] != n:
            raise ValueError(f"accuracy expected x and t with the same number of rows (> 0), "
                             f"got x of shape {np.shape(x)} and t of shape {np.shape(t)}")
        batch_size = positive_int(batch_size, "batch_size")
        classes = self.predict(x[:1], train_flg=False).shape[1]
        labels = class_labels(t, n, classes, "accuracy")  # labels (N,) in [0, C), or one-hot rows
        labels = np.asarray(t).argmax(axis=1) if labels is None else labels
        return count_correct(self, x, labels, batch_size) / n

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Backprop (book §5.7.2): forward, the loss layer's backward(1), then every layer in reverse.

        Returns the gradients keyed like ``params`` (the layers keep them as dW, db).
        """
        return self.loss_and_gradient(x, t)[1]

    def loss_and_gradient(self, x: np.ndarray, t: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """One forward and one backward pass; returns (loss, grads).

        The loss is that of the parameters *before* any update, computed by the
        same forward pass — the book's loop calls ``loss`` again after the
        update, a second forward pass this saves.
        """
        layers = list(self.layers.values())
        y = self.predict(x, train_flg=True)
        with layers_feeding_layers():  # predict has scanned the scores for NaN; t is still checked
            loss = self.last_layer.forward(y, t) + self._decay_loss()
            dout = self.last_layer.backward(1)
            first = _first_with_params(layers)
            for layer in reversed(layers[first + 1:]):
                dout = layer.backward(dout)
            if first < len(layers):
                # Nothing before the first layer with parameters needs dout: that layer
                # skips its dx when it can (Affine, Convolution: backward_params).
                layer = layers[first]
                getattr(layer, "backward_params", layer.backward)(dout)
        if self.weight_decay_lambda:
            lam = self.weight_decay_lambda
            for layer, attr in self._slots().values():
                if attr == "W":
                    layer.dW += layer.dW.dtype.type(lam) * layer.W
        return loss, cast("dict[str, np.ndarray]", self.grads)  # every one set by the backward above

    def numerical_gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        """Central-difference gradients of ``loss`` for every parameter (book §4.4; slow).

        Uses ``bprop.gradcheck.numerical_gradient``, which perturbs each
        parameter in place and restores it. Meaningful in float64 only: with
        float32 parameters the differences are dominated by rounding.
        """
        from bprop.gradcheck.numerical import numerical_gradient

        def f(_):
            return self.loss(x, t, train_flg=True)

        return {key: numerical_gradient(f, param) for key, param in self.params.items()}

    # --- our additions ------------------------------------------------------------------

    def describe(self, input_shape: tuple[int, ...]) -> list[LayerSummary]:
        """One (type, output shape, parameter count) per layer, then the loss layer.

        input_shape: one sample's shape, e.g. (784,). Output shapes start with
        "N" (the batch): ("N", 50). The loss layer's row has shape (). The shapes
        come from a forward pass of one zero sample in eval mode. These are the
        specs ``bprop.graph.network_graph`` draws. The pass runs on copies of the
        layers (sharing their parameters), so it changes nothing a later
        backward would read.
        """
        shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
        x = np.zeros((1, *shape), dtype=self.dtype or np.float64)
        rows = []
        for layer in self.layers.values():
            x = _copy_sharing_arrays(layer).forward(x, train_flg=False)
            rows.append(LayerSummary(type(layer).__name__, ("N", *x.shape[1:]), _param_count(layer)))
        rows.append(LayerSummary(type(self.last_layer).__name__, (), 0))
        return rows

    def summary(self, input_shape: tuple[int, ...] | None = None) -> str:
        """The table ``print(net)`` shows: each layer (its repr), its output shape and parameter count.

        input_shape: one sample's shape; by default the preset's (``input_shape``
        or ``input_size``) or the first Affine's input size; without one the
        output shapes show as "?".
        """
        return summary_table(self._summary_rows(input_shape), title=self._summary_title())

    def _summary_rows(self, input_shape=None) -> list[tuple]:
        if input_shape is None:
            input_shape = self._sample_shape()
        layers = [*self.layers.values(), self.last_layer]
        if input_shape is None:
            return [(repr(layer), None, _param_count(layer)) for layer in layers]
        return [(repr(layer), row.output_shape, row.param_count)
                for layer, row in zip(layers, self.describe(input_shape))]

    def _summary_title(self) -> str:
        return f"{type(self).__name__}, {self.dtype or 'no parameters'}"

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        """The table of ``summary()`` as HTML, for a notebook."""
        rows = [(label, shape_text(shape), count) for label, shape, count in self._summary_rows()]
        return table_html(self._summary_title(), ("layer", "output shape", "parameters"), rows,
                          sum(count for *_, count in rows))

    def save(self, path: PathLike) -> Path:
        """Write the net to an .npz file (see ``bprop.serialize``); returns the path written."""
        return serialize.save(self, path)

    def __repr__(self) -> str:
        inner = ", ".join(self.layers)
        return f"{type(self).__name__}([{inner}], loss={type(self.last_layer).__name__})"

    # --- internals -------------------------------------------------------------------

    def _named_arrays(self) -> list[tuple[str, np.ndarray]]:
        """The arrays of ``state_dict``, as a model file names them (``bprop.serialize``), layer by layer."""
        slots, named = iter(self._slots()), []
        for name, layer in self.layers.items():
            named += [(next(slots), getattr(layer, attr)) for attr in getattr(layer, "param_names", ())]
            named += [(f"{name}.{attr}", getattr(layer, attr)) for attr in getattr(layer, "state_names", ())]
        return named + list(getattr(self, "_extras", dict)().items())

    def _slots(self) -> dict[str, tuple[Any, str]]:
        """key → (layer, attribute name), numbering each parameter name by occurrence; callers only read it.

        Kept with its layers, rebuilt when ``self.layers`` holds others (the book's loop reads params 4× a step).
        """
        layers, cached = tuple(self.layers.values()), self.__dict__.get("_slot_cache")
        if cached is None or len(cached[0]) != len(layers) or any(a is not b for a, b in zip(cached[0], layers)):
            self._slot_cache = cached = (layers, self._slots_simple())
        return cached[1]

    def _slots_simple(self) -> dict[str, tuple[Any, str]]:
        """What ``_slots`` returns, built from the layers each time."""
        slots: dict[str, tuple[Any, str]] = {}
        counts: dict[str, int] = {}
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
        dtype = weights[0].dtype
        # np.vdot flattens; the sum starts at a float of the net's dtype, for NumPy 1.x would promote 0 + float32
        total = sum((np.vdot(W, W) for W in weights), dtype.type(0))
        return dtype.type(0.5 * lam) * total

    def _sample_shape(self):
        """One sample's shape, when the net knows it (see ``summary``)."""
        for name in ("input_shape", "input_size"):
            value = getattr(self, name, None)
            if value is not None:
                return value
        first = next(iter(self.layers.values()))
        W = getattr(first, "W", None)
        return (W.shape[0],) if isinstance(W, np.ndarray) and W.ndim == 2 else None

    # A preset (TwoLayerNet, …) keeps its constructor arguments here (_set_preset),
    # so that a model file can rebuild it as that class; EXTRAS names the arrays
    # its ``_extras()`` saves besides its layers' (a model file may hold no others).
    _config: dict | None = None
    EXTRAS: tuple[str, ...] = ()

    def _preset(self) -> dict | None:
        """{"class": the preset's name, "config": its arguments}, or None for a plain Sequential."""
        return None if self._config is None else {"class": type(self).__name__, "config": self._config}


def _copy_sharing_arrays(layer):
    """A deep copy of ``layer`` whose parameters and state arrays are the layer's own (not copied)."""
    names = (*getattr(layer, "param_names", ()), *getattr(layer, "state_names", ()))
    shared = {id(a): a for a in (getattr(layer, n, None) for n in names) if isinstance(a, np.ndarray)}
    return copy.deepcopy(layer, memo=shared)


def _param_count(layer) -> int:
    return sum(int(np.size(p)) for p in getattr(layer, "params", {}).values())


def _first_with_params(layers) -> int:
    """Index of the first layer with parameters (len(layers) when none has any)."""
    for i, layer in enumerate(layers):
        if getattr(layer, "param_names", ()):
            return i
    return len(layers)
