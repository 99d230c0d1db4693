# Buggy: a learner's Tanh whose derivative is written dout*(1 - y): the square of y is missing.
import numpy as np


class Tanh:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out)
