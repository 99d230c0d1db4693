import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        # [en] TODO: normalise over the batch in training (update the running averages), with them at test time.
        # [ja] TODO: 学習時はバッチで正規化し（移動平均も更新）、テスト時は移動平均で正規化する。
        raise NotImplementedError("TODO: BatchNormalization.forward")

    def backward(self, dout):
        # [en] TODO: self.dgamma, self.dbeta, and dx in x's shape.
        # [ja] TODO: self.dgamma と self.dbeta を求め、x と同じ形状の dx を返す。
        raise NotImplementedError("TODO: BatchNormalization.backward")
