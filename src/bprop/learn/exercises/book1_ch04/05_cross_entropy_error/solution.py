import numpy as np


def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    t = np.asarray(t)
    if t.size == y.size:  # one-hot rows: the index of each row's 1
        t = t.reshape(y.shape).argmax(axis=1)
    t = t.reshape(-1)
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n
