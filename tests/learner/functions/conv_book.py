# im2col and col2im the book's way, one strided slice per filter position (u, v) (correct; float64 inside).
import numpy as np


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1

    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))

    for u in range(filter_h):
        u_max = u + stride * out_h
        for v in range(filter_w):
            v_max = v + stride * out_w
            col[:, :, u, v, :, :] = img[:, :, u:u_max:stride, v:v_max:stride]

    col = col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)
    return col


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for u in range(filter_h):
        u_max = u + stride * out_h
        for v in range(filter_w):
            v_max = v + stride * out_w
            img[:, :, u:u_max:stride, v:v_max:stride] += col[:, :, u, v, :, :]

    return img[:, :, pad:H + pad, pad:W + pad]
