import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        # [en] TODO: flatten x to (N, D), keep it (and x's shape), return x . W + b.
        # [ja] TODO: x を (N, D) に平らにして保存し（元の形状も）、x . W + b を返す。
        raise NotImplementedError("TODO: Affine.forward")

    def backward(self, dout):
        # [en] TODO: self.dW, self.db, and dx in x's original shape.
        # [ja] TODO: self.dW と self.db を求め、元の x の形状の dx を返す。
        raise NotImplementedError("TODO: Affine.backward")
