# Tanh whose backward applies tanh to the cached output again: 1 - tanh(out)**2 (bug).
import numpy as np


class Tanh:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - np.tanh(self.out) ** 2)
