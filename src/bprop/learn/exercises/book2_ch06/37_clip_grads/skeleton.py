import numpy as np


def clip_grads(grads, max_norm):
    # [en] TODO: the total norm of all the arrays; if it passes max_norm, scale every array in place.
    # [ja] TODO: すべての配列をまとめたノルムを求め、max_norm を超えたらすべての配列をその場で縮める。
    raise NotImplementedError("TODO: clip_grads")
