import numpy as np


class WeightSum:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        # [en] TODO: c = sum over t of a[:, t] * hs[:, t]; keep hs and a.
        # [ja] TODO: c = t についての a[:, t] * hs[:, t] の和。hs と a を保存する。
        raise NotImplementedError("TODO: WeightSum.forward")

    def backward(self, dc):
        # [en] TODO: return (dhs, da).
        # [ja] TODO: (dhs, da) を返す。
        raise NotImplementedError("TODO: WeightSum.backward")
