"""``build_net``: a learner's network class built small, from the book's constructor argument names.

>>> from bprop.nets import TwoLayerNet
>>> [a.shape for a in build_net(TwoLayerNet).params.values()]
[(6, 5), (5,), (5, 3), (3,)]
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import weakref
from typing import Any

import numpy as np

from bprop.gradcheck.calls import Stop, call
from bprop.gradcheck.learner import LearnerError

__all__ = ["build_net", "BUILT"]

# The book's constructor arguments, small. λ > 0, so that the weight-decay terms are checked too.
_SMALL = {"input_size": 6, "hidden_size": 5, "output_size": 3, "hidden_size_list": [5, 4], "weight_decay_lambda": 0.1,
          "input_dim": (1, 6, 6), "conv_param": {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1}}
_WEIGHT_STD = 0.3  # for a numeric weight_init_std: with the book's 0.01 every score and gradient is ~1e-3 or less
BUILT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # net → one sample's shape, as build_net chose it


def build_net(cls: type, overrides: dict | None = None, *, seed: int = 0) -> Any:
    """cls(**arguments) with the book's argument names filled small; ``overrides`` (``--param``) win.

    input_size 6, hidden_size 5, output_size 3, hidden_size_list [5, 4], input_dim (1, 6, 6),
    conv_param 2 filters of 3×3, weight_decay_lambda 0.1, a numeric or missing weight_init_std
    0.3 (a name like 'relu' stays), seed and rng ``seed`` (np.random seeded meanwhile, then
    restored); others keep their defaults. No value, an unknown override or a raise: LearnerError.
    """
    overrides = dict(overrides or {})
    signature = inspect.signature(cls).parameters
    named = {n: p for n, p in signature.items()
             if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)}
    unknown = sorted(overrides.keys() - named.keys())
    if unknown and not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in signature.values()):
        raise LearnerError("net.unknown_param", cls=cls.__name__, name=unknown[0], args=", ".join(named) or "-")
    args = {n: overrides[n] for n in unknown}
    for name, p in named.items():
        if name in overrides:
            args[name] = overrides[name]
        elif name in _SMALL:
            args[name] = copy.deepcopy(_SMALL[name])
        elif name == "weight_init_std" and not isinstance(p.default, str):
            args[name] = _WEIGHT_STD
        elif name in ("seed", "rng"):
            args[name] = seed
        elif p.default is p.empty:
            raise LearnerError("net.no_value", cls=cls.__name__, name=name)
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        net, _ = call("__init__", lambda: cls(**args))
    except Stop as stop:
        given, error = ", ".join(f"{n}={v!r}" for n, v in args.items()), stop.finding.params["error"]
        raise LearnerError("net.build_failed", cls=cls.__name__, args=given, error=error) from None
    finally:
        np.random.set_state(state)
    shape = args.get("input_dim", [args["input_size"]] if "input_size" in args else None)
    with contextlib.suppress(TypeError):  # not weak-referenceable: check_net reads the shape off the net instead
        BUILT[net] = tuple(shape) if shape is not None else None
    return net
