"""What the subcommands share: the one-line error, the parsers of numbers and sizes, output paths.

Every parser takes the option's text and its name, and raises ``CommandError``
saying what the option expects and what it got ("--batch-size expects a whole
number >= 1, got '0'"), before any work starts.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal

from bprop._checks import range_text


class CommandError(Exception):
    """An error to report to the user in one line (exit status 2)."""


def count(text: str, option: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number in [minimum, maximum] (no upper bound when maximum is None)."""
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        want = f"from {minimum} to {maximum}" if maximum is not None else f">= {minimum}"
        raise CommandError(f"{option} expects a whole number {want}, got {text!r}")
    return value


def counts(text: str, option: str, *, example: str = "50 or 100,100") -> list[int]:
    """Whole numbers >= 1, separated by commas (or spaces): '100,100' → [100, 100]."""
    parts = [s.strip() for s in text.replace(" ", ",").split(",") if s.strip()]
    if not parts:
        raise CommandError(f"{option} expects sizes like {example}, got {text!r}")
    return [count(s, option) for s in parts]


def number(text: str, option: str, *, low: float = -math.inf, high: float = math.inf,
           open_low: bool = False, open_high: bool = False, what: str | None = None) -> float:
    """A finite number in [low, high] (a bound excluded when open); ``what`` overrides how the message states it."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    too_low = value <= low if open_low else value < low
    too_high = value >= high if open_high else value > high
    if not math.isfinite(value) or too_low or too_high:
        what = what or f"a number {range_text(low, high, open_low, open_high)}".rstrip()
        raise CommandError(f"{option} expects {what}, got {text!r}")
    return value


def numbers(text: str, option: str):
    """'1.5' → 1.5; '1,-2,3' → [1.0, -2.0, 3.0] (a list whenever there is a comma)."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise CommandError(f"{option} expected a number or a comma list of numbers, got {text!r}") from None
    return values[0] if len(values) == 1 and "," not in text else values


def check_output_path(path: str, option: str, *, example: str, folder_word: str = "folder") -> None:
    """Fail before any work when ``path`` cannot be written: its folder is missing, or it is a folder."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CommandError(f"{option} {path}: the {folder_word} {folder} does not exist")
    if os.path.isdir(path):
        raise CommandError(f"{option} {path}: is a {folder_word}; give a file name such as {example}")


def check_figure_output(path: str, option: str = "-o") -> None:
    """Fail before any work: matplotlib present, a known figure extension, a writable path."""
    from bprop import plot

    try:
        plot.require_matplotlib()
    except plot.MatplotlibMissing:
        raise CommandError(f"drawing needs matplotlib, which is not installed: {plot.INSTALL_HINT}") from None
    try:
        plot.format_of(path)
    except ValueError as exc:
        raise CommandError(f"{option} {path}: {exc}") from None
    check_output_path(path, option, example="figure.png")


def write_figure(figure, path: str, what: str = "the picture") -> int:
    """Save a matplotlib figure (atomically, format by extension) and say where; returns exit status 0."""
    from bprop import plot

    written = plot.save(figure, path)
    print(f"wrote {what} to {written}")
    return 0


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is so that it unwinds like Ctrl-C (temporary files removed)."""


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Within the block SIGTERM raises ``Terminated`` instead of killing the process on the spot."""
    def raise_terminated(signum, frame):
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, raise_terminated)
    except ValueError:  # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def interrupts_deferred():
    """Within the block Ctrl-C and SIGTERM wait: raised as KeyboardInterrupt / Terminated once it ends.

    For writing a checkpoint: an interruption inside the zip writer tears its
    bookkeeping (and a message saying which step the file holds would be
    wrong by one); deferred, the file is whole and the message right.
    """
    pending = []

    def remember(signum, frame):
        pending.append(signum)

    try:
        previous = {sig: signal.signal(sig, remember) for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if pending:
        raise Terminated() if pending[0] == signal.SIGTERM else KeyboardInterrupt()
