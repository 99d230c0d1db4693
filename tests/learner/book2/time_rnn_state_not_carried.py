# Buggy: a learner's TimeRNN that feeds every step h = 0 instead of the previous step's h.
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
        self.grads[0][...] = x.T @ dt
        self.grads[1][...] = h_prev.T @ dt
        self.grads[2][...] = dt.sum(axis=0)
        return dt @ Wx.T, dt @ Wh.T


class TimeRNN:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.stateful = stateful
        self.h, self.dh = None, None
        self.cells = []

    def set_state(self, h):
        self.h = h

    def reset_state(self):
        self.h = None

    def forward(self, xs):
        Wx, Wh, b = self.params
        N, T, _ = xs.shape
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, Wh.shape[0]))
        hs = np.empty((N, T, Wh.shape[0]))
        self.cells = []
        for t in range(T):
            cell = RNN(Wx, Wh, b)
            self.h = cell.forward(xs[:, t, :], np.zeros_like(self.h))
            hs[:, t, :] = self.h
            self.cells.append(cell)
        return hs

    def backward(self, dhs):
        N, T, H = dhs.shape
        dxs = np.empty((N, T, self.params[0].shape[0]))
        dh = np.zeros((N, H))
        for g in self.grads:
            g[...] = 0
        for t in reversed(range(T)):
            dx, dh = self.cells[t].backward(dhs[:, t, :] + dh)
            dxs[:, t, :] = dx
            for k, g in enumerate(self.cells[t].grads):
                self.grads[k][...] += g
        self.dh = dh
        return dxs
