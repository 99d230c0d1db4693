# Correct: other forms a learner writes: a mask given to the constructor (True = masked), self-attention
# forward(x), LayerNorm(d_model) in list form, cross-attention forward(x, memory) with a params list.
import numpy as np


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class Attention:  # mask in the constructor, True = masked (the other convention)
    def __init__(self, mask=None):
        self.mask = mask
        self.cache = None

    def forward(self, q, k, v):
        s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
        if self.mask is not None:
            s = np.where(self.mask, -1e9, s)
        A = softmax(s)
        self.cache = (q, k, v, A)
        return A @ v

    def backward(self, dout):
        q, k, v, A = self.cache
        dv = np.swapaxes(A, -1, -2) @ dout
        dA = dout @ np.swapaxes(v, -1, -2)
        dS = A * (dA - (A * dA).sum(-1, keepdims=True)) / np.sqrt(q.shape[-1])
        return dS @ k, np.swapaxes(dS, -1, -2) @ q, dv


class SelfAttention:
    def forward(self, x):
        self.inner = Attention()
        return self.inner.forward(x, x, x)

    def backward(self, dout):
        dq, dk, dv = self.inner.backward(dout)
        return dq + dk + dv


class LayerNormalization:
    def __init__(self, d_model, eps=1e-6):
        self.gamma, self.beta, self.eps = np.ones(d_model), np.zeros(d_model), eps
        self.params = [self.gamma, self.beta]
        self.grads = [np.zeros(d_model), np.zeros(d_model)]

    def forward(self, x):
        mu = x.mean(-1, keepdims=True)
        self.std = np.sqrt(x.var(-1, keepdims=True) + self.eps)
        self.xn = (x - mu) / self.std
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        D = dout.shape[-1]
        self.grads[0][...] = (dout * self.xn).reshape(-1, D).sum(0)
        self.grads[1][...] = dout.reshape(-1, D).sum(0)
        g = dout * self.gamma
        return (g - g.mean(-1, keepdims=True) - self.xn * (g * self.xn).mean(-1, keepdims=True)) / self.std


class CrossAttention:  # multi-head, params list, forward(x, memory)
    def __init__(self, d_model, n_heads):
        self.h = n_heads
        self.params = [np.random.randn(d_model, d_model) * 0.02 for _ in range(4)]
        self.params += [np.zeros(d_model) for _ in range(4)]
        self.grads = [np.zeros_like(p) for p in self.params]

    def forward(self, x, memory):
        Wq, Wk, Wv, Wo, bq, bk, bv, bo = self.params
        N, T, D = x.shape
        S, dk = memory.shape[1], D // self.h
        sp = lambda a, L: a.reshape(N, L, self.h, dk).transpose(0, 2, 1, 3)
        Q, K, V = sp(x @ Wq + bq, T), sp(memory @ Wk + bk, S), sp(memory @ Wv + bv, S)
        A = softmax(Q @ K.transpose(0, 1, 3, 2) / np.sqrt(dk))
        j = (A @ V).transpose(0, 2, 1, 3).reshape(N, T, D)
        self.cache = (x, memory, Q, K, V, A, j)
        return j @ Wo + bo

    def backward(self, dout):
        Wq, Wk, Wv, Wo, bq, bk, bv, bo = self.params
        x, m, Q, K, V, A, j = self.cache
        N, T, D = dout.shape
        S, dk = m.shape[1], D // self.h
        self.grads[3][...] = j.reshape(-1, D).T @ dout.reshape(-1, D)
        self.grads[7][...] = dout.reshape(-1, D).sum(0)
        dh = (dout @ Wo.T).reshape(N, T, self.h, dk).transpose(0, 2, 1, 3)
        dV = A.transpose(0, 1, 3, 2) @ dh
        dA = dh @ V.transpose(0, 1, 3, 2)
        dS = A * (dA - (A * dA).sum(-1, keepdims=True)) / np.sqrt(dk)
        jn = lambda a, L: a.transpose(0, 2, 1, 3).reshape(N, L, D)
        dQ, dK, dV = jn(dS @ K, T), jn(dS.transpose(0, 1, 3, 2) @ Q, S), jn(dV, S)
        for i, (inp, d) in enumerate(((x, dQ), (m, dK), (m, dV))):
            self.grads[i][...] = inp.reshape(-1, D).T @ d.reshape(-1, D)
            self.grads[4 + i][...] = d.reshape(-1, D).sum(0)
        return dQ @ Wq.T, dK @ Wk.T + dV @ Wv.T
