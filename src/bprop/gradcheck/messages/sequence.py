"""Texts of the checks of book 2's layers: several outputs, gradients written in place, a Time layer against its
cell, stateful runs, and the named slips of ``bprop.gradcheck.causes_sequence``."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- what forward and backward return -----------------------------------------------
    "seq.backward_takes": {
        "en": " — backward takes {count} gradient(s) from above, so forward must return one array per gradient "
        "it takes",
        "ja": "。backward が上流から受け取る勾配は {count} 個なので、forward はその数だけ配列を返してください",
    },
    "seq.lstm_outputs": {
        "en": "{layer}.forward returned {got}, but an LSTM cell returns two arrays, (h_next, c_next): the next "
        "step and book 2's TimeLSTM need the cell state too; end forward with: return h_next, c_next",
        "ja": "{layer}.forward が {got} を返しましたが、LSTM のセルは 2 つの配列 (h_next, c_next) を返します。"
        "次の時刻や本書の TimeLSTM は記憶セルも必要とします。forward の最後を return h_next, c_next としてください",
    },
    "seq.outputs_for_backward": {
        "en": "forward returned {got}, but backward takes {count} gradients ({args}): forward must return "
        "{count} arrays, one for each of them",
        "ja": "forward が {got} を返しましたが、backward は {count} 個の勾配（{args}）を受け取ります。"
        "forward はそれぞれに対応する {count} 個の配列を返してください",
    },
    "seq.expected_grads": {
        "en": "; expected ({want}), one per input of forward, in that order (book 2's LSTM: return dx, dh_prev, "
        "dc_prev)",
        "ja": "。forward の入力ごとに 1 つずつ、({want}) の順に返してください（本書の LSTM なら return dx, "
        "dh_prev, dc_prev）",
    },
    "seq.cell_grads": {
        "en": "{layer}.backward returned {got}, but a recurrent cell's backward returns one gradient per input of "
        "forward, ({want}): the step before needs dh_prev",
        "ja": "{layer}.backward が {got} を返しましたが、再帰セルの backward は forward の入力ごとに 1 つずつ "
        "({want}) を返します。1 つ前の時刻が dh_prev を必要とします",
    },
    "seq.ids_no_grad": {
        "en": "backward returned a value for the word ids {name}: ids have no gradient (book 2's Embedding "
        "returns None); it is left out",
        "ja": "backward が単語 ID {name} の勾配を返しています。ID に勾配はありません（本書の Embedding は None を"
        "返します）。この値は使いません",
    },
    # --- gradients written in place -----------------------------------------------------
    "seq.grads_in_place": {
        "en": "backward writes the gradients into the arrays of grads (grads[i][...] = …): a model holding "
        "them sees every new gradient",
        "ja": "backward は勾配を grads の配列そのものに書き込んでいます（grads[i][...] = …）。それを持つモデルは"
        "毎回の新しい勾配を受け取れます",
    },
    "seq.grads_rebound": {
        "en": "backward rebinds grads[{index}] to a new array instead of writing into it: book 2's models keep "
        "the arrays from __init__ (self.grads += layer.grads), so the optimizer never sees the new gradient; "
        "write self.grads[{index}][...] = the gradient",
        "ja": "backward が grads[{index}] に新しい配列を代入していて、元の配列に書き込んでいません。本書のモデルは "
        "__init__ で作った配列を持ち続ける（self.grads += layer.grads）ので、オプティマイザに新しい勾配が届きません。"
        "self.grads[{index}][...] = 勾配 と書いてください",
    },
    "seq.grads_list_rebound": {
        "en": "backward replaces the list self.grads with a new one: book 2's models keep the arrays of the "
        "first list (self.grads += layer.grads), so the optimizer never sees the new gradients; write into "
        "them: self.grads[0][...] = dWx, and so on",
        "ja": "backward が self.grads を新しいリストに置き換えています。本書のモデルは最初のリストの配列を持ち続ける"
        "（self.grads += layer.grads）ので、オプティマイザに新しい勾配が届きません。self.grads[0][...] = dWx "
        "のように配列へ書き込んでください",
    },
    # --- a Time layer and its cell ------------------------------------------------------
    "seq.unrolled_ok": {
        "en": "hs equals {cell} run step by step, T = {T} times from h = 0",
        "ja": "hs は {cell} を h = 0 から 1 時刻ずつ T = {T} 回実行した結果と一致します",
    },
    "seq.unrolled_fail": {
        "en": "hs[:, {t}] differs from {cell} run step by step from h = 0: at {index} yours gives {got:.6g}, "
        "the cell gives {want:.6g}",
        "ja": "hs[:, {t}] が {cell} を h = 0 から 1 時刻ずつ実行した結果と違います: {index} であなたの値は "
        "{got:.6g}、セルでは {want:.6g} です",
    },
    "seq.unrolled_carry": {
        "en": "; the steps before {t} agree: is h (and c) passed from one step to the next, "
        "h = layer.forward(xs[:, t, :], h)?",
        "ja": "。時刻 {t} より前は一致しています。h（と c）を次の時刻に渡していますか？"
        "（h = layer.forward(xs[:, t, :], h)）",
    },
    "seq.unrolled_skipped": {
        "en": "hs was not compared with {cell} run step by step: building or running it failed ({error})",
        "ja": "{cell} を 1 時刻ずつ実行した結果とは比較していません。作成か実行に失敗しました（{error}）",
    },
    "seq.state_not_carried": {
        "en": "forward differs from bprop.layers.{ref} (at {index} yours gives {got:.6g}, bprop gives {want:.6g}): "
        "every step starts from h = 0; carry the state, h = layer.forward(xs[:, t, :], h), and keep it in self.h",
        "ja": "forward の出力が bprop.layers.{ref} と違います（{index} であなたの値は {got:.6g}、bprop は {want:.6g}）。"
        "どの時刻も h = 0 から始まっています。h = layer.forward(xs[:, t, :], h) として状態を次に渡し、self.h に"
        "保存してください",
    },
    # --- stateful -----------------------------------------------------------------------
    "seq.stateful_ok": {
        "en": "stateful=True: a second forward continues from the first's last h, as one forward over both blocks",
        "ja": "stateful=True: 2 回目の forward は 1 回目の最後の h から続き、両方のブロックを 1 回で流した結果と一致します",
    },
    "seq.stateful_restarts": {
        "en": "stateful=True, but the second forward starts again from h = 0: keep the last h (self.h = h after "
        "the loop) and start from it when self.stateful and self.h is not None",
        "ja": "stateful=True なのに 2 回目の forward が h = 0 から始まっています。ループの後で最後の h を保存し"
        "（self.h = h）、self.stateful で self.h が None でなければそこから始めてください",
    },
    "seq.stateful_fail": {
        "en": "stateful=True: the second forward does not continue the first as one forward over both blocks "
        "would: at {index} yours gives {got:.6g}, the continued run {want:.6g}",
        "ja": "stateful=True: 2 回目の forward が、両方のブロックを 1 回で流した場合の続きになっていません: "
        "{index} であなたの値は {got:.6g}、続きの値は {want:.6g} です",
    },
    "seq.stateless_carries": {
        "en": "stateful=False, but the second forward continues from the first's h: start from zeros when not "
        "self.stateful (if not self.stateful or self.h is None: self.h = np.zeros((N, H)))",
        "ja": "stateful=False なのに 2 回目の forward が 1 回目の h から続いています。self.stateful でなければゼロから"
        "始めてください（if not self.stateful or self.h is None: self.h = np.zeros((N, H))）",
    },
    # --- named slips --------------------------------------------------------------------
    "seq.lstm_gate_order": {
        "en": "forward differs from bprop.layers.{ref} (at {index} yours gives {got:.6g}, bprop gives {want:.6g}): "
        "your forward slices the gates of A in the order {order}; book 2 (and bprop) slice f, g, i, o: "
        "f = A[:, :H], g = A[:, H:2*H], i = A[:, 2*H:3*H], o = A[:, 3*H:] (torch orders its rows i, f, g, o), "
        "and backward stacks dA in the same order: np.hstack((df, dg, di, do))",
        "ja": "forward の出力が bprop.layers.{ref} と違います（{index} であなたの値は {got:.6g}、bprop は {want:.6g}）。"
        "A のゲートを {order} の順に切り出しています。本書（と bprop）の順は f, g, i, o です: f = A[:, :H]、"
        "g = A[:, H:2*H]、i = A[:, 2*H:3*H]、o = A[:, 3*H:]（torch の並びは i, f, g, o）。backward でも同じ順に "
        "dA を並べてください: np.hstack((df, dg, di, do))",
    },
    "seq.lstm_dA_order": {
        "en": "{target}: forward takes the gates from A in the order {order}, but backward stacks dA as f, g, i, "
        "o: each gate's gradient must go back to the columns forward took the gate from (book 2 uses f, g, i, o "
        "for both)",
        "ja": "{target}: forward は A からゲートを {order} の順に取り出していますが、backward は dA を f, g, i, o の順に"
        "並べています。各ゲートの勾配は forward でそのゲートを取り出した列に戻してください（本書はどちらも f, g, i, o）",
    },
    "seq.lstm_no_tanh": {
        "en": "{target}: ds leaves out tanh's derivative on the way from h_next to c_next; h_next = o·tanh(c_next), "
        "so ds = dc_next + (dh_next * o) * (1 - tanh_c_next ** 2)",
        "ja": "{target}: ds で h_next から c_next への tanh の微分が抜けています。h_next = o·tanh(c_next) なので "
        "ds = dc_next + (dh_next * o) * (1 - tanh_c_next ** 2) です",
    },
    "seq.lstm_no_forget": {
        "en": "{target} = ds: the memory's gradient passes through the forget gate, c_next = f·c_prev + g·i, so "
        "dc_prev = ds * f",
        "ja": "{target} = ds になっています。記憶セルの勾配は忘却ゲートを通ります。c_next = f·c_prev + g·i なので "
        "dc_prev = ds * f です",
    },
    "seq.rnn_no_tanh_grad": {
        "en": "{target}: backward leaves out tanh's derivative; h_next = tanh(a), so "
        "dt = dh_next * (1 - h_next ** 2) before the products with Wx, Wh and the sums",
        "ja": "{target}: backward で tanh の微分が抜けています。h_next = tanh(a) なので、Wx、Wh との積や和の前に "
        "dt = dh_next * (1 - h_next ** 2) としてください",
    },
    "seq.time_dh_not_summed": {
        "en": "{target}: each step's backward gets only dhs[:, t]; the gradient carried back from step t + 1 "
        "must be added: dx, dh = layer.backward(dhs[:, t, :] + dh)",
        "ja": "{target}: 各時刻の backward に dhs[:, t] しか渡していません。時刻 t + 1 から戻ってきた勾配も足して "
        "dx, dh = layer.backward(dhs[:, t, :] + dh) としてください",
    },
    "seq.time_grads_overwritten": {
        "en": "{target} is the gradient of step t = {t} alone: it is overwritten at every step instead of summed "
        "over the T steps; add each step's into a total inside the loop (grads[i] += grad), and write the total "
        "once after it: self.grads[i][...] = grads[i]",
        "ja": "{target} が時刻 t = {t} だけの勾配になっています。T 時刻分を足し合わせずに毎時刻上書きしています。"
        "ループ内で各時刻の勾配を合計に足し（grads[i] += grad）、ループの後で 1 回だけ "
        "self.grads[i][...] = grads[i] と書き込んでください",
    },
    "seq.embedding_overwrites": {
        "en": "{target}: a word id that appears twice keeps only one row's gradient, as dW[idx] = dout does; the "
        "rows of repeated ids must be summed: dW[...] = 0; np.add.at(dW, self.idx, dout)",
        "ja": "{target}: 2 回現れる単語 ID の勾配が 1 行分しか残っていません（dW[idx] = dout の動き）。"
        "重複する ID の行は足し合わせます: dW[...] = 0; np.add.at(dW, self.idx, dout)",
    },
    "seq.ignored_gets_grad": {
        "en": "{target} is not zero where the label is ignore_label = {label}: those steps add no loss, so they "
        "get no gradient; multiply by the mask, dx *= mask[:, np.newaxis]",
        "ja": "{target} がラベル ignore_label = {label} の位置で 0 になっていません。その時刻は損失に含まれないので"
        "勾配もありません。マスクを掛けてください: dx *= mask[:, np.newaxis]",
    },
    "seq.loss_backward_by_all": {
        "en": "{target} is divided by N·T = {every}, every step, where the number of kept labels, {kept}, belongs "
        "(forward averages over those): dx /= mask.sum()",
        "ja": "{target} を全時刻数 N·T = {every} で割っていますが、割るのは無視しないラベルの数 {kept} です"
        "（forward はその平均です）: dx /= mask.sum()",
    },
    "seq.loss_forward_by_all": {
        "en": "forward differs from bprop.layers.{ref} (yours gives {got:.6g}, bprop gives {want:.6g}): the loss "
        "is divided by N·T = {every}, every step, where the number of kept labels, {kept}, belongs: "
        "loss = -np.sum(ls * mask) / mask.sum()",
        "ja": "forward の出力が bprop.layers.{ref} と違います（あなたの値は {got:.6g}、bprop は {want:.6g}）。"
        "損失を全時刻数 N·T = {every} で割っていますが、割るのは無視しないラベルの数 {kept} です: "
        "loss = -np.sum(ls * mask) / mask.sum()",
    },
    "seq.loss_forward_counts_ignored": {
        "en": "forward differs from bprop.layers.{ref} (yours gives {got:.6g}, bprop gives {want:.6g}): the steps "
        "whose label is ignore_label = {label} count in the loss; mask them out: mask = (ts != "
        "self.ignore_label); ls *= mask; loss = -np.sum(ls) / mask.sum()",
        "ja": "forward の出力が bprop.layers.{ref} と違います（あなたの値は {got:.6g}、bprop は {want:.6g}）。"
        "ラベルが ignore_label = {label} の時刻も損失に含まれています。マスクで除いてください: mask = (ts != "
        "self.ignore_label); ls *= mask; loss = -np.sum(ls) / mask.sum()",
    },
}
