import numpy as np


def scaled_dot_product_attention(Q, K, V, mask=None):
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - np.max(scores, axis=-1, keepdims=True))
    return (e / np.sum(e, axis=-1, keepdims=True)) @ V


def split_heads(x, num_heads):
    """(N, T, D) -> (N, num_heads, T, D // num_heads): head h holds the columns h*d ... (h+1)*d - 1."""
    N, T, D = x.shape
    return x.reshape(N, T, num_heads, D // num_heads).transpose(0, 2, 1, 3)


def merge_heads(x):
    """(N, num_heads, T, d) -> (N, T, num_heads * d): the inverse of split_heads."""
    N, num_heads, T, d = x.shape
    return x.transpose(0, 2, 1, 3).reshape(N, T, num_heads * d)


def multi_head_attention(x, Wq, Wk, Wv, Wo, num_heads, mask=None):
    Q = split_heads(x @ Wq, num_heads)
    K = split_heads(x @ Wk, num_heads)
    V = split_heads(x @ Wv, num_heads)
    heads = scaled_dot_product_attention(Q, K, V, mask)  # (N, num_heads, T, d)
    return merge_heads(heads) @ Wo
