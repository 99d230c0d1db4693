# Momentum written the PyTorch way, v = mu*v + g; p -= lr*v (correct, another parametrisation).
import numpy as np


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.buf = {}

    def update(self, params, grads):
        for key in params:
            if key not in self.buf:
                self.buf[key] = np.zeros_like(params[key])
            self.buf[key] = self.momentum * self.buf[key] + grads[key]
            params[key] -= self.lr * self.buf[key]
