"""A progress bar for the training loop: tqdm's where tqdm is installed, a plain text one otherwise.

``progress_bar(total, initial)`` returns an object with tqdm's ``update(n)``, ``write(line)`` and
``close()``:

- tqdm installed: ``tqdm.auto.tqdm``, which is the notebook widget in Jupyter and the terminal
  bar elsewhere. In a notebook without ipywidgets (where tqdm.auto would warn and fall back to
  the terminal bar) the text bar below is used instead.
- otherwise ``TextBar``: on a terminal, one line rewritten with ``\\r``; in a notebook or a log,
  one line each time another tenth of the run is done.

``wanted(progress, verbose)`` decides whether a bar shows at all: ``progress`` True or False
says so; None means when verbose and on a terminal or in a notebook, never in captured
output (a test, a CI log). ``in_notebook()``: IPython is imported and a kernel runs it
(Jupyter, VS Code, nbclient), not the IPython terminal.
"""

from __future__ import annotations

import importlib.util
import sys
import time

__all__ = ["in_notebook", "wanted", "progress_bar", "TextBar"]


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (IPython imported, its shell has a kernel)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # a half-imported or stubbed IPython: not a notebook
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def wanted(progress, verbose: bool) -> bool:
    """Whether to show a bar: progress if True or False; for None, verbose and (a terminal or a notebook)."""
    if progress is not None:
        return bool(progress)
    return bool(verbose) and (_isatty(sys.stderr) or in_notebook())


def _auto_tqdm(notebook: bool) -> type | None:
    """tqdm.auto's bar class, or None where tqdm is not installed."""
    # Without ipywidgets, importing tqdm.auto in a notebook warns "IProgress not found": not imported then.
    if notebook and importlib.util.find_spec("ipywidgets") is None:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm


def progress_bar(total: int, initial: int = 0, *, unit: str = "step"):
    """tqdm.auto's bar where it can show, else a TextBar; on stderr (stdout in a notebook, as tqdm does)."""
    notebook = in_notebook()
    tqdm = _auto_tqdm(notebook)
    if tqdm is None:
        return TextBar(total, initial, file=sys.stdout if notebook else sys.stderr, unit=unit)
    return tqdm(total=total, initial=initial, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True,
                mininterval=0.25)


class TextBar:
    """A progress bar in plain text: `` 42% [########............] 420/1000 steps, 35.1 steps/s, 0:16 left``.

    rewrite True (default: when ``file`` is a terminal): one line, rewritten with ``\\r`` at most
    every ``mininterval`` seconds and erased by ``close``, as tqdm's ``leave=False``. rewrite
    False (a notebook, a log file): one line each time another ``every`` per cent is done, the
    lines kept. ``write(line)`` prints a line to stdout above the bar (tqdm's ``write``).
    """

    def __init__(self, total: int, initial: int = 0, *, file=None, rewrite: bool | None = None, every: int = 10,
                 mininterval: float = 0.25, unit: str = "step", width: int = 20, clock=time.monotonic):
        self.total, self.n, self.unit, self.width = max(int(total), 1), int(initial), unit, width
        self.file = sys.stderr if file is None else file
        self.rewrite = _isatty(self.file) if rewrite is None else bool(rewrite)
        self.every, self.mininterval, self.clock = every, mininterval, clock
        self._start, self._start_n = clock(), self.n
        self._shown_at = None  # clock() when the line was last drawn
        self._shown_tenth = self._tenth()  # the last "every per cent" mark written (rewrite False)
        self._length = 0  # characters of the line on screen (rewrite True)

    def update(self, n: int = 1) -> None:
        self.n += n
        if self.rewrite:
            now = self.clock()
            if self._shown_at is None or now - self._shown_at >= self.mininterval or self.n >= self.total:
                self._shown_at = now
                self._redraw()
        elif self._tenth() > self._shown_tenth:
            self._shown_tenth = self._tenth()
            self.file.write(self.text() + "\n")
            self.file.flush()

    def text(self) -> str:
        """The bar as a line of text (no newline)."""
        done = min(self.n / self.total, 1.0)
        filled = round(done * self.width)
        line = f"{done:4.0%} [{'#' * filled}{'.' * (self.width - filled)}] {self.n}/{self.total} {self.unit}s"
        elapsed = self.clock() - self._start
        if elapsed > 0 and self.n > self._start_n:
            rate = (self.n - self._start_n) / elapsed
            left = max(self.total - self.n, 0) / rate
            line += f", {rate:.1f} {self.unit}s/s, {int(left) // 60}:{int(left) % 60:02d} left"
        return line

    def write(self, line: str) -> None:
        """Print ``line`` to stdout with the bar out of its way (erased, then drawn again below it)."""
        self._erase()
        print(line, flush=True)
        if self.rewrite and self._shown_at is not None:
            self._redraw()

    def close(self) -> None:
        self._erase()

    def _tenth(self) -> int:
        return int(self.n * 100 / self.total) // self.every if self.every > 0 else 0

    def _redraw(self) -> None:
        line = self.text()
        self.file.write("\r" + line + " " * max(self._length - len(line), 0))
        self.file.flush()
        self._length = len(line)

    def _erase(self) -> None:
        if self.rewrite and self._length:
            self.file.write("\r" + " " * self._length + "\r")
            self.file.flush()
            self._length = 0


def _isatty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False
