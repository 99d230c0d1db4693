import numpy as np


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        # [en] TODO: training: a random mask (kept for backward); test: scale by 1 - dropout_ratio.
        # [ja] TODO: 学習時はランダムなマスク（backward のために保存）、テスト時は 1 - dropout_ratio 倍。
        raise NotImplementedError("TODO: Dropout.forward")

    def backward(self, dout):
        # [en] TODO: dout times the mask (or times 1 - dropout_ratio after a test forward).
        # [ja] TODO: dout にマスクを掛ける（テスト時の forward の後なら 1 - dropout_ratio を掛ける）。
        raise NotImplementedError("TODO: Dropout.backward")
