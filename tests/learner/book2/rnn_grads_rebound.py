# Buggy: a learner's RNN cell that rebinds grads[0] instead of writing into it: a model never sees dWx.
import numpy as np


class RNN:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        h_next = np.tanh(x @ Wx + h_prev @ Wh + b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        x, h_prev, h_next = self.cache
        dt = dh_next * (1 - h_next ** 2)
        dWx = x.T @ dt
        dWh = h_prev.T @ dt
        db = dt.sum(axis=0)
        self.grads[0] = dWx
        self.grads[1][...] = dWh
        self.grads[2][...] = db
        return dt @ Wx.T, dt @ Wh.T
