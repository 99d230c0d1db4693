"""What the named causes of book 2's layers say, and the formulas they compare with: ``sequence_math`` against
bprop's own cells, the GRU's other forms and slips, the report's names for a ``params`` list (dWx, not grads[0]),
a parameter listed several times, composite layers copied whole, and the layers whose randomness is replayed
(TimeDropout's mask, NegativeSamplingLoss's samples). The verdict of every fixture: test_book2_layers.py."""

import numpy as np
import pytest

from bprop import layers as L
from bprop.gradcheck import check_layer, learner
from bprop.gradcheck import sequence_math as sm
from bprop.gradcheck.sandbox import check_target

from support import LEARNER
from support import learner as learner_class

BOOK2 = LEARNER / "book2"


def run(file, cls, lang="en"):
    """bprop check's own path (build the class, make its inputs, check), in this process."""
    return check_target({"path": str(BOOK2 / f"{file}.py"), "name": cls, "shape": None, "params": {},
                         "dtype": "float64", "strict": False, "lang": lang})


def checks(outcome, status=None):
    return [c for c in outcome.data["checks"] if status is None or c["status"] == status]


# --- bprop's own layers and the formulas the causes compare with -------------------------------------


_IDS, _CORPUS = np.array([1, 3, 1, 0]), np.array([0, 0, 0, 1, 1, 2, 3, 4, 5])


def _weights(rng, D, H, k):
    return rng.standard_normal((D, k * H)), rng.standard_normal((H, k * H)), rng.standard_normal(k * H)


@pytest.mark.parametrize("kind, cls, k", [("rnn", L.RNN, 1), ("lstm", L.LSTM, 4), ("gru", L.GRU, 3)])
def test_sequence_math_is_bprops_cells_step_for_step(kind, cls, k):
    rng = np.random.default_rng(1)
    P = _weights(rng, 4, 3, k)
    x, h, c = rng.standard_normal((2, 4)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    layer = cls(*P)
    state = (h, c) if kind == "lstm" else h
    ours = layer.forward(x, *((h, c) if kind == "lstm" else (h,)))
    got, cache = sm.step_forward(kind, P, x, state)
    douts = tuple(rng.standard_normal((2, 3)) for _ in range(2 if kind == "lstm" else 1))
    want = layer.backward(*douts)
    dx, dstate, grads = sm.step_backward(kind, P, cache, douts if kind == "lstm" else douts[0])
    for a, b in zip(got if kind == "lstm" else (got,), ours if kind == "lstm" else (ours,)):
        np.testing.assert_allclose(a, b, atol=1e-12)
    flat = [dx, *(dstate if kind == "lstm" else (dstate,))]
    for a, b in zip(flat, want):
        np.testing.assert_allclose(a, b, atol=1e-12)
    for a, b in zip(grads, layer.grads):
        np.testing.assert_allclose(a, b, atol=1e-12)


@pytest.mark.parametrize("kind, cls, k", [("rnn", L.TimeRNN, 1), ("lstm", L.TimeLSTM, 4), ("gru", L.TimeGRU, 3)])
def test_sequence_math_is_bprops_time_layers(kind, cls, k):
    rng = np.random.default_rng(2)
    P = _weights(rng, 4, 3, k)
    xs, dhs = rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 3))
    layer = cls(*P)
    hs, caches = sm.time_forward(kind, P, xs)
    np.testing.assert_allclose(hs, layer.forward(xs), atol=1e-12)
    dxs, grads, steps = sm.time_backward(kind, P, caches, dhs)
    np.testing.assert_allclose(dxs, layer.backward(dhs), atol=1e-12)
    for a, b, parts in zip(grads, layer.grads, zip(*steps)):
        np.testing.assert_allclose(a, b, atol=1e-12)
        np.testing.assert_allclose(sum(parts), b, atol=1e-12)


@pytest.mark.parametrize("make, inputs", [
    (lambda r: L.LSTM(*_weights(r, 4, 3, 4)), lambda r: (r.standard_normal((2, 4)), r.standard_normal((2, 3)),
                                                         r.standard_normal((2, 3)))),
    (lambda r: L.TimeLSTM(*_weights(r, 4, 3, 4)), lambda r: (r.standard_normal((2, 3, 4)),)),
    (lambda r: L.TimeGRU(*_weights(r, 4, 3, 3)), lambda r: (r.standard_normal((2, 3, 4)),)),
    (lambda r: L.TimeEmbedding(r.standard_normal((6, 3))), lambda r: (np.array([[1, 3, 0], [1, 3, 5]]),)),
    (lambda r: L.TimeSoftmaxWithLoss(), lambda r: (r.standard_normal((2, 3, 4)), np.array([[0, -1, 2], [3, 1, -1]]))),
    (lambda r: L.TimeAttention(), lambda r: (r.standard_normal((2, 3, 4)), r.standard_normal((2, 2, 4)))),
    (lambda r: L.EmbeddingDot(r.standard_normal((6, 3))), lambda r: (r.standard_normal((4, 3)), _IDS)),
    (lambda r: L.TimeBiLSTM(*_weights(r, 4, 3, 4), *_weights(r, 4, 3, 4)), lambda r: (r.standard_normal((2, 3, 4)),)),
    (lambda r: L.TimeDropout(0.3, seed=0), lambda r: (r.standard_normal((2, 3, 4)),)),
    (lambda r: L.NegativeSamplingLoss(r.standard_normal((6, 3)), _CORPUS, sample_size=2, seed=0),
     lambda r: (r.standard_normal((4, 3)), _IDS)),
], ids=["LSTM", "TimeLSTM", "TimeGRU", "TimeEmbedding", "TimeSoftmaxWithLoss", "TimeAttention", "EmbeddingDot",
        "TimeBiLSTM", "TimeDropout", "NegativeSamplingLoss"])
def test_bprops_own_book2_layers_pass_check_layer(make, inputs):
    rng = np.random.default_rng(3)
    report = check_layer(make(rng), *inputs(rng))
    assert report.ok, str(report)
    assert report.rows and "grad.random" not in {f.key for f in report.findings}  # randomness replayed


# --- the GRU's other forms and slips -----------------------------------------------------------------


def _gru_by_hand(P, x, h, variant):
    """The GRU written out plainly for each of sequence_math's variants."""
    Wx, Wh, b = P
    H = h.shape[1]
    A = x @ Wx + b
    z, r = sm.sigmoid(A[:, :H] + h @ Wh[:, :H]), sm.sigmoid(A[:, H:2 * H] + h @ Wh[:, H:2 * H])
    if variant == "gate_order":
        z, r = r, z
    inner = {"reset_after": r * (h @ Wh[:, 2 * H:]), "no_reset": h @ Wh[:, 2 * H:]}.get(variant, (r * h) @ Wh[:, 2 * H:])
    h_hat = np.tanh(A[:, 2 * H:] + inner)
    return z * h + (1 - z) * h_hat if variant == "mix_swapped" else (1 - z) * h + z * h_hat


@pytest.mark.parametrize("variant", [None, *sm.GRU_VARIANTS])
def test_each_gru_form_is_the_formula_it_names_and_differs_from_the_books(variant):
    rng = np.random.default_rng(5)
    P = _weights(rng, 4, 3, 3)
    x, h = rng.standard_normal((2, 4)), rng.standard_normal((2, 3))
    got, _ = sm.step_forward("gru", P, x, h, variant)
    np.testing.assert_allclose(got, _gru_by_hand(P, x, h, variant), atol=1e-12)
    if variant is not None:
        assert np.abs(got - sm.step_forward("gru", P, x, h)[0]).max() > 1e-3


@pytest.mark.parametrize("slip", sm.CELL_SLIPS["gru"])
def test_a_gru_dh_prev_slip_changes_dh_prev_alone(slip):
    rng = np.random.default_rng(6)
    P = _weights(rng, 4, 3, 3)
    _, cache = sm.step_forward("gru", P, rng.standard_normal((2, 4)), rng.standard_normal((2, 3)))
    dh = rng.standard_normal((2, 3))
    (dx, dh_prev, grads), (dx2, dh_prev2, grads2) = sm.step_backward("gru", P, cache, dh), \
        sm.step_backward("gru", P, cache, dh, slip)
    np.testing.assert_array_equal(dx, dx2)
    for g, g2 in zip(grads, grads2):
        np.testing.assert_array_equal(g, g2)
    assert np.abs(dh_prev - dh_prev2).max() > 1e-3


# --- what the causes say ---------------------------------------------------------------------------------


@pytest.mark.parametrize("file, cls, phrase", [
    ("gru_gates_swapped", "GRU", "your forward takes z from the second block of A and r from the first"),
    ("gru_gates_swapped", "GRU", "dWh is the gradient of the book's GRU, but your forward computes "
     "z = σ(A[:, H:2H]), r = σ(A[:, :H])"),
    ("gru_mix_swapped", "TimeGRU", "h_next = (1 - z) * h_prev + z * h_hat (torch.nn.GRU writes yours"),
    ("gru_reset_after", "GRU", "your forward applies r after the product with Whh"),
    ("gru_no_reset", "GRU", "your forward never uses the reset gate"),
    ("gru_dh_prev_no_direct", "GRU", "dh_prev: dh_prev leaves out the direct path"),
    ("gru_dh_prev_no_reset_path", "TimeGRU", "add r * (dt @ Wh[:, 2*H:].T)"),
    ("gru_dh_prev_no_gate_path", "GRU", "add dz @ Wh[:, :H].T + dr @ Wh[:, H:2*H].T"),
    ("time_affine_db_per_step", "TimeAffine", "backward raised ValueError: could not broadcast input array from "
     "shape (3,3) into shape (3,): db = dout.sum(axis=0) leaves shape (3, 3)"),
    ("time_affine_db_axis", "TimeAffine", "db = dout.sum(axis=(0, 2)) sums over the wrong axes"),
    ("time_affine_db_mean", "TimeAffine", "db is 1/6 of the right value: a mean over the N·T = 6 rows"),
    ("time_affine_dw_last_step", "TimeAffine", "dW is the gradient of step t = 2 alone"),
    ("time_affine_rows_order", "TimeAffine", "x and dout are flattened to rows in different orders"),
    ("attention_softmax_axis0", "AttentionWeight", "your softmax runs over axis 0, across the batch"),
    ("attention_weight_no_softmax_grad", "Attention", "backward skips the softmax's derivative (ds = da)"),
    ("attention_softmax_grad_axis0", "TimeAttention", "the softmax's backward sums over axis 0, the batch"),
    ("attention_weight_dh_mean", "AttentionWeight", "dh is 1/3 of the right value: forward repeats h 3 times along "
     "axis 1"),
    ("attention_weightsum_da_mean", "WeightSum", "da is 1/4 of the right value: forward repeats a 4 times"),
    ("attention_weightsum_da_axis", "WeightSum", "da has shape (2, 4), but a has shape (2, 3): the sum went over "
     "axis 1 of the (N, T, H) input where axis 2 belongs"),
    ("attention_weightsum_dhs_no_a", "WeightSum", "dhs is dc copied to every step without the weights"),
    ("attention_one_path", "Attention", "dhs has only one of its two paths"),
    ("time_attention_enc_rebound", "TimeAttention", "dhs_enc is the last decoder step's alone"),
    ("embedding_dot_overwrites", "EmbeddingDot", "dW: a word id that appears twice keeps only one row's gradient"),
    ("embedding_dot_dout_row", "EmbeddingDot", "as shape (1, 4) NumPy cannot pair it with the (4, 3) rows; make it "
     "a column first"),
    ("time_dropout_no_mask", "TimeDropout", "backward ignores the mask: dxs passes dout where forward dropped"),
    ("time_bilstm_hs_not_flipped", "TimeBiLSTM", "the backward LSTM's hs stays in reversed time"),
    ("time_bilstm_dhs_not_flipped", "TimeBiLSTM", "dWx2: the backward LSTM gets dhs[:, :, H:] in forward time order"),
    ("time_bilstm_dxs_not_flipped", "TimeBiLSTM", "dxs: the backward LSTM's dxs comes out in reversed time"),
    ("negative_sampling_dh_not_summed", "NegativeSamplingLoss", "dh is only the last EmbeddingDot's gradient: h feeds "
     "all 4 of them (the target and 3 negative samples)"),
    ("negative_sampling_overwrites", "NegativeSamplingLoss", "np.add.at(dW, self.idx, dout)"),
])
def test_the_named_cause_says_what_to_write(file, cls, phrase):
    assert phrase in run(file, cls).text


@pytest.mark.parametrize("file, cls, phrase", [
    ("gru_gates_swapped", "GRU", "あなたの forward は z を A の 2 番目のブロックから、r を 1 番目から取っています"),
    ("gru_dh_prev_no_direct", "TimeGRU", "dh_prev で直接の経路が抜けています"),
    ("time_affine_db_per_step", "TimeAffine", "Time レイヤのバイアスにはすべての系列・すべての時刻の勾配が集まります"),
    ("attention_softmax_axis0", "Attention", "softmax を axis 0（バッチ方向）で計算しています"),
    ("negative_sampling_dh_not_summed", "NegativeSamplingLoss", "最後の EmbeddingDot の勾配だけになっています"),
    ("time_bilstm_dxs_not_flipped", "TimeBiLSTM", "逆方向の LSTM の dxs は逆順の時刻で出てくる"),
])
def test_the_new_causes_read_in_japanese_too(file, cls, phrase):
    assert phrase in run(file, cls, lang="ja").text


# --- names, shared and nested parameters, randomness -------------------------------------------------------


@pytest.mark.parametrize("file, cls, rows", [
    ("rnn", "RNN", ["dx", "dh_prev", "dWx", "dWh", "db"]),
    ("gru", "TimeGRU", ["dxs", "dWx", "dWh", "db"]),
    ("time_affine", "TimeAffine", ["dx", "dW", "db"]),
    ("embedding", "TimeEmbedding", ["dW"]),
    ("embedding_dot", "EmbeddingDot", ["dh", "dW"]),
    ("time_bilstm", "TimeBiLSTM", ["dxs", "dWx1", "dWh1", "db1", "dWx2", "dWh2", "db2"]),
    ("negative_sampling", "NegativeSamplingLoss", ["dh", "dW"]),
])
def test_a_params_list_is_named_as_book_2_names_its_arrays(file, cls, rows):
    outcome = run(file, cls)
    assert [r["target"] for r in outcome.data["gradients"]] == rows
    assert "grads[" not in outcome.text.split("Checks:")[0]


def test_the_failing_gradient_is_named_dwx_not_grads_0():
    outcome = run("rnn_no_tanh_grad", "RNN")
    targets = {c["params"]["target"] for c in checks(outcome, "fail")}
    assert targets == {"dx", "dh_prev", "dWx", "dWh", "db"}
    assert "FAIL  dWx: backward leaves out tanh's derivative" in outcome.text


def test_list_names_come_from_a_paramlist_the_class_kind_or_the_constructor():
    class Scale:  # no book-2 kind: the constructor's array arguments name the list
        def __init__(self, gamma, beta):
            self.params = [gamma, beta]

    class Blob:
        def __init__(self, a, b):
            self.params = [a, b]

    ones = np.ones(2)
    assert learner.list_names(Scale(ones, ones + 1)) == {0: "gamma", 1: "beta"}
    assert learner.list_names(Blob(ones, ones + 1)) is None  # a is no array name: grads[0], grads[1]
    lstm = L.TimeBiLSTM(*_weights(np.random.default_rng(0), 2, 1, 4), *_weights(np.random.default_rng(1), 2, 1, 4))
    assert list(learner.list_names(lstm).values()) == ["Wx1", "Wh1", "b1", "Wx2", "Wh2", "b2"]
    assert learner.grad_label(("list", 1), {0: "W"}) == "grads[1]" and learner.grad_label(("list", 0), {0: "W"}) == "dW"


def test_an_array_listed_once_per_embedding_dot_is_one_parameter_whose_gradient_is_the_sum():
    outcome = run("negative_sampling", "NegativeSamplingLoss")
    note = next(c for c in checks(outcome, "note") if c["key"] == "seq.shared_param")
    assert note["params"]["count"] == 4 and note["params"]["name"] == "W"
    NSL = learner_class("book2/negative_sampling", "NegativeSamplingLoss")
    layer = NSL(np.ones((6, 3)), np.array([0, 1, 2, 3, 4, 5]))
    assert learner.find_params(layer) == [("list", 0)]
    for g, k in zip(layer.grads, range(4)):
        g[...] = k
    np.testing.assert_array_equal(learner.grad(layer, ("list", 0)), np.full((6, 3), 6.0))


def test_a_copy_of_a_composite_layer_keeps_its_parts_sharing_the_arrays():
    BiLSTM = learner_class("book2/time_bilstm", "TimeBiLSTM")
    rng = np.random.default_rng(2)
    layer = BiLSTM(*_weights(rng, 4, 3, 4), *_weights(rng, 4, 3, 4))
    copy = learner.cast_copy(layer, np.float32)
    assert all(p.dtype == np.float32 for p in copy.params + copy.grads)
    assert copy.params[3] is copy.backward_lstm.params[0] and copy.grads[2] is copy.forward_lstm.grads[2]
    assert layer.params[0].dtype == np.float64  # the caller's layer untouched


def test_the_negative_samples_are_drawn_again_as_forward_drew_them():
    from bprop.gradcheck import causes_book2, modes
    from bprop.gradcheck.causes import Case

    NSL = learner_class("book2/negative_sampling", "NegativeSamplingLoss")
    layer = NSL(np.random.default_rng(0).standard_normal((6, 3)), np.array([0, 0, 1, 2, 3, 4, 5]))
    h, target = np.ones((4, 3)), np.array([1, 3, 1, 0])
    replay = modes.Replay(layer)
    with replay(layer):
        layer.forward(h, target)
    drawn = np.stack([d.embed.idx for d in layer.embed_dot_layers], axis=1)
    case = Case("NegativeSamplingLoss", h, None, None, {}, None, True, True, inputs=[h, target], lay=layer,
                replay=replay)
    np.testing.assert_array_equal(causes_book2.drawn_ids(case), drawn)
    replay.restore()


def test_time_dropouts_train_flg_attribute_is_its_mode():
    outcome = run("time_dropout", "TimeDropout")
    passed = {c["key"] for c in checks(outcome, "pass")}
    assert {"mode.dropout_inverted", "mode.dropout_fraction_ok", "grad.ok"} <= passed, outcome.text
    wrong = run("time_dropout_test_scales", "TimeDropout")
    assert [c["check"] for c in checks(wrong, "fail")] == ["test_mode"]
