# Buggy: a learner's NegativeSamplingLoss whose dh keeps only the last EmbeddingDot's gradient.
import numpy as np


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        (W,) = self.params
        self.idx = idx
        return W[idx]

    def backward(self, dout):
        (dW,) = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)
        return None


class EmbeddingDot:
    def __init__(self, W):
        self.embed = Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        rows = self.embed.forward(idx)
        self.cache = (h, rows)
        return np.sum(rows * h, axis=1)

    def backward(self, dout):
        h, rows = self.cache
        dout = dout.reshape(dout.shape[0], 1)
        self.embed.backward(dout * h)
        return dout * rows


class SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.y, self.t = None, None

    def forward(self, x, t):
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        return np.mean(np.logaddexp(0, x) - t * x)  # -[t log y + (1 - t) log(1 - y)], written stably

    def backward(self, dout=1):
        return (self.y - self.t) * dout / len(self.t)


class UnigramSampler:
    def __init__(self, corpus, power, sample_size):
        counts = np.bincount(corpus)
        self.vocab_size = len(counts)
        self.sample_size = sample_size
        self.word_p = counts ** power / np.sum(counts ** power)

    def get_negative_sample(self, target):
        negatives = np.empty((len(target), self.sample_size), dtype=np.int64)
        for n, word in enumerate(target):
            p = self.word_p.copy()
            p[word] = 0
            negatives[n] = np.random.choice(self.vocab_size, self.sample_size, replace=False, p=p / p.sum())
        return negatives


class NegativeSamplingLoss:
    def __init__(self, W, corpus, power=0.75, sample_size=3):
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size)
        self.loss_layers = [SigmoidWithLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [EmbeddingDot(W) for _ in range(sample_size + 1)]
        self.params, self.grads = [], []
        for layer in self.embed_dot_layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, h, target):
        negatives = self.sampler.get_negative_sample(target)
        score = self.embed_dot_layers[0].forward(h, target)
        loss = self.loss_layers[0].forward(score, np.ones(len(target)))
        for k in range(self.sample_size):
            score = self.embed_dot_layers[k + 1].forward(h, negatives[:, k])
            loss += self.loss_layers[k + 1].forward(score, np.zeros(len(target)))
        return loss

    def backward(self, dout=1):
        dh = 0
        for loss_layer, dot_layer in zip(self.loss_layers, self.embed_dot_layers):
            dscore = loss_layer.backward(dout)
            dh = dot_layer.backward(dscore)
        return dh
