"""Short reprs: History, the optimizers, the nets (one line), and the nets' summary tables as HTML."""

import html

import numpy as np
import pytest

from bprop import nets, optim
from bprop.layers import Affine
from bprop.train import History, Trainer

# --- History -------------------------------------------------------------------------------


def test_a_historys_repr_gives_the_last_values_not_the_lists():
    history = History(loss=[2.3] * 10_000, iterations=list(range(600, 10_200, 600)), epochs=list(range(1, 18)),
                      train_acc=[0.5] * 16 + [0.98024], test_acc=[0.4] * 16 + [0.97], seconds=81.5)
    assert repr(history) == "History(epochs=17, train_acc=0.9802, test_acc=0.9700)"
    assert len(history.loss) == 10_000 and history.test_acc[-1] == 0.97  # the lists are still there


def test_a_history_before_its_first_evaluation_gives_the_steps_and_the_last_loss():
    assert repr(History()) == "History(epochs=0)"
    assert repr(History(loss=[2.302, 1.23456])) == "History(epochs=0, steps=2, loss=1.2346)"


def test_a_trainers_history_prints_in_one_short_line():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((40, 4)), rng.integers(0, 3, 40)
    trainer = Trainer(nets.TwoLayerNet(4, 5, 3, rng=0), x, t, x[:10], t[:10], epochs=2, mini_batch_size=20,
                      verbose=False, progress=False)
    history = trainer.train()
    assert repr(history) == (f"History(epochs=2, train_acc={history.train_acc[-1]:.4f}, "
                             f"test_acc={history.test_acc[-1]:.4f})")
    assert len(history.loss) == 4


# --- optimizers ----------------------------------------------------------------------------

@pytest.mark.parametrize("make, text", [
    (optim.SGD, "SGD(lr=0.01)"),
    (lambda: optim.Momentum(lr=0.1), "Momentum(lr=0.1, momentum=0.9)"),
    (optim.Nesterov, "Nesterov(lr=0.01, momentum=0.9)"),
    (optim.AdaGrad, "AdaGrad(lr=0.01, eps=1e-07)"),
    (optim.RMSprop, "RMSprop(lr=0.01, decay_rate=0.99, eps=1e-07)"),
    (optim.Adam, "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08)"),
    (optim.AdamW, "AdamW(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0.01, no_decay_1d=False)"),
])
def test_an_optimizers_repr_is_its_constructor_call(make, text):
    opt = make()
    assert repr(opt) == text
    again = eval(text, vars(optim))
    assert type(again) is type(opt) and again.state_dict()["hyperparameters"] == opt.state_dict()["hyperparameters"]


def test_an_optimizers_repr_shows_the_lr_a_schedule_set():
    opt = optim.Adam()
    optim.WarmupLinear(lr=0.01, warmup=4, total=10).apply(opt, 1)
    opt.lr = np.float64(opt.lr)  # a NumPy scalar shows as a plain number
    assert repr(opt) == "Adam(lr=0.005, beta1=0.9, beta2=0.999, eps=1e-08)"


# --- nets: one line, and the summary table -----------------------------------------------


def test_a_book1_nets_repr_names_its_layers_in_one_line():
    assert repr(nets.TwoLayerNet(784, 50, 10, rng=0)) == "TwoLayerNet([Affine1, Relu1, Affine2], loss=SoftmaxWithLoss)"


def test_a_book1_nets_html_is_its_summary_table():
    net = nets.TwoLayerNet(784, 50, 10, rng=0)
    page = net._repr_html_()
    assert page.startswith("<table><caption>TwoLayerNet, float64</caption>")
    assert (f'<td style="text-align:left">{html.escape(repr(net.layers["Affine1"]))}</td>'
            '<td style="text-align:left">(N, 50)</td><td style="text-align:right">39,250</td>') in page
    assert page.count("<tr>") == 1 + 4 + 1  # the header, Affine, Relu, Affine, the loss, the total
    assert '<th style="text-align:left">total</th><th style="text-align:left"></th>' \
           '<th style="text-align:right">39,760</th>' in page


class _Odd:
    """A learner's layer whose repr holds markup."""

    def forward(self, x, train_flg=False):
        return x

    def backward(self, dout):
        return dout

    def __repr__(self):
        return "Odd<b>&</b>"


def test_the_html_table_escapes_what_a_layer_prints():
    W = np.zeros((3, 2))
    page = nets.Sequential([Affine(W, np.zeros(2)), _Odd()])._repr_html_()
    assert "Odd&lt;b&gt;&amp;&lt;/b&gt;" in page and "<b>" not in page


def _tiny_gpt():
    return nets.GPT(9, 6, d_model=8, num_heads=2, num_layers=2, dtype=np.float64, rng=0)


def test_a_sequence_models_repr_is_its_constructor_call():
    assert repr(_tiny_gpt()) == "GPT(vocab_size=9, context=6, d_model=8, num_heads=2, num_layers=2, d_ff=32, dropout=0.0)"


def test_a_long_list_in_a_config_is_cut_in_the_repr():
    corpus = np.repeat(np.arange(12), 3)
    text = repr(nets.CBOW(12, 4, 1, corpus, rng=0, seed=0))
    assert text == "CBOW(vocab_size=12, hidden_size=4, window_size=1, sample_size=5, word_counts=[3, 3, 3, … (12 values)])"


def test_a_sequence_models_summary_counts_a_tied_weight_once():
    model = _tiny_gpt()
    table = str(model)
    distinct = sum(a.size for a in model.state_dict().values())
    assert table.splitlines()[0] == "GPT, float64"
    assert table.splitlines()[-1].split() == ["total", f"{distinct:,}"]
    affine = next(line for line in table.splitlines() if line.startswith("affine"))
    assert "(W = embed.W.T)" in affine and affine.split()[-1] == "9"  # its bias only: W is the embedding's
    assert distinct < sum(p.size for p in model.params)
    rows = table.splitlines()[2:-1]
    assert [row.split()[0] for row in rows] == [name for name, _ in model._layers]
    assert all(repr(layer) in row for (_, layer), row in zip(model._layers, rows))
    assert rows[0].split()[-1] == "72" and rows[1].split()[-1] == "48"  # embed.W (9, 8), pos.W (6, 8)


def test_a_sequence_models_html_is_its_summary_table():
    model = _tiny_gpt()
    page = model._repr_html_()
    assert page.startswith("<table><caption>GPT, float64</caption>")
    assert page.count("<tr>") == 1 + len(model._layers) + 1
    assert "embed.W.T" in page and f"{sum(a.size for a in model.state_dict().values()):,}</th>" in page
