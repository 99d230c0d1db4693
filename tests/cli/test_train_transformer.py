"""``bprop train --model gpt|transformer-seq2seq``, then generate / translate / plot attention on what it saved.

The data is cut to a few hundred rows and the models are tiny (``small_data``, ``TINY``): these check the
commands, not the learning, which tests/nets/test_transformer_nets.py checks."""

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


TINY = ["--epochs", "1", "--layers", "1", "--d-model", "16", "--heads", "2"]


def test_a_gpt_trains_on_the_corpus_saves_and_writes_text(small_data, tmp_path, capsys):
    from bprop.nets import GPT, load_model

    path = tmp_path / "gpt.npz"
    code, out, err = run_cli(capsys, "train", "--model", "gpt", *TINY, "--context", "16", "--batch-size", "8",
                             "--save", str(path))
    assert code == 0, err
    assert out.startswith("GPT(vocab_size=10000, context=16, d_model=16, num_heads=2, num_layers=1, d_ff=64, "
                          "dropout=0.0); 173,568 parameters; AdamW lr=0.003 weight_decay=0.1, warmup 22 of 23 ")
    assert "| epoch 1 |  iter 1 / 23 |" in out
    assert "epoch 1/1  train loss " in out and "validation perplexity" in out
    model = load_model(path)
    assert isinstance(model, GPT) and model.meta["kind"] == "words" and len(model.meta["vocab"]) == 10000
    code, text, err = run_cli(capsys, "generate", str(path), "--start", "she was", "--length", "12", "--seed", "1")
    assert code == 0, err
    assert text.startswith("she was ") and len(text.replace(".\n", " <eos> ").split()) == 12
    assert run_cli(capsys, "generate", str(path), "--start", "she was", "--length", "12", "--seed", "1")[1] == text
    code, out, _ = run_cli(capsys, "similar", "she", str(path), "--top", "3")
    assert code == 0 and len(out.splitlines()) == 3


def test_a_character_gpt_trains_on_a_text_file_and_writes_in_its_alphabet(tmp_path, capsys):
    from bprop.nets import load_model

    text = tmp_path / "poem.txt"
    text.write_text("über den wipfeln ist ruh, in allen gipfeln spürest du kaum einen hauch.\n" * 12,
                    encoding="utf-8")
    path = tmp_path / "chars.npz"
    code, out, err = run_cli(capsys, "train", "--model", "gpt", "--data", f"chars:{text}", *TINY, "--context", "12",
                             "--batch-size", "4", "--lr", "0.01", "--warmup", "5", "--save", str(path), "--quiet")
    assert code == 0, err
    assert "validation perplexity" in out
    meta = load_model(path).meta
    assert meta["kind"] == "chars" and meta["data"] == f"chars:{text}" and "ü" in meta["vocab"]
    code, written, err = run_cli(capsys, "generate", str(path), "--start", "über", "--length", "30", "--seed", "3")
    assert code == 0, err
    assert written.startswith("über") and len(written.rstrip("\n")) <= 30 and set(written) <= set(meta["vocab"])
    code, written, err = run_cli(capsys, "generate", str(path), "--length", "5")
    assert code == 0 and written.startswith("ü")  # the text's first character
    code, _, err = run_cli(capsys, "generate", str(path), "--start", "XYZ")
    assert code == 2 and "'XYZ' are not in the model's alphabet" in one_line_error(err, "generate")
    code, _, err = run_cli(capsys, "translate", str(path), "1+1")
    assert code == 2 and "needs a seq2seq model" in one_line_error(err, "translate")


def test_plot_attention_draws_a_gpts_causal_self_attention_over_a_text_per_layer_and_head(small_data, tmp_path,
                                                                                         capsys):
    from bprop.nets import load_model

    pytest.importorskip("matplotlib")
    path, picture = tmp_path / "gpt.npz", tmp_path / "attention.png"
    assert run_cli(capsys, "train", "--model", "gpt", *TINY, "--layers", "2", "--context", "8", "--batch-size", "8",
                   "--save", str(path), "--quiet")[0] == 0
    code, out, err = run_cli(capsys, "plot", "attention", str(path), "she was not in the", "--layer", "1",
                             "--head", "2", "-o", str(picture))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "'she was not in the'  (self-attention, layer 1 of 2, head 2 of 2)"
    assert lines[1] == "  'she' looked most at 'she' (1.00)"  # the first word sees only itself
    assert [line.split()[0] for line in lines[1:6]] == ["'she'", "'was'", "'not'", "'in'", "'the'"]
    assert picture.stat().st_size > 1000
    model = load_model(path)
    model.predict(np.array([[model.meta["vocab"].index(w) for w in "she was not in the".split()]]))
    weights = model.attention_map(0, 1)[0]
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(np.triu(weights, 1) == 0)  # causal: nothing after the word itself
    code, out, _ = run_cli(capsys, "plot", "attention", str(path), "she was not in the", "-o", str(picture))
    assert code == 0 and out.startswith("'she was not in the'  (self-attention, layer 2 of 2, mean of 2 heads)")
    code, _, err = run_cli(capsys, "plot", "attention", str(path), "she was not in the room at all that day", "-o",
                           str(picture))
    assert code == 2 and "the text has 10 words; this GPT reads at most 8 at once" in one_line_error(err, "plot")
    code, _, err = run_cli(capsys, "plot", "attention", str(path), "she", "--layer", "3", "-o", str(picture))
    assert code == 2 and "--layer" in one_line_error(err, "plot")


def test_a_transformer_seq2seq_trains_on_dates_translates_and_draws_each_layer_and_head(small_data, tmp_path,
                                                                                         capsys):
    from bprop.cli.words import translate
    from bprop.nets import TransformerSeq2seq, load_model

    path = tmp_path / "date.npz"
    code, out, err = run_cli(capsys, "train", "--model", "transformer-seq2seq", *TINY, "--batch-size", "32",
                             "--save", str(path))
    assert code == 0, err
    assert out.startswith("TransformerSeq2seq(vocab_size=59, d_model=16, num_heads=2, num_layers=1, d_ff=64, "
                          "dropout=0.0, max_len=64); ")
    assert "epoch 1/1  train loss " in out and "test accuracy" in out
    code, out, err = run_cli(capsys, "translate", str(path), "september 27, 1994")
    assert code == 0, err
    assert len(out.strip()) <= 10
    model = load_model(path)
    assert isinstance(model, TransformerSeq2seq) and model.meta["reverse"] is False
    code, _, err = run_cli(capsys, "generate", str(path))
    assert code == 2 and "needs a language model" in one_line_error(err, "generate")

    pytest.importorskip("matplotlib")
    from support import png_size

    picture = tmp_path / "attention.png"
    code, out, err = run_cli(capsys, "plot", "attention", str(path), "september 27, 1994", "--layer", "1",
                             "--head", "2", "-o", str(picture))
    assert code == 0, err
    assert out.startswith("'september 27, 1994' → ") and "(cross-attention, layer 1 of 1, head 2 of 2)" in out
    assert "looked most at" in out
    width, height = png_size(picture.read_bytes())
    assert width > height > 100
    _, answer = translate(model, "september 27, 1994")
    np.testing.assert_allclose(model.attention_map(0, 1).sum(axis=2), 1.0, rtol=1e-5)
    assert model.attention_map(0, 1).shape == (1, len(answer), 29)
    code, out, err = run_cli(capsys, "plot", "attention", str(path), "september 27, 1994", "-o", str(picture))
    assert code == 0 and "mean of 2 heads" in out
    code, _, err = run_cli(capsys, "plot", "attention", str(path), "1+1", "--layer", "2", "-o", str(picture))
    assert code == 2 and "--layer expects a whole number from 1 to 1, got '2'" in one_line_error(err, "plot")


def test_the_transformer_data_is_checked_before_any_training(tmp_path, capsys):
    missing = tmp_path / "missing.txt"
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("caf\xe9 au lait".encode("latin-1"))
    short = tmp_path / "short.txt"
    short.write_text("abc", encoding="utf-8")
    for argv, words in [
        (["--data", f"chars:{missing}"], f"--data chars:{missing}: no such file"),
        (["--data", f"chars:{binary}"], "not UTF-8 text (byte 3 is 0xe9"),
        (["--data", f"chars:{tmp_path}"], "is a folder; give a UTF-8 text file"),
        (["--data", "chars:"], "needs a file name after 'chars:'"),
        (["--data", f"chars:{short}"], "3 characters are too few for one batch of --batch-size 16 × --context 32"),
        (["--data", "date"], "--model gpt trains on text: --data corpus, a folder of PTB files or chars:FILE"),
    ]:
        code, _, err = run_cli(capsys, "train", "--model", "gpt", *argv)
        assert code == 2 and words in one_line_error(err, "train"), argv
    code, _, err = run_cli(capsys, "train", "--model", "transformer-seq2seq", "--data", "corpus")
    assert code == 2 and "--model transformer-seq2seq trains on --data addition or date" in one_line_error(err, "train")


@pytest.mark.parametrize("argv, words", [
    (["--model", "gpt", "--heads", "3"], "--heads 3 does not divide --d-model 128"),
    (["--model", "gpt", "--d-model", "10", "--heads", "4"], "--heads 4 does not divide --d-model 10"),
    (["--model", "gpt", "--context", "0"], "--context expects a whole number >= 1, got '0'"),
    (["--model", "gpt", "--context", "-5"], "--context expects a whole number >= 1, got '-5'"),
    (["--model", "gpt", "--layers", "x"], "--layers expects a whole number >= 1, got 'x'"),
    (["--model", "gpt", "--warmup", "-1"], "--warmup expects a whole number >= 0, got '-1'"),
    (["--model", "gpt", "--weight-decay", "-0.1"], "--weight-decay expects a number >= 0"),
    (["--model", "gpt", "--dropout", "1"], "--dropout expects a number in [0, 1)"),
    (["--model", "gpt", "--optimizer", "sgd"], "--optimizer does not apply to --model gpt; it trains with AdamW"),
    (["--model", "gpt", "--hidden", "8"], "--hidden does not apply to --model gpt"),
    (["--model", "gpt", "--reverse"], "--reverse does not apply to --model gpt"),
    (["--model", "transformer-seq2seq", "--context", "8"], "--context applies to --model gpt"),
    (["--model", "lstm-lm", "--layers", "2"], "--layers applies to --model gpt and transformer-seq2seq, not "
                                              "--model lstm-lm"),
    (["--model", "two-layer", "--d-model", "8"], "--d-model applies to --model gpt and transformer-seq2seq, not "
                                                 "--model two-layer"),
    (["--warmup", "8"], "--warmup applies to --model gpt and transformer-seq2seq, not the book-1 models"),
])
def test_transformer_options_in_the_wrong_place_are_one_clear_line(capsys, argv, words):
    code, _, err = run_cli(capsys, "train", *argv)
    assert code == 2 and words in one_line_error(err, "train")


def test_layer_and_head_are_for_the_transformer_only(small_data, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "date.npz"
    assert run_cli(capsys, "train", "--model", "attention-seq2seq", "--epochs", "1", "--hidden", "8", "--wordvec",
                   "8", "--save", str(path), "--quiet")[0] == 0
    code, _, err = run_cli(capsys, "plot", "attention", str(path), "1+1", "--head", "1",
                           "-o", str(tmp_path / "a.png"))
    assert code == 2 and "--layer and --head apply to a transformer-seq2seq or gpt model" in one_line_error(err, "plot")


@pytest.mark.parametrize("model, extra", [
    ("gpt", ["--context", "16", "--batch-size", "8"]), ("transformer-seq2seq", ["--batch-size", "32"]),
])
def test_plot_draws_a_transformers_training_curves(small_data, tmp_path, capsys, model, extra):
    pytest.importorskip("matplotlib")
    picture = tmp_path / "curves.svg"
    code, out, err = run_cli(capsys, "train", "--model", model, *TINY, *extra, "--plot", str(picture), "--quiet")
    assert code == 0, err
    assert f"wrote the training curves to {picture}" in out
    svg = picture.read_text()
    assert svg.lstrip().startswith("<?xml") and ("validation perplexity" if model == "gpt" else "test accuracy") in svg
