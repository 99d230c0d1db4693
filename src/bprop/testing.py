"""Assertions for pytest: a learner's (or a teacher's) layer, optimizer, net or function, checked as
``bprop check`` checks it, raising AssertionError with the same words::

    from bprop.testing import assert_layer_ok
    from my_layers import Relu

    def test_my_relu():
        assert_layer_ok(Relu, np.random.default_rng(0).standard_normal((4, 5)))

A class is built the way ``bprop check`` builds it (the book's argument names; ``params`` override them),
an instance is used as it is. ``lang='ja'`` gives the report in Japanese.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from bprop.gradcheck.report import Report

__all__ = ["assert_layer_ok", "assert_optimizer_ok", "assert_net_ok", "assert_function_ok"]


def _ok(report: Report, lang: str) -> Report:
    if not report.ok:
        raise AssertionError("\n" + report.render(lang))
    return report


def assert_layer_ok(layer: Any, *inputs: ArrayLike, params: dict | None = None, strict: bool = False, lang: str = "en",
                    **options: Any) -> Report:
    """check_layer(layer, *inputs); a class is built first, and with no inputs they are made to fit it."""
    from bprop.gradcheck import build
    from bprop.gradcheck.checker import check_layer

    if inspect.isclass(layer):
        shape = np.shape(inputs[0]) if inputs else None
        given = np.asarray(inputs[0]).dtype if inputs else None
        dtype = given if given is not None and given.kind == "f" else np.dtype(np.float64)
        layer, plan = build.build_layer(layer, shape, dtype, np.random.default_rng(0), params)
        if not inputs:
            inputs = tuple(build.build_inputs(layer, plan, dtype, np.random.default_rng(0)))
    elif not inputs:
        raise TypeError("assert_layer_ok needs the inputs of forward for a layer object, e.g. (layer, x)")
    return _ok(check_layer(layer, *inputs, strict=strict, **options), lang)


def assert_optimizer_ok(optimizer: Any, *, params: dict[str, object] | None = None, strict: bool = False,
                        lang: str = "en", **options: Any) -> Report:
    """check_optimizer on an instance, or on a class built from the book's names (``params`` override them)."""
    from bprop.gradcheck.optimizer import build_optimizer, check_optimizer

    if inspect.isclass(optimizer):
        optimizer = build_optimizer(optimizer, params)
    return _ok(check_optimizer(optimizer, strict=strict, **options), lang)


def assert_net_ok(net: Any, x: ArrayLike | None = None, t: ArrayLike | None = None, *, params: dict | None = None,
                  lang: str = "en", **options: Any) -> Report:
    """check_net on an instance, or on a class built small (``params`` override its arguments)."""
    from bprop.gradcheck.net import build_net, check_net

    if inspect.isclass(net):
        net = build_net(net, params)
    return _ok(check_net(net, x, t, **options), lang)


def assert_function_ok(fn: Callable[..., Any], name: str | None = None, *, strict: bool = False, lang: str = "en",
                       **options: Any) -> Report:
    """check_function: ``fn`` against the book's function ``name`` (default: its own name)."""
    from bprop.gradcheck.function import check_function

    return _ok(check_function(fn, name, strict=strict, **options), lang)
