# Correct: a learner's ReLU with an `x <= 0` mask, applied by multiplying with the kept elements.


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return x * ~self.mask

    def backward(self, dout):
        return dout * ~self.mask
