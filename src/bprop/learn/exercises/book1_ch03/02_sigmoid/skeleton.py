import numpy as np


def sigmoid(x):
    # [en] TODO: 1 / (1 + exp(-x)), element by element, without overflowing at ±1000.
    # [ja] TODO: 要素ごとに 1 / (1 + exp(-x)) を計算する（±1000 でオーバーフローさせない）。
    raise NotImplementedError("TODO: sigmoid")
