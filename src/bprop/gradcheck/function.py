"""``check_function``: a learner's functions from the book, each against the book's semantics.

``check_function(fn)`` — or ``bprop check FILE.py:softmax`` — runs the
learner's function the way the book uses it and says in words what is right
and what is wrong::

    report = check_function(softmax)         # fn.__name__ says which book function it is meant to be
    report.ok; print(report); print(report.render("ja"))

What is checked (the references are in ``bprop.gradcheck.function_reference``):
- activations (identity_function, step_function, sigmoid, relu, tanh) and
  softmax: one sample (C,) and a batch (N, C); inputs at ±1000 without a NumPy
  warning or NaN; float32 in, float32 out (a leak is a note, a failure with
  ``strict=True``); a softmax wrong on the batch is told by its sums.
- cross_entropy_error, softmax_loss: one-hot and label t, one sample, divided
  by N; cross_entropy_error finite where y = 0 (the book's 1e-7, or any delta
  ≤ 1e-6, a clip, an exact form). mean_squared_error = sum_squared_error:
  the book's ½·Σ(y − t)², not averaged.
- numerical_diff, numerical_gradient, gradient_descent (``function_numerical``):
  exact on a quadratic (a central difference is), the exact gradient of
  Σ sin(x)·x² for x of 1, 2 and 3 dimensions, x perturbed in place (f may
  ignore its argument, as in ``lambda W: net.loss(x, t)``) and restored
  exactly, integer x; the book's 20 descent steps on x0² + x1².
- im2col, col2im (``function_conv``): bprop.functions' versions over four
  geometries, the column order, overlapping windows adding up, col2im as
  im2col's adjoint.
The arguments must come back unchanged (gradient_descent changing init_x, as
the book's does, is a note). Every call goes through ``bprop.gradcheck.calls.call``:
a crash in the learner's code is a failed check with a hint, never a traceback.

>>> from bprop.functions import softmax
>>> check_function(softmax).ok
True
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from bprop import functions as F
from bprop.gradcheck import function_conv as conv
from bprop.gradcheck import function_numerical as numerical
from bprop.gradcheck import function_reference as reference
from bprop.gradcheck.calls import Stop, call
from bprop.gradcheck.compare import copy_grad, first_change
from bprop.gradcheck.learner import LearnerError
from bprop.gradcheck.report import Finding, Report

__all__ = ["check_function", "FUNCTIONS"]

# Texts in an exception that point at a known cause, the sentence added for it, and the functions it is for.
_HINTS = (
    ("'float' object cannot be interpreted as an integer", "fn.hint.floor_div", ("im2col", "col2im")),
    ("could not be broadcast", "fn.hint.broadcast", ("softmax",)),
)
# Readings of an exception (bprop.gradcheck.readings) that are written for layers and mislead about a function;
# the checks here say the cause instead (fn.hint.broadcast, fn.ce.labels).
_MISREADINGS = {name: ("reading.labels", "reading.broadcast") for name in ("softmax", "cross_entropy_error",
                                                                            "softmax_loss")}


def check_function(fn: Callable[..., Any], name: str | None = None, *, seed: int = 0, strict: bool = False) -> Report:
    """Check a learner's function against the book's of the same name; return a Report (``.ok``, ``str(report)``).

    fn: the learner's function. name: which book function it is meant to be
    (default ``fn.__name__``), one of ``FUNCTIONS``; another raises LearnerError.
    seed: the random inputs. strict: a float64 output for float32 input fails
    instead of being a note.
    """
    if not callable(fn):
        raise TypeError(f"check_function needs a function, got {type(fn).__name__}")
    name = name or getattr(fn, "__name__", "")
    if name not in _CHECKS:
        raise LearnerError("fn.unknown", name=name, known=", ".join(FUNCTIONS))
    check, inputs = _CHECKS[name]
    run = _Run(fn, name, np.random.default_rng(seed), strict)
    run.stage(check, run)
    if run.watched and not run.wrote:
        run.add("mutation", "pass", "fn.untouched")
    return Report(name, inputs, "float64, float32", 1e-6, False, run.findings, [], kind="function")


class _Run:
    """One check_function run: the learner's fn, a random generator, the findings so far."""

    def __init__(self, fn, name, rng, strict):
        self.fn, self.name, self.rng, self.strict = fn, name, rng, strict
        self.findings: list[Finding] = []
        self.watched = False  # some call checked that the arguments stay unchanged
        self.wrote = False  # … and a write into one was reported
        self.crashes: set[tuple[str, str]] = set()  # the exceptions reported

    def add(self, check, status, key, **params) -> Finding:
        finding = Finding(check, status, key, params)
        self.findings.append(finding)
        return finding

    def stage(self, check, *args, **kwargs) -> Finding | None:
        """check(*args); a crash in the learner's code becomes its failed finding, with a hint where one fits."""
        try:
            return check(*args, **kwargs)
        except Stop as stop:
            finding = stop.finding
            error = finding.params.get("error", "")
            finding.extra = [e for e in finding.extra if e[0] not in _MISREADINGS.get(self.name, ())]
            finding.extra += [(key, {}) for text, key, names in _HINTS if text in error and self.name in names]
            crash = (error, repr(finding.extra))
            if crash not in self.crashes:  # the same line failing the same way again says nothing new
                self.crashes.add(crash)
                self.findings.append(finding)
            return finding

    def text(self, shown: str) -> str:
        return f"{self.name}({shown})"

    def call(self, shown, args, *, copies=True, mutation=("fail", "fn.mutated")):
        """fn(*args), on deep copies unless ``copies`` is False → (result, NumPy warnings).

        With ``mutation`` (status, key), the first write into an argument becomes that finding.
        """
        work = copy.deepcopy(list(args)) if copies else list(args)
        result, warns = call(self.text(shown), self.fn, *work)
        if copies and mutation:
            self.watched = True
            for arg, before, now in zip(_arg_names(self.fn, len(args)), args, work):
                where = first_change(before, now) if isinstance(before, np.ndarray) else None
                if where is not None and not self.wrote:
                    self.add("mutation", mutation[0], mutation[1], call=self.text(shown), arg=arg, index=where)
                    self.wrote = True
        return result, warns

    def values(self, shown, args, want, tol=1e-7, explain=None, quiet=False, check="values", **options) -> Finding:
        """fn(*args) against want: every |y − want| ≤ tol·max(1, |want|), else a failure at the worst element.

        ``explain(y, want)`` gives the extras naming the likely cause of a failure;
        ``quiet`` leaves a pass unrecorded (the caller sums several up).
        """
        result, warns = self.call(shown, args, **options)
        want = np.asarray(want, dtype=np.float64)
        y = copy_grad(result)
        if y is None:
            raise Stop(Finding(check, "fail", "bad_output", {"where": self.text(shown), "got": type(result).__name__}))
        if want.ndim == 0 and y.size == 1:
            y = y.reshape(())
        finding = reference.compare(check, self.text(shown), y, want, tol)
        if not finding.passed:
            finding.extra += explain(y, want) if explain else []
            finding.extra += [("fn.hint.scalar", {})] if want.ndim == 0 and y.size != 1 else []
            finding.extra += [("hint.warned", {"warning": warns[0]})] if warns else []
        if not (quiet and finding.passed):
            self.findings.append(finding)
        return finding

    def extreme(self, x, want, stable_key=None) -> Finding:
        """fn(x) for x at ±1000: the book's values (to 1e-6), and no NumPy warning (a warning beside the right
        values is a note, the book's own sigmoid gets one)."""
        shown = "[" + ", ".join(f"{v:g}" for v in x) + "]"
        _, warns = self.call(shown, (x,))
        finding = self.values(shown, (x,), want, 1e-6, quiet=True, check="extreme")
        if finding.passed and not warns:
            return self.add("extreme", "pass", "fn.extreme.ok", call=self.text(shown))
        if finding.passed:  # the right values with a warning: a note, as check_layer says of a layer
            finding = self.add("extreme", "note", "fn.extreme.warn", call=self.text(shown), warning=warns[0])
        finding.extra += [(stable_key, {})] if stable_key else []
        return finding

    def dtype_check(self, shown, args) -> Finding | None:
        """float32 in, float32 out: another float dtype is a note (a failure when strict); no floats, no finding
        (the value checks have said what came back)."""
        result, _ = self.call(shown, args)
        got = np.asarray(result).dtype
        if got.kind != "f":
            return None
        if got == np.float32:
            return self.add("dtype", "pass", "fn.dtype.ok")
        return self.add("dtype", "fail" if self.strict else "note", "fn.dtype.leak", call=self.text(shown), got=str(got))


def _arg_names(fn, count: int) -> list[str]:
    """fn's positional argument names (x, y, t, …); arg1, arg2, … where it has none."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    return [names[i] if i < len(names) else f"arg{i + 1}" for i in range(count)]


def _shown(**arrays) -> str:
    return ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())


# --- activations and softmax -------------------------------------------------------------------


def _elementwise(run: _Run):
    """identity_function, step_function, sigmoid, relu, tanh: 1-D and batch x (0 included), ±1000, float32."""
    ref = reference.ELEMENTWISE[run.name]
    x1, xb = run.rng.standard_normal(7) * 3, run.rng.standard_normal((4, 5)) * 3
    x1[3] = xb[1, 2] = 0.0
    for x in (x1, xb):
        explain = _step_at_zero(x) if run.name == "step_function" else None
        run.stage(run.values, _shown(x=x), (x,), ref(x), explain=explain)
    extreme = np.array([-1000.0, -100.0, -10.0, 0.0, 10.0, 100.0, 1000.0])
    run.stage(run.extreme, extreme, ref(extreme), reference.STABLE_HINTS.get(run.name))
    if run.name != "step_function":  # the book's returns integers
        run.stage(run.dtype_check, _shown(x=xb) + " float32", (xb.astype(np.float32),))


def _step_at_zero(x):
    """explain for step_function: 1 at x = 0, where the book's x > 0 gives 0."""
    return lambda y, want: [("fn.step.zero", {})] if np.any(y[x == 0] == 1) else []


def _softmax(run: _Run):
    """softmax on one sample (5,) and a batch (4, 5) (each row sums to 1), at ±1000, float32."""
    x1, xb = run.rng.standard_normal(5), run.rng.standard_normal((4, 5)) * 2
    run.stage(run.values, _shown(x=x1), (x1,), F.softmax(x1))
    run.stage(run.values, _shown(x=xb), (xb,), F.softmax(xb), explain=lambda y, want: reference.softmax_cause(xb, y))
    extreme = np.array([1000.0, 999.0, -1000.0])
    run.stage(run.extreme, extreme, F.softmax(extreme), reference.STABLE_HINTS["softmax"])
    run.stage(run.dtype_check, _shown(x=xb) + " float32", (xb.astype(np.float32),))


# --- losses ----------------------------------------------------------------------------------


def _cross_entropy(run: _Run):
    """cross_entropy_error(y, t) or softmax_loss(x, t): one-hot t, labels t, one sample; then log 0 or ±1000."""
    logits = run.name == "softmax_loss"
    x, y, t = reference.probabilities(run.rng, 4, 5)
    first, first_name = (x, "x") if logits else (y, "y")
    exact = reference.softmax_loss_exact if logits else reference.cross_entropy_exact
    one_hot = np.eye(5)[t]

    def explain(got, want):
        ratio = float(got) / want if got.size == 1 else np.nan
        if np.isclose(ratio, 4, rtol=1e-3):
            return [("fn.ce.batch", {"N": 4})]
        return [("fn.ce.mean_all", {"C": 5})] if np.isclose(ratio * 5, 1, rtol=1e-3) else []

    def case(p, q):
        return run.stage(run.values, _shown(**{first_name: p}, t=q), (p, q), exact(p, q), 3e-6, explain)

    hot, labels = case(first, one_hot), case(first, t)
    if hot.passed and not labels.passed:
        labels.extra.append(("fn.ce.labels", {}))
    if labels.passed and not hot.passed:
        hot.extra.append(("fn.ce.one_hot", {}))
    single = case(first[0], one_hot[0])
    if not single.passed and (hot.passed or labels.passed):
        single.extra.append(("fn.ce.single", {}))
    with_labels = labels.passed and not hot.passed
    run.stage(_finite_loss, run, logits, with_labels)


def _finite_loss(run: _Run, logits: bool, with_labels: bool) -> Finding:
    """cross_entropy_error where the true class has y = 0, or softmax_loss on logits at ±1000: finite, no warning.

    Only finiteness is asked: the book's log(y + 1e-7) gives 16.1 where the exact value is larger.
    """
    if logits:
        p, key = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]]), "fn.extreme"
    else:
        p, key = np.array([[0.0, 1.0, 0.0], [0.5, 0.25, 0.25]]), "fn.ce.log0"
    t = np.array([1, 0]) if logits else np.array([0, 0])
    t = t if with_labels else np.eye(3)[t]
    shown = _shown(**{"x" if logits else "y": p}, t=t)
    result, warns = run.call(shown, (p, t))
    value = copy_grad(result)
    if value is not None and value.size == 1 and np.isfinite(value).all() and not warns:
        return run.add("finite", "pass", key + ".ok", call=run.text(shown))
    got = "None" if value is None or value.size == 0 else f"{float(value.reshape(-1)[0]):g}"
    finding = run.add("finite", "fail", key + ".loss", call=run.text(shown), got=got)
    finding.extra += [("hint.warned", {"warning": warns[0]})] if warns else []
    return finding


def _squared_error(run: _Run):
    """mean_squared_error = sum_squared_error: the book's ½·Σ(y − t)² on one sample and a batch."""
    _, y, t = reference.probabilities(run.rng, 4, 5)
    one_hot = np.eye(5)[t]

    def explain_for(p, q):
        def explain(got, want):
            ratio = float(got) / want if got.size == 1 else np.nan
            if got.size == 1 and np.isclose(float(got), 0.5 * np.sum(p - q) ** 2, rtol=1e-9, atol=1e-300):
                return [("fn.mse.square_outside", {})]
            if np.isclose(ratio, 2):
                return [("fn.mse.half", {})]
            return [("fn.mse.ratio", {"ratio": ratio})] if np.isfinite(ratio) else []

        return explain

    for p, q in ((y[0], one_hot[0]), (y, one_hot)):
        run.stage(run.values, _shown(y=p, t=q), (p, q), reference.sum_squared_error(p, q), 1e-9, explain_for(p, q))


_ACTIVATION_INPUTS = "x (7,), (4, 5), ±1000; float32"
_CHECKS = {
    "identity_function": (_elementwise, _ACTIVATION_INPUTS),
    "step_function": (_elementwise, "x (7,), (4, 5), ±1000"),
    "sigmoid": (_elementwise, _ACTIVATION_INPUTS),
    "relu": (_elementwise, _ACTIVATION_INPUTS),
    "tanh": (_elementwise, _ACTIVATION_INPUTS),
    "softmax": (_softmax, "x (5,), (4, 5), ±1000; float32"),
    "cross_entropy_error": (_cross_entropy, "y (4, 5), (5,); t (4, 5), (4,), (5,); y = 0"),
    "softmax_loss": (_cross_entropy, "x (4, 5), (5,); t (4, 5), (4,), (5,); ±1000"),
    "mean_squared_error": (_squared_error, "y, t (5,), (4, 5)"),
    "sum_squared_error": (_squared_error, "y, t (5,), (4, 5)"),
    "numerical_diff": (numerical.check_numerical_diff, "f = x², 0.01x² + 0.1x, sin(x)·x²"),
    "numerical_gradient": (numerical.check_numerical_gradient, "f = Σx², Σ sin(x)·x²; x (3,), (2, 3), (2, 2, 3), int"),
    "gradient_descent": (numerical.check_gradient_descent, "f = x0² + x1², init_x (-3, 4), lr=0.1, step_num=20"),
    "im2col": (conv.check_im2col, "x (N, C, H, W); stride=1, 2; pad=0, 1; float32"),
    "col2im": (conv.check_col2im, "col (N·OH·OW, C·FH·FW); stride=1, 2; pad=0, 1; float32"),
}
FUNCTIONS: tuple[str, ...] = tuple(_CHECKS)
