"""check_function's checks of the book's numerical differentiation: numerical_diff, numerical_gradient,
gradient_descent (ch.4).

A learner's derivative gets ``Spy`` as f: it records how x was moved at every
call, and ``step_cause`` reads the bug from that — h rounding to 0 (the book's
§4.1 warning about 1e-50), a one-sided difference, x not restored between
elements, h far from 1e-4. The tests: a quadratic, on which a central
difference (f(x + h) − f(x − h))/(2h) is exact and a forward one is off by h;
f(x) = Σ sin(x)·x² with its exact gradient for x of 1, 2 and 3 dimensions; f
ignoring its argument, as ``lambda W: net.loss(x, t)`` does, which works only
if x itself is perturbed (in place) and restored exactly; integer x.
``run`` is check_function's ``_Run``.

>>> spy = Spy(lambda a: float(np.sum(a ** 2)), np.zeros(2))
>>> spy(np.array([1e-4, 0.0])), spy(np.zeros(2))
(1e-08, 0.0)
>>> step_cause(spy.steps)[0]
'fn.cause.one_sided'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bprop.gradcheck import function_reference as reference
from bprop.gradcheck.calls import Stop
from bprop.gradcheck.compare import copy_grad, first_change, fmt_index
from bprop.gradcheck.report import Finding

__all__ = ["check_numerical_diff", "check_numerical_gradient", "check_gradient_descent", "Spy", "step_cause"]


class Spy:
    """The f given to a learner's numerical derivative: value_of(arg), recording how far x moved at each call.

    ``x`` is the array handed to the learner (None for numerical_diff's number);
    ``x0`` its values before. A call's step is x − x0 when x itself moved, else
    arg − x0 when arg has x0's shape (a learner working on a copy), else zero.
    """

    def __init__(self, value_of: Callable[[Any], Any], x0: Any, x: Any = None) -> None:
        self.value_of, self.x0, self.x = value_of, np.array(x0, dtype=np.float64), x
        self.steps: list[np.ndarray] = []
        self.x_moved = False  # whether x itself ever moved (a learner perturbing a copy never moves it)

    def __call__(self, arg):
        moved = self.x is not None and not np.array_equal(self.x, self.x0)
        self.x_moved |= moved
        seen = self.x if moved else np.asarray(arg, dtype=np.float64)
        self.steps.append(seen - self.x0 if np.shape(seen) == self.x0.shape else np.zeros(self.x0.shape))
        return self.value_of(arg)


def step_cause(steps: list[np.ndarray]) -> tuple[str, dict] | None:
    """(key, params) of the likely cause of a wrong numerical derivative, from a Spy's steps; None if none shows.

    No step at all: h rounds to 0 (x + h == x). A call with two elements moved:
    x is not restored between elements. Steps all one way: a one-sided difference.
    Else h itself, outside [1e-6, 1e-3].
    """
    moved = [s for s in steps if np.any(s)]
    if not moved:
        return "fn.cause.h_zero", {}
    if any(np.count_nonzero(s) > 1 for s in moved):
        return "fn.cause.not_restored", {}
    sizes = np.array([s.ravel()[np.flatnonzero(s)[0]] for s in moved])
    h = float(np.median(np.abs(sizes)))
    if (sizes > 0).all() or (sizes < 0).all():
        return "fn.cause.one_sided", {"h": h}
    if h > 1e-3:
        return "fn.cause.h_large", {"h": h}
    if h < 1e-6:
        return "fn.cause.h_small", {"h": h}
    return None


def _wavy(a):
    """f(x) = Σ sin(x)·x², with ∇f = cos(x)·x² + 2x·sin(x) (``_wavy_grad``)."""
    return np.sum(np.sin(a) * a**2)


def _wavy_grad(x):
    return np.cos(x) * x**2 + 2 * x * np.sin(x)


def _derivative(run, f_text, spy, x, want, tol, key) -> Finding:
    """The learner's numerical_diff(spy, x) or numerical_gradient(spy, x) against the exact ``want``.

    key: 'fn.central' (a quadratic, exact for a central difference) or 'fn.derivative';
    a failure gets the cause the spy saw. x is passed itself, never a copy.
    """
    shown = "f, " + (f"x {x.shape}" if isinstance(x, np.ndarray) else f"{x:g}")
    result, _ = run.call(shown, (spy, x), copies=False)
    got, want = copy_grad(result), np.asarray(want, dtype=np.float64)
    if got is None:
        raise Stop(Finding("values", "fail", "bad_output", {"where": run.text(shown), "got": type(result).__name__}))
    got = got.reshape(()) if want.ndim == 0 and got.size == 1 else got
    if got.shape != want.shape:
        return run.add("values", "fail", "fn.shape", call=run.text(shown), got=got.shape, want=want.shape)
    err = np.abs(got - want)
    if np.all(err <= tol * np.maximum(1.0, np.abs(want))):
        return run.add("values", "pass", key + ".ok", call=run.text(shown), f=f_text, err=float(np.max(err)))
    i = np.unravel_index(np.argmax(np.where(np.isnan(err), np.inf, err)), err.shape)
    index = fmt_index(i) if got.ndim else f"x = {x:g}"
    finding = run.add("values", "fail", key + ".fail", call=run.text(shown), f=f_text, index=index,
                      got=float(got[i]), want=float(want[i]))
    cause = step_cause(spy.steps)
    finding.extra += [cause] if cause else []
    return finding


def check_numerical_diff(run: Any) -> None:
    """numerical_diff(f, x): exact for x² at 3; the book's 0.01x² + 0.1x at 5 (0.2); sin(x)·x² at 1.3."""
    for f_text, f, x, want, key in (
        ("x**2", lambda a: a**2, 3.0, 6.0, "fn.central"),
        ("0.01*x**2 + 0.1*x", lambda a: 0.01 * a**2 + 0.1 * a, 5.0, 0.2, "fn.derivative"),
        ("sin(x)*x**2", _wavy, 1.3, float(_wavy_grad(1.3)), "fn.derivative"),
    ):
        run.stage(_derivative, run, f_text, Spy(f, x), x, want, 1e-7 if key == "fn.central" else 1e-6, key)


def check_numerical_gradient(run: Any) -> None:
    """numerical_gradient(f, x): exact on Σx²; ∇ of Σ sin(x)·x² for 1-D, 2-D, 3-D x; f ignoring its argument;
    x restored exactly; integer x."""
    changed: list = []

    def gradient(f_text, value_of, x, want, tol, key):
        x0 = x.copy()
        spy = Spy(value_of, x0, x)
        finding = run.stage(_derivative, run, f_text, spy, x, want, tol, key)
        where = first_change(x0, x)
        if where is not None and not changed:
            first = np.unravel_index(np.argmax(x != x0), x.shape)
            changed.append(run.add("restore", "fail", "fn.ng.restore", call=run.text(f"f, x {x.shape}"), index=where,
                                   got=repr(float(x[first])), want=repr(float(x0[first]))))
        return finding, spy

    x = np.array([0.5, -1.5, 2.0, 3.0])
    gradient("Σx²", lambda a: np.sum(a * a), x, 2 * x, 1e-7, "fn.central")
    shapes = ((3,), (2, 3), (2, 2, 3))
    for n, shape in enumerate(shapes):
        x = run.rng.standard_normal(shape) * 1.5
        finding, _ = gradient("Σ sin(x)·x²", _wavy, x, _wavy_grad(x), 1e-6, "fn.derivative")
        if not finding.passed:
            if n == 2:
                finding.status = "note"
                finding.extra.append(("fn.ng.only_2d", {}))
            break
        run.findings.remove(finding)  # one line sums the shapes up
    else:
        run.add("values", "pass", "fn.ng.shapes.ok", shapes=", ".join(map(str, shapes)))
    W = run.rng.standard_normal((2, 3))
    want = _wavy_grad(W) + np.sum(W)
    finding, spy = gradient("Σ sin(x)·x² + (Σx)²/2", lambda _: _wavy(W) + np.sum(W) ** 2 / 2, W, want, 1e-6,
                            "fn.derivative")
    if finding.passed:
        finding.key = "fn.ng.in_place.ok"
    elif finding.key == "fn.derivative.fail" and not spy.x_moved and any(np.any(s) for s in spy.steps):
        finding.key, finding.extra = "fn.ng.copy", []
    if not changed:
        run.add("restore", "pass", "fn.ng.restore.ok")
    _integer_x(run)


def _integer_x(run) -> Finding:
    """numerical_gradient on integer x: an error, or the right gradient; a wrong one (h lost) is a note."""
    x = np.array([3, -1, 2])
    shown = "f, x (3,) int"
    try:
        result, _ = run.call(shown, (_wavy, x.copy()), copies=False)
    except Stop:
        return run.add("integer", "pass", "fn.ng.integer.raises")
    got, want = copy_grad(result), _wavy_grad(x.astype(np.float64))
    if got is not None and got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-6):
        return run.add("integer", "pass", "fn.ng.integer.ok")
    text = "None" if got is None else "[" + ", ".join(f"{v:.4g}" for v in got.ravel()) + "]"
    return run.add("integer", "note", "fn.ng.integer", call=run.text(shown), got=text,
                   want="[" + ", ".join(f"{v:.4g}" for v in want) + "]")


def check_gradient_descent(run: Any) -> Finding:
    """gradient_descent(f, init_x, lr=0.1, step_num=20) on f = x0² + x1² from (−3, 4): x = 0.8^20·(−3, 4)."""
    init, lr, steps = np.array([-3.0, 4.0]), 0.1, 20
    work = init.copy()
    shown = f"f, init_x {init.tolist()}, lr={lr}, step_num={steps}"
    result, _ = run.call(shown, (lambda x: x[0] ** 2 + x[1] ** 2, work, lr, steps), copies=False)
    if np.array_equal(work, init):
        run.add("mutation", "pass", "fn.untouched")
    else:
        run.add("mutation", "note", "fn.gd.mutates")
    result = result[0] if isinstance(result, tuple) and result else result
    got = copy_grad(result)
    if got is None:
        raise Stop(Finding("values", "fail", "bad_output", {"where": run.text(shown), "got": type(result).__name__}))
    finding = reference.compare("values", run.text(shown), got, (1 - 2 * lr) ** steps * init, 1e-8)
    run.findings.append(finding)
    if not finding.passed and got.shape == init.shape:
        with np.errstate(all="ignore"):
            taken = np.log(got[0] / init[0]) / np.log(1 - 2 * lr)
        if np.allclose(got, (1 + 2 * lr) ** steps * init, rtol=1e-6):
            finding.extra.append(("fn.gd.sign", {}))
        elif np.isfinite(taken) and abs(taken - round(taken)) < 1e-6:
            finding.extra.append(("fn.gd.steps", {"taken": int(round(taken)), "steps": steps}))
        elif "numerical_gradient" in getattr(run.fn, "__globals__", {}):
            finding.extra.append(("fn.gd.uses_ng", {}))
    return finding
