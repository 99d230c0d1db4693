"""The gradient stage of ``check_layer``: every gradient against central differences, and the likely cause of a
wrong one (``diagnose``'s generic rules, then ``causes``' that know the layer). ``checker._Checker`` inherits it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from bprop.gradcheck import causes, learner
from bprop.gradcheck.calls import as_float64
from bprop.gradcheck.compare import difference, fmt_index, rel_scale
from bprop.gradcheck.diagnose import diagnose
from bprop.gradcheck.numerical import central_differences, mark_near_kinks
from bprop.gradcheck.report import GradRow

__all__ = ["GradientStage"]


def _canonical(label: str) -> str:
    """grads['W'] → dW: the name a gradient has in the book's attribute style."""
    return "d" + label[7:-2] if label.startswith("grads['") else label


class GradientStage:
    """gradient_checks and what it needs: one table row and one finding per gradient, the causes' view."""

    if TYPE_CHECKING:  # a mixin of checker._Checker, whose state (layer, work, params, dtype …) it reads
        def __getattr__(self, name: str) -> Any: ...

    def gradient_checks(self, targets: list) -> None:
        # backward_checks kept only usable targets and recorded a failure for each other one.
        if not any(f.key in ("shape.fail", "grad.missing") for f in self.findings):
            self.add("shape", "pass", "shape.ok")

        def run():
            y, _ = self.forward(self.lay, [w.copy() for w in self.work])
            return as_float64(y, "forward")

        if difference(run(), self.y0):
            self.add("gradient", "note", "grad.random")  # Dropout in training mode, say
            return
        self.failed: dict[str, tuple] = {}
        for target in targets:
            if target.array.size:
                n, n1, noise, kinks = central_differences(run, target.array, self.dout, self.y0, self.eps, self.unit)
                mark_near_kinks(run, target.array, target.analytic, n, noise, kinks, self.dout, self.eps, self.tol)
                self.compare(target, n, n1, noise, kinks)
        found = causes.swapped({name: (a, n) for name, (a, n, _) in self.failed.items()})
        if found is not None and not self.failed[found[0]][2].key.startswith("tf."):  # a named slip says more
            target, other = found
            finding = self.failed[target][2]
            finding.key, finding.params = "grad.swapped", {"target": target, "other": other}

    def compare(self, target: Any, n: np.ndarray, n1: np.ndarray, noise: np.ndarray, kinks: np.ndarray) -> None:
        """One table row: ok when every |a − n| ≤ tol·max(max|a|, max|n|) + noise."""
        a, keep = target.analytic, ~kinks
        with np.errstate(all="ignore"):
            err = np.abs(a - n)
        ak, nk, ek = a[keep], n[keep], err[keep]
        finite = np.isfinite(ek).all()
        worst = np.unravel_index(np.argmax(np.where(keep & np.isfinite(err), err - noise, -np.inf)), a.shape)
        scale, max_abs = rel_scale(ak, nk), float(np.max(ek, initial=0.0))
        rel_err = max_abs / scale if finite else np.inf
        ok = finite and bool(np.all(ek <= scale * self.tol + noise[keep]))
        row = GradRow(target.grad, max_abs, rel_err, fmt_index(worst),
                      float(a[worst]), float(n[worst]), int(kinks.sum()), ok)
        self.rows.append(row)
        if row.ok:
            f = self.add("gradient", "pass", "grad.ok", target=target.grad, rel=rel_err)
        elif not finite:
            f = self.add("gradient", "fail", "grad.nonfinite", target=target.grad)
        else:
            elementwise = self.elementwise()
            key, params = diagnose(a[keep], n[keep], n1[keep], unit_dout=self.unit_dout, elementwise=elementwise,
                                   y=self.y0[keep] if elementwise else None,
                                   dout=self.dout[keep] if elementwise else None, batch_size=self.batch_size())
            if key != "grad.ignores_dout":
                key, params = causes.specific(self.case(), _canonical(target.grad), a, n) or (key, params)
            if key == "grad.mismatch":
                key, params = causes.fallback(self.case(), _canonical(target.grad)) or (key, params)
            f = self.add("gradient", "fail", key, target=target.grad, **params)
            self.failed[target.grad] = (a, n, f)
            f.extra.append(("grad.worst", {"index": row.index, "backward": row.backward, "numerical": row.numerical}))
        if row.kinks:
            f.extra.append(("grad.kinks", {"kinks": row.kinks}))


    def case(self) -> causes.Case:
        """What causes.specific reads of the layer: its name, x, y, dout, parameters, labels."""
        labels = self.work[1] if len(self.work) > 1 and self.diff == [0] else None
        labels = self.work[0] if labels is None and not self.diff else labels  # word ids
        params = {p[1]: learner.param(self.lay, p) for p in self.params}
        other = self.work[1] if len(self.work) > 1 and 1 in self.diff else None
        return causes.Case(type(self.layer).__name__, self.work[self.diff[0] if self.diff else 0], self.y0,
                           self.dout, params, labels, self.unit_dout, self.random, other, inputs=self.work,
                           names=self.names, out_shapes=self.out_shapes, lay=self.lay, replay=self.replay)

    def batch_size(self) -> int:
        x = self.work[self.diff[0] if self.diff else 0]
        return x.shape[0] if x.ndim >= 2 else 1

    def elementwise(self) -> bool:
        """One input, no parameters, output of the input's shape: Relu, Sigmoid, …"""
        return len(self.work) == 1 and not self.params and self.y0.shape == self.work[0].shape
