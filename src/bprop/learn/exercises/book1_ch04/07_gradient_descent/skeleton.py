import numpy as np

from bprop.gradcheck import numerical_gradient


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    # [en] TODO: step_num steps of x <- x - lr * numerical_gradient(f, x), on a copy of init_x.
    # [ja] TODO: init_x のコピーに対して x <- x - lr * numerical_gradient(f, x) を step_num 回くり返す。
    raise NotImplementedError("TODO: gradient_descent")
