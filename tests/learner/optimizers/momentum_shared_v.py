# Momentum keeping one velocity array for all parameters (bug: state shared between keys).
import numpy as np


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            for key, val in params.items():
                self.v = np.zeros_like(val)

        for key in params.keys():
            self.v = self.momentum * self.v - self.lr * grads[key]
            params[key] += self.v
