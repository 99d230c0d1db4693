"""check_optimizer: the book's optimizers and bprop's pass, each realistic mistake is named with its cause,
and the reference updates equal torch.optim step for step."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bprop import optim
from bprop.gradcheck import optimizer_reference as ref
from bprop.gradcheck.learner import LearnerError
from bprop.gradcheck.optimizer import build_optimizer, check_optimizer

from support import LEARNER, failed_keys, learner


def optimizer_class(file: str, cls: str):
    """A class from tests/learner/optimizers/."""
    return learner(f"optimizers/{file}", cls)


# (fixture file, class, passes?, a phrase of the verdict that must appear in the English report)
CASES = [
    ("sgd", "SGD", True, "5 steps agree with the book's SGD"),
    ("momentum", "Momentum", True, "5 steps agree with the book's Momentum"),
    ("momentum_lazy", "MomentumSGD", True, "own hyperparameters: self.lr=0.01, self.momentum=0.9"),
    ("momentum_torch_form", "Momentum", True, "agree with Momentum in PyTorch's form"),
    ("nesterov", "Nesterov", True, "5 steps agree with the book's Nesterov"),
    ("nesterov_book2", "Nesterov", True, "agree with Nesterov in book 2's form"),
    ("adagrad", "AdaGrad", True, "5 steps agree with the book's AdaGrad"),
    ("rmsprop", "RMSprop", True, "self.decay_rate=0.99"),
    ("adam", "Adam", True, "5 steps agree with the book's Adam"),
    ("adam_book2", "Adam", True, "as lists of arrays in one order (book 2's model.params)"),
    ("adam_torch_style", "Adam", True, "Adam in PyTorch's form, m̂ / (√v̂ + eps) with eps = 1e-08"),
    ("adagrad_float64_state", "AdaGrad", True, "the state self.h['W1'] is float64"),
    ("sign_sgd", "SignSGD", True, "no reference update exists for the name SignSGD"),
    ("sgd_sign", "SGD", False, "params['W1'] moved up the gradient"),
    ("sgd_lr_minus_grad", "SGD", False, "the update reads params[key] -= self.lr - grads[key]"),
    ("sgd_rebind", "SGD", False, "update put a new array into params['W1'] instead of changing the old one"),
    ("sgd_local_rebind", "SGD", False, "update changed no parameter"),
    ("sgd_grads_inplace", "SGD", False, "update wrote into grads['W1'] at step 1 (the first change at (0, 0))"),
    ("sgd_lr_hardcoded", "SGD", False, "self.lr changed from 0.01 to 0.03 and the steps stayed as they were"),
    ("momentum_reset", "Momentum", False, "agrees with the book's Momentum at step 1 only"),
    ("momentum_shared_v", "Momentum", False, "one state (self.v) is shared by all parameters"),
    ("momentum_no_lr", "Momentum", False, "Momentum without lr in the velocity"),
    ("adagrad_eps_inside", "AdaGrad", False, "eps = 1e-07 is inside the square root"),
    ("adagrad_no_eps", "AdaGrad", False, "became nan at step 1, where its gradient was 0"),
    ("rmsprop_decay_swapped", "RMSprop", False, "decay_rate and 1 - decay_rate swapped"),
    ("rmsprop_no_sqrt", "RMSprop", False, "divided by h itself, not by its square root"),
    ("nesterov_is_momentum", "Nesterov", False, "follows plain Momentum"),
    ("momentum_v_from_grads", "Momentum", False, "v starting as the first gradient instead of zeros"),
    ("adam_moments_betas_swapped", "Adam", False, "beta1 and beta2 swapped"),
    ("adagrad_abs", "AdaGrad", False, "adds |grad| to h, not its square"),
    ("adagrad_assigned", "AdaGrad", False, "never assign it (h = …)"),
    ("adam_no_bias_correction", "Adam", False, "follows Adam without bias correction"),
    ("adam_no_iter", "Adam", False, "stuck at t = 0: self.iter is never incremented"),
    ("sign_sgd_ascent", "SignSGD", False, "the loss of a quadratic went from"),
]


@pytest.mark.parametrize("file, cls, ok, phrase", CASES, ids=[c[0] for c in CASES])
def test_learner_optimizer_gets_its_verdict_and_cause(file, cls, ok, phrase):
    report = check_optimizer(optimizer_class(file, cls))
    text = str(report)
    assert report.ok is ok, text
    assert phrase in text
    assert len(report.failures) == (0 if ok else 1), text  # one bug, one failed check
    assert "Traceback" not in text


def test_every_optimizer_fixture_is_in_the_table():
    assert sorted(p.stem for p in (LEARNER / "optimizers").glob("*.py")) == sorted(c[0] for c in CASES)


@pytest.mark.parametrize("file, cls, phrase", [
    ("sgd_sign", "SGD", "更新の符号が逆です"),
    ("sgd_rebind", "SGD", "新しい配列に置き換えています"),
    ("momentum_reset", "Momentum", "一致するのはステップ 1 だけです"),
    ("adam_no_bias_correction", "Adam", "バイアス補正のない Adam"),
    ("adam_book2", "Adam", "同じ順序の配列のリストで受け取ります"),
])
def test_the_cause_reads_in_japanese(file, cls, phrase):
    text = check_optimizer(optimizer_class(file, cls)).render("ja")
    assert phrase in text
    assert "オプティマイザ" in text.splitlines()[0]


def test_a_cause_names_the_step_the_parameter_and_both_values():
    report = check_optimizer(optimizer_class("momentum_reset", "Momentum"))
    (failure,) = report.failures
    assert failure.key == "optim.cause.reset"
    (_, at), = [e for e in failure.extra if e[0] == "optim.at"]
    assert at["step"] == 2 and at["param"].startswith("params[")
    assert at["got"] != pytest.approx(at["want"], rel=1e-3)
    assert f"yours {at['got']:.6g}, Momentum gives {at['want']:.6g}" in str(report)


def test_state_shared_between_keys_says_what_happened_with_different_shapes():
    report = check_optimizer(optimizer_class("momentum_shared_v", "Momentum"))
    assert failed_keys(report) == ["optim.cause.shared"]
    assert "with parameters of different shapes update raised ValueError" in str(report)


def test_rebound_params_still_hold_the_right_values_but_the_caller_sees_nothing():
    report = check_optimizer(optimizer_class("sgd_rebind", "SGD"))
    assert failed_keys(report) == ["optim.rebound"]
    assert any(f.key == "optim.ok.book" and f.passed for f in report.findings)


@pytest.mark.parametrize("cls", list(optim.OPTIMIZERS.values()), ids=list(optim.OPTIMIZERS))
def test_bprops_own_optimizers_pass_without_notes(cls):
    report = check_optimizer(cls)
    assert report.ok, str(report)
    assert not [f for f in report.findings if f.status == "note"], str(report)
    assert {f.check for f in report.findings} >= {"reference", "inplace", "grads", "lr", "zero", "dtype"}


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(["Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]),
       lr=st.floats(1e-4, 0.5), rate=st.floats(0.0, 0.99), seed=st.integers(0, 2**16))
def test_bprops_optimizers_pass_at_any_hyperparameters(name, lr, rate, seed):
    options = {"Momentum": {"momentum": rate}, "Nesterov": {"momentum": rate}, "AdaGrad": {},
               "RMSprop": {"decay_rate": rate}, "Adam": {"beta1": rate, "beta2": 0.5 + rate / 2}}[name]
    report = check_optimizer(getattr(optim, name)(lr=lr, **options), seed=seed)
    assert report.ok, str(report)


def test_the_callers_optimizer_is_never_stepped():
    adam = optim.Adam()
    book = optimizer_class("momentum", "Momentum")()
    check_optimizer(adam)
    check_optimizer(book)
    assert adam.iter == 0 and adam.m == {}
    assert book.v is None


def test_an_exception_in_update_is_a_failed_check():
    class Adam:
        def update(self, params, grads):
            for key in params:
                params[key] -= 0.001 * grads[key] / self.missing

    report = check_optimizer(Adam())
    assert failed_keys(report) == ["exception"]
    assert "AttributeError" in str(report)


def test_a_class_without_update_is_a_failed_check():
    class SGD:
        def step(self):
            pass

    assert failed_keys(check_optimizer(SGD)) == ["optim.no_update"]


def test_strict_turns_a_float64_state_into_a_failure():
    cls = optimizer_class("adagrad_float64_state", "AdaGrad")
    assert failed_keys(check_optimizer(cls, strict=True)) == ["optim.dtype.state"]


def test_a_name_without_a_reference_is_checked_for_descent():
    report = check_optimizer(optim.SGD(), name="Optimizer")
    assert report.ok
    (descent,) = [f for f in report.findings if f.check == "descent"]
    assert descent.params["end"] < 0.9 * descent.params["start"]


def test_the_report_is_plain_json():
    data = json.loads(json.dumps(check_optimizer(optimizer_class("sgd_sign", "SGD")).to_dict()))
    assert data["kind"] == "optimizer" and data["ok"] is False
    assert [c["key"] for c in data["checks"] if c["status"] == "fail"] == ["optim.cause.sign"]


@pytest.mark.parametrize("name, algo", [
    ("SGD", "sgd"), ("MySGD", "sgd"), ("SGDOptimizer", "sgd"), ("MomentumSGD", "momentum"), ("SGDM", "momentum"),
    ("NesterovMomentum", "nesterov"), ("Adagrad", "adagrad"), ("RMSProp", "rmsprop"), ("MyAdam", "adam"),
    ("AdamW", None), ("Adamax", None), ("SignSGD", None), ("Optimizer", None),
])
def test_the_name_picks_the_reference(name, algo):
    assert ref.algorithm(name) == algo


# --- building a class ---------------------------------------------------------------------------------------

class _NeedsArgs:
    def __init__(self, lr, momentum, eps=1e-7):
        self.lr, self.momentum, self.eps = lr, momentum, eps

    def update(self, params, grads):
        pass


def test_build_fills_arguments_without_defaults_from_the_books_names():
    built = build_optimizer(type("Momentum", (_NeedsArgs,), {}))
    assert (built.lr, built.momentum, built.eps) == (0.01, 0.9, 1e-7)
    assert build_optimizer(type("Adam", (_NeedsArgs,), {})).lr == 0.001


def test_build_takes_overrides_as_numbers_or_text():
    built = build_optimizer(type("Momentum", (_NeedsArgs,), {}), {"lr": "0.1", "momentum": 0.5})
    assert (built.lr, built.momentum) == (0.1, 0.5)


def test_build_refuses_an_argument_the_class_does_not_take():
    with pytest.raises(LearnerError) as info:
        build_optimizer(optim.SGD, {"alpha": 0.1})
    assert info.value.key == "optim.unknown_param"
    assert "takes no argument alpha (it takes: lr)" in info.value.message()


def test_an_argument_with_no_default_and_no_book_name_is_a_failed_check():
    class Scheduled(_NeedsArgs):
        def __init__(self, schedule, lr=0.01):
            super().__init__(lr, 0.9)

    report = check_optimizer(Scheduled)
    assert failed_keys(report) == ["optim.cannot_build"]
    assert "give it a default: schedule=..." in str(report)
    assert "schedule=... のようにデフォルト値を付けてください" in report.render("ja")


def test_a_constructor_that_raises_is_a_failed_check():
    class SGD(_NeedsArgs):
        def __init__(self, lr=0.01):
            raise ValueError("lr must be positive")

    assert "building SGD raised ValueError: lr must be positive" in str(check_optimizer(SGD))


# --- the references against torch.optim ---------------------------------------------------------------------

H = ref.Hyper(lr=0.05, momentum=0.8, decay_rate=0.9, beta1=0.85, beta2=0.95, eps=1e-7)

# (the reference form, torch.optim's class and its arguments)
TORCH_CASES = {
    "SGD": (ref.Form("", ref.sgd, H), "SGD", {"lr": H.lr}),
    "Momentum": (ref.Form("", ref.momentum, H), "SGD", {"lr": H.lr, "momentum": H.momentum}),
    "Momentum torch form": (ref.Form("", ref.momentum_torch, H), "SGD", {"lr": H.lr, "momentum": H.momentum}),
    "Nesterov": (ref.Form("", ref.nesterov, H), "SGD", {"lr": H.lr, "momentum": H.momentum, "nesterov": True}),
    "AdaGrad": (ref.Form("", ref.adagrad, H), "Adagrad",
                {"lr": H.lr, "eps": H.eps, "initial_accumulator_value": 0.0, "lr_decay": 0.0}),
    "RMSprop": (ref.Form("", ref.rmsprop, H), "RMSprop", {"lr": H.lr, "alpha": H.decay_rate, "eps": H.eps}),
    "Adam torch form": (ref.accepted("adam", H, (1e-8,))[1], "Adam",
                        {"lr": H.lr, "betas": (H.beta1, H.beta2), "eps": 1e-8}),
    "Adam book form, eps = 0": (ref.accepted("adam", H, (0.0,))[0], "Adam",
                                {"lr": H.lr, "betas": (H.beta1, H.beta2), "eps": 0.0}),
}


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_reference_update_matches_torch_optim_for_eight_steps(name):
    torch = pytest.importorskip("torch")
    form, torch_name, kwargs = TORCH_CASES[name]
    rng = np.random.default_rng(1)
    p0 = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    grads = [{k: rng.standard_normal(v.shape) for k, v in p0.items()} for _ in range(8)]
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in p0.items()}
    theirs = getattr(torch.optim, torch_name)(list(tensors.values()), **kwargs)
    for step, want in zip(grads, ref.trajectory(form, p0, grads)):
        for k, t in tensors.items():
            t.grad = torch.tensor(step[k])
        theirs.step()
        for k, t in tensors.items():
            np.testing.assert_allclose(want[k], t.detach().numpy(), rtol=1e-12, atol=1e-13, err_msg=f"{name} {k}")


def test_book2_nesterov_differs_from_book1s_corrected_one():
    rng = np.random.default_rng(2)
    p0 = {"W": rng.standard_normal((2, 3))}
    grads = [{"W": rng.standard_normal((2, 3))} for _ in range(3)]
    book1, book2 = (ref.trajectory(ref.Form("", rule, H), p0, grads) for rule in (ref.nesterov, ref.nesterov_book2))
    np.testing.assert_allclose(book1[0]["W"], p0["W"] - (1 + H.momentum) * H.lr * grads[0]["W"])  # v starts at 0
    assert not np.allclose(book1[0]["W"], book2[0]["W"])
