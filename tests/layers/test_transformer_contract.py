"""The contract every Transformer layer keeps (tests/transformer_table.py), as book 2's layers keep it:
central differences in float64 for inputs and parameters, no mutation, dtype kept, bad input refused,
params/grads in book 2's list form with gradients written in place, no warnings at ±1000."""

import warnings

import numpy as np
import pytest

from book2_table import as_tuple, douts_for
from transformer_table import CASES

cases = pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
SEED = 11


def _run(case, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    layer = case.make(dtype, SEED)
    args = case.inputs(rng, dtype)
    out = layer.forward(*args)
    return layer, args, out, douts_for(out, rng)


def _objective(case, args, douts, params=None):
    """Σ_k <dout_k, out_k> of a fresh layer (same seed: same weights, same dropout masks), params replaced."""
    layer = case.make(np.float64, SEED)
    for p, value in zip(layer.params, params or ()):
        p[...] = value
    return sum(float(np.sum(np.asarray(o) * d)) for o, d in zip(as_tuple(layer.forward(*args)), douts))


def _numerical(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def _close(a, b, what):
    """Relative error < 1e-7 at the gradient's scale, or under 1e-8 absolutely: the floor of central differences
    (1e-16·|objective|/eps). A gradient that is zero by the math, as db_k (softmax ignores a score added to
    every key), is only that noise numerically."""
    error = np.abs(a - b).max()
    scale = max(np.abs(a).max(), np.abs(b).max(), 1e-12)
    assert error / scale < 1e-7 or error < 1e-8, (what, error / scale)


@cases
def test_backward_matches_central_differences_in_float64(case):
    layer, args, out, douts = _run(case)
    grads = as_tuple(layer.backward(*douts))
    assert len(grads) == len(case.grads_for)
    args = [np.array(a) for a in args]
    for k, g in zip(case.grads_for, grads):
        _close(g, _numerical(lambda: _objective(case, args, douts), args[k]), f"d(input {k})")
    params = [np.array(p) for p in layer.params]
    for name, p, g in zip(layer.params.names, params, layer.grads):
        _close(g, _numerical(lambda: _objective(case, args, douts, params), p), f"d{name}")


@cases
def test_forward_and_backward_leave_their_arguments_untouched(case):
    layer, args, out, douts = _run(case)
    before = [np.array(a, copy=True) for a in (*args, *douts)]
    layer.forward(*args)
    layer.backward(*douts)
    for a, b in zip((*args, *douts), before):
        np.testing.assert_array_equal(a, b)


@cases
def test_float32_stays_float32_in_outputs_caches_and_gradients(case):
    layer, args, out, douts = _run(case, np.float32)
    assert all(np.asarray(o).dtype == np.float32 for o in as_tuple(out))
    grads = as_tuple(layer.backward(*douts))
    assert all(g.dtype == np.float32 for g in grads) and all(g.dtype == np.float32 for g in layer.grads)
    assert all(p.dtype == np.float32 for p in layer.params)
    cached = [a for a in getattr(layer, "cache", None) or () if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    assert all(a.dtype == np.float32 for a in cached)


@cases
def test_a_zero_dout_gives_zero_gradients(case):
    layer, args, out, douts = _run(case)
    grads = as_tuple(layer.backward(*(np.zeros_like(d) for d in douts)))
    assert not any(g.any() for g in grads) and not any(g.any() for g in layer.grads)


@cases
def test_nan_in_a_float_input_is_refused_naming_it(case):
    layer, args, _, _ = _run(case)
    for k, a in enumerate(args):
        bad = list(args)
        bad[k] = np.array(a)
        bad[k].flat[-1] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            case.make(np.float64, SEED).forward(*bad)


@cases
def test_backward_before_forward_and_a_dout_of_the_wrong_shape_are_refused(case):
    layer, args, out, douts = _run(case)
    with pytest.raises(RuntimeError, match="before forward"):
        case.make(np.float64, SEED).backward(*douts)
    wrong = tuple(np.ones(np.shape(d) + (2,)) for d in douts)
    with pytest.raises(ValueError, match="shape"):
        layer.backward(*wrong)


@cases
def test_an_input_of_the_wrong_shape_is_refused_naming_the_shapes(case):
    if case.name.startswith("Softmax"):
        return  # any shape with the axis is fine: tests/layers/test_transformer_layers.py
    layer, args, _, _ = _run(case)
    for k, a in enumerate(args):
        bad = list(args)
        bad[k] = np.ones(np.shape(a) + (2,))
        with pytest.raises(ValueError, match=r"expected .*got") as error:
            case.make(np.float64, SEED).forward(*bad)
        assert str(np.shape(bad[k])) in str(error.value)


@cases
def test_params_and_grads_are_book2_lists_whose_gradients_are_written_in_place(case):
    rng = np.random.default_rng(0)
    layer = case.make(np.float64, SEED)
    args = case.inputs(rng, np.float64)
    generator = getattr(layer, "rng", None)
    state = generator.bit_generator.state if generator is not None else None
    douts = douts_for(layer.forward(*args), rng)
    model_params, model_grads = [], []
    model_params += layer.params  # how book 2's models collect them
    model_grads += layer.grads
    assert len(model_params) == len(model_grads) == len(layer.params.names)
    layer.backward(*douts)
    first = [g.copy() for g in model_grads]
    if generator is not None:
        generator.bit_generator.state = state  # the same dropout masks again
    layer.forward(*args)
    layer.backward(*(2 * d for d in douts))
    for g, before, now in zip(model_grads, first, layer.grads):
        assert g is now  # the same array, overwritten
        np.testing.assert_allclose(g, 2 * before, rtol=1e-12, atol=1e-12)
    for name, g in zip(layer.params.names, layer.grads):
        part, _, rest = name.rpartition(".")
        assert layer.params[name] is getattr(layer, name)
        assert g is getattr(layer, f"{part}.d{rest}" if part else "d" + rest)


@cases
def test_no_warning_at_large_inputs(case):
    rng = np.random.default_rng(3)
    layer = case.make(np.float32, SEED)
    args = tuple(np.asarray(a) * 1000 for a in case.inputs(rng, np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer.forward(*args)
        grads = as_tuple(layer.backward(*douts_for(out, rng)))
    assert all(np.isfinite(o).all() for o in as_tuple(out)) and all(np.isfinite(g).all() for g in grads)
