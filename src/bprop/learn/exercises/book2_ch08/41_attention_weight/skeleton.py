import numpy as np


class AttentionWeight:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, hs, h):
        # [en] TODO: the scores hs . h over H, a stable softmax over t; keep what backward needs.
        # [ja] TODO: H についての内積 hs . h のスコアと、t についての安定なソフトマックス。backward に必要なものを保存する。
        raise NotImplementedError("TODO: AttentionWeight.forward")

    def backward(self, da):
        # [en] TODO: softmax's backward, then return (dhs, dh).
        # [ja] TODO: ソフトマックスの逆伝播の後、(dhs, dh) を返す。
        raise NotImplementedError("TODO: AttentionWeight.backward")
