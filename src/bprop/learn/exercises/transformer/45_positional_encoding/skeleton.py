import numpy as np


def positional_encoding(T, D):
    # [en] TODO: PE (T, D): sines in the even columns, cosines in the odd ones.
    # [ja] TODO: PE (T, D): 偶数列に正弦、奇数列に余弦。
    raise NotImplementedError("TODO: positional_encoding")
