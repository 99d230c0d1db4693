"""``bprop learn watch``: a save rechecks the current exercise, a pass moves on, Ctrl-C ends it cleanly; driven
with a fake clock, and once in a real terminal (tmux)."""

import shlex
import shutil
import subprocess
import sys
import time

import pytest

from bprop.learn import catalog, progress
from bprop.learn.course import Course
from bprop.learn.watch import watch
from bprop.learn.workspace import sha256


def test_a_save_is_rechecked_a_pass_moves_on_and_ctrl_c_ends_cleanly(make_ws, learner):
    ws = make_ws()
    course, out = Course(ws, "en"), []
    saves = [lambda: learner.write(ws, "step_function", "def step_function(x):\n    return (x >= 0) * 1\n"),
             lambda: None,  # nothing saved: no check
             lambda: learner.solve(ws, "step_function"),
             lambda: learner.solve(ws, "sigmoid")]

    def sleep(seconds):
        if not saves:
            raise KeyboardInterrupt
        saves.pop(0)()

    assert watch(course, out=out.append, sleep=sleep, interval=0.01) == 0
    assert out[0].startswith("Watching 01 step_function") and "save the file" in out[0]
    assert "Not yet: step_function" in out[1]
    assert "Passed: step_function." in out[2] and out[3].startswith("Watching 02 sigmoid")
    assert "Passed: sigmoid." in out[4] and out[5].startswith("Watching 03 relu")
    assert out[6] == "Stopped watching." and len(out) == 7
    assert [e.status for e in course.entries()[:3]] == ["passed", "passed", "not started"]


def test_a_file_edited_before_the_watch_is_checked_at_once_and_polls_are_bounded(make_ws, learner):
    ws = make_ws("ja")
    learner.write(ws, "step_function", "def step_function(x):\n    return x\n")
    out = []
    assert watch(Course(ws, "ja"), out=out.append, sleep=lambda s: None, max_polls=3) == 0
    assert len(out) == 2 and "監視中" in out[0] and "まだです" in out[1]


def test_when_everything_has_passed_the_watch_says_so_and_ends(make_ws):
    ws = make_ws()
    course = Course(ws, "en")
    for ex in catalog.catalog():
        course.progress.records[ex.name] = progress.Record("passed", sha256(ws.path(ex)), None, True, 0)
        ws.path(ex).write_text(ws.path(ex).read_text(encoding="utf-8") + "# done\n", encoding="utf-8")
        course.progress.records[ex.name].sha256 = sha256(ws.path(ex))
    out = []
    assert watch(course, out=out.append, sleep=lambda s: pytest.fail("no poll")) == 0
    assert out == [f"All {len(catalog.catalog())} exercises have passed. Well done!"]


def _pane(socket: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-J", "-S", "-200", "-t", "learn"],
                          capture_output=True, text=True).stdout


def _wait_for(socket: str, text: str, seconds: float = 30.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pane = _pane(socket)
        if text in pane:
            return pane
        time.sleep(0.1)
    pytest.fail(f"{text!r} never showed; the terminal held:\n{_pane(socket)}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")
def test_watch_in_a_real_terminal(make_ws, learner):
    ws = make_ws()
    socket = f"bprop-learn-{time.monotonic_ns()}"
    command = (f"{shlex.quote(sys.executable)} -m bprop learn watch --dir {shlex.quote(str(ws.root))} --lang en "
               f"--interval 0.1; echo WATCH-ENDED-$?; sleep 30")
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "learn", "-x", "160", "-y", "50", command],
                   check=True)
    try:
        _wait_for(socket, "Watching 01 step_function")
        learner.solve(ws, "step_function")
        _wait_for(socket, "Watching 02 sigmoid")
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "learn", "C-c"], check=True)
        pane = _wait_for(socket, "WATCH-ENDED-")
        assert "Passed: step_function." in pane and "Stopped watching." in pane and "WATCH-ENDED-0" in pane
        assert "Traceback" not in pane
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
