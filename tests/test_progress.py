"""How a training run reports while it runs: when a progress bar shows, tqdm's or the plain text one,
and the Trainer's callbacks."""

import io
import sys
import types

import numpy as np
import pytest

from bprop import _progress
from bprop._progress import TextBar
from bprop.nets import TwoLayerNet
from bprop.train import Trainer


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def _trainer(**kwargs):
    rng = np.random.default_rng(0)
    t = rng.integers(0, 3, 60)
    x = (np.eye(3, 4)[t] * 3 + rng.standard_normal((60, 4))).astype(np.float32)
    net = TwoLayerNet(4, 8, 3, dtype=np.float32, rng=0)
    args = {"epochs": 3, "mini_batch_size": 10, "optimizer_param": {"lr": 0.1}, "verbose": False, **kwargs}
    return Trainer(net, x, t, x[:30], t[:30], **args)


def _fake_ipython(monkeypatch, shell):
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", module)


# --- when a bar shows ------------------------------------------------------------------------------


def test_progress_true_or_false_decides_alone():
    assert _progress.wanted(True, verbose=False) is True
    assert _progress.wanted(False, verbose=True) is False


def test_by_default_a_bar_shows_on_a_terminal_or_in_a_notebook_never_in_captured_output(monkeypatch):
    monkeypatch.setattr(_progress, "in_notebook", lambda: False)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert _progress.wanted(None, verbose=True) is False
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert _progress.wanted(None, verbose=True) is True
    assert _progress.wanted(None, verbose=False) is False
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    assert _progress.wanted(None, verbose=True) is True


def test_a_notebook_is_an_ipython_shell_with_a_kernel(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert _progress.in_notebook() is False
    _fake_ipython(monkeypatch, None)  # IPython imported, no shell running
    assert _progress.in_notebook() is False
    _fake_ipython(monkeypatch, types.SimpleNamespace())  # the IPython terminal: no kernel
    assert _progress.in_notebook() is False
    _fake_ipython(monkeypatch, types.SimpleNamespace(kernel=object()))
    assert _progress.in_notebook() is True


# --- which bar -------------------------------------------------------------------------------------


def test_without_tqdm_the_bar_is_the_text_one(monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import fails
    monkeypatch.setattr(_progress, "in_notebook", lambda: False)
    bar = _progress.progress_bar(50, 10)
    assert isinstance(bar, TextBar) and bar.file is sys.stderr and (bar.n, bar.total) == (10, 50)


def test_with_tqdm_the_bar_is_tqdm_auto(monkeypatch):
    auto = pytest.importorskip("tqdm.auto")
    monkeypatch.setattr(_progress, "in_notebook", lambda: False)
    bar = _progress.progress_bar(50, 10)
    try:
        assert isinstance(bar, auto.tqdm) and (bar.n, bar.total) == (10, 50)
    finally:
        bar.close()


def test_in_a_notebook_without_ipywidgets_tqdm_gives_way_to_text_lines_on_stdout(monkeypatch):
    pytest.importorskip("tqdm.auto")
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    find_spec = _progress.importlib.util.find_spec
    monkeypatch.setattr(_progress.importlib.util, "find_spec",
                        lambda name, *a: None if name == "ipywidgets" else find_spec(name, *a))
    bar = _progress.progress_bar(50)
    assert isinstance(bar, TextBar) and bar.file is sys.stdout and not bar.rewrite


# --- the text bar ----------------------------------------------------------------------------------


def test_on_a_terminal_the_text_bar_is_one_line_rewritten_and_erased_at_the_end():
    out, clock = _Terminal(), _Clock()
    bar = TextBar(10, file=out, clock=clock)
    assert bar.rewrite
    for _ in range(5):
        clock.now += 1.0
        bar.update()
    assert "\n" not in out.getvalue()
    assert out.getvalue().split("\r")[-1].rstrip() == " 50% [##########..........] 5/10 steps, 1.0 steps/s, 0:05 left"
    bar.close()
    assert out.getvalue().endswith("\r" + " " * len(bar.text()) + "\r")


def test_the_terminal_bar_redraws_at_most_every_mininterval():
    out, clock = _Terminal(), _Clock()
    bar = TextBar(100, file=out, clock=clock, mininterval=0.5)
    for _ in range(99):
        clock.now += 0.125
        bar.update()
    assert out.getvalue().count("\r") == 25  # the first step, then every fourth (0.5 s)
    bar.update()
    assert out.getvalue().split("\r")[-1].startswith("100% [####################] 100/100 steps")


def test_elsewhere_the_text_bar_writes_a_line_each_tenth():
    out = io.StringIO()
    bar = TextBar(200, file=out, clock=_Clock())
    assert not bar.rewrite
    for _ in range(200):
        bar.update()
    bar.close()
    lines = out.getvalue().splitlines()
    assert [line.split("%")[0].strip() for line in lines] == [str(p) for p in range(10, 101, 10)]
    assert lines[-1].startswith("100% [####################] 200/200 steps")


def test_a_line_written_through_the_bar_goes_to_stdout_above_the_bar(capsys):
    out = _Terminal()
    bar = TextBar(4, file=out, clock=_Clock())
    bar.update()
    bar.write("epoch 1/4")
    assert capsys.readouterr().out == "epoch 1/4\n"
    line = " 25% [#####...............] 1/4 steps"
    assert out.getvalue() == "\r" + line + "\r" + " " * len(line) + "\r" + "\r" + line  # erased, drawn again


# --- the Trainer ---------------------------------------------------------------------------------------


def test_trainer_without_tqdm_shows_the_text_bar_and_keeps_the_epoch_lines(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    _trainer(verbose=True, progress=True).train()
    captured = capsys.readouterr()
    assert captured.out.count("epoch ") == 3
    assert captured.err.splitlines()[-1].startswith("100% [####################] 18/18 steps")


def test_trainer_shows_no_bar_in_captured_output_by_default(capsys):
    _trainer(verbose=True).train()
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.count("epoch ") == 3


def test_callbacks_are_called_after_every_step_then_finish_once():
    seen = []

    class Recorder:
        def __call__(self, trainer):
            seen.append((trainer.current_iter, len(trainer.history.test_acc)))

        def finish(self, trainer):
            seen.append(("finish", trainer.current_iter))

    _trainer(iters=8, callbacks=[Recorder()]).train()
    # 6 steps an epoch: the evaluation of step 6 comes before its callback; step 8 ends mid-epoch.
    assert seen == [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 1), (7, 1), (8, 2), ("finish", 8)]


def test_finish_is_called_when_training_is_interrupted():
    finished = []

    def stop(trainer):
        if trainer.current_iter == 3:
            raise KeyboardInterrupt

    stop.finish = lambda trainer: finished.append(trainer.current_iter)
    with pytest.raises(KeyboardInterrupt):
        _trainer(callbacks=[stop]).train()
    assert finished == [3]


def test_a_callback_must_be_callable_and_may_come_alone():
    with pytest.raises(TypeError, match="callbacks must be callables taking the trainer, got 3"):
        _trainer(callbacks=[3])
    assert _trainer(callbacks=print).callbacks == [print]
