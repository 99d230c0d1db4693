# Correct: a learner's max Pooling with its own im2col/col2im, routing the gradient through argmax.
import numpy as np


def im2col(x, fh, fw, stride=1, pad=0):
    n, c, h, w = x.shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    col = np.empty((n, oh, ow, c, fh, fw), dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            col[:, i, j] = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
    return col.reshape(n * oh * ow, -1)


def col2im(col, x_shape, fh, fw, stride=1, pad=0):
    n, c, h, w = x_shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for i in range(oh):
        for j in range(ow):
            xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw] += col[:, i, j]
    return xp[:, :, pad:pad + h, pad:pad + w]


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        n, c, h, w = x.shape
        oh = (h + 2 * self.pad - self.pool_h) // self.stride + 1
        ow = (w + 2 * self.pad - self.pool_w) // self.stride + 1
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad).reshape(-1, self.pool_h * self.pool_w)
        self.x_shape = x.shape
        self.argmax = col.argmax(axis=1)
        out = col[np.arange(len(col)), self.argmax]
        return out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        flat = dout.transpose(0, 2, 3, 1).ravel()
        dcol = np.zeros((flat.size, self.pool_h * self.pool_w), dtype=dout.dtype)
        dcol[np.arange(flat.size), self.argmax] = flat
        return col2im(dcol, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad)
