"""A learner's optimizer as ``check_optimizer`` sees it: built from its class, its hyperparameters read, its
``update`` called on a params container the way a training loop calls it.

``build_optimizer(cls, params)`` fills the arguments of __init__ that have no
default with the book's values; ``read_attribute`` finds a hyperparameter
under the book's name or a common other one (lr, learning_rate, eta …);
``run_update`` steps the optimizer on dicts (book 1) or lists (book 2) and
records what its update touched besides the parameters' values: whether it
rebound them instead of changing them in place, whether it wrote into grads,
the dtypes it left.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeGuard

import numpy as np
from numpy.typing import DTypeLike

from bprop.gradcheck.calls import Stop, call
from bprop.gradcheck.compare import copy_grad, first_change
from bprop.gradcheck.learner import LearnerError
from bprop.gradcheck.optimizer_reference import DEFAULTS, Hyper, algorithm
from bprop.gradcheck.report import Finding

__all__ = ["build_optimizer", "read_attribute", "counter_name", "Run", "run_update", "label", "first_nonfinite",
           "float64_state"]

# Where each hyperparameter may live on the optimizer, the book's spelling first.
_ALIASES = {
    "lr": ("lr", "learning_rate", "eta"),
    "momentum": ("momentum", "mu"),
    "decay_rate": ("decay_rate", "rho", "decay", "alpha"),
    "beta1": ("beta1", "beta_1", "b1"),
    "beta2": ("beta2", "beta_2", "b2"),
    "eps": ("eps", "epsilon", "delta"),
}
_COUNTERS = ("iter", "t", "step", "steps", "n_iter", "iterations", "timestep", "count")


def build_optimizer(cls: type, params: dict[str, object] | None = None) -> Any:
    """``cls(**args)`` for a learner's optimizer class.

    Every argument of __init__ without a default gets the book's value for its
    name (lr = 0.01, or 0.001 for a class named like Adam; momentum, mu = 0.9;
    decay_rate, rho = 0.99; beta1 = 0.9, beta2 = 0.999; eps = 1e-7); ``params``
    overrides any argument, as numbers or as text ('0.1', from ``--param lr=0.1``).
    Raises LearnerError when __init__ takes no such argument, when an argument
    has neither a default nor a book value, or when __init__ raises.
    """
    given = {k: _literal(v) for k, v in (params or {}).items()}
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        signature = inspect.Signature()
    names = signature.parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in names.values())
    for arg in given:
        if arg not in names and not takes_any:
            raise LearnerError("optim.unknown_param", cls=cls.__name__, arg=arg, args=", ".join(names) or "-")
    book = DEFAULTS.get(algorithm(cls.__name__) or "", Hyper())
    args = dict(given)
    for p in names.values():
        if p.name in args or p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        value = _book_value(book, p.name)
        if value is None or p.kind is p.POSITIONAL_ONLY:
            raise LearnerError("optim.cannot_build", cls=cls.__name__, arg=p.name)
        args[p.name] = value
    try:
        return cls(**args)
    except (Exception, SystemExit) as exc:  # sys.exit in __init__ must not end bprop check
        raise LearnerError("optim.build_failed", cls=cls.__name__, error=f"{type(exc).__name__}: {exc}") from exc


def _literal(value):
    """A number (or tuple, bool …) from its text, as --param gives it; anything else as it is."""
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value


def _book_value(book: Hyper, arg: str):
    """The book's value for an argument named ``arg`` (any spelling in _ALIASES, or betas), else None."""
    if arg == "betas":
        return (book.beta1, book.beta2)
    return next((getattr(book, name) for name, spellings in _ALIASES.items() if arg in spellings), None)


def _real(value: object) -> TypeGuard[float]:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def read_attribute(optimizer: Any, name: str) -> tuple[str | None, Any]:
    """(attribute, value) of a hyperparameter on the optimizer, the book's spelling first; (None, None) if absent."""
    for attr in _ALIASES[name]:
        value = getattr(optimizer, attr, None)
        if _real(value):
            return attr, float(value)
    betas = getattr(optimizer, "betas", None)
    if name in ("beta1", "beta2") and isinstance(betas, (tuple, list)) and len(betas) == 2 and all(map(_real, betas)):
        i = int(name[-1]) - 1
        return f"betas[{i}]", float(betas[i])
    return None, None


def counter_name(optimizer: Any) -> str:
    """The name of the optimizer's step count (the book's iter), 'iter' when none is found."""
    found = [c for c in _COUNTERS if isinstance(getattr(optimizer, c, None), (int, np.integer))]
    return found[0] if found else "iter"


# --- running the learner's update ---------------------------------------------------------------------------


@dataclass
class Run:
    """What the learner's update did: the parameters after each step (float64 copies) and what else it touched.

    rebound: the first key whose array update replaced with another; unchanged:
    after step 1 no value in params had moved; returned: the type update returned,
    if anything; grads_written: (key, index, step) of the first write into grads;
    dtypes: the dtypes in params after the last step.
    """

    steps: list[dict] = field(default_factory=list)
    rebound: str | None = None
    unchanged: bool = False
    returned: str | None = None
    grads_written: tuple | None = None
    dtypes: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)


def _pack(arrays: dict, form: str):
    return dict(arrays) if form == "dict" else list(arrays.values())


def _unpack(container, keys: list) -> dict:
    if isinstance(container, dict):
        return {k: container.get(k) for k in keys}
    return {k: container[i] if i < len(container) else None for i, k in enumerate(keys)}


def label(key: str, keys: list, form: str, what: str = "params") -> str:
    return f"{what}[{key!r}]" if form == "dict" else f"{what}[{keys.index(key)}]"


def run_update(optimizer: Any, p0: dict, grad_for: Callable[[int, dict], dict], steps: int, form: str,
               dtype: DTypeLike = np.float64) -> Run:
    """Call update ``steps`` times on one params container, as a training loop does; grads are
    ``grad_for(n, params now)``, new arrays at every step. Returns what the learner's code did."""
    keys, run = list(p0), Run()
    params = _pack({k: np.array(p0[k], dtype=dtype) for k in keys}, form)
    caller = _unpack(params, keys)  # the arrays a net's layers would hold
    for n in range(1, steps + 1):
        grads_now = {k: np.asarray(v, dtype=dtype) for k, v in grad_for(n, run.steps[-1] if run.steps else p0).items()}
        grads = _pack({k: v.copy() for k, v in grads_now.items()}, form)
        result, warns = call("update", optimizer.update, params, grads)
        run.warnings += warns
        after = _unpack(params, keys)
        values = {k: _as_param(after[k], p0[k], label(k, keys, form)) for k in keys}
        if run.grads_written is None:
            run.grads_written = _written(grads_now, _unpack(grads, keys), n)
        if n == 1:
            run.rebound = next((k for k in keys if after[k] is not caller[k]), None)
            run.unchanged = all(first_change(p0[k].astype(dtype).astype(np.float64), values[k]) is None for k in keys)
            run.returned = None if result is None else type(result).__name__
        run.steps.append(values)
        run.dtypes = {k: np.asarray(after[k]).dtype for k in keys}
    return run


def _as_param(value, start: np.ndarray, where: str) -> np.ndarray:
    """A float64 copy of what update left in params; a failed finding when it is no array of the parameter's shape."""
    p = copy_grad(value)
    if p is None or p.shape != start.shape:
        got = type(value).__name__ if p is None else f"an array of shape {p.shape}"
        raise Stop(Finding("update", "fail", "optim.bad_param", {"param": where, "got": got}))
    return p


def _written(before: dict, after: dict, step: int):
    """(key, index, step) of the first grads array that update changed, or None."""
    for k, g in before.items():
        now = copy_grad(after[k])
        where = str(g.shape) if now is None else first_change(g.astype(np.float64), now)
        if where is not None:
            return k, where, step
    return None


def first_nonfinite(steps: list[dict]) -> Any:  # (step, key, index), or None
    """(step, key, index) of the first NaN or inf in a run, or None."""
    for n, values in enumerate(steps, 1):
        for k, v in values.items():
            bad = ~np.isfinite(v)
            if bad.any():
                return n, k, np.unravel_index(np.argmax(bad), bad.shape)
    return None


def float64_state(optimizer: Any) -> str | None:
    """The first float64 array the optimizer keeps (self.v['W1'], self.h[0], self.m), or None."""
    for attr, value in getattr(optimizer, "__dict__", {}).items():
        items = (value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple))
                 else [(None, value)])
        for k, v in items:
            if isinstance(v, np.ndarray) and v.dtype == np.float64:
                return f"self.{attr}" + ("" if k is None else f"[{k!r}]")
    return None
