import numpy as np


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    # [en] TODO: pad, gather every window, return (N * out_h * out_w, C * filter_h * filter_w).
    # [ja] TODO: パディングしてすべての窓を集め、(N * out_h * out_w, C * filter_h * filter_w) を返す。
    raise NotImplementedError("TODO: im2col")
