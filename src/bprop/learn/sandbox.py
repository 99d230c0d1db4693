"""The child process of ``bprop learn check``: grades a batch of exercise files, one result file each.

``python -m bprop.learn.sandbox REQUEST.json FOLDER`` reads a list of jobs — ``{"exercise": name, "path":
the learner's file, "lang": "en" | "ja", "extra": [hidden cases]}`` — and for each writes
``FOLDER/result-<i>.json`` (``{"code", "text", "data"}``) before it starts the next. Before each call into a
learner's code it writes ``<i>\\t<where>`` to ``FOLDER/stage``, so that the parent (``bprop.learn.grading``)
can say where a job hung or ended the process, and go on with the rest in a new child.

Grading one file (``grade_job``): load its target; check it as ``bprop check FILE:TARGET`` does, with the
exercise's ``params`` and ``shape`` (unless the exercise is graded by cases alone); then run the exercise's
cases against the reference solution, and a teacher's hidden cases. Exit status as ``bprop check``'s: 0 all
passed, 1 something failed, 2 it cannot be checked (no such file or target, an import error).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

__all__ = ["grade_job"]


def grade_job(job: dict) -> dict:
    """{"code", "text", "data"} for one job (see the module's docstring)."""
    from bprop.gradcheck import learner
    from bprop.gradcheck import sandbox as checker
    from bprop.gradcheck.report import Report
    from bprop.learn import catalog, messages
    from bprop.learn.cases import run_cases

    exercise = catalog.find(job["exercise"])
    lang, path = job.get("lang", "en"), job["path"]
    try:
        Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:  # an editor that saved in cp932 or latin-1: Python reads source as UTF-8
        text = messages.text("learn.not_utf8", lang, file=Path(path).name, position=exc.start)
        return {"code": 2, "text": text, "data": {"ok": False, "verdict": "cannot check", "message": text}}
    except OSError:
        pass  # load_class says the file is missing
    try:
        target = learner.load_class(path, exercise.target)
        report = None
        if exercise.checker:
            request = {"path": path, "name": exercise.target, "params": exercise.params, "dtype": "float64",
                       "shape": list(exercise.shape) if exercise.shape else None, "strict": False, "lang": lang}
            report = checker._check(target, request)  # bprop check's own dispatch: layer, optimizer, net, function
    except learner.LearnerError as exc:
        text = exc.message(lang)
        return {"code": 2, "text": text, "data": {"ok": False, "verdict": "cannot check", "message": text}}
    reference = learner.load_class(str(exercise.solution_path), exercise.target)
    if report is None:
        kind = "function" if exercise.kind == "function" else "layer"
        report = Report(f"{exercise.target} ({Path(path).name})", f"{len(exercise.cases)} cases", "float64", 1e-6,
                        False, [], [], kind=kind)
    report.findings += run_cases(target, reference, exercise.cases)
    report.findings += run_cases(target, reference, job.get("extra") or [], hidden=True)
    text = report.render(lang)
    if not exercise.checker:  # the checker's title speaks of the book's function; these are the course's own
        title = messages.text("learn.title", lang, subject=report.subject, count=len(exercise.cases))
        text = "\n".join([title] + text.splitlines()[1:])
    data = report.to_dict(lang)
    data["verdict"] = "pass" if report.ok else "fail"
    return {"code": 0 if report.ok else 1, "text": text, "data": data}


def _write(path: str, data: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.replace(tmp, path)


def _child(request_path: str, folder: str) -> None:
    from bprop.gradcheck import calls

    with open(request_path, encoding="utf-8") as f:
        jobs = json.load(f)
    current = [0]

    def mark(where: str) -> None:
        with open(os.path.join(folder, "stage"), "w", encoding="utf-8") as f:
            f.write(f"{current[0]}\t{where}")

    calls.on_call = mark
    sys.stdout = sys.stderr  # what the learner's code prints never mixes with the results
    for i, job in enumerate(jobs):
        current[0] = i
        mark("import")
        try:
            outcome = grade_job(job)
        except Exception as exc:  # a fault of bprop learn itself, or learner code run outside a check
            from bprop.gradcheck import messages, readings

            text = messages.text("run.internal", job.get("lang", "en"), error=readings.error_text(exc))
            outcome = {"code": 2, "text": text, "data": {"ok": False, "verdict": "cannot check", "message": text}}
        _write(os.path.join(folder, f"result-{i}.json"), outcome)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
