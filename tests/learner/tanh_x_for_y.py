# Buggy: a learner's Tanh whose backward uses the input x where the output y belongs: dout*(1 - x**2).
import numpy as np


class Tanh:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, dout):
        return dout * (1 - self.x ** 2)
