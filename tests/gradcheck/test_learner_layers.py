"""``bprop check`` over learner-style layers of tests/learner/: correct ones in unusual styles must pass,
each buggy one must fail and name the cause in words a learner can act on."""

import pytest

from bprop.cli import main

from support import LEARNER

SQUARE_W = ("--param", "W=5,5", "--param", "b=5")

# (file, class, extra CLI args, expected exit status, phrase the output must contain or None)
CASES = [
    # correct: 0
    ("relu_where.py", "Relu", (), 0, None),
    ("relu_lt_mask.py", "Relu", (), 0, None),
    ("relu_le_multiply.py", "Relu", (), 0, None),
    ("sigmoid_piecewise.py", "Sigmoid", (), 0, None),
    ("tanh_np.py", "Tanh", (), 0, None),
    ("tanh_exp.py", "Tanh", (), 0, None),
    ("elu.py", "Elu", (), 0, None),
    ("leaky_relu.py", "LeakyRelu", (), 0, None),
    ("affine_einsum.py", "Affine", (), 0, None),
    ("affine_einsum.py", "Affine", ("--shape", "2,3,2,2"), 0, None),
    ("affine_tensordot.py", "Affine", (), 0, None),
    ("affine_params_dict.py", "Affine", (), 0, None),
    ("mul_layer_tuple.py", "MulLayer", (), 0, None),
    ("add_layer_ones.py", "AddLayer", (), 0, None),
    ("sigmoid_with_loss.py", "SigmoidWithLoss", (), 0, None),
    ("softmax_with_loss_both.py", "SoftmaxWithLoss", (), 0, None),
    ("batchnorm_compact.py", "BatchNormalization", (), 0, None),
    ("batchnorm_per_channel.py", "BatchNormalization", (), 0, None),
    ("batchnorm_per_channel.py", "BatchNormalization", ("--shape", "2,3,4,4"), 0, None),
    ("dropout_inverted.py", "Dropout", (), 0, None),
    ("dropout_book.py", "Dropout", (), 0, None),
    ("conv_im2col.py", "Convolution", (), 0, None),
    ("conv_loops.py", "Convolution", (), 0, None),
    ("pooling_argmax.py", "Pooling", (), 0, None),
    # buggy: 1, and the cause
    ("sigmoid_x_for_y.py", "Sigmoid", (), 1, "1 - y"),
    ("tanh_x_for_y.py", "Tanh", (), 1, "1 - y"),
    ("tanh_missing_square.py", "Tanh", (), 1, "1 - y²"),
    ("elu_alpha_only.py", "Elu", (), 1, "alpha"),
    ("leaky_relu_zero_slope.py", "LeakyRelu", (), 1, "negative"),
    ("relu_forward_writes_x.py", "Relu", (), 1, "copy"),
    ("affine_dw_dout_t_x.py", "Affine", SQUARE_W, 1, "x.T"),
    ("affine_dw_dout_t_x.py", "Affine", (), 1, "x.T"),
    ("affine_dw_x_not_xt.py", "Affine", SQUARE_W + ("--shape", "5,5"), 1, "x.T"),
    ("affine_dx_w_not_wt.py", "Affine", SQUARE_W, 1, "W.T"),
    ("affine_x_not_stored.py", "Affine", (), 1, "self.x"),
    ("mul_layer_swapped.py", "MulLayer", (), 1, "swapped"),
    ("softmax_loss_summed.py", "SoftmaxWithLoss", (), 1, "sum"),
    ("softmax_wrong_axis.py", "SoftmaxWithLoss", (), 1, "axis"),
    ("softmax_onehot_only.py", "SoftmaxWithLoss", (), 1, "one-hot"),
    ("batchnorm_dgamma_xc.py", "BatchNormalization", (), 1, "xn"),
    ("batchnorm_missing_1_over_n.py", "BatchNormalization", (), 1, "1/N"),
    ("batchnorm_running_in_test.py", "BatchNormalization", (), 1, "running"),
    ("dropout_backward_no_mask.py", "Dropout", (), 1, "mask"),
    ("dropout_test_no_scale.py", "Dropout", (), 1, "(1 - dropout_ratio)"),
    ("dropout_inverted_scales_test.py", "Dropout", (), 1, "inverted"),
    ("conv_dw_no_transpose.py", "Convolution", (), 1, "transpose"),
    ("pooling_grad_everywhere.py", "Pooling", (), 1, "max"),
    ("tanh_applied_twice.py", "Tanh", (), 1, "already tanh(x)"),
    ("batchnorm_no_dmu.py", "BatchNormalization", (), 1, "dx = dxc - dmu / N"),
    ("sigmoid_dout_inplace.py", "Sigmoid", (), 1, "the caller's dout must stay as it was"),
    ("affine_db_axis1.py", "Affine", (), 1, "np.sum(dout, axis=0)"),
    ("softmax_divided_by_classes.py", "SoftmaxWithLoss", (), 1, "number of classes C = 5"),
    ("dropout_mask_in_backward.py", "Dropout", (), 1, "draw the mask once in forward"),
    ("batchnorm_ddof1.py", "BatchNormalization", (), 1, "ddof=1"),
    ("pooling_stride_ignored.py", "Pooling", (), 1, "[stride 1] forward returns shape"),
    ("mul_layer_stores_x_twice.py", "MulLayer", (), 1, "keep an input under the wrong name"),
    ("batchnorm_no_dvar.py", "BatchNormalization", (), 1, "path through the batch variance"),
    ("conv_db_not_summed.py", "Convolution", (), 1, "np.sum(dout, axis=(0, 2, 3))"),
]


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def failure_text(out: str) -> str:
    """The FAIL lines and the indented lines under them: where the cause must be named (an ok line that
    merely mentions the word does not count). U+2212 minus reads as '-'."""
    kept, inside = [], False
    for line in out.splitlines():
        if line.lstrip().startswith("FAIL"):
            inside = True
        elif not line.startswith("      "):
            inside = False
        if inside:
            kept.append(line)
    return "\n".join(kept).replace("\u2212", "-").lower()


def _id(case):
    file, cls, args, _, _ = case
    return f"{file}:{cls}" + (" " + " ".join(args) if args else "")


def test_every_fixture_file_is_in_the_table():
    listed = {case[0] for case in CASES}
    here = {p.name for p in LEARNER.glob("*.py")}
    old = {"affine.py", "affine_db_mean.py", "layer_naive.py", "relu.py", "relu_inplace.py",
           "relu_inverted_mask.py", "sigmoid.py", "sigmoid_log.py", "sigmoid_missing_factor.py",
           "softmax_no_batch_division.py", "softmax_with_loss.py"}
    assert here - old == listed
    correct = {c[0] for c in CASES if c[3] == 0}
    buggy = {c[0] for c in CASES if c[3] == 1}
    assert len(correct) >= 20 and len(buggy) >= 20 and not correct & buggy


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_learner_layer(capsys, case):
    file, cls, args, expected, phrase = case
    status = main(["check", f"{LEARNER / file}:{cls}", *args])
    out, err = capsys.readouterr()
    assert status == expected, out + err
    if expected == 0:
        assert "FAIL" not in out, out
        assert out.rstrip().endswith("All checks passed."), out
    else:
        assert "FAIL" in out, out
        if phrase is not None:
            assert phrase.lower() in failure_text(out), out
