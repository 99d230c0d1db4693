import numpy as np


class MatMul:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None

    def forward(self, x):
        (W,) = self.params
        self.x = x
        return x @ W

    def backward(self, dout):
        (W,) = self.params
        dx = dout @ W.T
        dW = self.x.T @ dout
        # [en] TODO: replace ... with a line that writes dW into self.grads[0] in place.
        # [ja] TODO: ... を、dW を self.grads[0] にその場で書き込む行に置き換える。
        ...
        return dx
