# Adam with beta2 in the first moment and beta1 in the second (bug); the bias correction uses them right.
import numpy as np


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter, self.m, self.v = 0, {}, {}

    def update(self, params, grads):
        self.iter += 1
        lr_t = self.lr * np.sqrt(1 - self.beta2 ** self.iter) / (1 - self.beta1 ** self.iter)
        for key, g in grads.items():
            m = self.m.setdefault(key, np.zeros_like(g))
            v = self.v.setdefault(key, np.zeros_like(g))
            m += (1 - self.beta2) * (g - m)
            v += (1 - self.beta1) * (g * g - v)
            params[key] -= lr_t * m / (np.sqrt(v) + 1e-7)
