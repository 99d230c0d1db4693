import numpy as np


def scaled_dot_product_attention(Q, K, V, mask=None):
    # [en] TODO: softmax(Q K^T / sqrt(d_k)) V over the last two axes; masked scores get no weight.
    # [ja] TODO: 最後の 2 軸について softmax(Q K^T / sqrt(d_k)) V を計算する。マスクされたスコアの重みは 0。
    raise NotImplementedError("TODO: scaled_dot_product_attention")
