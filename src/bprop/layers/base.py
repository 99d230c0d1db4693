"""What every layer shares: input checking, the dout contract, params/grads views.

The contract (tested for every layer in tests/test_layer_contract.py):

- ``forward`` and ``backward`` never write into the arrays they are given.
- float32 in gives float32 out and float32 gradients; float64 likewise. Integer
  and boolean input is converted to float64. A layer with parameters computes in
  the parameters' dtype and converts its input to it. Complex, object and
  string input raises ``TypeError``.
- NaN input raises ``ValueError``; ±inf is allowed where the math is defined.
  (Inside a net's pass the net scans its own input and scores instead, see
  ``layers_feeding_layers``.)
- ``backward`` before ``forward`` raises ``RuntimeError``; a ``dout`` whose shape
  differs from the output's raises ``ValueError`` naming both shapes.
"""

from __future__ import annotations

import contextlib
import contextvars

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

_SCAN_FOR_NAN = contextvars.ContextVar("bprop_scan_for_nan", default=True)


def scanning_for_nan() -> bool:
    """Whether layers scan their x and dout for NaN here (True but inside ``layers_feeding_layers``)."""
    return _SCAN_FOR_NAN.get()


@contextlib.contextmanager
def layers_feeding_layers():
    """Within this block layers skip the NaN scan of their x and dout.

    For a net's passes (``Sequential``): there every x and dout but the net's
    own input comes from another layer, so a NaN can only start inside a
    layer (inf − inf or 0·inf after an overflow), and it then reaches the
    scores, which the net scans: a few numbers where the layers' scans read
    every activation and gradient, 5 % of a SimpleConvNet training step
    (one BLAS dot each, 0.09 ns/element; bench/train_conv.py).
    """
    token = _SCAN_FOR_NAN.set(False)
    try:
        yield
    finally:
        _SCAN_FOR_NAN.reset(token)


def as_float_array(x, name: str, owner: str, dtype=None, check_nan: bool = True) -> np.ndarray:
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


def contains_nan(x: np.ndarray) -> bool:
    """Whether ``x`` holds a NaN.

    Σx² is NaN exactly when x holds a NaN (squares are never negative, so ±inf
    give inf, not NaN), and BLAS computes it as one dot product: 0.09 ns/element
    where ``np.isnan(x).any()`` costs 0.6 and ``np.add.reduce`` 0.2-0.4
    (bench/activations.py).
    """
    flat = x.ravel(order="K")  # no copy for any contiguous layout, channel-major conv outputs included
    with np.errstate(all="ignore"):
        return bool(np.isnan(np.vdot(flat, flat)))


def reject_nan(x: np.ndarray, name: str, owner: str) -> None:
    """Raise ValueError naming the first NaN of ``x``, if it holds one."""
    if x.size and contains_nan(x):
        where = tuple(int(i) for i in np.argwhere(np.isnan(x))[0])
        raise ValueError(f"{owner} got NaN in {name} at index {where}")


class Layer:
    """Base class: a layer with ``forward`` and ``backward``.

    Subclasses name their learnable parameters in ``param_names`` and keep them
    as attributes (``W``, ``b``); backward leaves the gradients as ``dW``,
    ``db``. ``params`` and ``grads`` are dict views built from those attributes,
    so they can never fall out of step with them.
    """

    param_names: tuple[str, ...] = ()

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.param_names}

    @property
    def grads(self) -> dict[str, np.ndarray | None]:
        return {name: getattr(self, "d" + name, None) for name in self.param_names}

    @property
    def _name(self) -> str:
        return type(self).__name__

    def _param_dtype(self):
        return getattr(self, self.param_names[0]).dtype if self.param_names else None

    def _input(self, x, name: str = "x", check_nan: bool = True) -> np.ndarray:
        """Check and convert a forward input; a layer with parameters computes in their dtype.

        The parameters' dtype wins, so the book's float32 MNIST runs through the
        book's float64 nets (and float64 data through a float32 net) without a
        dtype error; layers without parameters keep the input's dtype.
        """
        dtype = self._param_dtype()
        x = as_float_array(x, name, self._name, dtype=dtype, check_nan=check_nan and _SCAN_FOR_NAN.get())
        if dtype is not None and x.dtype != dtype:
            x = x.astype(dtype)
        return x

    def _remember_output(self, out: np.ndarray) -> np.ndarray:
        self._out_shape = out.shape
        self._out_dtype = out.dtype
        return out

    def _dout(self, dout) -> np.ndarray:
        """Check ``dout`` against the last forward's output; cast it to that dtype."""
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
        if _SCAN_FOR_NAN.get():
            reject_nan(dout, "dout", f"{self._name}.backward")
        return dout
