# Correct: a learner's TimeDropout (book 2 §6.5): inverted dropout; the mode is the attribute train_flg.
import numpy as np


class TimeDropout:
    def __init__(self, dropout_ratio=0.5):
        self.params, self.grads = [], []
        self.dropout_ratio = dropout_ratio
        self.mask = None
        self.train_flg = True

    def forward(self, xs):
        if not self.train_flg:
            return xs
        keep = np.random.rand(*xs.shape) > self.dropout_ratio
        self.mask = keep / (1.0 - self.dropout_ratio)
        return xs * self.mask

    def backward(self, dout):
        return dout * self.mask
