# Correct: a learner's Dropout in the book's form: keep x under the mask, scale by (1 - ratio) at test time.
import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.uniform(0.0, 1.0, x.shape) >= self.dropout_ratio
            return np.where(self.mask, x, 0)
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return np.where(self.mask, dout, 0)
