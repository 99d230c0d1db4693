# SGD with the learning rate written into update instead of self.lr (bug: lr ignored).


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= 0.01 * grads[key]
