# Correct: a learner's ReLU written with np.where, keeping the positive mask.
import numpy as np


class Relu:
    def __init__(self):
        self.positive = None

    def forward(self, x):
        self.positive = x > 0
        return np.where(self.positive, x, 0.0).astype(x.dtype)

    def backward(self, dout):
        return np.where(self.positive, dout, 0.0).astype(dout.dtype)
