"""The progress file: atomic JSON; a corrupt or hand-edited one gives a clear message and is rebuilt, never a traceback."""

import json

import pytest

from bprop.cli import main
from bprop.learn import catalog, progress
from bprop.learn.course import Course

NAMES = {ex.name for ex in catalog.catalog()}


def test_a_progress_file_round_trips_and_drops_names_no_longer_in_the_course():
    p = progress.Progress("ja", {"relu": progress.Record("passed", "ab", "2025-01-01T00:00:00", True, 2)})
    data = json.loads(progress.dump(p))
    data["exercises"]["gone"] = {"status": "passed"}
    back = progress.parse(json.dumps(data), NAMES)
    assert back == p


@pytest.mark.parametrize("text, words", [
    ("{not json", "not JSON"),
    ('{"format": "something else"}', "not a bprop learn progress file"),
    ('{"format": "bprop-learn-progress", "version": 7, "lang": "en", "exercises": {}}', "version 7"),
    ('{"format": "bprop-learn-progress", "version": 1, "lang": "fr", "exercises": {}}', "'fr'"),
    ('{"format": "bprop-learn-progress", "version": 1, "lang": "en", "exercises": {"relu": {"hints": "two"}}}',
     "'hints' holds 'two'"),
    ('{"format": "bprop-learn-progress", "version": 1, "lang": "en", "exercises": {"relu": {"status": "done"}}}',
     "status 'done'"),
    ('{"format": "bprop-learn-progress", "version": 1, "lang": "en", "exercises": []}', "not an object"),
    ('{"format": "bprop-learn-progress", "version": ' + "9" * 5000 + "}", "not JSON bprop can read"),
    ("[" * 100_000 + "]" * 100_000, "not JSON bprop can read"),
])
def test_a_broken_progress_file_is_told_in_words(text, words):
    with pytest.raises(progress.ProgressCorrupt, match=words):
        progress.parse(text, NAMES)


def test_a_corrupt_progress_file_is_kept_and_rebuilt_from_the_exercise_files(make_ws, learner):
    ws = make_ws("ja")
    learner.solve(ws, "step_function")
    learner.write(ws, "sigmoid", "def sigmoid(x):\n    return x\n")
    ws.progress_path.write_text('{"format": "bprop-learn-progress", "version": 1, "lang"', encoding="utf-8")
    course = Course(ws, "en")
    assert "could not be used (not JSON" in course.notice and "progress.json.corrupt" in course.notice
    assert "1 passed, 1 failing" in course.notice
    assert ws.progress_path.with_name("progress.json.corrupt").read_text(encoding="utf-8").endswith('"lang"')
    statuses = {e.exercise.name: (e.status, e.checked) for e in course.entries()[:3]}
    assert statuses == {"step_function": ("passed", True), "sigmoid": ("failing", True), "relu": ("not started", False)}
    rebuilt = progress.load(ws.progress_path, NAMES)
    assert rebuilt.lang == "ja" and rebuilt.records["step_function"].passed_once


def test_the_cli_says_the_progress_was_rebuilt_and_goes_on(capsys, make_ws):
    ws = make_ws()
    ws.progress_path.write_bytes(b"\xff\xfe garbage")
    assert main(["learn", "list", "--dir", str(ws.root), "--lang", "ja"]) == 0
    captured = capsys.readouterr()
    assert "進捗ファイル" in captured.err and "UTF-8" in captured.err and "Traceback" not in captured.err
    assert "未着手" in captured.out
    ws.progress_path.unlink()  # a missing one is rebuilt too
    assert main(["learn", "list", "--dir", str(ws.root), "--lang", "en"]) == 0
    assert "the file is missing" in capsys.readouterr().err
