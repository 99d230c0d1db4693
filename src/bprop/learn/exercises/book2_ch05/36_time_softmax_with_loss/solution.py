import numpy as np

from bprop.functions import softmax


class TimeSoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None
        self.ignore_label = -1

    def forward(self, xs, ts):
        N, T, V = xs.shape
        if ts.ndim == 3:  # one-hot labels
            ts = ts.argmax(axis=2)
        ts = ts.reshape(N * T)
        mask = ts != self.ignore_label
        ys = softmax(xs.reshape(N * T, V))
        picked = ys[np.arange(N * T), ts]  # an ignored -1 picks the last column: masked out below
        losses = -np.log(np.where(mask, picked, 1.0) + 1e-7) * mask
        count = mask.sum()
        self.cache = (ts, ys, mask, count, (N, T, V))
        return losses.sum() / count

    def backward(self, dout=1):
        ts, ys, mask, count, (N, T, V) = self.cache
        dx = ys.copy()
        dx[np.arange(N * T), ts] -= 1
        dx *= dout / count
        dx *= mask[:, None]
        return dx.reshape(N, T, V)
