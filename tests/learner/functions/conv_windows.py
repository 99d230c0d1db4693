# im2col and col2im with a loop over the OH·OW output positions, each window flattened as (C, FH, FW) (correct).
import numpy as np


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    OH = (H + 2 * pad - filter_h) // stride + 1
    OW = (W + 2 * pad - filter_w) // stride + 1
    xp = np.pad(input_data, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    col = np.empty((N, OH, OW, C * filter_h * filter_w), dtype=input_data.dtype)
    for i in range(OH):
        for j in range(OW):
            window = xp[:, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w]
            col[:, i, j, :] = window.reshape(N, -1)
    return col.reshape(N * OH * OW, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    OH = (H + 2 * pad - filter_h) // stride + 1
    OW = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, OH, OW, C, filter_h, filter_w)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=col.dtype)
    for i in range(OH):
        for j in range(OW):
            img[:, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w] += col[:, i, j]
    return img[:, :, pad:pad + H, pad:pad + W]
