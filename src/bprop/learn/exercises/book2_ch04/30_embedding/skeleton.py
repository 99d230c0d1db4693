import numpy as np


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        # [en] TODO: keep idx, return the rows W[idx].
        # [ja] TODO: idx を保存し、行 W[idx] を返す。
        raise NotImplementedError("TODO: Embedding.forward")

    def backward(self, dout):
        # [en] TODO: zero self.grads[0] in place, add every row of dout to its word's row (np.add.at).
        # [ja] TODO: self.grads[0] をその場で 0 にし、dout の各行をその単語の行に足す（np.add.at）。
        raise NotImplementedError("TODO: Embedding.backward")
