# A learner's ReLU whose backward zeroes the wrong elements (~mask instead of mask).


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0

        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[~self.mask] = 0

        return dx
