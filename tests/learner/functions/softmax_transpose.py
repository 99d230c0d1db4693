# softmax in the first printing's style: transpose the batch, work per column, transpose back (correct).
import numpy as np


def softmax(a):
    if a.ndim == 2:
        a = a.T
        a = a - np.max(a, axis=0)
        y = np.exp(a) / np.sum(np.exp(a), axis=0)
        return y.T

    c = np.max(a)
    exp_a = np.exp(a - c)
    return exp_a / np.sum(exp_a)
