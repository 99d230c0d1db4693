import numpy as np


def clip_grads(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    rate = max_norm / (norm + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate  # in place: the model and the optimizer hold these arrays
