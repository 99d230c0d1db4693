import numpy as np


def unigram_distribution(corpus, power=0.75):
    counts = np.bincount(corpus).astype(float)
    p = counts ** power
    return p / p.sum()
