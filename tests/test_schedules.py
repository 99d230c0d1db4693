"""bprop.optim.schedules: closed forms at the steps that matter, torch.optim.lr_scheduler as oracle,
driving an optimizer, argument checks."""

import math

import numpy as np
import pytest

from bprop import optim
from bprop.optim import SGD, AdamW, TransformerSchedule, WarmupCosine, WarmupLinear, schedules


def _torch_lrs(torch, make_scheduler, steps, lr=1.0):
    """The lr torch's scheduler sets for each of ``steps`` updates, in the loop ``opt.step(); sched.step()``."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


# --- closed forms -----------------------------------------------------------------------


def test_warmup_cosine_at_its_first_step_warmup_end_middle_and_end():
    s = WarmupCosine(lr=0.6, warmup=10, total=110, min_lr=0.1)
    assert s(0) == pytest.approx(0.06)  # the first update climbs, never 0
    assert s(4) == pytest.approx(0.3)
    assert s(9) == pytest.approx(0.6)  # the warmup's last update reaches lr …
    assert s(10) == pytest.approx(0.6)  # … and the cosine starts there
    assert s(60) == pytest.approx(0.35)  # half way: the mean of lr and min_lr
    assert s(35) == pytest.approx(0.1 + 0.5 * 0.5 * (1 + math.cos(math.pi / 4)))
    assert s(109) > 0.1 and s(109) == pytest.approx(0.1, abs=1e-3)
    assert s(110) == 0.1 and s(10**6) == 0.1


def test_warmup_linear_at_its_first_step_warmup_end_middle_and_end():
    s = WarmupLinear(lr=1.0, warmup=4, total=24, min_lr=0.2)
    assert [s(k) for k in (0, 1, 3, 4)] == pytest.approx([0.25, 0.5, 1.0, 1.0])
    assert s(14) == pytest.approx(0.6)
    assert s(23) == pytest.approx(0.2 + 0.8 / 20)
    assert s(24) == 0.2 and s(1000) == 0.2


def test_without_warmup_the_decays_start_at_lr():
    assert WarmupCosine(lr=0.5, warmup=0, total=8)(0) == 0.5
    assert WarmupLinear(lr=0.5, warmup=0, total=8)(0) == 0.5


def test_transformer_schedule_is_the_papers_formula_with_step_num_from_one():
    s = TransformerSchedule(d_model=512, warmup=4000)
    for step in (0, 1, 100, 3998, 3999, 4000, 10_000, 99_999):
        n = step + 1
        assert s(step) == pytest.approx(512 ** -0.5 * min(n ** -0.5, n * 4000 ** -1.5), rel=1e-13)
    peak = (512 * 4000) ** -0.5
    assert s(3999) == pytest.approx(peak, rel=1e-13)
    assert max(s(k) for k in range(8000)) == s(3999)
    assert s(0) == pytest.approx(peak / 4000)
    assert TransformerSchedule(d_model=64, warmup=10, scale=2.0)(9) == pytest.approx(2 * (64 * 10) ** -0.5)


# --- torch.optim.lr_scheduler as oracle -----------------------------------------------------


def test_warmup_cosine_without_warmup_is_torchs_cosine_annealing():
    torch = pytest.importorskip("torch")
    s = WarmupCosine(lr=0.3, warmup=0, total=25, min_lr=0.01)
    theirs = _torch_lrs(torch, lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25, eta_min=0.01),
                        26, lr=0.3)
    np.testing.assert_allclose([s(k) for k in range(26)], theirs, rtol=1e-12)


def test_warmup_cosine_is_torchs_lambda_warmup_then_cosine_annealing_in_sequence():
    torch = pytest.importorskip("torch")
    lr_sched = torch.optim.lr_scheduler
    W, T = 5, 30
    s = WarmupCosine(lr=0.8, warmup=W, total=T, min_lr=0.05)

    def make(o):
        warm = lr_sched.LambdaLR(o, lambda k: (k + 1) / W)
        cosine = lr_sched.CosineAnnealingLR(o, T_max=T - W, eta_min=0.05)
        return lr_sched.SequentialLR(o, [warm, cosine], milestones=[W])

    np.testing.assert_allclose([s(k) for k in range(T + 1)], _torch_lrs(torch, make, T + 1, lr=0.8), rtol=1e-12)


def test_warmup_linear_is_torchs_lambda_warmup_then_linear_lr_in_sequence():
    torch = pytest.importorskip("torch")
    lr_sched = torch.optim.lr_scheduler
    W, T = 3, 17
    s = WarmupLinear(lr=0.4, warmup=W, total=T, min_lr=0.1)

    def make(o):
        warm = lr_sched.LambdaLR(o, lambda k: (k + 1) / W)
        linear = lr_sched.LinearLR(o, start_factor=1.0, end_factor=0.25, total_iters=T - W)
        return lr_sched.SequentialLR(o, [warm, linear], milestones=[W])

    np.testing.assert_allclose([s(k) for k in range(T + 3)], _torch_lrs(torch, make, T + 3, lr=0.4), rtol=1e-12)


@pytest.mark.parametrize("schedule", [
    WarmupCosine(lr=0.01, warmup=3, total=12, min_lr=0.001),
    WarmupLinear(lr=0.01, warmup=3, total=12),
    TransformerSchedule(d_model=16, warmup=4, scale=0.1),
], ids=repr)
def test_apply_drives_adamw_as_lambda_lr_drives_torchs(schedule):
    """The step convention end to end: schedule(k) is LambdaLR's lr_lambda(k) times the base lr."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal((3, 4)), "b": rng.standard_normal(4)}
    grads = [{k: rng.standard_normal(p.shape) for k, p in params.items()} for _ in range(12)]
    tensors = {k: torch.tensor(p.copy(), requires_grad=True) for k, p in params.items()}
    base = 0.01
    theirs = torch.optim.AdamW(list(tensors.values()), lr=base, weight_decay=0.5)
    sched = torch.optim.lr_scheduler.LambdaLR(theirs, lambda k: schedule(k) / base)
    ours = AdamW(lr=base, weight_decay=0.5)
    for step, g in enumerate(grads):
        assert schedule.apply(ours, step) == ours.lr
        ours.update(params, g)
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k])
        theirs.step()
        sched.step()
    for k, p in params.items():
        np.testing.assert_allclose(p, tensors[k].detach().numpy(), rtol=1e-12, atol=1e-14, err_msg=k)


# --- driving an optimizer ---------------------------------------------------------------


def test_apply_sets_the_lr_and_follows_adams_iter_across_a_reload():
    s = WarmupLinear(lr=0.1, warmup=2, total=6)
    opt = AdamW(lr=0.1)
    params = {"W": np.ones(3)}
    for _ in range(3):
        s.apply(opt, opt.iter)
        opt.update(params, {"W": np.ones(3)})
    assert opt.lr == s(2)
    resumed = AdamW()
    resumed.load_state_dict(opt.state_dict())
    assert s.apply(resumed, resumed.iter) == s(3) and resumed.lr == s(3)


def test_apply_refuses_an_lr_of_zero_and_what_has_no_lr():
    s = WarmupCosine(lr=0.1, warmup=0, total=5)
    opt = SGD(lr=0.1)
    s.apply(opt, 4)
    assert opt.lr > 0
    with pytest.raises(ValueError, match=r"WarmupCosine gives lr 0 at step 5 .*min_lr > 0 or stop after 5 updates"):
        s.apply(opt, 5)
    assert opt.lr == s(4)  # left as it was
    with pytest.raises(TypeError, match="needs an optimizer with an lr attribute.*got dict"):
        s.apply({}, 0)


# --- checks -----------------------------------------------------------------------------


@pytest.mark.parametrize("make, error, match", [
    (lambda: WarmupCosine(lr=0, warmup=1, total=10), ValueError, r"WarmupCosine expected lr > 0, got 0"),
    (lambda: WarmupCosine(lr=math.inf, warmup=1, total=10), ValueError, "expected lr > 0, got inf"),
    (lambda: WarmupCosine(lr="0.1", warmup=1, total=10), TypeError, "expected a number for lr"),
    (lambda: WarmupCosine(lr=0.1, warmup=-1, total=10), ValueError, "expected warmup >= 0, got -1"),
    (lambda: WarmupCosine(lr=0.1, warmup=1.5, total=10), TypeError, "expected an integer warmup"),
    (lambda: WarmupCosine(lr=0.1, warmup=10, total=10), ValueError, "expected total > warmup.*total=10, warmup=10"),
    (lambda: WarmupLinear(lr=0.1, warmup=0, total=0), ValueError, "WarmupLinear expected total >= 1, got 0"),
    (lambda: WarmupLinear(lr=0.1, warmup=1, total=5, min_lr=0.2), ValueError, r"min_lr in \[0, 0.1\], got 0.2"),
    (lambda: WarmupLinear(lr=0.1, warmup=1, total=5, min_lr=-0.1), ValueError, "min_lr in"),
    (lambda: TransformerSchedule(d_model=0), ValueError, "TransformerSchedule expected d_model >= 1, got 0"),
    (lambda: TransformerSchedule(d_model=512, warmup=0), ValueError, "expected warmup >= 1, got 0"),
    (lambda: TransformerSchedule(d_model=512.0), TypeError, "expected an integer d_model"),
    (lambda: TransformerSchedule(d_model=512, scale=-1.0), ValueError, "expected scale > 0"),
])
def test_schedules_reject_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


@pytest.mark.parametrize("step, error, match", [
    (-1, ValueError, "WarmupCosine expected step >= 0, got -1"),
    (1.0, TypeError, "WarmupCosine expected an integer step, got 1.0"),
    (True, TypeError, "expected an integer step"),
])
def test_a_step_is_a_count_from_zero(step, error, match):
    with pytest.raises(error, match=match):
        WarmupCosine(lr=0.1, warmup=2, total=10)(step)


def test_schedules_say_what_they_are_and_are_exported_from_bprop_optim():
    assert repr(WarmupCosine(lr=0.1, warmup=2, total=10)) == "WarmupCosine(lr=0.1, warmup=2, total=10, min_lr=0.0)"
    assert repr(TransformerSchedule(512)) == "TransformerSchedule(d_model=512, warmup=4000, scale=1.0)"
    assert optim.WarmupLinear is schedules.WarmupLinear and optim.schedules is schedules
