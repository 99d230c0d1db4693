# Dropout that draws a fresh mask in backward instead of reusing forward's (bug).
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio

    def forward(self, x, train_flg=True):
        if not train_flg:
            return x * (1.0 - self.dropout_ratio)
        self.mask = np.random.rand(*x.shape) > self.dropout_ratio
        return x * self.mask

    def backward(self, dout):
        mask = np.random.rand(*dout.shape) > self.dropout_ratio
        return dout * mask
