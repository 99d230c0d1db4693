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
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        z = _sigmoid(x @ Wx[:, :H] + h_prev @ Wh[:, :H] + b[:H])
        r = _sigmoid(x @ Wx[:, H:2 * H] + h_prev @ Wh[:, H:2 * H] + b[H:2 * H])
        h_hat = np.tanh(x @ Wx[:, 2 * H:] + (r * h_prev) @ Wh[:, 2 * H:] + b[2 * H:])
        self.cache = (x, h_prev, z, r, h_hat)
        return (1 - z) * h_prev + z * h_hat

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        H = Wh.shape[0]
        x, h_prev, z, r, h_hat = self.cache
        dt = dh_next * z * (1 - h_hat ** 2)  # h~'s pre-activation
        dhr = dt @ Wh[:, 2 * H:].T  # reaches r * h_prev
        dz = dh_next * (h_hat - h_prev) * z * (1 - z)
        dr = dhr * h_prev * r * (1 - r)
        dA = np.hstack((dz, dr, dt))
        self.grads[0][...] = x.T @ dA
        self.grads[1][...] = np.hstack((h_prev.T @ dz, h_prev.T @ dr, (r * h_prev).T @ dt))
        self.grads[2][...] = np.sum(dA, axis=0)
        dh_prev = dh_next * (1 - z) + r * dhr + dz @ Wh[:, :H].T + dr @ Wh[:, H:2 * H].T
        return dA @ Wx.T, dh_prev
