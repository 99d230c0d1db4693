import numpy as np


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        # [en] TODO: return x + y.
        # [ja] TODO: x + y を返す。
        raise NotImplementedError("TODO: AddLayer.forward")

    def backward(self, dout):
        # [en] TODO: the gradient of a sum: dout for both inputs (two new arrays).
        # [ja] TODO: 和の勾配: 両方の入力に dout を（新しい配列 2 つで）返す。
        raise NotImplementedError("TODO: AddLayer.backward")
