# Correct: a learner's BatchNormalization (per element, as the book) with the one-line backward formula.
import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.eps = 1e-7
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        self.shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            self.inv_std = 1.0 / np.sqrt(var + self.eps)
            self.xhat = (x - mean) * self.inv_std
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mean
            self.running_var = m * self.running_var + (1 - m) * var
            xhat = self.xhat
        else:
            xhat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return (self.gamma * xhat + self.beta).reshape(self.shape)

    def backward(self, dout):
        dout = dout.reshape(dout.shape[0], -1)
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.xhat).sum(axis=0)
        dx = (self.gamma * self.inv_std / n) * (n * dout - self.dbeta - self.xhat * self.dgamma)
        return dx.reshape(self.shape)
