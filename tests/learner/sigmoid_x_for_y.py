# Buggy: a learner's Sigmoid whose backward uses the input x where the output y belongs: dout*x*(1-x).
import numpy as np


class Sigmoid:
    def __init__(self):
        self.x = None
        self.out = None

    def forward(self, x):
        self.x = x
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.x * (1.0 - self.x)
