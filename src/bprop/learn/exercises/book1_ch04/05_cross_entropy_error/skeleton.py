import numpy as np


def cross_entropy_error(y, t):
    # [en] TODO: -(1/N) * sum(log(y[n, t_n] + 1e-7)) for labels t (N,) or one-hot t (N, C);
    # [en]       one sample y (C,) counts as a batch of one.
    # [ja] TODO: ラベル t (N,) または one-hot の t (N, C) について -(1/N) * sum(log(y[n, t_n] + 1e-7)) を返す。
    # [ja]       1 サンプルの y (C,) は N = 1 のバッチとして扱う。
    raise NotImplementedError("TODO: cross_entropy_error")
