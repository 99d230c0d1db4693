"""bprop.optim.AdamW: step for step against torch.optim.AdamW, the 1-D exclusion, lists and tied weights,
its state, its argument checks."""

import copy
import json

import numpy as np
import pytest

from bprop import optim
from bprop.optim import Adam, AdamW

STEPS = 10
SHAPES = {"W1": (4, 3), "b1": (3,), "gamma": (3,), "W2": (3, 2, 2), "s": ()}
TOL = {np.float64: {"rtol": 1e-12, "atol": 1e-14}, np.float32: {"rtol": 1e-6, "atol": 1e-7}}


def _start(dtype, seed=0):
    rng = np.random.default_rng(seed)
    params = {k: np.asarray(rng.standard_normal(shape), dtype=dtype) for k, shape in SHAPES.items()}
    grads = [{k: np.asarray(rng.standard_normal(shape), dtype=dtype) for k, shape in SHAPES.items()}
             for _ in range(STEPS)]
    return params, grads


def _torch_run(torch, params, grads, groups, **kwargs):
    """torch.optim.AdamW on copies of params, fed the same gradients; ``groups`` maps keys to weight_decay."""
    tensors = {k: torch.tensor(p.copy(), requires_grad=True) for k, p in params.items()}
    param_groups = [{"params": [tensors[k] for k in keys], "weight_decay": wd} for wd, keys in groups.items()]
    opt = torch.optim.AdamW(param_groups, **kwargs)
    for step in grads:
        for k, t in tensors.items():
            t.grad = torch.tensor(step[k])
        opt.step()
    return {k: t.detach().numpy() for k, t in tensors.items()}


HYPER = [
    ({}, {}),  # both defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01
    ({"lr": 0.05, "beta1": 0.8, "beta2": 0.95, "eps": 1e-6, "weight_decay": 0.3},
     {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.3}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("ours_kwargs, torch_kwargs", HYPER, ids=["defaults", "others"])
def test_adamw_matches_torch_adamw_over_ten_steps(dtype, ours_kwargs, torch_kwargs):
    torch = pytest.importorskip("torch")
    params, grads = _start(dtype)
    wd = ours_kwargs.get("weight_decay", 0.01)
    expected = _torch_run(torch, params, grads, {wd: list(params)}, **torch_kwargs)
    opt = AdamW(**ours_kwargs)
    for step in grads:
        opt.update(params, step)
    for k, p in params.items():
        assert p.dtype == dtype
        np.testing.assert_allclose(p, expected[k], **TOL[dtype], err_msg=k)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_decay_1d_equals_torch_with_biases_and_gains_in_a_group_without_decay(dtype):
    torch = pytest.importorskip("torch")
    params, grads = _start(dtype, seed=1)
    low = [k for k, p in params.items() if p.ndim < 2]
    assert low == ["b1", "gamma", "s"]
    groups = {0.2: [k for k in params if k not in low], 0.0: low}
    expected = _torch_run(torch, params, grads, groups, lr=0.02)
    opt = AdamW(lr=0.02, weight_decay=0.2, no_decay_1d=True)
    for step in grads:
        opt.update(params, step)
    for k, p in params.items():
        np.testing.assert_allclose(p, expected[k], **TOL[dtype], err_msg=k)


def test_the_decay_uses_the_lr_of_the_update():
    params = {"W": np.full((2, 2), 2.0)}
    opt = AdamW(lr=0.1, weight_decay=0.5)
    opt.lr = 0.2  # what a schedule does before an update
    opt.update(params, {"W": np.zeros((2, 2))})  # zero gradient: Adam's step is 0, only the decay acts
    np.testing.assert_array_equal(params["W"], 2.0 * (1 - 0.2 * 0.5))


def test_weight_decay_zero_is_adam_exactly():
    params, grads = _start(np.float64, seed=2)
    as_adam = {k: p.copy() for k, p in params.items()}
    adamw, adam = AdamW(lr=0.01, weight_decay=0.0), Adam(lr=0.01)
    for step in grads:
        adamw.update(params, step)
        adam.update(as_adam, step)
    for k in params:
        np.testing.assert_array_equal(params[k], as_adam[k])


def test_float32_parameters_and_moments_stay_float32():
    params, grads = _start(np.float32, seed=3)
    opt = AdamW()
    for step in grads[:3]:
        opt.update(params, step)
    assert all(p.dtype == np.float32 for p in params.values())
    assert all(a.dtype == np.float32 for store in (opt.m, opt.v) for a in store.values())


def test_update_is_in_place_and_leaves_grads_alone():
    params, grads = _start(np.float64, seed=4)
    arrays = dict(params)
    kept = {k: g.copy() for k, g in grads[0].items()}
    AdamW(lr=0.1).update(params, grads[0])
    assert all(params[k] is arrays[k] for k in params)
    for k in kept:
        np.testing.assert_array_equal(grads[0][k], kept[k])


# --- book 2's lists and weight tying ----------------------------------------------------


def test_book_2s_lists_update_as_the_dicts_do():
    params, grads = _start(np.float64, seed=5)
    as_list = [p.copy() for p in params.values()]
    by_key, by_index = AdamW(lr=0.01, weight_decay=0.1, no_decay_1d=True), AdamW(lr=0.01, weight_decay=0.1,
                                                                                   no_decay_1d=True)
    for step in grads:
        by_key.update(params, step)
        by_index.update(as_list, list(step.values()))
    for p, q in zip(params.values(), as_list):
        np.testing.assert_array_equal(q, p)


@pytest.mark.parametrize("tied", ["same", "transpose"])
def test_a_tied_weight_is_decayed_and_stepped_once(tied):
    rng = np.random.default_rng(6)
    W = rng.standard_normal((3, 2))
    alone = W.copy()
    other = W if tied == "same" else W.T  # book 2's decoder Affine holding the Embedding's W (or W.T)
    tied_opt, alone_opt = AdamW(lr=0.05, weight_decay=0.5), AdamW(lr=0.05, weight_decay=0.5)
    for _ in range(4):
        g1, g2 = rng.standard_normal((3, 2)), rng.standard_normal(other.shape)
        tied_opt.update([W, other], [g1, g2])
        alone_opt.update([alone], [g1 + (g2 if tied == "same" else g2.T)])
    np.testing.assert_array_equal(W, alone)


# --- state, names, checks ---------------------------------------------------------------


def test_a_loaded_adamw_continues_exactly():
    params, grads = _start(np.float32, seed=7)
    first = AdamW(lr=0.03, weight_decay=0.2, no_decay_1d=True)
    for step in grads[:3]:
        first.update(params, step)
    state = copy.deepcopy(first.state_dict())
    assert state["type"] == "AdamW" and state["counters"] == {"iter": 3}
    assert state["hyperparameters"] == {"lr": 0.03, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                        "weight_decay": 0.2, "no_decay_1d": True}
    json.dumps(state["hyperparameters"])  # a checkpoint writes them as JSON
    copy_of_params = {k: p.copy() for k, p in params.items()}
    second = AdamW(lr=0.5, weight_decay=0.0)  # its own hyperparameters are replaced by the saved ones
    second.load_state_dict(state)
    for step in grads[3:]:
        first.update(params, step)
        second.update(copy_of_params, step)
    for k in params:
        np.testing.assert_array_equal(copy_of_params[k], params[k])


def test_an_adam_state_is_not_an_adamw_state():
    with pytest.raises(ValueError, match="expects the state of a AdamW, got 'Adam'"):
        AdamW().load_state_dict(Adam().state_dict())


@pytest.mark.parametrize("spoil, words", [
    (lambda s: s["hyperparameters"].update(weight_decay=-1.0), "weight_decay must lie in [0, inf]"),
    (lambda s: s["hyperparameters"].update(no_decay_1d="yes"), "no_decay_1d must be True or False"),
    (lambda s: s["hyperparameters"].pop("weight_decay"), "hyperparameters must be"),
])
def test_a_bad_adamw_state_is_refused_and_changes_nothing(spoil, words):
    source = AdamW(lr=0.1)
    source.update({"W": np.ones(2)}, {"W": np.ones(2)})
    state = copy.deepcopy(source.state_dict())
    spoil(state)
    target = AdamW(lr=0.3, weight_decay=0.05)
    with pytest.raises(ValueError) as error:
        target.load_state_dict(state)
    assert words in str(error.value)
    assert (target.lr, target.weight_decay, target.iter) == (0.3, 0.05, 0)


@pytest.mark.parametrize("make, error, match", [
    (lambda: AdamW(weight_decay=-0.01), ValueError, r"weight_decay must lie in \[0, inf\], got -0.01"),
    (lambda: AdamW(weight_decay=float("nan")), ValueError, "weight_decay must lie"),
    (lambda: AdamW(weight_decay="0.01"), TypeError, "weight_decay must be a number"),
    (lambda: AdamW(no_decay_1d=1), TypeError, "no_decay_1d must be True or False, got int 1"),
    (lambda: AdamW(lr=0), ValueError, r"lr must lie in \(0"),
    (lambda: AdamW(beta1=1.0), ValueError, r"beta1 must lie in \[0, 1\)"),
    (lambda: AdamW(beta2=-0.1), ValueError, "beta2 must lie"),
    (lambda: AdamW(eps=-1e-8), ValueError, "eps must lie"),
])
def test_adamw_rejects_bad_hyperparameters(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_get_builds_adamw_by_name_in_any_case():
    opt = optim.get("AdamW", lr=0.01, weight_decay=0.1)
    assert type(opt) is AdamW and (opt.lr, opt.weight_decay, opt.no_decay_1d) == (0.01, 0.1, False)
    with pytest.raises(ValueError, match="unknown optimizer 'adamx'.*adam, adamw"):
        optim.get("adamx")
