# Buggy: a learner's Embedding whose backward writes dW[idx] = dout: a repeated id keeps one row.
import numpy as np


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        (W,) = self.params
        self.idx = idx
        return W[idx]

    def backward(self, dout):
        (dW,) = self.grads
        dW[...] = 0
        dW[self.idx] = dout
        return None


class TimeEmbedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.steps = []

    def forward(self, xs):
        N, T = xs.shape
        self.steps = [Embedding(self.params[0]) for _ in range(T)]
        return np.stack([step.forward(xs[:, t]) for t, step in enumerate(self.steps)], axis=1)

    def backward(self, dout):
        total = np.zeros_like(self.params[0])
        for t, step in enumerate(self.steps):
            step.backward(dout[:, t, :])
            total += step.grads[0]
        self.grads[0][...] = total
        return None
