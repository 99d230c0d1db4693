"""``bprop check`` on a learner's LayerNorm, attention and multi-head attention, through the command and its child
process: a correct LayerNorm passes, the mask applied after the softmax is named in English and Japanese, and the
heads split in the wrong order are named in the JSON."""

import json

import pytest

from support import LEARNER, run_cli

HERE = LEARNER / "transformer"


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def test_a_correct_layer_norm_passes_and_an_attention_masking_after_the_softmax_is_named_in_both_languages(capsys):
    status, out, err = run_cli(capsys, "check", f"{HERE / 'layer_norm.py'}:LayerNorm")
    assert status == 0, out + err
    assert "forward agrees with bprop.layers.LayerNorm" in out and "[eps = 0.1]" in out
    assert "FAIL" not in out and out.rstrip().endswith("All checks passed.")
    target = f"{HERE / 'attention_mask_after_softmax.py'}:ScaledDotProductAttention"
    status, out, err = run_cli(capsys, "check", target)
    assert status == 1 and "Traceback" not in out + err
    assert "FAIL  forward differs from bprop.layers.ScaledDotProductAttention" in out
    assert "the mask is applied after the softmax, so the kept weights no longer sum to 1" in out
    status, out, _ = run_cli(capsys, "check", target, "--lang", "ja")
    assert status == 1
    assert "マスクを softmax の後に掛けているので、残った重みの和が 1 になりません" in out
    assert "あなたの forward は A = softmax(S) のあとでマスク位置の重みを 0 にしたもの を計算しています" in out
    assert "then the masked weights" not in out  # the variant's words in Japanese too
    status, out, _ = run_cli(capsys, "check", f"{HERE / 'multi_head_split_order.py'}:MultiHeadAttention", "--json")
    data = json.loads(out)
    assert status == 1 and data["verdict"] == "fail"
    reference = next(c for c in data["checks"] if c["check"] == "reference")
    assert reference["key"] == "tf.mha_split_order" and reference["params"]["split"] == "reshape(N, h, T, d_k)"
