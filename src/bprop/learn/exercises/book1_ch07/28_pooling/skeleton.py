import numpy as np

from bprop.functions import col2im, conv_output_size, im2col


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x = None
        self.arg_max = None

    def forward(self, x):
        # [en] TODO: the maximum of every window (im2col, max over each row), shape (N, C, OH, OW).
        # [ja] TODO: 各窓の最大値（im2col の各行の max）を形状 (N, C, OH, OW) で返す。
        raise NotImplementedError("TODO: Pooling.forward")

    def backward(self, dout):
        # [en] TODO: each dout to its window's argmax, zeros elsewhere, back through col2im.
        # [ja] TODO: 各 dout を窓の argmax の位置へ、他は 0 にして col2im で戻す。
        raise NotImplementedError("TODO: Pooling.backward")
