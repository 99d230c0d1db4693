"""``bprop learn watch``: check the current exercise each time its file is saved; on a pass, go to the next.

The loop polls the file's modification time and size every ``interval`` seconds (no dependency, every
platform, every editor's way of saving). The next exercise, when untouched, is only announced: its checks
start with the first save. Ctrl-C ends the watch cleanly. ``sleep`` and ``max_polls`` make the loop
testable with a fake clock: a test's ``sleep`` rewrites the file, the loop sees it on the next poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bprop.learn import views

if TYPE_CHECKING:
    from bprop.learn.course import Course

__all__ = ["watch", "signature"]


def signature(path: Path) -> tuple[int, int] | None:
    """What changes when a file is saved: (mtime in ns, size), or None when there is no file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def watch(course: Course, *, out: Callable[[str], object] = print, sleep: Callable[[float], object] = time.sleep,
          interval: float = 0.5, max_polls: int | None = None,
          extra: dict | None = None) -> int:
    """Run the watch loop until every exercise has passed (0), Ctrl-C (0), or ``max_polls`` polls (0)."""
    lang, current, seen, polls = course.lang, None, None, 0
    try:
        while True:
            if current is None:
                entry = course.next()
                if entry is None:
                    out(views.all_done(lang, len(course.exercises)))
                    return 0
                current = entry.exercise
                out(views.watching(current, lang))
                seen = signature(course.ws.path(current)) if entry.status == "not started" else None
            now = signature(course.ws.path(current))
            if now != seen:
                seen = now
                checked = course.check([current], extra)[0]
                out(views.check_text(checked, course.next(), lang))
                if checked.grade.passed:
                    current = None
                    continue
            if max_polls is not None and polls >= max_polls:
                return 0
            sleep(interval)
            polls += 1
    except KeyboardInterrupt:
        out(views.stopped(lang))
        return 0
