# Buggy: a learner's AttentionWeight whose dh averages the T copies of h instead of summing them.
import numpy as np


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


class WeightSum:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, a):
        self.cache = (hs, a)
        return (hs * a[:, :, np.newaxis]).sum(axis=1)

    def backward(self, dc):
        hs, a = self.cache
        dhs = a[:, :, np.newaxis] * dc[:, np.newaxis, :]
        da = (hs * dc[:, np.newaxis, :]).sum(axis=2)
        return dhs, da


class AttentionWeight:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, h):
        a = softmax((hs * h[:, np.newaxis, :]).sum(axis=2), axis=1)
        self.cache = (hs, h, a)
        return a

    def backward(self, da):
        hs, h, a = self.cache
        ds = a * (da - (a * da).sum(axis=1, keepdims=True))
        dhs = ds[:, :, np.newaxis] * h[:, np.newaxis, :]
        dh = (ds[:, :, np.newaxis] * hs).mean(axis=1)
        return dhs, dh


class Attention:
    def __init__(self):
        self.params, self.grads = [], []
        self.weight_layer = AttentionWeight()
        self.sum_layer = WeightSum()
        self.attention_weight = None

    def forward(self, hs, h):
        a = self.weight_layer.forward(hs, h)
        self.attention_weight = a
        return self.sum_layer.forward(hs, a)

    def backward(self, dc):
        dhs0, da = self.sum_layer.backward(dc)
        dhs1, dh = self.weight_layer.backward(da)
        return dhs0 + dhs1, dh


class TimeAttention:
    def __init__(self):
        self.params, self.grads = [], []
        self.steps = []

    def forward(self, hs_enc, hs_dec):
        T_dec = hs_dec.shape[1]
        self.steps = [Attention() for _ in range(T_dec)]
        return np.stack([step.forward(hs_enc, hs_dec[:, t, :]) for t, step in enumerate(self.steps)], axis=1)

    def backward(self, dout):
        dhs_enc = 0
        dhs_dec = np.empty_like(dout)
        for t, step in enumerate(self.steps):
            dhs, dh = step.backward(dout[:, t, :])
            dhs_enc = dhs_enc + dhs
            dhs_dec[:, t, :] = dh
        return dhs_enc, dhs_dec
