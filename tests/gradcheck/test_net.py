"""check_net: the book's nets pass (learners' and bprop's, over seeds); each buggy net in tests/learner/nets/ gets
its cause named; build_net fills the book's arguments small; the caller's net, arrays and np.random are untouched."""

import json

import numpy as np
import pytest

from bprop import nets
from bprop.gradcheck.learner import LearnerError, load_class
from bprop.gradcheck.net import _differences, build_net, check_net

from support import LEARNER

NETS = LEARNER / "nets"


def learner_net(file: str, cls: str):
    return load_class(str(NETS / f"{file}.py"), cls)


def failed(report) -> list[str]:
    return [f.message() for f in report.failures]


# (fixture file, class, --param overrides, verdict, a phrase of the cause that must appear)
CASES = [
    ("ch4_two_layer_net", "TwoLayerNet", {}, "ok",
     "accuracy with labels (N,) raised AxisError: axis 1 is out of bounds"),
    ("ch5_two_layer_net", "TwoLayerNet", {}, "ok", "accuracy(x, t) with one-hot t (N, C) agrees"),
    ("multi_layer_net", "MultiLayerNet", {}, "ok", "grads['W3'] agrees with the numerical gradient of loss"),
    ("multi_layer_net", "MultiLayerNet", {"activation": "sigmoid"}, "ok", "grads['W1'] agrees"),
    ("simple_convnet", "SimpleConvNet", {}, "ok", "grads['W1'] agrees"),
    ("list_of_layers_net", "TanhNet", {}, "ok", "accuracy(x, t) with labels (N,) agrees"),
    ("multi_layer_net_extend", "MultiLayerNetExtend", {"use_dropout": True, "use_batchnorm": True}, "ok",
     "grads['gamma1'] agrees"),
    ("decay_half_in_gradient", "MultiLayerNet", {}, "fail", "has only half the weight-decay term: 0.5·λ·W"),
    ("decay_missing_in_gradient", "MultiLayerNet", {}, "fail",
     "grads['W1'] = numerical − λ·W (λ = 0.1): the weight-decay term λ·W is missing from gradient()"),
    ("decay_missing_in_loss", "MultiLayerNet", {}, "fail",
     "gradient() adds the weight-decay term λ·W, but loss() lacks ½·λ·ΣW²"),
    ("swapped_bias_grads", "TwoLayerNet", {}, "fail",
     "grads['b1'] has shape (3,), but params['b1'] has shape (5,): that is the shape of params['b2']"),
    ("swapped_bias_grads", "TwoLayerNet", {"hidden_size": 3}, "fail",
     "grads['b1'] holds the gradient of params['b2']: the keys are swapped"),
    ("gradient_without_forward", "TwoLayerNet", {}, "fail",
     "gradient() uses the forward pass of an earlier call"),
    ("layers_copy_params", "TwoLayerNet", {}, "fail",
     "the layers do not share params['W1']'s array but hold a copy"),
    ("accuracy_onehot_unconverted", "TwoLayerNet", {}, "fail",  # NumPy 2 raises, 1.x compares to False
     "accuracy ignores one-hot labels: with one-hot t"),
    ("transposed_w1_grad", "TwoLayerNet", {}, "fail",
     "grads['W1'] has shape (5, 6), but params['W1'] has shape (6, 5): it is transposed"),
    ("transposed_w1_grad", "TwoLayerNet", {"hidden_size": 6}, "fail",
     "grads['W1'] is the transpose of the right gradient"),
    ("backward_without_batch_division", "TwoLayerNet", {}, "fail",
     "grads['W1'] is 4 times too large: the loss averages over the batch (N = 4), but backward does not"),
    ("gradient_updates_params", "TwoLayerNet", {}, "fail", "gradient() changed params['W1']"),
    ("predict_scales_x_in_place", "TwoLayerNet", {}, "fail", "predict() wrote into its input x"),
]


@pytest.mark.parametrize("file, cls, overrides, verdict, phrase", CASES,
                         ids=[f"{c[0]}-{'-'.join(map(str, c[2].values())) or 'default'}" for c in CASES])
def test_check_net_gives_each_learner_net_its_verdict_and_cause(file, cls, overrides, verdict, phrase):
    report = check_net(build_net(learner_net(file, cls), overrides))
    assert report.ok == (verdict == "ok"), str(report)
    messages = failed(report) if verdict == "fail" else [f.message() for f in report.findings]
    assert any(phrase in m for m in messages), str(report)


@pytest.mark.parametrize("file, cls, overrides, phrase", [
    ("decay_missing_in_gradient", "MultiLayerNet", {}, "gradient() に荷重減衰の項 λ·W がありません"),
    ("layers_copy_params", "TwoLayerNet", {}, "層が params['W1'] の配列を共有せずコピーを持っている"),
    ("gradient_without_forward", "TwoLayerNet", {}, "gradient() の最初で self.loss(x, t) を呼んでください"),
    ("accuracy_onehot_unconverted", "TwoLayerNet", {}, "accuracy が one-hot のラベルを扱えていません"),
    ("backward_without_batch_division", "TwoLayerNet", {}, "grads['b2'] が 4 倍大きすぎます"),
])
def test_the_causes_read_in_japanese(file, cls, overrides, phrase):
    report = check_net(build_net(learner_net(file, cls), overrides))
    ja = report.render("ja")
    assert phrase in ja
    assert "ネットワーク TwoLayerNet の勾配チェック" in ja or "ネットワーク MultiLayerNet の勾配チェック" in ja
    assert f"{len(report.failures)} 件の問題が見つかりました。" in ja


def test_the_failing_keys_are_exactly_the_buggy_ones():
    decay = check_net(build_net(learner_net("decay_missing_in_gradient", "MultiLayerNet")))
    assert [r.target for r in decay.rows if not r.ok] == ["grads['W1']", "grads['W2']", "grads['W3']"]
    swapped = check_net(build_net(learner_net("swapped_bias_grads", "TwoLayerNet"), {"hidden_size": 3}))
    assert [r.target for r in swapped.rows if not r.ok] == ["grads['b1']", "grads['b2']"]
    stale = check_net(build_net(learner_net("gradient_without_forward", "TwoLayerNet")))
    assert len(stale.failures) == 1 and stale.failures[0].key == "net.stale_forward"


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("file, cls, overrides", [
    ("ch5_two_layer_net", "TwoLayerNet", {}),
    ("multi_layer_net", "MultiLayerNet", {}),
    ("multi_layer_net", "MultiLayerNet", {"activation": "sigmoid"}),
    ("simple_convnet", "SimpleConvNet", {}),
    ("multi_layer_net_extend", "MultiLayerNetExtend", {"use_dropout": True, "use_batchnorm": True}),
])
def test_the_books_nets_pass_whatever_the_seed(file, cls, overrides, seed):
    net = build_net(learner_net(file, cls), overrides, seed=seed)
    report = check_net(net, seed=seed)
    assert report.ok, str(report)
    assert [r.target for r in report.rows if r.ok] == [f"grads[{k!r}]" for k in net.params]


@pytest.mark.parametrize("cls, overrides", [
    (nets.TwoLayerNet, {}),
    (nets.MultiLayerNet, {"activation": "relu"}),
    (nets.MultiLayerNet, {"activation": "sigmoid"}),
    (nets.SimpleConvNet, {}),
    (nets.MultiLayerNetExtend, {"use_dropout": True, "use_batchnorm": True}),
], ids=["TwoLayerNet", "MultiLayerNet-relu", "MultiLayerNet-sigmoid", "SimpleConvNet", "MultiLayerNetExtend"])
def test_bprops_own_nets_pass(cls, overrides):
    net = build_net(cls, overrides)
    report = check_net(net)
    assert report.ok, str(report)
    assert [r.target for r in report.rows] == [f"grads[{k!r}]" for k in net.params]
    assert sum(f.key.startswith("net.accuracy_") and f.key.endswith("_ok") for f in report.findings) == 2


def test_dropout_draws_the_same_masks_whatever_np_random_held_before():
    cls = learner_net("multi_layer_net_extend", "MultiLayerNetExtend")
    rows = []
    for before in (1, 2):
        np.random.seed(before)
        report = check_net(build_net(cls, {"use_dropout": True, "dropout_ration": 0.3}))
        assert report.ok, str(report)
        rows.append([(r.index, r.backward, r.numerical) for r in report.rows])
    assert rows[0] == rows[1]


def test_a_class_is_built_small_and_the_report_is_json():
    report = check_net(learner_net("simple_convnet", "SimpleConvNet"))
    assert report.inputs == "x (4, 1, 6, 6), t (4, 3)"
    assert [r.target for r in report.rows] == [f"grads['{k}{i}']" for i in (1, 2, 3) for k in "Wb"]
    data = json.loads(json.dumps(report.to_dict("ja")))
    assert data["kind"] == "net" and data["ok"] and len(data["gradients"]) == 6


def test_build_net_fills_the_books_arguments_and_overrides_win():
    state = np.random.get_state()
    net = build_net(learner_net("ch5_two_layer_net", "TwoLayerNet"), {"hidden_size": 7})
    np.random.seed(0)
    assert np.array_equal(net.params["W1"], 0.3 * np.random.randn(6, 7))  # weight_init_std 0.01 → 0.3
    assert net.params["W2"].shape == (7, 3)
    np.random.set_state(state)
    assert np.array_equal(np.random.get_state()[1], state[1])
    mlp = build_net(learner_net("multi_layer_net", "MultiLayerNet"))
    assert [mlp.params[f"W{i}"].shape for i in (1, 2, 3)] == [(6, 5), (5, 4), (4, 3)]
    assert mlp.weight_decay_lambda == 0.1
    np.random.seed(0)
    assert np.array_equal(mlp.params["W1"], np.sqrt(2 / 6) * np.random.randn(6, 5))  # 'relu' kept: He


def test_build_net_says_which_argument_to_pass():
    class Net:
        def __init__(self, sizes, weight_init_std=0.01):
            self.sizes = sizes

    with pytest.raises(LearnerError) as missing:
        build_net(Net)
    assert missing.value.key == "net.no_value"
    assert "--param sizes=VALUE" in str(missing.value)
    with pytest.raises(LearnerError) as unknown:
        build_net(learner_net("ch5_two_layer_net", "TwoLayerNet"), {"hidden": 5})
    assert unknown.value.key == "net.unknown_param"
    assert "takes no argument hidden (its arguments: input_size, hidden_size" in str(unknown.value)
    with pytest.raises(LearnerError) as raised:
        build_net(learner_net("multi_layer_net", "MultiLayerNet"), {"hidden_size_list": 5})
    assert raised.value.key == "net.build_failed"
    assert "hidden_size_list=5" in str(raised.value) and "TypeError" in str(raised.value)
    assert "を作るときに" in raised.value.message("ja")


def test_an_instance_needs_its_input_shape_told_unless_build_net_made_it():
    cls = learner_net("simple_convnet", "SimpleConvNet")
    np.random.seed(1)
    net = cls(input_dim=(1, 6, 6), conv_param={"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
              hidden_size=5, output_size=3, weight_init_std=0.3)
    with pytest.raises(LearnerError) as error:
        check_net(net)
    assert error.value.key == "net.no_input_shape"
    x = np.random.default_rng(2).standard_normal((3, 1, 6, 6))
    report = check_net(net, x, np.array([0, 2, 1]))
    assert report.ok, str(report)
    assert report.inputs == "x (3, 1, 6, 6), t (3,)"


def test_check_net_leaves_the_callers_net_arrays_and_random_state_alone():
    net = build_net(learner_net("gradient_updates_params", "TwoLayerNet"))
    params = {k: v.copy() for k, v in net.params.items()}
    rng = np.random.default_rng(3)
    x, t = rng.standard_normal((4, 6)), np.eye(3)[[0, 1, 2, 1]]
    x0, t0 = x.copy(), t.copy()
    np.random.seed(5)
    state = np.random.get_state()
    report = check_net(net, x, t)
    assert not report.ok
    assert all(np.array_equal(net.params[k], v) for k, v in params.items())
    assert net.layers["Affine1"].x is None and net.layers["Affine1"].W is net.params["W1"]
    assert np.array_equal(x, x0) and np.array_equal(t, t0)
    assert np.array_equal(np.random.get_state()[1], state[1])


def test_loss_for_labels_only_is_checked_with_labels():
    class LabelsOnlyNet(learner_net("list_of_layers_net", "TanhNet")):
        def loss(self, x, t):
            y = self.predict(x)
            y = y - y.max(axis=1, keepdims=True)
            log_p = y - np.log(np.exp(y).sum(axis=1, keepdims=True))
            self.loss_layer.forward(y, t)
            return -log_p[np.arange(len(t)), t].mean()  # one-hot t: IndexError

    report = check_net(build_net(LabelsOnlyNet))
    assert report.ok, str(report)
    assert report.inputs == "x (4, 6), t (4,)"
    assert any(f.key == "net.loss_labels_only" and "IndexError" in f.message() for f in report.findings)


def test_the_numerical_gradient_finds_kinks_and_extrapolates_curvature():
    p = np.array([0.0, 5e-5, 1.0, -2.0])
    numeric, noise, kinks = _differences(lambda: float(np.sum(np.maximum(p, 0) + p**4)), p, 1e-4)
    assert kinks.tolist() == [True, True, False, False]
    assert abs(numeric[2] - 5.0) < 1e-9 and abs(numeric[3] - (-32.0)) < 1e-9  # d/dp (p + p⁴), d/dp p⁴
    assert np.all(noise < 1e-9) and p.tolist() == [0.0, 5e-5, 1.0, -2.0]


def test_the_numerical_column_agrees_with_torch_autograd():
    torch = pytest.importorskip("torch")
    net = build_net(learner_net("ch5_two_layer_net", "TwoLayerNet"))
    rng = np.random.default_rng(4)
    for key in ("b1", "b2"):
        net.params[key][...] = rng.normal(0, 0.1, net.params[key].shape)  # nonzero: check_net keeps them
    x, labels = rng.standard_normal((4, 6)), np.array([0, 2, 1, 1])
    report = check_net(net, x, labels)
    assert report.ok, str(report)
    def torch_grads(delta):
        """Autograd of the loss with log(y + delta): delta = 1e-7 is the fixture's loss, 0 its gradient()."""
        W1, b1, W2, b2 = (torch.tensor(net.params[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2"))
        y = torch.softmax(torch.relu(torch.tensor(x) @ W1 + b1) @ W2 + b2, dim=1)
        torch.log(y[torch.arange(4), torch.tensor(labels)] + delta).mean().neg().backward()
        return [tensor.grad.numpy() for tensor in (W1, b1, W2, b2)]

    for row, of_loss, of_backprop in zip(report.rows, torch_grads(1e-7), torch_grads(0.0)):
        index = tuple(int(i) for i in row.index.strip("()").split(","))
        assert abs(row.numerical - of_loss[index]) < 1e-9 * max(1.0, abs(of_loss[index])), row
        assert abs(row.backward - of_backprop[index]) < 1e-12, row
