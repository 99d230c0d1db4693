import numpy as np

from bprop.functions import cross_entropy_error, softmax


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, t)
        return self.loss

    def backward(self, dout=1):
        n = self.y.shape[0]
        t = self.t.argmax(axis=1) if self.t.size == self.y.size else self.t  # one-hot rows → labels
        dx = self.y.copy()
        dx[np.arange(n), t] -= 1
        dx *= dout / n
        return dx
