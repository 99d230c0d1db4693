"""A learner's LayerNorm, scaled dot-product attention and multi-head attention (tests/learner/transformer/), built
and checked as ``bprop check`` does: the correct files pass against central differences and bprop's layers, each
buggy twin, one line away from its correct file, fails naming its cause; and the formulas the causes compare with
(``transformer_math``) are bprop's layers, slip by slip."""

import difflib

import numpy as np
import pytest

from bprop import layers as L
from bprop.gradcheck import build_transformer, learner_transformer
from bprop.gradcheck import transformer_math as tm
from bprop.gradcheck.sandbox import check_target

from support import LEARNER

HERE = LEARNER / "transformer"
LN, SDPA, MHA = "LayerNorm", "ScaledDotProductAttention", "MultiHeadAttention"
AFTER = "tf.backward_after_variant"

# (file, class, the failed checks' keys: empty for a correct file)
CASES = [
    ("layer_norm", LN, set()),
    ("layer_norm_lists", LN, set()),
    ("attention", SDPA, set()),
    ("multi_head", MHA, set()),
    ("multi_head_lists", MHA, set()),
    ("forms", "Attention", set()),
    ("forms", "SelfAttention", set()),
    ("forms", "LayerNormalization", set()),
    ("forms", "CrossAttention", set()),
    ("layer_norm_no_mean_terms", LN, {"tf.ln_no_mean_terms"}),
    ("layer_norm_no_dmu", LN, {"tf.ln_no_dmu"}),
    ("layer_norm_no_dvar", LN, {"tf.ln_no_dvar"}),
    ("layer_norm_sum_not_mean", LN, {"tf.ln_sum_not_mean"}),
    ("layer_norm_ddof1", LN, {"tf.ln_ddof1", AFTER}),
    ("layer_norm_eps_outside", LN, {"tf.ln_eps_outside", AFTER}),
    ("attention_softmax_axis", SDPA, {"tf.softmax_axis", AFTER}),
    ("attention_no_scale", SDPA, {"tf.no_scale", AFTER}),
    ("attention_mask_after_softmax", SDPA, {"tf.mask_after_softmax", AFTER}),
    ("attention_causal_sees_next", SDPA, {"tf.causal_sees_next"}),
    ("attention_dq_dk_swapped", SDPA, {"tf.dq_dk_swapped"}),
    ("attention_dk_no_transpose", SDPA, {"tf.dk_no_transpose"}),
    ("attention_backward_no_scale", SDPA, {"tf.backward_no_scale"}),
    ("attention_softmax_grad_axis", SDPA, {"tf.softmax_grad_axis"}),
    ("multi_head_split_order", MHA, {"tf.mha_split_order", "tf.mha_heads_gradient"}),
    ("multi_head_merge_order", MHA, {"tf.mha_join_order", "tf.mha_heads_gradient"}),
    ("multi_head_scale_d_model", MHA, {"tf.scale_d_model", AFTER}),
    ("multi_head_softmax_axis", MHA, {"tf.softmax_axis", AFTER}),
    ("multi_head_causal_sees_next", MHA, {"tf.causal_sees_next"}),
    ("multi_head_backward_split", MHA, {"tf.mha_backward_split"}),
    ("multi_head_dx_one_path", MHA, {"tf.mha_dx_paths"}),
]


def run(file, cls, dtype="float64", lang="en"):
    """bprop check's own path (build the class, make its inputs, check), in this process."""
    return check_target({"path": str(HERE / f"{file}.py"), "name": cls, "shape": None, "params": {},
                         "dtype": dtype, "strict": False, "lang": lang})


def checks(outcome, status=None):
    return [c for c in outcome.data["checks"] if status is None or c["status"] == status]


def test_every_fixture_is_in_the_table_and_each_twin_is_one_line_away():
    here = {p.stem for p in HERE.glob("*.py")}
    assert here == {case[0] for case in CASES}
    for file in here:
        first = (HERE / f"{file}.py").read_text().splitlines()[0]
        if first.startswith("# Correct: "):
            continue
        assert first.startswith("# Buggy: ") and first.endswith(".py)."), file
        correct = first.rsplit("one line away from ", 1)[1][:-len(".py).")]
        assert file.startswith(correct + "_"), (file, correct)
        a = (HERE / f"{correct}.py").read_text().splitlines()[1:]
        b = (HERE / f"{file}.py").read_text().splitlines()[1:]
        changed = [line for line in difflib.unified_diff(a, b, lineterm="", n=0)
                   if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        assert [c[0] for c in changed] == ["-", "+"], (file, changed)


@pytest.mark.parametrize("file, cls, keys", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_verdict_and_the_cause_named(file, cls, keys):
    outcome = run(file, cls)
    failed = {c["key"] for c in checks(outcome, "fail")}
    assert failed == keys, outcome.text
    assert outcome.code == (1 if keys else 0) and outcome.data["verdict"] == ("fail" if keys else "pass")
    assert "Traceback" not in outcome.text


CORRECT = [(f, c) for f, c, keys in CASES if not keys]


@pytest.mark.parametrize("file, cls", CORRECT, ids=[f"{f}:{c}" for f, c in CORRECT])
def test_correct_files_pass_against_central_differences_and_bprops_layer(file, cls):
    outcome = run(file, cls)
    assert outcome.data["ok"] and outcome.data["gradients"], outcome.text
    assert all(row["ok"] for row in outcome.data["gradients"])
    assert "reference.ok" in {c["key"] for c in checks(outcome, "pass")}, outcome.text


def test_the_checker_feeds_a_causal_attention_a_mask_and_names_the_gradients_as_the_learner_does():
    outcome = run("attention", SDPA)
    assert "inputs: q (2, 4, 3) float64, k (2, 4, 3) float64, v (2, 4, 2) float64, mask (4, 4) bool" in outcome.text
    assert [r["target"] for r in outcome.data["gradients"]] == ["dq", "dk", "dv"]
    lists = run("multi_head_lists", MHA)
    assert [r["target"] for r in lists.data["gradients"]] == ["dq", "dk", "dv", "dW_q", "dW_k", "dW_v", "dW_o"]
    cross = run("forms", "CrossAttention")
    assert [r["target"] for r in cross.data["gradients"]][:4] == ["dx", "dmemory", "dW_q", "dW_k"]
    assert "[eps = 0.1] forward agrees with bprop.layers.LayerNorm" in run("layer_norm", LN).text


def test_float32_classes_are_checked_too():
    assert run("multi_head", MHA, dtype="float32").code == 0
    assert run("attention_dq_dk_swapped", SDPA, dtype="float32").code == 1


@pytest.mark.parametrize("file, cls, phrase", [
    ("layer_norm_no_mean_terms", LN, "dx: dx leaves out both mean terms"),
    ("layer_norm_ddof1", LN, "your variance divides by D − 1 (ddof=1)"),
    ("layer_norm_eps_outside", LN, "[eps = 0.1] forward differs from bprop.layers.LayerNorm"),
    ("attention_softmax_axis", SDPA, "A = softmax(scores, axis=-1)"),
    ("attention_no_scale", SDPA, "the scores lack the factor 1/√d_k"),
    ("attention_mask_after_softmax", SDPA, "scores = np.where(mask, scores, -np.inf)"),
    ("attention_causal_sees_next", SDPA, "lets position i see position i + 1"),
    ("attention_dq_dk_swapped", SDPA, "dq: dq and dk are swapped"),
    ("multi_head_split_order", MHA, "splits the heads with reshape(N, h, T, d_k)"),
    ("multi_head_merge_order", MHA, "joins the heads with reshape(N, T, d_model)"),
    ("multi_head_dx_one_path", MHA, "dx has only the path through Q; the input feeds K, V too"),
    ("multi_head_scale_d_model", MHA, "np.sqrt(d_model // num_heads)"),
])
def test_the_named_cause_says_what_to_write(file, cls, phrase):
    assert phrase in run(file, cls).text


def test_the_causes_read_in_japanese_too():
    assert "softmax の後に掛けているので" in run("attention_mask_after_softmax", SDPA, lang="ja").text
    assert "dx で平均の 2 つの項がどちらも抜けています" in run("layer_norm_no_mean_terms", LN, lang="ja").text
    assert "ヘッドを reshape(N, h, T, d_k) で分割している" in run("multi_head_split_order", MHA, lang="ja").text


# --- what a class is ---------------------------------------------------------------------------------


def test_a_class_is_told_by_its_name_and_forward_and_book2s_attention_stays_book2s():
    from support import learner

    kinds = {cls: learner_transformer.kind_of(learner(f"transformer/{file}", cls)) for file, cls in CORRECT}
    assert kinds == {LN: "layernorm", SDPA: "attention", MHA: "multihead", "Attention": "attention",
                     "SelfAttention": "attention", "LayerNormalization": "layernorm", "CrossAttention": "multihead"}
    for cls in ("Attention", "TimeAttention", "AttentionWeight", "WeightSum"):
        assert learner_transformer.kind_of(learner("book2/attention", cls)) is None


def test_the_mask_keeps_two_keys_in_every_row_under_either_reading_and_the_next_position_seen():
    mask = build_transformer.attention_mask(4, 4)
    assert (mask.sum(axis=1) >= 2).all() and ((~mask).sum(axis=1) >= 2).all()
    assert mask[np.arange(3), np.arange(1, 4)].all() and mask[0, 0]


# --- the formulas the causes compare with --------------------------------------------------------------


def test_transformer_math_is_bprops_layernorm_and_each_slip_moves_dx_alone():
    rng = np.random.default_rng(1)
    x, gamma, beta, dout = rng.standard_normal((2, 3, 4)), rng.uniform(0.5, 1.5, 4), rng.standard_normal(4), \
        rng.standard_normal((2, 3, 4))
    layer = L.LayerNorm(gamma.copy(), beta.copy())
    y, cache = tm.ln_forward(x, gamma, beta, 1e-5)
    np.testing.assert_allclose(y, layer.forward(x), atol=1e-12)
    dx, dgamma, dbeta = tm.ln_backward(gamma, cache, dout)
    np.testing.assert_allclose(dx, layer.backward(dout), atol=1e-12)
    np.testing.assert_allclose(dgamma, layer.dgamma, atol=1e-12)
    np.testing.assert_allclose(dbeta, layer.dbeta, atol=1e-12)
    for slip in tm.LN_SLIPS:
        wrong = tm.ln_backward(gamma, cache, dout, slip)
        assert np.abs(wrong[0] - dx).max() > 1e-3 and np.array_equal(wrong[1], dgamma), slip
    for variant in tm.LN_FORWARDS:
        other, right = tm.ln_forward(x, gamma, beta, 0.1, variant)[0], tm.ln_forward(x, gamma, beta, 0.1)[0]
        assert np.abs(other - right).max() > 1e-3, variant


def test_transformer_math_is_bprops_attention_masked_and_causal_and_each_slip_differs():
    rng = np.random.default_rng(2)
    q, k, v = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 2))
    mask, dout = build_transformer.attention_mask(4, 4), rng.standard_normal((2, 4, 2))
    layer = L.ScaledDotProductAttention(causal=True)
    out, cache = tm.attention_forward(q, k, v, mask, causal=True)
    np.testing.assert_allclose(out, layer.forward(q, k, v, mask=mask), atol=1e-12)
    right = tm.attention_backward(cache, dout)
    for a, b in zip(right, layer.backward(dout)):
        np.testing.assert_allclose(a, b, atol=1e-12)
    for variant in tm.ATTENTION_FORWARDS:
        assert np.abs(tm.attention_forward(q, k, v, mask, True, variant)[0] - out).max() > 1e-3, variant
    for slip in tm.ATTENTION_SLIPS:
        wrong = tm.attention_backward(cache, dout, slip)
        assert max(np.abs(a - b).max() for a, b in zip(wrong, right)) > 1e-3, slip


@pytest.mark.parametrize("cross", [False, True], ids=["self", "cross"])
def test_transformer_math_is_bprops_multi_head_attention(cross):
    rng = np.random.default_rng(3)
    layer = L.MultiHeadAttention(8, 2, causal=not cross, rng=4)
    for name in layer.param_names:
        getattr(layer, name)[...] = rng.standard_normal(getattr(layer, name).shape) / 3
    x, memory = rng.standard_normal((2, 4, 8)), rng.standard_normal((2, 5, 8))
    P = [getattr(layer, name).copy() for name in layer.param_names]
    xs = (x, memory, memory) if cross else (x, x, x)
    out, cache = tm.mha_forward(P, xs, 2, causal=not cross)
    np.testing.assert_allclose(out, layer.forward(x, memory) if cross else layer.forward(x), atol=1e-12)
    dout = rng.standard_normal(out.shape)
    theirs = layer.backward(dout)
    dxs, grads = tm.mha_backward(P, cache, dout)
    for a, b in zip(learner_transformer.input_grads(dxs, 2 if cross else 1), theirs if cross else (theirs,)):
        np.testing.assert_allclose(a, b, atol=1e-12)
    for name, g in zip(layer.param_names, grads):
        np.testing.assert_allclose(g, getattr(layer, "d" + name), atol=1e-12)
    for slip in tm.MHA_SLIPS:
        assert np.abs(tm.mha_backward(P, cache, dout, slip)[1][0] - grads[0]).max() > 1e-3, slip
