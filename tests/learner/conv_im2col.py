# Correct: a learner's Convolution with its own im2col (sliding windows) and col2im (a loop over outputs).
import numpy as np


def im2col(x, fh, fw, stride=1, pad=0):
    n, c, h, w = x.shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    win = np.lib.stride_tricks.sliding_window_view(xp, (fh, fw), axis=(2, 3))
    win = win[:, :, ::stride, ::stride][:, :, :oh, :ow]  # n, c, oh, ow, fh, fw
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * fh * fw)


def col2im(col, x_shape, fh, fw, stride=1, pad=0):
    n, c, h, w = x_shape
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    cols = col.reshape(n, oh, ow, c, fh, fw)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=col.dtype)
    for i in range(oh):
        for j in range(ow):
            xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw] += cols[:, i, j]
    return xp[:, :, pad:pad + h, pad:pad + w]


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.dW = None
        self.db = None

    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh = (h + 2 * self.pad - fh) // self.stride + 1
        ow = (w + 2 * self.pad - fw) // self.stride + 1
        self.x_shape = x.shape
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.w_row = self.W.reshape(fn, -1)
        out = self.col @ self.w_row.T + self.b
        return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        d = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = d.sum(axis=0)
        self.dW = (d.T @ self.col).reshape(fn, c, fh, fw)
        dcol = d @ self.w_row
        return col2im(dcol, self.x_shape, fh, fw, self.stride, self.pad)
