import numpy as np


class RMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        # [en] TODO: h as a moving average of g * g, then AdaGrad's step, for every key.
        # [ja] TODO: すべてのキーについて、h を g * g の移動平均で更新し、AdaGrad と同じステップで動かす。
        raise NotImplementedError("TODO: RMSprop.update")
