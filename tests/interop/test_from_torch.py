"""from_torch for the layer types both libraries have, and for nn.Sequential: the same outputs (1e-10 in float64,
1e-5 in float32), copies in the module's dtype, a net that trains as torch's does, clear errors. Skipped without
torch."""

import sys

import numpy as np
import pytest

from bprop import layers as L
from bprop import nets
from bprop.interop import from_torch, to_torch
from bprop.optim import SGD

torch = pytest.importorskip("torch")
nn = torch.nn

TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}
TORCH_DTYPE = {np.float64: torch.float64, np.float32: torch.float32}
dtypes = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])


def _close(ours, theirs, dtype, what):
    theirs = theirs.detach().numpy()
    assert np.asarray(ours).dtype == theirs.dtype == dtype, what
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * max(1.0, float(np.abs(theirs).max())), err_msg=what)


def _randomized(module, seed):
    """Every parameter drawn from N(0, 0.5²), running averages too (variances from U(0.5, 2)): nothing is 0 or 1."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype) * 0.5)
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=gen, dtype=b.dtype))
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=gen, dtype=b.dtype) * 1.5 + 0.5)
    return module.eval()


def _causal(T):
    return torch.ones(T, T, dtype=torch.bool).triu(1)


# name: (torch module, input shape or "ids", how torch is called, how bprop is called, bprop's class)
def _plain(m, x):
    return m(x)


def _ours(layer, x):
    return layer.forward(x, train_flg=False)


CASES = {
    "Linear": (lambda: nn.Linear(6, 4), (5, 6), _plain, _ours, L.Affine),
    "Linear without bias": (lambda: nn.Linear(6, 4, bias=False), (5, 6), _plain, _ours, L.Affine),
    "ReLU": (nn.ReLU, (4, 6), _plain, _ours, L.Relu),
    "Sigmoid": (nn.Sigmoid, (4, 6), _plain, _ours, L.Sigmoid),
    "Tanh": (nn.Tanh, (4, 6), _plain, _ours, L.Tanh),
    "LeakyReLU": (lambda: nn.LeakyReLU(0.1), (4, 6), _plain, _ours, L.LeakyRelu),
    "ELU": (lambda: nn.ELU(0.5), (4, 6), _plain, _ours, L.Elu),
    "GELU": (nn.GELU, (4, 6), _plain, _ours, L.Gelu),
    "GELU tanh": (lambda: nn.GELU(approximate="tanh"), (4, 6), _plain, _ours, L.Gelu),
    "SiLU": (nn.SiLU, (4, 6), _plain, _ours, L.Silu),
    "Softplus": (nn.Softplus, (4, 6), _plain, _ours, L.Softplus),
    "Identity": (nn.Identity, (4, 6), _plain, _ours, L.Identity),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 2, 7, 7), _plain, _ours, L.Convolution),
    "Conv2d 3×2 without bias": (lambda: nn.Conv2d(2, 3, (3, 2), bias=False), (2, 2, 6, 5), _plain, _ours,
                                L.Convolution),
    "MaxPool2d": (lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 8, 8), _plain, _ours,
                  L.Pooling),
    "AvgPool2d": (lambda: nn.AvgPool2d(2), (2, 3, 6, 6), _plain, _ours, L.Pooling),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(6), (5, 6), _plain, _ours, L.BatchNormalization),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3, eps=1e-3), (2, 3, 4, 4), _plain, _ours, L.BatchNormalization),
    "Dropout": (lambda: nn.Dropout(0.3), (4, 6), _plain, _ours, L.Dropout),
    "Flatten": (nn.Flatten, (2, 3, 4), _plain, _ours, L.Flatten),
    "LayerNorm": (lambda: nn.LayerNorm(6, eps=1e-4), (2, 3, 6), _plain, lambda layer, x: layer.forward(x),
                  L.LayerNorm),
    "Embedding": (lambda: nn.Embedding(9, 4), "ids", _plain, lambda layer, x: layer.forward(x), L.Embedding),
    "LSTM": (lambda: nn.LSTM(4, 5, batch_first=True), (2, 3, 4), lambda m, x: m(x)[0],
             lambda layer, x: layer.forward(x), L.TimeLSTM),
    "RNN": (lambda: nn.RNN(4, 5, batch_first=True), (2, 3, 4), lambda m, x: m(x)[0], lambda layer, x: layer.forward(x),
            L.TimeRNN),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(8, 2, batch_first=True), (2, 5, 8),
                           lambda m, x: m(x, x, x, need_weights=False)[0], _ours, L.MultiHeadAttention),
    "TransformerEncoderLayer": (
        lambda: nn.TransformerEncoderLayer(8, 2, 12, dropout=0.1, activation="gelu", batch_first=True,
                                           norm_first=True), (2, 5, 8), _plain, _ours, L.TransformerBlock),
    "TransformerDecoderLayer": (
        lambda: nn.TransformerDecoderLayer(8, 2, 12, dropout=0.1, activation="relu", batch_first=True,
                                           norm_first=True), (2, 5, 8),
        lambda m, x: m(x, x[:, :3] * 2, tgt_mask=_causal(5), tgt_is_causal=True),
        lambda layer, x: layer.forward(x, x[:, :3] * 2, train_flg=False), L.TransformerDecoderBlock),
}


@dtypes
@pytest.mark.parametrize("name", list(CASES))
def test_a_torch_layer_becomes_the_bprop_layer_with_the_same_outputs(name, dtype):
    make, shape, theirs, ours, cls = CASES[name]
    torch.manual_seed(0)
    module = _randomized(make().to(TORCH_DTYPE[dtype]), 1)
    rng = np.random.default_rng(2)
    x = rng.integers(0, 9, (2, 3)) if shape == "ids" else rng.standard_normal(shape).astype(dtype)
    layer = from_torch(module)
    assert type(layer) is cls
    with torch.no_grad():
        expected = theirs(module, torch.from_numpy(x))
    _close(ours(layer, x), expected, dtype, name)
    for array in getattr(layer, "params", {}).values():
        assert array.dtype == dtype
        assert not any(np.shares_memory(array, t.detach().numpy()) for t in module.parameters())


def test_an_lstms_two_biases_are_summed_and_its_gates_reordered():
    lstm = _randomized(nn.LSTM(3, 2, batch_first=True, dtype=torch.float64), 3)
    layer = from_torch(lstm)
    i, f, g, o = np.split(lstm.bias_ih_l0.detach().numpy() + lstm.bias_hh_l0.detach().numpy(), 4)
    np.testing.assert_array_equal(layer.b, np.concatenate([f, g, i, o]))  # the book's order: f, g, i, o
    np.testing.assert_array_equal(layer.Wx[:, :2], lstm.weight_ih_l0.detach().numpy()[2:4].T)  # f


def test_batch_norm_maps_momentum_and_eps_and_trains_with_the_biased_variance():
    bn = _randomized(nn.BatchNorm1d(4, eps=1e-3, momentum=0.2, dtype=torch.float64), 4)
    layer = from_torch(bn)
    assert layer.momentum == pytest.approx(0.8) and layer.eps == 1e-3
    x = np.random.default_rng(5).standard_normal((6, 4)) * 3
    mean0, var0 = layer.running_mean.copy(), layer.running_var.copy()
    ours = layer.forward(x, train_flg=True)
    theirs = bn.train()(torch.from_numpy(x))
    _close(ours, theirs, np.float64, "BatchNorm in training")
    _close(layer.running_mean, bn.running_mean, np.float64, "running_mean")
    np.testing.assert_allclose(layer.running_var, 0.8 * var0 + 0.2 * x.var(axis=0), rtol=1e-12)  # biased, as the book
    np.testing.assert_allclose(bn.running_var.numpy(), 0.8 * var0 + 0.2 * x.var(axis=0, ddof=1), rtol=1e-12)
    assert not np.allclose(mean0, layer.running_mean)


def _two_layer_torch(dtype=torch.float64):
    return _randomized(nn.Sequential(nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 3)).to(dtype), 6)


def test_an_nn_sequential_becomes_a_sequential_with_softmax_with_loss_and_the_same_loss():
    module = _two_layer_torch()
    net = from_torch(module)
    assert type(net) is nets.Sequential and list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert type(net.last_layer) is L.SoftmaxWithLoss and net.dtype == np.float64
    rng = np.random.default_rng(7)
    x, t = rng.standard_normal((8, 6)), rng.integers(0, 3, 8)
    loss = torch.nn.functional.cross_entropy(module(torch.from_numpy(x)), torch.from_numpy(t))
    _close(net.loss(x, t), loss, np.float64, "loss")


def test_the_converted_net_trains_step_for_step_as_torch_does():
    module = _two_layer_torch()
    net = from_torch(module)
    rng = np.random.default_rng(8)
    x, t = rng.standard_normal((8, 6)), rng.integers(0, 3, 8)
    optimizer, torch_optimizer = SGD(lr=0.5), torch.optim.SGD(module.parameters(), lr=0.5)
    losses = []
    for _ in range(3):
        losses.append(float(net.loss(x, t)))
        optimizer.update(net.params, net.gradient(x, t))
        torch_optimizer.zero_grad()
        torch.nn.functional.cross_entropy(module(torch.from_numpy(x)), torch.from_numpy(t)).backward()
        torch_optimizer.step()
    assert losses[2] < losses[1] < losses[0]
    _close(net.params["W1"], module[0].weight.T, np.float64, "W1 after three steps")
    _close(net.params["b2"], module[2].bias, np.float64, "b2 after three steps")


def test_a_small_cnn_in_nested_sequentials_converts_and_trains():
    module = _randomized(nn.Sequential(nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)),
                                       nn.Flatten(), nn.Linear(2 * 3 * 3, 4)).double(), 9)
    net = from_torch(module)
    assert [type(layer).__name__ for layer in net.layers.values()] == ["Convolution", "Relu", "Pooling", "Flatten",
                                                                        "Affine"]
    rng = np.random.default_rng(10)
    x, t = rng.standard_normal((5, 1, 6, 6)), rng.integers(0, 4, 5)
    with torch.no_grad():
        _close(net.predict(x), module(torch.from_numpy(x)), np.float64, "CNN")
    before = net.loss(x, t)
    SGD(lr=0.3).update(net.params, net.gradient(x, t))
    assert net.loss(x, t) < before


def test_a_converted_lstm_learns_inside_a_bprop_model():
    model = nets.Rnnlm(7, 4, 5, dtype=np.float64, rng=0)
    lstm = _randomized(nn.LSTM(4, 5, batch_first=True, dtype=torch.float64), 11)
    model.lstm_layer.Wx[...], model.lstm_layer.Wh[...], model.lstm_layer.b[...] = \
        (getattr(from_torch(lstm), name) for name in ("Wx", "Wh", "b"))
    xs, ts = np.random.default_rng(12).integers(0, 7, (2, 2, 6))
    model.reset_state()
    before = model.forward(xs, ts)
    model.backward()
    SGD(lr=1.0).update(model.params, model.grads)
    model.reset_state()
    assert model.forward(xs, ts) < before


def test_the_arrays_are_the_modules_dtype_and_other_dtypes_are_refused():
    assert from_torch(nn.Linear(3, 2)).W.dtype == np.float32
    assert from_torch(nn.Linear(3, 2, dtype=torch.float64)).W.dtype == np.float64
    with pytest.raises(TypeError, match=r"float32 or float64 .*torch.float16.*module.float\(\)"):
        from_torch(nn.Linear(3, 2, dtype=torch.float16))


@pytest.mark.parametrize("module, match", [
    (lambda: nn.GRU(3, 2, batch_first=True), r"GRU: .*reset gate after the hidden matmul"),
    (lambda: nn.LSTM(3, 2, num_layers=2, batch_first=True), r"LSTM: bprop's layer is one layer"),
    (lambda: nn.LSTM(3, 2), r"batch_first=True"),
    (lambda: nn.Conv2d(2, 2, 3, groups=2), r"Conv2d with groups=2"),
    (lambda: nn.Conv2d(2, 2, 3, stride=(1, 2)), r"Conv2d has stride=\(1, 2\); bprop takes the same stride"),
    (lambda: nn.AvgPool2d(2, count_include_pad=False), r"AvgPool2d with count_include_pad=False"),
    (lambda: nn.BatchNorm1d(3, track_running_stats=False), r"BatchNorm1d with track_running_stats=False"),
    (lambda: nn.TransformerEncoderLayer(8, 2, batch_first=True), r"pre-LN \(norm_first=True\)"),
    (lambda: nn.MultiheadAttention(8, 2), r"batch_first=True"),
    (lambda: nn.Embedding(5, 2, max_norm=1.0), r"max_norm"),
])
def test_a_layer_bprop_computes_otherwise_is_refused_saying_why(module, match):
    with pytest.raises(ValueError, match=match):
        from_torch(module())


def test_a_module_of_another_kind_is_refused_naming_the_ones_that_convert():
    class Mine(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match=r"cannot convert a Mine: .*nn.Sequential, and the layers Linear, Conv2d, .*LSTM"):
        from_torch(Mine())
    with pytest.raises(TypeError, match=r"the LSTM at position 1 of this nn.Sequential; bprop's Sequential holds Linear"):
        from_torch(nn.Sequential(nn.Linear(3, 3), nn.LSTM(3, 3, batch_first=True)))
    with pytest.raises(TypeError, match=r"from_torch expected a torch.nn.Module, got ndarray"):
        from_torch(np.zeros(3))


def test_without_torch_both_say_which_torch_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    for call, arg in ((to_torch, nets.TwoLayerNet(3, 2, 2)), (from_torch, object())):
        with pytest.raises(ImportError, match=r"needs PyTorch, which is not installed: pip install torch==2\.13\.0"):
            call(arg)
