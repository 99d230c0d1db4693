import numpy as np


class LayerNorm:
    def __init__(self, gamma, beta, eps=1e-5):
        self.gamma = gamma
        self.beta = beta
        self.eps = eps
        self.dgamma = None
        self.dbeta = None
        self.cache = None

    def forward(self, x):
        mu = np.mean(x, axis=-1, keepdims=True)
        var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
        std = np.sqrt(var + self.eps)
        xn = (x - mu) / std
        self.cache = (xn, std)
        return self.gamma * xn + self.beta

    def backward(self, dout):
        xn, std = self.cache
        axes = tuple(range(dout.ndim - 1))  # every axis but the features
        self.dbeta = np.sum(dout, axis=axes)
        self.dgamma = np.sum(dout * xn, axis=axes)
        dxn = dout * self.gamma
        mean = np.mean(dxn, axis=-1, keepdims=True)
        mean_xn = np.mean(dxn * xn, axis=-1, keepdims=True)
        return (dxn - mean - xn * mean_xn) / std
