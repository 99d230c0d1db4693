# Correct: a learner's BatchNormalization in torch style: on (N, C, H, W) input, one gamma/beta per channel.
import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.dgamma = None
        self.dbeta = None

    def _axes(self, x):
        return (0,) if x.ndim == 2 else (0, 2, 3)

    def _per_channel(self, v, ndim):
        return v if ndim == 2 else v.reshape(1, -1, 1, 1)

    def forward(self, x, train_flg=True):
        axes = self._axes(x)
        g = self._per_channel(self.gamma, x.ndim)
        b = self._per_channel(self.beta, x.ndim)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.ones(x.shape[1])
        if train_flg:
            mu = x.mean(axis=axes)
            var = x.var(axis=axes)
            self.std = np.sqrt(self._per_channel(var, x.ndim) + 1e-5)
            self.xn = (x - self._per_channel(mu, x.ndim)) / self.std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            return g * self.xn + b
        mu = self._per_channel(self.running_mean, x.ndim)
        var = self._per_channel(self.running_var, x.ndim)
        return g * (x - mu) / np.sqrt(var + 1e-5) + b

    def backward(self, dout):
        axes = self._axes(dout)
        self.dbeta = dout.sum(axis=axes)
        self.dgamma = (dout * self.xn).sum(axis=axes)
        g = self._per_channel(self.gamma, dout.ndim)
        dxn = dout * g
        dx = (dxn - dxn.mean(axis=axes, keepdims=True)
              - self.xn * (dxn * self.xn).mean(axis=axes, keepdims=True)) / self.std
        return dx
