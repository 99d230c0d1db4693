import numpy as np

from bprop.functions import cross_entropy_error, softmax


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        # [en] TODO: keep t and y = softmax(x); return the cross-entropy error of y and t.
        # [ja] TODO: t と y = softmax(x) を保存し、y と t の交差エントロピー誤差を返す。
        raise NotImplementedError("TODO: SoftmaxWithLoss.forward")

    def backward(self, dout=1):
        # [en] TODO: dout * (y - t) / N, for labels t (N,) or one-hot t (N, C).
        # [ja] TODO: dout * (y - t) / N を返す（t はラベル (N,) でも one-hot (N, C) でもよい）。
        raise NotImplementedError("TODO: SoftmaxWithLoss.backward")
