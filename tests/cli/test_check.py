"""``bprop check FILE.py:CLASS``: exit status 0 / 1 / 2 and what it prints, in English and Japanese."""

import pytest

from bprop.cli import main

from support import LEARNER


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def check(capsys, target, *options):
    status = main(["check", target, *options])
    out, err = capsys.readouterr()
    return status, out, err


def learner(name: str) -> str:
    return str(LEARNER / name)


@pytest.mark.parametrize("target, phrase", [
    ("relu_inplace.py:Relu", "backward wrote into dout (as the book's ReLU does, zeroing it through the mask); copy it first: dx = dout.copy()"),
    ("relu_inverted_mask.py:Relu", "the mask looks inverted"),
    ("sigmoid_log.py:Sigmoid", "np.log of a negative number: did you mean np.exp?"),
    ("sigmoid_missing_factor.py:Sigmoid", "dx = dout·y: a factor looks missing (the sigmoid's derivative is y·(1 - y))"),
    ("softmax_no_batch_division.py:SoftmaxWithLoss", "did you forget to divide by the batch size N = 4?"),
    ("affine_db_mean.py:Affine", "db is 1/4 of the right value: a mean over the batch where a sum belongs"),
])
def test_learner_bug_exits_1_and_says_what_is_wrong(capsys, target, phrase):
    status, out, _ = check(capsys, learner(target))
    assert status == 1
    assert phrase in out
    assert "FAIL" in out


@pytest.mark.parametrize("target", [
    "relu.py:Relu", "sigmoid.py:Sigmoid", "softmax_with_loss.py:SoftmaxWithLoss",
    "affine.py:Affine", "layer_naive.py:MulLayer", "layer_naive.py:AddLayer",
])
def test_correct_learner_layer_exits_0(capsys, target):
    status, out, _ = check(capsys, learner(target))
    assert status == 0
    assert out.rstrip().endswith("All checks passed.")
    assert "FAIL" not in out


def test_float32_and_a_4d_shape_are_checked(capsys):
    status, out, _ = check(capsys, learner("affine.py:Affine"), "--dtype", "float32", "--shape", "2,3,2,2")
    assert status == 0
    assert "x (2, 3, 2, 2) float32" in out
    assert "float32 in, float32 out" in out


def test_batch_size_in_the_diagnosis_follows_the_shape(capsys):
    status, out, _ = check(capsys, learner("affine_db_mean.py:Affine"), "--shape", "2,6")
    assert status == 1
    assert "db is 1/2 of the right value" in out


def test_book_softmax_with_loss_passes_with_many_classes(capsys):
    # The book's log(y + 1e-7) shifts the gradient by 1e-7/y_t: the check keeps y_t > 1/2.
    status, out, _ = check(capsys, learner("softmax_with_loss.py:SoftmaxWithLoss"), "--shape", "8,100")
    assert status == 0, out


def test_softmax_loss_needs_n_by_c_logits(capsys):
    status, _, err = check(capsys, learner("softmax_with_loss.py:SoftmaxWithLoss"), "--shape", "5")
    assert status == 2
    assert "needs --shape N,C" in err


def test_lang_ja_prints_japanese(capsys):
    status, out, _ = check(capsys, learner("relu_inplace.py:Relu"), "--lang", "ja")
    assert status == 1
    assert "backward が dout を書き換えています（本の ReLU のように mask で 0 にするなど）。先に dx = dout.copy() でコピーしてください。" in out
    assert "1 件の問題が見つかりました。" in out


def test_japanese_locale_picks_japanese(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    status, out, _ = check(capsys, learner("relu.py:Relu"))
    assert status == 0
    assert "すべてのチェックに合格しました。" in out


def test_lang_option_overrides_the_locale(capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "ja_JP.UTF-8")
    _, out, _ = check(capsys, learner("relu.py:Relu"), "--lang", "en")
    assert "All checks passed." in out


def test_learner_file_may_import_its_neighbours(capsys, tmp_path):
    (tmp_path / "functions.py").write_text("import numpy as np\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
    (tmp_path / "layers.py").write_text(
        "from functions import sigmoid\n\n"
        "class Sigmoid:\n"
        "    def forward(self, x):\n"
        "        self.out = sigmoid(x)\n"
        "        return self.out\n\n"
        "    def backward(self, dout):\n"
        "        return dout * (1.0 - self.out) * self.out\n"
    )
    status, out, _ = check(capsys, f"{tmp_path / 'layers.py'}:Sigmoid")
    assert status == 0, out


def test_missing_file_exits_2(capsys, tmp_path):
    status, out, err = check(capsys, f"{tmp_path / 'nope.py'}:Relu")
    assert status == 2 and out == ""
    assert err == f"bprop check: error: no such file: {tmp_path / 'nope.py'}\n"


def test_missing_class_exits_2_and_lists_the_classes_there(capsys):
    status, _, err = check(capsys, learner("layer_naive.py:Relu"))
    assert status == 2
    assert "has no class or function Relu (defined there: MulLayer, AddLayer)" in err


def test_target_without_class_exits_2(capsys):
    status, _, err = check(capsys, learner("relu.py"))
    assert status == 2
    assert "expected FILE.py:CLASS" in err


def test_bad_shape_exits_2(capsys):
    status, _, err = check(capsys, learner("relu.py:Relu"), "--shape", "4,x")
    assert status == 2
    assert "--shape expects positive integers separated by commas" in err


def test_file_that_fails_to_import_exits_2_with_the_error(capsys, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import numpy as np\nraise RuntimeError('half-written file')\n")
    status, _, err = check(capsys, f"{broken}:Relu")
    assert status == 2
    assert "could not import" in err and "RuntimeError: half-written file" in err


def test_class_the_check_cannot_build_exits_2(capsys, tmp_path):
    odd = tmp_path / "odd.py"
    odd.write_text("class Conv:\n    def __init__(self, W, b, stride, mode):\n        pass\n"
                   "    def forward(self, x):\n        return x\n    def backward(self, dout):\n        return dout\n")
    status, _, err = check(capsys, f"{odd}:Conv")
    assert status == 2
    assert "cannot build Conv: bprop check does not know what to pass as mode; give it with --param mode=VALUE" in err


@pytest.mark.parametrize("body, missing", [
    ("    def forward(self, x):\n        return x\n", "backward"),
    ("    def backward(self, dout):\n        return dout\n", "forward"),
])
def test_a_class_without_forward_or_backward_exits_2_naming_the_missing_method(capsys, tmp_path, body, missing):
    half = tmp_path / "half.py"
    half.write_text("class Relu:\n" + body)
    status, _, err = check(capsys, f"{half}:Relu")
    assert status == 2
    assert f"Relu has no {missing} method; a layer needs forward and backward" in err


def test_affine_needs_a_two_number_shape(capsys):
    status, _, err = check(capsys, learner("affine.py:Affine"), "--shape", "5")
    assert status == 2
    assert "needs --shape N,D" in err


def test_usage_error_in_japanese(capsys, tmp_path):
    status, _, err = check(capsys, f"{tmp_path / 'nope.py'}:Relu", "--lang", "ja")
    assert status == 2
    assert "ファイルがありません" in err
