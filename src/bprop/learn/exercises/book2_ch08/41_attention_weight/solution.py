import numpy as np


class AttentionWeight:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, h):
        s = np.sum(hs * h[:, None, :], axis=2)
        e = np.exp(s - np.max(s, axis=1, keepdims=True))
        a = e / np.sum(e, axis=1, keepdims=True)
        self.cache = (hs, h, a)
        return a

    def backward(self, da):
        hs, h, a = self.cache
        ds = a * (da - np.sum(a * da, axis=1, keepdims=True))
        return ds[:, :, None] * h[:, None, :], np.sum(ds[:, :, None] * hs, axis=1)
