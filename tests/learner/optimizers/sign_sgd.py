# signSGD (Bernstein et al. 2018), an optimizer with no reference in bprop: steps by lr * sign(grad) (correct).
import numpy as np


class SignSGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * np.sign(grads[key])
