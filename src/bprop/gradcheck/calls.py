"""Running a learner's code safely: every warning recorded, an exception turned into a failed finding.

``call(where, fn, *args)`` returns fn's result with the texts of NumPy's
warnings, under an errstate that makes NumPy warn on overflow, division by
zero and invalid operations, with anything it prints kept off the report. An
exception raised by the learner's code — ``sys.exit`` too — becomes ``Stop``,
which carries the finding that ends the stage: the error, the learner's
file:line and code, and a reading in plain words (``bprop.gradcheck.readings``).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bprop.gradcheck import readings
from bprop.gradcheck.compare import copy_grad
from bprop.gradcheck.report import Finding

__all__ = ["Stop", "capture", "call", "log_hint", "as_float64"]


def on_call(where: str) -> None:
    """Called before each call into the learner's code: ``bprop check``'s child process records where it is."""


class Stop(Exception):
    """The layer raised or returned something unusable: the finding ends this stage."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.key)
        self.finding = finding


@contextlib.contextmanager
def capture() -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning (instead of raising or printing it) and make NumPy warn on
    overflow, division by zero and invalid operations. Underflow stays silent:
    exp(-1000) = 0 is the right answer."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="warn", over="warn", invalid="warn"):
        warnings.simplefilter("always")
        yield caught


def call(where: str, fn: Callable[..., Any], *args: Any) -> tuple[Any, list[str]]:
    """fn(*args) → (result, texts of NumPy's RuntimeWarnings); an exception becomes a failed finding.

    SystemExit counts as an exception (a layer must not end the program);
    KeyboardInterrupt still stops everything. What fn prints is discarded.
    """
    on_call(where)
    with capture() as caught, contextlib.redirect_stdout(io.StringIO()):
        try:
            result = fn(*args)
        except (Exception, SystemExit) as exc:
            raise Stop(exception_finding(where, exc)) from exc
    return result, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def exception_finding(where: str, exc: BaseException) -> Finding:
    """The failed finding for an exception: the error, where in the learner's file, what it means."""
    finding = Finding("exception", "fail", "exception", {"where": where, "error": readings.error_text(exc)})
    finding.extra += readings.explain(where, exc)
    return finding


def log_hint(finding: Finding, warns: list[str]) -> None:
    if any("log" in w for w in warns):
        finding.extra.append(("hint.log", {}))


def as_float64(value: Any, where: str) -> np.ndarray:
    """A float64 copy of what forward returned (a layer may reuse its output buffer)."""
    y = copy_grad(value)
    if y is None:
        got = "None" if value is None else type(value).__name__
        raise Stop(Finding(where, "fail", "bad_output", {"where": where, "got": got}))
    return y
