# A stable sigmoid computed piecewise with boolean masks, exp only of non-positive numbers (correct).
import numpy as np


def sigmoid(x):
    out = np.empty_like(x)
    pos = x >= 0
    neg = ~pos
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[neg])
    out[neg] = e / (1.0 + e)
    return out
