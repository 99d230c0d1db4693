"""bprop.plot.LivePlot: in a (faked) notebook one figure updated in place through one display handle,
throttled, never cleared; elsewhere a line per update and an atomically saved file."""

import subprocess
import sys
import types

import numpy as np
import pytest

from bprop.nets import TwoLayerNet
from bprop.plot import LivePlot
from bprop.train import Trainer

from support import PNG_SIGNATURE


class _Clock:
    """A clock the test moves: a callback placed before the LivePlot adds ``step`` seconds per training step."""

    def __init__(self, step=1.0):
        self.now, self.step = 0.0, step

    def __call__(self, trainer=None):
        if trainer is not None:
            self.now += self.step
        return self.now


class _Handle:
    def __init__(self, shown):
        self.shown = [shown]

    def update(self, obj):
        self.shown.append(obj)


@pytest.fixture
def notebook(monkeypatch):
    """IPython.display faked: display(..., display_id=True) gives a handle that records each update; clear_output
    fails the test."""
    pytest.importorskip("matplotlib")
    displayed = []

    def display(obj, display_id=False):
        assert display_id is True, "LivePlot must ask for a display handle"
        displayed.append(_Handle(obj))
        return displayed[-1]

    def clear_output(*args, **kwargs):
        raise AssertionError("LivePlot must not clear the cell's output")

    package = types.ModuleType("IPython")
    package.version_info = (9, 0, 0)  # matplotlib reads it when IPython is imported
    package.display = types.ModuleType("IPython.display")
    package.display.display, package.display.clear_output = display, clear_output
    monkeypatch.setitem(sys.modules, "IPython", package)
    monkeypatch.setitem(sys.modules, "IPython.display", package.display)
    return displayed


def _trainer(callbacks, epochs=3, **kwargs):
    rng = np.random.default_rng(0)
    t = rng.integers(0, 3, 60)
    x = (np.eye(3, 4)[t] * 3 + rng.standard_normal((60, 4))).astype(np.float32)
    net = TwoLayerNet(4, 8, 3, dtype=np.float32, rng=0)
    args = {"epochs": epochs, "mini_batch_size": 10, "optimizer_param": {"lr": 0.1}, "verbose": False,
            "progress": False, "callbacks": callbacks, **kwargs}
    return Trainer(net, x, t, x[:30], t[:30], **args)


def test_in_a_notebook_one_figure_is_shown_then_updated_in_place_and_prints_survive(notebook, capsys):
    clock = _Clock()
    live = LivePlot(every=5, notebook=True, clock=clock)
    _trainer([clock, live], verbose=True).train()  # 18 steps, one second each
    assert len(notebook) == 1  # one display call, one handle
    shown = notebook[0].shown
    # steps 1, 6, 11, 16 (every 5 s), then the last one, 18, when train() ends
    assert len(shown) == 5 and live.updates == 5
    assert all(image._repr_png_().startswith(PNG_SIGNATURE) for image in shown)
    assert len({image._repr_png_() for image in shown}) == 5  # each update drew the curves anew
    assert capsys.readouterr().out.count("epoch ") == 3  # the cell's prints are still there


def test_a_second_train_call_keeps_updating_the_same_figure(notebook):
    clock = _Clock()
    live = LivePlot(every=100, notebook=True, clock=clock)
    trainer = _trainer([clock, live], epochs=1)
    trainer.train()
    trainer.max_iter += 6
    trainer.train()
    assert len(notebook) == 1 and len(notebook[0].shown) == 3  # the first step, then each call's end


class _Run:
    """What LivePlot reads of a Trainer."""

    def __init__(self):
        from bprop.train import History

        self.history, self.current_iter, self.max_iter = History(), 0, 100

    def step(self, loss):
        self.current_iter += 1
        self.history.loss.append(loss)
        return self


def test_updates_are_throttled_to_every_seconds_and_the_end_always_shows():
    lines, clock, run = [], _Clock(), _Run()
    live = LivePlot(every=2.0, notebook=False, log=lines.append, clock=clock)
    for t in (0.0, 0.5, 1.9, 2.0, 3.0, 3.9, 4.1):
        clock.now = t
        live(run.step(1.0))
    assert [line.split()[2] for line in lines] == ["1/100", "4/100", "7/100"]
    live.finish(run)
    assert len(lines) == 3  # the last step was just shown
    live(run.step(0.5))
    live.finish(run)
    assert lines[-1] == "live  step   8/100  loss 0.5000"


def test_outside_a_notebook_each_update_is_a_line_with_the_mean_loss_and_the_accuracies():
    lines, clock = [], _Clock()
    live = LivePlot(every=6, notebook=False, log=lines.append, clock=clock)
    trainer = _trainer([clock, live])
    history = trainer.train()
    assert [line.split()[2] for line in lines] == ["1/18", "7/18", "13/18", "18/18"]
    assert lines[0] == f"live  step  1/18  loss {history.loss[0]:.4f}"
    assert lines[-1] == (f"live  step 18/18  loss {np.mean(history.loss[13:]):.4f}  "
                         f"train acc {history.train_acc[-1]:.4f}  test acc {history.test_acc[-1]:.4f}")


def test_save_writes_the_figure_atomically_and_path_writes_it_at_the_end(tmp_path):
    pytest.importorskip("matplotlib")
    clock = _Clock()
    live = LivePlot(every=100, notebook=False, log=lambda line: None, clock=clock, path=tmp_path / "end.png")
    _trainer([clock, live]).train()
    assert (tmp_path / "end.png").read_bytes().startswith(PNG_SIGNATURE)
    saved = live.save(tmp_path / "curves.svg")
    assert saved == tmp_path / "curves.svg" and saved.read_text().lstrip().startswith("<?xml")
    from matplotlib.text import Text

    assert "step 18/18" in {t.get_text() for t in live.figure().findobj(Text)}  # the figure's title
    assert sorted(p.name for p in tmp_path.iterdir()) == ["curves.svg", "end.png"]  # no temporary file left


def test_the_figure_needs_an_update_first():
    with pytest.raises(RuntimeError, match="LivePlot has shown nothing yet"):
        LivePlot(notebook=False).figure()


def test_every_must_be_a_number_of_seconds():
    with pytest.raises(ValueError, match="every"):
        LivePlot(every=-1, notebook=False)
    with pytest.raises(TypeError, match="every"):
        LivePlot(every="2", notebook=False)


def test_without_matplotlib_a_drawing_liveplot_says_how_to_install_it_and_lines_still_work():
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from bprop.plot import LivePlot, MatplotlibMissing\n"
            "LivePlot(notebook=False)\n"
            "try:\n    LivePlot(notebook=True)\nexcept MatplotlibMissing as exc:\n    print(exc)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'bprop[plot]'" in out
