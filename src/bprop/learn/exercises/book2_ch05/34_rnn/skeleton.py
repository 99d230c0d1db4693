import numpy as np


class RNN:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        # [en] TODO: h_next = tanh(h_prev . Wh + x . Wx + b); keep what backward needs.
        # [ja] TODO: h_next = tanh(h_prev . Wh + x . Wx + b)。backward に必要なものを保存する。
        raise NotImplementedError("TODO: RNN.forward")

    def backward(self, dh_next):
        # [en] TODO: the three gradients into self.grads (in place); return (dx, dh_prev).
        # [ja] TODO: 3 つの勾配を self.grads にその場で書き込み、(dx, dh_prev) を返す。
        raise NotImplementedError("TODO: RNN.backward")
