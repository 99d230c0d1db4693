"""What every layer shares: input checking, the dout contract, params/grads views, options.

The contract (tested for every layer in tests/layers/test_contract.py):

- ``forward`` and ``backward`` never write into the arrays they are given,
  unless asked to: ``Relu(inplace=True)`` writes y into x and dx into dout.
- float32 in gives float32 out and float32 gradients; float64 likewise. Integer
  and boolean input is converted to float64. A layer with parameters computes in
  the parameters' dtype and converts its input to it. Complex, object and
  string input raises ``TypeError``.
- NaN input raises ``ValueError``; ±inf is allowed where the math is defined.
  (Inside a net's pass the net scans its own input and scores instead, see
  ``bprop._kernels.nan``.)
- ``backward`` before ``forward`` raises ``RuntimeError``; a ``dout`` whose shape
  differs from the output's raises ``ValueError`` naming both shapes.

A layer declares, as class attributes, what it is made of: ``param_names`` (the
arrays it learns; backward leaves their gradients as ``d`` + name),
``state_names`` (other arrays a model file keeps), ``options`` (its scalar
constructor options, see ``bprop.layers.options``), ``dims`` (the names of its
parameters' axes), ``repr_format`` (how ``repr`` shows the sizes) and ``role``
(see ``bprop.layers.registry``).
"""

from __future__ import annotations

import functools
import inspect
import string
from collections.abc import Iterable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from bprop._checks import FLOAT_DTYPES
from bprop._kernels.nan import reject_nan, scanning_for_nan
from bprop.layers import registry
from bprop.layers.options import Option

__all__ = ["Layer", "ParamList", "SequenceLayer", "as_float_array"]

_T = TypeVar("_T")


def as_float_array(x: npt.ArrayLike, name: str, owner: str, dtype: npt.DTypeLike | None = None,
                   check_nan: bool = True) -> np.ndarray:
    """Return ``x`` as a float32 or float64 array, without copying when it already is one.

    Integers and booleans become ``dtype`` (float64 when None); float16 becomes
    float32. Complex, object and string arrays raise TypeError; NaN raises
    ValueError (unless ``check_nan`` is False: the caller checks elsewhere).
    """
    x = np.asarray(x)
    kind = x.dtype.kind
    if x.dtype in FLOAT_DTYPES:
        pass
    elif kind in "iub":
        x = x.astype(dtype or np.float64)
    elif kind == "f" and x.dtype.itemsize < 4:
        x = x.astype(np.float32)
    else:
        raise TypeError(
            f"{owner} expected a real-valued float or integer array for {name}, "
            f"got dtype {x.dtype}"
        )
    if check_nan:
        reject_nan(x, name, owner)
    return x


class Layer:
    """Base class: a layer with ``forward`` and ``backward``.

    Parameters are attributes (``W``, ``b``) named in ``param_names``; backward
    leaves the gradients as ``dW``, ``db``. ``params`` and ``grads`` are dict
    views built from those attributes, so they can never fall out of step.
    """

    param_names: tuple[str, ...] = ()
    state_names: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    dims: dict[str, tuple[str, ...]] = {}
    repr_format: str | None = None  # how repr shows the sizes, e.g. "{D} → {M}" (see __repr__)
    role: str = "layer"
    _out_shape: tuple[int, ...]  # set by forward (_remember_output); _dout checks dout against it
    _out_dtype: np.dtype

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        registry.register(cls)

    @property
    def params(self) -> dict[str, np.ndarray] | ParamList:
        return {name: getattr(self, name) for name in self.param_names}

    @property
    def grads(self) -> dict[str, np.ndarray | None] | ParamList:
        return {name: getattr(self, "d" + name, None) for name in self.param_names}

    def __repr__(self) -> str:
        """The class, its sizes, its options and a float32 dtype, short: ``Affine(784 → 50, float32)``.

        The sizes are ``repr_format`` filled from the axes ``dims`` names and the
        layer's attributes (``Convolution(30 filters 1×5×5, stride 1, pad 0)``);
        without one, each axis as ``D=784``. Then each option the format did not
        use, where it differs from the constructor's default or has none
        (``Dropout(dropout_ratio=0.5, scale_at='test')``); a flag only when set
        (``Relu(inplace=True)``). float64, NumPy's default, goes unsaid.
        """
        sizes = {axis: size for name, axes in self.dims.items()
                 for axis, size in zip(axes, np.shape(getattr(self, name, ())))}
        if self.repr_format is None:
            parts, used = [f"{axis}={size}" for axis, size in sizes.items()], set()
        else:
            used = {field for _, field, _, _ in string.Formatter().parse(self.repr_format) if field}
            parts = [self.repr_format.format(**{f: sizes[f] if f in sizes else getattr(self, f) for f in used})]
        cls: type = type(self)  # as a plain type: mypy takes a Layer class's __hash__ for its instances' (not Hashable)
        defaults = _constructor_defaults(cls)
        for o in self.options:
            value = getattr(self, o.name)
            if o.name in used or (o.boolean and not value) or (not o.saved and not value):
                continue
            if o.boolean or o.name not in defaults or value != defaults[o.name]:
                parts.append(f"{o.name}={value!r}")
        if self.param_names and self._param_dtype() == np.float32:
            parts.append("float32")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def _name(self) -> str:
        return type(self).__name__

    def _set_options(self, **values: Any) -> None:
        """Check each declared option's value and keep it as an attribute of the same name."""
        for option in self.options:
            setattr(self, option.name, option.check(values[option.name], option.name, self._name))

    def _weight_and_bias(self, W: npt.ArrayLike, b: npt.ArrayLike, out_axis: int) -> tuple[np.ndarray, np.ndarray]:
        """W and b as float arrays, b in W's dtype; ValueError unless W has as many axes as ``dims["W"]``
        names and b is one value per W's ``out_axis`` (Affine's M, Convolution's FN)."""
        W = as_float_array(W, "W", self._name)
        b = as_float_array(b, "b", self._name).astype(W.dtype, copy=False)
        axes = self.dims["W"]
        if W.ndim != len(axes) or b.shape != (W.shape[out_axis],):
            raise ValueError(
                f"{self._name} expected W of shape ({', '.join(axes)}) and b of shape ({axes[out_axis]},), "
                f"got W {W.shape} and b {b.shape}"
            )
        return W, b

    def _param_dtype(self) -> np.dtype | None:
        return getattr(self, self.param_names[0]).dtype if self.param_names else None

    def _input(self, x: npt.ArrayLike, name: str = "x", check_nan: bool = True) -> np.ndarray:
        """Check and convert a forward input; a layer with parameters computes in their dtype.

        The parameters' dtype wins, so the book's float32 MNIST runs through the
        book's float64 nets (and float64 data through a float32 net) without a
        dtype error; layers without parameters keep the input's dtype.
        """
        dtype = self._param_dtype()
        x = as_float_array(x, name, self._name, dtype=dtype, check_nan=check_nan and scanning_for_nan())
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)
        return x

    def _remember_output(self, out: np.ndarray) -> np.ndarray:
        self._out_shape = out.shape
        self._out_dtype = out.dtype
        return out

    def _cached(self, value: _T | None) -> _T:
        """A forward cache as backward reads it: RuntimeError where forward has not run (None), as ``_dout`` says."""
        if value is None:
            raise RuntimeError(f"{self._name}.backward called before forward")
        return value

    def _dout(self, dout: npt.ArrayLike, check_nan: bool = True) -> np.ndarray:
        """Check ``dout`` against the last forward's output; cast it to that dtype.

        check_nan=False: the caller scans it on its way (``_nan_owner``) instead.
        """
        out_shape = getattr(self, "_out_shape", None)
        if out_shape is None:
            raise RuntimeError(f"{self._name}.backward called before forward")
        dout = np.asarray(dout)
        if dout.dtype.kind not in "fiub":
            raise TypeError(f"{self._name}.backward expected a real float array for dout, got dtype {dout.dtype}")
        if dout.shape != out_shape:
            raise ValueError(
                f"{self._name}.backward got dout of shape {dout.shape}, "
                f"but forward's output had shape {out_shape}"
            )
        if dout.dtype != self._out_dtype:
            dout = dout.astype(self._out_dtype)
        if check_nan and scanning_for_nan():
            reject_nan(dout, "dout", f"{self._name}.backward")
        return dout

    def _nan_owner(self, backward: bool = False) -> str | None:
        """The name a fast kernel reports a NaN under, when it must scan (None inside a net's pass)."""
        if not scanning_for_nan():
            return None
        return f"{self._name}.backward" if backward else self._name


@functools.cache
def _constructor_defaults(cls: type) -> dict[str, Any]:
    """Parameter name → default value of ``cls.__init__`` (parameters without one left out)."""
    try:
        init = cls.__init__  # type: ignore[misc]  # cls is a class, not an instance: its own __init__
        parameters = inspect.signature(init).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


class ParamList(list[np.ndarray]):
    """``params`` and ``grads`` in book 2's form: a list of arrays, also looked up by name.

    A model collects its layers' arrays as book 2 does (``self.params +=
    layer.params``; ``for p, g in zip(params, grads)``), and ``params['Wx']``,
    ``keys()``, ``items()`` reach them by the layer's names.
    """

    def __init__(self, names: Iterable[str], arrays: Iterable[np.ndarray]) -> None:
        super().__init__(arrays)
        self.names = tuple(names)

    def __getitem__(self, key: Any) -> Any:  # a str (a name) besides list's int and slice
        if isinstance(key, str):
            try:
                return super().__getitem__(self.names.index(key))
            except ValueError:
                raise KeyError(f"no parameter {key!r}; the names are {', '.join(self.names)}") from None
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        return list(self.names)

    def values(self) -> list[np.ndarray]:
        return list(self)

    def items(self) -> list[tuple[str, np.ndarray]]:
        return list(zip(self.names, self))


class SequenceLayer(Layer):
    """A layer of book 2: ``params``/``grads`` as ParamLists, gradients overwritten in place.

    Book 2's models keep references to their layers' gradient arrays
    (``self.grads += layer.grads``) and read them after each backward, so the
    arrays ``dWx``, ``dWh``, ``db`` … are allocated once, zero, and every
    backward writes into them (``self.dWx[...] = …``) rather than binding new ones.
    """

    role = "sequence"
    _out_shapes: list[tuple[str, tuple[int, ...]]]  # set by forward: each output's dout name and shape

    # Book 2's list form, by design in place of Layer's dicts (ParamList also answers keys/items/[name]).
    @property
    def params(self) -> ParamList:
        return ParamList(self.param_names, [getattr(self, name) for name in self.param_names])

    @property
    def grads(self) -> ParamList:
        return ParamList(self.param_names, [getattr(self, "d" + name) for name in self.param_names])

    def _zero_grads(self) -> None:
        for name in self.param_names:
            setattr(self, "d" + name, np.zeros_like(getattr(self, name)))

    def _array(self, x: npt.ArrayLike, name: str, shape: tuple[int | None, ...], what: str) -> np.ndarray:
        """x checked as _input does, and to have ``shape`` (None entries: any size); what: its axes, e.g. "(N, H)"."""
        x = self._input(x, name)
        if x.ndim != len(shape) or any(want is not None and got != want for got, want in zip(x.shape, shape)):
            sizes = ", ".join("?" if want is None else str(want) for want in shape)
            raise ValueError(f"{self._name} expected {name} of shape {what} = ({sizes}), got {x.shape}")
        return x

    def _douts(self, *douts: npt.ArrayLike) -> tuple[np.ndarray, ...]:
        """Each gradient from above checked against the output it belongs to (``_out_shapes``)."""
        shapes = getattr(self, "_out_shapes", None)
        if shapes is None:
            raise RuntimeError(f"{self._name}.backward called before forward")
        checked = []
        for (name, shape), dout in zip(shapes, douts):
            dout = np.asarray(dout)
            if dout.dtype.kind not in "fiub":
                raise TypeError(f"{self._name}.backward expected a real float array for {name}, got dtype {dout.dtype}")
            if dout.shape != shape:
                raise ValueError(f"{self._name}.backward got {name} of shape {dout.shape}, but forward's output "
                                 f"had shape {shape}")
            dout = dout.astype(self._out_dtype, copy=False)
            if scanning_for_nan():
                reject_nan(dout, name, f"{self._name}.backward")
            checked.append(dout)
        return tuple(checked)
