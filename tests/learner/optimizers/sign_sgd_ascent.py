# signSGD with the step added instead of subtracted (bug: climbs the loss).
import numpy as np


class SignSGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] += self.lr * np.sign(grads[key])
