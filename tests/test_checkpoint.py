"""Saving a run mid-way and resuming it: optimizer state, trainer state, the checkpoint file."""

import copy
import json

import numpy as np
import pytest

from bprop import checkpoint, optim
from bprop.nets import MultiLayerNetExtend, TwoLayerNet, load
from bprop.serialize import ModelFileError
from bprop.train import Trainer

# --- optimizers ------------------------------------------------------------------------


def _steps(optimizer, params, n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        optimizer.update(params, {k: rng.standard_normal(p.shape).astype(p.dtype) for k, p in params.items()})


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_an_optimizer_loaded_from_its_state_continues_exactly(name):
    params = {"W": np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), "b": np.ones(3, np.float32)}
    first = optim.get(name, lr=0.05)
    _steps(first, params, 3, seed=1)
    state = copy.deepcopy(first.state_dict())
    copy_of_params = {k: p.copy() for k, p in params.items()}
    second = optim.get(name, lr=0.9)  # its own lr is replaced by the saved one
    second.load_state_dict(state)
    assert second.lr == 0.05
    _steps(first, params, 4, seed=2)
    _steps(second, copy_of_params, 4, seed=2)
    for key in params:
        np.testing.assert_array_equal(params[key], copy_of_params[key])
        assert copy_of_params[key].dtype == np.float32


def test_adam_state_holds_its_moments_and_step_count():
    adam = optim.Adam()
    _steps(adam, {"W": np.zeros((2, 2))}, 5, seed=0)
    state = adam.state_dict()
    assert state["type"] == "Adam" and state["counters"] == {"iter": 5}
    assert set(state["state"]) == {"m", "v"} and state["state"]["m"]["W"].shape == (2, 2)
    assert state["hyperparameters"] == {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


BAD_OPTIMIZER_STATES = [
    (lambda s: s.update(type="SGD"), "expects the state of a Momentum, got 'SGD'"),
    (lambda s: s["hyperparameters"].pop("momentum"), "hyperparameters must be ['lr', 'momentum']"),
    (lambda s: s["hyperparameters"].update(lr=0.0), "lr"),
    (lambda s: s["hyperparameters"].update(momentum=1.5), "momentum"),
    (lambda s: s.update(counters={"iter": 3}), "counters must be []"),
    (lambda s: s["state"].pop("v"), "state must hold ['v']"),
    (lambda s: s["state"]["v"].update(W=np.array([np.nan, 0.0])), "v['W'] must be a finite float array"),
    (lambda s: s["state"]["v"].update(W=np.array(["a"])), "v['W'] must be a finite float array"),
]


@pytest.mark.parametrize("spoil, words", BAD_OPTIMIZER_STATES, ids=[w for _, w in BAD_OPTIMIZER_STATES])
def test_a_bad_optimizer_state_is_refused_and_changes_nothing(spoil, words):
    source = optim.Momentum(lr=0.1, momentum=0.5)
    _steps(source, {"W": np.ones(2)}, 2, seed=0)
    state = copy.deepcopy(source.state_dict())
    spoil(state)
    target = optim.Momentum(lr=0.3, momentum=0.7)
    _steps(target, {"W": np.ones(2)}, 1, seed=3)
    before = copy.deepcopy(target.state_dict())
    with pytest.raises(ValueError) as error:
        target.load_state_dict(state)
    assert words in str(error.value)
    after = target.state_dict()
    assert after["hyperparameters"] == before["hyperparameters"]
    np.testing.assert_array_equal(after["state"]["v"]["W"], before["state"]["v"]["W"])


# --- the trainer -----------------------------------------------------------------------


def _data(n=130, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 8)).astype(np.float32), rng.integers(0, 3, n)


def _trainer(seed=1, iters=50, optimizer="adam", n=130):
    """A net with batch norm and dropout (its own generators), so every kind of state matters."""
    x, t = _data(n)
    rng = np.random.default_rng(seed)
    net = MultiLayerNetExtend(8, [6, 5], 3, use_dropout=True, dropout_ration=0.2, use_batchnorm=True,
                              dtype=np.float32, rng=rng)
    return Trainer(net, x, t, x[:20], t[:20], iters=iters, mini_batch_size=20, optimizer=optimizer,
                   optimizer_param={"lr": 0.01}, seed=rng, verbose=False)


class _Stop(Exception):
    pass


@pytest.mark.parametrize("optimizer", ["adam", "adamw", "momentum", "rmsprop"])
def test_a_run_resumed_from_its_checkpoint_file_equals_the_uninterrupted_run(tmp_path, optimizer):
    whole = _trainer(optimizer=optimizer)
    history = whole.train()

    path = tmp_path / "run.npz"
    interrupted = _trainer(optimizer=optimizer)

    def save_then_stop(trainer):  # checkpoints at 7, 14, 21; a crash at 28 before its checkpoint
        if trainer.current_iter == 28:
            raise _Stop
        checkpoint.save(path, trainer, {"why": "test"})

    with pytest.raises(_Stop):
        interrupted.train(checkpoint_every=7, checkpoint=save_then_stop)
    saved = checkpoint.load(path)
    assert saved.state["step"] == 21 and saved.run == {"why": "test"}
    resumed = _trainer(seed=99, optimizer=optimizer)  # other weights and generators: all replaced
    resumed.network = saved.net
    resumed.load_state_dict(saved.state)
    resumed.train()
    assert resumed.history.loss == history.loss  # bit for bit
    assert resumed.history.test_acc == history.test_acc and resumed.history.epochs == history.epochs
    for key, p in whole.network.params.items():
        np.testing.assert_array_equal(resumed.network.params[key], p)


def test_train_calls_the_checkpoint_every_n_steps_and_after_the_last():
    steps = []
    _trainer(iters=20).train(checkpoint_every=6, checkpoint=lambda t: steps.append(t.current_iter))
    assert steps == [6, 12, 18, 20]
    steps.clear()
    _trainer(iters=12).train(checkpoint_every=6, checkpoint=lambda t: steps.append(t.current_iter))
    assert steps == [6, 12]
    with pytest.raises(ValueError, match="both checkpoint_every and checkpoint"):
        _trainer().train(checkpoint_every=5)


def _state_after(steps=9):
    trainer = _trainer(iters=steps)
    trainer.train()
    return copy.deepcopy(trainer.state_dict())


BAD_TRAINER_STATES = [
    (lambda s: s.update(batch_size=10), "the saved run used mini-batches of 10, this trainer 20"),
    (lambda s: s.update(step=60), "past this trainer's 50 steps"),
    (lambda s: s.update(order=s["order"][:-1]), "not a permutation of this trainer's 130 training samples"),
    (lambda s: s.update(order=np.zeros(130, int)), "not a permutation"),
    (lambda s: s.update(position=500), "position 500 is past the end"),
    (lambda s: s.update(rng={"bit_generator": "MT19937"}), "rng is not a state of a PCG64 generator"),
    (lambda s: s.update(layer_rngs={}), "random layers [] , this net".replace(" ,", ",")),
    (lambda s: s["optimizer"]["state"]["m"].update(W1=np.zeros(3, np.float32)),
     "optimizer state m['W1'] is float32 (3,), the net's W1 is float32 (8, 6)"),
    (lambda s: s["optimizer"]["state"]["m"].update(W9=np.zeros(3, np.float32)), "names no parameter"),
    (lambda s: s["history"].update(loss=np.zeros(4)), "one loss per step (9)"),
    (lambda s: s["history"]["test_acc"].__setitem__(0, 2.0), "accuracies in [0, 1]"),
    (lambda s: s.pop("order"), "a trainer state holds"),
]


@pytest.mark.parametrize("spoil, words", BAD_TRAINER_STATES, ids=[w for _, w in BAD_TRAINER_STATES])
def test_a_state_that_does_not_fit_is_refused_and_the_trainer_is_unchanged(spoil, words):
    state = _state_after()
    spoil(state)
    trainer = _trainer(seed=5)
    trainer.train_step()
    rng_before = copy.deepcopy(trainer.rng.bit_generator.state)
    m_before = trainer.optimizer.m["W1"].copy()
    with pytest.raises(ValueError) as error:
        trainer.load_state_dict(state)
    assert words in str(error.value)
    assert trainer.current_iter == 1 and len(trainer.history.loss) == 1
    assert trainer.rng.bit_generator.state == rng_before
    np.testing.assert_array_equal(trainer.optimizer.m["W1"], m_before)


def test_a_hand_written_optimizer_cannot_be_checkpointed():
    class Plain:
        def update(self, params, grads):
            pass

    x, t = _data()
    trainer = Trainer(TwoLayerNet(8, 4, 3), x, t, x, t, iters=2, optimizer=Plain(), verbose=False)
    with pytest.raises(TypeError, match="has no state_dict"):
        trainer.state_dict()


# --- the file --------------------------------------------------------------------------


@pytest.fixture
def saved_run(tmp_path):
    trainer = _trainer(iters=9)
    trainer.train()
    return checkpoint.save(tmp_path / "run", trainer, {"options": {"seed": 1}}), trainer


def test_a_checkpoint_is_also_the_model_file_of_its_net(saved_run):
    path, trainer = saved_run
    assert path.name == "run.npz"
    x, _ = _data()
    np.testing.assert_array_equal(load(path).predict(x), trainer.network.predict(x))
    with np.load(path, allow_pickle=False) as archive:
        assert "checkpoint/order" in archive.files and "checkpoint/optimizer/state/m/W1" in archive.files


def _rewrite(path, change):
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    change(arrays)
    np.savez(path, **arrays)


def _edit_state(edit):
    def change(arrays):
        document = json.loads(str(arrays["checkpoint/state"]))
        edit(document)
        arrays["checkpoint/state"] = np.array(json.dumps(document))
    return change


BAD_FILES = [
    (lambda a: a.pop("checkpoint/state"), "holds a net but no training state to resume"),
    (lambda a: a.update({"checkpoint/state": np.array("{not json")}), "is not valid JSON"),
    (lambda a: a.update({"checkpoint/state": np.zeros(3)}), "must be one unicode string"),
    (_edit_state(lambda d: d.update(version=7)), "checkpoint version 7 is not supported"),
    (_edit_state(lambda d: d.update(format="x")), "does not describe a bprop checkpoint"),
    (_edit_state(lambda d: d.pop("run")), "must hold a 'trainer' and a 'run' object"),
    (lambda a: a.pop("checkpoint/order"), "refers to array 'checkpoint/order', which the file lacks"),
    (lambda a: a.update({"checkpoint/stray": np.zeros(2)}), "unexpected checkpoint arrays ['checkpoint/stray']"),
    (lambda a: a.update(W1=np.zeros(2, np.float32)), "array 'W1' has shape (2,)"),
]


@pytest.mark.parametrize("change, words", BAD_FILES, ids=[w for _, w in BAD_FILES])
def test_a_damaged_checkpoint_is_a_model_file_error_naming_the_file(saved_run, change, words):
    path, _ = saved_run
    _rewrite(path, change)
    with pytest.raises(ModelFileError) as error:
        checkpoint.load(path)
    assert str(path) in str(error.value) and words in str(error.value)


def test_checkpoint_arrays_must_carry_the_prefix(tmp_path):
    from bprop import serialize

    with pytest.raises(ValueError, match="checkpoint arrays must be named checkpoint/"):
        serialize.save(TwoLayerNet(2, 2, 2), tmp_path / "x.npz", checkpoint={"order": np.zeros(2)})
    assert list(tmp_path.iterdir()) == []
