"""An exception from a learner's code, read in plain words: where in their file, and what it usually means.

``explain(where, exc)`` returns the sentences (message keys with their fields)
that follow "backward raised …": the learner's ``file:line`` and the code on
it (the innermost frame outside bprop, NumPy and the standard library), then
one reading when the error is a known one — a value forward never stored, a
missing transpose in a matrix product, labels where one-hot rows were assumed,
``np.int`` (gone since NumPy 1.24), ``sys.exit`` …

>>> import numpy as np
>>> try:
...     np.dot(np.ones((4, 3)), np.ones((5, 3)))
... except ValueError as exc:
...     [key for key, _ in explain("backward", exc)]
['reading.transpose']
"""

from __future__ import annotations

import linecache
import re
import sys
import traceback
from pathlib import Path

__all__ = ["error_text", "explain", "learner_frame"]

_BPROP = Path(__file__).resolve().parents[1]
_SYSTEM = tuple(str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})

_NOT_ALIGNED = re.compile(r"shapes \(([\d, ]*)\) and \(([\d, ]*)\) not aligned")
_BROADCAST = re.compile(r"operands could not be broadcast together with shapes ((?:\([\d,]*\) ?)+)")
_NO_ATTR = re.compile(r"'(\w+)' object has no attribute '(\w+)'")
_NP_ALIAS = re.compile(r"module 'numpy' has no attribute '(int|float|bool|object|complex|str|long)'")
_NAME = re.compile(r"name '(\w+)' is not defined")


def error_text(exc: BaseException) -> str:
    """``TypeName: first line of the message``; SystemExit shows its code."""
    if isinstance(exc, SystemExit):
        return f"SystemExit({exc.code!r})"
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"


def learner_frame(exc: BaseException) -> tuple[str, int | None, str] | None:
    """The innermost traceback frame in the learner's own code: (file name, line number, code) or None."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        file = Path(frame.filename)
        if not file.is_file():
            continue
        resolved = str(file.resolve())
        if resolved.startswith(str(_BPROP)) or resolved.startswith(_SYSTEM):
            continue
        code = (frame.line or linecache.getline(frame.filename, frame.lineno or 0)).strip()
        found = (file.name, frame.lineno, code)
    return found


def explain(where: str, exc: BaseException) -> list[tuple[str, dict]]:
    """The sentences after "{where} raised {error}": the learner's line, then a reading if one fits."""
    sentences = []
    frame = learner_frame(exc)
    if frame is not None:
        file, line, code = frame
        sentences.append(("exception.at", {"file": file, "line": line, "code": code}))
    reading = _code_reading(exc, frame[2] if frame else "") or _reading(where, exc)
    if reading is not None:
        sentences.append(reading)
    return sentences


def _code_reading(exc: BaseException, code: str):
    """Readings that need the learner's line: np.max(0, x) for np.maximum, an ``if`` on a whole array."""
    text = str(exc)
    if "np.max(" in code and isinstance(exc, (TypeError, ValueError, IndexError)):
        return "reading.np_max", {}
    if isinstance(exc, ValueError) and "truth value of an array" in text:
        return "reading.truth_value", {}
    return None


def _reading(where: str, exc: BaseException):
    text = str(exc)
    if isinstance(exc, SystemExit):
        return "reading.exit", {}
    if isinstance(exc, AttributeError):
        return _attribute_reading(where, text)
    if isinstance(exc, ValueError):
        found = _shape_reading(text)
        if where == "gradient" and found is not None and found[0] in ("reading.transpose", "reading.matmul"):
            return "reading.net_order", {}  # inside a net, the usual cause is the order the layers are walked
        return found
    if isinstance(exc, TypeError) and "NoneType" in text:
        return "reading.none", {}
    if isinstance(exc, NameError):
        m = _NAME.search(text)
        return ("reading.name", {"name": m.group(1)}) if m else None
    if isinstance(exc, IndexError):
        return "reading.index", {}
    if isinstance(exc, RecursionError):
        return "reading.recursion", {}
    return None


def _attribute_reading(where: str, text: str):
    m = _NP_ALIAS.search(text)
    if m:
        return "reading.np_alias", {"name": m.group(1)}
    m = _NO_ATTR.search(text)
    if m is None:
        return None
    owner, name = m.groups()
    if owner == "NoneType":
        return "reading.none", {}
    if where == "backward":
        return "reading.not_stored", {"name": name}
    return "reading.no_attribute", {"owner": owner, "name": name}


def _shape_reading(text: str):
    m = _NOT_ALIGNED.search(text)
    if m:
        a, b = (tuple(int(v) for v in g.replace(" ", "").split(",") if v) for g in m.groups())
        if len(a) == 2 and len(b) == 2:
            if a[1] == b[1]:
                fix = f"({a[0]}, {a[1]})·({b[1]}, {b[0]}): the second factor needs .T"
            elif a[0] == b[0]:
                fix = f"({a[1]}, {a[0]})·({b[0]}, {b[1]}): the first factor needs .T"
            else:
                fix = "neither order fits: check which arrays are multiplied"
            return "reading.transpose", {"a": _shape(a), "b": _shape(b), "fix": fix}
    if "matmul" in text and "mismatch in its core dimension" in text:
        return "reading.matmul", {}
    m = _BROADCAST.search(text)
    if m:
        shapes = [tuple(int(v) for v in s.strip("()").split(",") if v) for s in m.group(1).split()]
        if len(shapes) == 2 and _labels_against_rows(*shapes):
            return "reading.labels", {}
        return "reading.broadcast", {"shapes": " and ".join(_shape(s) for s in shapes)}
    if "cannot reshape array" in text:
        return "reading.reshape", {}
    return None


def _labels_against_rows(a, b) -> bool:
    """(N, C) against (N,): class labels used as if they were one-hot rows."""
    return (len(a), len(b)) in ((2, 1), (1, 2)) and (a[0] == b[0]) and max(len(a), len(b)) == 2


def _shape(shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
