"""Gradient checks: the book's ``numerical_gradient``, and ``check_layer`` for any layer.

``numerical_gradient(f, x)`` is the book's ch.4 central difference, call-compatible
with ``numerical_gradient(lambda W: net.loss(x, t), net.params['W1'])``.

``check_layer(layer, *inputs)`` checks a layer written in the book's style — ours or
a learner's — and says in words what is right and what is wrong::

    report = check_layer(Relu(), x)     # or (SoftmaxWithLoss(), x, t), (MulLayer(), x, y)
    report.ok                           # True when every check passed
    print(report)                       # a table, then one line per check
    print(report.render(lang="ja"))     # the same in Japanese

How the gradient is checked. For a random ``dout`` of the output's shape,
backward(dout) must be the gradient of L = Σ dout·forward(x). Element by element,

    ∂L/∂x_i ≈ Σ dout·(f(x + ε·e_i) − f(x − ε·e_i)) / (2ε),    ε = 1e-4,

with a truncation error O(ε²). A random dout matters: an all-ones dout passes a
backward that ignores dout. Loss layers (a scalar output, a single gradient) get
dout = 1, as the book calls them, and a separate check that backward scales with dout.
Everything runs in float64 on deep copies: the caller's layer and arrays are never
touched. The errors are max_abs = max|a − n| and rel = max_abs / max(max|a|, max|n|).
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import unicodedata
import warnings
from dataclasses import dataclass, field

import numpy as np

from bprop import messages

# Layers a learner writes from the book; their forward is compared with ours.
_REFERENCES = ("Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Softplus", "Silu", "Identity",
               "Affine", "MulLayer", "AddLayer", "SoftmaxWithLoss", "SigmoidWithLoss")
_CLOSE = 1e-4  # how near a guess must come to the backward's values to name it as the cause


def numerical_gradient(f, x, eps=1e-4):
    """The book's numerical gradient: ∂f/∂x_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / (2ε).

    f: takes x and returns a scalar. x: a float ndarray of any shape, perturbed in
    place one element at a time, because the book's nets call
    ``numerical_gradient(lambda W: net.loss(x, t), net.params['W1'])``: f ignores its
    argument and sees the perturbed parameter through the net. Every element is
    restored exactly, even when f raises. Returns an array of x's shape and dtype.
    Truncation error O(ε²); in float32, rounding (about 1e-7·|f|/ε) dominates.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(
            "numerical_gradient perturbs x in place, so x must be a float ndarray; "
            f"got {type(x).__name__}{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}"
        )
    grad = np.zeros_like(x)
    for idx, f_plus, f_minus in _perturbed(lambda: _scalar(f(x)), x, eps):
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def _perturbed(f, a, eps):
    """Yield (i, f() with a[i] + eps, f() with a[i] − eps) for every index i of ``a``.

    ``a`` is perturbed in place one element at a time and each element is
    restored exactly, even when f raises.
    """
    for i in np.ndindex(a.shape):
        old = a[i]
        try:
            a[i] = old + eps
            plus = f()
            a[i] = old - eps
            minus = f()
        finally:
            a[i] = old
        yield i, plus, minus


def _scalar(value) -> float:
    value = np.asarray(value)
    if value.size != 1:
        raise TypeError(f"numerical_gradient needs f to return a scalar, got shape {value.shape}")
    return float(value.reshape(()))


# --- the report ---------------------------------------------------------------------------

@dataclass
class Finding:
    """One outcome: ``check`` (what was checked), ``status`` ('pass', 'fail' or 'note'),
    the message ``key`` in bprop.messages with its ``params``, and ``extra`` sentences
    appended to it as (key, params)."""

    check: str
    status: str
    key: str
    params: dict = field(default_factory=dict)
    extra: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status != "fail"

    def message(self, lang: str = "en") -> str:
        text = messages.text(self.key, lang, **self.params)
        return text + "".join(messages.text(key, lang, **params) for key, params in self.extra)


@dataclass
class GradRow:
    """One line of the gradient table: backward vs. central differences for one gradient."""

    target: str  # 'dx', 'dW', "grads['W']", …
    max_abs: float
    rel: float
    index: str  # the worst element, e.g. '(0, 3)'
    backward: float
    numerical: float
    kinks: int  # elements left out because they sit on a kink
    ok: bool


@dataclass
class Report:
    """What check_layer found. ``ok``; ``failures``; ``str(report)`` in English, ``render('ja')``."""

    layer: str
    inputs: str
    dtype: str
    tol: float
    unit_dout: bool
    findings: list[Finding]
    rows: list[GradRow]

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed]

    @property
    def ok(self) -> bool:
        return not self.failures

    def render(self, lang: str = "en") -> str:
        def t(key, **params):
            return messages.text(key, lang, **params)

        lines = [t("title", layer=self.layer, inputs=self.inputs, dtype=self.dtype), ""]
        if self.rows:
            lines += [t("table.unit_dout" if self.unit_dout else "table.random_dout", tol=self.tol)]
            lines += self._table(lang) + [""]
        lines.append(t("checks"))
        order = {"fail": 0, "note": 1, "pass": 2}
        width = max(_width(t("status." + s)) for s in order)
        for f in sorted(self.findings, key=lambda f: order[f.status]):
            lines.append(f"  {_pad(t('status.' + f.status), width)}  {f.message(lang)}")
        lines += ["", t("summary.ok") if self.ok else t("summary.fail", count=len(self.failures))]
        return "\n".join(lines)

    def _table(self, lang: str) -> list[str]:
        columns = ("target", "max_abs", "rel", "index", "backward", "numerical", "kinks", "ok")
        head = [messages.text("col." + c, lang) for c in columns]
        body = [[r.target, f"{r.max_abs:.1e}", f"{r.rel:.1e}", r.index, f"{r.backward:.6g}",
                 f"{r.numerical:.6g}", str(r.kinks), messages.text("status.pass" if r.ok else "status.fail", lang)]
                for r in self.rows]
        widths = [max(_width(row[i]) for row in [head] + body) for i in range(len(head))]
        return ["  " + "  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]

    def __str__(self) -> str:
        return self.render("en")


def _width(s: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


# --- check_layer --------------------------------------------------------------------------

def check_layer(layer, *inputs, tol=1e-6, eps=1e-4, dtype=None, seed=0, name=None) -> Report:
    """Check a layer's forward and backward; return a Report (``.ok``, ``str(report)``).

    layer: any object with ``forward(*inputs)`` and ``backward(dout)`` — ``forward(x)``,
    a loss's ``forward(x, t)``, or a node's ``forward(x, y)`` whose backward returns
    (dx, dy). A tuple from backward is one gradient per input; a single array is the
    gradient of the first input (the others, like labels t, get none). Parameters are
    found as attributes ``n`` holding an ndarray with an attribute ``'d' + n`` beside
    it (W/dW, even if dW is None before backward), or in ``params``/``grads`` dicts.

    Checked: every gradient against central differences in float64 (every
    |a − n| ≤ tol·max(max|a|, max|n|) + the rounding noise of n; elements on a
    kink are left out and counted), with a likely cause when one is wrong;
    forward or backward writing into x or dout; a second backward agreeing; NaN,
    inf or NumPy warnings on ordinary inputs and at ±1000; forward against bprop's
    layer of the same name; shapes; the dtype kept in ``dtype`` (default: the
    first float input's). Errors raised by the layer become failed findings.
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
    checker = _Checker(layer, arrays, tol, eps, dtype, seed)
    checker.run()
    names = ", ".join(f"{n} {a.shape} {a.dtype}" for n, a in zip(checker.names, arrays))
    return Report(name or type(layer).__name__, names, str(dtype), tol, checker.unit_dout,
                  checker.findings, checker.rows)


class _Stop(Exception):
    """The layer raised or returned something unusable: the finding ends this stage."""

    def __init__(self, finding: Finding):
        super().__init__(finding.key)
        self.finding = finding


@dataclass
class _Target:
    """A gradient to check: ``grad`` (its name), ``of`` (what it is the gradient of),
    ``array`` (the float64 array to perturb), ``analytic`` (what backward gave)."""

    grad: str
    of: str
    array: np.ndarray
    analytic: np.ndarray | None


class _Checker:
    """Runs the checks of check_layer in order and collects findings and table rows."""

    def __init__(self, layer, arrays, tol, eps, dtype, seed):
        self.layer, self.arrays = layer, arrays
        self.tol, self.eps, self.dtype = tol, eps, dtype
        self.rng = np.random.default_rng(seed)
        self.names = _input_names(layer, len(arrays))
        self.params = _find_params(layer)
        self.lay = _cast_copy(layer, np.float64)  # all gradient work runs on this copy
        self.work = [a.astype(np.float64) if a.dtype.kind == "f" else a.copy() for a in arrays]
        self.findings: list[Finding] = []
        self.rows: list[GradRow] = []
        self.unit_dout = False
        self.diff: list[int] | None = None

    def add(self, check, status, key, **params) -> Finding:
        finding = Finding(check, status, key, params)
        self.findings.append(finding)
        return finding

    def run(self):
        try:
            finite = self.forward_checks()
            targets = self.backward_checks()
            if finite:
                self.gradient_checks(targets)
            else:
                self.add("gradient", "note", "grad.skipped")
        except _Stop as stop:
            self.findings.append(stop.finding)
            if self.diff is None:
                return
        for stage in (self.dtype_check, self.extreme_check):
            try:
                stage()
            except _Stop as stop:
                self.findings.append(stop.finding)

    # forward on ordinary inputs -------------------------------------------------------------

    def forward_checks(self) -> bool:
        saved = [w.copy() for w in self.work]
        y, warns = _call("forward", self.lay.forward, *self.work)
        self.y0 = _as_float64(y, "forward")
        self.inplace_check("forward_inplace", saved)
        bad = ~np.isfinite(self.y0)
        if bad.any():
            f = self.add("finite", "fail", "finite.fail", count=int(bad.sum()), size=bad.size, index=_first(bad))
            if warns:
                f.extra.append(("hint.warned", {"warning": warns[0]}))
            _log_hint(f, warns)
            return False
        self.add("finite", "pass", "finite.ok")
        if warns:
            _log_hint(self.add("warning", "fail", "warning.fail", where="forward", warning=warns[0]), warns)
        self.reference_check()
        return True

    def inplace_check(self, check, saved):
        for name, before, now in zip(self.names, saved, self.work):
            where = _first_change(before, now)
            if where is not None:
                self.add(check, "fail", check + ".fail", name=name, index=where)
                np.copyto(now, before)  # later checks start from the caller's values again
                return
        self.add(check, "pass", check + ".ok")

    def reference_check(self):
        """Compare forward with bprop's layer of the same name, built from copies of W and b."""
        ref = _reference_layer(self.layer, self.lay)
        if ref is None:
            return
        name, ref_layer = ref
        try:
            with _capture():
                want = np.array(ref_layer.forward(*[w.copy() for w in self.work]), dtype=np.float64)
        except Exception:  # ours rejects these inputs: nothing to compare against
            return
        if want.shape != self.y0.shape:
            return
        err = np.abs(self.y0 - want)
        i = np.unravel_index(np.argmax(err), err.shape)
        if err[i] <= 1e-5 * max(1.0, float(np.max(np.abs(want)))):
            self.add("reference", "pass", "reference.ok", ref=name)
        else:
            self.add("reference", "fail", "reference.fail", ref=name, index=_fmt_index(i),
                     got=float(self.y0[i]), want=float(want[i]))

    # backward: dout, in place, repeat ------------------------------------------------------------

    def backward(self, dout):
        """backward on the float64 copy with a fresh copy of dout → (dout as passed, input grads, param grads)."""
        arg = float(dout) if np.ndim(dout) == 0 else np.array(dout)
        result, warns = _call("backward", self.lay.backward, arg)
        if warns and not any(f.params.get("where") == "backward" for f in self.findings):  # once
            _log_hint(self.add("warning", "fail", "warning.fail", where="backward", warning=warns[0]), warns)
        grads = {p: _copy_grad(_grad(self.lay, p)) for p in self.params}
        return arg, result, grads

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
            where = _first_change(self.dout, arg)
            self.add("dout", "fail" if where is not None else "pass", "dout.fail" if where is not None else "dout.ok")
        self.inplace_check("backward_inplace", saved)
        targets = self.targets(result, pgrads)
        self.repeat_check(targets)
        if self.unit_dout:
            self.scaling_check(targets[0].analytic)
        return [t for t in targets if self.usable(t)]

    def targets(self, result, pgrads) -> list[_Target]:
        if isinstance(result, tuple):
            if len(result) != len(self.work):
                raise _Stop(Finding("backward", "fail", "bad_grads", {"count": len(result), "inputs": len(self.work)}))
            self.diff = list(range(len(result)))
        else:
            self.diff, result = [0], (result,)
        targets = []
        for i, g in zip(self.diff, result):
            if self.work[i].dtype.kind != "f":
                self.work[i] = self.work[i].astype(np.float64)
            targets.append(_Target("d" + self.names[i], self.names[i], self.work[i], _copy_grad(g)))
        for p in self.params:
            targets.append(_Target(_grad_label(p), _param_label(p), _param(self.lay, p), pgrads[p]))
        return targets

    def usable(self, target: _Target) -> bool:
        """A gradient exists and has its array's shape (else a failed finding says why)."""
        if target.analytic is None:
            self.add("gradient", "fail", "grad.missing", target=target.grad, got="None")
            return False
        if target.analytic.shape != target.array.shape:
            self.add("shape", "fail", "shape.fail", target=target.grad, got=target.analytic.shape,
                     of=target.of, want=target.array.shape)
            return False
        return True

    def repeat_check(self, first: list[_Target]):
        _, result, pgrads = self.backward(self.dout)
        again = list(result) if isinstance(result, tuple) else [result]
        again = [_copy_grad(g) for g in again] + [pgrads[p] for p in self.params]
        for target, g in zip(first, again):
            diff = _difference(target.analytic, g)
            if diff:
                self.add("repeat", "fail", "repeat.fail", target=target.grad, diff=diff)
                return
        self.add("repeat", "pass", "repeat.ok")

    def scaling_check(self, g1):
        """A loss's backward(c) should be c·backward(1)."""
        c = float(self.rng.uniform(1.5, 3.0))
        _, gc, _ = self.backward(c)
        gc = _copy_grad(gc[0] if isinstance(gc, tuple) else gc)
        if g1 is None or gc is None or gc.shape != g1.shape:
            return
        if _rel(gc, c * g1) < 1e-9:
            self.add("loss_dout", "pass", "loss_dout.ok")
        elif _rel(gc, g1) < 1e-9:
            self.add("loss_dout", "note", "loss_dout.note")
        else:
            self.add("loss_dout", "fail", "loss_dout.fail")

    # gradients ----------------------------------------------------------------------------

    def gradient_checks(self, targets: list[_Target]):
        # backward_checks kept only usable targets and recorded a failure for each other one.
        if not any(f.key in ("shape.fail", "grad.missing") for f in self.findings):
            self.add("shape", "pass", "shape.ok")

        def run():
            y, _ = _call("forward", self.lay.forward, *[w.copy() for w in self.work])
            return _as_float64(y, "forward")

        if _difference(run(), self.y0):
            self.add("gradient", "note", "grad.random")  # Dropout in training mode, say
            return
        for target in targets:
            if target.array.size:
                self.compare(target, *_central_differences(run, target.array, self.dout, self.y0, self.eps))

    def compare(self, target: _Target, n, n1, noise, kinks):
        """One table row: ok when every |a − n| ≤ tol·max(max|a|, max|n|) + noise."""
        a, keep = target.analytic, ~kinks
        with np.errstate(all="ignore"):
            err = np.abs(a - n)
        ak, nk, ek = a[keep], n[keep], err[keep]
        finite = np.isfinite(ek).all()
        worst = np.unravel_index(np.argmax(np.where(keep & np.isfinite(err), err - noise, -np.inf)), a.shape)
        scale, max_abs = _rel_scale(ak, nk), float(np.max(ek, initial=0.0))
        rel = max_abs / scale if finite else np.inf
        ok = finite and bool(np.all(ek <= scale * self.tol + noise[keep]))
        row = GradRow(target.grad, max_abs, rel, _fmt_index(worst),
                      float(a[worst]), float(n[worst]), int(kinks.sum()), ok)
        self.rows.append(row)
        if row.ok:
            f = self.add("gradient", "pass", "grad.ok", target=target.grad, rel=rel)
        elif not finite:
            f = self.add("gradient", "fail", "grad.nonfinite", target=target.grad)
        else:
            key, params = self.diagnose(target, a[keep], n[keep], n1[keep], keep)
            f = self.add("gradient", "fail", key, target=target.grad, **params)
            f.extra.append(("grad.worst", {"index": row.index, "backward": row.backward, "numerical": row.numerical}))
        if row.kinks:
            f.extra.append(("grad.kinks", {"kinks": row.kinks}))

    def diagnose(self, target, a, n, n1, keep):
        """The likely cause of backward ``a`` ≠ numerical ``n`` (flat, kinks removed) → (key, params)."""
        if not self.unit_dout and _rel(a, n1) < _CLOSE:
            return "grad.ignores_dout", {}  # a matches the gradient for dout = 1
        if not np.any(a):
            return "grad.zero", {}
        nn = float(n @ n)
        k = float(a @ n) / nn if nn else 0.0  # least squares: a ≈ k·n
        if nn and abs(k - 1) > 1e-3 and _rel(a, k * n) < _CLOSE:
            return self.factor_cause(k)
        tiny = 1e-10 * max(np.max(np.abs(a)), np.max(np.abs(n)))
        zero_a, zero_n = np.abs(a) <= tiny, np.abs(n) <= tiny
        if zero_n.any() and not zero_n.all() and np.mean(zero_a != zero_n) >= 0.9:
            return "grad.inverted_mask", {}
        if self.elementwise():
            y, dout = self.y0[keep], self.dout[keep]
            for form, guess in (("dout·y", dout * y), ("dout·(1 - y)", dout * (1 - y))):
                if _rel(a, guess) < _CLOSE:
                    return "grad.missing_factor", {"form": form}
        return "grad.mismatch", {}

    def factor_cause(self, k: float):
        n = self.batch_size()
        if n > 1 and not self.elementwise():
            if abs(k - n) < 1e-3 * n:
                return "grad.batch_division", {"N": n}
            if abs(k * n - 1) < 1e-3:
                return "grad.mean_not_sum", {"N": n}
        if abs(k + 1) < 1e-3:
            return "grad.sign", {}
        return "grad.factor", {"k": k}

    def batch_size(self) -> int:
        x = self.work[self.diff[0]]
        return x.shape[0] if x.ndim >= 2 else 1

    def elementwise(self) -> bool:
        """One input, no parameters, output of the input's shape: Relu, Sigmoid, …"""
        return len(self.work) == 1 and not self.params and self.y0.shape == self.work[0].shape

    # dtype and extremes -----------------------------------------------------------------

    def inputs_in(self, dtype) -> list[np.ndarray]:
        """The inputs with the differentiable ones cast to ``dtype`` (labels stay as given)."""
        return [a.astype(dtype) if i in self.diff else a.copy() for i, a in enumerate(self.arrays)]

    def dout_in(self, dtype):
        return float(self.dout) if self.dout.ndim == 0 else self.dout.astype(dtype)

    def run_copy(self, xs):
        """forward and backward on a copy of the caller's layer in the checked dtype."""
        lay = _cast_copy(self.layer, self.dtype)
        y, warns = _call("forward", lay.forward, *xs)
        result, more = _call("backward", lay.backward, self.dout_in(self.dtype))
        grads = list(result) if isinstance(result, tuple) else [result]
        named = [("d" + self.names[i], g) for i, g in zip(self.diff, grads)]
        named += [(_grad_label(p), _grad(lay, p)) for p in self.params]
        return y, [(k, g) for k, g in named if g is not None], warns + more

    def dtype_check(self):
        dtype = str(self.dtype)
        y, grads, _ = self.run_copy(self.inputs_in(self.dtype))
        if np.asarray(y).dtype != self.dtype:
            self.add("dtype", "fail", "dtype.output", got=str(np.asarray(y).dtype), dtype=dtype)
            return
        for what, g in grads:
            if np.asarray(g).dtype != self.dtype:
                self.add("dtype", "fail", "dtype.fail", what=what, got=str(np.asarray(g).dtype), dtype=dtype)
                return
        self.add("dtype", "pass", "dtype.ok", dtype=dtype)

    def extreme_check(self):
        xs = self.inputs_in(self.dtype)
        x = xs[self.diff[0]]
        x[...] = np.linspace(-1000.0, 1000.0, x.size).reshape(x.shape)  # both ends included
        y, grads, warns = self.run_copy(xs)
        for what, value in [(None, y)] + grads:
            value = _copy_grad(value)
            bad = np.zeros(0, dtype=bool) if value is None else ~np.isfinite(value)
            if bad.any():
                index = _first(bad)
                f = (self.add("extreme", "fail", "extreme.output", index=index) if what is None
                     else self.add("extreme", "fail", "extreme.fail", what=what, index=index))
                if bad.shape == x.shape:
                    f.extra.append(("extreme.at_x", {"x": float(x[np.unravel_index(np.argmax(bad), bad.shape)])}))
                if warns:
                    f.extra.append(("hint.warned", {"warning": warns[0]}))
                _log_hint(f, warns)
                return
        if warns:
            self.add("extreme", "note", "extreme.note", warning=warns[0])
        else:
            self.add("extreme", "pass", "extreme.ok")


def _central_differences(run, a, dout, y0, eps):
    """Central differences of L = Σ dout·f(a), one element of ``a`` at a time.

    ``a`` is perturbed in place and restored; ``run()`` returns f as a float64 copy.
    With y± = f(a ± ε·e_i):
        numeric_i = Σ dout·(y⁺ − y⁻) / (2ε)   the difference first: an output that does
                                              not move adds exactly 0, and nothing cancels
                                              against a large constant (values of ±1000)
        ones_i    = Σ (y⁺ − y⁻) / (2ε)        the same for dout = 1 (spots an ignored dout)
        noise_i   = 4·2⁻⁵²·Σ |dout|·(max(|y⁺|, 1) + max(|y⁻|, 1)) / (2ε): the rounding
                    error of numeric_i. y± are float64 (a sigmoid at x = 30 is 1 − 1e-13
                    with a slope of 1e-13: y⁺ and y⁻ round to the same number), and
                    sums inside a layer are rarely below 1 (the 1 + e⁻ˣ of a sigmoid,
                    the Σ exp of a softmax), so |y| counts as at least 1
        left_i    = Σ dout·(y0 − y⁻) / ε,   right_i = Σ dout·(y⁺ − y0) / ε
    Element i sits on a kink (x = 0 for ReLU) when the one-sided slopes disagree by
    more than rounding explains (they carry twice the noise, being over ε, not 2ε):
        |left − right| > 0.1·max(|left|, |right|) + 1e-6·scale + 4·noise_i,
        scale = max|numeric| or 1.
    Returns (numeric, ones, noise, kinks), all of a's shape.
    """
    numeric, ones, noise, left, right = (np.zeros(a.shape) for _ in range(5))
    for i, y_plus, y_minus in _perturbed(run, a, eps):
        with np.errstate(all="ignore"):
            moved = y_plus - y_minus
            numeric[i] = np.sum(dout * moved) / (2 * eps)
            ones[i] = np.sum(moved) / (2 * eps)
            size = np.maximum(np.abs(y_plus), 1) + np.maximum(np.abs(y_minus), 1)
            noise[i] = 4 * 2.0**-52 * np.sum(np.abs(dout) * size) / (2 * eps)
            left[i] = np.sum(dout * (y0 - y_minus)) / eps
            right[i] = np.sum(dout * (y_plus - y0)) / eps
    with np.errstate(all="ignore"):
        scale = float(np.nanmax(np.abs(numeric), initial=0.0)) or 1.0
        kinks = np.abs(left - right) > 0.1 * np.maximum(np.abs(left), np.abs(right)) + 1e-6 * scale + 4 * noise
    return numeric, ones, noise, kinks


# --- helpers ------------------------------------------------------------------------------

@contextlib.contextmanager
def _capture():
    """Record every warning (instead of raising or printing it) and make NumPy warn on
    overflow, division by zero and invalid operations. Underflow stays silent:
    exp(-1000) = 0 is the right answer."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="warn", over="warn", invalid="warn"):
        warnings.simplefilter("always")
        yield caught


def _call(where: str, fn, *args):
    """fn(*args) → (result, texts of NumPy's RuntimeWarnings); an exception becomes a failed finding."""
    with _capture() as caught:
        try:
            result = fn(*args)
        except Exception as exc:
            error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
            raise _Stop(Finding("exception", "fail", "exception", {"where": where, "error": error})) from exc
    return result, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def _log_hint(finding: Finding, warns: list[str]):
    if any("log" in w for w in warns):
        finding.extra.append(("hint.log", {}))


def _as_float64(value, where: str) -> np.ndarray:
    """A float64 copy of what forward returned (a layer may reuse its output buffer)."""
    y = _copy_grad(value)
    if y is None:
        got = "None" if value is None else type(value).__name__
        raise _Stop(Finding(where, "fail", "bad_output", {"where": where, "got": got}))
    return y


def _copy_grad(g):
    """A float64 copy of a gradient (or an output), or None when there is none (or it is not numeric)."""
    if g is None:
        return None
    try:
        return np.array(g, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _rel(a, b) -> float:
    """max|a − b| / max(max|a|, max|b|, 1e-8): 0 for empty arrays."""
    if np.size(a) == 0:
        return 0.0
    return float(np.max(np.abs(a - b))) / _rel_scale(a, b)


def _rel_scale(a, b) -> float:
    """The denominator of the relative error."""
    return max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)), 1e-8)


def _difference(a, b) -> float:
    """Largest |a − b|, NaN matching NaN; inf when shapes or NaN positions differ, 0 when equal."""
    if a is None or b is None:
        return 0.0 if a is b else np.inf
    if a.shape != b.shape or not np.array_equal(np.isnan(a), np.isnan(b)):
        return np.inf
    with np.errstate(invalid="ignore"):
        d = np.abs(np.where(np.isnan(a), 0.0, a - b))
    return float(np.max(d, initial=0.0))


def _first_change(before: np.ndarray, after: np.ndarray) -> str | None:
    """Index of the first element that differs (NaN equals NaN), or None if none does."""
    if before.shape != after.shape:
        return str(after.shape)
    same = before == after
    if before.dtype.kind == "f":
        same |= np.isnan(before) & np.isnan(after)
    return None if same.all() else _first(~same)


def _first(mask: np.ndarray) -> str:
    return _fmt_index(np.unravel_index(np.argmax(mask), mask.shape))


def _fmt_index(index) -> str:
    return "(" + ", ".join(str(int(i)) for i in index) + ")"


def _input_names(layer, count: int) -> list[str]:
    """forward's own argument names (x, t, y, …); x0, x1, … where it has none."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    try:
        names = [p.name for p in inspect.signature(layer.forward).parameters.values() if p.kind in kinds]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"x{i}" for i in range(count)]


def _find_params(layer) -> list[tuple[str, str]]:
    """The layer's parameters: ('attr', n) for an ndarray attribute n with an attribute
    'd' + n beside it (W and dW), ('dict', n) for an ndarray in a ``params`` dict."""
    attrs = getattr(layer, "__dict__", {})
    found = [("attr", n) for n, v in attrs.items() if isinstance(v, np.ndarray) and hasattr(layer, "d" + n)]
    params = getattr(layer, "params", None)
    if isinstance(params, dict):
        seen = [attrs[n] for _, n in found]
        found += [("dict", n) for n, v in params.items()
                  if isinstance(v, np.ndarray) and not any(v is s for s in seen)]
    return found


def _param(layer, p):
    kind, name = p
    return getattr(layer, name) if kind == "attr" else layer.params[name]


def _grad(layer, p):
    kind, name = p
    if kind == "attr":
        return getattr(layer, "d" + name, None)
    grads = getattr(layer, "grads", None)
    return grads.get(name) if isinstance(grads, dict) else None


def _param_label(p) -> str:
    return p[1] if p[0] == "attr" else f"params[{p[1]!r}]"


def _grad_label(p) -> str:
    return "d" + p[1] if p[0] == "attr" else f"grads[{p[1]!r}]"


def _cast_copy(layer, dtype):
    """A deep copy of ``layer`` whose parameters are new arrays of ``dtype``.

    Every attribute that *is* an old parameter array is rebound to the new one, and
    so is every such entry of a ``params`` dict kept on the layer. (Our own layers'
    ``params`` is a view over the attributes, so rebinding those suffices.)
    """
    try:
        lay = copy.deepcopy(layer)
    except Exception as exc:
        raise TypeError(f"check_layer works on a copy of the layer, but copy.deepcopy failed: {exc}") from exc
    attrs = getattr(lay, "__dict__", {})
    params = attrs.get("params")
    for p in _find_params(lay):
        old = _param(lay, p)
        new = old.astype(dtype)
        for name, value in list(attrs.items()):
            if value is old:
                setattr(lay, name, new)
        if isinstance(params, dict):
            for key, value in params.items():
                if value is old:
                    params[key] = new
    return lay


def _reference_layer(layer, lay):
    """(name, bprop layer) to compare forward with, for a learner's layer named as one of ours."""
    module = type(layer).__module__ or ""
    if module == "bprop" or module.startswith("bprop."):
        return None
    name = {n.lower(): n for n in _REFERENCES}.get(type(layer).__name__.lower())
    if name is None:
        return None
    from bprop import layers

    cls = getattr(layers, name)
    try:
        if name == "Affine":
            found = {p[1]: _param(lay, p) for p in _find_params(lay)}
            return (name, cls(found["W"].copy(), found["b"].copy())) if {"W", "b"} <= found.keys() else None
        alpha = getattr(layer, "alpha", None)
        if name in ("LeakyRelu", "Elu") and isinstance(alpha, (int, float)):
            return name, cls(alpha=alpha)
        return name, cls()
    except (TypeError, ValueError):
        return None
