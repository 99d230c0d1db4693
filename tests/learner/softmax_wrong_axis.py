# Buggy: a learner's SoftmaxWithLoss whose softmax normalises over axis 0 (the batch) instead of each row.
import numpy as np


def softmax(a):
    a = a - np.max(a, axis=0)
    e = np.exp(a)
    return e / np.sum(e, axis=0)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        n = x.shape[0]
        self.loss = -np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n
        return self.loss

    def backward(self, dout=1):
        n = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / n
