import math

import numpy as np


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(value) for key, value in params.items()}
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        self.iter += 1
        lr_t = self.lr * math.sqrt(1 - self.beta2 ** self.iter) / (1 - self.beta1 ** self.iter)
        for key in params:
            g = grads[key]
            # [en] TODO: replace each ... with the moving average it names.
            # [ja] TODO: それぞれの ... を、その移動平均の式に置き換える。
            self.m[key] = ...
            self.v[key] = ...
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)
