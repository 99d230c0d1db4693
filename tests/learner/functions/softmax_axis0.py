# softmax that normalises over axis 0, the batch axis, instead of each sample's classes (bug).
import numpy as np


def softmax(x):
    x = x - np.max(x, axis=0)
    y = np.exp(x) / np.sum(np.exp(x), axis=0)
    return y
