"""Short reprs: every layer says its sizes and what differs from its defaults in one line, and
check_layer's report shows in Jupyter as an escaped HTML table."""

import re
from html import escape

import numpy as np
import pytest

from bprop import layers as L
from bprop.gradcheck import check_layer
from bprop.layers import registry


def _ones(*shape, dtype=np.float64):
    return np.ones(shape, dtype=dtype)


# (how to build it, its repr): one row per registered layer, as a learner would meet it.
REPRS = {
    "Relu": (lambda: L.Relu(), "Relu()"),
    "Sigmoid": (lambda: L.Sigmoid(), "Sigmoid()"),
    "Tanh": (lambda: L.Tanh(), "Tanh()"),
    "LeakyRelu": (lambda: L.LeakyRelu(), "LeakyRelu(alpha=0.01)"),
    "Elu": (lambda: L.Elu(), "Elu(alpha=1.0)"),
    "Gelu": (lambda: L.Gelu(exact=True), "Gelu(exact=True)"),
    "Silu": (lambda: L.Silu(), "Silu()"),
    "Softplus": (lambda: L.Softplus(), "Softplus()"),
    "Identity": (lambda: L.Identity(), "Identity()"),
    "MulLayer": (lambda: L.MulLayer(), "MulLayer()"),
    "AddLayer": (lambda: L.AddLayer(), "AddLayer()"),
    "Affine": (lambda: L.Affine(_ones(784, 50, dtype=np.float32), _ones(50, dtype=np.float32)),
               "Affine(784 → 50, float32)"),
    "SoftmaxWithLoss": (lambda: L.SoftmaxWithLoss(), "SoftmaxWithLoss()"),
    "SigmoidWithLoss": (lambda: L.SigmoidWithLoss(), "SigmoidWithLoss()"),
    "MeanSquaredError": (lambda: L.MeanSquaredError(), "MeanSquaredError()"),
    "BatchNormalization": (lambda: L.BatchNormalization(_ones(100), _ones(100)), "BatchNormalization(100)"),
    "Dropout": (lambda: L.Dropout(0.5, seed=0), "Dropout(dropout_ratio=0.5)"),
    "Convolution": (lambda: L.Convolution(_ones(30, 1, 5, 5), _ones(30)),
                    "Convolution(30 filters 1×5×5, stride 1, pad 0)"),
    "Pooling": (lambda: L.Pooling(2, 2), "Pooling(max 2×2, stride 2, pad 0)"),
    "Flatten": (lambda: L.Flatten(), "Flatten()"),
    # book 2
    "MatMul": (lambda: L.MatMul(_ones(7, 5)), "MatMul(7 → 5)"),
    "Embedding": (lambda: L.Embedding(_ones(10000, 100)), "Embedding(V=10000, H=100)"),
    "EmbeddingDot": (lambda: L.EmbeddingDot(_ones(10, 3)), "EmbeddingDot(V=10, H=3)"),
    "NegativeSamplingLoss": (lambda: L.NegativeSamplingLoss(_ones(10, 3), np.arange(10), sample_size=2, seed=0),
                             "NegativeSamplingLoss(V=10, H=3, sample_size=2)"),
    "RNN": (lambda: L.RNN(_ones(4, 3), _ones(3, 3), _ones(3)), "RNN(D=4, H=3)"),
    "LSTM": (lambda: L.LSTM(_ones(100, 400), _ones(100, 400), _ones(400)), "LSTM(D=100, H=100)"),
    "GRU": (lambda: L.GRU(_ones(4, 9), _ones(3, 9), _ones(9)), "GRU(D=4, H=3)"),
    "TimeRNN": (lambda: L.TimeRNN(_ones(4, 3), _ones(3, 3), _ones(3), stateful=True),
                "TimeRNN(D=4, H=3, stateful=True)"),
    "TimeLSTM": (lambda: L.TimeLSTM(_ones(4, 12), _ones(3, 12), _ones(12)), "TimeLSTM(D=4, H=3)"),
    "TimeGRU": (lambda: L.TimeGRU(_ones(4, 9), _ones(3, 9), _ones(9)), "TimeGRU(D=4, H=3)"),
    "TimeBiLSTM": (lambda: L.TimeBiLSTM(*[_ones(4, 12), _ones(3, 12), _ones(12)] * 2), "TimeBiLSTM(D=4, H=3)"),
    "TimeEmbedding": (lambda: L.TimeEmbedding(_ones(10, 3)), "TimeEmbedding(V=10, H=3)"),
    "TimeAffine": (lambda: L.TimeAffine(_ones(4, 3, dtype=np.float32), _ones(3, dtype=np.float32)),
                   "TimeAffine(4 → 3, float32)"),
    "TimeSoftmaxWithLoss": (lambda: L.TimeSoftmaxWithLoss(), "TimeSoftmaxWithLoss()"),
    "TimeDropout": (lambda: L.TimeDropout(0.3, seed=0), "TimeDropout(dropout_ratio=0.3)"),
    "WeightSum": (lambda: L.WeightSum(), "WeightSum()"),
    "AttentionWeight": (lambda: L.AttentionWeight(), "AttentionWeight()"),
    "Attention": (lambda: L.Attention(), "Attention()"),
    "TimeAttention": (lambda: L.TimeAttention(), "TimeAttention()"),
    # the Transformer
    "Softmax": (lambda: L.Softmax(), "Softmax(axis=-1)"),
    "LayerNorm": (lambda: L.LayerNorm(_ones(128), _ones(128)), "LayerNorm(128)"),
    "ScaledDotProductAttention": (lambda: L.ScaledDotProductAttention(causal=True),
                                  "ScaledDotProductAttention(causal=True)"),
    "MultiHeadAttention": (lambda: L.MultiHeadAttention(128, 4, causal=True, rng=0),
                           "MultiHeadAttention(d_model=128, num_heads=4, causal=True)"),
    "PositionalEncoding": (lambda: L.PositionalEncoding(64, 16), "PositionalEncoding(max_len=64, d_model=16)"),
    "PositionEmbedding": (lambda: L.PositionEmbedding(64, 16, rng=0), "PositionEmbedding(max_len=64, d_model=16)"),
    "FeedForward": (lambda: L.FeedForward(16, 64, rng=0), "FeedForward(d_model=16, d_ff=64)"),
    "TransformerBlock": (lambda: L.TransformerBlock(16, 2, 64, causal=True, rng=0, dtype=np.float32),
                         "TransformerBlock(d_model=16, num_heads=2, d_ff=64, causal=True, float32)"),
    "TransformerDecoderBlock": (lambda: L.TransformerDecoderBlock(16, 2, 64, rng=0),
                                "TransformerDecoderBlock(d_model=16, num_heads=2, d_ff=64)"),
}


def test_the_table_lists_every_registered_layer():
    assert set(REPRS) == set(registry.layer_classes())


@pytest.mark.parametrize("name", sorted(REPRS))
def test_each_layer_has_a_short_repr_with_its_sizes(name):
    build, text = REPRS[name]
    assert repr(build()) == text
    assert len(text) <= 80


@pytest.mark.parametrize("layer, text", [
    (lambda: L.Dropout(0.25, scale_at="test", seed=0), "Dropout(dropout_ratio=0.25, scale_at='test')"),
    (lambda: L.BatchNormalization(_ones(3), _ones(3), momentum=0.8, eps=1e-5),
     "BatchNormalization(3, momentum=0.8, eps=1e-05)"),
    (lambda: L.Pooling(3, 2, stride=1, pad=1, mode="avg", ceil_mode=True),
     "Pooling(avg 3×2, stride 1, pad 1, ceil_mode=True)"),
    (lambda: L.MultiHeadAttention(8, 2, dropout=0.1, rng=0), "MultiHeadAttention(d_model=8, num_heads=2, dropout=0.1)"),
    (lambda: L.FeedForward(8, 16, activation="relu", rng=0), "FeedForward(d_model=8, d_ff=16, activation='relu')"),
    (lambda: L.Relu(inplace=True), "Relu(inplace=True)"),
    (lambda: L.Softmax(axis=1), "Softmax(axis=1)"),
])
def test_an_option_shows_when_it_differs_from_the_default(layer, text):
    assert repr(layer()) == text


def test_the_dtype_shows_for_float32_only():
    W, b = np.ones((30, 3, 5, 5)), np.zeros(30)
    assert repr(L.Convolution(W.astype(np.float32), b.astype(np.float32), stride=2)) == \
        "Convolution(30 filters 3×5×5, stride 2, pad 0, float32)"
    assert "float" not in repr(L.Convolution(W, b))


def test_a_learners_subclass_gets_the_same_repr_under_its_own_name():
    class MyAffine(L.Affine):
        pass

    assert repr(MyAffine(np.ones((3, 2)), np.zeros(2))) == "MyAffine(3 → 2)"


# --- check_layer's report in Jupyter ---------------------------------------------------------------


class Relu:
    """A learner's Relu whose backward ignores dout: the slip the report must name."""

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = np.ones_like(dout)
        dx[self.mask] = 0
        return dx


def _cells(html: str, tag: str) -> list[str]:
    return re.findall(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", html, flags=re.S)


def test_a_passing_report_is_a_table_of_each_gradient_with_its_error_and_result():
    x = np.random.default_rng(0).standard_normal((4, 5)) + 0.5
    report = check_layer(L.Affine(np.random.default_rng(1).standard_normal((5, 3)), np.zeros(3)), x)
    html = report._repr_html_()
    assert _cells(html, "th") == ["gradient", "rel err", "max abs err", "worst at", "result", "likely cause"]
    rows = [_cells(row, "td") for row in _cells(html, "tr")[1:]]
    assert [row[0] for row in rows] == [r.target for r in report.rows] == ["dx", "dW", "db"]
    assert all(row[4] == "ok" and row[5] == "" for row in rows)
    assert [float(row[1]) for row in rows] == pytest.approx([float(f"{r.rel:.1e}") for r in report.rows])
    assert "All checks passed." in html


def test_a_failing_report_names_the_cause_in_the_failing_row():
    x = np.random.default_rng(0).standard_normal((4, 5))
    report = check_layer(Relu(), x)
    assert not report.ok
    html = report._repr_html_()
    (row,) = [_cells(r, "td") for r in _cells(html, "tr")[1:]]
    assert row[0] == "dx" and row[4] == "FAIL"
    failing = next(f for f in report.failures if f.check == "gradient")
    assert failing.key == "grad.ignores_dout" and row[5] == escape(failing.message())
    assert "problem(s) found." in html
    assert html.count("<table>") == 1 and html.count("</table>") == 1


def test_the_report_text_in_html_is_escaped():
    x = np.ones((2, 3))
    report = check_layer(L.Relu(), x)
    report.subject = "<script>alert(1)</script>"
    html = report._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_reports_repr_is_one_line_with_the_verdict():
    x = np.random.default_rng(0).standard_normal((4, 5))
    assert repr(check_layer(L.Sigmoid(), x)) == "<Report on Sigmoid: All checks passed. print() it for the table>"
    assert repr(check_layer(Relu(), x)) == "<Report on Relu: 1 problem(s) found. print() it for the table>"
