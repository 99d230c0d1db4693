# Correct: a learner's Tanh built from np.exp, written so that it never overflows (exp of -2|x| only).
import numpy as np


class Tanh:
    def __init__(self):
        self.y = None

    def forward(self, x):
        e = np.exp(-2.0 * np.abs(x))
        self.y = np.sign(x) * (1.0 - e) / (1.0 + e)
        return self.y

    def backward(self, dout):
        return dout * (1.0 - self.y * self.y)
