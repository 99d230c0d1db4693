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
    # [en] TODO: replace ... with a reshape to (N, T, num_heads, d) and a transpose to (N, num_heads, T, d).
    # [ja] TODO: ... を (N, T, num_heads, d) への reshape と (N, num_heads, T, d) への transpose に置き換える。
    return ...


def merge_heads(x):
    """(N, num_heads, T, d) -> (N, T, num_heads * d): the inverse of split_heads."""
    N, num_heads, T, d = x.shape
    # [en] TODO: replace ... with the inverse: a transpose to (N, T, num_heads, d), then a reshape to (N, T, D).
    # [ja] TODO: ... を逆の操作（(N, T, num_heads, d) への transpose と (N, T, D) への reshape）に置き換える。
    return ...


def multi_head_attention(x, Wq, Wk, Wv, Wo, num_heads, mask=None):
    Q = split_heads(x @ Wq, num_heads)
    K = split_heads(x @ Wk, num_heads)
    V = split_heads(x @ Wv, num_heads)
    heads = scaled_dot_product_attention(Q, K, V, mask)  # (N, num_heads, T, d)
    return merge_heads(heads) @ Wo
