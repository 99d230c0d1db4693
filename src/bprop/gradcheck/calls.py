"""Running a learner's code safely: every warning recorded, an exception turned into a failed finding.

``call(where, fn, *args)`` returns fn's result with the texts of NumPy's
warnings, under an errstate that makes NumPy warn on overflow, division by
zero and invalid operations; an exception raised by the learner's code
becomes ``Stop``, which carries the finding that ends the stage.
"""

from __future__ import annotations

import contextlib
import warnings

import numpy as np

from bprop.gradcheck.compare import copy_grad
from bprop.gradcheck.report import Finding

__all__ = ["Stop", "capture", "call", "log_hint", "as_float64"]


class Stop(Exception):
    """The layer raised or returned something unusable: the finding ends this stage."""

    def __init__(self, finding: Finding):
        super().__init__(finding.key)
        self.finding = finding


@contextlib.contextmanager
def capture():
    """Record every warning (instead of raising or printing it) and make NumPy warn on
    overflow, division by zero and invalid operations. Underflow stays silent:
    exp(-1000) = 0 is the right answer."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="warn", over="warn", invalid="warn"):
        warnings.simplefilter("always")
        yield caught


def call(where: str, fn, *args):
    """fn(*args) → (result, texts of NumPy's RuntimeWarnings); an exception becomes a failed finding."""
    with capture() as caught:
        try:
            result = fn(*args)
        except Exception as exc:
            error = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"
            raise Stop(Finding("exception", "fail", "exception", {"where": where, "error": error})) from exc
    return result, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def log_hint(finding: Finding, warns: list[str]):
    if any("log" in w for w in warns):
        finding.extra.append(("hint.log", {}))


def as_float64(value, where: str) -> np.ndarray:
    """A float64 copy of what forward returned (a layer may reuse its output buffer)."""
    y = copy_grad(value)
    if y is None:
        got = "None" if value is None else type(value).__name__
        raise Stop(Finding(where, "fail", "bad_output", {"where": where, "got": got}))
    return y
