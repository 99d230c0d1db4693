# step_function returning floats 0.0 and 1.0 through np.where (correct).
import numpy as np


def step_function(x):
    return np.where(x > 0, 1.0, 0.0)
