"""Hand-edited and hostile checkpoints: each refused in one line naming the file, nothing changed on disk.

Found by an independent probe of ``--resume`` (crafted .npy headers, JSON 100,000 levels deep, generator
states out of range, a run record naming an unknown model, data that differs only in its test set …)."""

import io
import json
import signal
import zipfile

import numpy as np
import pytest

from bprop.cli._common import Terminated, interrupts_deferred

from support import one_line_error, run_cli

RUN = ["--model", "multi-layer", "--hidden", "8", "--optimizer", "adam", "--batch-size", "10", "--quiet"]


@pytest.fixture
def saved(tiny_dataset, tmp_path, capsys):
    path = tmp_path / "run.npz"
    assert run_cli(capsys, "train", "--data", str(tiny_dataset), *RUN, "--iters", "12", "--checkpoint-every", "6",
                   "--save", str(path))[0] == 0
    return path


def _entries(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _write(path, entries):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)


def _npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _edit_json(entry, edit):
    def change(entries):
        document = json.loads(np.load(io.BytesIO(entries[entry])).item())
        edit(document)
        entries[entry] = _npy(np.array(json.dumps(document)))
    return change


def _header(text):
    def change(entries):
        data = entries["checkpoint/order.npy"]
        entries["checkpoint/order.npy"] = data[:10] + text.ljust(len(data[10:128])).encode("latin1") + data[128:]
    return change


def _deep(entry):
    def change(entries):
        entries[entry] = _npy(np.array("[" * 100_000 + "]" * 100_000))
    return change


def _huge_step(entries):
    """A 5,000-digit step: Python's int parser refuses it (the limit against quadratic-time parsing)."""
    text = np.load(io.BytesIO(entries["checkpoint/state.npy"])).item()
    entries["checkpoint/state.npy"] = _npy(np.array(text.replace('"step":12', '"step":' + "9" * 5000, 1)))


def _set(path_keys, value):
    def edit(document):
        node = document
        for key in path_keys[:-1]:
            node = node[key]
        node[path_keys[-1]] = value
    return _edit_json("checkpoint/state.npy", edit)


def _drop(names):
    def change(entries):
        for name in names:
            entries.pop(name)
        _set(["trainer", "optimizer", "state", "m"], {})(entries)
    return change


HOSTILE = [
    (_header("{'descr': '<i8', 'fortran_order': False, 'shape': (10000000000000,), }"), "too large to hold"),
    (_header("{'descr': '<i8', 'fortran_order': False, 'shape': (3,"), "damaged header"),
    (_deep("checkpoint/state.npy"), "is not valid JSON (RecursionError"),
    (_deep("architecture.npy"), "is not valid JSON (RecursionError"),
    (_huge_step, "is not valid JSON (ValueError"),
    (_set(["trainer", "rng", "state", "state"], 2**200), "rng is not a state of a PCG64 generator"),
    (_set(["trainer", "rng", "uinteger"], -1), "rng is not a state of a PCG64 generator"),
    (_set(["run", "options", "model"], "bogus"), "its run record is damaged: model 'bogus' is not one of"),
    (_set(["run", "options", "dtype"], "bogus"), "its run record is damaged: dtype 'bogus'"),
    (_set(["run", "checkpoint_every"], 0), "was not written by bprop train"),
    (_set(["trainer", "optimizer", "hyperparameters", "lr"], 0.5), "the optimizer's lr 0.5 is not the run's 0.001"),
    (_drop(["checkpoint/optimizer/state/m/W1.npy", "checkpoint/optimizer/state/m/b1.npy",
            "checkpoint/optimizer/state/m/W2.npy", "checkpoint/optimizer/state/m/b2.npy"]),
     "optimizer state 'm' lacks W1, W2, b1, b2"),
]


@pytest.mark.parametrize("change, words", HOSTILE, ids=[w for _, w in HOSTILE])
def test_a_hostile_or_hand_edited_checkpoint_is_refused_in_one_line(saved, capsys, change, words):
    entries = _entries(saved)
    change(entries)
    _write(saved, entries)
    before = saved.read_bytes()
    code, _, err = run_cli(capsys, "train", "--resume", str(saved), "--iters", "20")
    assert code == 2
    line = one_line_error(err, "train")
    assert words in line and str(saved) in line
    assert saved.read_bytes() == before


def test_data_that_differs_only_in_its_test_set_is_refused(saved, tiny_dataset, tmp_path, capsys):
    import shutil

    other = tmp_path / "other"
    shutil.copytree(tiny_dataset, other)
    labels = other / "t10k-labels-idx1-ubyte"
    data = bytearray(labels.read_bytes())
    data[-1] = (data[-1] + 1) % 6
    labels.write_bytes(bytes(data))
    code, _, err = run_cli(capsys, "train", "--resume", str(saved), "--iters", "20", "--data", str(other))
    assert code == 2 and "are not those" in one_line_error(err, "train")


def test_a_checkpoint_not_named_npz_is_not_continued_under_another_name(saved, capsys):
    renamed = saved.with_suffix(".ckpt")
    saved.rename(renamed)
    code, _, err = run_cli(capsys, "train", "--resume", str(renamed), "--iters", "20")
    assert code == 2 and "checkpoints are written as .npz files" in one_line_error(err, "train")
    assert not renamed.with_name(renamed.name + ".npz").exists()


@pytest.mark.parametrize("signum, kind", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)])
def test_a_signal_during_a_deferred_write_is_raised_once_the_write_is_done(signum, kind):
    import os

    done = []
    with pytest.raises(kind):
        with interrupts_deferred():
            os.kill(os.getpid(), signum)
            done.append("the write finished")
    assert done == ["the write finished"]
