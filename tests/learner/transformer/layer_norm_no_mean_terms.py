# Buggy: dx omits both mean terms (one line away from layer_norm.py).
import numpy as np


class LayerNorm:
    def __init__(self, gamma, beta, eps=1e-5):
        self.gamma = gamma
        self.beta = beta
        self.eps = eps
        self.dgamma = None
        self.dbeta = None
        self.xn = None
        self.std = None

    def forward(self, x):
        mu = x.mean(axis=-1, keepdims=True)
        xc = x - mu
        var = np.mean(xc ** 2, axis=-1, keepdims=True)
        self.std = np.sqrt(var + self.eps)
        self.xn = xc / self.std
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        D = dout.shape[-1]
        self.dbeta = dout.reshape(-1, D).sum(axis=0)
        self.dgamma = (dout * self.xn).reshape(-1, D).sum(axis=0)
        dxn = dout * self.gamma
        dx = dxn
        return dx / self.std
