# Buggy: a learner's inverted Dropout (divides by 1 - ratio while training) that also divides at test time,
# where x should pass through unchanged.
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        scale = 1.0 / (1.0 - self.dropout_ratio)
        if train_flg:
            self.mask = (np.random.rand(*x.shape) > self.dropout_ratio) * scale
            return x * self.mask
        return x * scale

    def backward(self, dout):
        return dout * self.mask
