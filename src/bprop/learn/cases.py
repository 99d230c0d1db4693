"""Comparison cases: inputs on which a learner's function or class must agree with the course's reference.

A case is a JSON object (an exercise's ``meta.json`` holds a list; so does a teacher's ``--extra-checks``
file). For a function::

    {"args": [ARG, ...], "kwargs": {"name": ARG}, "tol": 1e-6, "label": "x at ±1000", "seed": 0}

For a class (a layer, an optimizer, a net)::

    {"init": {"name": ARG}, "calls": [{"method": "forward", "args": [ARG], "kwargs": {}}, ...],
     "attrs": ["dW", "db"], "vars": {"params": ARG}, "tol": 1e-6, "seed": 0}

An ARG is a number, a text, true/false/null, a (nested) list of numbers — a float64 array — or one of
``{"array": [[1, 2]], "dtype": "int64"}``, ``{"random": [2, 3], "scale": 1.0}`` (standard normal draws),
``{"uniform": [2, 3], "low": 0, "high": 1}``, ``{"randint": [4], "high": 5}``, ``{"zeros": [3]}``,
``{"ones": [3]}``, ``{"dict": {"W": ARG}}``, ``{"list": [ARG]}``, ``{"rng": 7}`` (a ``default_rng(7)``, in the same
state for both), ``{"var": "params"}`` (the case's object of that name, the same in every call: the params an
optimizer updates in place). Draws come from
``default_rng(seed)``, the case's seed (default: its position) unless the ARG gives its own.

The learner's target and the reference get equal copies of every value; np.random is seeded with the
seed before the constructor and before each call, so that dropout masks agree. Compared, tolerance
|a − b| ≤ tol·(1 + |b|) (default 1e-6): each call's result, then every argument afterwards (a write into x
shows; an optimizer's params must move as the reference's do), then the attrs; a result is not compared
where the reference returns None (it works in place). A case found failing
says where (the call, the part, the index, both values) unless it is ``hidden``: then only its number,
what differs, and by how much.

>>> import numpy as np
>>> build({"array": [1, 2], "dtype": "int64"}, np.random.default_rng(0), {}).dtype
dtype('int64')
>>> compare(np.array([1.0, 2.0]), np.array([1.0, 2.5]), 1e-6)["index"]
'(1)'
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bprop.gradcheck.calls import Stop, call
from bprop.gradcheck.compare import fmt_index
from bprop.learn.findings import LearnFinding

__all__ = ["CASE_KEYS", "ARG_KINDS", "build", "compare", "run_cases", "validate"]

CASE_KEYS = {"args", "kwargs", "init", "calls", "attrs", "vars", "tol", "label", "seed", "want"}
ARG_KINDS = ("array", "random", "uniform", "randint", "zeros", "ones", "dict", "list", "var", "rng")
_DTYPES = ("float64", "float32", "int64", "int32", "bool")
_MISSING = object()


def validate(case: dict, where: str) -> None:
    """Raise ValueError saying what is wrong with a case (unknown keys, a malformed ARG), before any run."""
    if not isinstance(case, dict):
        raise ValueError(f"{where}: a case is a JSON object, got {type(case).__name__}")
    unknown = sorted(set(case) - CASE_KEYS)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r}; a case takes {', '.join(sorted(CASE_KEYS))}")
    if not isinstance(case.get("args", []), list) or not isinstance(case.get("kwargs", {}), dict):
        raise ValueError(f"{where}: 'args' is a list and 'kwargs' an object")
    for call_ in case.get("calls", []):
        if not isinstance(call_, dict) or not isinstance(call_.get("method"), str):
            raise ValueError(f"{where}: each of 'calls' is an object with a 'method' name")
    tol = case.get("tol", 1e-6)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol > 0:
        raise ValueError(f"{where}: 'tol' is a number > 0, got {tol!r}")
    values = list(case.get("args", [])) + list(case.get("kwargs", {}).values()) + \
        list(case.get("init", {}).values()) + list(case.get("vars", {}).values()) + \
        [a for c in case.get("calls", []) for a in list(c.get("args", [])) + list(c.get("kwargs", {}).values())]
    for value in values:
        _validate_arg(value, where)


def _validate_arg(spec, where):
    if isinstance(spec, dict):
        kinds = [k for k in spec if k in ARG_KINDS]
        if len(kinds) != 1:
            raise ValueError(f"{where}: an argument object has one of {', '.join(ARG_KINDS)}, got {sorted(spec)}")
        if spec.get("dtype", "float64") not in _DTYPES:
            raise ValueError(f"{where}: dtype is one of {', '.join(_DTYPES)}, got {spec['dtype']!r}")
        inner = spec[kinds[0]]
        for value in inner.values() if kinds[0] == "dict" else inner if kinds[0] == "list" else ():
            _validate_arg(value, where)
    elif isinstance(spec, list):
        try:
            np.asarray(spec, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"{where}: a list argument is a rectangular array of numbers") from None


def build(spec: Any, rng: np.random.Generator, variables: dict) -> Any:
    """The value an ARG describes (see the module's docstring)."""
    if isinstance(spec, list):
        return np.asarray(spec, dtype=np.float64)
    if not isinstance(spec, dict):
        return spec
    dtype = np.dtype(spec.get("dtype", "float64"))
    gen = np.random.default_rng(spec["seed"]) if "seed" in spec else rng
    if "array" in spec:
        return np.asarray(spec["array"], dtype=dtype)
    if "random" in spec:
        return (gen.standard_normal(tuple(spec["random"])) * spec.get("scale", 1.0)).astype(dtype)
    if "uniform" in spec:
        return gen.uniform(spec.get("low", 0.0), spec.get("high", 1.0), tuple(spec["uniform"])).astype(dtype)
    if "randint" in spec:
        return gen.integers(spec.get("low", 0), spec["high"], tuple(spec["randint"])).astype(spec.get("dtype", "int64"))
    if "zeros" in spec or "ones" in spec:
        fill = "zeros" if "zeros" in spec else "ones"
        return (np.zeros if fill == "zeros" else np.ones)(tuple(spec[fill]), dtype=dtype)
    if "rng" in spec:
        return np.random.default_rng(spec["rng"])
    if "dict" in spec:
        return {k: build(v, rng, variables) for k, v in spec["dict"].items()}
    if "list" in spec:
        return [build(v, rng, variables) for v in spec["list"]]
    return variables[spec["var"]]


def compare(got: Any, want: Any, tol: float, part: str = "") -> dict | None:
    """None when got agrees with want (numbers within tol·(1 + |want|), the rest equal); else what differs:
    {"kind": value | shape | type | missing, "part", "index", "got", "want", "error"}."""
    if want is _MISSING or got is _MISSING:
        return None if got is want else {"kind": "missing", "part": part}
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return _differs("type", part, got, want)
        return next((d for k in want if (d := compare(got[k], want[k], tol, f"{part}[{k!r}]"))), None)
    if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):  # element by element: grads[0], …
        if len(got) != len(want):
            return _differs("type", part, got, want)
        return next((d for i, (g, w) in enumerate(zip(got, want)) if (d := compare(g, w, tol, f"{part}[{i}]"))), None)
    if not _numeric(want):
        return None if _same(got, want) else _differs("type", part, got, want)
    if not _numeric(got):
        return _differs("type", part, got, want)
    g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if g.shape != w.shape and not (g.size == w.size == 1):
        return {"kind": "shape", "part": part, "got": str(g.shape), "want": str(w.shape)}
    g, w = g.reshape(w.shape), w
    with np.errstate(invalid="ignore"):
        bad = ~((np.abs(g - w) <= tol * (1 + np.abs(w))) | (g == w))
    if not bad.any():
        return None
    with np.errstate(invalid="ignore"):
        error = np.where(bad, np.nan_to_num(np.abs(g - w), nan=np.inf), 0.0)
    index = np.unravel_index(int(np.argmax(error)), w.shape) if w.ndim else ()
    return {"kind": "value", "part": part, "index": fmt_index(index) if w.ndim else "", "got": f"{g[index]:.6g}",
            "want": f"{w[index]:.6g}", "error": f"{float(np.max(error)):.2g}"}


def _numeric(value) -> bool:
    if isinstance(value, (bool, str)) or value is None:
        return False
    if isinstance(value, (int, float, np.number, np.ndarray)):
        return not (isinstance(value, np.ndarray) and value.dtype.kind not in "biuf")
    if isinstance(value, (list, tuple)):
        try:
            return np.asarray(value).dtype.kind in "biuf"
        except (TypeError, ValueError):
            return False
    return False


def _same(got, want) -> bool:
    try:
        return bool(got == want)
    except Exception:
        return False


def _differs(kind, part, got, want):
    return {"kind": kind, "part": part, "got": _type_name(got), "want": _type_name(want)}


def _type_name(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array {value.shape}"
    if isinstance(value, (list, tuple, dict)):
        return f"a {type(value).__name__} of {len(value)}"
    return repr(value) if value is None or isinstance(value, (bool, str)) else type(value).__name__


def _shown(value) -> str:
    if isinstance(value, np.random.Generator):
        return "rng"
    if isinstance(value, np.ndarray):
        return str(value.shape) if value.ndim else f"{value.item():g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return repr(value)


def _call_text(where: str, named) -> str:
    """softmax(x (2, 3)), init_weight(784, 100, 'relu', rng): arrays by name and shape, the rest by value."""
    parts = [f"{n} {_shown(v)}" if isinstance(v, np.ndarray) and v.ndim else _shown(v) for n, v in named]
    return f"{where}({', '.join(parts)})"


def _arguments(fn, args, kwargs) -> list[tuple[str, object]]:
    """(name, value) of each argument: the function's own names where it has them."""
    try:
        names = [p.name for p in inspect.signature(fn).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        names = []
    named = [(names[i] if i < len(names) else f"arg{i + 1}", a) for i, a in enumerate(args)]
    return named + list(kwargs.items())


class _Run:
    """One target (the learner's or the reference) run through one case: the values each step gave."""

    def __init__(self, target, case, values, seed):
        self.target, self.case, self.seed = target, case, seed
        self.values = copy.deepcopy(values)  # init, vars, per-call args: this run's own copies

    def steps(self):
        """Yield (where, fn, args, kwargs) of each call, then the object's attrs are read by the caller."""
        if "calls" not in self.case:
            yield getattr(self.target, "__name__", "f"), self.target, self.values["args"], self.values["kwargs"]
            return
        np.random.seed(self.seed)
        name = getattr(self.target, "__name__", "cls")
        yield f"{name}.__init__", self.target, [], self.values["init"]
        for j, (method, args, kwargs) in enumerate(self.values["calls"]):
            np.random.seed(self.seed + 1 + j)
            yield f"{name}.{method}", method, args, kwargs


def run_cases(learner_target: Callable, reference_target: Callable, cases: Sequence[dict], *, hidden: bool = False,
              first: int = 1) -> list:  # of LearnFinding
    """One finding per case: agrees (pass), or the first thing that differs (fail). ``first``: the number of
    the first case (hidden checks are counted 1, 2, …)."""
    return [_run_case(learner_target, reference_target, case, k, hidden) for k, case in enumerate(cases, first)]


def _values(case, seed):
    rng = np.random.default_rng(seed)
    variables = {k: build(v, rng, {}) for k, v in case.get("vars", {}).items()}
    values = {"args": [build(a, rng, variables) for a in case.get("args", [])],
              "kwargs": {k: build(v, rng, variables) for k, v in case.get("kwargs", {}).items()},
              "init": {k: build(v, rng, variables) for k, v in case.get("init", {}).items()},
              "calls": [(c["method"], [build(a, rng, variables) for a in c.get("args", [])],
                         {k: build(v, rng, variables) for k, v in c.get("kwargs", {}).items()})
                        for c in case.get("calls", [])]}
    return values


def _outputs(target, case, values, seed, learner: bool):
    """Run the target through the case: [(where, shown, [(what, value)…], warnings)], or a Stop for a crash."""
    run = _Run(target, case, values, seed)
    obj, out = None, []
    for where, fn, args, kwargs in run.steps():
        if isinstance(fn, str):
            fn = getattr(obj, fn, None)
            if not callable(fn):
                raise Stop(LearnFinding("case", "fail", "learn.case.no_method", {"where": where}))
        named = _arguments(fn, args, kwargs)
        shown = _call_text(where, named)
        result, warns = call(shown, lambda: fn(*args, **kwargs)) if learner else (fn(*args, **kwargs), [])
        if where.endswith(".__init__"):
            obj = result
            continue
        parts: list[tuple[tuple[str, dict], object]] = [(("learn.what.result", {}), result)]
        parts += [(("learn.what.arg", {"name": n}), v) for n, v in named if isinstance(v, (np.ndarray, dict, list))]
        out.append((shown, parts, warns))
    if obj is not None:
        attrs = [(("learn.what.attr", {"name": a}), getattr(obj, a, _MISSING)) for a in case.get("attrs", [])]
        if attrs:
            out.append((out[-1][0] if out else "", attrs, []))
    return out


def _run_case(learner_target, reference_target, case, k, hidden) -> LearnFinding:
    seed = int(case.get("seed", k))
    values = _values(case, seed)
    try:
        want = _outputs(reference_target, case, values, seed, learner=False)
    except Exception as exc:  # the course's own reference failed: a fault of the course, not of the learner
        raise RuntimeError(f"the reference solution of case {k} raised {type(exc).__name__}: {exc}") from exc
    if "want" in case:  # a teacher's expected result of the (first) call, given outright
        want[0][1][0] = (want[0][1][0][0], case["want"])
    try:
        got = _outputs(learner_target, case, values, seed, learner=True)
    except Stop as stop:
        return _crash(stop.finding, k, hidden, case)
    tol = float(case.get("tol", 1e-6))
    warned = []
    for (shown, parts, warns), (_, wanted, _) in zip(got, want):
        warned += [(shown, w) for w in warns]
        for (what, value), (_, expected) in zip(parts, wanted):
            if expected is None and what[0] == "learn.what.result":
                continue  # the reference returns nothing (it works in place): any result will do
            diff = compare(value, expected, tol)
            if diff is not None:
                return _failure(diff, what, shown, warns, k, hidden, case)
    if warned and not hidden:
        return _label(LearnFinding("case", "note", "learn.case.warned", {"call": warned[0][0], "warning": warned[0][1]}),
                      case)
    calls = " → ".join(dict.fromkeys(shown for shown, _, _ in got)) or "-"
    key, params = ("learn.hidden.ok", {"k": k}) if hidden else ("learn.case.ok", {"call": calls})
    return _label(LearnFinding("hidden" if hidden else "case", "pass", key, params), case, hidden)


def _label(finding, case, hidden=False):
    if not hidden and case.get("label"):
        finding.label = str(case["label"])
    return finding


def _failure(diff, what, shown, warns, k, hidden, case) -> LearnFinding:
    what_key, what_params = what
    what_params = dict(what_params, part=diff["part"])
    kind = "value_scalar" if diff["kind"] == "value" and not diff.get("index") else diff["kind"]
    if hidden:
        params = {"k": k, "what": [what_key, what_params], "error": diff.get("error", "")}
        return LearnFinding("hidden", "fail", f"learn.hidden.{kind}", params)
    params = {"call": shown, "what": [what_key, what_params]}
    params.update({key: diff[key] for key in ("index", "got", "want") if key in diff})
    finding = LearnFinding("case", "fail", f"learn.case.{kind}", params)
    finding.extra += [("hint.warned", {"warning": warns[0]})] if warns else []
    return _label(finding, case)


def _crash(finding, k, hidden, case) -> LearnFinding:
    """The learner's code raised: the checker's own finding (its reading of the error), or for a hidden case
    only the error's type and the line of the learner's file."""
    if not hidden:
        learned = LearnFinding(finding.check, finding.status, finding.key, finding.params, finding.extra)
        return _label(learned, case)
    error = str(finding.params.get("error", "")).split(":")[0] or "an error"
    line = next((p.get("line") for key, p in finding.extra if key == "exception.at"), None)
    key = "learn.hidden.exception_at" if line is not None else "learn.hidden.exception"
    return LearnFinding("hidden", "fail", key, {"k": k, "error": error, "line": line})
