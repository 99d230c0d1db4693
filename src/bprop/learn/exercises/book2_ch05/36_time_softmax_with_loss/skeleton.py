import numpy as np

from bprop.functions import softmax


class TimeSoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None
        self.ignore_label = -1

    def forward(self, xs, ts):
        # [en] TODO: the mean cross-entropy over the (n, t) whose label is not ignore_label.
        # [ja] TODO: ラベルが ignore_label でない (n, t) についての交差エントロピーの平均を返す。
        raise NotImplementedError("TODO: TimeSoftmaxWithLoss.forward")

    def backward(self, dout=1):
        # [en] TODO: dout * (softmax - one-hot) / M at the counted (n, t), 0 elsewhere; shape (N, T, V).
        # [ja] TODO: 数に入る (n, t) では dout * (softmax - one-hot) / M、それ以外は 0。形状 (N, T, V)。
        raise NotImplementedError("TODO: TimeSoftmaxWithLoss.backward")
