"""``bprop train`` with book 2's models, and similar / analogy / generate / translate on what it saved.

The data is cut to a few hundred rows (``small_data``): these check the commands, not the learning, which
tests/nets and tests/nlp check."""

import numpy as np
import pytest

from support import one_line_error, run_cli


@pytest.fixture
def small_data(monkeypatch):
    from bprop.cli import train_nlp

    load = train_nlp._load

    def cut(model_name, spec):
        data = load(model_name, spec)
        data.train = tuple(a[:3000] if a.ndim == 1 else a[:400] for a in data.train)
        data.test = tuple(a[:2000] if a.ndim == 1 else a[:100] for a in data.test)
        return data

    monkeypatch.setattr(train_nlp, "_load", cut)


TINY = ["--epochs", "1", "--hidden", "8", "--wordvec", "8"]


def test_a_language_model_trains_saves_and_writes_text(small_data, tmp_path, capsys):
    path = tmp_path / "lm.npz"
    code, out, err = run_cli(capsys, "train", "--model", "lstm-lm", *TINY, "--time-size", "10", "--save", str(path))
    assert code == 0, err
    assert "Rnnlm(vocab_size=10000, wordvec_size=8, hidden_size=8); SGD lr=20" in out
    assert "epoch 1/1  train perplexity" in out and "validation perplexity" in out
    code, text, err = run_cli(capsys, "generate", str(path), "--start", "she was", "--length", "12", "--seed", "1")
    assert code == 0, err
    assert text.startswith("she was ") and len(text.replace(".\n", " <eos> ").split()) == 12
    assert run_cli(capsys, "generate", str(path), "--start", "she was", "--length", "12", "--seed", "1")[1] == text
    code, out, _ = run_cli(capsys, "similar", "she", str(path), "--top", "3")
    assert code == 0 and len(out.splitlines()) == 3


def test_word_vectors_train_and_answer_similar_and_analogy(small_data, tmp_path, capsys):
    path = tmp_path / "cbow.npz"
    code, out, err = run_cli(capsys, "train", "--model", "cbow", "--epochs", "1", "--hidden", "8", "--window", "2",
                             "--save", str(path), "--quiet")
    assert code == 0, err
    assert "loss" in out
    code, out, _ = run_cli(capsys, "analogy", str(path), "he", "his", "she", "--top", "2")
    assert code == 0 and out.startswith("he : his = she : ?") and len(out.splitlines()) == 3
    code, _, err = run_cli(capsys, "similar", "zzzz", str(path))
    assert code == 2 and "'zzzz' not in the model's 10,000-word vocabulary" in one_line_error(err, "similar")
    code, _, err = run_cli(capsys, "generate", str(path))
    assert code == 2 and "does not write text" in one_line_error(err, "generate")


def test_an_attention_seq2seq_trains_on_dates_and_translates(small_data, tmp_path, capsys):
    path = tmp_path / "date.npz"
    code, out, err = run_cli(capsys, "train", "--model", "attention-seq2seq", *TINY, "--save", str(path))
    assert code == 0, err
    assert "epoch 1/1  loss" in out and "test accuracy" in out
    code, out, err = run_cli(capsys, "translate", str(path), "september 27, 1994")
    assert code == 0, err
    assert len(out.strip()) <= 10 and set(out.strip()) <= set("0123456789-")
    code, _, err = run_cli(capsys, "translate", str(path), "x" * 40)
    assert code == 2 and "this model reads at most 29" in one_line_error(err, "translate")


@pytest.mark.parametrize("argv, words", [
    (["--model", "lstm-lm", "--data", "addition"], "--model lstm-lm trains on words"),
    (["--model", "seq2seq", "--data", "corpus"], "--model seq2seq trains on --data addition or date"),
    (["--model", "cbow", "--iters", "5"], "--iters applies to the book-1 models"),
    (["--model", "rnnlm", "--dropout", "0.3"], "--dropout applies to --model better-lstm-lm"),
    (["--model", "two-layer", "--reverse"], "--reverse applies to the seq2seq models"),
    (["--model", "two-layer", "--time-size", "5"], "--time-size applies to book 2's models"),
    (["--model", "seq2seq", "--max-grad", "-1"], "--max-grad expects a number > 0"),
    (["--model", "cbow", "--plot", "x.xyz"], "expected a figure file name ending in .png, .svg, .pdf"),
])
def test_book2_options_in_the_wrong_place_are_one_clear_line(capsys, argv, words):
    code, _, err = run_cli(capsys, "train", *argv)
    assert code == 2 and words in one_line_error(err, "train")


def test_a_book1_net_is_not_a_book2_model(tmp_path, capsys):
    from bprop.nets import TwoLayerNet

    path = TwoLayerNet(4, 3, 2).save(tmp_path / "net.npz")
    code, _, err = run_cli(capsys, "translate", str(path), "1+1")
    assert code == 2 and "not a book-2 model" in one_line_error(err, "translate")
    code, _, err = run_cli(capsys, "similar", "x", str(tmp_path / "missing.npz"))
    assert code == 2 and "no such model file" in one_line_error(err, "similar")
    assert np.load(path)["W1"].shape == (4, 3)


def test_plot_attention_draws_where_each_answer_character_looked(small_data, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from support import png_size

    path = tmp_path / "date.npz"
    assert run_cli(capsys, "train", "--model", "attention-seq2seq", *TINY, "--save", str(path), "--quiet")[0] == 0
    picture = tmp_path / "attention.png"
    code, out, err = run_cli(capsys, "plot", "attention", str(path), "september 27, 1994", "-o", str(picture))
    assert code == 0, err
    assert out.startswith("'september 27, 1994' → ") and "looked most at" in out
    width, height = png_size(picture.read_bytes())
    assert width > height > 100
    model = __import__("bprop.nets", fromlist=["load_model"]).load_model(path)
    from bprop.cli.words import translate

    translate(model, "september 27, 1994")
    np.testing.assert_allclose(model.attention_map().sum(axis=2), 1.0, rtol=1e-5)


@pytest.mark.parametrize("model, measure", [
    ("skipgram", "loss"), ("rnnlm", "validation perplexity"), ("better-lstm-lm", "validation perplexity"),
    ("seq2seq", "test accuracy"), ("peeky-seq2seq", "test accuracy"),
])
def test_every_book2_model_trains_saves_and_loads(small_data, tmp_path, capsys, model, measure):
    from bprop.nets import load_model

    path = tmp_path / "model.npz"
    argv = ["--epochs", "1", "--hidden", "8", "--save", str(path)]
    if model != "skipgram":
        argv += ["--wordvec", "8", "--time-size", "10"] if "lm" in model else ["--wordvec", "8"]
    if model == "skipgram":
        argv += ["--window", "2"]
    code, out, err = run_cli(capsys, "train", "--model", model, *argv)
    assert code == 0, err
    assert "epoch 1/1  " in out and measure in out
    loaded = load_model(path)
    assert loaded.meta["kind"] == ("chars" if "seq2seq" in model else "words")


def test_better_lstm_lm_divides_lr_by_4_when_validation_stalls_and_keeps_the_best_epoch():
    from types import SimpleNamespace

    from bprop.cli.train_nlp import _BestEpoch
    from bprop.optim import SGD

    W = np.zeros(3)
    model, optimizer = SimpleNamespace(params=[W, W]), SGD(lr=20.0)  # a tied weight appears twice
    best = _BestEpoch(model, optimizer)
    notes = []
    for epoch, perplexity in enumerate([300.0, 200.0, 210.0, 190.0, 195.0], start=1):
        W[...] = epoch  # the weights each epoch ends with
        notes.append(best.after_epoch(perplexity))
    assert notes == ["", "", "  (not below 200.00: lr 20 → 5)", "", "  (not below 190.00: lr 5 → 1.25)"]
    assert optimizer.lr == 1.25
    assert best.restore() and best.epoch == 4 and best.perplexity == 190.0
    np.testing.assert_array_equal(W, [4.0, 4.0, 4.0])
    best.after_epoch(100.0)
    assert not best.restore()  # the last epoch is the best: its weights stay


def test_better_lstm_lm_prints_the_schedule_in_its_epoch_lines(small_data, capsys):
    code, out, err = run_cli(capsys, "train", "--model", "better-lstm-lm", "--epochs", "3", "--hidden", "8",
                             "--wordvec", "8", "--time-size", "10", "--lr", "1000")
    assert code == 0, err
    assert "epoch 3/3  train perplexity" in out
    lines = [line for line in out.splitlines() if line.startswith("epoch ")]
    perplexities = [float(line.split("validation perplexity ")[1].split()[0]) for line in lines]
    for before, line, now in zip(np.minimum.accumulate(perplexities), lines[1:], perplexities[1:]):
        assert ("(not below" in line) == (now >= before), line


@pytest.mark.parametrize("model, measures", [
    ("lstm-lm", ["train perplexity", "validation perplexity"]), ("seq2seq", ["test accuracy"]),
])
def test_plot_draws_the_reports_and_each_epochs_measures(small_data, tmp_path, capsys, monkeypatch, model,
                                                          measures):
    pytest.importorskip("matplotlib")
    from bprop import plot

    drawn = {}
    figure = plot.epochs_figure

    def keep(iterations, steps, step_label, epochs, title=None):
        drawn.update(iterations=iterations, steps=steps, label=step_label, epochs=epochs)
        return figure(iterations, steps, step_label, epochs, title)

    monkeypatch.setattr(plot, "epochs_figure", keep)
    picture = tmp_path / "curves.png"
    extra = ["--time-size", "10"] if model == "lstm-lm" else []
    code, out, err = run_cli(capsys, "train", "--model", model, "--epochs", "2", "--hidden", "8", "--wordvec", "8",
                             *extra, "--plot", str(picture))
    assert code == 0, err
    assert f"wrote the training curves to {picture}" in out
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(drawn["epochs"]) == measures and all(len(v) == 2 for v in drawn["epochs"].values())
    lines = [line for line in out.splitlines() if line.startswith("epoch ")]
    last = drawn["epochs"][measures[-1]][-1]
    assert f"{measures[-1]} {last:.{2 if 'perplexity' in measures[-1] else 4}f}" in lines[-1]
    iterations = drawn["iterations"]
    assert iterations[0] == 1 and iterations == sorted(iterations) and len(iterations) == len(drawn["steps"])
