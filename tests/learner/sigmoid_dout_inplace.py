# Sigmoid whose backward multiplies dout in place (dout *= …): the caller's dout changes (bug).
import numpy as np


class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        dout *= self.out * (1.0 - self.out)
        return dout
