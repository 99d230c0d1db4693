# mean_squared_error with the parenthesis misplaced: the sum is squared, 0.5 * np.sum(y - t)**2 (bug).
import numpy as np


def mean_squared_error(y, t):
    return 0.5 * np.sum(y - t) ** 2
