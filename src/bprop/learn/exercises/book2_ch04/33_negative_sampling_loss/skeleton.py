import numpy as np

from bprop.layers import EmbeddingDot, UnigramSampler


class BinaryLoss:
    """Sigmoid then binary cross-entropy, the mean over the batch: scores (N,), labels (N,) of 0 and 1."""

    def forward(self, score, label):
        self.y = 1 / (1 + np.exp(-np.clip(score, -500, 500)))
        self.label = label
        p = np.where(label == 1, self.y, 1 - self.y)
        return -np.mean(np.log(p + 1e-7))

    def backward(self, dout=1):
        return (self.y - self.label) * dout / len(self.label)


class NegativeSamplingLoss:
    def __init__(self, W, corpus, power=0.75, sample_size=5, seed=None):
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size, seed=seed)
        # one (EmbeddingDot, BinaryLoss) pair for the positive word, then one per negative sample
        self.pairs = [(EmbeddingDot(W), BinaryLoss()) for _ in range(sample_size + 1)]
        self.params, self.grads = [], []
        for dot, _ in self.pairs:
            self.params += dot.params
            self.grads += dot.grads

    def forward(self, h, target):
        n = len(target)
        negatives = self.sampler.get_negative_sample(target)  # (N, S)
        dot, loss = self.pairs[0]
        total = loss.forward(dot.forward(h, target), np.ones(n, dtype=int))
        zeros = np.zeros(n, dtype=int)
        for k, (dot, loss) in enumerate(self.pairs[1:]):
            # [en] TODO: replace ... with the loss of the k-th negative sample (label 0).
            # [ja] TODO: ... を k 番目の負例（ラベル 0）の損失に置き換える。
            total += ...
        return total

    def backward(self, dout=1):
        dh = 0
        for dot, loss in self.pairs:
            # [en] TODO: replace ... with what this pair sends back to h.
            # [ja] TODO: ... を、この組が h へ返す勾配に置き換える。
            dh += ...
        return dh
