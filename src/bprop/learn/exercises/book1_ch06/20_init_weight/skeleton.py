import numpy as np


def init_weight(n_in, n_out, activation, rng):
    # [en] TODO: std = sqrt(2 / n_in) for "relu", sqrt(1 / n_in) otherwise; return std * one normal draw.
    # [ja] TODO: "relu" なら std = sqrt(2 / n_in)、それ以外は sqrt(1 / n_in)。std * 正規分布の乱数 を返す。
    raise NotImplementedError("TODO: init_weight")
