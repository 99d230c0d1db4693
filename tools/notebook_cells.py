"""The cells of notebooks/*.ipynb, one list per notebook: ("md", text) or ("code", source).

tools/make_notebooks.py writes them. Keep each notebook under a minute on one core.
"""

from __future__ import annotations


def md(text: str) -> tuple[str, str]:
    return "md", text


def code(source: str) -> tuple[str, str]:
    return "code", source


CH5 = [
    md("""
# Chapter 5: backpropagation
第5章 誤差逆伝播法

Layers with `forward` and `backward`, the computational graph drawn from real numbers, and
`check_layer` telling you what is wrong with a layer you wrote yourself.
"""),
    md("""
## Layers: forward, then backward (§5.4)
乗算レイヤ — the book's apple example: 2 apples at 100 yen, 10 % tax.
"""),
    code("""
from bprop.layers import MulLayer

apple, apple_num, tax = 100, 2, 1.1
mul_apple, mul_tax = MulLayer(), MulLayer()
apple_price = mul_apple.forward(apple, apple_num)
price = mul_tax.forward(apple_price, tax)

dapple_price, dtax = mul_tax.backward(1)
dapple, dapple_num = mul_apple.backward(dapple_price)
print(f"price {price:.0f}; dapple {dapple:.1f}, dapple_num {dapple_num:.0f}, dtax {dtax:.0f}")
"""),
    md("""
## The computational graph (§5.2)
計算グラフ — every edge shows its forward value and, after `backward`, its gradient.
"""),
    code("""
from bprop.graph import shopping

g = shopping()  # 2 apples at 100 yen, 3 oranges at 150, tax 1.1
g.backward(dout=1)
g
"""),
    md("""
## A two-layer net made of layers (§5.7)
Affine → Relu → Affine → SoftmaxWithLoss; `print(net)` lists the layers.
"""),
    code("""
import numpy as np
from bprop.nets import TwoLayerNet

net = TwoLayerNet(784, 50, 10, dtype=np.float32, rng=0)
print(net)
net.layers["Affine1"]
"""),
    md("""
## Checking a layer against central differences
勾配確認 — `check_layer` runs `backward` with a random `dout` and compares it with the numerical gradient.
"""),
    code("""
from bprop.layers import Sigmoid
from bprop.gradcheck import check_layer

x = np.random.default_rng(0).standard_normal((4, 5))
check_layer(Sigmoid(), x)
"""),
    md("""
## Your own layer, with a slip
わざと間違えたレイヤ — a Sigmoid whose backward forgot the `(1 - y)`. The checker names the
gradient, the worst element and the likely cause.
"""),
    code("""
class MySigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out  # should be dout * self.out * (1 - self.out)

report = check_layer(MySigmoid(), x)
report
"""),
    md("""
The same check as a pytest assertion, for your own tests:
"""),
    code("""
from bprop.testing import assert_layer_ok

try:
    assert_layer_ok(MySigmoid(), x)
except AssertionError as error:
    print(str(error).splitlines()[-1])
"""),
]

CH6 = [
    md("""
# Chapter 6: training techniques
第6章 学習に関するテクニック

Optimizers compared, initial weights, batch normalization, and a training run whose curves
redraw in place while it runs. Small sizes: the book's full runs are `bprop.experiments`' defaults.
"""),
    code("""
%matplotlib inline
import numpy as np
from bprop import experiments, plot
from bprop.datasets import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist()
small = ((x_train[:2000], t_train[:2000]), (x_test[:500], t_test[:500]))
"""),
    md("""
## Optimizers (§6.1)
SGD, Momentum, AdaGrad, Adam on f(x, y) = x²/20 + y², and their loss on 2,000 MNIST images.
"""),
    code("""
paths = experiments.optimizer_paths()
losses = experiments.optimizer_mnist_losses(iters=150, data=small)
{name: round(float(np.mean(loss[-20:])), 3) for name, loss in losses.items()}
"""),
    code("""
plot.optimizers_figure(paths, losses)
"""),
    md("""
## Initial weights (§6.2)
重みの初期値 — the activations of five sigmoid layers for three weight scales.
"""),
    code("""
rows = {label: experiments.activation_histograms("sigmoid", std)
        for label, std in (("std 1", 1.0), ("std 0.01", 0.01), ("Xavier", "xavier"))}
plot.activations_figure(rows, "sigmoid")
"""),
    md("""
## Batch normalization (§6.3)
With and without BatchNorm, for four initial weight scales, on 500 images.
"""),
    code("""
results = experiments.batchnorm_comparison(epochs=4, scales=[1.0, 0.1, 0.01, 0.001], train_size=500,
                                           test_size=None, data=small)
plot.batchnorm_figure(results, columns=4)
"""),
    md("""
## Training curves, live
学習曲線 — `LivePlot` redraws one figure in place (every two seconds at most, and at the end);
the epoch lines printed below it stay.
"""),
    code("""
from bprop.nets import MultiLayerNetExtend
from bprop.plot import LivePlot
from bprop.train import Trainer

net = MultiLayerNetExtend(784, [100, 100], 10, use_batchnorm=True, dtype=np.float32, rng=0)
trainer = Trainer(net, *small[0], *small[1], epochs=4, mini_batch_size=100, optimizer="adam",
                  optimizer_param={"lr": 0.001}, callbacks=[LivePlot()])
history = trainer.train()
"""),
]

CH7 = [
    md("""
# Chapter 7: convolutional networks
第7章 畳み込みニューラルネットワーク

A SimpleConvNet trained briefly on a small MNIST subset, and its first layer's 30 filters before and after.
"""),
    code("""
%matplotlib inline
import numpy as np
from bprop import plot
from bprop.datasets import load_mnist
from bprop.nets import SimpleConvNet
from bprop.train import Trainer

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)
net = SimpleConvNet(dtype=np.float32, rng=0)
W_init = net.params["W1"].copy()  # the first layer's filters, (30, 1, 5, 5)
print(net)
"""),
    md("""
## One layer's forward: 30 filters over one image
フィルター — each 5×5 filter gives one 24×24 feature map.
"""),
    code("""
conv = net.layers["Convolution1"]
maps = conv.forward(x_train[:1])
conv, maps.shape
"""),
    md("""
## A short training (3,000 images, 2 epochs)
"""),
    code("""
trainer = Trainer(net, x_train[:3000], t_train[:3000], x_test[:500], t_test[:500], epochs=2,
                  mini_batch_size=100, optimizer="adam", optimizer_param={"lr": 0.001})
history = trainer.train()
"""),
    md("""
## The filters before and after (§7.6)
Random at first; after training, edge and blob detectors begin to show.
"""),
    code("""
W = net.params["W1"]
print(f"neighbouring pixels' correlation: {plot.neighbour_correlation(W_init):.2f} before, "
      f"{plot.neighbour_correlation(W):.2f} after")
plot.filters_figure(W, W_init)
"""),
]

BOOK2 = [
    md("""
# Book 2: word vectors and a recurrent language model
ゼロから作るDeep Learning ❷ — counting (ch. 2) and an RNN language model (ch. 5)

On the corpus bprop ships (Jane Austen's novels, in the Penn Treebank's format).
"""),
    code("""
import numpy as np
from bprop.datasets import corpus as ptb
from bprop.nlp import create_co_matrix, most_similar, ppmi, truncated_svd

corpus, word_to_id, id_to_word = ptb.load_data("train")
print(f"{len(corpus):,} tokens, {len(word_to_id):,} words")
"""),
    md("""
## Word vectors by counting (§2.3–2.4)
カウントベースの手法 — co-occurrences in the first 60,000 tokens, PPMI, then SVD to 50 dimensions.
"""),
    code("""
ids, part = np.unique(corpus[:60000], return_inverse=True)  # the words of this part, renumbered
words = {i: id_to_word[int(w)] for i, w in enumerate(ids)}
part_to_id = {w: i for i, w in words.items()}
M = ppmi(create_co_matrix(part, len(ids), window_size=2))
U, S, Vt = truncated_svd(M, 50, seed=0)
for query in ("she", "sister", "happy"):
    most_similar(query, part_to_id, words, U, top=4)
"""),
    md("""
## A tiny RNN language model (§5.5)
RNNLM — 1,000 tokens, a few epochs of truncated BPTT: the perplexity falls.
"""),
    code("""
from bprop.nets import SimpleRnnlm
from bprop.nlp import RnnlmTrainer
from bprop.optim import SGD

small = corpus[:1001]
vocab = np.unique(small)
renumber = {int(w): i for i, w in enumerate(vocab)}
xs = np.array([renumber[int(w)] for w in small[:-1]])
ts = np.array([renumber[int(w)] for w in small[1:]])
model = SimpleRnnlm(len(vocab), 32, 32, rng=0)
trainer = RnnlmTrainer(model, SGD(lr=0.1), verbose=False)
ppl = trainer.fit(xs, ts, max_epoch=20, batch_size=10, time_size=5, eval_interval=20)
print(f"perplexity {ppl[0]:.0f} at first, {ppl[-1]:.0f} after 20 epochs (vocabulary {len(vocab)})")
"""),
]

TRANSFORMER = [
    md("""
# The Transformer: attention you can see
Transformer — scaled dot-product attention, the causal mask, and a tiny GPT's attention weights.
"""),
    code("""
%matplotlib inline
import numpy as np
from bprop.layers import ScaledDotProductAttention
from bprop.plot import attention_figure
"""),
    md("""
## Scaled dot-product attention with a causal mask
A = softmax(q·kᵀ/√d_k); with `causal=True` position i attends to positions j ≤ i only, so A is
lower triangular.
"""),
    code("""
rng = np.random.default_rng(0)
q, k, v = (rng.standard_normal((1, 6, 8)) for _ in range(3))
attention = ScaledDotProductAttention(causal=True)
out = attention.forward(q, k, v)
A = attention.weights[0]
print(np.round(A, 2))
assert np.allclose(np.triu(A, 1), 0) and np.allclose(A.sum(axis=-1), 1)
"""),
    code("""
positions = [str(i) for i in range(6)]
attention_figure(A, positions, positions, "causal attention", xlabel="key", ylabel="query")
"""),
    md("""
## A tiny GPT learns a repeating pattern
小さな GPT — one block, two heads, trained for a few hundred steps to continue "abcdefgh…".
"""),
    code("""
from bprop.nets import GPT
from bprop.nlp import Trainer
from bprop.optim import Adam

text = "abcdefgh" * 40
chars = sorted(set(text))
ids = np.array([chars.index(c) for c in text])
T = 12
starts = np.arange(len(ids) - T - 1)
xs = np.stack([ids[s:s + T] for s in starts])
ts = np.stack([ids[s + 1:s + T + 1] for s in starts])
model = GPT(len(chars), T, d_model=16, num_heads=2, num_layers=1, rng=0)
losses = Trainer(model, Adam(lr=0.01), seed=0, verbose=False).fit(xs, ts, max_epoch=8, batch_size=32,
                                                                  eval_interval=5)
print(f"loss {losses[0]:.2f} at first, {losses[-1]:.2f} at the end")
"""),
    code("""
sample = "cdefghabcdef"
scores = model.predict(np.array([[chars.index(c) for c in sample]]))
print("next characters:", "".join(chars[i] for i in scores[0].argmax(axis=-1)))
weights = model.attention_map(layer=0)[0]  # (T, T), the mean of the heads
attention_figure(weights, list(sample), list(sample), "GPT block 1, heads averaged", xlabel="key",
                 ylabel="query")
"""),
    md("""
Nothing above the diagonal: the causal mask. Below it, each position looks at itself and, once the
pattern has come round, at the same letter eight positions back — where the next letter was seen before.
"""),
]

NOTEBOOKS = {
    "ch5_backprop": CH5,
    "ch6_training": CH6,
    "ch7_cnn": CH7,
    "book2_rnn": BOOK2,
    "transformer": TRANSFORMER,
}
