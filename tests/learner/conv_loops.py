# Correct: a learner's Convolution without im2col: a loop over the filter positions (i, j), einsum inside.
import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.dW = None
        self.db = None

    def _out_size(self, h, w):
        _, _, fh, fw = self.W.shape
        return (h + 2 * self.pad - fh) // self.stride + 1, (w + 2 * self.pad - fw) // self.stride + 1

    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh, ow = self._out_size(h, w)
        s, p = self.stride, self.pad
        self.x_shape = x.shape
        self.xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        out = np.zeros((n, fn, oh, ow), dtype=x.dtype)
        for i in range(fh):
            for j in range(fw):
                patch = self.xp[:, :, i:i + s * oh:s, j:j + s * ow:s]  # n, c, oh, ow
                out += np.einsum("nchw,fc->nfhw", patch, self.W[:, :, i, j])
        return out + self.b.reshape(1, -1, 1, 1)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        n, _, h, w = self.x_shape
        _, _, oh, ow = dout.shape
        s, p = self.stride, self.pad
        self.db = dout.sum(axis=(0, 2, 3))
        self.dW = np.zeros_like(self.W)
        dxp = np.zeros_like(self.xp)
        for i in range(fh):
            for j in range(fw):
                patch = self.xp[:, :, i:i + s * oh:s, j:j + s * ow:s]
                self.dW[:, :, i, j] = np.einsum("nchw,nfhw->fc", patch, dout)
                dxp[:, :, i:i + s * oh:s, j:j + s * ow:s] += np.einsum("nfhw,fc->nchw", dout, self.W[:, :, i, j])
        return dxp[:, :, p:p + h, p:p + w]
