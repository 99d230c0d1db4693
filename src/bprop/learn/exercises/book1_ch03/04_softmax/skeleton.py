import numpy as np


def softmax(x):
    # [en] TODO: exp(x - max) / sum(exp(x - max)) along the last axis, for (C,) and (N, C).
    # [ja] TODO: 最後の軸に沿って exp(x - max) / sum(exp(x - max)) を計算する（(C,) と (N, C) の両方）。
    raise NotImplementedError("TODO: softmax")
