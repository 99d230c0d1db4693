# MulLayer whose forward keeps x under both names (self.y = x): dx comes out as dout·x (bug).
class MulLayer:
    def forward(self, x, y):
        self.x = x
        self.y = x
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x
