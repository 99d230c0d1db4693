"""Texts of the layer check (``check_layer``) and of ``bprop check``'s usage errors."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- the report's frame -------------------------------------------------------------
    "title": {
        "en": "Gradient check of {layer} (inputs: {inputs}; dtype checked: {dtype})",
        "ja": "{layer} の勾配チェック（入力: {inputs}、チェックした dtype: {dtype}）",
    },
    "table.random_dout": {
        "en": "backward vs. central differences (float64, random dout, tolerance {tol:.0e}):",
        "ja": "backward と中心差分の比較（float64、ランダムな dout、許容誤差 {tol:.0e}）:",
    },
    "table.unit_dout": {
        "en": "backward vs. central differences (float64, dout = 1, tolerance {tol:.0e}):",
        "ja": "backward と中心差分の比較（float64、dout = 1、許容誤差 {tol:.0e}）:",
    },
    "col.target": {"en": "gradient", "ja": "勾配"},
    "col.max_abs": {"en": "max abs err", "ja": "最大絶対誤差"},
    "col.rel": {"en": "rel err", "ja": "相対誤差"},
    "col.index": {"en": "worst at", "ja": "最大誤差の位置"},
    "col.backward": {"en": "backward", "ja": "backward"},
    "col.gradient": {"en": "gradient()", "ja": "gradient()"},
    "col.numerical": {"en": "numerical", "ja": "数値微分"},
    "col.kinks": {"en": "kinks skipped", "ja": "除外したキンク"},
    "col.ok": {"en": "result", "ja": "判定"},
    "col.cause": {"en": "likely cause", "ja": "考えられる原因"},
    "checks": {"en": "Checks:", "ja": "チェック項目:"},
    "status.pass": {"en": "ok", "ja": "OK"},
    "status.fail": {"en": "FAIL", "ja": "NG"},
    "status.note": {"en": "note", "ja": "注意"},
    "summary.ok": {"en": "All checks passed.", "ja": "すべてのチェックに合格しました。"},
    "summary.fail": {
        "en": "{count} problem(s) found.",
        "ja": "{count} 件の問題が見つかりました。",
    },
    # --- the learner's code failed to run -----------------------------------------------
    "exception": {
        "en": "{where} raised {error}",
        "ja": "{where} で例外が発生しました: {error}",
    },
    "bad_output": {
        "en": "{where} returned {got}, not an array of numbers",
        "ja": "{where} の戻り値が {got} です。数値の配列を返してください",
    },
    "bad_grads": {
        "en": "backward returned {count} gradients for {inputs} inputs",
        "ja": "入力は {inputs} 個なのに、backward が {count} 個の勾配を返しました",
    },
    # --- forward ------------------------------------------------------------------------
    "finite.ok": {
        "en": "forward gives finite values on ordinary inputs",
        "ja": "通常の入力に対して forward の出力はすべて有限です",
    },
    "finite.fail": {
        "en": "forward gives NaN or inf on ordinary inputs ({count} of {size} values, the first at {index})",
        "ja": "通常の入力で forward が NaN や inf を返しています（{size} 個中 {count} 個、最初は {index}）",
    },
    "warning.fail": {
        "en": '{where} made NumPy warn on ordinary inputs: "{warning}"',
        "ja": "通常の入力で {where} が NumPy の警告を出しました:「{warning}」",
    },
    "hint.warned": {
        "en": '. NumPy warned "{warning}"',
        "ja": "。NumPy の警告:「{warning}」",
    },
    "hint.log": {
        "en": " — np.log of a negative number: did you mean np.exp?",
        "ja": "。負の数の np.log を計算しています。np.exp のつもりではありませんか？",
    },
    "reference.ok": {
        "en": "forward agrees with bprop.layers.{ref}",
        "ja": "forward の出力は bprop.layers.{ref} と一致します",
    },
    "reference.fail": {
        "en": "forward differs from bprop.layers.{ref}: at {index} yours gives {got:.6g}, bprop gives {want:.6g}",
        "ja": "forward の出力が bprop.layers.{ref} と違います: {index} であなたの値は {got:.6g}、bprop は {want:.6g}",
    },
    "reference.shape": {
        "en": "forward returns shape {got}; bprop.layers.{ref} gives {want} for the same input",
        "ja": "forward の出力の形状が {got} です。同じ入力に対して bprop.layers.{ref} は {want} を返します",
    },
    "reference.window_size": {
        "en": ": the output size is (H + 2·pad − FH) // stride + 1 per axis (pad applied once, stride used)",
        "ja": "。出力サイズは軸ごとに (H + 2·pad − FH) // stride + 1 です（pad は 1 回だけ、stride も使う）",
    },
    "reference.bn_ddof": {
        "en": "; the variance divides by N − 1 (ddof=1): batch normalisation uses the batch's own variance, "
        "np.mean((x - mu)**2, axis=0), dividing by N",
        "ja": "。分散を N − 1 で割っています（ddof=1）。バッチ正規化ではバッチの分散 np.mean((x - mu)**2, axis=0)、"
        "つまり N で割ります",
    },
    "forward_inplace.ok": {
        "en": "forward leaves its inputs unchanged",
        "ja": "forward は入力を書き換えていません",
    },
    "forward_inplace.fail": {
        "en": "forward wrote into its input {name} (the first change at {index}); "
        "compute on a copy, e.g. out = x.copy()",
        "ja": "forward が入力 {name} を書き換えています（最初の変更は {index}）。"
        "out = x.copy() のようにコピーしてから計算してください",
    },
    # --- backward -----------------------------------------------------------------------
    "dout.ok": {
        "en": "backward leaves dout unchanged",
        "ja": "backward は dout を書き換えていません",
    },
    "dout.fail": {
        "en": "backward wrote into dout (as the book's ReLU does, zeroing it through the mask); copy it first: dx = dout.copy()",
        "ja": "backward が dout を書き換えています（本の ReLU のように mask で 0 にするなど）。先に dx = dout.copy() でコピーしてください。",
    },
    "dout.fail_copy": {
        "en": "backward wrote into dout (an in-place *= or an indexed assignment on it); the caller's dout must "
        "stay as it was: "
        "compute into a new array, dx = dout * … or dx = dout.copy()",
        "ja": "backward が dout を書き換えています（in-place の *= やインデックス代入など）。呼び出し側の dout はそのまま"
        "残してください。dx = dout * … や dx = dout.copy() のように新しい配列に計算してください",
    },
    "backward_inplace.ok": {
        "en": "backward leaves the forward inputs unchanged",
        "ja": "backward は forward の入力を書き換えていません",
    },
    "backward_inplace.fail": {
        "en": "backward wrote into the forward input {name} (the first change at {index}); "
        "the layer keeps a reference to it, so change a copy instead",
        "ja": "backward が forward の入力 {name} を書き換えています（最初の変更は {index}）。"
        "レイヤは入力への参照を持っているので、コピーを変更してください",
    },
    "repeat.ok": {
        "en": "two backward calls with the same dout agree",
        "ja": "同じ dout で backward を 2 回呼ぶと同じ結果になります",
    },
    "repeat.fail": {
        "en": "a second backward call with the same dout gives a different {target} "
        "(difference {diff:.3g}); backward must not change the layer's state",
        "ja": "同じ dout で backward をもう一度呼ぶと {target} が変わります（差 {diff:.3g}）。"
        "backward でレイヤの状態を変えないでください",
    },
    "repeat.random": {
        "en": "; forward is random: draw the mask once in forward (self.mask = …) and let backward reuse it, "
        "never draw it in backward",
        "ja": "。forward は乱数を使っています。マスクは forward で 1 回だけ作り（self.mask = …）、backward では"
        "それを使ってください。backward で作り直してはいけません",
    },
    "loss_dout.ok": {
        "en": "backward scales with dout",
        "ja": "backward は dout に比例します",
    },
    "loss_dout.note": {
        "en": "backward ignores dout: right where the loss ends the network (dout = 1, as in the book), "
        "but wrong if the loss is scaled; dx = dout * (y - t) / batch_size is safe",
        "ja": "backward が dout を使っていません。損失がネットワークの最後にある（本のとおり dout = 1）なら正しいですが、"
        "損失に係数を掛けると間違います。dx = dout * (y - t) / batch_size なら安全です",
    },
    "loss_dout.fail": {
        "en": "backward(dout) is neither proportional to dout nor independent of it",
        "ja": "backward(dout) が dout に比例せず、dout と無関係でもありません",
    },
    # --- gradients ----------------------------------------------------------------------
    "grad.ok": {
        "en": "{target}: backward agrees with central differences (relative error {rel:.1e})",
        "ja": "{target}: backward は中心差分と一致します（相対誤差 {rel:.1e}）",
    },
    "grad.kinks": {
        "en": "; {kinks} element(s) at a kink skipped (e.g. x = 0 for ReLU)",
        "ja": "。キンク上の {kinks} 要素は除外しました（ReLU の x = 0 など）",
    },
    "grad.worst": {
        "en": " — at {index}: backward {backward:.4g}, numerical {numerical:.4g}",
        "ja": "（{index} で backward は {backward:.4g}、数値微分は {numerical:.4g}）",
    },
    "grad.batch_division": {
        "en": "{target} is {N} times too large: did you forget to divide by the batch size N = {N}?",
        "ja": "{target} が {N} 倍大きすぎます。バッチサイズ N = {N} で割るのを忘れていませんか？",
    },
    "grad.mean_not_sum": {
        "en": "{target} is 1/{N} of the right value: a mean over the batch where a sum belongs "
        "(db = np.sum(dout, axis=0), not np.mean)",
        "ja": "{target} が正しい値の 1/{N} です。バッチ方向は平均ではなく和を取ります"
        "（db = np.sum(dout, axis=0)。np.mean ではありません）",
    },
    "grad.sign": {
        "en": "{target} has the wrong sign: it is -1 times the right value",
        "ja": "{target} の符号が逆です（正しい値の -1 倍）",
    },
    "grad.factor": {
        "en": "{target} is {k:.4g} times the right value: a constant factor is off",
        "ja": "{target} が正しい値の {k:.4g} 倍です。定数倍がずれています",
    },
    "grad.zero": {
        "en": "{target} is all zeros, but the numerical gradient is not",
        "ja": "{target} がすべて 0 ですが、数値微分は 0 ではありません",
    },
    "grad.ignores_dout": {
        "en": "backward ignores dout: {target} is the gradient for dout = 1; multiply by dout (chain rule)",
        "ja": "backward が dout を使っていません。{target} は dout = 1 のときの勾配です。連鎖律に従って dout を掛けてください",
    },
    "grad.inverted_mask": {
        "en": "the mask looks inverted: {target} is nonzero where it should be 0 and 0 where it should not",
        "ja": "マスクが反転しているようです。{target} が 0 になるべき所で 0 でなく、0 でないはずの所で 0 になっています",
    },
    "grad.missing_factor": {
        "en": "{target} = {form}: a factor looks missing (the sigmoid's derivative is y·(1 - y))",
        "ja": "{target} = {form} になっています。係数が 1 つ足りないようです（sigmoid の微分は y·(1 - y)）",
    },
    "grad.mismatch": {
        "en": "{target}: backward disagrees with central differences",
        "ja": "{target}: backward が中心差分と一致しません",
    },
    "grad.nonfinite": {
        "en": "{target}: backward or the numerical gradient has NaN or inf",
        "ja": "{target}: backward か数値微分に NaN や inf があります",
    },
    "grad.missing": {
        "en": "backward left no gradient {target} (it is {got})",
        "ja": "backward が勾配 {target} を設定していません（{got} のままです）",
    },
    "grad.random": {
        "en": "gradients not checked: forward gives different outputs for the same input even with NumPy's "
        "random state replayed before every call (random numbers from another source, such as the random module?)",
        "ja": "勾配はチェックしていません: NumPy の乱数の状態を毎回戻しても、同じ入力に対する forward の出力が変わります"
        "（random モジュールなど、別の乱数源を使っていませんか？）",
    },
    "grad.skipped": {
        "en": "gradients not checked: forward does not give finite values",
        "ja": "forward の出力が有限でないため、勾配はチェックしていません",
    },
    # --- the contract -------------------------------------------------------------------
    "shape.ok": {
        "en": "every gradient has the shape of its input or parameter",
        "ja": "勾配の形状はすべて入力・パラメータと同じです",
    },
    "shape.fail": {
        "en": "{target} has shape {got}, but {of} has shape {want}",
        "ja": "{target} の形状が {got} ですが、{of} の形状は {want} です",
    },
    "shape.transposed": {
        "en": ": it is transposed — the factors are in the wrong order (dW = np.dot(self.x.T, dout): x.T first)",
        "ja": "。転置になっています。掛ける順序が逆です（dW = np.dot(self.x.T, dout)。x.T が先）",
    },
    "shape.summed_all": {
        "en": ": np.sum without an axis adds up everything; sum over the batch only: np.sum(dout, axis=0)",
        "ja": "。axis を付けない np.sum はすべてを足します。バッチ方向だけ足してください: np.sum(dout, axis=0)",
    },
    "shape.batch_axis": {
        "en": ": one value per sample, so the sum went over the wrong axis; sum over the batch: np.sum(dout, axis=0)",
        "ja": "。サンプルごとに 1 つの値になっているので、和を取る軸が違います。バッチ方向に足してください: "
        "np.sum(dout, axis=0)",
    },
    "shape.sum_axis": {
        "en": ": the sum went over axis {wrong} of the (N, T, H) input where axis {right} belongs: np.sum(…, axis={right})",
        "ja": "。(N, T, H) の入力の axis {wrong} で和を取っていますが、和を取るのは axis {right} です: np.sum(…, axis={right})",
    },
    "shape.not_summed": {
        "en": ": one value per sample (and position) is left; sum them: np.sum(dout, axis={axes})",
        "ja": "。サンプル（と位置）ごとの値が残っています。足し合わせてください: np.sum(dout, axis={axes})",
    },
    "dtype.ok": {
        "en": "{dtype} in, {dtype} out: the output and the gradients keep the dtype",
        "ja": "{dtype} を入れると {dtype} が出ます: 出力も勾配も dtype が保たれています",
    },
    "dtype.fail": {
        "en": "{what} is {got} for {dtype} input: a {got} array or constant slipped in "
        "(e.g. np.zeros without dtype=x.dtype)",
        "ja": "{dtype} の入力に対して {what} が {got} になっています。{got} の配列や定数が混ざっています"
        "（dtype=x.dtype を付けない np.zeros など）",
    },
    "dtype.strict": {
        "en": " (a note: the book's world is float64; --strict makes it a failure)",
        "ja": "（注意のみ: 本は float64 で計算します。--strict を付けると不合格になります）",
    },
    "dtype.output": {
        "en": "forward's output is {got} for {dtype} input: a {got} array or constant slipped in "
        "(e.g. np.zeros without dtype=x.dtype)",
        "ja": "{dtype} の入力に対して forward の出力が {got} になっています。{got} の配列や定数が混ざっています"
        "（dtype=x.dtype を付けない np.zeros など）",
    },
    "extreme.ok": {
        "en": "no NaN, inf or NumPy warning with inputs at ±1000",
        "ja": "±1000 の入力でも NaN・inf・NumPy の警告は出ません",
    },
    "extreme.fail": {
        "en": "with inputs at ±1000, {what} has NaN or inf (the first at {index})",
        "ja": "±1000 の入力で {what} に NaN や inf が出ます（最初は {index}）",
    },
    "extreme.output": {
        "en": "with inputs at ±1000, forward gives NaN or inf (the first at {index})",
        "ja": "±1000 の入力で forward が NaN や inf を返します（最初は {index}）",
    },
    "extreme.at_x": {
        "en": ", where x = {x:g}",
        "ja": "。そこでの x は {x:g} です",
    },
    "extreme.softmax_rows": {
        "en": "; subtract each row's own max before np.exp (np.max(x, axis=1, keepdims=True)): one max for the "
        "whole batch still overflows the rows far below it",
        "ja": "。np.exp の前に各行の最大値を引いてください（np.max(x, axis=1, keepdims=True)）。バッチ全体で 1 つの"
        "最大値では、それより大きく離れた行がオーバーフローします",
    },
    "extreme.note": {
        "en": "with inputs at ±1000 NumPy warned \"{warning}\"; the results are still finite, "
        "but a stable form avoids it (e.g. np.exp inside np.errstate(over='ignore'))",
        "ja": "±1000 の入力で NumPy が「{warning}」と警告しました。結果は有限ですが、"
        "安定な式にすれば警告は出ません（np.exp を np.errstate(over='ignore') で囲むなど）",
    },
    # --- bprop check (usage errors) -----------------------------------------------------
}
