import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        # [en] TODO: keep the mask x <= 0 and return x with those elements set to 0 (x itself unchanged).
        # [ja] TODO: マスク x <= 0 を保存し、その要素を 0 にした x を返す（x 自体は変えない）。
        raise NotImplementedError("TODO: Relu.forward")

    def backward(self, dout):
        # [en] TODO: dout with the masked elements set to 0, in a new array.
        # [ja] TODO: マスクの要素を 0 にした dout を新しい配列で返す。
        raise NotImplementedError("TODO: Relu.backward")
