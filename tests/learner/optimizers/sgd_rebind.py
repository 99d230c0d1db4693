# SGD that rebinds params[key] to a new array instead of updating it in place (bug).


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] = params[key] - self.lr * grads[key]
