# relu written with np.max where np.maximum belongs: np.max(0, x) (bug).
import numpy as np


def relu(x):
    return np.max(0, x)
