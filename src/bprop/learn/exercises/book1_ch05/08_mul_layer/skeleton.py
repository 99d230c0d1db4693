import numpy as np


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        # [en] TODO: keep x and y, return x * y.
        # [ja] TODO: x と y を保存し、x * y を返す。
        raise NotImplementedError("TODO: MulLayer.forward")

    def backward(self, dout):
        # [en] TODO: return (dout * y, dout * x).
        # [ja] TODO: (dout * y, dout * x) を返す。
        raise NotImplementedError("TODO: MulLayer.backward")
