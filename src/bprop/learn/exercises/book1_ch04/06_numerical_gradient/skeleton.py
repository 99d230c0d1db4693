import numpy as np


def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x, dtype=float)
    for idx in np.ndindex(x.shape):
        # [en] TODO: the central difference at idx, moving x[idx] itself and restoring it afterwards.
        # [ja] TODO: x[idx] 自体を動かして idx での中心差分を求め、最後に元に戻す。
        raise NotImplementedError("TODO: numerical_gradient")
    return grad
