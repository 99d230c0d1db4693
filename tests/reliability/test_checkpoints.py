"""``bprop train --checkpoint-every N --save F`` and ``--resume F``: a stopped run continues exactly.

The resumed run's loss history, accuracies and weights equal those of the run that was never stopped;
resuming with other options or other data is refused in one line, and nothing on disk changes."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from bprop import checkpoint
from bprop.nets import load

from support import one_line_error, run_cli

CODE = "import sys; from bprop.cli import main; sys.exit(main(sys.argv[1:]))"
RUN = ["--model", "multi-layer", "--hidden", "8,6", "--dropout", "0.2", "--batchnorm", "--optimizer", "adam",
       "--batch-size", "10", "--quiet"]


def _same_run(a, b, *, evaluations=True):
    """Two checkpoint files hold the same net and the same losses (and evaluations), bit for bit."""
    first, second = checkpoint.load(a), checkpoint.load(b)
    np.testing.assert_array_equal(first.state["history"]["loss"], second.state["history"]["loss"])
    for key in ("iterations", "epochs", "train_acc", "test_acc") if evaluations else ():
        assert first.state["history"][key] == second.state["history"][key]
    assert first.net.params.keys() == second.net.params.keys()
    for key, p in first.net.params.items():
        np.testing.assert_array_equal(second.net.params[key], p)


def test_a_run_stopped_by_ctrl_c_and_resumed_equals_the_uninterrupted_run(tiny_dataset, tmp_path, capsys,
                                                                          monkeypatch):
    from bprop.train import Trainer

    data = ["--data", str(tiny_dataset)]
    whole, part = tmp_path / "whole.npz", tmp_path / "part.npz"
    code, _, _ = run_cli(capsys, "train", *data, *RUN, "--iters", "40", "--checkpoint-every", "15",
                         "--save", str(whole))
    assert code == 0

    step = Trainer.train_step

    def ctrl_c_at_step_23(self):
        if self.current_iter == 23:
            raise KeyboardInterrupt
        return step(self)

    monkeypatch.setattr(Trainer, "train_step", ctrl_c_at_step_23)
    code, _, err = run_cli(capsys, "train", *data, *RUN, "--iters", "40", "--checkpoint-every", "15",
                           "--save", str(part))
    assert code == 130
    assert f"stopped by Ctrl-C at step 23 of 40 (in epoch 4); {part} holds step 15: bprop train --resume {part}" in err
    assert checkpoint.load(part).state["step"] == 15
    monkeypatch.setattr(Trainer, "train_step", step)

    code, out, err = run_cli(capsys, "train", "--resume", str(part))  # options and data from the file
    assert code == 0, err
    assert f"saved the net and its training state to {part} (step 40;" in out
    _same_run(whole, part)


def test_resume_can_train_further_and_write_elsewhere(tiny_dataset, tmp_path, capsys):
    data = ["--data", str(tiny_dataset)]
    short, longer, direct = tmp_path / "short.npz", tmp_path / "longer.npz", tmp_path / "direct.npz"
    assert run_cli(capsys, "train", *data, *RUN, "--iters", "20", "--checkpoint-every", "20",
                   "--save", str(short))[0] == 0
    before = short.read_bytes()
    assert run_cli(capsys, "train", "--resume", str(short), "--iters", "50", "--save", str(longer))[0] == 0
    assert short.read_bytes() == before  # --save named another file
    assert run_cli(capsys, "train", *data, *RUN, "--iters", "50", "--checkpoint-every", "20",
                   "--save", str(direct))[0] == 0
    _same_run(direct, longer, evaluations=False)
    # the extended run also evaluated where the short one ended, mid-epoch 4 (6 steps an epoch)
    extended, plain = checkpoint.load(longer).state["history"], checkpoint.load(direct).state["history"]
    assert extended["iterations"] == [6, 12, 18, 20, 24, 30, 36, 42, 48, 50]
    assert extended["epochs"] == [1, 2, 3, 4, 4, 5, 6, 7, 8, 9]
    assert plain["iterations"] == [6, 12, 18, 24, 30, 36, 42, 48, 50]
    code, out, _ = run_cli(capsys, "evaluate", str(longer), "--data", str(tiny_dataset))
    assert code == 0 and "MultiLayerNetExtend 36-8-6-10" in out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_a_run_killed_by_sigterm_resumes_from_its_last_checkpoint(tiny_dataset, tmp_path):
    run = [sys.executable, "-c", CODE, "train", "--data", str(tiny_dataset), *RUN]
    part, whole = tmp_path / "part.npz", tmp_path / "whole.npz"
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    child = subprocess.Popen([*run, "--iters", "10000000", "--checkpoint-every", "500", "--save", str(part)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while not part.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGTERM)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 143, err.decode()
    assert f"{part} holds step" in err.decode() and "Traceback" not in err.decode()
    step = checkpoint.load(part).state["step"]
    assert step % 500 == 0 and step > 0
    target = str(step + 300)
    done = subprocess.run([*run[:3], "train", "--resume", str(part), "--iters", target, "--quiet"],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    done = subprocess.run([*run, "--iters", target, "--checkpoint-every", "500", "--save", str(whole)],
                          capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    _same_run(whole, part)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part.npz", "whole.npz"]  # no temporary left


@pytest.fixture
def finished(tiny_dataset, tmp_path, capsys):
    """A checkpoint of a finished 12-step run on the tiny dataset."""
    path = tmp_path / "run.npz"
    assert run_cli(capsys, "train", "--data", str(tiny_dataset), *RUN, "--iters", "12", "--checkpoint-every",
                   "6", "--save", str(path))[0] == 0
    return path


RESUME_MISUSE = [
    (["--lr", "0.5", "--iters", "20"], "--lr 0.5 (it trained with 0.001): leave it out"),
    (["--model", "two-layer", "--hidden", "9", "--iters", "20"],
     "--model two-layer (it trained with multi-layer); --hidden 9 (it trained with 8,6)"),
    (["--seed", "3", "--iters", "20"], "--seed 3 (it trained with 0)"),
    ([], "has finished its 12 steps; give --iters N (more than 12)"),
    (["--iters", "5"], "asks for 5 steps, fewer than the 12"),
    (["--iters", "12"], "has trained 12 steps already"),
    (["--data", "mnist", "--iters", "20"], "are not those"),
]


@pytest.mark.parametrize("argv, words", RESUME_MISUSE, ids=[w for _, w in RESUME_MISUSE])
def test_resuming_another_run_than_the_saved_one_is_refused_and_changes_nothing(finished, capsys, argv, words):
    before = finished.read_bytes()
    code, _, err = run_cli(capsys, "train", "--resume", str(finished), *argv)
    assert code == 2
    assert words in one_line_error(err, "train")
    assert finished.read_bytes() == before
    assert [p.name for p in finished.parent.iterdir()] == ["run.npz"]


@pytest.mark.parametrize("content, words", [
    (None, "--resume {path}: no such file"),
    (b"PK\x03\x04 cut", "truncated or damaged"),
    ("plain", "holds a net but no training state to resume"),
    ("bare", "was not written by bprop train"),
])
def test_a_file_that_cannot_be_resumed_is_named(tmp_path, capsys, content, words):
    from bprop.nets import TwoLayerNet
    from bprop.train import Trainer

    path = tmp_path / "run.npz"
    if content == "plain":
        TwoLayerNet(4, 3, 2).save(path)
    elif content == "bare":  # a checkpoint from the library, without bprop train's record of the run
        x, t = np.eye(4), np.array([0, 1, 0, 1])
        trainer = Trainer(TwoLayerNet(4, 3, 2), x, t, x, t, iters=2, verbose=False)
        trainer.train()
        checkpoint.save(path, trainer)
    elif content is not None:
        path.write_bytes(content)
    before = path.read_bytes() if path.exists() else None
    code, _, err = run_cli(capsys, "train", "--resume", str(path))
    assert code == 2
    assert words.format(path=path) in one_line_error(err, "train")
    assert (path.read_bytes() if path.exists() else None) == before


def test_checkpoints_need_a_file_to_go_to(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "train", "--checkpoint-every", "5")
    assert code == 2 and "--checkpoint-every needs --save FILE" in one_line_error(err, "train")
    code, _, err = run_cli(capsys, "train", "--checkpoint-every", "0", "--save", "x.npz")
    assert code == 2 and "--checkpoint-every expects a whole number >= 1, got '0'" in one_line_error(err, "train")
    assert list(tmp_path.iterdir()) == []


def test_a_checkpoint_loads_as_its_net(finished):
    assert type(load(finished)).__name__ == "MultiLayerNetExtend"


def test_resume_uses_the_blas_thread_count_the_run_started_with(tiny_dataset, tmp_path, capsys, monkeypatch):
    from bprop import _blas

    path = tmp_path / "run.npz"
    monkeypatch.setattr(_blas, "get_threads", lambda: 2)
    assert run_cli(capsys, "train", "--data", str(tiny_dataset), *RUN, "--iters", "6", "--checkpoint-every", "6",
                   "--save", str(path))[0] == 0
    assert checkpoint.load(path).run["blas_threads"] == 2
    calls = []
    monkeypatch.setattr(_blas, "user_set", lambda: False)
    monkeypatch.setattr(_blas, "set_threads", lambda n: calls.append(n) or True)
    monkeypatch.setattr(_blas, "fit_threads_to_free_cores", lambda: calls.append("fit"))
    assert run_cli(capsys, "train", "--resume", str(path), "--iters", "8")[0] == 0
    assert calls == [2]  # not fitted to the free cores: another count would round the sums differently
    monkeypatch.setattr(_blas, "user_set", lambda: True)  # OPENBLAS_NUM_THREADS given: the user's choice stands
    calls.clear()
    assert run_cli(capsys, "train", "--resume", str(path), "--iters", "10")[0] == 0
    assert calls == ["fit"]  # which leaves a count the user set alone
