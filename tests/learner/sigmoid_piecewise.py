# Correct: a learner's numerically stable Sigmoid, computed piecewise on the sign of x.
import numpy as np


class Sigmoid:
    def __init__(self):
        self.y = None

    def forward(self, x):
        y = np.empty_like(x)
        pos = x >= 0
        y[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
        e = np.exp(x[~pos])
        y[~pos] = e / (1.0 + e)
        self.y = y
        return y

    def backward(self, dout):
        return dout * self.y * (1.0 - self.y)
