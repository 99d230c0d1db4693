# Correct: a learner's multi-head attention in book 2's list form, weights given, no biases, forward(q, k, v).
import numpy as np


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class MultiHeadAttention:
    def __init__(self, W_q, W_k, W_v, W_o, num_heads):
        self.params = [W_q, W_k, W_v, W_o]
        self.grads = [np.zeros_like(W) for W in self.params]
        self.h = num_heads
        self.cache = None

    def forward(self, q, k, v):
        W_q, W_k, W_v, W_o = self.params
        N, T, D = q.shape
        S, d_k = k.shape[1], D // self.h
        Q = (q @ W_q).reshape(N, T, self.h, d_k).transpose(0, 2, 1, 3)
        K = (k @ W_k).reshape(N, S, self.h, d_k).transpose(0, 2, 1, 3)
        V = (v @ W_v).reshape(N, S, self.h, d_k).transpose(0, 2, 1, 3)
        A = softmax(Q @ K.transpose(0, 1, 3, 2) / np.sqrt(d_k))
        joined = (A @ V).transpose(0, 2, 1, 3).reshape(N, T, D)
        self.cache = (q, k, v, Q, K, V, A, joined)
        return joined @ W_o

    def backward(self, dout):
        W_q, W_k, W_v, W_o = self.params
        q, k, v, Q, K, V, A, joined = self.cache
        N, T, D = dout.shape
        S, d_k = k.shape[1], D // self.h
        self.grads[3][...] = joined.reshape(-1, D).T @ dout.reshape(-1, D)
        dheads = (dout @ W_o.T).reshape(N, T, self.h, d_k).transpose(0, 2, 1, 3)
        dV = A.transpose(0, 1, 3, 2) @ dheads
        dA = dheads @ V.transpose(0, 1, 3, 2)
        dS = A * (dA - np.sum(A * dA, axis=-1, keepdims=True)) / np.sqrt(d_k)
        dQ = (dS @ K).transpose(0, 2, 1, 3).reshape(N, T, D)
        dK = (dS.transpose(0, 1, 3, 2) @ Q).transpose(0, 2, 1, 3).reshape(N, S, D)
        dV = dV.transpose(0, 2, 1, 3).reshape(N, S, D)
        self.grads[0][...] = q.reshape(-1, D).T @ dQ.reshape(-1, D)
        self.grads[1][...] = k.reshape(-1, D).T @ dK.reshape(-1, D)
        self.grads[2][...] = v.reshape(-1, D).T @ dV.reshape(-1, D)
        return dQ @ W_q.T, dK @ W_k.T, dV @ W_v.T
