# Correct: a learner's multi-head self-attention, weights drawn in the constructor, W/dW attributes, forward(x).
import numpy as np


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


class MultiHeadAttention:
    def __init__(self, d_model, num_heads, causal=False):
        self.d_model, self.num_heads, self.causal = d_model, num_heads, causal
        self.d_k = d_model // num_heads
        for name in ("q", "k", "v", "o"):
            setattr(self, "W_" + name, np.random.randn(d_model, d_model) * 0.01)
            setattr(self, "b_" + name, np.zeros(d_model))
            setattr(self, "dW_" + name, None)
            setattr(self, "db_" + name, None)
        self.cache = None

    def split_heads(self, x):
        N, T, _ = x.shape
        return x.reshape(N, T, self.num_heads, self.d_k).transpose(0, 2, 1, 3)

    def merge_heads(self, x):
        N, _, T, _ = x.shape
        return x.transpose(0, 2, 1, 3).reshape(N, T, self.d_model)

    def forward(self, x):
        T = x.shape[1]
        Q = self.split_heads(x @ self.W_q + self.b_q)
        K = self.split_heads(x @ self.W_k + self.b_k)
        V = self.split_heads(x @ self.W_v + self.b_v)
        scores = Q @ K.transpose(0, 1, 3, 2) / np.sqrt(self.d_k)
        if self.causal:
            scores = np.where(np.triu(np.ones((T, T)), k=1) == 1, -1e9, scores)
        A = softmax(scores)
        joined = self.merge_heads(A @ V)
        self.cache = (x, Q, K, V, A, joined)
        return joined @ self.W_o + self.b_o

    def backward(self, dout):
        x, Q, K, V, A, joined = self.cache
        D = self.d_model
        self.dW_o = joined.reshape(-1, D).T @ dout.reshape(-1, D)
        self.db_o = dout.reshape(-1, D).sum(axis=0)
        dheads = self.split_heads(dout @ self.W_o.T)
        dV = A.transpose(0, 1, 3, 2) @ dheads
        dA = dheads @ V.transpose(0, 1, 3, 2)
        dS = A * (dA - np.sum(A * dA, axis=-1, keepdims=True)) / np.sqrt(self.d_k)
        dQ, dK = dS @ K, dS.transpose(0, 1, 3, 2) @ Q
        dx = 0
        for name, d in (("q", dQ), ("k", dK), ("v", dV)):
            d = self.merge_heads(d)
            setattr(self, "dW_" + name, x.reshape(-1, D).T @ d.reshape(-1, D))
            setattr(self, "db_" + name, d.reshape(-1, D).sum(axis=0))
            dx = dx + d @ getattr(self, "W_" + name).T
        return dx
