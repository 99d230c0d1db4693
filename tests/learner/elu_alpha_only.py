# Buggy: a learner's ELU whose backward gives dout*alpha on the negative side instead of dout*(out + alpha).
import numpy as np


class Elu:
    def __init__(self, alpha=1.0):
        self.alpha = alpha
        self.mask = None
        self.out = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = self.alpha * (np.exp(x[self.mask]) - 1.0)
        self.out = out
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = dout[self.mask] * self.alpha
        return dx
