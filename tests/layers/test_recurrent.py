"""RNN, LSTM, GRU and their Time layers: the fast Time forms equal the cells unrolled, truncated BPTT,
the state, clear errors, and torch's RNNCell / LSTMCell / nn.LSTM with the book's gate order mapped."""

import warnings

import numpy as np
import pytest

from bprop import layers as L

N, T, D, H = 3, 5, 4, 6
KINDS = {"RNN": (L.RNN, L.TimeRNN, 1), "LSTM": (L.LSTM, L.TimeLSTM, 4), "GRU": (L.GRU, L.TimeGRU, 3)}


def _weights(k, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * 0.5).astype(dtype) for s in ((D, k * H), (H, k * H), (k * H,))]


def _unrolled(cell_cls, k, weights, xs, dhs, h0, c0):
    """hs, dxs, the summed weight gradients and dh0 from one cell per step, as the book's Time layers do."""
    cells = [cell_cls(*weights) for _ in range(xs.shape[1])]
    h, c, hs = h0, c0, []
    for t, cell in enumerate(cells):
        h, c = cell.forward(xs[:, t], h, c) if k == 4 else (cell.forward(xs[:, t], h), None)
        hs.append(h)
    dh, dc, dxs = np.zeros_like(h0), np.zeros_like(h0), np.zeros_like(xs)
    sums = [np.zeros_like(w) for w in weights]
    for t in reversed(range(len(cells))):
        if k == 4:
            dxs[:, t], dh, dc = cells[t].backward(dhs[:, t] + dh, dc)
        else:
            dxs[:, t], dh = cells[t].backward(dhs[:, t] + dh)
        for total, g in zip(sums, cells[t].grads):
            total += g
    return np.stack(hs, axis=1), dxs, sums, dh


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("stateful", [False, True])
def test_the_time_layer_equals_its_cell_unrolled_step_by_step(kind, stateful):
    cell, time, k = KINDS[kind]
    weights = _weights(k)
    rng = np.random.default_rng(1)
    xs, dhs = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    h0 = rng.standard_normal((N, H)) if stateful else np.zeros((N, H))
    c0 = rng.standard_normal((N, H)) if stateful else np.zeros((N, H))
    layer = time(*weights, stateful=stateful)
    if stateful:
        layer.set_state(h0, c0) if k == 4 else layer.set_state(h0)
    hs = layer.forward(xs)
    dxs = layer.backward(dhs)
    hs_ref, dxs_ref, grads_ref, dh_ref = _unrolled(cell, k, weights, xs, dhs, h0, c0)
    np.testing.assert_allclose(hs, hs_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dxs, dxs_ref, rtol=1e-12, atol=1e-14)
    for g, ref in zip(layer.grads, grads_ref):
        np.testing.assert_allclose(g, ref, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(layer.dh, dh_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(layer.h, hs[:, -1])


@pytest.mark.parametrize("kind", KINDS)
def test_stateful_blocks_carry_the_state_and_equal_one_long_forward(kind):
    _, time, k = KINDS[kind]
    weights = _weights(k)
    xs = np.random.default_rng(2).standard_normal((N, 2 * T, D))
    whole = time(*weights).forward(xs)
    blocks = time(*weights, stateful=True)
    first, second = blocks.forward(xs[:, :T]), blocks.forward(xs[:, T:])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-12, atol=1e-14)
    stateless = time(*weights)
    stateless.forward(xs[:, :T])
    np.testing.assert_allclose(stateless.forward(xs[:, T:]), time(*weights).forward(xs[:, T:]))  # from zeros again
    blocks.reset_state()
    np.testing.assert_allclose(blocks.forward(xs[:, :T]), first)


def test_truncated_bptt_stops_at_the_block_start():
    layer = L.TimeLSTM(*_weights(4), stateful=True)
    xs = np.random.default_rng(3).standard_normal((N, T, D))
    layer.forward(xs)
    layer.forward(xs)  # the second block starts from the first one's state
    dxs = layer.backward(np.ones((N, T, H)))
    assert dxs.shape == (N, T, D) and layer.dh.shape == (N, H) and layer.dc.shape == (N, H)


BAD = [
    (lambda: L.RNN(np.ones((4, 3)), np.ones((3, 3)), np.zeros(3)).forward(np.ones((2, 4)), np.ones((2, 5))),
     "RNN expected h_prev of shape (N, H) = (2, 3), got (2, 5)"),
    (lambda: L.LSTM(np.ones((4, 12)), np.ones((3, 12)), np.zeros(12)).forward(np.ones((2, 4)), np.ones((2, 3)),
                                                                           np.ones((3, 3))),
     "LSTM expected c_prev of shape (N, H) = (2, 3), got (3, 3)"),
    (lambda: L.LSTM(np.ones((4, 12)), np.ones((3, 9)), np.zeros(12)),
     "LSTM expected Wx of shape (D, 4·H), Wh of shape (H, 4·H) and b of shape (4·H,)"),
    (lambda: L.TimeRNN(np.ones((4, 3)), np.ones((3, 3)), np.zeros(3)).forward(np.ones((2, 0, 4))),
     "TimeRNN got an empty sequence"),
    (lambda: L.TimeGRU(np.ones((4, 9)), np.ones((3, 9)), np.zeros(9)).forward(np.ones((2, 5, 3))),
     "TimeGRU expected xs of shape (N, T, D) = (?, ?, 4), got (2, 5, 3)"),
    (lambda: _stateful_then(np.ones((3, 2, 4))), "stateful with a state of 2 sequences, but xs has 3"),
    (lambda: L.TimeLSTM(np.ones((4, 12)), np.ones((3, 12)), np.zeros(12)).set_state(np.ones((2, 4))),
     "TimeLSTM expected h of shape (N, H) = (?, 3), got (2, 4)"),
]


def _stateful_then(xs):
    layer = L.TimeRNN(np.ones((4, 3)), np.ones((3, 3)), np.zeros(3), stateful=True)
    layer.forward(np.ones((2, 2, 4)))
    layer.forward(xs)


@pytest.mark.parametrize("call, words", BAD, ids=[w for _, w in BAD])
def test_bad_shapes_are_refused_in_words(call, words):
    with pytest.raises(ValueError) as error:
        call()
    assert words in str(error.value)


def test_the_lstm_slices_its_gates_as_the_book_f_g_i_o():
    Wx, Wh, b = np.zeros((1, 4)), np.zeros((1, 4)), np.array([10.0, 0.0, -10.0, 10.0])  # f≈1, g=tanh(0)=0, i≈0, o≈1
    h, c = L.LSTM(Wx, Wh, b).forward(np.ones((1, 1)), np.zeros((1, 1)), np.full((1, 1), 0.5))
    np.testing.assert_allclose(c, 0.5 / (1 + np.exp(-10)), rtol=1e-12)  # c = f·c_prev + g·i
    np.testing.assert_allclose(h, np.tanh(c) / (1 + np.exp(-10)), rtol=1e-12)


# --- torch ----------------------------------------------------------------------------


def _book_to_torch_lstm(W):
    """The book's column blocks f, g, i, o → torch's row blocks i, f, g, o (and transposed)."""
    f, g, i, o = np.split(W, 4, axis=-1)
    return np.concatenate([i, f, g, o], axis=-1).T


def test_lstm_cell_and_time_lstm_match_torch_with_the_gates_permuted():
    torch = pytest.importorskip("torch")
    Wx, Wh, b = _weights(4, seed=4)
    rng = np.random.default_rng(5)
    xs, dhs = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor(_book_to_torch_lstm(Wx)))
        lstm.weight_hh_l0.copy_(torch.tensor(_book_to_torch_lstm(Wh)))
        lstm.bias_ih_l0.copy_(torch.tensor(_book_to_torch_lstm(b[None])[:, 0]))
        lstm.bias_hh_l0.zero_()
    x_t = torch.tensor(xs, requires_grad=True)
    out, _ = lstm(x_t)
    out.backward(torch.tensor(dhs))
    ours = L.TimeLSTM(Wx, Wh, b)
    np.testing.assert_allclose(ours.forward(xs), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.backward(dhs), x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_book_to_torch_lstm(ours.dWx), lstm.weight_ih_l0.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_book_to_torch_lstm(ours.dWh), lstm.weight_hh_l0.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_book_to_torch_lstm(ours.db[None])[:, 0], lstm.bias_ih_l0.grad.numpy(), rtol=1e-10,
                               atol=1e-12)


def test_rnn_cell_matches_torch_rnn_cell():
    torch = pytest.importorskip("torch")
    Wx, Wh, b = _weights(1, seed=6)
    rng = np.random.default_rng(7)
    x, h, dh = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    cell = torch.nn.RNNCell(D, H, dtype=torch.float64)
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(Wx.T))
        cell.weight_hh.copy_(torch.tensor(Wh.T))
        cell.bias_ih.copy_(torch.tensor(b))
        cell.bias_hh.zero_()
    x_t, h_t = torch.tensor(x, requires_grad=True), torch.tensor(h, requires_grad=True)
    out = cell(x_t, h_t)
    out.backward(torch.tensor(dh))
    ours = L.RNN(Wx, Wh, b)
    np.testing.assert_allclose(ours.forward(x, h), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    dx, dh_prev = ours.backward(dh)
    np.testing.assert_allclose(dx, x_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dh_prev, h_t.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.dWh.T, cell.weight_hh.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_the_books_gru_matches_its_formula_written_in_torch():
    torch = pytest.importorskip("torch")
    Wx, Wh, b = _weights(3, seed=8)
    rng = np.random.default_rng(9)
    x, h, dh = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, h, Wx, Wh, b)]
    tx, th, tWx, tWh, tb = tensors
    z = torch.sigmoid(tx @ tWx[:, :H] + th @ tWh[:, :H] + tb[:H])
    r = torch.sigmoid(tx @ tWx[:, H:2 * H] + th @ tWh[:, H:2 * H] + tb[H:2 * H])
    h_hat = torch.tanh(tx @ tWx[:, 2 * H:] + (r * th) @ tWh[:, 2 * H:] + tb[2 * H:])
    out = (1 - z) * th + z * h_hat
    out.backward(torch.tensor(dh))
    ours = L.GRU(Wx, Wh, b)
    np.testing.assert_allclose(ours.forward(x, h), out.detach().numpy(), rtol=1e-10, atol=1e-12)
    grads = (*ours.backward(dh), ours.dWx, ours.dWh, ours.db)
    for g, t in zip(grads, tensors):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_in_place_gates_equal_the_plain_ones_even_at_large_pre_activations(dtype):
    from bprop.layers.recurrent import lstm_gates, lstm_gates_in_place

    A = (np.random.default_rng(0).standard_normal((5, 4 * H)) * 300).astype(dtype)
    expected = np.concatenate(lstm_gates(A, H), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = lstm_gates_in_place(A.copy(), H)
    np.testing.assert_array_equal(got, expected)
