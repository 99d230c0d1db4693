"""``bprop check`` on book 2's LSTM cell and GRU, through the command and its child process: a correct one passes, a
buggy one names its cause in English and Japanese, and an LSTM that returns too few arrays gets words, not a
traceback."""

import json

import pytest

from support import LEARNER, run_cli

BOOK2 = LEARNER / "book2"


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def test_a_correct_lstm_passes(capsys):
    status, out, err = run_cli(capsys, "check", f"{BOOK2 / 'lstm.py'}:LSTM")
    assert status == 0, out + err
    assert "inputs: x (4, 5) float64, h_prev (4, 3) float64, c_prev (4, 3) float64" in out
    assert "dc_prev: backward agrees with central differences" in out
    assert "forward agrees with bprop.layers.LSTM" in out
    assert "FAIL" not in out and out.rstrip().endswith("All checks passed.")


def test_an_lstm_forgetting_tanh_in_ds_fails_and_says_so(capsys):
    status, out, _ = run_cli(capsys, "check", f"{BOOK2 / 'lstm_ds_no_tanh.py'}:LSTM")
    assert status == 1
    assert "FAIL  dc_prev: ds leaves out tanh's derivative on the way from h_next to c_next" in out
    assert "ds = dc_next + (dh_next * o) * (1 - tanh_c_next ** 2)" in out
    status, out, _ = run_cli(capsys, "check", f"{BOOK2 / 'lstm_ds_no_tanh.py'}:LSTM", "--lang", "ja")
    assert status == 1
    assert "ds で h_next から c_next への tanh の微分が抜けています" in out


def test_an_lstm_with_gates_in_torchs_order_is_named_in_json(capsys):
    status, out, _ = run_cli(capsys, "check", f"{BOOK2 / 'lstm_gates_ifgo.py'}:LSTM", "--json")
    data = json.loads(out)
    assert status == 1 and data["verdict"] == "fail"
    reference = next(c for c in data["checks"] if c["check"] == "reference")
    assert reference["key"] == "seq.lstm_gate_order" and reference["params"]["order"] == "i, f, g, o"


@pytest.mark.parametrize("file, phrase", [
    ("lstm_forward_h_only.py", "an LSTM cell returns two arrays, (h_next, c_next)"),
    ("lstm_backward_two_grads.py", "backward returned 2 gradients for 3 inputs; expected (dx, dh_prev, dc_prev)"),
])
def test_an_lstm_returning_too_few_arrays_gets_words_not_a_traceback(capsys, file, phrase):
    status, out, err = run_cli(capsys, "check", f"{BOOK2 / file}:LSTM")
    assert status == 1
    assert phrase in out
    assert "Traceback" not in out + err


def test_a_gru_with_z_and_r_swapped_is_named_with_the_gradients_as_the_learner_calls_them(capsys):
    status, out, err = run_cli(capsys, "check", f"{BOOK2 / 'gru_gates_swapped.py'}:GRU")
    assert status == 1, out + err
    assert "your forward takes z from the second block of A and r from the first" in out
    assert "FAIL  dWx is the gradient of the book's GRU, but your forward computes z = σ(A[:, H:2H])" in out
    assert "grads[0]" not in out and "Traceback" not in out + err
    status, out, _ = run_cli(capsys, "check", f"{BOOK2 / 'gru_gates_swapped.py'}:GRU", "--lang", "ja")
    assert status == 1
    assert "あなたの forward は z を A の 2 番目のブロックから、r を 1 番目から取っています" in out
