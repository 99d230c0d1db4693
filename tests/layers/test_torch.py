"""Every layer that PyTorch also has, against torch forward and torch.autograd backward.

Tight in float64 (1e-10), loose in float32 (1e-5); random shapes, values up to
±1000 (±1e4 for the softmax loss), and a random dout. Skipped without torch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layer_table import LAYER_IDS, LAYERS

torch = pytest.importorskip("torch")


F = torch.nn.functional


TOLERANCE = {np.float64: 1e-10, np.float32: 1e-5}


TORCH_CASES = [case for case in LAYERS if case.torch_forward is not None]


def _tensor(a, grad):
    t = torch.from_numpy(np.array(a))
    if t.dtype in (torch.int64, torch.int32, torch.uint8):
        return t.long()
    return t.requires_grad_(grad)


def _close(ours, theirs, tol, what):
    """Close within tol, absolutely at the scale of the largest value: a sum of terms of ±2000 that cancels
    to −0.8 carries float32 rounding of the terms (hypothesis found one: Affine at magnitude 1000)."""
    theirs = theirs.detach().numpy()
    assert np.asarray(ours).dtype == theirs.dtype, f"{what}: dtype {np.asarray(ours).dtype} vs torch {theirs.dtype}"
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * scale, err_msg=what)


def _compare_with_torch(case, dtype, shape, seed, scale):
    rng = np.random.default_rng(seed)
    layer = case.make(dtype, rng, shape)
    args = case.inputs(rng, shape, dtype, scale)

    out = layer.forward(*args)
    dout = rng.standard_normal(np.shape(out)).astype(dtype)
    grads = layer.backward(dout)
    grads = grads if isinstance(grads, tuple) else (grads,)

    t_args = [_tensor(a, i < case.differentiable) for i, a in enumerate(args)]
    t_params = {k: _tensor(v, True) for k, v in layer.params.items()}
    t_out = case.torch_forward(F, t_args, type("P", (), t_params))
    t_out.backward(torch.from_numpy(np.array(dout)))

    tol = TOLERANCE[dtype]
    _close(out, t_out, tol, f"{case.name} forward")
    for i in range(case.differentiable):
        _close(grads[i], t_args[i].grad, tol, f"{case.name} d(input {i})")
    for name, t_param in t_params.items():
        _close(layer.grads[name], t_param.grad, tol, f"{case.name} d{name}")


shapes = st.lists(st.integers(1, 6), min_size=1, max_size=3).map(tuple)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", TORCH_CASES, ids=[c.name for c in TORCH_CASES])
@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**32 - 1), magnitude=st.sampled_from([0.5, 3.0, 30.0, 1000.0]))
def test_layer_matches_torch_forward_and_backward(case, dtype, shape, seed, magnitude):
    _compare_with_torch(case, dtype, shape, seed, magnitude)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", TORCH_CASES, ids=[c.name for c in TORCH_CASES])
def test_layer_matches_torch_at_the_extremes(case, dtype):
    _compare_with_torch(case, dtype, (3, 4), seed=7, scale=case.max_scale)


def test_every_torch_case_is_in_the_table():
    assert len(TORCH_CASES) == len(LAYER_IDS)
