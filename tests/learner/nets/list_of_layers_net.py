# A net in a learner's own style: a plain list of layers, a tanh layer of their own, params read off the layers (correct).
import numpy as np
from common_layers import Affine, SoftmaxWithLoss


class Tanh:
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dout):
        return dout * (1 - self.y ** 2)


class TanhNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.1, seed=None):
        rng = np.random.default_rng(seed)
        sizes = [input_size, hidden_size, hidden_size, output_size]
        self.layers = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.layers += [Affine(rng.normal(0, weight_init_std, (n_in, n_out)), np.zeros(n_out)), Tanh()]
        self.layers.pop()  # no activation after the last Affine
        self.loss_layer = SoftmaxWithLoss()
        self.affines = [layer for layer in self.layers if isinstance(layer, Affine)]
        self.params = {}
        for i, affine in enumerate(self.affines, 1):
            self.params[f'W{i}'] = affine.W
            self.params[f'b{i}'] = affine.b

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.loss_layer.forward(self.predict(x), t)

    def accuracy(self, x, t):
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        return float(np.mean(self.predict(x).argmax(axis=1) == labels))

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.loss_layer.backward()
        for layer in self.layers[::-1]:
            dout = layer.backward(dout)
        grads = {}
        for i, affine in enumerate(self.affines, 1):
            grads[f'W{i}'], grads[f'b{i}'] = affine.dW, affine.db
        return grads
