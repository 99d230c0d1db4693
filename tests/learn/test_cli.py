"""``bprop learn`` as a learner and a teacher use it: init, list --json, check's exit codes, hints, solutions, reset."""

import json

import pytest

from bprop.cli import main
from bprop.learn import catalog, progress

EXERCISES = catalog.catalog()
NAMES = {ex.name for ex in EXERCISES}


def _run(capsys, *argv):
    code = main(["learn", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_init_then_list_as_json(tmp_path, capsys):
    root = tmp_path / "bprop-course"
    code, out, _ = _run(capsys, "init", str(root), "--lang", "en")
    assert code == 0 and EXERCISES[0].file in out and "bprop learn check step_function" in out
    code, _, err = _run(capsys, "init", str(root))
    assert code == 2 and "already a workspace" in err and "--force" in err
    code, out, _ = _run(capsys, "--dir", str(root), "list", "--json")
    data = json.loads(out)
    assert code == 0 and data["next"] == "step_function" and data["lang"] == "en"
    assert data["counts"] == {"passed": 0, "failing": 0, "not started": len(EXERCISES), "missing": 0}
    assert len(data["exercises"]) == len(EXERCISES)
    for row, ex in zip(data["exercises"], EXERCISES):
        assert {"name", "file", "chapter", "status"} <= set(row)
        assert (row["name"], row["file"], row["chapter"], row["status"]) == (ex.name, ex.file, ex.chapter.id,
                                                                             "not started")
        assert (root / row["file"]).is_file() and "\\" not in row["file"]


def test_list_in_japanese_by_default_from_the_locale(make_ws, capsys, monkeypatch):
    ws = make_ws("ja")
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")
    code, out, _ = _run(capsys, "--dir", str(ws.root))  # no action: the list
    assert code == 0 and "未着手" in out and "1 巻 3 章" in out and "（穴埋め）" in out and "次の演習" in out


def test_check_exit_codes_and_what_the_learner_reads(make_ws, learner, capsys):
    ws = make_ws()
    d = ["--dir", str(ws.root), "--lang", "en"]
    code, out, _ = _run(capsys, "check", *d)  # the next unfinished: step_function, as shipped
    assert code == 1 and "== 01 step_function" in out and "Not yet" in out and "bprop learn hint step_function" in out
    learner.solve(ws, "step_function")
    code, out, _ = _run(capsys, "check", "step_function", *d)
    assert code == 0 and "Passed: step_function." in out and "Next: 02 sigmoid" in out
    learner.write(ws, "sigmoid", "def sigmoid(x)\n    return x\n")
    code, out, _ = _run(capsys, "check", "--json", *d)  # the next unfinished is now sigmoid
    data = json.loads(out)
    assert code == 2 and data["name"] == "sigmoid" and data["code"] == 2 and data["verdict"] == "cannot check"
    assert "SyntaxError" in data["report"]["message"] and data["next"] == "sigmoid"
    code, out, err = _run(capsys, "check", "sigmod", *d)
    assert code == 2 and "did you mean sigmoid" in err
    saved = progress.load(ws.progress_path, NAMES).records
    assert saved["step_function"].status == "passed" and saved["sigmoid"].status == "failing"


def test_a_failed_check_quotes_the_hint_that_answers_it(make_ws, learner, capsys):
    ws = make_ws("ja")
    book_relu = ("class Relu:\n    def forward(self, x):\n        self.mask = x <= 0\n        out = x.copy()\n"
                 "        out[self.mask] = 0\n        return out\n\n    def backward(self, dout):\n"
                 "        dout[self.mask] = 0\n        return dout\n")
    learner.write(ws, "relu_layer", book_relu)
    code, out, _ = _run(capsys, "check", "relu_layer", "--dir", str(ws.root), "--lang", "ja")
    hint = catalog.find("relu_layer").hints("ja")[1]
    assert code == 1 and "これについてのヒント: " + hint in out and "まだです" in out


def test_hints_come_one_more_each_time_and_solutions_only_after_a_pass(make_ws, learner, capsys):
    ws = make_ws()
    d = ["--dir", str(ws.root), "--lang", "en"]
    hints = catalog.find("relu").hints("en")
    for seen in range(1, len(hints) + 2):
        code, out, _ = _run(capsys, "hint", "relu", *d)
        shown = min(seen, len(hints))
        assert code == 0 and f"({shown} of {len(hints)})" in out and hints[shown - 1] in out
        assert ("last hint" in out) == (seen >= len(hints))
    assert progress.load(ws.progress_path, NAMES).records["relu"].hints == len(hints)
    code, _, err = _run(capsys, "solution", "relu", *d)
    assert code == 2 and "once your file passes" in err
    code, out, _ = _run(capsys, "solution", "relu", "--force", *d)
    assert code == 0 and "np.maximum(0, x)" in out
    learner.solve(ws, "relu")
    assert _run(capsys, "check", "relu", *d)[0] == 0
    learner.write(ws, "relu", "def relu(x):\n    return x\n")  # passed once: the solution stays open
    code, out, _ = _run(capsys, "solution", "relu", *d)
    assert code == 0 and "Reference solution of relu" in out


def test_reset_from_the_cli_names_the_backup(make_ws, learner, capsys):
    ws = make_ws()
    learner.write(ws, "softmax", "def softmax(x):\n    return x\n")
    code, out, _ = _run(capsys, "reset", "softmax", "--dir", str(ws.root), "--lang", "en")
    assert code == 0 and ".bprop-learn/backups/04_softmax." in out
    code, out, _ = _run(capsys, "list", "--json", "--dir", str(ws.root))
    assert json.loads(out)["exercises"][3]["status"] == "not started"


def test_a_teachers_hidden_checks_grade_without_showing_their_inputs(make_ws, learner, tmp_path, capsys):
    ws = make_ws()
    flat = ("import numpy as np\n\ndef step_function(x):\n    y = (np.asarray(x) > 0).astype(int)\n"
            "    return y.reshape(len(y), -1) if y.ndim > 1 else y\n")  # right on 1-D and 2-D inputs only
    learner.write(ws, "step_function", flat)
    extra = tmp_path / "teacher.json"
    extra.write_text(json.dumps({"format": "bprop-learn-extra-checks", "version": 1, "exercises": {
        "step_function": [{"args": [{"random": [2, 3]}]}, {"args": [{"random": [2, 3, 4], "seed": 9}]}]}}),
        encoding="utf-8")
    d = ["--dir", str(ws.root), "--lang", "en"]
    code, out, _ = _run(capsys, "check", "step_function", "--extra-checks", str(extra), *d)
    assert code == 1 and "hidden check 1: agrees" in out
    assert "hidden check 2: the result has another shape than the reference solution's" in out
    assert "(2, 3, 4)" not in out and "seed" not in out
    extra.write_text(json.dumps({"format": "bprop-learn-extra-checks", "version": 1,
                                 "exercises": {"step_function": [{"init": {}}]}}), encoding="utf-8")
    code, _, err = _run(capsys, "check", "step_function", "--extra-checks", str(extra), *d)
    assert code == 2 and "cannot be used" in err and "its cases take 'args' (no 'init'" in err


def test_check_all_grades_every_exercise_for_a_classroom_runner(make_ws, learner, capsys):
    ws = make_ws()
    learner.solve(ws, "relu")
    code, out, _ = _run(capsys, "check", "--all", "--json", "--dir", str(ws.root))
    data = json.loads(out)
    assert code == 1 and len(data["results"]) == len(EXERCISES)
    assert [r["name"] for r in data["results"] if r["code"] == 0] == ["relu"]
    assert all(r["code"] == 1 for r in data["results"] if r["name"] != "relu") and data["next"] == "step_function"


def test_without_a_workspace_every_action_says_how_to_make_one(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for action in ("list", "check", "hint relu", "watch"):
        code, _, err = _run(capsys, *action.split(), "--lang", "en")
        assert code == 2 and "bprop learn init" in err and "Traceback" not in err


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_help_lists_every_action(lang, capsys):
    with pytest.raises(SystemExit):
        main(["learn", "--help"])
    out = capsys.readouterr().out
    assert all(action in out for action in ("init", "list", "check", "watch", "hint", "solution", "reset"))
