# softmax with keepdims, the max and the sum taken once each (correct).
import numpy as np


def softmax(x):
    c = x.max(axis=-1, keepdims=True)
    exp_x = np.exp(x - c)
    sum_exp_x = exp_x.sum(axis=-1, keepdims=True)
    y = exp_x / sum_exp_x
    return y
