"""Grading exercise files in a child process (``bprop.learn.sandbox``): in batches, each job with its timeout.

``grade(jobs, timeout)`` starts one child for the whole batch — starting Python and NumPy costs more than
checking most exercises — and reads each job's result as the child writes it. A job that runs past
``timeout`` seconds, or ends the child (``os._exit``, a crash), gets that verdict (exit status 1, as
``bprop check`` gives it, naming the method it was in); the jobs after it go on in a new child.

>>> grade([]) == []
True
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bprop._types import PathLike

if TYPE_CHECKING:
    from bprop.learn.catalog import Exercise

__all__ = ["Grade", "grade", "job"]

_POLL = 0.02  # seconds between looks at the child's results


@dataclass
class Grade:
    """One file's verdict: ``code`` 0 passed / 1 not yet / 2 cannot check, the report ``text``, its ``data``."""

    code: int
    text: str
    data: dict

    @property
    def passed(self) -> bool:
        return self.code == 0


def job(exercise: Exercise, path: PathLike, lang: str, extra: list[dict] | None = None) -> dict:
    """The request for one file: the exercise's name, the file, the language, a teacher's hidden cases."""
    return {"exercise": exercise.name, "path": str(Path(path).resolve()), "lang": lang, "extra": list(extra or [])}


def grade(jobs: list[dict], timeout: float = 60.0) -> list[Grade]:
    """A Grade per job, in order."""
    results: list[Grade | None] = [None] * len(jobs)
    todo = list(range(len(jobs)))
    while todo:
        done, stuck = _run_child([jobs[i] for i in todo], timeout)
        for j, result in done.items():
            results[todo[j]] = result
        if stuck is None:
            break
        j, result = stuck
        results[todo[j]] = result
        todo = [i for i in todo[j + 1:] if results[i] is None]
    return [r if r is not None else _internal("no result", jobs[i].get("lang", "en")) for i, r in enumerate(results)]


def _internal(error: str, lang: str) -> Grade:
    from bprop.gradcheck import messages

    text = messages.text("run.internal", lang, error=error)
    return Grade(2, text, {"ok": False, "verdict": "cannot check", "message": text})


def _run_child(jobs: list[dict], timeout: float):
    """Run one child over ``jobs`` → ({index: Grade} of those it finished, (index, Grade) of the job that hung
    or ended it, or None when it finished them all)."""
    from bprop.gradcheck import messages

    with tempfile.TemporaryDirectory(prefix="bprop-learn-") as folder:
        request = Path(folder) / "request.json"
        request.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
        package_root = str(Path(__file__).resolve().parents[2])  # bprop importable in the child, installed or not
        env = dict(os.environ, PYTHONIOENCODING="utf-8",
                   PYTHONPATH=os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
        with open(Path(folder) / "stderr", "wb") as err:
            child = subprocess.Popen([sys.executable, "-m", "bprop.learn.sandbox", str(request), folder],
                                     stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env)
            try:
                timed_out = _wait(child, folder, len(jobs), timeout)
            finally:  # Ctrl-C in the parent (bprop learn watch): the child goes too
                if child.poll() is None:
                    child.kill()
                    child.wait()
        done = {i: _read(folder, i) for i in range(len(jobs)) if (Path(folder) / f"result-{i}.json").is_file()}
        missing = next((i for i in range(len(jobs)) if i not in done), None)
        if missing is None:
            return done, None
        lang = jobs[missing].get("lang", "en")
        index, where = _stage(folder)
        where = where if index == missing else "import"
        if timed_out:
            text = messages.text("run.timeout", lang, where=where, seconds=timeout)
            return done, (missing, Grade(1, text, {"ok": False, "verdict": "timeout", "where": where, "message": text}))
        text = (Path(folder) / "stderr").read_text(encoding="utf-8", errors="replace").strip()
        if "Traceback (most recent call last)" in text and index is None:  # the child could not even start
            return done, (missing, _internal(text.splitlines()[-1], lang))
        text = messages.text("run.died", lang, where=where, code=child.returncode)
        return done, (missing, Grade(1, text, {"ok": False, "verdict": "exited", "where": where,
                                               "exit_code": child.returncode, "message": text}))


def _wait(child, folder: str, count: int, timeout: float) -> bool:
    """Wait for the child to end; kill it when no job finishes for ``timeout`` seconds (then True)."""
    finished, deadline = 0, time.monotonic() + timeout
    while True:
        try:
            child.wait(timeout=_POLL)
            return False
        except subprocess.TimeoutExpired:
            pass
        done = _finished(folder, count)
        if done > finished:
            finished, deadline = done, time.monotonic() + timeout
        if time.monotonic() > deadline:
            child.kill()
            child.wait()
            return True


def _finished(folder: str, count: int) -> int:
    return sum(1 for i in range(count) if os.path.exists(os.path.join(folder, f"result-{i}.json")))


def _read(folder: str, i: int) -> Grade:
    data = json.loads((Path(folder) / f"result-{i}.json").read_text(encoding="utf-8"))
    return Grade(data["code"], data["text"], data["data"])


def _stage(folder: str):
    """(job index, where) of the child's last mark, or (None, '') when it made none."""
    try:
        index, _, where = (Path(folder) / "stage").read_text(encoding="utf-8").partition("\t")
        return int(index), where.strip() or "import"
    except (OSError, ValueError):
        return None, ""
