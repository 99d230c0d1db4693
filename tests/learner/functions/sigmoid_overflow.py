# The book's sigmoid, 1 / (1 + exp(-x)): right values, but np.exp(1000) warns of overflow at x = -1000 (a note).
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))
