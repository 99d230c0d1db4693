"""``check_layer``: every check of a layer's forward and backward, collected into a Report.

The stages, in order (``_Checker.run``): forward on ordinary inputs (finite, no
warnings, inputs untouched, against bprop's layer of the same name); backward
with a random dout (dout and inputs untouched, a second call agreeing, a loss
scaling with dout); every gradient against central differences
(``bprop.gradcheck.numerical``) with a likely cause when one is wrong
(``bprop.gradcheck.gradients``, ``diagnose``, ``causes``); the dtype kept; inputs at
±1000; for book 2's layers, the gradients written into ``grads`` in place, a Time
layer against its cell unrolled, stateful runs (``bprop.gradcheck.sequence``). How a
learner's class is read — its parameters, its reference — is in
``bprop.gradcheck.learner``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from bprop.gradcheck import causes, causes_sequence, learner, modes, outputs
from bprop.gradcheck.calls import Stop, as_float64, call, capture, log_hint
from bprop.gradcheck.compare import copy_grad, difference, first_change, first_index, fmt_index, rel
from bprop.gradcheck.gradients import GradientStage
from bprop.gradcheck.report import Finding, GradRow, Report
from bprop.gradcheck.sequence import SequenceChecks, reset_state
from bprop.gradcheck.stages import AfterGradients

__all__ = ["check_layer"]


def check_layer(layer: Any, *inputs: ArrayLike, tol: float = 1e-6, eps: float = 1e-4, dtype: DTypeLike | None = None,
                seed: int = 0, name: str | None = None, strict: bool = False) -> Report:
    """Check a layer's forward and backward; return a Report (``.ok``, ``str(report)``).

    layer: any object with ``forward(*inputs)`` and ``backward(dout)`` — ``forward(x)``,
    a loss's ``forward(x, t)``, or a node's ``forward(x, y)`` whose backward returns
    (dx, dy). A tuple from backward is one gradient per input; a single array is the
    gradient of the first input (the others, like labels t, get none); None, for word
    ids (Embedding), is no gradient. A forward returning several arrays (book 2's LSTM:
    (h_next, c_next)) gets a backward with one dout per output. Parameters are
    found as attributes ``n`` holding an ndarray with an attribute ``'d' + n`` beside
    it (W/dW, even if dW is None before backward), or in ``params``/``grads`` dicts,
    or in book 2's ``params``/``grads`` lists (named as book 2 names them: dWx, dWh, db;
    an array listed several times is one parameter whose gradient is the sum).

    Checked: every gradient against central differences in float64 (every
    |a − n| ≤ tol·max(max|a|, max|n|) + the rounding noise of n; elements on a
    kink are left out and counted), with a likely cause when one is wrong;
    forward or backward writing into x or dout; a second backward agreeing; NaN,
    inf or NumPy warnings on ordinary inputs and at ±1000; forward against bprop's
    layer of the same name; shapes; the dtype kept in ``dtype`` (default: the
    first float input's: a leak is a note, a failure with ``strict=True``).
    Errors raised by the layer become failed findings. A forward with a mode
    (``train_flg``) is checked in both modes, random ones with their randomness
    replayed (``bprop.gradcheck.modes``). A layer that computes in float32
    inside is checked with float32's precision, and a note says so.
    """
    if not inputs:
        raise TypeError("check_layer needs the inputs of forward, e.g. check_layer(Relu(), x)")
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            raise TypeError(f"check_layer needs a layer with {method}(), got {type(layer).__name__}")
    arrays = [np.array(v) for v in inputs]  # copies: the caller's arrays never reach the layer
    if dtype is None:
        dtype = next((a.dtype for a in arrays if a.dtype.kind == "f"), np.dtype(np.float64))
    dtype = np.dtype(dtype)
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"check_layer checks float32 or float64, got dtype {dtype}")
    checker = _Checker(layer, arrays, tol, eps, dtype, seed, strict)
    try:
        checker.run()
    finally:
        checker.replay.restore()  # the caller's np.random state, as it was
    names = ", ".join(f"{n} {a.shape} {a.dtype}" for n, a in zip(checker.names, arrays))
    return Report(name or type(layer).__name__, names, str(dtype), checker.tol, checker.unit_dout,
                  checker.findings, checker.rows)


def _merged(known: list, found: list) -> list:
    return known + [p for p in found if p not in known]


@dataclass
class _Target:
    """A gradient to check: ``grad`` (its name), ``of`` (what it is the gradient of),
    ``array`` (the float64 array to perturb), ``analytic`` (what backward gave)."""

    grad: str
    of: str
    array: np.ndarray
    analytic: np.ndarray | None


class _Checker(GradientStage, AfterGradients, SequenceChecks):
    """Runs the checks of check_layer in order and collects findings and table rows."""

    def __init__(self, layer, arrays, tol, eps, dtype, seed, strict):
        self.layer, self.arrays = layer, arrays
        self.tol, self.eps, self.dtype, self.strict = tol, eps, dtype, strict
        self.unit = 2.0**-52  # the rounding of what the layer computes in: float32's if it computes in float32
        self.mode = modes.mode_keyword(layer, len(arrays))
        self.mode_attr = None if self.mode else modes.mode_attribute(layer)  # book 2's layer.train_flg
        self.rng = np.random.default_rng(seed)
        self.names = learner.input_names(layer, len(arrays))
        self.params = learner.find_params(layer)
        self.list_names = learner.list_names(layer)  # book 2's params list: dWx, dWh, db rather than grads[i]
        self.built = {n for n, v in getattr(layer, "__dict__", {}).items() if isinstance(v, np.ndarray)}
        self.lay = learner.cast_copy(layer, np.float64)  # all gradient work runs on this copy
        self.replay = modes.Replay(self.lay)
        self.work = [a.astype(np.float64) if a.dtype.kind == "f" else a.copy() for a in arrays]
        self.findings: list[Finding] = []
        self.rows: list[GradRow] = []
        self.unit_dout = False
        self.diff: list[int] | None = None
        self.out_shapes: list[tuple] | None = None  # forward's outputs' shapes when it returns several (LSTM)

    def add(self, check, status, key, **params) -> Finding:
        finding = Finding(check, status, key, params)
        self.findings.append(finding)
        return finding

    def judge(self, check, verdict) -> Finding:
        status, key, params = verdict
        return self.add(check, status, key, **params)

    def run(self):
        try:
            finite = self.forward_checks()
            targets = self.backward_checks()
            if finite:
                self.gradient_checks(targets)
            else:
                self.add("gradient", "note", "grad.skipped")
        except Stop as stop:
            self.findings.append(stop.finding)
            if self.diff is None:
                return
        for stage in (self.dtype_check, self.extreme_check, self.test_mode_checks, *self.sequence_stages()):
            try:
                stage()
            except Stop as stop:
                self.findings.append(stop.finding)

    # forward on ordinary inputs -------------------------------------------------------------

    def forward(self, lay, xs, train=True, replay=True, reset=True):
        """lay.forward(*xs) in training mode (or test mode), the randomness replayed → (y, warnings); several
        outputs packed into one array (``outputs``). A Time RNN starts from h = 0 each time (``reset``): a
        stateful one, or one that keeps h when it should not (the stateful stage says so), would otherwise
        move between the forwards of central differences."""
        if reset and self.recurrent_kind() is not None:
            reset_state(lay)
        fn = lay.forward if self.mode is None else functools.partial(lay.forward, **{self.mode: train})
        if self.mode_attr is not None:
            setattr(lay, self.mode_attr, train)
        with self.replay(lay) if replay else contextlib.nullcontext():
            y, warns = call("forward", fn, *xs)
        return outputs.pack(y, self.out_shapes), warns

    def backward_of(self, lay, dout):
        """lay.backward with dout split into one gradient per output of forward → (result, warnings)."""
        return call("backward", lay.backward, *outputs.unpack(dout, self.out_shapes))

    def forward_checks(self) -> bool:
        saved = [w.copy() for w in self.work]
        before = modes.state_arrays(self.lay)
        y, warns = self.forward(self.lay, self.work)
        if outputs.several(y) and outputs.accepts(self.lay, len(y)):  # book 2's LSTM: (h_next, c_next)
            self.out_shapes = [np.shape(v) for v in y]
            y = outputs.pack(y, self.out_shapes)
        elif isinstance(y, (list, tuple)):
            finding = Finding("forward", "fail", "bad_output", {"where": "forward", "got": f"a {type(y).__name__}"})
            finding.extra.append(("seq.backward_takes", {"count": len(outputs.backward_args(self.lay)[0])}))
            raise Stop(finding)
        elif (one := outputs.single_output(self.lay, y, len(self.work))) is not None:
            raise Stop(one)  # an LSTM returning only h
        self.y0 = as_float64(y, "forward")
        self.precision_of(y)
        again, _ = self.forward(copy.deepcopy(self.lay), [w.copy() for w in self.work], replay=False)
        self.random = bool(difference(copy_grad(again), self.y0))  # Dropout: a new mask on every call
        self.inplace_check("forward_inplace", saved)
        if self.mode is not None or self.mode_attr is not None:
            running = modes.running_average_finding(self.lay, before, modes.state_arrays(self.lay),
                                                    saved[0])
            if running is not None:
                self.judge("mode", running)
        bad = ~np.isfinite(self.y0)
        if bad.any():
            f = self.add("finite", "fail", "finite.fail", count=int(bad.sum()), size=bad.size, index=first_index(bad))
            if warns:
                f.extra.append(("hint.warned", {"warning": warns[0]}))
            log_hint(f, warns)
            return False
        self.add("finite", "pass", "finite.ok")
        if warns:
            log_hint(self.add("warning", "fail", "warning.fail", where="forward", warning=warns[0]), warns)
        self.reference_check()
        return True

    def precision_of(self, value):
        """A layer that computes in float32 (float64 in, float32 out) is checked with float32's precision."""
        if self.unit == 2.0**-52 and np.asarray(value).dtype in (np.float32, np.float16):
            self.unit, self.eps, self.tol = 2.0**-23, max(self.eps, 1e-2), max(self.tol, 1e-3)
            self.add("precision", "note", "precision.float32", dtype=str(np.asarray(value).dtype),
                     eps=self.eps, tol=self.tol)

    def inplace_check(self, check, saved):
        for name, before, now in zip(self.names, saved, self.work):
            where = first_change(before, now)
            if where is not None:
                self.add(check, "fail", check + ".fail", name=name, index=where)
                np.copyto(now, before)  # later checks start from the caller's values again
                return
        self.add(check, "pass", check + ".ok")

    def reference_check(self):
        """Compare forward with bprop's layer of the same name, built from copies of W and b."""
        ref = learner.reference_layer(self.layer, self.lay, self.work[0])
        if ref is None:
            return
        name, ref_layer, tol = ref
        try:
            with capture():
                want = ref_layer.forward(*[w.copy() for w in self.work])
                want = np.array(want if self.out_shapes is None else outputs.pack(want, self.out_shapes),
                                dtype=np.float64)
        except Exception:  # ours rejects these inputs: nothing to compare against
            return
        if want.size != self.y0.size or (want.ndim > 1 and want.shape != self.y0.shape):
            f = self.add("reference", "fail", "reference.shape", ref=name, got=self.y0.shape, want=want.shape)
            if name in ("Convolution", "Pooling"):
                f.extra.append(("reference.window_size", {}))
            return
        want = want.reshape(self.y0.shape)
        err = np.abs(self.y0 - want)
        i = np.unravel_index(np.argmax(err), err.shape)
        if err[i] <= tol * max(1.0, float(np.max(np.abs(want)))):
            self.add("reference", "pass", "reference.ok", ref=name)
        else:
            index = fmt_index(i) if self.out_shapes is None else outputs.where(
                int(i[0]), self.out_shapes, outputs.output_names(self.lay, len(self.out_shapes)))
            f = self.add("reference", "fail", "reference.fail", ref=name, index=index,
                         got=float(self.y0[i]), want=float(want[i]))
            f.extra += causes.forward_causes(name, self.work[0], self.y0, want, self.lay)
            params = {p[1]: learner.param(self.lay, p) for p in self.params}
            found = causes_sequence.forward_cause(name, self.work, self.y0, self.out_shapes, self.lay, params)
            if found is not None:
                f.key, f.params = found[0], {**f.params, **found[1]}

    # backward: dout, in place, repeat ------------------------------------------------------------

    def backward(self, dout):
        """backward on the float64 copy with a fresh copy of dout → (dout as passed, input grads, param grads)."""
        arg = float(dout) if np.ndim(dout) == 0 else np.array(dout)
        try:
            result, warns = self.backward_of(self.lay, arg)
        except Stop as stop:
            self.name_exception(stop.finding)
            raise
        if self.diff is None:  # the first backward: dgamma may appear only now
            self.params = _merged(self.params, learner.find_params(self.lay, self.built))
        if warns and not any(f.params.get("where") == "backward" for f in self.findings):  # once
            log_hint(self.add("warning", "fail", "warning.fail", where="backward", warning=warns[0]), warns)
        for g in (result if isinstance(result, tuple) else (result,)):
            if isinstance(g, np.ndarray):
                self.precision_of(g)
        grads = {p: copy_grad(learner.grad(self.lay, p)) for p in self.params}
        return arg, result, grads

    def name_exception(self, finding):
        """A book-2 layer's known slip behind an exception (TimeAffine's db over one axis): the finding says it."""
        if finding.key != "exception":
            return
        params = {p[1]: learner.param(self.lay, p) for p in self.params}
        found = causes_sequence.exception_cause(type(self.layer).__name__, finding.params["where"],
                                                finding.params["error"], self.work, params)
        if found is not None:
            finding.key, finding.params = found[0], {**finding.params, **found[1]}
            finding.extra = [e for e in finding.extra if not e[0].startswith("reading.")]

    def backward_checks(self) -> list[_Target]:
        saved = [w.copy() for w in self.work]
        if self.y0.ndim == 0:
            # A loss ends the network and the book calls it with dout = 1; a scalar
            # node (MulLayer on numbers) gets a random dout like any other layer.
            arg, result, pgrads = self.backward(1.0)
            self.unit_dout = not isinstance(result, tuple)
            self.dout = np.array(1.0 if self.unit_dout else self.rng.uniform(1.5, 3.0))
            if not self.unit_dout:
                arg, result, pgrads = self.backward(self.dout)
        else:
            self.dout = self.rng.standard_normal(self.y0.shape)
            arg, result, pgrads = self.backward(self.dout)
            where = first_change(self.dout, arg)
            if where is None:
                self.add("dout", "pass", "dout.ok")
            else:  # the book's ReLU is the classic case; other layers get their own words
                relu = "relu" in type(self.layer).__name__.lower() or \
                    (causes.activation_of(self.work[0], self.y0) or ("",))[0] == "relu"
                self.add("dout", "fail", "dout.fail" if relu else "dout.fail_copy")
        self.inplace_check("backward_inplace", saved)
        targets = self.targets(result, pgrads)
        self.repeat_check(targets)
        if self.unit_dout:
            self.scaling_check(targets[0].analytic)
        return [t for t in targets if self.usable(t)]

    def targets(self, result, pgrads) -> list[_Target]:
        if isinstance(result, tuple):
            masks = len(self.work) - next((i + 1 for i in reversed(range(len(self.work)))
                                           if self.work[i].dtype != bool), 0)  # an attention's mask: no gradient
            if len(result) not in (len(self.work), len(self.work) - masks):
                finding = Finding("backward", "fail", "bad_grads", {"count": len(result), "inputs": len(self.work)})
                finding.extra.append(("seq.expected_grads", {"want": ", ".join("d" + n for n in self.names)}))
                raise Stop(finding)
            # None for integer labels or ids: they have no gradient
            self.diff = [i for i, g in enumerate(result) if g is not None or self.work[i].dtype.kind == "f"]
        elif len(self.work) > 1 and causes_sequence.kind_of(type(self.layer).__name__)[0] in ("rnn", "lstm", "gru"):
            got = "None" if result is None else f"one {type(result).__name__}"  # a cell must give dh_prev back
            raise Stop(Finding("backward", "fail", "seq.cell_grads", {"layer": type(self.layer).__name__, "got": got,
                                                                     "want": ", ".join("d" + n for n in self.names)}))
        elif self.work[0].dtype.kind in "iub" and (result is None or "embedding" in type(self.layer).__name__.lower()):
            self.diff = []  # word ids (Embedding): backward returns None
            if result is not None:
                self.add("backward", "note", "seq.ids_no_grad", name=self.names[0])
        else:
            self.diff = [0]
        targets = []
        for i, g in zip(self.diff, self.input_grads(result)):
            if self.work[i].dtype.kind != "f":
                self.work[i] = self.work[i].astype(np.float64)
            targets.append(_Target("d" + self.names[i], self.names[i], self.work[i], copy_grad(g)))
        for p in self.params:
            targets.append(_Target(learner.grad_label(p, self.list_names), learner.param_label(p, self.list_names),
                                   learner.param(self.lay, p), pgrads[p]))
            slots = learner.shared_slots(self.lay, p[1]) if p[0] == "list" else []
            if len(slots) > 1:
                self.add("params", "note", "seq.shared_param", name=learner.param_label(p, self.list_names),
                         count=len(slots), slots=", ".join(f"params[{j}]" for j in slots))
        return targets

    def list_labels(self) -> set[str]:
        """The report's names of the gradients kept in book 2's ``grads`` list."""
        return {learner.grad_label(p, self.list_names) for p in self.params if p[0] == "list"}

    def input_grads(self, result) -> list:
        """backward's gradients of the inputs in ``diff``, in their order."""
        if isinstance(result, tuple):
            return [result[i] if i < len(result) else None for i in self.diff or ()]  # set by then
        return [result] if self.diff == [0] else []

    def usable(self, target: _Target) -> bool:
        """A gradient exists and has its array's shape (else a failed finding says why)."""
        if target.analytic is None:
            self.add("gradient", "fail", "grad.missing", target=target.grad, got="None")
            return False
        if target.analytic.shape != target.array.shape:
            f = self.add("shape", "fail", "shape.fail", target=target.grad, got=target.analytic.shape,
                         of=target.of, want=target.array.shape)
            f.extra += causes.shape_hints(target.analytic.shape, target.array.shape, self.work[0].shape)
            return False
        return True

    def repeat_check(self, first: list[_Target]):
        _, result, pgrads = self.backward(self.dout)
        again = [copy_grad(g) for g in self.input_grads(result)] + [pgrads[p] for p in self.params]
        for target, g in zip(first, again):
            diff = difference(target.analytic, g)
            if diff:
                f = self.add("repeat", "fail", "repeat.fail", target=target.grad, diff=diff)
                if self.random:
                    f.extra.append(("repeat.random", {}))
                return
        self.add("repeat", "pass", "repeat.ok")

    def scaling_check(self, g1):
        """A loss's backward(c) should be c·backward(1)."""
        c = float(self.rng.uniform(1.5, 3.0))
        _, gc, _ = self.backward(c)
        gc = copy_grad(gc[0] if isinstance(gc, tuple) else gc)
        if g1 is None or gc is None or gc.shape != g1.shape:
            return
        if rel(gc, c * g1) < 1e-9:
            self.add("loss_dout", "pass", "loss_dout.ok")
        elif rel(gc, g1) < 1e-9:
            self.add("loss_dout", "note", "loss_dout.note")
        else:
            self.add("loss_dout", "fail", "loss_dout.fail")
