"""Central differences: the book's ``numerical_gradient``, and the checker's version with its error terms.

``numerical_gradient(f, x)`` is the book's ch.4 central difference, call-compatible
with ``numerical_gradient(lambda W: net.loss(x, t), net.params['W1'])``:

    ∂f/∂x_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / (2ε),    ε = 1e-4,

with a truncation error O(ε²). ``central_differences`` is what ``check_layer``
uses: the same difference for L = Σ dout·f(x), with its rounding noise and the
one-sided slopes that tell a kink.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import numpy as np

__all__ = ["numerical_gradient", "central_differences", "central_at", "mark_near_kinks", "perturbed"]


_T = TypeVar("_T")

def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """The book's numerical gradient: ∂f/∂x_i ≈ (f(x + ε·e_i) − f(x − ε·e_i)) / (2ε).

    f: takes x and returns a scalar. x: a float ndarray of any shape, perturbed in
    place one element at a time, because the book's nets call
    ``numerical_gradient(lambda W: net.loss(x, t), net.params['W1'])``: f ignores its
    argument and sees the perturbed parameter through the net. Every element is
    restored exactly, even when f raises. Returns an array of x's shape and dtype.
    Truncation error O(ε²); in float32, rounding (about 1e-7·|f|/ε) dominates.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(
            "numerical_gradient perturbs x in place, so x must be a float ndarray; "
            f"got {type(x).__name__}{' of dtype ' + str(x.dtype) if isinstance(x, np.ndarray) else ''}"
        )
    grad = np.zeros_like(x)
    for idx, f_plus, f_minus in perturbed(lambda: _scalar(f(x)), x, eps):
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def perturbed(f: Callable[[], _T], a: np.ndarray, eps: float,
              indices: Iterable[tuple[int, ...]] | None = None) -> Iterator[tuple[tuple[int, ...], _T, _T]]:
    """Yield (i, f() with a[i] + eps, f() with a[i] − eps) for every index i of ``a`` (or those in ``indices``).

    ``a`` is perturbed in place one element at a time and each element is
    restored exactly, even when f raises.
    """
    for i in np.ndindex(a.shape) if indices is None else indices:
        old = a[i]
        try:
            a[i] = old + eps
            plus = f()
            a[i] = old - eps
            minus = f()
        finally:
            a[i] = old
        yield i, plus, minus


def _scalar(value) -> float:
    value = np.asarray(value)
    if value.size != 1:
        raise TypeError(f"numerical_gradient needs f to return a scalar, got shape {value.shape}")
    return float(value.reshape(()))



def central_differences(run: Callable[[], np.ndarray], a: np.ndarray, dout: np.ndarray, y0: np.ndarray, eps: float,
                        unit: float = 2.0**-52) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Central differences of L = Σ dout·f(a), one element of ``a`` at a time.

    ``a`` is perturbed in place and restored; ``run()`` returns f as a float64 copy.
    With y± = f(a ± ε·e_i):
        numeric_i = Σ dout·(y⁺ − y⁻) / (2ε)   the difference first: an output that does
                                              not move adds exactly 0, and nothing cancels
                                              against a large constant (values of ±1000)
        ones_i    = Σ (y⁺ − y⁻) / (2ε)        the same for dout = 1 (spots an ignored dout)
        noise_i   = 4·u·Σ |dout|·(max(|y⁺|, 1) + max(|y⁻|, 1)) / (2ε): the rounding
                    error of numeric_i, u = 2⁻⁵² (2⁻²³ for a layer computing in
                    float32). y± are float64 (a sigmoid at x = 30 is 1 − 1e-13
                    with a slope of 1e-13: y⁺ and y⁻ round to the same number), and
                    sums inside a layer are rarely below 1 (the 1 + e⁻ˣ of a sigmoid,
                    the Σ exp of a softmax), so |y| counts as at least 1
        left_i    = Σ dout·(y0 − y⁻) / ε,   right_i = Σ dout·(y⁺ − y0) / ε
    Element i sits on a kink (x = 0 for ReLU) when the one-sided slopes disagree by
    more than rounding explains (they carry twice the noise, being over ε, not 2ε):
        |left − right| > 0.1·max(|left|, |right|) + 1e-6·scale + 4·noise_i,
        scale = max|numeric| or 1.
    Returns (numeric, ones, noise, kinks), all of a's shape.
    """
    numeric, ones, noise, left, right = (np.zeros(a.shape) for _ in range(5))
    for i, y_plus, y_minus in perturbed(run, a, eps):
        with np.errstate(all="ignore"):
            moved = y_plus - y_minus
            numeric[i] = np.sum(dout * moved) / (2 * eps)
            ones[i] = np.sum(moved) / (2 * eps)
            size = np.maximum(np.abs(y_plus), 1) + np.maximum(np.abs(y_minus), 1)
            noise[i] = 4 * unit * np.sum(np.abs(dout) * size) / (2 * eps)
            left[i] = np.sum(dout * (y0 - y_minus)) / eps
            right[i] = np.sum(dout * (y_plus - y0)) / eps
    with np.errstate(all="ignore"):
        scale = float(np.nanmax(np.abs(numeric), initial=0.0)) or 1.0
        kinks = np.abs(left - right) > 0.1 * np.maximum(np.abs(left), np.abs(right)) + 1e-6 * scale + 4 * noise
    return numeric, ones, noise, kinks


def central_at(run: Callable[[], np.ndarray], a: np.ndarray, dout: np.ndarray, eps: float,
               indices: Iterable[tuple[int, ...]]) -> np.ndarray:
    """Σ dout·(f(a + ε·e_i) − f(a − ε·e_i)) / (2ε) at the given indices of ``a`` only (a restored)."""
    with np.errstate(all="ignore"):
        return np.array([np.sum(dout * (plus - minus)) / (2 * eps) for _, plus, minus in perturbed(run, a, eps, indices)])


def mark_near_kinks(run: Callable[[], np.ndarray], array: np.ndarray, a: np.ndarray, n: np.ndarray, noise: np.ndarray,
                    kinks: np.ndarray, dout: np.ndarray, eps: float, tol: float) -> None:
    """Mark as kinks (in place) the elements where backward ``a`` and the central difference ``n`` disagree and
    the difference changes with ε: ReLU at |x| < ε, a near-tie in a max. There the difference straddles the
    bend and says nothing about backward; a smooth function's difference moves only by O(ε²).
    Rechecked with ε/4 for at most a tenth of the elements (more failures are not kinks)."""
    with np.errstate(all="ignore"):
        allowed = np.max(np.abs(np.concatenate([a[~kinks], n[~kinks]])), initial=1e-8) * tol + noise
        bad = ~kinks & ~(np.abs(a - n) <= allowed)
    if not bad.any() or bad.sum() > max(8, bad.size // 10):
        return
    indices = list(zip(*np.nonzero(bad)))
    small = central_at(run, array, dout, eps / 4, indices)
    for i, value in zip(indices, small):
        if abs(value - n[i]) > 10 * (allowed[i] + 4 * noise[i]):
            kinks[i] = True
