import numpy as np


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    # [en] TODO: add every element of col back to its pixel of the padded image, then remove the padding.
    # [ja] TODO: col の各要素をパディングした画像の元の画素に足し戻し、最後にパディングを取り除く。
    raise NotImplementedError("TODO: col2im")
