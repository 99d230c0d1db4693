# gradient_descent that adds the gradient: x climbs instead of descending (bug).
import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in range(x.size):
        tmp = x[idx]
        x[idx] = tmp + h
        f1 = f(x)
        x[idx] = tmp - h
        f2 = f(x)
        grad[idx] = (f1 - f2) / (2 * h)
        x[idx] = tmp
    return grad


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x.copy()
    for _ in range(step_num):
        x += lr * numerical_gradient(f, x)
    return x
