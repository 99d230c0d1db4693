# MultiLayerNet whose gradient adds only half the weight decay, 0.5·λ·W, keeping the loss's ½ (bug).
from collections import OrderedDict

import numpy as np
from common_layers import Affine, Relu, SoftmaxWithLoss


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size, weight_init_std=0.01, weight_decay_lambda=0):
        sizes = [input_size] + list(hidden_size_list) + [output_size]
        self.n_affine = len(sizes) - 1
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {}
        self.layers = OrderedDict()
        for i in range(1, len(sizes)):
            self.params[f'W{i}'] = weight_init_std * np.random.randn(sizes[i - 1], sizes[i])
            self.params[f'b{i}'] = np.zeros(sizes[i])
            self.layers[f'Affine{i}'] = Affine(self.params[f'W{i}'], self.params[f'b{i}'])
            if i < len(sizes) - 1:
                self.layers[f'Relu{i}'] = Relu()
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        decay = sum(0.5 * self.weight_decay_lambda * np.sum(self.params[f'W{i}'] ** 2)
                    for i in range(1, self.n_affine + 1))
        return self.last_layer.forward(self.predict(x), t) + decay

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)

        grads = {}
        for i in range(1, self.n_affine + 1):
            grads[f'W{i}'] = self.layers[f'Affine{i}'].dW + 0.5 * self.weight_decay_lambda * self.params[f'W{i}']
            grads[f'b{i}'] = self.layers[f'Affine{i}'].db
        return grads
