import numpy as np


class LayerNorm:
    def __init__(self, gamma, beta, eps=1e-5):
        self.gamma = gamma
        self.beta = beta
        self.eps = eps
        self.dgamma = None
        self.dbeta = None
        self.cache = None

    def forward(self, x):
        # [en] TODO: normalise over the last axis, then gamma * xn + beta; keep xn and the std.
        # [ja] TODO: 最後の軸について正規化し、gamma * xn + beta を返す。xn と標準偏差を保存する。
        raise NotImplementedError("TODO: LayerNorm.forward")

    def backward(self, dout):
        # [en] TODO: self.dgamma, self.dbeta, and dx.
        # [ja] TODO: self.dgamma と self.dbeta を求め、dx を返す。
        raise NotImplementedError("TODO: LayerNorm.backward")
