"""Gradient checks: the book's ``numerical_gradient``, and ``check_layer`` for any layer.

``numerical_gradient(f, x)`` is the book's ch.4 central difference, call-compatible
with ``numerical_gradient(lambda W: net.loss(x, t), net.params['W1'])``.

``check_layer(layer, *inputs)`` checks a layer written in the book's style — ours or
a learner's — and says in words what is right and what is wrong::

    report = check_layer(Relu(), x)     # or (SoftmaxWithLoss(), x, t), (MulLayer(), x, y), (LSTM(Wx, Wh, b), x, h, c)
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

The same for what else a learner writes from the book: ``check_optimizer(Momentum)`` (its steps against
the reference update its name says), ``check_net(TwoLayerNet)`` (every parameter's gradient against the
numerical gradient of loss), ``check_function(softmax)`` (against the book's function of that name).
``bprop.testing`` wraps them as assertions for pytest; ``bprop check FILE.py:NAME`` runs them on a file.

    numerical.py  central differences            checker.py, stages.py  check_layer and its stages
    build.py      building a learner's layer     modes.py     train/test mode, replayed randomness
    diagnose.py   generic causes of a wrong gradient;  causes.py   causes that know the layer
    readings.py   an exception read in plain words;    calls.py    running a learner's code safely
    optimizer*.py check_optimizer      net.py, net_build.py  check_net      function*.py  check_function
    report.py     Report, Finding, GradRow       messages/    the texts, English and Japanese
    learner.py    loading a learner's class, its parameters, its reference
    sandbox.py    bprop check's child process (timeouts, sys.exit)
    compare.py    array comparisons the checks share
    gradients.py  the gradient stage: central differences, then the likely cause
    outputs.py    a forward with several outputs (LSTM)      build_sequence.py  book 2's inputs (ids, labels, h, c)
    sequence.py   book 2's stages: grads in place, a Time layer against its cell, stateful runs
    causes_sequence.py, sequence_math.py  book 2's named slips (LSTM gates, tanh, dc, dh over time, Embedding …)
    learner_transformer.py, build_transformer.py  a learner's LayerNorm, attention, multi-head: read, built, fed
    causes_transformer.py, transformer_math.py  their named slips (softmax axis, 1/√d_k, masks, heads' order …)
"""

from bprop.gradcheck.checker import check_layer
from bprop.gradcheck.function import check_function
from bprop.gradcheck.net import check_net
from bprop.gradcheck.numerical import numerical_gradient
from bprop.gradcheck.optimizer import check_optimizer
from bprop.gradcheck.report import Finding, GradRow, Report

__all__ = ["check_layer", "check_optimizer", "check_net", "check_function", "numerical_gradient",
           "Report", "Finding", "GradRow"]
