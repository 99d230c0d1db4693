"""Texts of the named slips of book 2's GRU, TimeAffine, attention layers, EmbeddingDot, NegativeSamplingLoss and
TimeBiLSTM (``bprop.gradcheck.causes_sequence``, ``bprop.gradcheck.causes_book2``), and of a parameter that a
``params`` list holds more than once."""

_DIFFERS = {
    "en": "forward differs from bprop.layers.{ref} (at {index} yours gives {got:.6g}, bprop gives {want:.6g}): ",
    "ja": "forward の出力が bprop.layers.{ref} と違います（{index} であなたの値は {got:.6g}、bprop は {want:.6g}）。",
}
_RAISED = {"en": "{where} raised {error}: ", "ja": "{where} で例外が発生しました: {error}。"}


def _forward(en: str, ja: str) -> dict[str, str]:
    return {"en": _DIFFERS["en"] + en, "ja": _DIFFERS["ja"] + ja}


def _raised(en: str, ja: str) -> dict[str, str]:
    return {"en": _RAISED["en"] + en, "ja": _RAISED["ja"] + ja}


MESSAGES: dict[str, dict[str, str]] = {
    "seq.backward_is_books": {
        "en": "{target} is the gradient of the book's {layer}, but your forward computes {form} (the reference check "
        "says so): backward and forward must describe one function; make forward the book's and this gradient "
        "agrees",
        "ja": "{target} は本書の {layer} の勾配ですが、あなたの forward は {form} を計算しています（参照との比較を"
        "参照）。backward と forward は同じ関数を表さなければなりません。forward を本書の形に直せば、この勾配は"
        "一致します",
    },
    "seq.shared_param": {
        "en": "params holds the same array {count} times ({slots}): its gradient is the sum of those grads, as book "
        "2's Trainer adds them (remove_duplicate); checked as one parameter {name}",
        "ja": "params に同じ配列が {count} 回入っています（{slots}）。その勾配は対応する grads の和です（本書の "
        "Trainer が remove_duplicate で足し合わせるのと同じ）。1 つのパラメータ {name} としてチェックしました",
    },
    # --- GRU ----------------------------------------------------------------------------
    "seq.gru_gate_order": _forward(
        "your forward takes z from the second block of A and r from the first; book 2 (and bprop) slice z, r, ĥ: "
        "z = A[:, :H], r = A[:, H:2*H], ĥ from A[:, 2*H:], and backward stacks dA in the same order: "
        "np.hstack((dz, dr, dt))",
        "あなたの forward は z を A の 2 番目のブロックから、r を 1 番目から取っています。本書（と bprop）の順は "
        "z, r, ĥ です: z = A[:, :H]、r = A[:, H:2*H]、ĥ は A[:, 2*H:] から。backward でも同じ順に dA を並べて"
        "ください: np.hstack((dz, dr, dt))"),
    "seq.gru_mix_swapped": _forward(
        "your forward returns h_next = z·h_prev + (1 − z)·ĥ; book 2 (and bprop) let z admit the new state: "
        "h_next = (1 - z) * h_prev + z * h_hat (torch.nn.GRU writes yours, with z's role reversed; the backward "
        "must differentiate the form forward computes)",
        "あなたの forward は h_next = z·h_prev + (1 − z)·ĥ を返しています。本書（と bprop）では z が新しい状態を"
        "取り込む側です: h_next = (1 - z) * h_prev + z * h_hat（torch.nn.GRU はあなたの形で、z の役割が逆です。"
        "backward は forward が計算する形を微分してください）"),
    "seq.gru_reset_after": _forward(
        "your forward applies r after the product with Whh, ĥ = tanh(x·Wxh + r⊙(h_prev·Whh) + bh) (torch.nn.GRU's "
        "form); book 2 (and bprop) reset h_prev before it: h_hat = np.tanh(x @ Wxh + (r * h_prev) @ Whh + bh)",
        "あなたの forward は r を Whh との積の後に掛けています: ĥ = tanh(x·Wxh + r⊙(h_prev·Whh) + bh)"
        "（torch.nn.GRU の形）。本書（と bprop）は積の前に h_prev をリセットします: "
        "h_hat = np.tanh(x @ Wxh + (r * h_prev) @ Whh + bh)"),
    "seq.gru_no_reset": _forward(
        "your forward never uses the reset gate: ĥ = tanh(x·Wxh + h_prev·Whh + bh); r multiplies h_prev before "
        "Whh: h_hat = np.tanh(x @ Wxh + (r * h_prev) @ Whh + bh)",
        "あなたの forward はリセットゲート r を使っていません: ĥ = tanh(x·Wxh + h_prev·Whh + bh)。r は Whh の前に "
        "h_prev に掛けます: h_hat = np.tanh(x @ Wxh + (r * h_prev) @ Whh + bh)"),
    "seq.gru_no_direct": {
        "en": "{target}: dh_prev leaves out the direct path; h_next = (1 − z)·h_prev + z·ĥ, so dh_prev starts with "
        "dh_next * (1 - z) before the paths through z, r and ĥ are added",
        "ja": "{target}: dh_prev で直接の経路が抜けています。h_next = (1 − z)·h_prev + z·ĥ なので、dh_prev は "
        "dh_next * (1 - z) から始め、そこに z、r、ĥ を通る経路を足します",
    },
    "seq.gru_no_reset_path": {
        "en": "{target}: dh_prev leaves out the path through r·h_prev inside ĥ; add r * (dt @ Wh[:, 2*H:].T), "
        "where dt is the gradient of ĥ's pre-activation",
        "ja": "{target}: dh_prev で ĥ の中の r·h_prev を通る経路が抜けています。dt を ĥ の活性化前の勾配として "
        "r * (dt @ Wh[:, 2*H:].T) を足してください",
    },
    "seq.gru_no_gate_path": {
        "en": "{target}: dh_prev leaves out the paths through the gates; z and r are computed from h_prev too, so "
        "add dz @ Wh[:, :H].T + dr @ Wh[:, H:2*H].T",
        "ja": "{target}: dh_prev でゲートを通る経路が抜けています。z と r も h_prev から計算されるので "
        "dz @ Wh[:, :H].T + dr @ Wh[:, H:2*H].T を足してください",
    },
    # --- TimeAffine ---------------------------------------------------------------------
    "seq.time_affine_rows_order": {
        "en": "{target}: x and dout are flattened to rows in different orders, so each x_nt meets another step's "
        "dout; reshape both the same way, keeping (N, T) order: rows = dout.reshape(N * T, -1) and "
        "x.reshape(N * T, -1) (no transpose on one of them only)",
        "ja": "{target}: x と dout を行に並べる順序が違うので、各 x_nt が別の時刻の dout と掛け合わされています。"
        "両方を (N, T) の順のまま同じように reshape してください: rows = dout.reshape(N * T, -1) と "
        "x.reshape(N * T, -1)（片方だけ transpose しない）",
    },
    "seq.time_affine_one_step": {
        "en": "{target} is the gradient of step t = {t} alone: W and b are used at every step, so their gradients "
        "sum over all N·T rows: dW = x.reshape(N * T, -1).T @ rows, db = rows.sum(axis=0) with "
        "rows = dout.reshape(N * T, -1)",
        "ja": "{target} が時刻 t = {t} だけの勾配になっています。W と b はすべての時刻で使われるので、勾配は N·T 行"
        "すべての和です: rows = dout.reshape(N * T, -1) として dW = x.reshape(N * T, -1).T @ rows、"
        "db = rows.sum(axis=0)",
    },
    "seq.time_mean_not_sum": {
        "en": "{target} is 1/{count} of the right value: a mean over the N·T = {count} rows where a sum belongs "
        "(rows.sum(axis=0), not rows.mean(axis=0); the loss has divided already)",
        "ja": "{target} が正しい値の 1/{count} です。N·T = {count} 行は平均ではなく和を取ります"
        "（rows.mean(axis=0) ではなく rows.sum(axis=0)。割り算は損失ですでに済んでいます）",
    },
    "seq.time_affine_db_axis": {
        "en": "{target} = {form} sums over the wrong axes: the bias's gradient sums over N and T, keeping the M "
        "outputs: db = dout.sum(axis=(0, 1)) (T equals M here, so the shape gave no error)",
        "ja": "{target} = {form} は和を取る軸が違います。バイアスの勾配は N と T について足し、出力 M を残します: "
        "db = dout.sum(axis=(0, 1))（ここでは T と M が等しいので形状エラーになりませんでした）",
    },
    "seq.time_affine_db_shape": _raised(
        "db = {form} leaves shape {got}, one value per step (or per row): a Time layer's bias gets the gradient "
        "of every step of every sequence; sum over N and T: db = dout.sum(axis=(0, 1)), or over the N*T rows: "
        "dout.reshape(N * T, -1).sum(axis=0)",
        "db = {form} は形状 {got} で、時刻（または行）ごとの値が残っています。Time レイヤのバイアスにはすべての"
        "系列・すべての時刻の勾配が集まります。N と T について足してください: db = dout.sum(axis=(0, 1))、または "
        "N*T 行について dout.reshape(N * T, -1).sum(axis=0)"),
    # --- attention ----------------------------------------------------------------------
    "seq.attention_softmax_axis": _forward(
        "your softmax runs over axis 0, across the batch; the weights of one sequence sum to 1 over its T steps: "
        "softmax over axis 1 of the scores (N, T), each row's max subtracted first",
        "softmax を axis 0（バッチ方向）で計算しています。1 つの系列の重みは T 個の時刻で和が 1 になります: "
        "スコア (N, T) の axis 1 で、各行の最大値を引いてから softmax を取ってください"),
    "seq.attention_no_softmax_grad": {
        "en": "{target}: backward skips the softmax's derivative (ds = da); a = softmax(s), so "
        "ds = a * (da - np.sum(a * da, axis=1, keepdims=True)) before dhs and dh",
        "ja": "{target}: backward で softmax の微分を飛ばしています（ds = da）。a = softmax(s) なので、dhs と dh の"
        "前に ds = a * (da - np.sum(a * da, axis=1, keepdims=True)) としてください",
    },
    "seq.attention_softmax_grad_axis": {
        "en": "{target}: the softmax's backward sums over axis 0, the batch; the weights were normalised over the "
        "T steps of each row: ds = a * (da - np.sum(a * da, axis=1, keepdims=True))",
        "ja": "{target}: softmax の逆伝播で axis 0（バッチ方向）の和を取っています。重みは各行の T 個の時刻で"
        "正規化したので ds = a * (da - np.sum(a * da, axis=1, keepdims=True)) です",
    },
    "seq.weightsum_dhs_no_a": {
        "en": "{target} is dc copied to every step without the weights: c = Σ_t a_t·hs_t, so the sum's backward "
        "copies dc over T (repeat) and the product's multiplies by a: dhs = dc[:, np.newaxis, :] * "
        "a[:, :, np.newaxis]",
        "ja": "{target} が dc を重みなしで全時刻にコピーしただけになっています。c = Σ_t a_t·hs_t なので、和の逆伝播で "
        "dc を T 個にコピー（repeat）し、積の逆伝播で a を掛けます: dhs = dc[:, np.newaxis, :] * "
        "a[:, :, np.newaxis]",
    },
    "seq.repeat_mean": {
        "en": "{target} is 1/{count} of the right value: forward repeats {name} {count} times along axis {axis} "
        "(repeat, or broadcasting), and a repeat's backward adds the copies' gradients: {fix}, not np.mean",
        "ja": "{target} が正しい値の 1/{count} です。forward で {name} を axis {axis} に沿って {count} 回繰り返して"
        "います（repeat やブロードキャスト）。repeat の逆伝播はコピーの勾配の和です: np.mean ではなく {fix}",
    },
    "seq.attention_one_path": {
        "en": "{target} has only one of its two paths: hs feeds both AttentionWeight and WeightSum, so its "
        "gradient is the sum of both backwards: dhs = dhs0 + dhs1",
        "ja": "{target} に 2 つの経路の片方しか入っていません。hs は AttentionWeight と WeightSum の両方に入るので、"
        "勾配は両方の逆伝播の和です: dhs = dhs0 + dhs1",
    },
    "seq.time_attention_enc_last": {
        "en": "{target} is the last decoder step's alone: every step attends to the same hs_enc, so add each "
        "step's gradient into the total (dhs_enc += dhs), not dhs_enc = dhs",
        "ja": "{target} がデコーダの最後の時刻の分だけになっています。どの時刻も同じ hs_enc を参照するので、各時刻の"
        "勾配を合計に足してください（dhs_enc = dhs ではなく dhs_enc += dhs）",
    },
    # --- EmbeddingDot, NegativeSamplingLoss ---------------------------------------------
    "seq.dout_not_column": _raised(
        "dout holds one score per row of h, and as shape {got} NumPy cannot pair it with the ({N}, {H}) rows; make "
        "it a column first: dout = dout.reshape(dout.shape[0], 1)",
        "dout は h の行ごとに 1 つのスコアですが、形状 {got} のままでは ({N}, {H}) の配列と掛けられません。先に列に"
        "してください: dout = dout.reshape(dout.shape[0], 1)"),
    "seq.nsl_dh_not_summed": {
        "en": "{target} is only the last EmbeddingDot's gradient: h feeds all {count} of them (the target and {S} "
        "negative samples), so add them up: dh = 0, then dh += l1.backward(dscore) in the loop",
        "ja": "{target} が最後の EmbeddingDot の勾配だけになっています。h は {count} 個すべて（正解と {S} 個の負例）に"
        "入るので足し合わせてください: dh = 0 とし、ループ内で dh += l1.backward(dscore)",
    },
    # --- TimeBiLSTM ---------------------------------------------------------------------
    "seq.bilstm_hs_not_flipped": _forward(
        "the backward LSTM's hs stays in reversed time; it read xs[:, ::-1], so flip its output back before "
        "joining: o2 = self.backward_lstm.forward(xs[:, ::-1])[:, ::-1]",
        "逆方向の LSTM の hs が逆順の時刻のままです。xs[:, ::-1] を読んだので、連結する前に出力を元の順に戻して"
        "ください: o2 = self.backward_lstm.forward(xs[:, ::-1])[:, ::-1]"),
    "seq.bilstm_dxs_not_flipped": {
        "en": "{target}: the backward LSTM's dxs comes out in reversed time and is added unflipped; flip it back "
        "before the sum: dxs = dxs1 + dxs2[:, ::-1]",
        "ja": "{target}: 逆方向の LSTM の dxs は逆順の時刻で出てくるのに、そのまま足しています。足す前に元の順に"
        "戻してください: dxs = dxs1 + dxs2[:, ::-1]",
    },
    "seq.bilstm_dhs_not_flipped": {
        "en": "{target}: the backward LSTM gets dhs[:, :, H:] in forward time order, but it ran over the reversed "
        "sequence; flip it first: self.backward_lstm.backward(dhs[:, ::-1, H:])",
        "ja": "{target}: 逆方向の LSTM に dhs[:, :, H:] を時刻の順のまま渡していますが、その LSTM は逆順の系列を"
        "処理しました。先に反転してください: self.backward_lstm.backward(dhs[:, ::-1, H:])",
    },
}
