"""bprop.train.Trainer: shuffled epochs, evaluation, reproducibility, dtype."""

import numpy as np
import pytest

from bprop.nets import TwoLayerNet
from bprop.optim import SGD
from bprop.train import History, Trainer


def _blobs(n, seed, dtype=np.float32):
    """Three well separated Gaussian blobs in 4-D: a problem any working trainer solves."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 3, n)
    centers = np.array([[3, 0, 0, 0], [0, 3, 0, 0], [0, 0, 3, 0]], dtype=np.float64)
    x = centers[t] + rng.standard_normal((n, 4))
    return x.astype(dtype), t


def _trainer(seed=0, dtype=np.float32, **kwargs):
    x_train, t_train = _blobs(90, 1, dtype)
    x_test, t_test = _blobs(30, 2, dtype)
    net = TwoLayerNet(4, 8, 3, weight_init_std=0.3, dtype=dtype, rng=seed)
    args = {"mini_batch_size": 10, "optimizer": "sgd", "optimizer_param": {"lr": 0.1},
            "seed": seed, "verbose": False, "progress": False, **kwargs}
    return Trainer(net, x_train, t_train, x_test, t_test, **args)


class _Recorder:
    """A stand-in net that records which rows (column 0 holds the row index) each step sees."""

    dtype = np.dtype(np.float64)

    def __init__(self):
        self.batches = []
        self.params = {"w": np.zeros(1)}

    def loss_and_gradient(self, x, t):
        self.batches.append(x[:, 0].astype(int).tolist())
        return 0.0, {"w": np.zeros(1)}

    def accuracy(self, x, t):
        return 0.0


def test_trainer_learns_separable_blobs():
    history = _trainer(epochs=20).train()
    assert history.test_acc[-1] >= 0.9
    assert np.mean(history.loss[-9:]) < np.mean(history.loss[:9])


def test_same_seed_gives_a_bit_identical_loss_history():
    a = _trainer(seed=3, epochs=3).train()
    b = _trainer(seed=3, epochs=3).train()
    assert a.loss == b.loss
    assert a.test_acc == b.test_acc


def test_different_seeds_shuffle_differently():
    assert _trainer(seed=3, epochs=2).train().loss != _trainer(seed=4, epochs=2).train().loss


def test_each_epoch_uses_every_sample_once_in_a_new_order():
    x = np.arange(25, dtype=np.float64).reshape(25, 1)
    t = np.zeros(25, dtype=np.int64)
    net = _Recorder()
    trainer = Trainer(net, x, t, x, t, epochs=2, mini_batch_size=10, optimizer=SGD(0.1), seed=0,
                      verbose=False)
    trainer.train()
    assert [len(b) for b in net.batches] == [10, 10, 5, 10, 10, 5]
    first, second = sum(net.batches[:3], []), sum(net.batches[3:], [])
    assert sorted(first) == sorted(second) == list(range(25))
    assert first != second


def test_iterations_that_end_mid_epoch_evaluate_the_final_net_too():
    trainer = _trainer(iters=20)  # 9 steps per epoch: epochs end at 9 and 18, the run at 20
    history = trainer.train()
    assert history.iterations == [9, 18, 20]
    assert history.epochs == [1, 2, 3]
    assert len(history.loss) == 20
    assert len(history.train_acc) == len(history.test_acc) == 3


def test_epochs_set_the_number_of_steps():
    history = _trainer(epochs=2).train()
    assert history.iterations == [9, 18]


def test_the_books_attribute_names_show_the_history():
    trainer = _trainer(epochs=1)
    history = trainer.train()
    assert isinstance(history, History) and history is trainer.history
    assert trainer.train_loss_list is history.loss
    assert trainer.train_acc_list == history.train_acc and trainer.test_acc_list == history.test_acc


def test_recorded_losses_are_those_before_each_update():
    trainer = _trainer(epochs=1, mini_batch_size=90)  # one full batch: the order cannot matter
    net = trainer.network
    expected = float(net.loss(trainer.x_train, trainer.t_train))
    assert trainer.train_step() == pytest.approx(expected, rel=1e-6)


def test_float32_training_keeps_float32_parameters():
    trainer = _trainer(epochs=1)
    trainer.train()
    assert all(p.dtype == np.float32 for p in trainer.network.params.values())


def test_data_of_another_dtype_is_converted_once_to_the_nets():
    x, t = _blobs(30, 1, np.float64)
    net = TwoLayerNet(4, 8, 3, dtype=np.float32, rng=0)
    trainer = Trainer(net, x, t, x, t, epochs=1, mini_batch_size=10, verbose=False)
    assert trainer.x_train.dtype == np.float32
    trainer.train()


def test_one_hot_labels_train_too():
    x, t = _blobs(30, 1)
    net = TwoLayerNet(4, 8, 3, dtype=np.float32, rng=0)
    one_hot = np.eye(3, dtype=np.float32)[t]
    history = Trainer(net, x, one_hot, x, one_hot, epochs=2, mini_batch_size=10, verbose=False).train()
    assert len(history.test_acc) == 2


def test_verbose_logs_one_line_per_epoch():
    lines = []
    _trainer(epochs=2, verbose=True, log=lines.append).train()
    assert len(lines) == 2
    assert lines[0].startswith("epoch 1/2  iter  9  loss ")
    assert "train acc " in lines[1] and "test acc " in lines[1]


def test_a_progress_bar_does_not_swallow_the_epoch_lines(capsys):
    pytest.importorskip("tqdm")
    _trainer(epochs=2, verbose=True, progress=True).train()
    out = capsys.readouterr().out
    assert out.count("epoch ") == 2


def test_evaluate_sample_num_per_epoch_limits_the_evaluated_rows():
    trainer = _trainer(epochs=1, evaluate_sample_num_per_epoch=7)
    seen = []
    accuracy = trainer.network.accuracy
    trainer.network.accuracy = lambda x, t: seen.append(len(x)) or accuracy(x, t)
    trainer.train()
    assert seen == [7, 7]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"mini_batch_size": 0}, ValueError, "mini_batch_size must be a positive int"),
    ({"iters": 2.5}, TypeError, "iters must be a positive int"),
    ({"epochs": 0}, ValueError, "epochs must be a positive int"),
    ({"optimizer": "lion"}, ValueError, "unknown optimizer 'lion'"),
    ({"optimizer": 3}, TypeError, "optimizer must be a name"),
    ({"optimizer_param": {"lr": -1}}, ValueError, "lr must lie"),
])
def test_trainer_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        _trainer(**kwargs)


def test_trainer_rejects_data_whose_rows_and_labels_disagree():
    x, t = _blobs(30, 1)
    net = TwoLayerNet(4, 8, 3, dtype=np.float32, rng=0)
    with pytest.raises(ValueError, match=r"x_train and t_train must have the same number of samples"):
        Trainer(net, x, t[:-1], x, t)
