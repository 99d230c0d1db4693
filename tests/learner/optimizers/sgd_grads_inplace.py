# SGD that scales the caller's gradients in place to save an allocation (bug: writes into grads).


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            grads[key] *= self.lr
            params[key] -= grads[key]
