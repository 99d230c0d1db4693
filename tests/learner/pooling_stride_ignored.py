# Max pooling that steps by the window size and never reads self.stride (bug: wrong output size for stride 1).
import numpy as np


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        ph, pw = self.pool_h, self.pool_w
        oh, ow = H // ph, W // pw
        blocks = x[:, :, :oh * ph, :ow * pw].reshape(N, C, oh, ph, ow, pw)
        out = blocks.max(axis=(3, 5))
        self.x_shape = x.shape
        self.is_max = blocks == out[:, :, :, None, :, None]
        return out

    def backward(self, dout):
        N, C, oh, ow = dout.shape
        d = self.is_max * dout[:, :, :, None, :, None]
        dx = np.zeros(self.x_shape)
        dx[:, :, :oh * self.pool_h, :ow * self.pool_w] = d.reshape(N, C, oh * self.pool_h, ow * self.pool_w)
        return dx
