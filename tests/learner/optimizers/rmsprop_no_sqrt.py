# RMSprop that divides by h instead of its square root (bug).
import numpy as np


class RMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr, self.decay_rate = lr, decay_rate
        self.h = {}

    def update(self, params, grads):
        for key, g in grads.items():
            h = self.h.setdefault(key, np.zeros_like(g))
            h *= self.decay_rate
            h += (1 - self.decay_rate) * g * g
            params[key] -= self.lr * g / (h + 1e-7)
