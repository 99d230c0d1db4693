"""The numbers behind chapter 6's pictures (bprop.experiments), on small but faithful settings."""

import numpy as np
import pytest

from bprop import experiments as E


def _share(layers, inside):
    """The share of activations for which inside(z) holds, per layer."""
    return [float(np.mean(inside(z))) for z in layers]


def test_histogram_experiment_is_the_books_5_layers_of_100_units_for_1000_inputs():
    layers = E.activation_histograms("sigmoid", 1)
    assert len(layers) == 5
    assert all(z.shape == (1000, 100) for z in layers)
    np.testing.assert_array_equal(E.activation_histograms("sigmoid", 1)[4], layers[4])  # seeded


def test_sigmoid_with_std_1_piles_more_than_half_the_activations_up_at_0_and_1():
    shares = _share(E.activation_histograms("sigmoid", 1), lambda z: (z < 0.05) | (z > 0.95))
    assert min(shares) > 0.5, shares


def test_sigmoid_with_std_001_collapses_every_activation_onto_05():
    layers = E.activation_histograms("sigmoid", 0.01)
    assert max(float(np.abs(z - 0.5).max()) for z in layers) < 0.15
    assert max(float(z.std()) for z in layers[1:]) < 0.015  # every unit says the same thing


def test_sigmoid_with_xavier_keeps_most_activations_between_02_and_08():
    shares = _share(E.activation_histograms("sigmoid", "xavier"), lambda z: (z > 0.2) & (z < 0.8))
    assert min(shares) > 0.75, shares
    extreme = _share(E.activation_histograms("sigmoid", "xavier"), lambda z: (z < 0.05) | (z > 0.95))
    assert max(extreme) < 0.01, extreme


def test_relu_keeps_its_spread_with_he_and_loses_it_with_xavier_or_std_001():
    std = {init: [float(z.std()) for z in E.activation_histograms("relu", init)] for init in ("he", "xavier", 0.01)}
    assert 0.5 < std["he"][4] / std["he"][0] < 2, std["he"]
    assert std["xavier"][4] < 0.5 * std["xavier"][0], std["xavier"]
    assert all(b < 0.1 * a for a, b in zip(std[0.01], std[0.01][1:])), std[0.01]


def test_histogram_experiment_accepts_the_cli_spellings_of_init():
    np.testing.assert_array_equal(E.activation_histograms("tanh", "0.01")[0], E.activation_histograms("tanh", 0.01)[0])
    assert E.init_label("1") == "std 1" and E.init_label(0.01) == "std 0.01"
    assert E.init_label("xavier") == "Xavier" and E.init_label("relu") == "He"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"activation": "swish"}, ValueError, "unknown activation 'swish'"),
    ({"init_std": "glorot"}, ValueError, "unknown weight init 'glorot'"),
    ({"hidden_layer_size": 0}, ValueError, "hidden_layer_size must be a positive int"),
])
def test_histogram_experiment_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        E.activation_histograms(**kwargs)


def _sign_changes(values):
    return int(np.sum(np.diff(np.sign(values)) != 0))


def _length(xs, ys):
    return float(np.sum(np.hypot(np.diff(xs), np.diff(ys))))


def test_optimizer_paths_start_at_minus7_2_and_take_the_books_steps():
    paths = E.optimizer_paths(30)
    assert list(paths) == ["SGD", "Momentum", "AdaGrad", "Adam"]
    for xs, ys in paths.values():
        assert len(xs) == len(ys) == 31 and (xs[0], ys[0]) == (-7.0, 2.0)
    xs, ys = paths["SGD"]
    # One SGD step by hand: grad (x/10, 2y) = (-0.7, 4), lr 0.95.
    assert (xs[1], ys[1]) == pytest.approx((-7 + 0.95 * 0.7, 2 - 0.95 * 4))


def test_sgd_zigzags_where_momentum_adagrad_and_adam_do_not():
    paths = E.optimizer_paths(30)
    straight = np.hypot(7, 2)
    assert _sign_changes(paths["SGD"][1]) == 30  # y flips at every step
    assert _length(*paths["SGD"]) > 4 * straight
    for name in ("AdaGrad", "Adam"):
        assert _length(*paths[name]) < 1.2 * straight, name
    assert _length(*paths["Momentum"]) < 2 * straight
    # Adam sways less than Momentum, as the book says of Figure 6-8.
    assert _sign_changes(paths["Adam"][1]) < _sign_changes(paths["Momentum"][1])


def test_adagrad_reaches_the_minimum_in_fewer_steps_than_sgd_can_at_any_learning_rate():
    """On x²/20 + y² SGD's lr must stay below 1 (y diverges beyond), so x shrinks by at most 10 % a step:
    no SGD gets within 0.1 of (0, 0) in under 41 steps. AdaGrad's per-coordinate scale does, at the book's lr."""
    paths = E.optimizer_paths(200)
    assert E.steps_to_reach(*paths["AdaGrad"], tol=0.1) < 35
    assert E.steps_to_reach(*paths["SGD"], tol=0.1) == 43
    for lr in np.linspace(0.1, 0.99, 12):
        steps = E.steps_to_reach(*E.optimizer_paths(200, lrs={"SGD": lr})["SGD"], tol=0.1)
        assert steps is None or steps >= 41, lr


def test_optimizer_paths_reject_an_unknown_optimizer():
    with pytest.raises(ValueError, match="unknown optimizer"):
        E.optimizer_paths(lrs={"Adadelta": 1.0})


@pytest.mark.slow  # trains on MNIST
def test_on_mnist_sgd_is_the_slowest_of_the_four_optimizers(mnist):
    losses = E.optimizer_mnist_losses(200, data=mnist)
    assert list(losses) == ["SGD", "Momentum", "AdaGrad", "Adam"]
    assert all(v.shape == (200,) and np.all(np.isfinite(v)) for v in losses.values())
    late = {name: float(v[-50:].mean()) for name, v in losses.items()}
    assert all(late["SGD"] > 1.5 * late[name] for name in ("Momentum", "AdaGrad", "Adam")), late
    assert all(abs(v[0] - np.log(10)) < 0.3 for v in losses.values())  # all start from guessing


@pytest.mark.slow  # trains on MNIST
def test_with_std_001_a_5_layer_relu_net_never_leaves_ln10_while_he_learns_fastest(mnist):
    losses = E.init_comparison(200, data=mnist)
    assert list(losses) == ["std 0.01", "Xavier", "He"]
    late = {label: float(v[-50:].mean()) for label, v in losses.items()}
    assert abs(late["std 0.01"] - np.log(10)) < 0.01, late
    assert late["He"] < late["Xavier"] < late["std 0.01"], late


@pytest.mark.slow  # trains on MNIST
def test_batchnorm_reaches_half_training_accuracy_in_fewer_epochs_on_the_books_setting(mnist):
    # Two of the book's 16 scales (np.logspace(0, -4, 16)[[5, 7]]), 1000 images, 10 of its 20 epochs.
    scales = np.logspace(0, -4, 16)[[5, 7]]
    results = E.batchnorm_comparison(10, scales=scales, data=mnist, test_size=100)
    for scale, bn, plain in results:
        assert len(bn.train_acc) == len(plain.train_acc) == 11
        assert bn.train_acc[0] == pytest.approx(plain.train_acc[0], abs=0.2)
        reached_bn, reached_plain = E.epochs_to_reach(bn.train_acc, 0.5), E.epochs_to_reach(plain.train_acc, 0.5)
        assert reached_bn is not None and reached_bn <= 6, (scale, bn.train_acc)
        assert reached_plain is None or reached_plain > reached_bn, (scale, plain.train_acc)


@pytest.mark.slow  # trains on MNIST
def test_a_run_that_overflows_is_reported_as_diverged_not_raised(mnist):
    errors = np.geterr()
    (scale, bn, plain), = E.batchnorm_comparison(1, scales=[1.0], data=mnist, test_size=100)
    assert plain.diverged_at == 1 and len(plain.train_acc) == 1  # only the accuracy before training
    assert bn.diverged_at is None and len(bn.train_acc) == 2  # batch norm tames the same weights
    assert np.geterr() == errors


@pytest.mark.slow  # trains on MNIST
def test_weight_decay_and_dropout_shrink_the_train_test_gap_of_the_books_overfitting_net(mnist):
    runs = E.overfitting(60, data=mnist, test_size=1000)
    plain, decay, dropout = runs
    assert [run.label for run in runs] == ["no regularisation", "weight decay λ=0.1", "dropout 0.2"]
    assert all(len(run.train_acc) == 61 for run in runs)
    assert plain.train_acc[0] == decay.train_acc[0] == dropout.train_acc[0]  # the same initial weights
    assert plain.train_acc[-1] > 0.85 and plain.gap > 0.2  # 300 images: it learns them by heart
    assert decay.gap < plain.gap - 0.03, (decay.gap, plain.gap)
    assert dropout.gap < plain.gap - 0.03, (dropout.gap, plain.gap)


def test_experiments_refuse_more_samples_than_there_are(mnist):
    with pytest.raises(ValueError, match="train_size must be at most the 60000 samples available, got 70000"):
        E.overfitting(1, train_size=70_000, data=mnist)
    with pytest.raises(TypeError, match=r"data must be \(\(x_train, t_train\), \(x_test, t_test\)\)"):
        E.overfitting(1, data=[1, 2, 3])
