# Buggy: a learner's TimeSoftmaxWithLoss whose forward averages over all N*T steps, not the kept ones.
import numpy as np


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class TimeSoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.ignore_label = -1
        self.cache = None

    def forward(self, xs, ts):
        N, T, V = xs.shape
        if ts.ndim == 3:
            ts = ts.argmax(axis=2)
        labels = ts.reshape(N * T)
        keep = labels != self.ignore_label
        y = softmax(xs.reshape(N * T, V))
        log_p = np.log(y[np.arange(N * T), labels])
        self.cache = (y, labels, keep, (N, T, V))
        return -np.sum(log_p * keep) / (N * T)

    def backward(self, dout=1):
        y, labels, keep, (N, T, V) = self.cache
        dx = y.copy()
        dx[np.arange(N * T), labels] -= 1
        dx *= dout
        dx /= keep.sum()
        dx *= keep[:, np.newaxis]
        return dx.reshape(N, T, V)
