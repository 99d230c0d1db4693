"""``bprop check`` knows what NAME is: a layer, an optimizer, a net or a function, each checked as itself."""

import pytest

from support import LEARNER, run_cli


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("target, status, phrase", [
    ("optimizers/adam.py:Adam", 0, "Check of the optimizer Adam"),
    ("optimizers/sgd_lr_minus_grad.py:SGD", 1, "write params[key] -= self.lr * grads[key]"),
    ("nets/ch5_two_layer_net.py:TwoLayerNet", 0, "grads['W1'] agrees with the numerical gradient of loss"),
    ("nets/swapped_bias_grads.py:TwoLayerNet", 1, "are the two keys swapped?"),
    ("functions/book_functions.py:softmax", 0, "All checks passed."),
    ("functions/softmax_axis0.py:softmax", 1, "softmax over the wrong axis"),
])
def test_each_kind_is_checked_as_itself(capsys, target, status, phrase):
    code, out, _ = run_cli(capsys, "check", str(LEARNER / target))
    assert code == status, out
    assert phrase in out


def test_a_function_of_an_unknown_name_exits_2_listing_the_known_ones(capsys, tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("def swish(x):\n    return x\n")
    code, _, err = run_cli(capsys, "check", f"{path}:swish")
    assert code == 2
    assert "softmax" in err and "cross_entropy_error" in err


def test_a_class_of_no_known_kind_exits_2(capsys, tmp_path):
    path = tmp_path / "mine.py"
    path.write_text("class Thing:\n    pass\n")
    code, _, err = run_cli(capsys, "check", f"{path}:Thing")
    assert code == 2
    assert "neither a layer (forward and backward), an optimizer (update), a net (loss and gradient)" in err
