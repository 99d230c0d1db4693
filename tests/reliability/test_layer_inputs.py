"""Every layer of the layer table refuses bad input and loses nothing: not the input, not its parameters or
running averages, not what its last good forward cached for backward."""

import numpy as np
import pytest

from layer_table import LAYERS, layer_inputs


def _nan_at_the_end(x):
    x = np.array(x, dtype=np.float64)
    x.flat[-1] = np.nan
    return x


def _complex(x):
    return np.asarray(x) + 1j


def _text(x):
    return np.full(np.shape(x), "0.5")


def _infinite_dout(out):
    dout = np.ones_like(out)
    dout.flat[0] = np.nan
    return dout


BAD_X = [(_nan_at_the_end, ValueError, "NaN"), (_complex, TypeError, "complex128"), (_text, TypeError, "<U3")]


def _arrays(layer):
    """Copies of every array the layer keeps as state (parameters, running averages)."""
    return {name: np.array(value, copy=True) for name, value in vars(layer).items()
            if isinstance(value, np.ndarray) and not name.startswith("_") and name not in ("x", "y", "out", "mask")}


def _replay(case, args, dout):
    """The gradients a fresh layer gives for one good forward and backward."""
    layer, _ = layer_inputs(case, np.float64)
    layer.forward(*args)
    grads = layer.backward(dout)
    return grads if isinstance(grads, tuple) else (grads,), {k: np.array(g) for k, g in layer.grads.items()}


@pytest.mark.parametrize("bad, error, words", BAD_X, ids=[w for _, _, w in BAD_X])
@pytest.mark.parametrize("case", LAYERS, ids=[c.name for c in LAYERS])
def test_a_refused_forward_leaves_the_input_the_state_and_the_last_forward_intact(case, bad, error, words):
    layer, args = layer_inputs(case, np.float64)
    out = layer.forward(*args)
    dout = np.random.default_rng(1).standard_normal(np.shape(out))
    state = _arrays(layer)
    x_bad = bad(args[0])
    x_before = x_bad.copy()
    with pytest.raises(error) as refused:
        layer.forward(x_bad, *args[1:])
    assert words in str(refused.value)
    assert np.array_equal(x_bad, x_before, equal_nan=x_bad.dtype.kind in "fc")
    after = _arrays(layer)
    assert after.keys() == state.keys()
    for name, value in state.items():
        np.testing.assert_array_equal(after[name], value, err_msg=name)
    grads = layer.backward(dout)  # still the backward of the last good forward
    expected, expected_param_grads = _replay(case, args, dout)
    for g, e in zip(grads if isinstance(grads, tuple) else (grads,), expected):
        np.testing.assert_array_equal(g, e)
    for name, g in layer.grads.items():
        np.testing.assert_array_equal(g, expected_param_grads[name])


@pytest.mark.parametrize("case", LAYERS, ids=[c.name for c in LAYERS])
def test_a_refused_backward_leaves_dout_and_the_gradients_as_they_were(case):
    layer, args = layer_inputs(case, np.float64)
    out = layer.forward(*args)
    good = np.random.default_rng(1).standard_normal(np.shape(out))
    first = layer.backward(good)
    first = tuple(np.array(g) for g in (first if isinstance(first, tuple) else (first,)))
    param_grads = {k: np.array(g) for k, g in layer.grads.items()}
    bad = _infinite_dout(good)
    with pytest.raises(ValueError) as refused:
        layer.backward(bad)
    assert "NaN" in str(refused.value) and "dout" in str(refused.value)
    assert np.isnan(bad.flat[0]) and np.array_equal(bad.ravel()[1:], np.ones(bad.size - 1))
    for name, g in param_grads.items():
        np.testing.assert_array_equal(layer.grads[name], g, err_msg=name)
    again = layer.backward(good)
    for g, e in zip(again if isinstance(again, tuple) else (again,), first):
        np.testing.assert_array_equal(g, e)


LOSSES = [c for c in LAYERS if c.differentiable == 1 and len(layer_inputs(c, np.float64)[1]) == 2
          and isinstance(layer_inputs(c, np.float64)[1][1], np.ndarray)]


@pytest.mark.parametrize("wrong", ["nan", "shape"])
@pytest.mark.parametrize("case", LOSSES, ids=[c.name for c in LOSSES])
def test_a_refused_t_leaves_the_last_good_forward_for_backward(case, wrong):
    layer, (x, t) = layer_inputs(case, np.float64)
    out = layer.forward(x, t)
    dout = np.ones_like(out) if np.ndim(out) else 1.0
    first = layer.backward(dout)
    bad = np.full(t.shape, np.nan) if wrong == "nan" else np.zeros((len(t), 7), dtype=t.dtype)
    with pytest.raises((ValueError, TypeError)) as refused:
        layer.forward(x, bad)
    assert ("NaN" if wrong == "nan" and t.dtype.kind == "f" else "t") in str(refused.value)
    for g, e in zip(*(r if isinstance(r, tuple) else (r,) for r in (layer.backward(dout), first))):
        np.testing.assert_array_equal(g, e)


MODE_LAYERS = [c for c in LAYERS if c.name.startswith(("BatchNormalization", "Dropout"))]


@pytest.mark.parametrize("flag", [np.array([0, 1, 1, 0]), "train", 0.5, None], ids=["labels", "str", "float", "None"])
@pytest.mark.parametrize("case", MODE_LAYERS, ids=[c.name for c in MODE_LAYERS])
def test_train_flg_must_be_true_or_false(case, flag):
    layer, args = layer_inputs(case, np.float64)
    with pytest.raises(TypeError, match="expected train_flg True or False, got"):
        layer.forward(args[0], flag)
