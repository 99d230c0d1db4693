"""A teacher's hidden checks (``bprop learn check --extra-checks FILE``): more cases, kept out of the workspace.

The file is JSON — data, never code: nothing in it is imported, evaluated or unpickled::

    {"format": "bprop-learn-extra-checks", "version": 1,
     "exercises": {
       "softmax": [{"args": [{"random": [3, 7], "scale": 500, "seed": 11}]}],
       "affine":  [{"init": {"W": {"random": [6, 2]}, "b": {"random": [2]}},
                    "calls": [{"method": "forward", "args": [{"random": [2, 3, 2]}]},
                              {"method": "backward", "args": [{"random": [2, 2]}]}],
                    "attrs": ["dW", "db"]}]}}

Each case is in the format of ``bprop.learn.cases``; the learner's file must agree with the course's
reference solution on it (or with the case's ``want``). The feedback names a hidden check by its number
and says what differs and by how much — never its inputs, an index, or a value.

>>> import json, tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "extra.json"
>>> _ = f.write_text(json.dumps({"format": FORMAT, "version": 1, "exercises": {"relu": [{"args": [[-1, 2]]}]}}))
>>> list(load(f))
['relu']
"""

from __future__ import annotations

from pathlib import Path

from bprop._types import PathLike
from bprop.learn import catalog
from bprop.learn.cases import validate
from bprop.learn.errors import LearnError, parse_json

__all__ = ["FORMAT", "load"]

FORMAT = "bprop-learn-extra-checks"


def load(path: PathLike) -> dict[str, list[dict]]:
    """exercise name → its hidden cases; LearnError naming the file and what is wrong with it."""
    path = Path(path)

    def bad(reason: str) -> LearnError:
        return LearnError("learn.extra.bad", file=str(path), reason=reason)

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise bad("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise bad(f"cannot be read ({exc})") from None
    try:
        data = parse_json(text)
    except ValueError as exc:
        raise bad(str(exc)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != 1:
        raise bad(f'it needs "format": "{FORMAT}" and "version": 1')
    exercises = data.get("exercises")
    if not isinstance(exercises, dict):
        raise bad('"exercises" is an object: exercise name → a list of cases')
    known = {ex.name: ex for ex in catalog.catalog()}
    found = {}
    for name, cases in exercises.items():
        if name not in known:
            raise bad(f"no exercise is called {name!r}")
        if not isinstance(cases, list):
            raise bad(f"{name}: a list of cases")
        class_target = known[name].kind != "function"
        for i, case in enumerate(cases, 1):
            try:
                validate(case, f"{name}, case {i}")
            except ValueError as exc:
                raise bad(str(exc)) from None
            wrong = ({"args", "kwargs"} & set(case) or "calls" not in case) if class_target \
                else {"init", "calls", "attrs"} & set(case)
            if wrong:
                want = "'init' and 'calls' (no 'args')" if class_target else "'args' (no 'init' or 'calls')"
                raise bad(f"{name}, case {i}: {name} is a {known[name].kind}, its cases take {want}")
        found[name] = cases
    return found
