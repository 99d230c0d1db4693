import numpy as np


class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            # [en] TODO: replace each ... (the velocity, then the step).
            # [ja] TODO: それぞれの ... を書き換える（速度、そしてパラメータの更新）。
            self.v[key] = ...
            params[key] += ...
