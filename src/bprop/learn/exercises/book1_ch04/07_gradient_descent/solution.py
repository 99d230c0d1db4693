import numpy as np

from bprop.gradcheck import numerical_gradient


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = np.array(init_x, dtype=float)  # a copy: the caller's init_x stays where it was
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
    return x
