"""Texts of the named slips of a learner's LayerNorm, scaled dot-product attention and multi-head attention
(``bprop.gradcheck.causes_transformer``): what the forward or backward computes, and the line that fixes it."""

_DIFFERS = {
    "en": "forward differs from bprop.layers.{ref} (at {index} yours gives {got:.6g}, bprop gives {want:.6g}): ",
    "ja": "forward の出力が bprop.layers.{ref} と違います（{index} であなたの値は {got:.6g}、bprop は {want:.6g}）。",
}


def _forward(en: str, ja: str) -> dict[str, str]:
    return {"en": _DIFFERS["en"] + en, "ja": _DIFFERS["ja"] + ja}


MESSAGES: dict[str, dict[str, str]] = {
    "tf.backward_after_variant": {
        "en": "{target} is the gradient of {layer} written the usual way, but your forward computes {form}: "
        "backward and forward must describe one function; fix forward (the reference check shows where it "
        "differs) and this gradient agrees",
        "ja": "{target} は通常の形で書いた {layer} の勾配ですが、あなたの forward は {form} を計算しています。"
        "backward と forward は同じ関数を表さなければなりません。forward を直せば（違う箇所は参照との比較を参照）、"
        "この勾配は一致します",
    },
    # --- LayerNorm ------------------------------------------------------------------------
    "tf.ln_ddof1": _forward(
        "your variance divides by D − 1 (ddof=1); LayerNorm (like bprop and torch.nn.LayerNorm) takes the biased "
        "variance over the D features: var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)",
        "分散を D − 1 で割っています（ddof=1）。LayerNorm（bprop や torch.nn.LayerNorm も）は D 個の特徴についての"
        "不偏でない分散を使います: var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)"),
    "tf.ln_eps_outside": _forward(
        "eps is added outside the square root, (√σ² + eps); it belongs inside: std = np.sqrt(var + self.eps) "
        "(with eps = 0.1 the two part clearly; at 1e-5 they differ by about 1e-5)",
        "eps を平方根の外で足しています（√σ² + eps）。eps は平方根の中です: std = np.sqrt(var + self.eps)"
        "（eps = 0.1 では両者ははっきり違い、1e-5 では 1e-5 程度の違いです）"),
    "tf.ln_no_mean_terms": {
        "en": "{target}: dx leaves out both mean terms; μ and σ² depend on every feature of the vector, so "
        "dx = (dxn - dxn.mean(axis=-1, keepdims=True) - xn * (dxn * xn).mean(axis=-1, keepdims=True)) / std, "
        "with dxn = dout * gamma",
        "ja": "{target}: dx で平均の 2 つの項がどちらも抜けています。μ と σ² はベクトルのすべての特徴に依存するので "
        "dxn = dout * gamma として dx = (dxn - dxn.mean(axis=-1, keepdims=True) - xn * (dxn * xn).mean(axis=-1, "
        "keepdims=True)) / std です",
    },
    "tf.ln_no_dmu": {
        "en": "{target}: dx leaves out the path through the mean μ; subtract dxn.mean(axis=-1, keepdims=True) "
        "(dxn = dout * gamma) before dividing by std",
        "ja": "{target}: dx で平均 μ を通る経路が抜けています。std で割る前に dxn.mean(axis=-1, keepdims=True) を"
        "引いてください（dxn = dout * gamma）",
    },
    "tf.ln_no_dvar": {
        "en": "{target}: dx leaves out the path through the variance σ²; subtract "
        "xn * (dxn * xn).mean(axis=-1, keepdims=True) (dxn = dout * gamma) before dividing by std",
        "ja": "{target}: dx で分散 σ² を通る経路が抜けています。std で割る前に "
        "xn * (dxn * xn).mean(axis=-1, keepdims=True) を引いてください（dxn = dout * gamma）",
    },
    "tf.ln_sum_not_mean": {
        "en": "{target}: the mean terms of dx are sums over the features; μ and σ² are means over the D features, "
        "so their terms are means too: dxn.mean(axis=-1, keepdims=True), not dxn.sum(axis=-1, keepdims=True)",
        "ja": "{target}: dx の平均の項が特徴についての和になっています。μ と σ² は D 個の特徴の平均なので、その項も"
        "平均です: dxn.sum(axis=-1, keepdims=True) ではなく dxn.mean(axis=-1, keepdims=True)",
    },
    # --- attention: forward -------------------------------------------------------------
    "tf.softmax_axis": _forward(
        "your softmax runs over the queries (axis −2); each query's weights sum to 1 over the keys: "
        "A = softmax(scores, axis=-1)",
        "softmax をクエリの方向（axis −2）で計算しています。各クエリの重みはキーについて和が 1 になります: "
        "A = softmax(scores, axis=-1)"),
    "tf.no_scale": _forward(
        "the scores lack the factor 1/√d_k: scores = q @ k.swapaxes(-1, -2) / np.sqrt(d_k), with d_k = "
        "q.shape[-1] (without it the softmax saturates as d_k grows)",
        "スコアに 1/√d_k が掛かっていません: d_k = q.shape[-1] として scores = q @ k.swapaxes(-1, -2) / "
        "np.sqrt(d_k)（これがないと d_k が大きいとき softmax が飽和します）"),
    "tf.scale_not_sqrt": _forward(
        "the scores are divided by d_k; the factor is 1/√d_k: scores = q @ k.swapaxes(-1, -2) / np.sqrt(d_k)",
        "スコアを d_k で割っています。掛けるのは 1/√d_k です: scores = q @ k.swapaxes(-1, -2) / np.sqrt(d_k)"),
    "tf.scale_d_model": _forward(
        "the scores are divided by √d_model; each head attends in d_k = d_model / num_heads dimensions, so the "
        "factor is 1/√d_k: scores = Q @ K.swapaxes(-1, -2) / np.sqrt(d_model // num_heads)",
        "スコアを √d_model で割っています。各ヘッドは d_k = d_model / num_heads 次元で注意を計算するので、掛けるのは "
        "1/√d_k です: scores = Q @ K.swapaxes(-1, -2) / np.sqrt(d_model // num_heads)"),
    "tf.mask_after_softmax": _forward(
        "the mask is applied after the softmax, so the kept weights no longer sum to 1; mask the scores before "
        "it: scores = np.where(mask, scores, -np.inf) (or -1e9), then A = softmax(scores)",
        "マスクを softmax の後に掛けているので、残った重みの和が 1 になりません。softmax の前にスコアをマスクしてください: "
        "scores = np.where(mask, scores, -np.inf)（または -1e9）、その後 A = softmax(scores)"),
    "tf.causal_sees_next": _forward(
        "your causal mask lets position i see position i + 1; a position may attend to itself and the past only: "
        "allowed = np.tril(np.ones((T, T), dtype=bool)) (or hide np.triu(np.ones((T, T)), k=1), not k=2)",
        "因果マスクで位置 i から位置 i + 1 が見えています。見てよいのは自分自身と過去だけです: "
        "allowed = np.tril(np.ones((T, T), dtype=bool))（または np.triu(np.ones((T, T)), k=1) を隠す。k=2 ではない）"),
    # --- attention: backward ------------------------------------------------------------
    "tf.dq_dk_swapped": {
        "en": "{target}: dq and dk are swapped; S = q·kᵀ/√d_k, so dq = dS @ k / np.sqrt(d_k) and "
        "dk = dS.swapaxes(-1, -2) @ q / np.sqrt(d_k)",
        "ja": "{target}: dq と dk が入れ替わっています。S = q·kᵀ/√d_k なので dq = dS @ k / np.sqrt(d_k)、"
        "dk = dS.swapaxes(-1, -2) @ q / np.sqrt(d_k) です",
    },
    "tf.dk_no_transpose": {
        "en": "{target}: dk = dS @ q misses a transpose; k enters S as kᵀ, so dk = dS.swapaxes(-1, -2) @ q / "
        "np.sqrt(d_k) (T_q = T_k here, so the shapes gave no error)",
        "ja": "{target}: dk = dS @ q で転置が抜けています。k は S に kᵀ として入るので dk = dS.swapaxes(-1, -2) @ q / "
        "np.sqrt(d_k) です（ここでは T_q = T_k なので形状エラーになりませんでした）",
    },
    "tf.backward_no_scale": {
        "en": "{target}: backward leaves out the factor 1/√d_k that forward applied to the scores; "
        "dS = A * (dA - (A * dA).sum(axis=-1, keepdims=True)) / np.sqrt(d_k) before dq and dk",
        "ja": "{target}: forward でスコアに掛けた 1/√d_k が backward で抜けています。dq と dk の前に "
        "dS = A * (dA - (A * dA).sum(axis=-1, keepdims=True)) / np.sqrt(d_k) としてください",
    },
    "tf.softmax_grad_axis": {
        "en": "{target}: the softmax's backward sums over the queries (axis −2); the weights were normalised over "
        "the keys: dS = A * (dA - (A * dA).sum(axis=-1, keepdims=True))",
        "ja": "{target}: softmax の逆伝播でクエリ方向（axis −2）の和を取っています。重みはキーについて正規化したので "
        "dS = A * (dA - (A * dA).sum(axis=-1, keepdims=True)) です",
    },
    "tf.no_softmax_grad": {
        "en": "{target}: backward skips the softmax's derivative (dS = dA); A = softmax(S), so "
        "dS = A * (dA - (A * dA).sum(axis=-1, keepdims=True))",
        "ja": "{target}: backward で softmax の微分を飛ばしています（dS = dA）。A = softmax(S) なので "
        "dS = A * (dA - (A * dA).sum(axis=-1, keepdims=True)) です",
    },
    "tf.dv_no_transpose": {
        "en": "{target}: dv = A @ dout misses a transpose; out = A·v, so dv = A.swapaxes(-1, -2) @ dout",
        "ja": "{target}: dv = A @ dout で転置が抜けています。out = A·v なので dv = A.swapaxes(-1, -2) @ dout です",
    },
    # --- multi-head ---------------------------------------------------------------------
    "tf.mha_split_order": _forward(
        "your forward splits the heads with {split}, which gives each head other positions' columns; split with "
        "Q.reshape(N, T, num_heads, d_k).transpose(0, 2, 1, 3) (head i: columns i·d_k … (i+1)·d_k − 1, as torch)",
        "ヘッドを {split} で分割しているので、各ヘッドに別の位置の列が入ります。"
        "Q.reshape(N, T, num_heads, d_k).transpose(0, 2, 1, 3) で分割してください（ヘッド i は列 i·d_k … "
        "(i+1)·d_k − 1、torch と同じ）"),
    "tf.mha_join_order": _forward(
        "your forward joins the heads with {join}, which is not the inverse of the split; join with "
        "out.transpose(0, 2, 1, 3).reshape(N, T, d_model)",
        "ヘッドを {join} で結合していて、分割の逆になっていません。"
        "out.transpose(0, 2, 1, 3).reshape(N, T, d_model) で結合してください"),
    "tf.mha_heads_order": _forward(
        "your forward splits the heads with {split} and joins them with {join}; torch's layout (and bprop's) is "
        "Q.reshape(N, T, num_heads, d_k).transpose(0, 2, 1, 3), joined by out.transpose(0, 2, 1, 3).reshape(N, "
        "T, d_model)",
        "ヘッドを {split} で分割し、{join} で結合しています。torch（と bprop）の並びは "
        "Q.reshape(N, T, num_heads, d_k).transpose(0, 2, 1, 3) で、結合は out.transpose(0, 2, 1, 3).reshape(N, "
        "T, d_model) です"),
    "tf.mha_heads_gradient": {
        "en": "{target} follows the heads' split and join of your backward, which are not the inverses of your "
        "forward's (the reference check says how forward splits them); once forward splits the heads as torch "
        "does, backward splits dout the way forward joins, and joins dq, dk, dv the way forward splits",
        "ja": "{target} はあなたの backward のヘッドの分割と結合に従っていますが、それは forward の逆になっていません"
        "（forward の分割は参照との比較を参照）。forward を torch と同じ分割に直したら、backward では forward の結合と"
        "同じ形で dout を分割し、forward の分割と同じ形で dq, dk, dv を結合してください",
    },
    "tf.mha_backward_split": {
        "en": "{target}: backward splits the joined heads' gradient without the transpose; forward joined them "
        "with transpose(0, 2, 1, 3), so dheads = djoined.reshape(N, T, num_heads, d_k).transpose(0, 2, 1, 3)",
        "ja": "{target}: backward で結合したヘッドの勾配を転置なしで分割しています。forward は transpose(0, 2, 1, 3) "
        "で結合したので dheads = djoined.reshape(N, T, num_heads, d_k).transpose(0, 2, 1, 3) です",
    },
    "tf.mha_backward_join": {
        "en": "{target}: backward joins dq, dk, dv without the transpose; forward split Q, K, V with "
        "transpose(0, 2, 1, 3), so dQ = dq.transpose(0, 2, 1, 3).reshape(N, T, d_model) (dK, dV alike)",
        "ja": "{target}: backward で dq, dk, dv を転置なしで結合しています。forward は Q, K, V を "
        "transpose(0, 2, 1, 3) で分割したので dQ = dq.transpose(0, 2, 1, 3).reshape(N, T, d_model) です"
        "（dK, dV も同様）",
    },
    "tf.mha_dx_paths": {
        "en": "{target} has only the path through {kept}; the input feeds {missing} too, so add their gradients: "
        "dx = dQ @ W_q.T + dK @ W_k.T + dV @ W_v.T (self-attention)",
        "ja": "{target} に {kept} を通る経路しか入っていません。入力は {missing} にも入るので、その勾配も足してください: "
        "dx = dQ @ W_q.T + dK @ W_k.T + dV @ W_v.T（自己注意）",
    },
}
