import numpy as np


def init_weight(n_in, n_out, activation, rng):
    scale = 2.0 if activation == "relu" else 1.0
    std = np.sqrt(scale / n_in)
    return std * rng.standard_normal((n_in, n_out))
