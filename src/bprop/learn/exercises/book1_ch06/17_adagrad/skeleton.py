import numpy as np


class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        # [en] TODO: h += g * g, then W -= lr * g / (sqrt(h) + 1e-7), for every key, in place.
        # [ja] TODO: すべてのキーについて h += g * g、W -= lr * g / (sqrt(h) + 1e-7) をその場で行う。
        raise NotImplementedError("TODO: AdaGrad.update")
