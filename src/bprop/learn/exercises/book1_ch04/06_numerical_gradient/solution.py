import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f(x)
        x[idx] = old - h
        down = f(x)
        x[idx] = old  # exactly as it was: the next element sees the original x
        grad[idx] = (up - down) / (2 * h)
    return grad
