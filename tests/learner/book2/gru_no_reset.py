# Buggy: a learner's GRU whose forward forgets the reset gate in h_hat.
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class GRU:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        a = x @ Wx + b
        gates = sigmoid(a[:, :2 * H] + h_prev @ Wh[:, :2 * H])
        z, r = gates[:, :H], gates[:, H:]
        h_hat = np.tanh(a[:, 2 * H:] + h_prev @ Wh[:, 2 * H:])
        self.cache = (x, h_prev, z, r, h_hat)
        return (1 - z) * h_prev + z * h_hat

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        x, h_prev, z, r, h_hat = self.cache
        dt = dh_next * z * (1 - h_hat ** 2)
        dhr = dt @ Wh[:, 2 * H:].T
        dz = dh_next * (h_hat - h_prev) * z * (1 - z)
        dr = dhr * h_prev * r * (1 - r)
        dA = np.hstack((dz, dr, dt))
        self.grads[0][...] = x.T @ dA
        self.grads[1][...] = np.hstack((h_prev.T @ dz, h_prev.T @ dr, (r * h_prev).T @ dt))
        self.grads[2][...] = dA.sum(axis=0)
        dh_prev = dh_next * (1 - z) + dz @ Wh[:, :H].T + dr @ Wh[:, H:2 * H].T + r * dhr
        return dA @ Wx.T, dh_prev


class TimeGRU:
    def __init__(self, Wx, Wh, b, stateful=False):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.stateful = stateful
        self.h = None
        self.steps = []

    def reset_state(self):
        self.h = None

    def forward(self, xs):
        N, T, _ = xs.shape
        H = self.params[1].shape[0]
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H))
        self.steps = [GRU(*self.params) for _ in range(T)]
        hs = np.empty((N, T, H))
        for t, step in enumerate(self.steps):
            self.h = step.forward(xs[:, t, :], self.h)
            hs[:, t, :] = self.h
        return hs

    def backward(self, dhs):
        N, T, _ = dhs.shape
        dxs = np.empty((N, T, self.params[0].shape[0]))
        dh = 0
        sums = [np.zeros_like(p) for p in self.params]
        for t in range(T - 1, -1, -1):
            dxs[:, t, :], dh = self.steps[t].backward(dhs[:, t, :] + dh)
            for total, g in zip(sums, self.steps[t].grads):
                total += g
        for k, total in enumerate(sums):
            self.grads[k][...] = total
        return dxs
