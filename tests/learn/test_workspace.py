"""A workspace: init never overwrites, --force adds only what is missing, reset keeps a backup, statuses."""

import pytest

from bprop.learn import catalog, workspace
from bprop.learn.course import Course
from bprop.learn.errors import LearnError

EXERCISES = catalog.catalog()


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_init_writes_every_exercise_a_readme_and_a_progress_file_but_no_solution(tmp_path):
    result = workspace.init(tmp_path / "course", "ja")
    files = _files(tmp_path / "course")
    assert len(result.written) == len(EXERCISES) + 2 and not result.kept
    assert set(files) == {ex.file for ex in EXERCISES} | {"README.md", ".bprop-learn/progress.json"}
    assert "演習" in files["README.md"].decode("utf-8")
    solutions = {ex.solution().strip() for ex in EXERCISES}
    assert not any(text.decode("utf-8").strip() in solutions for text in files.values())
    assert all(b"\r\n" not in text for text in files.values())


def test_init_twice_loses_nothing_and_force_adds_only_what_is_missing(make_ws, learner):
    ws = make_ws()
    mine = learner.write(ws, "softmax", "def softmax(x):\n    return x  # my attempt\n")
    gone = ws.path(catalog.find("relu"))
    gone.unlink()
    before = _files(ws.root)
    with pytest.raises(LearnError) as refused:
        workspace.init(ws.root, "en")
    assert "--force" in refused.value.message("en") and "--force" in refused.value.message("ja")
    assert _files(ws.root) == before  # refused: nothing changed
    result = workspace.init(ws.root, "en", force=True)
    assert result.written == [catalog.find("relu").file]
    after = _files(ws.root)
    assert mine.read_text(encoding="utf-8").endswith("# my attempt\n")
    assert {k: v for k, v in after.items() if k != result.written[0]} == before


def test_init_refuses_a_folder_with_files_in_it_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(LearnError, match="holds files already"):
        workspace.init(tmp_path, "en")
    workspace.init(tmp_path, "en", force=True)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_statuses_follow_the_files(make_ws, learner):
    ws = make_ws()
    course = Course(ws, "en")
    first = course.entries()[0]
    assert first.status == "not started" and course.next().exercise.name == EXERCISES[0].name
    learner.write(ws, "step_function", "def step_function(x):\n    return x\n")
    assert course.entry(catalog.find("step_function")).status == "failing"
    assert not course.entry(catalog.find("step_function")).checked
    ws.path(catalog.find("sigmoid")).unlink()
    assert course.entry(catalog.find("sigmoid")).status == "missing"
    relu = ws.path(catalog.find("relu"))
    relu.write_bytes(relu.read_bytes().replace(b"\n", b"\r\n"))  # saved by a Windows editor: still untouched
    assert course.entry(catalog.find("relu")).status == "not started"


def test_reset_restores_the_skeleton_and_keeps_a_backup(make_ws, learner):
    ws = make_ws("ja")
    ex = catalog.find("relu")
    learner.solve(ws, "relu")
    course = Course(ws, "en")
    backup = course.reset(ex)
    assert backup.parent == ws.backups and backup.read_text(encoding="utf-8") == ex.solution()
    assert ws.path(ex).read_text(encoding="utf-8") == ex.workspace_text("ja", len(EXERCISES))  # the workspace's lang
    assert course.entry(ex).status == "not started"
    assert course.reset(ex) is None  # nothing of the learner's to keep
    assert len(list(ws.backups.iterdir())) == 1


def test_the_workspace_is_found_from_a_folder_inside_it(tmp_path, monkeypatch, make_ws):
    ws = make_ws()
    assert workspace.Workspace.find(start=str(ws.root / "book1_ch05")).root == ws.root
    monkeypatch.chdir(tmp_path)
    with pytest.raises(LearnError, match="no bprop learn workspace"):
        workspace.Workspace.find()
    with pytest.raises(LearnError, match="is not a bprop learn workspace"):
        workspace.Workspace.find(str(tmp_path))
