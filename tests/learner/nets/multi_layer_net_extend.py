# A learner's MultiLayerNetExtend (the book's ch.6 constructor): optional batch normalisation and dropout
# after each hidden Affine, train_flg passed down from loss (correct).
import numpy as np
from common_layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss
from multi_layer_net import init_scale


class MultiLayerNetExtend:
    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, use_dropout=False, dropout_ration=0.5, use_batchnorm=False):
        sizes = [input_size, *hidden_size_list, output_size]
        self.decay = weight_decay_lambda
        self.depth = len(sizes) - 1
        self.params = {}
        self.chain = []  # (layer, takes train_flg)
        self.affines, self.norms = {}, {}
        for i in range(1, self.depth + 1):
            self.params[f"W{i}"] = init_scale(weight_init_std, sizes[i - 1]) * np.random.randn(sizes[i - 1], sizes[i])
            self.params[f"b{i}"] = np.zeros(sizes[i])
            self.affines[i] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            self.chain.append((self.affines[i], False))
            if i == self.depth:
                break
            if use_batchnorm:
                self.params[f"gamma{i}"] = np.ones(sizes[i])
                self.params[f"beta{i}"] = np.zeros(sizes[i])
                self.norms[i] = BatchNormalization(self.params[f"gamma{i}"], self.params[f"beta{i}"])
                self.chain.append((self.norms[i], True))
            self.chain.append((Relu() if activation == "relu" else Sigmoid(), False))
            if use_dropout:
                self.chain.append((Dropout(dropout_ration), True))
        self.loss_layer = SoftmaxWithLoss()

    def predict(self, x, train_flg=False):
        for layer, takes_mode in self.chain:
            x = layer.forward(x, train_flg) if takes_mode else layer.forward(x)
        return x

    def loss(self, x, t, train_flg=False):
        penalty = sum(np.sum(self.params[f"W{i}"] ** 2) for i in self.affines)
        return self.loss_layer.forward(self.predict(x, train_flg), t) + 0.5 * self.decay * penalty

    def accuracy(self, x, t):
        labels = t if t.ndim == 1 else t.argmax(axis=1)
        return float(np.mean(self.predict(x).argmax(axis=1) == labels))

    def gradient(self, x, t):
        self.loss(x, t, train_flg=True)
        dout = self.loss_layer.backward(1)
        for layer, _ in reversed(self.chain):
            dout = layer.backward(dout)
        grads = {}
        for i, affine in self.affines.items():
            grads[f"W{i}"] = affine.dW + self.decay * self.params[f"W{i}"]
            grads[f"b{i}"] = affine.db
        for i, norm in self.norms.items():
            grads[f"gamma{i}"], grads[f"beta{i}"] = norm.dgamma, norm.dbeta
        return grads
