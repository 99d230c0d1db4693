# Buggy: a learner's Affine with dW = np.dot(x, dout): x where x.T belongs.
# Meant to be checked with a square W and a square batch: --param W=5,5 --param b=5 --shape 5,5
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x, dout)
        self.db = np.sum(dout, axis=0)
        return dx
