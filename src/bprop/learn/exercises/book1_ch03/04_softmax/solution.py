import numpy as np


def softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)  # the largest exponent is 0: nothing overflows
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)
