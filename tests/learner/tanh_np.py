# Correct: a learner's Tanh layer using np.tanh; the derivative is 1 - y**2.
import numpy as np


class Tanh:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out ** 2)
