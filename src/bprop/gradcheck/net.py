"""``check_net``: a network class with ``loss(x, t)`` and ``gradient(x, t)`` (the book's nets), checked key by key.

``gradient(x, t)[key]`` must be the gradient of L = loss(x, t) in params[key],
perturbed in place element by element as the book's ``numerical_gradient`` does
(its layers hold the very arrays of ``params``). With f(s) = L at p + s·e_i,
D(h) = (f(h) − f(−h))/(2h) and S(h) = (f(h) − 2f(0) + f(−h))/h²:

    ∂L/∂p_i ≈ (4·D(ε/2) − D(ε))/3,    ε = 1e-4,    error O(ε⁴)

(Richardson: batch normalisation over 4 samples curves sharply). A smooth f has S(ε) = S(ε/2)
up to O(ε²), a kink within ε (ReLU at 0, a max switching) has not: such elements are left out
and counted. Each call replays the same randomness (np.random's, every Generator on the net),
so dropout drops the same units. Also checked: grads' keys and shapes, a finite scalar loss,
x, t and params left unchanged, accuracy with labels (N,) and one-hot t. All on a deep copy,
whose zero biases get small random values (behind a dead layer they sit on a ReLU's kink).

>>> from bprop.nets import TwoLayerNet
>>> report = check_net(TwoLayerNet)
>>> report.ok, [row.target for row in report.rows]
(True, ["grads['W1']", "grads['b1']", "grads['W2']", "grads['b2']"])
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from bprop.gradcheck.calls import Stop, call
from bprop.gradcheck.compare import copy_grad, first_change, fmt_index, rel, rel_scale
from bprop.gradcheck.diagnose import CLOSE, diagnose
from bprop.gradcheck.learner import LearnerError
from bprop.gradcheck.net_build import BUILT, build_net
from bprop.gradcheck.numerical import perturbed
from bprop.gradcheck.report import Finding, GradRow, Report

__all__ = ["check_net", "build_net"]

_BATCH = 4  # N: labels can be half right (accuracy 0.5), and N ≠ C = 3 makes a one-hot mix-up raise
_label = "grads[{!r}]".format  # grads['W1']: how a key's gradient is named in the report

_BATCH = 4  # N: labels can be half right (accuracy 0.5), and N ≠ C = 3 makes a one-hot mix-up raise
def check_net(net: Any, x: ArrayLike | None = None, t: ArrayLike | None = None, *, name: str | None = None,
              seed: int = 0, tol: float = 1e-5, eps: float = 1e-4) -> Report:
    """Check a net's gradient() against the numerical gradient of its loss(); return a Report.

    net: an instance or a class (built by ``build_net``) with ``params`` (float64 arrays),
    ``loss(x, t)``, ``gradient(x, t)``, maybe ``predict`` and ``accuracy``. x (4, D) or
    (4, C, H, W) and t, one-hot rows of each sample's top class, are made when not given.
    A gradient passes when every |g − n| ≤ tol·max(max|g|, max|n|) + the rounding noise
    of n; tol = 1e-5, not a layer's 1e-6: the book's log(y + 1e-7) moves the numerical
    gradient by about 1e-7/y_t, and a net's y_t cannot be steered as a loss layer's logits
    can (a weight-decayed net measured 1.7e-6); every mistake named here is far larger.
    The caller's net, arrays and np.random's state are left as they were.
    """
    if inspect.isclass(net):
        net = build_net(net, seed=seed)
    for method in ("loss", "gradient"):
        if not callable(getattr(net, method, None)):
            raise LearnerError("net.no_method", cls=type(net).__name__, method=method)
    checker = _NetChecker(net, tol, eps, seed)
    if x is None:
        x = checker.rng.standard_normal((_BATCH, *_sample_shape(net, checker.params)))
    try:
        checker.run(np.array(x, dtype=np.float64), t)
    finally:
        np.random.set_state(checker.callers)
    return Report(name or type(net).__name__, checker.inputs, "float64", tol, True,
                  checker.findings, checker.rows, kind="net")


def _params(net) -> dict[str, np.ndarray]:
    """net.params' float arrays; a LearnerError unless there are some and all are float64."""
    params = getattr(net, "params", None)
    found = {k: v for k, v in (params.items() if isinstance(params, Mapping) else ())
             if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
    if not found:
        raise LearnerError("net.no_params", cls=type(net).__name__)
    other = next((k for k, p in found.items() if p.dtype != np.float64), None)
    if other is not None:
        raise LearnerError("net.not_float64", cls=type(net).__name__, name=other, dtype=str(found[other].dtype))
    return found


def _generators(obj, depth: int = 4, seen: set | None = None) -> list[np.random.Generator]:
    """The Generators (a Dropout's rng) reachable from obj through attributes, dict values and list items."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth < 0 or isinstance(obj, np.ndarray) or inspect.ismodule(obj):
        return []
    seen.add(id(obj))
    if isinstance(obj, np.random.Generator):
        return [obj]
    attrs = obj if isinstance(obj, dict) else getattr(obj, "__dict__", None)
    parts = obj if isinstance(obj, (list, tuple)) else attrs.values() if isinstance(attrs, dict) else ()
    return [g for part in parts for g in _generators(part, depth - 1, seen)]


def _sample_shape(net, params) -> tuple:
    """One sample's shape: build_net's choice, else the net's input_dim or input_size, else W1's rows."""
    built = None
    with contextlib.suppress(TypeError):
        built = BUILT.get(net)
    dim, size, first = getattr(net, "input_dim", None), getattr(net, "input_size", None), next(iter(params.values()))
    shape = built or (isinstance(dim, (tuple, list)) and dim) or (isinstance(size, (int, np.integer)) and [size]) \
        or (first.ndim == 2 and first.shape[:1])
    if not shape:
        raise LearnerError("net.no_input_shape", cls=type(net).__name__)
    return tuple(int(n) for n in shape)


def _differences(loss, p, eps):
    """(numeric, rounding noise, kinks) for loss() in p, as the module docstring says; p is restored exactly."""
    fs = [np.zeros(p.shape) for _ in range(4)]  # f(ε), f(−ε), f(ε/2), f(−ε/2)
    for h, plus, minus in ((eps, fs[0], fs[1]), (eps / 2, fs[2], fs[3])):
        for i, up, down in perturbed(loss, p, h):
            plus[i], minus[i] = up, down
    f0 = loss()
    round_off = 4 * 2.0**-52 * np.maximum(np.max(np.abs(fs), axis=0), 1.0)  # of one evaluation of f
    d1, d2 = (fs[0] - fs[1]) / (2 * eps), (fs[2] - fs[3]) / eps
    s1, s2 = (fs[0] - 2 * f0 + fs[1]) / eps**2, (fs[2] - 2 * f0 + fs[3]) / (eps / 2) ** 2
    kinks = np.abs(s1 - s2) > 80 * round_off / eps**2  # 4× the rounding error of S(ε) − S(ε/2)
    return (4 * d2 - d1) / 3, 3 * round_off / eps, kinks


class _NetChecker:
    """check_net's stages on a deep copy of the net, collecting findings and table rows."""

    def __init__(self, net, tol, eps, seed):
        self.net = copy.deepcopy(net)
        self.params = _params(self.net)
        self.tol, self.eps, self.rng = tol, eps, np.random.default_rng(seed)
        for p in self.params.values():
            if p.ndim == 1 and not p.any():
                p[...] = self.rng.normal(0.0, 0.1, p.shape)
        self.callers = np.random.get_state()
        np.random.seed(seed)  # the learner's Dropout draws from np.random: the same masks whatever came before
        self.saved = np.random.get_state()
        self.generators = [(g, copy.deepcopy(g.bit_generator.state)) for g in _generators(self.net)]
        self.train = {"train_flg": True} if "train_flg" in inspect.signature(self.net.loss).parameters else {}
        self.findings, self.rows, self.numeric, self.inputs = [], [], {}, ""  # numeric: key → _differences

    def add(self, check, status, message, **params) -> Finding:
        self.findings.append(Finding(check, status, message, params))
        return self.findings[-1]

    def once(self, check, status, message, **params):
        if not any(f.check == check for f in self.findings):
            self.add(check, status, message, **params)

    def run(self, x, t):
        for stage in (lambda: self.make_inputs(x, t), self.gradient_stage, self.accuracy_checks):
            try:
                stage()
            except Stop as stop:
                self.findings.append(stop.finding)
                if not self.inputs:
                    return

    # calls into the net: x and t as copies, the same randomness each time -------------------------------

    def call(self, method, *arrays, **kwargs):
        """net.method(*copies of arrays, **kwargs), after replaying np.random's and the Generators' states."""
        np.random.set_state(self.saved)
        for g, state in self.generators:
            g.bit_generator.state = copy.deepcopy(state)
        copies = [a.copy() for a in arrays]
        result, warns = call(method, lambda: getattr(self.net, method)(*copies, **kwargs))
        for name, before, passed in zip(("x", "t"), arrays, copies):
            index = first_change(before, passed)
            if index is not None:
                self.once("inputs", "fail", "net.inputs_changed", where=method, name=name, index=index)
        if warns:
            self.once("warning", "fail", "warning.fail", where=method, warning=warns[0])
        return result

    def loss(self, x, t) -> float:
        value = self.call("loss", x, t, **self.train)
        array = copy_grad(value)
        if array is None or array.size != 1:
            got = type(value).__name__ if array is None else f"an array of shape {array.shape}"
            raise Stop(Finding("loss", "fail", "net.loss_not_scalar", {"got": got}))
        return float(array.reshape(()))

    def gradient(self, x, t) -> dict:
        """gradient(x, t) as float64 copies (None where not an array); params are checked and put back."""
        before = {k: v.copy() for k, v in self.params.items()}
        grads = self.call("gradient", x, t)
        for key, old in before.items():
            index = first_change(old, self.params[key])
            if index is not None:
                self.once("params", "fail", "net.params_changed", name=key, index=index)
                np.copyto(self.params[key], old)
        if not isinstance(grads, Mapping):
            raise Stop(Finding("gradient", "fail", "net.not_dict", {"got": type(grads).__name__}))
        return {key: copy_grad(g) for key, g in grads.items()}

    def top_classes(self, x, train: bool = False):
        """argmax(predict(x), axis=1), in training mode (as loss runs) if ``train``; sets self.classes."""
        if not callable(getattr(self.net, "predict", None)):
            return None
        mode = self.train if train and "train_flg" in inspect.signature(self.net.predict).parameters else {}
        scores = copy_grad(self.call("predict", x, **mode))
        if scores is None or scores.ndim != 2:
            raise Stop(Finding("predict", "fail", "net.bad_scores", {"got": getattr(scores, "shape", "None")}))
        self.classes = scores.shape[1]
        return np.argmax(scores, axis=1)

    def make_inputs(self, x, t):
        """t one-hot of each row's top class unless given; x_other, t_other for the first loss."""
        self.x, top = x, self.top_classes(x, train=True)
        if top is None:
            self.classes = int(getattr(self.net, "output_size", 0) or [p for p in self.params.values()
                                                                        if p.ndim == 2][-1].shape[1])
            top = self.rng.integers(0, self.classes, len(x))
        self.t = np.eye(self.classes)[top] if t is None else np.array(t)
        self.x_other, other = self.rng.standard_normal(x.shape), self.rng.integers(0, self.classes, len(x))
        self.t_other = other if self.t.ndim == 1 else np.eye(self.classes)[other]
        self.inputs = f"x {x.shape}, t {self.t.shape}"

    def gradient_stage(self):
        """A loss of other inputs first (so that a gradient() skipping its forward pass shows), then the gradients."""
        try:
            value = self.loss(self.x_other, self.t_other)
        except Stop as stop:  # one-hot t raised: a loss for labels (N,) only
            if self.t.ndim != 2 or stop.finding.key != "exception":
                raise
            self.t, self.t_other = self.t.argmax(axis=1), self.t_other.argmax(axis=1)
            value = self.loss(self.x_other, self.t_other)
            self.add("labels", "note", "net.loss_labels_only", error=stop.finding.params["error"])
            self.inputs = f"x {self.x.shape}, t {self.t.shape}"
        if not np.isfinite(value):
            self.add("loss", "fail", "net.loss_nonfinite", value=value)
            return
        self.add("loss", "pass", "net.loss_ok", value=value)
        grads = self.gradient(self.x, self.t)
        self.once("params", "pass", "net.params_kept")
        self.once("inputs", "pass", "net.inputs_kept")
        first, again = self.loss(self.x, self.t), self.loss(self.x, self.t)
        if first != again:
            self.add("gradient", "note", "net.random", first=first, second=again)
            return
        keys = self.usable_keys(grads)
        for key, p in self.params.items():
            self.numeric[key] = _differences(lambda: self.loss(self.x, self.t), p, self.eps)
        failing = [key for key in keys if not self.compare(key, grads[key])]
        if failing and self.stale_forward(failing):
            return
        for key in failing:
            self.explain(key, grads[key])

    def usable_keys(self, grads) -> list[str]:
        """The keys whose gradient exists with its parameter's shape; a failed finding for every other one."""
        shapes = {k: p.shape for k, p in self.params.items()}
        for key in grads.keys() - shapes.keys():
            self.add("keys", "fail", "net.grad_extra", target=_label(key), keys=", ".join(shapes))
        for key, shape in shapes.items():
            g = grads.get(key)
            if g is None:
                self.add("keys", "fail", "net.grad_missing", target=_label(key), name=key)
            elif g.shape != shape:
                f = self.add("keys", "fail", "net.grad_shape", target=_label(key), got=g.shape, name=key, want=shape)
                if len(shape) == 2 and g.shape == shape[::-1]:
                    f.extra.append(("net.shape_transposed", {}))
                f.extra += [("net.shape_of_other", {"other": k}) for k, s in shapes.items() if s == g.shape][:1]
        self.once("keys", "pass", "net.keys_ok")
        return [k for k, shape in shapes.items() if grads.get(k) is not None and grads[k].shape == shape]

    def agrees(self, key, g) -> tuple[bool, float, float, tuple]:
        """(every |g − n| ≤ tol·scale + noise off the kinks, max_abs, rel, the worst index)."""
        n, noise, kinks = self.numeric[key]
        keep, err = ~kinks, np.abs(g - n)
        scale, max_abs = rel_scale(g[keep], n[keep]), float(np.max(err[keep], initial=0.0))
        worst = np.unravel_index(np.argmax(np.where(keep, err - noise, -np.inf)), g.shape)
        ok = bool(np.isfinite(err).all() and np.all(err[keep] <= scale * self.tol + noise[keep]))
        return ok, max_abs, max_abs / scale, worst

    def compare(self, key, g) -> bool:
        """A table row for grads[key]; a passed finding when it agrees."""
        n, _, kinks = self.numeric[key]
        ok, max_abs, rel_err, worst = self.agrees(key, g)
        self.rows.append(GradRow(_label(key), max_abs, rel_err, fmt_index(worst), float(g[worst]),
                                 float(n[worst]), int(kinks.sum()), ok))
        if ok:
            f = self.add("gradient", "pass", "net.grad_ok", target=_label(key), rel=rel_err)
            f.extra += [("grad.kinks", {"kinks": int(kinks.sum())})] if kinks.any() else []
        return ok

    def stale_forward(self, failing) -> bool:
        """Right only when loss(x, t) ran just before: gradient() reuses the last forward pass."""
        self.loss(self.x, self.t)
        again = self.gradient(self.x, self.t)
        if not all(again.get(k) is not None and again[k].shape == self.params[k].shape
                   and self.agrees(k, again[k])[0] for k in failing):
            return False
        self.add("gradient", "fail", "net.stale_forward", targets=", ".join(_label(k) for k in failing))
        return True

    def explain(self, key, g):
        """A failed finding for grads[key]: its likely cause, then the worst element."""
        n, _, kinks = self.numeric[key]
        cause, params = self.cause(key, g, n, ~kinks)
        f = self.add("gradient", "fail", cause, target=_label(key), **params)
        row = next(r for r in self.rows if r.target == _label(key))
        f.extra.append(("net.worst", {"index": row.index, "got": row.backward, "numerical": row.numerical}))
        f.extra += [("grad.kinks", {"kinks": row.kinks})] if row.kinks else []

    def cause(self, key, g, n, keep) -> tuple[str, dict]:
        """Copied params, a small error, weight decay, swapped keys, a transpose, then diagnose's causes."""
        gk, nk, p, N = g[keep], n[keep], self.params[key], len(self.x)
        if np.any(gk) and not np.any(nk):
            return "net.not_shared", {"name": key}
        if rel(gk, nk) < CLOSE:
            return "net.grad_close", {"rel": rel(gk, nk)}
        # g = n + c·W: λ·W missing from gradient() (c = −λ) or ½λΣW² from loss() (c = +λ)
        ww = float(p[keep] @ p[keep]) if p.ndim >= 2 else 0.0
        c = float((gk - nk) @ p[keep]) / ww if ww else 0.0
        if c and rel(gk, nk + c * p[keep]) < CLOSE:
            numbers = [v for v in vars(self.net).values() if isinstance(v, (int, float)) and not isinstance(v, bool)]
            lam = next((v for v in numbers if c < 0 and v > 0 and abs(-c - v / 2) < 1e-3 * v), None)  # the net's λ
            if lam is not None:
                return "net.decay_half", {"lam": lam}  # 0.5·λ·W in gradient(): the ½ of the loss kept
            return ("net.decay_missing_in_gradient" if c < 0 else "net.decay_missing_in_loss"), {"lam": abs(c)}
        for other, (n2, _, _) in self.numeric.items():
            if other != key and n2.shape == g.shape and rel(g, n2) < CLOSE:
                return "net.swapped_values", {"other": other}
        if g.ndim == 2 and g.shape[0] == g.shape[1] and rel(g.T, n) < CLOSE:
            return "net.transposed_values", {}
        found, params = diagnose(gk, nk, nk, unit_dout=True, elementwise=False, y=None, dout=None, batch_size=N)
        return {"grad.batch_division": "net.batch_division", "grad.mismatch": "net.grad_mismatch"}.get(found, found), \
            params

    def accuracy_checks(self):
        """accuracy(x, t) = mean(argmax(predict(x)) == labels), for labels of which half are right."""
        if not callable(getattr(self.net, "accuracy", None)):
            return
        if not callable(getattr(self.net, "predict", None)):
            self.add("accuracy", "note", "net.no_predict")
            return
        top = self.top_classes(self.x)
        labels = np.where(np.arange(len(top)) < len(top) // 2, top, (top + 1) % self.classes)
        want = float(np.mean(top == labels))
        for form, t in (("labels", labels), ("onehot", np.eye(self.classes)[labels])):
            try:
                value = copy_grad(self.call("accuracy", self.x, t))
            except Stop as stop:
                # only the form gradient() was checked with must work: the book's ch.4 net takes one-hot t only
                taken = form == ("onehot" if self.t.ndim == 2 else "labels")
                self.add("accuracy", "fail" if taken else "note", f"net.accuracy_{form}_raised",
                         error=stop.finding.params.get("error", ""))
                continue
            if value is not None and value.size == 1 and abs(float(value.reshape(())) - want) <= 1e-9:
                self.add("accuracy", "pass", f"net.accuracy_{form}_ok", want=want)
            else:
                shown = "None" if value is None else str(np.round(value.reshape(-1)[:3], 4).tolist())
                self.add("accuracy", "fail", f"net.accuracy_{form}", got=shown, want=want)
