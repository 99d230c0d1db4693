"""bprop: deep learning from scratch in NumPy.

Every layer is an object with ``forward(x)`` and ``backward(dout)``, as in
*Deep Learning from Scratch* (ゼロから作るDeep Learning); layers stack into
networks that learn by error backpropagation. ``import bprop`` needs NumPy only.
"""

__version__ = "0.1.0"
