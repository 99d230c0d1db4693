# The book's sigmoid, 1 / (1 + exp(-x)): np.exp(1000) overflows with a warning at x = -1000 (bug).
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))
