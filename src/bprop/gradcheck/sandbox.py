"""``bprop check`` runs the learner's file in a child process: a hang, ``sys.exit`` or ``os._exit`` cannot take the
checker down with it, and every run ends in a verdict.

The parent (``run_checked``) starts ``python -m bprop.gradcheck.sandbox REQUEST RESULT`` and waits up to
``timeout`` seconds. The child imports the file, finds what NAME is — a layer (forward/backward), an optimizer
(update), a net (loss/gradient) or a function — checks it (``check_target``) and writes the rendered report, its
JSON and the exit status to RESULT. Before each call into the learner's code it writes the method's name to
RESULT + '.stage', so a timeout or a dead child can say where it happened. Exit status: 0 every check passed,
1 a problem found (a hang and an exit count), 2 the target cannot be checked (no such file, class, argument…).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Outcome", "run_checked", "check_target"]


@dataclass
class Outcome:
    """What a check run ended with: ``code`` 0/1/2, ``text`` (the report, or the error for 2), ``data`` (JSON)."""

    code: int
    text: str
    data: dict


def run_checked(request: dict, timeout: float) -> Outcome:
    """Run ``check_target(request)`` in a child process; a hang past ``timeout`` or a dead child is a verdict too."""
    from bprop.gradcheck import messages

    lang = request.get("lang", "en")
    with tempfile.TemporaryDirectory(prefix="bprop-check-") as folder:
        result = Path(folder) / "result.json"
        stage = Path(str(result) + ".stage")
        command = [sys.executable, "-m", "bprop.gradcheck.sandbox", json.dumps(request), str(result)]
        package_root = str(Path(__file__).resolve().parents[2])  # bprop importable in the child, installed or not
        env = dict(os.environ, PYTHONIOENCODING="utf-8",
                   PYTHONPATH=os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p))
        try:
            child = subprocess.run(command, capture_output=True, timeout=timeout, env=env,
                                   stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            where = _read(stage) or "import"
            text = messages.text("run.timeout", lang, where=where, seconds=timeout)
            return Outcome(1, text, {"ok": False, "verdict": "timeout", "where": where, "message": text})
        if result.is_file():
            data = json.loads(result.read_text(encoding="utf-8"))
            return Outcome(data["code"], data["text"], data["data"])
        where = _read(stage) or "import"
        err = child.stderr.decode("utf-8", "replace").strip()
        if "Traceback (most recent call last)" in err and not stage.exists() and child.returncode == 1:
            text = messages.text("run.internal", lang, error=err.splitlines()[-1])
            return Outcome(2, text, {"ok": False, "verdict": "cannot check", "message": text})
        text = messages.text("run.died", lang, where=where, code=child.returncode)
        return Outcome(1, text, {"ok": False, "verdict": "exited", "where": where, "exit_code": child.returncode,
                                 "message": text})


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def check_target(request: dict) -> Outcome:
    """Load FILE's NAME and check it as what it is; a LearnerError is exit status 2."""
    from bprop.gradcheck import learner

    lang = request.get("lang", "en")
    try:
        target = learner.load_class(request["path"], request["name"])
        report = _check(target, request)
    except learner.LearnerError as exc:
        text = exc.message(lang)
        return Outcome(2, text, {"ok": False, "verdict": "cannot check", "message": text})
    data = report.to_dict(lang)
    data["verdict"] = "pass" if report.ok else "fail"
    return Outcome(0 if report.ok else 1, report.render(lang), data)


def _check(target, request):
    import inspect

    import numpy as np

    from bprop.gradcheck import build, learner
    from bprop.gradcheck.checker import check_layer
    from bprop.gradcheck.report import Finding

    name, params = request["name"], dict(request.get("params") or {})
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    label = f"{name} ({request['path']})"
    strict = bool(request.get("strict"))
    if inspect.isfunction(target):
        from bprop.gradcheck.function import check_function

        return check_function(target, name, strict=strict)
    if callable(getattr(target, "update", None)) and not hasattr(target, "forward"):
        from bprop.gradcheck.optimizer import build_optimizer, check_optimizer

        report = check_optimizer(build_optimizer(target, params), name=name, strict=strict)
        report.subject = label
        return report
    if callable(getattr(target, "loss", None)) and callable(getattr(target, "gradient", None)):
        from bprop.gradcheck.net import build_net, check_net

        return check_net(build_net(target, params), name=label)
    if not (callable(getattr(target, "forward", None)) or callable(getattr(target, "backward", None))):
        raise learner.LearnerError("cli.what_is_it", cls=name)
    dtype = np.dtype(request.get("dtype", "float64"))
    shape = tuple(request["shape"]) if request.get("shape") else None
    rng = np.random.default_rng(0)
    layer, plan = build.build_layer(target, shape, dtype, rng, params)
    inputs = build.build_inputs(layer, plan, dtype, rng)
    report = check_layer(layer, *inputs, dtype=dtype, name=label, strict=strict)
    for extra in build.more_plans(target, plan, shape, params):
        layer, plan = build.build_layer(target, extra.shape, dtype, rng, extra.kwargs)
        inputs = build.build_inputs(layer, plan, dtype, rng)
        report.extend(check_layer(layer, *inputs, dtype=dtype, strict=strict), extra.label)
        if plan.kind.startswith("batchnorm"):
            form = "bn.per_channel" if plan.kind == "batchnorm_c" else "bn.per_element"
            report.findings.append(Finding("form", "note", form, label=extra.label))
    return report


def _child(request_json: str, result_path: str) -> None:
    from bprop.gradcheck import calls

    request = json.loads(request_json)
    stage = result_path + ".stage"

    def mark(where: str) -> None:
        with open(stage, "w", encoding="utf-8") as f:
            f.write(where)

    calls.on_call = mark
    sys.stdout = sys.stderr  # what the learner's code prints never mixes with the result
    try:
        outcome = check_target(request)
    except Exception as exc:  # a fault of bprop check itself, or learner code it ran outside a check
        from bprop.gradcheck import messages, readings

        text = messages.text("run.internal", request.get("lang", "en"), error=readings.error_text(exc))
        outcome = Outcome(2, text, {"ok": False, "verdict": "cannot check", "message": text})
    tmp = result_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"code": outcome.code, "text": outcome.text, "data": outcome.data}, f)
    os.replace(tmp, result_path)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2])
