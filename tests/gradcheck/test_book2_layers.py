"""Book 2's recurrent and sequence layers as a learner writes them (tests/learner/book2/): built and checked as
``bprop check`` does, the correct files pass in float64 against central differences and bprop's own layers, and
each buggy twin, one line away from its correct file, fails naming its cause (what the causes say, and the
formulas they compare with: test_book2_causes.py)."""

import difflib

import numpy as np
import pytest

from bprop.gradcheck import check_layer
from bprop.gradcheck.sandbox import check_target

from support import LEARNER, failed_keys, learner

BOOK2 = LEARNER / "book2"

# (file, class, the failed checks' keys: empty for a correct file)
CASES = [
    ("rnn", "RNN", set()),
    ("lstm", "LSTM", set()),
    ("gru", "GRU", set()),
    ("gru", "TimeGRU", set()),
    ("time_rnn", "TimeRNN", set()),
    ("time_rnn", "RNN", set()),
    ("time_lstm", "TimeLSTM", set()),
    ("time_lstm", "LSTM", set()),
    ("embedding", "Embedding", set()),
    ("embedding", "TimeEmbedding", set()),
    ("time_affine", "TimeAffine", set()),
    ("time_softmax_with_loss", "TimeSoftmaxWithLoss", set()),
    ("attention", "WeightSum", set()),
    ("attention", "AttentionWeight", set()),
    ("attention", "Attention", set()),
    ("attention", "TimeAttention", set()),
    ("rnn_no_tanh_grad", "RNN", {"seq.rnn_no_tanh_grad"}),
    ("rnn_grads_rebound", "RNN", {"seq.grads_rebound"}),
    ("lstm_gates_ifgo", "LSTM", {"seq.lstm_gate_order", "seq.lstm_dA_order"}),
    ("lstm_gates_figo", "LSTM", {"seq.lstm_gate_order", "seq.lstm_dA_order"}),
    ("lstm_ds_no_tanh", "LSTM", {"seq.lstm_no_tanh"}),
    ("lstm_dc_prev_no_forget", "LSTM", {"seq.lstm_no_forget"}),
    ("lstm_forward_h_only", "LSTM", {"seq.lstm_outputs"}),
    ("lstm_backward_two_grads", "LSTM", {"bad_grads"}),
    ("time_rnn_dh_not_summed", "TimeRNN", {"seq.time_dh_not_summed"}),
    ("time_rnn_grads_overwritten", "TimeRNN", {"seq.time_grads_overwritten"}),
    ("time_rnn_stateless_carries", "TimeRNN", {"seq.stateless_carries"}),
    ("time_rnn_state_not_carried", "TimeRNN", {"seq.state_not_carried", "seq.unrolled_fail", "grad.mismatch"}),
    ("time_lstm_dh_not_summed", "TimeLSTM", {"seq.time_dh_not_summed"}),
    ("time_lstm_grads_rebound", "TimeLSTM", {"seq.grads_rebound"}),
    ("time_lstm_stateful_restarts", "TimeLSTM", {"seq.stateful_restarts"}),
    ("time_lstm_gates_ifgo", "TimeLSTM", {"seq.lstm_gate_order", "seq.lstm_dA_order"}),
    ("embedding_overwrites", "Embedding", {"seq.embedding_overwrites"}),
    ("embedding_overwrites", "TimeEmbedding", {"seq.embedding_overwrites"}),
    ("time_softmax_ignored_grad", "TimeSoftmaxWithLoss", {"seq.ignored_gets_grad"}),
    ("time_softmax_divided_by_nt", "TimeSoftmaxWithLoss", {"seq.loss_backward_by_all"}),
    ("time_softmax_loss_by_nt", "TimeSoftmaxWithLoss", {"seq.loss_forward_by_all", "grad.factor"}),
    *[(file, cls, keys) for file, keys in [
        ("gru_gates_swapped", {"seq.gru_gate_order", "seq.backward_is_books"}),
        ("gru_mix_swapped", {"seq.gru_mix_swapped", "seq.backward_is_books"}),
        ("gru_reset_after", {"seq.gru_reset_after", "seq.backward_is_books"}),
        ("gru_no_reset", {"seq.gru_no_reset", "seq.backward_is_books"}),
        ("gru_dh_prev_no_direct", {"seq.gru_no_direct"}),
        ("gru_dh_prev_no_reset_path", {"seq.gru_no_reset_path"}),
        ("gru_dh_prev_no_gate_path", {"seq.gru_no_gate_path"}),
    ] for cls in ("GRU", "TimeGRU")],
    ("time_affine_db_per_step", "TimeAffine", {"seq.time_affine_db_shape"}),
    ("time_affine_db_axis", "TimeAffine", {"seq.time_affine_db_axis"}),
    ("time_affine_db_mean", "TimeAffine", {"seq.time_mean_not_sum"}),
    ("time_affine_dw_last_step", "TimeAffine", {"seq.time_affine_one_step"}),
    ("time_affine_rows_order", "TimeAffine", {"seq.time_affine_rows_order"}),
    *[(file, cls, keys) for file, keys in [
        ("attention_weight_no_softmax_grad", {"seq.attention_no_softmax_grad"}),
        ("attention_softmax_axis0", {"seq.attention_softmax_axis", "seq.backward_is_books"}),
        ("attention_softmax_grad_axis0", {"seq.attention_softmax_grad_axis"}),
        ("attention_weight_dh_mean", {"seq.repeat_mean"}),
    ] for cls in ("AttentionWeight", "Attention", "TimeAttention")],
    ("attention_weightsum_dhs_no_a", "WeightSum", {"seq.weightsum_dhs_no_a"}),
    ("attention_weightsum_dhs_no_a", "Attention", {"seq.weightsum_dhs_no_a"}),
    ("attention_weightsum_da_mean", "WeightSum", {"seq.repeat_mean"}),
    ("attention_weightsum_da_mean", "Attention", {"seq.repeat_mean"}),
    ("attention_weightsum_da_axis", "WeightSum", {"shape.fail"}),
    ("attention_one_path", "Attention", {"seq.attention_one_path"}),
    ("attention_one_path", "TimeAttention", {"seq.attention_one_path"}),
    ("time_attention_enc_rebound", "TimeAttention", {"seq.time_attention_enc_last"}),
    ("embedding_dot", "EmbeddingDot", set()),
    ("embedding_dot_overwrites", "EmbeddingDot", {"seq.embedding_overwrites"}),
    ("embedding_dot_dout_row", "EmbeddingDot", {"seq.dout_not_column"}),
    ("time_dropout", "TimeDropout", set()),
    ("time_dropout_no_mask", "TimeDropout", {"grad.no_mask"}),
    ("time_dropout_test_scales", "TimeDropout", {"mode.dropout_double"}),
    ("time_dropout_keeps_ratio", "TimeDropout", {"mode.dropout_fraction_swapped"}),
    ("time_bilstm", "TimeBiLSTM", set()),
    ("time_bilstm_hs_not_flipped", "TimeBiLSTM", {"seq.bilstm_hs_not_flipped", "seq.backward_is_books"}),
    ("time_bilstm_dhs_not_flipped", "TimeBiLSTM", {"seq.bilstm_dhs_not_flipped"}),
    ("time_bilstm_dxs_not_flipped", "TimeBiLSTM", {"seq.bilstm_dxs_not_flipped"}),
    ("negative_sampling", "NegativeSamplingLoss", set()),
    ("negative_sampling_dh_not_summed", "NegativeSamplingLoss", {"seq.nsl_dh_not_summed"}),
    ("negative_sampling_overwrites", "NegativeSamplingLoss", {"seq.embedding_overwrites"}),
]
# each buggy file and the correct file it is one line away from
TWIN_OF = {
    "rnn_no_tanh_grad": "rnn", "rnn_grads_rebound": "rnn", "lstm_gates_ifgo": "lstm", "lstm_gates_figo": "lstm",
    "lstm_ds_no_tanh": "lstm", "lstm_dc_prev_no_forget": "lstm", "lstm_forward_h_only": "lstm",
    "lstm_backward_two_grads": "lstm", "time_rnn_dh_not_summed": "time_rnn",
    "time_rnn_grads_overwritten": "time_rnn", "time_rnn_stateless_carries": "time_rnn",
    "time_rnn_state_not_carried": "time_rnn",
    "time_lstm_dh_not_summed": "time_lstm", "time_lstm_grads_rebound": "time_lstm",
    "time_lstm_stateful_restarts": "time_lstm", "time_lstm_gates_ifgo": "time_lstm",
    "embedding_overwrites": "embedding", "time_softmax_ignored_grad": "time_softmax_with_loss",
    "time_softmax_divided_by_nt": "time_softmax_with_loss", "time_softmax_loss_by_nt": "time_softmax_with_loss",
    **{f"gru_{bug}": "gru" for bug in ("gates_swapped", "mix_swapped", "reset_after", "no_reset",
                                        "dh_prev_no_direct", "dh_prev_no_reset_path", "dh_prev_no_gate_path")},
    **{f"time_affine_{bug}": "time_affine" for bug in ("db_per_step", "db_axis", "db_mean", "dw_last_step",
                                                        "rows_order")},
    **{f"attention_{bug}": "attention" for bug in ("weight_no_softmax_grad", "softmax_axis0", "softmax_grad_axis0",
                                                    "weight_dh_mean", "weightsum_dhs_no_a", "weightsum_da_mean",
                                                    "weightsum_da_axis", "one_path")},
    "time_attention_enc_rebound": "attention",
    "embedding_dot_overwrites": "embedding_dot", "embedding_dot_dout_row": "embedding_dot",
    **{f"time_dropout_{bug}": "time_dropout" for bug in ("no_mask", "test_scales", "keeps_ratio")},
    **{f"time_bilstm_{bug}": "time_bilstm" for bug in ("hs_not_flipped", "dhs_not_flipped", "dxs_not_flipped")},
    "negative_sampling_dh_not_summed": "negative_sampling", "negative_sampling_overwrites": "negative_sampling",
}
NO_REFERENCE = {"time_dropout", "negative_sampling"}  # random: bprop's draw other masks and samples
NO_PARAMS = {"attention", "time_softmax_with_loss", "time_dropout"}


def run(file, cls, dtype="float64", lang="en"):
    """bprop check's own path (build the class, make its inputs, check), in this process."""
    return check_target({"path": str(BOOK2 / f"{file}.py"), "name": cls, "shape": None, "params": {},
                         "dtype": dtype, "strict": False, "lang": lang})


def checks(outcome, status=None):
    return [c for c in outcome.data["checks"] if status is None or c["status"] == status]


def test_every_book2_fixture_is_in_the_table_and_each_twin_is_one_line_away():
    here = {p.stem for p in BOOK2.glob("*.py")}
    assert here == {case[0] for case in CASES} == set(TWIN_OF) | set(TWIN_OF.values())
    assert len(here) >= 20
    for buggy, correct in TWIN_OF.items():
        a = (BOOK2 / f"{correct}.py").read_text().splitlines()
        b = (BOOK2 / f"{buggy}.py").read_text().splitlines()
        assert a[0].startswith("# Correct: ") and b[0].startswith("# Buggy: ")
        changed = [line for line in difflib.unified_diff(a[1:], b[1:], lineterm="", n=0)
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        assert len([c for c in changed if c.startswith("-")]) <= 1, (buggy, changed)
        assert len([c for c in changed if c.startswith("+")]) == 1, (buggy, changed)


@pytest.mark.parametrize("file, cls, keys", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_book2_layer_verdict_and_named_cause(file, cls, keys):
    outcome = run(file, cls)
    failed = {c["key"] for c in checks(outcome, "fail")}
    assert failed == keys, outcome.text
    assert outcome.code == (1 if keys else 0), outcome.text
    assert outcome.data["verdict"] == ("fail" if keys else "pass")
    assert "Traceback" not in outcome.text


CORRECT = [(f, c) for f, c, keys in CASES if not keys]


@pytest.mark.parametrize("file, cls", CORRECT, ids=[f"{f}:{c}" for f, c in CORRECT])
def test_correct_files_pass_in_float64_against_central_differences_and_bprop(file, cls):
    outcome = run(file, cls)
    assert outcome.data["dtype"] == "float64" and outcome.data["ok"], outcome.text
    assert all(row["ok"] for row in outcome.data["gradients"]) and outcome.data["gradients"]
    passed = {c["key"] for c in checks(outcome, "pass")}
    if file not in NO_REFERENCE:
        assert "reference.ok" in passed, outcome.text  # compared with bprop.layers.<the same name>
    if file not in NO_PARAMS:
        assert "seq.grads_in_place" in passed, outcome.text


@pytest.mark.parametrize("file, cls, cell", [
    ("time_rnn", "TimeRNN", "your RNN"), ("time_lstm", "TimeLSTM", "your LSTM"), ("gru", "TimeGRU", "your GRU")])
def test_a_time_layer_equals_its_own_cell_unrolled_and_carries_state_when_stateful(file, cls, cell):
    outcome = run(file, cls)
    passed = {c["key"]: c for c in checks(outcome, "pass")}
    assert passed["seq.unrolled_ok"]["params"] == {"cell": cell, "T": 3}
    assert "seq.stateful_ok" in passed
    assert f"hs equals {cell} run step by step, T = 3 times from h = 0" in outcome.text


def test_a_time_layer_without_its_cell_in_the_file_is_unrolled_with_bprops(tmp_path):
    text = (BOOK2 / "time_rnn.py").read_text().replace("class RNN:", "class Cell:").replace("RNN(Wx, Wh, b)",
                                                                                           "Cell(Wx, Wh, b)")
    (tmp_path / "mine.py").write_text(text)
    outcome = check_target({"path": str(tmp_path / "mine.py"), "name": "TimeRNN", "shape": None, "params": {},
                            "dtype": "float64", "strict": False, "lang": "en"})
    assert outcome.code == 0, outcome.text
    assert "hs equals bprop.layers.RNN run step by step" in outcome.text


@pytest.mark.parametrize("file, cls, phrase", [
    ("lstm_gates_ifgo", "LSTM", "slices the gates of A in the order i, f, g, o; book 2 (and bprop) slice f, g, i, o"),
    ("lstm_gates_figo", "LSTM", "in the order f, i, g, o"),
    ("lstm_ds_no_tanh", "LSTM", "ds = dc_next + (dh_next * o) * (1 - tanh_c_next ** 2)"),
    ("lstm_dc_prev_no_forget", "LSTM", "dc_prev = ds * f"),
    ("rnn_no_tanh_grad", "RNN", "dt = dh_next * (1 - h_next ** 2)"),
    ("rnn_grads_rebound", "RNN", "write self.grads[0][...] = the gradient"),
    ("time_rnn_dh_not_summed", "TimeRNN", "dx, dh = layer.backward(dhs[:, t, :] + dh)"),
    ("time_rnn_grads_overwritten", "TimeRNN", "the gradient of step t = 0 alone"),
    ("embedding_overwrites", "Embedding", "np.add.at(dW, self.idx, dout)"),
    ("time_softmax_ignored_grad", "TimeSoftmaxWithLoss", "ignore_label = -1"),
    ("time_softmax_divided_by_nt", "TimeSoftmaxWithLoss", "divided by N·T = 6, every step, where the number of kept "
     "labels, 4, belongs"),
    ("time_rnn_state_not_carried", "TimeRNN", "hs[:, 1] differs from your RNN run step by step from h = 0"),
    ("time_rnn_state_not_carried", "TimeRNN", "every step starts from h = 0; carry the state"),
    ("lstm_forward_h_only", "LSTM", "an LSTM cell returns two arrays, (h_next, c_next)"),
    ("lstm_backward_two_grads", "LSTM", "backward returned 2 gradients for 3 inputs; expected (dx, dh_prev, dc_prev)"),
])
def test_the_named_cause_says_what_to_write(file, cls, phrase):
    assert phrase in run(file, cls).text


def test_the_causes_read_in_japanese_too():
    ja = run("lstm_ds_no_tanh", "LSTM", lang="ja").text
    assert "ds で h_next から c_next への tanh の微分が抜けています" in ja
    assert "backward が grads[0] に新しい配列を代入していて" in run("rnn_grads_rebound", "RNN", lang="ja").text


def test_a_lstm_returning_only_h_is_stopped_before_backward_with_one_finding():
    outcome = run("lstm_forward_h_only", "LSTM")
    assert [c["key"] for c in checks(outcome, "fail")] == ["seq.lstm_outputs"]
    assert "LSTM.forward returned one array of shape (4, 3)" in outcome.text


def test_the_stateless_carry_bug_does_not_hide_the_gradients():
    outcome = run("time_rnn_stateless_carries", "TimeRNN")
    assert len(outcome.data["gradients"]) == 4 and all(r["ok"] for r in outcome.data["gradients"])
    assert "grad.random" not in {c["key"] for c in checks(outcome)}


def test_float32_layers_are_checked_too():
    assert run("time_lstm", "TimeLSTM", dtype="float32").code == 0
    assert run("embedding_overwrites", "TimeEmbedding", dtype="float32").code == 1


def _weights(rng, D, H, k):
    return rng.standard_normal((D, k * H)), rng.standard_normal((H, k * H)), rng.standard_normal(k * H)


def test_an_lstm_given_by_hand_packs_its_two_outputs_for_the_gradients():
    LSTM = learner("book2/lstm", "LSTM")
    rng = np.random.default_rng(4)
    layer = LSTM(*_weights(rng, 5, 2, 4))
    report = check_layer(layer, rng.standard_normal((3, 5)), rng.standard_normal((3, 2)), rng.standard_normal((3, 2)))
    assert report.ok, str(report)
    assert [r.target for r in report.rows] == ["dx", "dh_prev", "dc_prev", "dWx", "dWh", "db"]
    bad = learner("book2/lstm_gates_ifgo", "LSTM")(*_weights(rng, 5, 2, 4))
    report = check_layer(bad, rng.standard_normal((3, 5)), rng.standard_normal((3, 2)), rng.standard_normal((3, 2)))
    assert "seq.lstm_gate_order" in failed_keys(report)
    assert "at h_next (" in str(report) or "at c_next (" in str(report)


def test_a_cell_whose_backward_returns_only_dx_is_told_to_return_dh_prev_too(tmp_path):
    text = (BOOK2 / "rnn.py").read_text().replace("return dt @ Wx.T, dt @ Wh.T", "return dt @ Wx.T")
    (tmp_path / "mine.py").write_text(text)
    outcome = check_target({"path": str(tmp_path / "mine.py"), "name": "RNN", "shape": None, "params": {},
                            "dtype": "float64", "strict": False, "lang": "en"})
    assert [c["key"] for c in checks(outcome, "fail")] == ["seq.cell_grads"]
    assert "RNN.backward returned one ndarray, but a recurrent cell's backward returns one gradient per input " \
           "of forward, (dx, dh_prev)" in outcome.text


def test_assert_layer_ok_builds_and_feeds_book2_classes():
    from bprop.testing import assert_layer_ok

    assert assert_layer_ok(learner("book2/time_lstm", "TimeLSTM")).ok
    with pytest.raises(AssertionError, match="dc_prev = ds: the memory's gradient passes through the forget gate"):
        assert_layer_ok(learner("book2/lstm_dc_prev_no_forget", "LSTM"))
