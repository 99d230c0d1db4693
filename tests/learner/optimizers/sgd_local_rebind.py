# SGD looping over the arrays with p = p - lr * g, which changes nothing (bug: no in-place update).


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for p, g in zip(params.values(), grads.values()):
            p = p - self.lr * g
