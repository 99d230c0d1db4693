import numpy as np


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class GRU:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        # [en] TODO: z, r, the candidate h~, then h_next = (1 - z) * h_prev + z * h~.
        # [ja] TODO: z、r、候補 h~ を求め、h_next = (1 - z) * h_prev + z * h~ を返す。
        raise NotImplementedError("TODO: GRU.forward")

    def backward(self, dh_next):
        # [en] TODO: the gradients of Wx, Wh, b into self.grads (in place); return (dx, dh_prev).
        # [ja] TODO: Wx、Wh、b の勾配を self.grads にその場で書き込み、(dx, dh_prev) を返す。
        raise NotImplementedError("TODO: GRU.backward")
