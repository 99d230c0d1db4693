# Correct: a learner's AddLayer whose backward hands dout on through np.ones_like factors.
import numpy as np


class AddLayer:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * np.ones_like(dout), dout * np.ones_like(dout)
