"""bprop.optim: each optimizer against torch.optim, in-place updates, dtype, argument checks."""

import numpy as np
import pytest

from bprop import optim
from bprop.nets import TwoLayerNet
from bprop.optim import SGD, AdaGrad, Adam, AdamW, Momentum, Nesterov, RMSprop

STEPS = 10


# (ours, the same method in torch.optim as (class name, kwargs)).
CASES = {
    "SGD": (lambda: SGD(lr=0.1), ("SGD", {"lr": 0.1})),
    "Momentum": (lambda: Momentum(lr=0.1, momentum=0.9), ("SGD", {"lr": 0.1, "momentum": 0.9})),
    "Nesterov": (lambda: Nesterov(lr=0.1, momentum=0.9),
                 ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True})),
    "AdaGrad": (lambda: AdaGrad(lr=0.1), ("Adagrad", {"lr": 0.1, "eps": 1e-7})),
    "RMSprop": (lambda: RMSprop(lr=0.01, decay_rate=0.99), ("RMSprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-7})),
    "Adam": (lambda: Adam(lr=0.01, beta1=0.8, beta2=0.95, eps=1e-8),
             ("Adam", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-8})),
    "AdamW": (lambda: AdamW(lr=0.01, beta1=0.8, beta2=0.95, eps=1e-8, weight_decay=0.1),
              ("AdamW", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 1e-8, "weight_decay": 0.1})),
}


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((8, 5))
    t = rng.integers(0, 3, 8)
    return x, t


@pytest.mark.parametrize("name", list(CASES))
def test_optimizer_matches_torch_optim_over_ten_steps_of_a_tiny_net(name):
    torch = pytest.importorskip("torch")
    make_ours, (torch_name, torch_kwargs) = CASES[name]
    x, t = _problem()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=1)
    # torch's Linear computes x·Wᵀ + b: its weight is our W transposed.
    tparams = {k: torch.tensor(v.T.copy() if k.startswith("W") else v.copy(), requires_grad=True)
               for k, v in net.params.items()}

    def torch_loss():
        h = torch.relu(torch.from_numpy(x) @ tparams["W1"].T + tparams["b1"])
        y = h @ tparams["W2"].T + tparams["b2"]
        return torch.nn.functional.cross_entropy(y, torch.from_numpy(t))

    ours = make_ours()
    theirs = getattr(torch.optim, torch_name)(list(tparams.values()), **torch_kwargs)
    for _ in range(STEPS):
        ours.update(net.params, net.gradient(x, t))
        theirs.zero_grad()
        torch_loss().backward()
        theirs.step()
    for key, p in net.params.items():
        expected = tparams[key].detach().numpy()
        np.testing.assert_allclose(p, expected.T if key.startswith("W") else expected,
                                   rtol=1e-10, atol=1e-12, err_msg=f"{name} {key}")


@pytest.mark.parametrize("name", list(CASES))
def test_update_changes_the_layers_own_arrays_in_place_and_leaves_grads_alone(name):
    x, t = _problem()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=1)
    W1 = net.layers["Affine1"].W
    before = W1.copy()
    grads = {k: v.copy() for k, v in net.gradient(x, t).items()}
    kept = {k: v.copy() for k, v in grads.items()}
    CASES[name][0]().update(net.params, grads)
    assert net.layers["Affine1"].W is W1
    assert not np.array_equal(W1, before)
    for key in grads:
        np.testing.assert_array_equal(grads[key], kept[key])


@pytest.mark.parametrize("name", list(CASES))
def test_float32_parameters_and_state_stay_float32(name):
    x, t = _problem()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=1, dtype=np.float32)
    opt = CASES[name][0]()
    for _ in range(3):
        opt.update(net.params, net.gradient(x.astype(np.float32), t))
    assert all(p.dtype == np.float32 for p in net.params.values())
    state = [a for attr in ("v", "h", "m") for a in getattr(opt, attr, {}).values()]
    assert all(s.dtype == np.float32 for s in state)


@pytest.mark.parametrize("name", list(CASES))
def test_optimizers_reduce_the_loss_of_a_tiny_net(name):
    x, t = _problem()
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, rng=1)
    before = net.loss(x, t)
    opt = CASES[name][0]()
    for _ in range(30):
        opt.update(net.params, net.gradient(x, t))
    assert net.loss(x, t) < before


def test_nesterov_equals_the_papers_formula_with_the_velocity_before_its_update():
    """p += μ²·v_old − (1+μ)·lr·g (Bengio et al. 2012, the formula the book cites)."""
    rng = np.random.default_rng(3)
    lr, mu = 0.05, 0.9
    p = rng.standard_normal(6)
    ours = {"w": p.copy()}
    opt = Nesterov(lr=lr, momentum=mu)
    v = np.zeros(6)
    for _ in range(5):
        g = rng.standard_normal(6)
        opt.update(ours, {"w": g})
        p += mu * mu * v - (1 + mu) * lr * g
        v = mu * v - lr * g
    np.testing.assert_allclose(ours["w"], p, rtol=1e-13)


def test_adam_with_eps_zero_equals_the_books_form():
    """The book: lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ); p −= lr_t·m/√v. Only where eps sits differs."""
    rng = np.random.default_rng(4)
    lr, b1, b2 = 0.01, 0.9, 0.999
    p = rng.standard_normal(6)
    ours = {"w": p.copy()}
    opt = Adam(lr=lr, beta1=b1, beta2=b2, eps=0.0)
    m, v = np.zeros(6), np.zeros(6)
    for i in range(1, 6):
        g = rng.standard_normal(6)
        opt.update(ours, {"w": g})
        m += (1 - b1) * (g - m)
        v += (1 - b2) * (g ** 2 - v)
        p -= lr * np.sqrt(1 - b2 ** i) / (1 - b1 ** i) * m / np.sqrt(v)
    np.testing.assert_allclose(ours["w"], p, rtol=1e-12)
    assert opt.iter == 5


def test_update_works_on_plain_dicts_of_arrays():
    params = {"w": np.array([1.0, 2.0])}
    w = params["w"]
    SGD(lr=0.5).update(params, {"w": np.array([2.0, -2.0])})
    assert params["w"] is w
    np.testing.assert_array_equal(w, [0.0, 3.0])


@pytest.mark.parametrize("make, match", [
    (lambda: SGD(lr=0), r"lr must lie in \(0"),
    (lambda: SGD(lr=-1), r"lr must lie in \(0"),
    (lambda: SGD(lr=float("nan")), "lr must lie"),
    (lambda: SGD(lr="0.1"), "lr must be a number"),
    (lambda: Momentum(momentum=1.0), r"momentum must lie in \[0, 1\)"),
    (lambda: RMSprop(decay_rate=1.5), "decay_rate must lie"),
    (lambda: Adam(beta2=1.0), "beta2 must lie"),
    (lambda: AdaGrad(eps=-1e-7), "eps must lie"),
])
def test_constructors_reject_bad_hyperparameters(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_update_rejects_missing_or_misshapen_gradients():
    params = {"w": np.zeros(3)}
    with pytest.raises(ValueError, match="no gradient for 'w'.*net.gradient"):
        SGD().update(params, {})
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(2,\), params\['w'\] has shape \(3,\)"):
        SGD().update(params, {"w": np.zeros(2)})


def test_get_builds_an_optimizer_by_name_in_any_case():
    assert isinstance(optim.get("ADAM", lr=0.1), Adam)
    with pytest.raises(ValueError, match="unknown optimizer 'lion'.*sgd, momentum"):
        optim.get("lion")


# --- book 2's lists and weight tying ----------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_book_2s_lists_update_as_the_dicts_do(name):
    make = CASES[name][0]
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
    as_dict, as_list = {"W": arrays[0].copy(), "b": arrays[1].copy()}, [a.copy() for a in arrays]
    by_key, by_index = make(), make()
    for _ in range(3):
        grads = [rng.standard_normal((3, 2)), rng.standard_normal(2)]
        by_key.update(as_dict, {"W": grads[0], "b": grads[1]})
        by_index.update(as_list, grads)
    np.testing.assert_array_equal(as_list[0], as_dict["W"])
    np.testing.assert_array_equal(as_list[1], as_dict["b"])


@pytest.mark.parametrize("tied", ["same", "transpose"])
def test_a_tied_weight_is_updated_once_with_its_gradients_summed(tied):
    W = np.ones((3, 2))
    other = W if tied == "same" else W.T  # book 2's decoder Affine holding the Embedding's W (or W.T)
    g1, g2 = np.full((3, 2), 0.5), np.arange(6.0).reshape(other.shape)
    SGD(lr=0.1).update([W, other], [g1, g2])
    expected = 1 - 0.1 * (g1 + (g2 if tied == "same" else g2.T))
    np.testing.assert_allclose(W, expected)
    np.testing.assert_array_equal(g1, 0.5)  # the gradients are left as they were


def test_lists_of_other_lengths_are_refused():
    with pytest.raises(ValueError, match="expects grads as a list like params"):
        SGD().update([np.ones(2), np.ones(2)], [np.ones(2)])
