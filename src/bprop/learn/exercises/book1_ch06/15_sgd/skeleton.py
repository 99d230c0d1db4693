import numpy as np


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        # [en] TODO: every params[key] one step of lr against grads[key], in place.
        # [ja] TODO: すべての params[key] を grads[key] と逆向きに lr だけ、その場で動かす。
        raise NotImplementedError("TODO: SGD.update")
