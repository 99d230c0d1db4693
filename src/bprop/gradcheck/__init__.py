"""Gradient checks: the book's ``numerical_gradient``, and ``check_layer`` for any layer.

``numerical_gradient(f, x)`` is the book's ch.4 central difference, call-compatible
with ``numerical_gradient(lambda W: net.loss(x, t), net.params['W1'])``.

``check_layer(layer, *inputs)`` checks a layer written in the book's style — ours or
a learner's — and says in words what is right and what is wrong::

    report = check_layer(Relu(), x)     # or (SoftmaxWithLoss(), x, t), (MulLayer(), x, y)
    report.ok                           # True when every check passed
    print(report)                       # a table, then one line per check
    print(report.render(lang="ja"))     # the same in Japanese

How the gradient is checked. For a random ``dout`` of the output's shape,
backward(dout) must be the gradient of L = Σ dout·forward(x). Element by element,

    ∂L/∂x_i ≈ Σ dout·(f(x + ε·e_i) − f(x − ε·e_i)) / (2ε),    ε = 1e-4,

with a truncation error O(ε²). A random dout matters: an all-ones dout passes a
backward that ignores dout. Loss layers (a scalar output, a single gradient) get
dout = 1, as the book calls them, and a separate check that backward scales with dout.
Everything runs in float64 on deep copies: the caller's layer and arrays are never
touched. The errors are max_abs = max|a − n| and rel = max_abs / max(max|a|, max|n|).

    numerical.py  central differences          checker.py  check_layer and its stages
    diagnose.py   the likely cause of a wrong gradient
    report.py     Report, Finding, GradRow     messages.py the texts, English and Japanese
    learner.py    reading, loading and building a learner's class
    compare.py    array comparisons the checks share
"""

from bprop.gradcheck.checker import check_layer
from bprop.gradcheck.numerical import numerical_gradient
from bprop.gradcheck.report import Finding, GradRow, Report

__all__ = ["check_layer", "numerical_gradient", "Report", "Finding", "GradRow"]
