# Convolution (im2col) whose db sums over the batch only, leaving one value per output position (bug).
import numpy as np


def im2col(x, fh, fw, stride=1, pad=0):
    n, c, h, w = x.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.empty((n, c, fh, fw, oh, ow))
    for u in range(fh):
        for v in range(fw):
            col[:, :, u, v] = xp[:, :, u:u + stride * oh:stride, v:v + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(col, shape, fh, fw, stride=1, pad=0):
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for u in range(fh):
        for v in range(fw):
            img[:, :, u:u + stride * oh:stride, v:v + stride * ow:stride] += col[:, :, u, v]
    return img[:, :, pad:pad + h, pad:pad + w]


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, _, h, w = x.shape
        self.oh = (h + 2 * self.pad - fh) // self.stride + 1
        self.ow = (w + 2 * self.pad - fw) // self.stride + 1
        self.x = x
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_w = self.W.reshape(fn, -1).T
        out = self.col @ self.col_w + self.b
        return out.reshape(n, self.oh, self.ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        self.db = dout.sum(axis=0)
        d = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.dW = (self.col.T @ d).T.reshape(fn, c, fh, fw)
        return col2im(d @ self.col_w.T, self.x.shape, fh, fw, self.stride, self.pad)
