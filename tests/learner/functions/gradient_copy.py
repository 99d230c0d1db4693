# numerical_gradient that perturbs a copy of x "to be safe": lambda W: net.loss(x, t) never sees it (bug).
import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    x = x.astype(float)  # a copy, so the caller's array is not touched
    grad = np.zeros_like(x)
    for i in range(x.size):
        xp = x.copy()
        xm = x.copy()
        xp.flat[i] += h
        xm.flat[i] -= h
        grad.flat[i] = (f(xp) - f(xm)) / (2 * h)
    return grad
