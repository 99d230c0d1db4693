"""``check_optimizer``: a learner's optimizer run step by step against the reference update its name says.

The stages, in order (``_OptimizerChecker.run``):

1. Hyperparameters: read from the optimizer (lr, momentum, decay_rate, beta1,
   beta2, eps, book spellings first), so that the reference uses its numbers.
2. The main run: W1 (3, 4), b1 (4,), W2 (4, 2) in float64, ``steps`` steps with
   new random gradients each step (|g| in [0.5, 2], where the place of eps moves
   no step of AdaGrad or RMSprop by more than the tolerance). params and grads go
   in as dicts (book 1), or as lists (book 2) when dicts raise TypeError or
   KeyError. After the first step the caller's arrays must have changed in
   place; grads must never change. Then every step must agree, within TOL of the
   step's size, with a correct form of the optimizer (``optimizer_reference``).
   Else the cause is named: a known mistake that matches, one state shared by
   all parameters (tried on parameters of one shape), a constant factor on every
   step (another lr); else the first step and parameter that differ, with both
   values. A name with no reference: the loss ½·Σ a·(p − c)² of a quadratic must
   fall in 50 steps.
3. lr: with self.lr tripled on a copy, the steps triple.
4. Zero and tiny gradients: no NaN or inf, and still the reference (eps where it belongs).
5. float32: the parameters and the state stay float32 (a note; a failure with strict=True).

Every run gets a fresh deep copy of the optimizer and new arrays: the caller's
optimizer is never stepped. ``bprop.gradcheck.optimizer_learner`` builds the
optimizer and calls its update.
"""

from __future__ import annotations

import copy
import inspect
from dataclasses import replace
from typing import Any

import numpy as np

from bprop._checks import positive_int
from bprop.gradcheck import optimizer_reference as ref
from bprop.gradcheck.calls import Stop, call
from bprop.gradcheck.compare import fmt_index
from bprop.gradcheck.learner import LearnerError
from bprop.gradcheck.optimizer_learner import (
    Run,
    build_optimizer,
    counter_name,
    first_nonfinite,
    float64_state,
    label,
    read_attribute,
    run_update,
)
from bprop.gradcheck.report import Finding, Report

__all__ = ["check_optimizer", "build_optimizer"]

PROBLEM = {"W1": (3, 4), "b1": (4,), "W2": (4, 2)}
SAME_SHAPES = {"W1": (3, 4), "W2": (3, 4), "W3": (3, 4)}  # where one state for all keys runs without an error
DESCENT_STEPS = 50
LR_FACTOR = 3.0
_FORM_ERRORS = (TypeError, KeyError, IndexError)  # what book 2's params[i] raises on a dict
_NOTED = ("optim.ok.torch_momentum", "optim.ok.book2_nesterov")  # right, but not book 1's form


def check_optimizer(optimizer: Any, *, name: str | None = None, steps: int = 5, seed: int = 0,
                    strict: bool = False) -> Report:
    """Check a learner's optimizer; return a Report (``.ok``, ``str(report)``, ``render('ja')``).

    optimizer: an object with ``update(params, grads)``, or its class (built by
    ``build_optimizer``). name: the name it is checked as (default: its class's);
    SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam (any case, 'MomentumSGD',
    'MyAdam' …) are compared step for step with their reference updates, any
    other name only for descent on a quadratic. strict: a float32 parameter or
    state turning float64 fails (else it is a note). The caller's optimizer and
    arrays are never touched; exceptions in its code become failed checks.
    """
    steps = positive_int(steps, "steps")
    subject = name or (optimizer if inspect.isclass(optimizer) else type(optimizer)).__name__
    checker = _OptimizerChecker(ref.algorithm(subject), steps, seed, strict)
    checker.run(optimizer)
    shapes = ", ".join(f"{k} {s}" for k, s in PROBLEM.items())
    inputs = f"{checker.form} params {shapes}, steps={steps}"
    return Report(subject, inputs, "float64, float32", ref.TOL, False, checker.findings, [], kind="optimizer")


class _OptimizerChecker:
    """Runs the stages of check_optimizer in order and collects the findings."""

    def __init__(self, algo: str | None, steps: int, seed: int, strict: bool):
        # Any: None only for a class the references do not know, whose checks stop before anything reads it.
        self.algo: Any = algo
        self.steps, self.strict = steps, strict
        self.rng = np.random.default_rng(seed)
        self.findings: list[Finding] = []
        self.form = "dict"
        self.h = ref.DEFAULTS.get(algo or "", ref.Hyper())
        self.eps_values: tuple = (1e-7, 1e-8)  # the book writes 1e-7 into update, PyTorch defaults to 1e-8
        self.lr_attr: str | None = None
        self.good: ref.Form | None = None  # the correct form the main run agreed with
        self.ran = False  # the main run's update calls raised nothing

    def add(self, check, status, key, **params) -> Finding:
        finding = Finding(check, status, key, params)
        self.findings.append(finding)
        return finding

    def run(self, optimizer):
        try:
            self.pristine = self.build(optimizer)
            self.read_hyper()
            fine = self.main_check()
        except Stop as stop:
            self.findings.append(stop.finding)
            return
        for stage in ([self.lr_check, self.edge_check] if fine else []) + ([self.dtype_check] if self.ran else []):
            try:
                stage()
            except Stop as stop:
                self.findings.append(stop.finding)

    def build(self, optimizer):
        if inspect.isclass(optimizer):
            try:
                optimizer = build_optimizer(optimizer)
            except LearnerError as exc:
                raise Stop(Finding("build", "fail", exc.key, exc.params)) from exc
        if not callable(getattr(optimizer, "update", None)):
            raise Stop(Finding("update", "fail", "optim.no_update", {"cls": type(optimizer).__name__}))
        return self.fresh(optimizer)

    def fresh(self, optimizer=None):
        """A deep copy of the optimizer as it was given: every run starts from its state."""
        return call("copy.deepcopy", copy.deepcopy, self.pristine if optimizer is None else optimizer)[0]

    def problem(self, shapes: dict, steps: int):
        """Random float64 parameters and ``steps`` gradients, |g| in [0.5, 2] with random signs."""
        p0 = {k: self.rng.standard_normal(s) for k, s in shapes.items()}
        grads = [{k: self.rng.choice([-1.0, 1.0], s) * self.rng.uniform(0.5, 2.0, s) for k, s in shapes.items()}
                 for _ in range(steps)]
        return p0, grads

    def learner_run(self, p0, grads, optimizer=None, dtype=np.float64) -> Run:
        opt = self.fresh() if optimizer is None else optimizer
        return run_update(opt, p0, lambda n, p: grads[n - 1], len(grads), self.form, dtype)

    def label(self, key: str, keys, what: str = "params") -> str:
        return label(key, list(keys), self.form, what)

    def fix(self) -> str:
        """The book's update line, with params[i] for book 2's lists."""
        text = ref.FIXES.get(self.algo, ref.FIXES["sgd"])
        return text if self.form == "dict" else text.replace("[key]", "[i]")

    def read_hyper(self):
        if self.algo is None:
            self.add("reference", "note", "optim.unknown_name", cls=type(self.pristine).__name__)
            return
        found, shown, assumed = {}, [], []
        for name in ref.NEEDS[self.algo]:
            attr, value = read_attribute(self.pristine, name)
            if attr is not None:
                found[name] = value
                shown.append(f"self.{attr}={value:g}")
                self.lr_attr = attr if name == "lr" else self.lr_attr
            elif name != "eps":  # no eps attribute: the book's 1e-7 written into update, or PyTorch's 1e-8
                assumed.append(f"{name}={getattr(self.h, name):g}")
        if "eps" in found:
            self.eps_values = (found["eps"],)
        self.h = replace(self.h, **found)
        if shown:
            self.add("hyper", "pass", "optim.hyper", values=", ".join(shown))
        if assumed:
            self.add("hyper", "note", "optim.hyper_assumed", values=", ".join(assumed))

    # the main run ----------------------------------------------------------------------------------------------

    def main_check(self) -> bool:
        """True when the optimizer did what its name says (or, with no reference, descended)."""
        if self.algo is None:
            return self.descent_check()
        p0, grads = self.problem(PROBLEM, self.steps)
        try:
            run = self.first_run(p0, lambda n, p: grads[n - 1], self.steps)
        except Stop as stop:
            if self.shared_state(stop.finding):
                return False
            raise
        return self.contract(run, p0) and self.compare(run, p0, grads)

    def first_run(self, p0, grad_for, steps) -> Run:
        """The learner's run with dicts, or with lists when dicts raise TypeError or KeyError (book 2's params[i])."""
        try:
            run = run_update(self.fresh(), p0, grad_for, steps, "dict")
        except Stop as stop:
            if not isinstance(stop.__cause__, _FORM_ERRORS):
                raise
            try:
                run = run_update(self.fresh(), p0, grad_for, steps, "list")
            except Stop:
                raise stop from None  # lists fail too: the error with dicts is the one to read
            self.form = "list"
        self.ran = True
        self.add("form", "pass", "optim.form." + self.form)
        return run

    def contract(self, run: Run, p0) -> bool:
        """Findings on grads and on updating in place; False when update moved nothing (nothing to compare)."""
        if run.grads_written:
            key, index, step = run.grads_written
            self.add("grads", "fail", "optim.grads_written", grad=self.label(key, p0, "grads"), index=index, step=step)
        else:
            self.add("grads", "pass", "optim.grads.ok")
        if run.rebound is not None:
            self.add("inplace", "fail", "optim.rebound", param=self.label(run.rebound, p0), fix=self.fix())
        elif run.unchanged:
            f = self.add("inplace", "fail", "optim.unchanged", fix=self.fix())
            if run.returned:
                f.extra.append(("optim.returned", {"type": run.returned}))
            return False
        else:
            self.add("inplace", "pass", "optim.inplace.ok")
        return True

    def compare(self, run: Run, p0, grads) -> bool:
        good = ref.accepted(self.algo, self.h, self.eps_values)
        match = ref.best(run.steps, p0, grads, good)
        if match is not None:
            self.good, err = match
            status = "note" if self.good.key in _NOTED else "pass"
            self.add("reference", status, self.good.key, algo=ref.NAMES[self.algo], steps=self.steps, err=err,
                     **self.good.detail)
            return True
        want = ref.trajectory(good[0], p0, grads)
        cause = ref.best(run.steps, p0, grads, ref.variants(self.algo, self.h, self.eps_values))
        k = ref.step_factor(run.steps, want, p0)
        if cause is not None:
            self.cause(cause[0], run, want, p0)
        elif k is not None:
            self.cause(replace(good[0], key="optim.cause.scaled", detail={"k": k, "lr_used": k * self.h.lr}),
                       run, want, p0)
        elif not self.shared_state(None):
            self.cause(replace(good[0], key="optim.mismatch"), run, want, p0)
        return False

    def cause(self, form: ref.Form, run: Run, want: list, p0, context=()) -> Finding:
        """A failed finding naming ``form.key`` as the cause, then the ``context`` sentences, then the first
        difference from the book's form."""
        at = ref.first_difference(run.steps, want, p0)
        step, key = (at[0], at[1]) if at else (1, next(iter(p0)))
        algo, param = ref.NAMES[self.algo], self.label(key, p0)
        f = self.add("reference", "fail", form.key, param=param, algo=algo, step=step, fix=self.fix(),
                     state=ref.STATE.get(self.algo, "self.v"), counter=counter_name(self.pristine), lr=self.h.lr,
                     **form.detail)
        f.extra += list(context)
        if at:
            f.extra.append(("optim.at", {"step": step, "param": param, "index": fmt_index(at[2]), "got": at[3],
                                         "want": at[4], "start": at[5], "algo": algo}))
        return f

    def shared_state(self, raised: Finding | None) -> bool:
        """Whether the learner, run on parameters of one shape, keeps one state for all of them (then a finding)."""
        if self.algo == "sgd":  # no state to share
            return False
        p0, grads = self.problem(SAME_SHAPES, self.steps)
        try:
            run = self.learner_run(p0, grads)
        except Stop:
            return False
        match = ref.best(run.steps, p0, grads, ref.shared(self.algo, self.h, self.eps_values))
        if match is None:
            return False
        book = ref.accepted(self.algo, self.h, self.eps_values)[0]
        error = str((raised.params if raised else {}).get("error", "")).strip()
        self.cause(match[0], run, ref.trajectory(book, p0, grads), p0, [("optim.shared_raised", {"error": error})]
                   if error else [])
        return True

    def descent_check(self) -> bool:
        """No reference: the loss ½·Σ a·(p − c)² must fall in DESCENT_STEPS steps with grads = a·(p − c)."""
        c = {k: self.rng.standard_normal(s) for k, s in PROBLEM.items()}
        a = {k: self.rng.uniform(0.5, 2.0, s) for k, s in PROBLEM.items()}
        p0 = {k: c[k] + self.rng.standard_normal(s) for k, s in PROBLEM.items()}

        def loss(p):
            return 0.5 * sum(float(np.sum(a[k] * (p[k] - c[k]) ** 2)) for k in p)

        run = self.first_run(p0, lambda n, p: {k: a[k] * (p[k] - c[k]) for k in p}, DESCENT_STEPS)
        if not self.contract(run, p0):
            return False
        start, end = loss(p0), loss(run.steps[-1])
        if not np.isfinite(end):
            step, key, index = first_nonfinite(run.steps)
            self.add("descent", "fail", "optim.descent.nonfinite", param=self.label(key, p0), index=fmt_index(index),
                     step=step, steps=DESCENT_STEPS)
            return False
        ok = end < start
        self.add("descent", "pass" if ok else "fail", "optim.descent.ok" if ok else "optim.descent.fail",
                 start=start, end=end, steps=DESCENT_STEPS)
        return ok

    # lr, zero gradients, dtype ---------------------------------------------------------------------------------

    def lr_check(self):
        """With self.lr times LR_FACTOR on a copy, the steps must be the reference's at that lr."""
        if self.lr_attr is None or self.good is None:
            return
        p0, grads = self.problem(PROBLEM, 2)
        opt, lr, new = self.fresh(), self.h.lr, self.h.lr * LR_FACTOR
        try:
            setattr(opt, self.lr_attr, new)
        except (AttributeError, TypeError):  # a read-only lr: nothing to vary
            return
        run = self.learner_run(p0, grads, opt)
        faster = replace(self.good, h=replace(self.good.h, lr=new))
        if ref.agree(run.steps, ref.trajectory(faster, p0, grads), p0):
            key, status = "optim.lr.ok", "pass"
        elif ref.agree(run.steps, ref.trajectory(self.good, p0, grads), p0):
            key, status = "optim.lr.ignored", "fail"
        else:
            key, status = "optim.lr.other", "fail"
        self.add("lr", status, key, attr=self.lr_attr, lr=lr, new=new)

    def edge_check(self):
        """Gradients with exact zeros and values near 1e-4 (√h as small as eps): finite steps, still the reference."""
        p0 = {k: self.rng.standard_normal(s) for k, s in PROBLEM.items()}
        grads = [{k: self.edge_gradient(s) for k, s in PROBLEM.items()} for _ in range(2)]
        run = self.learner_run(p0, grads)
        bad = first_nonfinite(run.steps)
        if bad:
            step, key, index = bad
            self.add("zero", "fail", "optim.zero.nonfinite", param=self.label(key, p0), index=fmt_index(index),
                     step=step, grad=float(grads[step - 1][key][index]), value=str(run.steps[step - 1][key][index]))
            return
        if self.good is None:
            self.add("zero", "pass", "optim.zero.finite")
            return
        good = ref.accepted(self.algo, self.h, self.eps_values)
        if ref.best(run.steps, p0, grads, good) is not None:
            self.add("zero", "pass", "optim.zero.ok")
            return
        eps_forms = [f for f in ref.variants(self.algo, self.h, self.eps_values)
                     if f.key in ("optim.cause.eps_inside", "optim.cause.no_eps")]
        cause = ref.best(run.steps, p0, grads, eps_forms)
        form = cause[0] if cause else replace(good[0], key="optim.zero.mismatch")
        self.cause(form, run, ref.trajectory(good[0], p0, grads), p0, [("optim.zero.context", {})])

    def edge_gradient(self, shape):
        """Every third element 0, every third about ±1e-4, the others ordinary (|g| in [0.5, 2])."""
        size = int(np.prod(shape))
        scale = np.array([0.0, 1e-4, 1.0])[np.arange(size) % 3]
        g = self.rng.choice([-1.0, 1.0], size) * self.rng.uniform(0.5, 2.0, size) * scale
        return (g + 0.0).reshape(shape)  # + 0.0 turns -0.0 into 0.0

    def dtype_check(self):
        """Two float32 steps: params and the optimizer's state must stay float32."""
        p0, grads = self.problem(PROBLEM, 2)
        opt = self.fresh()
        run = self.learner_run(p0, grads, opt, np.float32)
        status = "fail" if self.strict else "note"
        changed = [(k, d) for k, d in run.dtypes.items() if d != np.float32]
        state = float64_state(opt)
        if changed:
            key, got = changed[0]
            self.add("dtype", status, "optim.dtype.params", param=self.label(key, p0), got=str(got))
        elif state:
            self.add("dtype", status, "optim.dtype.state", what=state)
        else:
            self.add("dtype", "pass", "optim.dtype.ok")
