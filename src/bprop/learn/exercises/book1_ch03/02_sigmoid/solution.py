import numpy as np


def sigmoid(x):
    x = np.asarray(x)
    e = np.exp(-np.abs(x))  # at most 1: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
