"""check_function's checks of im2col and col2im (ch.7), against bprop.functions' versions.

Four geometries (``function_reference.GEOMETRIES``: stride 1 and 2, pad 0 and 1,
non-square images and filters, OH floored) with random data; a wrong result is
read for its cause: the size formula, columns or rows in another order
(im2col); the padding left on, windows assigned (=) where overlaps must add
up (col2im, told by a col of ones, which should count the windows over each
pixel). col2im must also be the adjoint of im2col, ⟨im2col(x), col⟩ =
⟨x, col2im(col)⟩: that is what makes it Convolution's backward. ``run`` is
check_function's ``_Run``.

>>> counts = F.col2im(np.ones((4, 4)), (1, 1, 3, 3), 2, 2)   # a 2×2 filter over a 3×3 image
>>> counts[0, 0].astype(int).tolist()
[[1, 2, 1], [2, 4, 2], [1, 2, 1]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bprop import functions as F
from bprop.gradcheck import function_reference as reference
from bprop.gradcheck.calls import Stop
from bprop.gradcheck.compare import copy_grad
from bprop.gradcheck.report import Finding

__all__ = ["check_im2col", "check_col2im"]


def _conv_shown(first: str, shape, geometry) -> str:
    _, _, _, _, fh, fw, stride, pad = geometry
    return f"{first} {tuple(shape)}, {fh}, {fw}, stride={stride}, pad={pad}"


def check_im2col(run: Any) -> None:
    """im2col(x, FH, FW, stride, pad) against bprop.functions.im2col over reference.GEOMETRIES; float32."""
    for g in reference.GEOMETRIES:
        N, C, H, W, fh, fw, stride, pad = g
        x = run.rng.standard_normal((N, C, H, W))
        finding = run.stage(run.values, _conv_shown("x", x.shape, g), (x, fh, fw, stride, pad),
                            F.im2col(x, fh, fw, stride, pad), 1e-12, lambda y, want, g=g: _im2col_cause(y, want, g),
                            quiet=True)
        if not finding.passed:
            break
    else:
        run.add("values", "pass", "fn.conv.ok", count=len(reference.GEOMETRIES))
    run.stage(run.dtype_check, _conv_shown("x", x.shape, g) + " float32", (x.astype(np.float32), fh, fw, stride, pad))


def _im2col_cause(y, want, geometry) -> list:
    N, C, H, W, fh, fw, stride, pad = geometry
    if y.shape != want.shape:
        return [("fn.im2col.size", {"oh": (H + 2 * pad - fh) // stride + 1, "ow": (W + 2 * pad - fw) // stride + 1})]
    if reference.same_rows(np.ascontiguousarray(y.T) + 0.0, np.ascontiguousarray(want.T) + 0.0):
        return [("fn.im2col.columns", {})]
    return [("fn.im2col.rows", {})] if reference.same_rows(y + 0.0, want + 0.0) else []


def check_col2im(run: Any) -> None:
    """col2im(col, input_shape, FH, FW, stride, pad) against bprop.functions.col2im; the adjoint; float32."""
    for g in reference.GEOMETRIES:
        N, C, H, W, fh, fw, stride, pad = g
        shape = (N, C, H, W)
        col = run.rng.standard_normal(F.im2col(np.zeros(shape), fh, fw, stride, pad).shape)
        finding = run.stage(run.values, _conv_shown("col", col.shape, g), (col, shape, fh, fw, stride, pad),
                            F.col2im(col, shape, fh, fw, stride, pad), 1e-12,
                            lambda y, want, g=g: _col2im_cause(run, y, g), quiet=True)
        if not finding.passed:
            break
    else:
        run.add("values", "pass", "fn.conv.ok", count=len(reference.GEOMETRIES))
    run.stage(_adjoint, run)
    run.stage(run.dtype_check, _conv_shown("col", col.shape, g) + " float32",
              (col.astype(np.float32), shape, fh, fw, stride, pad))


def _col2im_cause(run, y, geometry) -> list:
    """The padding left on, or windows assigned (=) where they must add up (+=): col of ones counts the windows."""
    N, C, H, W, fh, fw, stride, pad = geometry
    if y.ndim == 4 and y.shape[:2] == (N, C) and y.shape[2] > H:
        return [("fn.col2im.pad", {})]
    ones = np.ones((N * ((H + 2 * pad - fh) // stride + 1) * ((W + 2 * pad - fw) // stride + 1), C * fh * fw))
    counts = F.col2im(ones, (N, C, H, W), fh, fw, stride, pad)
    try:
        got = copy_grad(run.call("", (ones, (N, C, H, W), fh, fw, stride, pad), mutation=None)[0])
    except Stop:
        return []
    if got is not None and got.shape == counts.shape and got.max() <= 1 < counts.max():
        return [("fn.col2im.assign", {"most": int(counts.max())})]
    return []


def _adjoint(run) -> Finding | None:
    """⟨im2col(x), col⟩ = ⟨x, col2im(col)⟩ with bprop's im2col on every geometry: col2im is im2col's backward."""
    for g in reference.GEOMETRIES:
        N, C, H, W, fh, fw, stride, pad = g
        x = run.rng.standard_normal((N, C, H, W))
        cols = F.im2col(x, fh, fw, stride, pad)
        col = run.rng.standard_normal(cols.shape)
        shown = _conv_shown("col", col.shape, g)
        img = copy_grad(run.call(shown, (col, x.shape, fh, fw, stride, pad))[0])
        if img is None or img.shape != x.shape:
            return None  # the values check has said what is wrong
        lhs, rhs = float(np.sum(cols * col)), float(np.sum(x * img))
        if abs(lhs - rhs) > 1e-9 * max(1.0, abs(lhs)):
            return run.add("adjoint", "fail", "fn.col2im.adjoint", call=run.text(shown), lhs=lhs, rhs=rhs)
    return run.add("adjoint", "pass", "fn.col2im.adjoint.ok")
