"""Optimizers' state_dict beyond tests/test_checkpoint.py: a snapshot, and resuming on book 2's lists with a tie."""

import copy

import numpy as np
import pytest

from bprop import nets, optim

ALL = {**optim.OPTIMIZERS, "adamw": optim.AdamW}
every_optimizer = pytest.mark.parametrize("name", ALL)


def _grads(params, rng):
    return [rng.standard_normal(p.shape).astype(p.dtype) for p in params]


@pytest.mark.parametrize("name", [name for name, cls in ALL.items() if cls._STATE])  # SGD keeps no state
def test_a_state_dict_is_a_snapshot_that_later_updates_leave_alone(name):
    params = {"W": np.linspace(-1, 1, 6).reshape(2, 3)}
    opt = ALL[name](lr=0.05)
    rng = np.random.default_rng(0)
    for _ in range(2):
        opt.update(params, {"W": rng.standard_normal((2, 3))})
    state = opt.state_dict()
    kept = copy.deepcopy(state)
    opt.update(params, {"W": rng.standard_normal((2, 3))})
    assert state["counters"] == kept["counters"]
    for store, arrays in kept["state"].items():
        for key, a in arrays.items():
            np.testing.assert_array_equal(state["state"][store][key], a)
            assert not np.array_equal(getattr(opt, store)[key], a)  # the optimizer's own state moved on


@every_optimizer
def test_a_loaded_optimizer_continues_a_tied_language_model_bit_for_bit(name):
    """GPT's lists hold embed.W and its transpose: the state is keyed by the tie's first entry, and resumes."""
    first, second = (nets.GPT(7, 4, d_model=8, num_heads=2, num_layers=1, dtype=np.float32, rng=1) for _ in range(2))
    opt = ALL[name](lr=0.01)
    rng = np.random.default_rng(5)
    for _ in range(3):
        opt.update(first.params, _grads(first.params, rng))
    second.load_state_dict(first.state_dict())
    resumed = ALL[name](lr=0.5)
    resumed.load_state_dict(opt.state_dict())
    for _ in range(3):
        grads = _grads(first.params, rng)
        opt.update(first.params, grads)
        resumed.update(second.params, grads)
    for key, value in first.state_dict().items():
        np.testing.assert_array_equal(second.state_dict()[key], value, err_msg=key)
        assert value.dtype == np.float32
    np.testing.assert_array_equal(second.params["affine.W"], second.params["embed.W"].T)
