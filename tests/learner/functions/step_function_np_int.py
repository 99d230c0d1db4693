# The book's printed step_function, astype(np.int): np.int is gone since NumPy 1.24 (bug).
import numpy as np


def step_function(x):
    y = x > 0
    return y.astype(np.int)
