import numpy as np

from bprop.layers import Affine, Relu, SoftmaxWithLoss


class MultiLayerNet:
    def __init__(self, input_size, hidden_size_list, output_size, weight_init_std=0.1, weight_decay_lambda=0.0):
        sizes = [input_size] + list(hidden_size_list) + [output_size]
        self.n_layers = len(sizes) - 1
        self.weight_decay_lambda = weight_decay_lambda
        self.params, self.layers = {}, {}
        for i in range(1, self.n_layers + 1):
            self.params[f"W{i}"] = weight_init_std * np.random.randn(sizes[i - 1], sizes[i])
            self.params[f"b{i}"] = np.zeros(sizes[i])
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if i < self.n_layers:
                self.layers[f"Relu{i}"] = Relu()
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        decay = 0.0
        for i in range(1, self.n_layers + 1):
            W = self.params[f"W{i}"]
            # [en] TODO: replace ... with this W's term (1/2) * lambda * sum(W ** 2).
            # [ja] TODO: ... をこの W の項 (1/2) * lambda * sum(W ** 2) に置き換える。
            decay += ...
        return self.last_layer.forward(self.predict(x), t) + decay

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i in range(1, self.n_layers + 1):
            layer = self.layers[f"Affine{i}"]
            # [en] TODO: replace ... with the gradient of W{i}: backpropagation's plus the decay's.
            # [ja] TODO: ... を W{i} の勾配（誤差逆伝播法の結果と減衰項の勾配の和）に置き換える。
            grads[f"W{i}"] = ...
            grads[f"b{i}"] = layer.db
        return grads
