# The §4.1 "bad example": h = 1e-50 rounds away, x + h == x (bug).
import numpy as np


def numerical_diff(f, x):
    h = 1e-50
    return (f(x + h) - f(x)) / h


def numerical_gradient(f, x):
    h = 1e-50
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
    return grad
