import numpy as np

from bprop.layers import Embedding


class EmbeddingDot:
    def __init__(self, W):
        self.embed = Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        # [en] TODO: the rows W[idx] through self.embed, then one dot product per row with h.
        # [ja] TODO: self.embed で行 W[idx] を取り出し、各行と h の内積を求める。
        raise NotImplementedError("TODO: EmbeddingDot.forward")

    def backward(self, dout):
        # [en] TODO: the rows' gradient to self.embed.backward; return dh.
        # [ja] TODO: 行の勾配を self.embed.backward に渡し、dh を返す。
        raise NotImplementedError("TODO: EmbeddingDot.backward")
