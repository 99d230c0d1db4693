# Buggy: a learner's TimeAffine whose db sums over N and M, leaving T (T equals M here, so no shape error).
import numpy as np


class TimeAffine:
    def __init__(self, W, b):
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params
        N, T, D = x.shape
        self.x = x
        return (x.reshape(N * T, D) @ W + b).reshape(N, T, -1)

    def backward(self, dout):
        W, b = self.params
        N, T, D = self.x.shape
        rows = dout.reshape(N * T, -1)
        self.grads[0][...] = self.x.reshape(N * T, D).T @ rows
        self.grads[1][...] = dout.sum(axis=(0, 2))
        return (rows @ W.T).reshape(N, T, D)
