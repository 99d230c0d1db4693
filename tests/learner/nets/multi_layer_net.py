# A learner's MultiLayerNet (the book's ch.6 constructor): hidden layers in a list, relu or sigmoid,
# L2 weight decay on every W (correct).
import numpy as np
from common_layers import Affine, Relu, Sigmoid, SoftmaxWithLoss


def init_scale(kind, fan_in):
    name = str(kind).lower()
    if name in ("relu", "he"):
        return np.sqrt(2.0 / fan_in)
    if name in ("sigmoid", "xavier"):
        return np.sqrt(1.0 / fan_in)
    return float(kind)


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size,
                 activation="relu", weight_init_std="relu", weight_decay_lambda=0):
        sizes = [input_size, *hidden_size_list, output_size]
        self.weight_decay_lambda = weight_decay_lambda
        self.depth = len(sizes) - 1
        self.params = {}
        self.affines = []
        self.chain = []
        for i in range(1, self.depth + 1):
            fan_in, fan_out = sizes[i - 1], sizes[i]
            self.params[f"W{i}"] = init_scale(weight_init_std, fan_in) * np.random.randn(fan_in, fan_out)
            self.params[f"b{i}"] = np.zeros(fan_out)
            affine = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            self.affines.append(affine)
            self.chain.append(affine)
            if i < self.depth:
                self.chain.append(Relu() if activation == "relu" else Sigmoid())
        self.loss_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.chain:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        penalty = sum(np.sum(self.params[f"W{i}"] ** 2) for i in range(1, self.depth + 1))
        return self.loss_layer.forward(self.predict(x), t) + 0.5 * self.weight_decay_lambda * penalty

    def accuracy(self, x, t):
        labels = t if t.ndim == 1 else t.argmax(axis=1)
        return float(np.mean(self.predict(x).argmax(axis=1) == labels))

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.loss_layer.backward(1)
        for layer in self.chain[::-1]:
            dout = layer.backward(dout)
        grads = {}
        for i, affine in enumerate(self.affines, start=1):
            grads[f"W{i}"] = affine.dW + self.weight_decay_lambda * self.params[f"W{i}"]
            grads[f"b{i}"] = affine.db
        return grads
