# BatchNormalization whose backward stops at dxc: the gradient through the batch mean is never subtracted (bug).
import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma, self.beta, self.momentum = gamma, beta, momentum
        self.running_mean, self.running_var = running_mean, running_var
        self.dgamma = self.dbeta = None

    def forward(self, x, train_flg=True):
        shape = x.shape
        x = x.reshape(shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu = x.mean(axis=0)
            self.xc = x - mu
            var = (self.xc ** 2).mean(axis=0)
            self.std = np.sqrt(var + 1e-7)
            self.xn = self.xc / self.std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            self.xn = (x - self.running_mean) / np.sqrt(self.running_var + 1e-7)
        return (self.gamma * self.xn + self.beta).reshape(shape)

    def backward(self, dout):
        shape = dout.shape
        dout = dout.reshape(shape[0], -1)
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (self.xn * dout).sum(axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dvar = np.sum(-0.5 * dxn * self.xc / self.std ** 3, axis=0)
        dxc = dxc + (2.0 / n) * self.xc * dvar
        return dxc.reshape(shape)
