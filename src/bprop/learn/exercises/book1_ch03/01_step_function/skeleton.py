import numpy as np


def step_function(x):
    # [en] TODO: 1 where x > 0, 0 elsewhere, as an array of integers of x's shape.
    # [ja] TODO: x > 0 の要素は 1、それ以外は 0 を、x と同じ形状の整数配列で返す。
    raise NotImplementedError("TODO: step_function")
