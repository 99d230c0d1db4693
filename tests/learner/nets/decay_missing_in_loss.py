# MultiLayerNet whose gradient adds λ·W but whose loss never adds ½λΣW² (bug).
from collections import OrderedDict

import numpy as np
from common_layers import Affine, Relu, SoftmaxWithLoss


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size, weight_init_std='he', weight_decay_lambda=0):
        sizes = [input_size, *hidden_size_list, output_size]
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {}
        self.layers = OrderedDict()
        for i in range(1, len(sizes)):
            std = np.sqrt(2 / sizes[i - 1]) if weight_init_std == 'he' else weight_init_std
            self.params['W%d' % i] = std * np.random.randn(sizes[i - 1], sizes[i])
            self.params['b%d' % i] = np.zeros(sizes[i])
            self.layers['Affine%d' % i] = Affine(self.params['W%d' % i], self.params['b%d' % i])
            self.layers['Relu%d' % i] = Relu()
        del self.layers['Relu%d' % (len(sizes) - 1)]
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        # TODO: weight decay
        return self.last_layer.forward(self.predict(x), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        grads = {}
        for name, layer in self.layers.items():
            if name.startswith('Affine'):
                i = name[len('Affine'):]
                grads['W' + i] = layer.dW + self.weight_decay_lambda * layer.W
                grads['b' + i] = layer.db
        return grads
