# Momentum without __init__: hyperparameters as class attributes, velocity made lazily per key (correct).
import numpy as np


class MomentumSGD:
    lr = 0.01
    momentum = 0.9

    def update(self, params, grads):
        if not hasattr(self, "velocity"):
            self.velocity = {}
        for name, p in params.items():
            v = self.velocity.setdefault(name, np.zeros_like(p))
            v *= self.momentum
            v -= self.lr * grads[name]
            p += v
