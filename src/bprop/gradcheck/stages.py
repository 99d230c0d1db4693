"""The stages of ``check_layer`` after the gradients: the dtype kept, inputs at ±1000, and test mode.

``AfterGradients`` holds them as methods of the checker (``checker._Checker`` inherits it): each runs a
fresh copy of the caller's layer in the checked dtype, or, for test mode, the float64 copy after training.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import DTypeLike

from bprop.gradcheck import build, learner, modes
from bprop.gradcheck.calls import as_float64, log_hint
from bprop.gradcheck.compare import copy_grad, difference, first_index

__all__ = ["AfterGradients"]


class AfterGradients:
    """dtype_check, extreme_check, test_mode_checks: what the checker runs once the gradients are done."""

    if TYPE_CHECKING:  # a mixin of checker._Checker, whose state (layer, work, params, dtype …) it reads
        def __getattr__(self, name: str) -> Any: ...

    # dtype and extremes -----------------------------------------------------------------

    def inputs_in(self, dtype: DTypeLike) -> list[np.ndarray]:
        """The inputs with the differentiable ones cast to ``dtype`` (labels stay as given)."""
        return [a.astype(dtype) if i in self.diff else a.copy() for i, a in enumerate(self.arrays)]

    def dout_in(self, dtype: DTypeLike) -> float | np.ndarray:
        return float(self.dout) if self.dout.ndim == 0 else self.dout.astype(dtype)

    def run_copy(self, xs: list[np.ndarray]) -> tuple:
        """forward and backward on a copy of the caller's layer in the checked dtype."""
        lay = learner.cast_copy(self.layer, self.dtype)
        y, warns = self.forward(lay, xs)
        result, more = self.backward_of(lay, self.dout_in(self.dtype))
        named = [("d" + self.names[i], g) for i, g in zip(self.diff, self.input_grads(result))]
        named += [(learner.grad_label(p, self.list_names), learner.grad(lay, p)) for p in self.params]
        return y, [(k, g) for k, g in named if g is not None], warns + more

    def dtype_check(self) -> None:
        dtype = str(self.dtype)
        y, grads, _ = self.run_copy(self.inputs_in(self.dtype))
        status = "fail" if self.strict else "note"
        if np.asarray(y).dtype != self.dtype:
            f = self.add("dtype", status, "dtype.output", got=str(np.asarray(y).dtype), dtype=dtype)
        else:
            leaks = [(what, g) for what, g in grads if np.asarray(g).dtype != self.dtype]
            if not leaks:
                self.add("dtype", "pass", "dtype.ok", dtype=dtype)
                return
            what, g = leaks[0]
            f = self.add("dtype", status, "dtype.fail", what=what, got=str(np.asarray(g).dtype), dtype=dtype)
        if not self.strict:
            f.extra.append(("dtype.strict", {}))

    def extreme_check(self) -> None:
        if not self.diff:  # word ids: nothing to push to ±1000
            return
        xs = self.inputs_in(self.dtype)
        x = xs[self.diff[0]]
        x[...] = np.linspace(-1000.0, 1000.0, x.size).reshape(x.shape)  # both ends included
        y, grads, warns = self.run_copy(xs)
        for what, value in [(None, y)] + grads:
            value = copy_grad(value)
            bad = np.zeros(0, dtype=bool) if value is None else ~np.isfinite(value)
            if bad.any():
                index = first_index(bad)
                f = (self.add("extreme", "fail", "extreme.output", index=index) if what is None
                     else self.add("extreme", "fail", "extreme.fail", what=what, index=index))
                if bad.shape == x.shape:
                    f.extra.append(("extreme.at_x", {"x": float(x[np.unravel_index(np.argmax(bad), bad.shape)])}))
                if "softmax" in type(self.layer).__name__.lower():
                    f.extra.append(("extreme.softmax_rows", {}))
                if warns:
                    f.extra.append(("hint.warned", {"warning": warns[0]}))
                log_hint(f, warns)
                return
        if warns:
            self.add("extreme", "note", "extreme.note", warning=warns[0])
        else:
            self.add("extreme", "pass", "extreme.ok")

    # test mode --------------------------------------------------------------------------

    def test_mode_checks(self) -> None:
        """forward(x, train_flg=False): finite, deterministic, inputs and running averages untouched, its form."""
        mode = self.mode or self.mode_attr
        if mode is None or self.diff is None:
            return
        lay, x = self.lay, self.work[0]
        before = modes.state_arrays(lay)
        saved = [w.copy() for w in self.work]
        y1 = as_float64(self.forward(lay, self.work, train=False, replay=False)[0], "forward")
        y2 = as_float64(self.forward(lay, self.work, train=False, replay=False)[0], "forward")
        self.inplace_check("test_inplace", saved)
        if not np.isfinite(y1).all():
            self.add("test_mode", "fail", "mode.test_nonfinite", name=mode)
            return
        after = modes.state_arrays(lay)
        moved = [n for n in before if difference(before[n], after.get(n))]
        if moved:  # before "random": a test mode that moves the averages also gives a new output each call
            self.add("test_mode", "fail", "mode.test_moves", name=moved[0], mode=mode)
            return
        if difference(y1, y2):
            self.add("test_mode", "fail", "mode.test_random", name=mode)
            return
        judged = None
        if self.random:
            ratio = next((float(getattr(self.layer, n)) for n in build.DROPOUT_NAMES
                          if isinstance(getattr(self.layer, n, None), (int, float))), None)
            judged = modes.dropout_finding(x, self.y0, y1, ratio)
            fraction = modes.dropout_fraction_finding(self.layer, mode, ratio, attribute=self.mode is None)
            if fraction is not None:
                self.judge("dropout", fraction)
        elif "running_mean" in after:
            judged = modes.batchnorm_test_finding(lay, x, y1)
        if judged is not None:
            self.judge("test_mode", judged)
        else:
            self.add("test_mode", "pass", "mode.test_ok", name=mode)
