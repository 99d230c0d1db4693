"""The reference updates ``check_optimizer`` compares with: the book's optimizers, their other correct forms,
and the known mistakes, each a rule that gives one parameter's step.

Every optimizer here moves a parameter by a step that depends on the gradients
alone, never on the parameter, so a run of n steps is p_n = p_0 + Σ step_t. A
*rule* ``rule(s, g, h, t)`` returns the step of one parameter from its gradient
g, its state s (a dict of arrays, empty before the first step), the
hyperparameters h and the step number t = 1, 2, …:

    SGD       p −= lr·g
    Momentum  v = μ·v − lr·g;  p += v                          (books 1 and 2)
              b = μ·b + g;  p −= lr·b                          (PyTorch; v = −lr·b while lr is constant)
    Nesterov  p += μ²·v − (1+μ)·lr·g, then v = μ·v − lr·g      (book 1's code; = PyTorch's nesterov=True)
              v = μ·v − lr·g, then p += μ²·v − (1+μ)·lr·g      (book 2, and book 1's first printing)
    AdaGrad   h += g²;  p −= lr·g / (√h + eps)
    RMSprop   h = ρ·h + (1−ρ)·g²;  p −= lr·g / (√h + eps)     (ρ: the book's decay_rate)
    Adam      m += (1−β1)·(g − m);  v += (1−β2)·(g² − v)
              p −= lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + eps)       (book)
              p −= lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + eps)        (PyTorch and the paper)

The two Adams differ only in what eps is added to; the two Nesterovs are
different updates, both of which converge. ``accepted`` lists the correct forms
for each eps the optimizer may use (1e-7 as in the book, 1e-8 as in PyTorch, or
its own ``eps``); ``variants`` lists the known mistakes, each under the message
key that names it; ``trajectory`` runs a form over a list of gradients.

>>> algorithm("MomentumSGD"), algorithm("MyAdam"), algorithm("AdamW")
('momentum', 'adam', None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Callable

import numpy as np

__all__ = ["Hyper", "Form", "DEFAULTS", "NEEDS", "NAMES", "FIXES", "STATE", "TOL", "algorithm", "accepted",
           "variants", "shared", "trajectory", "agree", "best", "first_difference", "step_factor"]

# Two runs agree when at every step no element differs by more than TOL times the step's size.
TOL = 1e-6


@dataclass(frozen=True)
class Hyper:
    """Hyperparameters, with the book's defaults: μ = momentum, ρ = decay_rate."""

    lr: float = 0.01
    momentum: float = 0.9
    decay_rate: float = 0.99
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-7


# The book's defaults for each optimizer (Adam's lr is 0.001), and what each one uses.
DEFAULTS = {"sgd": Hyper(), "momentum": Hyper(), "nesterov": Hyper(), "adagrad": Hyper(), "rmsprop": Hyper(),
            "adam": Hyper(lr=0.001)}
NEEDS = {"sgd": ("lr",), "momentum": ("lr", "momentum"), "nesterov": ("lr", "momentum"), "adagrad": ("lr", "eps"),
         "rmsprop": ("lr", "decay_rate", "eps"), "adam": ("lr", "beta1", "beta2", "eps")}
NAMES = {"sgd": "SGD", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad", "rmsprop": "RMSprop",
         "adam": "Adam"}

# The book's update line(s) of each optimizer, quoted in the messages that name a mistake.
FIXES = {
    "sgd": "params[key] -= self.lr * grads[key]",
    "momentum": "self.v[key] = self.momentum*self.v[key] - self.lr*grads[key]; params[key] += self.v[key]",
    "nesterov": "params[key] += self.momentum**2 * self.v[key]; params[key] -= (1 + self.momentum) * self.lr * "
                "grads[key]; self.v[key] *= self.momentum; self.v[key] -= self.lr * grads[key]",
    "adagrad": "params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)",
    "rmsprop": "params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)",
    "adam": "lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter); "
            "params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)",
}


# What each optimizer keeps between calls, as the book names it.
STATE = {"momentum": "self.v", "nesterov": "self.v", "adagrad": "self.h", "rmsprop": "self.h", "adam": "self.m, self.v"}


def _count(n: int) -> int:
    return n


@dataclass(frozen=True)
class Form:
    """One way to update: ``key`` (the message that names it), ``rule`` and its hyperparameters ``h``.

    reset: the state is thrown away before every call (kept only within it);
    shared: one state for all parameters; clock: t for the n-th call (a frozen t
    returns a constant); detail: fields for the message.
    """

    key: str
    rule: Callable
    h: Hyper
    reset: bool = False
    shared: bool = False
    clock: Callable[[int], int] = _count
    detail: dict = field(default_factory=dict)


def trajectory(form: Form, p0: dict, grads: list[dict]) -> list[dict]:
    """The parameters after each step, float64, when ``form`` updates p0 with grads[0], grads[1], …"""
    p = {k: np.array(v, dtype=np.float64) for k, v in p0.items()}
    states: dict = {}
    steps = []
    with np.errstate(all="ignore"):  # the variants without eps divide 0 by 0
        for n, g in enumerate(grads, 1):
            if form.reset:
                states.clear()
            for k in p:
                s = states.setdefault("all" if form.shared else k, {})
                p[k] = p[k] + form.rule(s, np.asarray(g[k], dtype=np.float64), form.h, form.clock(n))
            steps.append({k: v.copy() for k, v in p.items()})
    return steps


# --- the rules ----------------------------------------------------------------------------------------------

def sgd(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    return -h.lr * g


def sgd_lr_minus_grad(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    """params[key] -= self.lr - grads[key]: a '-' typed for the '*'."""
    return -(h.lr - g)


def momentum(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    s["v"] = h.momentum * s.get("v", 0.0) - h.lr * g
    return s["v"]


def momentum_torch(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    s["b"] = h.momentum * s.get("b", 0.0) + g
    return -h.lr * s["b"]


def momentum_no_lr(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    """v = μ·v − g; p += v: lr left out of the velocity."""
    s["v"] = h.momentum * s.get("v", 0.0) - g
    return s["v"]


def momentum_average(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    """b = μ·b + (1−μ)·g; p −= lr·b: an average of the gradients, (1−μ) times the book's step."""
    s["b"] = h.momentum * s.get("b", 0.0) + (1 - h.momentum) * g
    return -h.lr * s["b"]


def momentum_v_from_grads(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    """v created as a copy of the first gradient instead of zeros, then the book's v = μ·v − lr·g."""
    s["v"] = h.momentum * s.get("v", g) - h.lr * g
    return s["v"]


def adagrad_unsquared(s: dict, g: np.ndarray, h: Hyper, t: int, place: str = "outside") -> np.ndarray:
    """h += |g| instead of h += g·g."""
    s["h"] = s.get("h", 0.0) + np.abs(g)
    return -h.lr * g / _root(s["h"], h.eps, place)


def nesterov(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    v = s.get("v", 0.0)
    s["v"] = h.momentum * v - h.lr * g
    return h.momentum ** 2 * v - (1 + h.momentum) * h.lr * g


def nesterov_book2(s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    s["v"] = h.momentum * s.get("v", 0.0) - h.lr * g
    return h.momentum ** 2 * s["v"] - (1 + h.momentum) * h.lr * g


def _root(x, eps, place):
    """The denominator: √x + eps (the book's), √(x + eps) (eps inside the root), √x (no eps), x + eps (no root)."""
    if place == "no_sqrt":  # h used where √h belongs
        return x + eps
    return {"outside": np.sqrt(x) + eps, "inside": np.sqrt(x + eps), "none": np.sqrt(x)}[place]


def adagrad(s: dict, g: np.ndarray, h: Hyper, t: int, place: str = "outside") -> np.ndarray:
    s["h"] = s.get("h", 0.0) + g * g
    return -h.lr * g / _root(s["h"], h.eps, place)


def rmsprop(s: dict, g: np.ndarray, h: Hyper, t: int, place: str = "outside", swapped: bool = False) -> np.ndarray:
    keep = 1 - h.decay_rate if swapped else h.decay_rate  # swapped: h = (1−ρ)·h + ρ·g²
    s["h"] = keep * s.get("h", 0.0) + (1 - keep) * g * g
    return -h.lr * g / _root(s["h"], h.eps, place)


def adam(s: dict, g: np.ndarray, h: Hyper, t: int, place: str = "outside", correction: str = "book",
         moments_swapped: bool = False) -> np.ndarray:
    m, v = s.get("m", 0.0), s.get("v", 0.0)
    b1, b2 = (h.beta2, h.beta1) if moments_swapped else (h.beta1, h.beta2)  # swapped: in the moments only
    m = s["m"] = m + (1 - b1) * (g - m)
    v = s["v"] = v + (1 - b2) * (g * g - v)
    bc1, bc2 = 1.0 - np.float64(h.beta1) ** t, np.sqrt(1.0 - np.float64(h.beta2) ** t)  # t = 0 gives 0/0 = NaN
    if correction == "torch":
        return -h.lr / bc1 * m / (np.sqrt(v) / bc2 + h.eps)
    lr_t = h.lr * bc2 / bc1 if correction == "book" else h.lr
    return -lr_t * m / _root(v, h.eps, place)


def negated(rule: Callable[..., np.ndarray], s: dict, g: np.ndarray, h: Hyper, t: int) -> np.ndarray:
    """The step of ``rule`` with its sign turned: params moved up the gradient."""
    return -rule(s, g, h, t)


# --- which forms are right, which are known mistakes ---------------------------------------------------------

_EXCLUDED = ("adamw", "adamax", "nadam", "radam", "amsgrad", "adadelta", "adabelief", "lamb", "lars", "signsgd")
_EXACT = {"sgd": "sgd", "gd": "sgd", "gradientdescent": "sgd", "stochasticgradientdescent": "sgd", "sgdm": "momentum",
          "nag": "nesterov"}
_CONTAINED = (("nesterov", "nesterov"), ("adagrad", "adagrad"), ("rmsprop", "rmsprop"), ("adam", "adam"),
              ("momentum", "momentum"))


def algorithm(name: str) -> str | None:
    """'sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop' or 'adam' for a class name (any case, 'My'/'Optimizer'
    around it, 'MomentumSGD', 'NesterovMomentum'); None for any other name, AdamW and Adamax included."""
    n = re.sub(r"[^a-z]", "", name.lower())
    if any(x in n for x in _EXCLUDED):
        return None
    core = re.sub(r"^(my|simple|naive|book)|(optimizer|optim|opt)$", "", n)
    if core in _EXACT:
        return _EXACT[core]
    return next((algo for part, algo in _CONTAINED if part in n), None)


def _each_eps(key: str, rule, h: Hyper, eps_values) -> list[Form]:
    return [Form(key, rule, replace(h, eps=e), detail={"eps": e}) for e in eps_values]


def _each_eps_inside(rule, h: Hyper, eps_values) -> list[Form]:
    """eps inside the root matters for gradients up to about √eps (``root``)."""
    return [replace(f, detail={**f.detail, "root": f.h.eps ** 0.5})
            for f in _each_eps("optim.cause.eps_inside", rule, h, eps_values)]


def accepted(algo: str, h: Hyper, eps_values: tuple) -> list[Form]:
    """The correct forms of ``algo``, the book's first (the one a mismatch is reported against)."""
    if algo == "sgd":
        return [Form("optim.ok.book", sgd, h)]
    if algo == "momentum":
        return [Form("optim.ok.book", momentum, h), Form("optim.ok.torch_momentum", momentum_torch, h)]
    if algo == "nesterov":
        return [Form("optim.ok.book", nesterov, h), Form("optim.ok.book2_nesterov", nesterov_book2, h)]
    if algo == "adam":
        return (_each_eps("optim.ok.book", adam, h, eps_values)
                + _each_eps("optim.ok.torch_adam", partial(adam, correction="torch"), h, eps_values))
    return _each_eps("optim.ok.book", {"adagrad": adagrad, "rmsprop": rmsprop}[algo], h, eps_values)


def variants(algo: str, h: Hyper, eps_values: tuple) -> list[Form]:
    """The known mistakes in ``algo``, each under the key of the message that names it."""
    good = accepted(algo, h, eps_values)
    found = [replace(f, key="optim.cause.sign", rule=partial(negated, f.rule)) for f in good]
    if algo != "sgd":  # SGD keeps no state to lose
        found += [replace(f, key="optim.cause.reset", reset=True) for f in good]
    if algo == "sgd":
        found.append(Form("optim.cause.lr_minus_grad", sgd_lr_minus_grad, h))
    elif algo == "nesterov":
        found.append(Form("optim.cause.nesterov_is_momentum", momentum, h))
    elif algo == "momentum":
        found.append(Form("optim.cause.v_from_grads", momentum_v_from_grads, h))
        found += [Form("optim.cause.momentum_no_lr", momentum_no_lr, h),
                  Form("optim.cause.momentum_average", momentum_average, h)]
    elif algo in ("adagrad", "rmsprop"):
        rule = {"adagrad": adagrad, "rmsprop": rmsprop}[algo]
        found += _each_eps_inside(partial(rule, place="inside"), h, eps_values)
        found.append(Form("optim.cause.no_eps", partial(rule, place="none"), h))
        found += _each_eps("optim.cause.no_sqrt", partial(rule, place="no_sqrt"), h, eps_values)
        if algo == "rmsprop":
            found += _each_eps("optim.cause.decay_swapped", partial(rmsprop, swapped=True), h, eps_values)
        else:
            found += _each_eps("optim.cause.not_squared", adagrad_unsquared, h, eps_values)
    elif algo == "adam":
        found += _each_eps("optim.cause.no_bias_correction", partial(adam, correction="none"), h, eps_values)
        swapped = replace(h, beta1=h.beta2, beta2=h.beta1)
        found += [replace(f, key="optim.cause.betas_swapped") for f in accepted("adam", swapped, eps_values)]
        found += _each_eps("optim.cause.betas_swapped", partial(adam, moments_swapped=True), h, eps_values)
        found += _each_eps_inside(partial(adam, place="inside"), h, eps_values)
        found.append(Form("optim.cause.no_eps", partial(adam, place="none"), h))
        found += _each_eps("optim.cause.no_sqrt", partial(adam, place="no_sqrt"), h, eps_values)
        for t in (0, 1):  # the step count never incremented: t = 0 gives 0/0, t = 1 the first step's lr_t
            found += [replace(f, key="optim.cause.t_frozen", clock=partial(_frozen, t), detail={"t": t})
                      for f in good]
        found += [replace(f, key="optim.cause.reset", reset=True, clock=partial(_frozen, 1)) for f in good]
    return found


def _frozen(t: int, n: int) -> int:
    return t


def shared(algo: str, h: Hyper, eps_values: tuple) -> list[Form]:
    """The correct forms with one state for all parameters (``self.v`` an array, not a dict of arrays)."""
    return [replace(f, key="optim.cause.shared", shared=True) for f in accepted(algo, h, eps_values)]


# --- comparing runs -----------------------------------------------------------------------------------------


def _size(want: dict, p0: dict) -> float:
    """A step's size: the largest finite move of the parameters from p0."""
    moves = [np.abs(want[k] - p0[k]) for k in want]
    return max(float(np.max(m[np.isfinite(m)], initial=0.0)) for m in moves)


def _bound(want: dict, p0: dict) -> float:
    """The largest difference allowed at one step: TOL times the step's size, plus rounding at the parameters' scale."""
    return TOL * _size(want, p0) + 1e-13 * max(1.0, max(float(np.max(np.abs(v), initial=0.0)) for v in p0.values()))


def _excess(got: np.ndarray, want: np.ndarray, bound: float) -> np.ndarray:
    """|got − want| − bound per element: equal values (NaN and NaN too) count 0, NaN against a number inf."""
    with np.errstate(invalid="ignore"):
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        diff = np.where(same, 0.0, np.abs(got - want))
    return np.where(np.isnan(diff), np.inf, diff) - bound


def first_difference(got: list[dict], want: list[dict], p0: dict) -> tuple | None:
    """(step, key, index, got, want, start) at the worst element of the first step where the runs disagree, or None."""
    for n, (g, w) in enumerate(zip(got, want), 1):
        bound = _bound(w, p0)
        worst = max(((float(np.max(e, initial=-np.inf)), k, e) for k in w for e in [_excess(g[k], w[k], bound)]),
                    key=lambda item: item[0])
        if worst[0] > 0:
            _, k, e = worst
            i = np.unravel_index(np.argmax(e), e.shape)
            return n, k, i, float(g[k][i]), float(w[k][i]), float(p0[k][i])
    return None


def agree(got: list[dict], want: list[dict], p0: dict) -> bool:
    return first_difference(got, want, p0) is None


def _relative(got: list[dict], want: list[dict], p0: dict) -> float:
    """The largest difference of two agreeing runs, as a fraction of the step's size."""
    worst = 0.0
    with np.errstate(invalid="ignore"):
        for g, w in zip(got, want):
            diff = max(float(np.max(np.nan_to_num(np.abs(g[k] - w[k])), initial=0.0)) for k in w)
            worst = max(worst, diff / max(_size(w, p0), 1e-300))
    return worst


def best(got: list[dict], p0: dict, grads: list[dict], forms: list[Form]) -> tuple[Form, float] | None:
    """(form, relative difference) of the form whose run agrees best with ``got``, or None if none agrees."""
    found = [(f, run) for f in forms for run in [trajectory(f, p0, grads)] if agree(got, run, p0)]
    if not found:
        return None
    return min(((f, _relative(got, run, p0)) for f, run in found), key=lambda item: item[1])


def step_factor(got: list[dict], want: list[dict], p0: dict) -> float | None:
    """k when every move of ``got`` from p0 is k times that of ``want`` (k ≠ 1, −1: a sign is a variant), else None.

    k is the least-squares fit over all steps and keys: Σ d_got·d_want / Σ d_want².
    """
    d_got = np.concatenate([(s[k] - p0[k]).ravel() for s in got for k in p0])
    d_want = np.concatenate([(s[k] - p0[k]).ravel() for s in want for k in p0])
    if not (np.isfinite(d_got).all() and np.isfinite(d_want).all()) or not d_want.any():
        return None
    k = float(d_got @ d_want / (d_want @ d_want))
    scaled = [{key: p0[key] + k * (s[key] - p0[key]) for key in p0} for s in want]
    if abs(k - 1) < 1e-3 or abs(k + 1) < 1e-3 or not agree(got, scaled, p0):
        return None
    return k
