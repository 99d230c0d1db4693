"""Texts of check_function: a learner's functions from the book (``bprop.gradcheck.function``)."""

MESSAGES: dict[str, dict[str, str]] = {
    "title.function": {
        "en": "Check of the function {layer} against the book's (inputs: {inputs})",
        "ja": "関数 {layer} を本の定義と比べたチェック（入力: {inputs}）",
    },
    "fn.unknown": {
        "en": "cannot check a function named {name!r}; known: {known}",
        "ja": "{name!r} という名前の関数はチェックできません。チェックできる関数: {known}",
    },
    # --- every function ---------------------------------------------------------------------
    "fn.ok": {
        "en": "{call} agrees with the book's (largest difference {err:.1e})",
        "ja": "{call} は本の定義と一致します（最大の差 {err:.1e}）",
    },
    "fn.mismatch": {
        "en": "{call}: at {index} yours gives {got:.6g}, the book's gives {want:.6g}",
        "ja": "{call}: {index} であなたの値は {got:.6g}、本の定義では {want:.6g} です",
    },
    "fn.mismatch.scalar": {
        "en": "{call} gives {got:.8g}, the book's gives {want:.8g}",
        "ja": "{call} の値は {got:.8g} ですが、本の定義では {want:.8g} です",
    },
    "fn.shape": {
        "en": "{call} returned shape {got}; the book's returns shape {want}",
        "ja": "{call} の戻り値の形状が {got} です。本の定義では {want} です",
    },
    "fn.untouched": {
        "en": "the arguments are left unchanged",
        "ja": "引数は書き換えられていません",
    },
    "fn.mutated": {
        "en": "{call} wrote into its argument {arg} (the first change at {index}); the caller's array changes too: "
        "compute a new array (x = x - c, np.maximum(0, x)) instead of writing into it (x -= c, x[x <= 0] = 0)",
        "ja": "{call} が引数 {arg} を書き換えています（最初の変更は {index}）。呼び出し側の配列も変わってしまいます。"
        "書き込む（x -= c、x[x <= 0] = 0）のではなく、新しい配列を作ってください（x = x - c、np.maximum(0, x)）",
    },
    "fn.dtype.ok": {
        "en": "float32 in, float32 out",
        "ja": "float32 を入れると float32 が出ます",
    },
    "fn.dtype.leak": {
        "en": "{call} returned {got}: a float64 array or constant slipped in (e.g. np.zeros without dtype=x.dtype); "
        "float32 halves the memory and is what GPUs compute in",
        "ja": "{call} の戻り値が {got} です。float64 の配列や定数が混ざっています（dtype=x.dtype を付けない np.zeros など）。"
        "float32 ならメモリは半分で、GPU でも標準の型です",
    },
    "fn.hint.floor_div": {
        "en": " — a size is a float: compute OH with // ((H + 2*pad - filter_h) // stride + 1), not /",
        "ja": "。サイズが float になっています。OH は / ではなく // で計算してください"
        "（(H + 2*pad - filter_h) // stride + 1）",
    },
    "fn.hint.broadcast": {
        "en": " — after a max or sum over an axis, keep that axis: np.max(x, axis=-1, keepdims=True), "
        "so that (N, C) and (N, 1) broadcast",
        "ja": "。軸に沿って max や sum を取ったら、その軸を残してください（np.max(x, axis=-1, keepdims=True)）。"
        "そうすれば (N, C) と (N, 1) がブロードキャストされます",
    },
    "fn.hint.scalar": {
        "en": "; a loss is one number: sum over the whole batch and divide by N",
        "ja": "。損失は 1 つの数です。バッチ全体で和を取り、N で割ってください",
    },
    # --- ±1000 ------------------------------------------------------------------------------
    "fn.extreme.ok": {
        "en": "{call}: no overflow warning, no NaN or inf",
        "ja": "{call}: オーバーフローの警告も NaN・inf も出ません",
    },
    "fn.extreme.warn": {
        "en": '{call} made NumPy warn "{warning}"',
        "ja": "{call} で NumPy が「{warning}」と警告しました",
    },
    "fn.extreme.loss": {
        "en": "{call} gives {got}: not a finite loss",
        "ja": "{call} の値が {got} です。有限の損失になっていません",
    },
    "fn.stable.sigmoid": {
        "en": "; np.exp(-x) overflows for x < -709: a stable sigmoid is z = np.exp(-np.abs(x)); "
        "np.where(x >= 0, 1 / (1 + z), z / (1 + z))",
        "ja": "。x < -709 で np.exp(-x) がオーバーフローします。安定な sigmoid は z = np.exp(-np.abs(x)); "
        "np.where(x >= 0, 1 / (1 + z), z / (1 + z)) です",
    },
    "fn.stable.tanh": {
        "en": "; np.exp(x) overflows for x > 709: use np.tanh(x)",
        "ja": "。x > 709 で np.exp(x) がオーバーフローします。np.tanh(x) を使ってください",
    },
    "fn.stable.softmax": {
        "en": "; np.exp(1000) overflows: subtract the max first, np.exp(x - np.max(x, axis=-1, keepdims=True)) "
        "(the book's overflow countermeasure; the result is the same)",
        "ja": "。np.exp(1000) がオーバーフローします。先に最大値を引いてください: "
        "np.exp(x - np.max(x, axis=-1, keepdims=True))（本のオーバーフロー対策。結果は変わりません）",
    },
    # --- the functions' own causes -----------------------------------------------------------
    "fn.step.zero": {
        "en": "; at x = 0 the book's step_function gives 0 (x > 0), yours 1 (x >= 0?)",
        "ja": "。x = 0 で本の step_function は 0（x > 0）ですが、あなたのは 1 です（x >= 0 になっていませんか？）",
    },
    "fn.softmax.axis0": {
        "en": "; softmax over the wrong axis: each column sums to 1, not each row; "
        "take max and sum over axis=-1 (each sample) with keepdims=True",
        "ja": "。softmax の軸が違います。各行ではなく各列の和が 1 になっています。"
        "max と sum は axis=-1（サンプルごと）で、keepdims=True を付けて取ってください",
    },
    "fn.softmax.whole": {
        "en": "; softmax of a batch sums over the whole batch: all {size} values sum to 1, not each row; "
        "sum each sample: np.sum(exp_x, axis=-1, keepdims=True)",
        "ja": "。バッチ全体で和を取っています。各行ではなく {size} 個すべての和が 1 になっています。"
        "サンプルごとに和を取ってください: np.sum(exp_x, axis=-1, keepdims=True)",
    },
    "fn.softmax.max_axis": {
        "en": "; each row sums to 1, but the max subtracted is each column's: use np.max(x, axis=-1, keepdims=True)",
        "ja": "。各行の和は 1 ですが、引いている最大値が列ごとの値です。np.max(x, axis=-1, keepdims=True) を使ってください",
    },
    "fn.ce.batch": {
        "en": "; cross_entropy_error not divided by the batch size: N = {N} times the book's value; "
        "divide the sum by batch_size = y.shape[0]",
        "ja": "。バッチサイズで割っていません。本の値の N = {N} 倍です。和を batch_size = y.shape[0] で割ってください",
    },
    "fn.ce.mean_all": {
        "en": "; divided by N·C (np.mean over every element) instead of the batch size N: 1/{C} of the book's value",
        "ja": "。バッチサイズ N ではなく N·C で割っています（全要素の np.mean）。本の値の 1/{C} です",
    },
    "fn.ce.labels": {
        "en": "; it works with one-hot t but assumes it: with labels t of shape (N,), take each sample's "
        "probability of its label, y[np.arange(batch_size), t] (the book turns one-hot t into labels first: "
        "if t.size == y.size: t = t.argmax(axis=1))",
        "ja": "。one-hot の t では動きますが、one-hot を前提にしています。形状 (N,) のラベル t なら、"
        "各サンプルの正解ラベルの確率 y[np.arange(batch_size), t] を使います（本は先に one-hot をラベルに直します: "
        "if t.size == y.size: t = t.argmax(axis=1)）",
    },
    "fn.ce.one_hot": {
        "en": "; it works with labels t but not with one-hot t of shape (N, C): turn it into labels first, "
        "as the book does: if t.size == y.size: t = t.argmax(axis=1)",
        "ja": "。ラベルの t では動きますが、形状 (N, C) の one-hot の t では動きません。本のように先にラベルに直してください: "
        "if t.size == y.size: t = t.argmax(axis=1)",
    },
    "fn.ce.single": {
        "en": "; one sample y of shape (C,) is a batch of 1: reshape first, as the book does "
        "(if y.ndim == 1: t = t.reshape(1, t.size); y = y.reshape(1, y.size))",
        "ja": "。形状 (C,) の 1 サンプルはバッチサイズ 1 として扱います。本のように先に reshape してください"
        "（if y.ndim == 1: t = t.reshape(1, t.size); y = y.reshape(1, y.size)）",
    },
    "fn.ce.log0.ok": {
        "en": "{call}: finite where the true class has probability 0 (np.log(0) is guarded)",
        "ja": "{call}: 正解クラスの確率が 0 でも有限です（np.log(0) への対策があります）",
    },
    "fn.ce.log0.loss": {
        "en": "{call}, where the first sample's true class has probability 0, gives {got}: np.log(0) → -inf; "
        "add a small delta inside the log, as the book does: np.log(y + 1e-7)",
        "ja": "{call}（最初のサンプルの正解クラスの確率が 0）の値が {got} です。np.log(0) は -inf になります。"
        "本のように log の中に小さな値を足してください: np.log(y + 1e-7)",
    },
    "fn.mse.square_outside": {
        "en": "; it squares the sum, (Σ(y − t))², instead of each difference: 0.5 * np.sum((y - t)**2)",
        "ja": "。差ごとではなく和を 2 乗しています（(Σ(y − t))²）。差をそれぞれ 2 乗してください: 0.5 * np.sum((y - t)**2)",
    },
    "fn.mse.half": {
        "en": "; twice the book's value: the book's mean_squared_error has the factor 0.5, 0.5 * np.sum((y - t)**2)",
        "ja": "。本の値の 2 倍です。本の mean_squared_error には係数 0.5 があります: 0.5 * np.sum((y - t)**2)",
    },
    "fn.mse.ratio": {
        "en": "; {ratio:.4g} times the book's value: the book's mean_squared_error is 0.5 * np.sum((y - t)**2), "
        "summed over every element and not averaged (np.mean divides by the number of elements)",
        "ja": "。本の値の {ratio:.4g} 倍です。本の mean_squared_error は 0.5 * np.sum((y - t)**2) で、"
        "全要素の和を取り、平均はしません（np.mean は要素数で割ってしまいます）",
    },
    # --- numerical differentiation -------------------------------------------------------------
    "fn.central.ok": {
        "en": "{call} is exact for f(x) = {f}, as a central difference (f(x + h) - f(x - h)) / (2h) is "
        "(difference {err:.1e})",
        "ja": "{call} は f(x) = {f} で正確です。中心差分 (f(x + h) - f(x - h)) / (2h) ならそうなります（差 {err:.1e}）",
    },
    "fn.central.fail": {
        "en": "{call} for f(x) = {f}: at {index} yours gives {got:.10g}, the exact derivative is {want:.10g}; "
        "a central difference would be exact here",
        "ja": "{call}（f(x) = {f}）: {index} であなたの値は {got:.10g}、正確な微分は {want:.10g} です。"
        "中心差分ならここでは正確になるはずです",
    },
    "fn.derivative.ok": {
        "en": "{call} for f(x) = {f} agrees with the exact derivative (difference {err:.1e})",
        "ja": "{call}（f(x) = {f}）は正確な微分と一致します（差 {err:.1e}）",
    },
    "fn.derivative.fail": {
        "en": "{call} for f(x) = {f}: at {index} yours gives {got:.10g}, the exact derivative is {want:.10g}",
        "ja": "{call}（f(x) = {f}）: {index} であなたの値は {got:.10g}、正確な微分は {want:.10g} です",
    },
    "fn.cause.h_zero": {
        "en": "; f saw x unchanged at every call: h is so small that x + h == x in float64 "
        "(h = 1e-50 rounds to 0, the book's §4.1 warning); use h = 1e-4",
        "ja": "。f が受け取った x は毎回変わっていません。h が小さすぎて float64 では x + h == x になります"
        "（h = 1e-50 は 0 に丸められます。本の 4.1 節の注意）。h = 1e-4 を使ってください",
    },
    "fn.cause.not_restored": {
        "en": "; x is not restored between elements (f saw two elements moved at once): "
        "after f(x - h), put the saved value back, x[idx] = tmp_val",
        "ja": "。要素ごとに x を元に戻していません（f が 2 つの要素が同時にずれた x を受け取りました）。"
        "f(x - h) の後で保存した値を戻してください: x[idx] = tmp_val",
    },
    "fn.cause.one_sided": {
        "en": "; x only moved one way (by {h:.1e}): a forward difference (f(x + h) - f(x)) / h, whose error is O(h); "
        "use the central difference (f(x + h) - f(x - h)) / (2h)",
        "ja": "。x が片側（{h:.1e}）にしか動いていません。前方差分 (f(x + h) - f(x)) / h の誤差は O(h) です。"
        "中心差分 (f(x + h) - f(x - h)) / (2h) を使ってください",
    },
    "fn.cause.h_large": {
        "en": "; h = {h:.1e} is too large: the central difference's error grows as h²; use h = 1e-4",
        "ja": "。h = {h:.1e} は大きすぎます。中心差分の誤差は h² に比例して大きくなります。h = 1e-4 を使ってください",
    },
    "fn.cause.h_small": {
        "en": "; h = {h:.1e} is too small: rounding errors of about 1e-16·|f|/h swamp the difference; use h = 1e-4",
        "ja": "。h = {h:.1e} は小さすぎます。約 1e-16·|f|/h の丸め誤差が差分を埋もれさせます。h = 1e-4 を使ってください",
    },
    "fn.ng.shapes.ok": {
        "en": "agrees with the exact gradient of f(x) = Σ sin(x)·x² for x of shapes {shapes}",
        "ja": "形状 {shapes} の x で、f(x) = Σ sin(x)·x² の正確な勾配と一致します",
    },
    "fn.ng.only_2d": {
        "en": "; it works for 1-D and 2-D x only (the ch.4 form loops over rows); a convolution's W is 4-D: "
        "the form of common/gradient.py (np.nditer with multi_index) handles any shape",
        "ja": "。1 次元と 2 次元の x でしか動きません（4 章の形は行ごとのループです）。畳み込みの W は 4 次元です。"
        "common/gradient.py の形（multi_index 付きの np.nditer）ならどんな形状でも動きます",
    },
    "fn.ng.in_place.ok": {
        "en": "works when f ignores its argument, as in numerical_gradient(lambda W: net.loss(x, t), "
        "net.params['W1']): x itself is perturbed in place",
        "ja": "numerical_gradient(lambda W: net.loss(x, t), net.params['W1']) のように f が引数を使わなくても動きます。"
        "x そのものをその場でずらしています",
    },
    "fn.ng.copy": {
        "en": "{call} for f ignoring its argument (as lambda W: net.loss(x, t) does) gives {got:.6g} at {index}, "
        "not {want:.6g}: it perturbs a copy of x, so the net never sees the change; "
        "perturb x itself, x[idx] = tmp_val + h, and put tmp_val back afterwards",
        "ja": "f が引数を使わないとき（lambda W: net.loss(x, t) のように）、{call} の {index} の値は {want:.6g} ではなく "
        "{got:.6g} です。x のコピーをずらしているので、ネットワークには変化が見えません。"
        "x そのものをずらし（x[idx] = tmp_val + h）、後で tmp_val に戻してください",
    },
    "fn.ng.restore.ok": {
        "en": "x is restored exactly afterwards",
        "ja": "呼び出しの後、x は正確に元に戻っています",
    },
    "fn.ng.restore": {
        "en": "{call} left x changed: at {index} it is {got} instead of {want}; "
        "save the value before the two calls and put it back after them, x[idx] = tmp_val "
        "(not x[idx] += h, which rounds)",
        "ja": "{call} の後、x が変わったままです: {index} が {want} ではなく {got} です。"
        "2 回の呼び出しの前に値を保存し、後で戻してください: x[idx] = tmp_val（x[idx] += h で戻すと丸め誤差が出ます）",
    },
    "fn.ng.integer.raises": {
        "en": "with integer x it raises an error instead of returning a wrong gradient",
        "ja": "整数の x では、間違った勾配を返さずにエラーになります",
    },
    "fn.ng.integer.ok": {
        "en": "integer x gives the right gradient too",
        "ja": "整数の x でも正しい勾配になります",
    },
    "fn.ng.integer": {
        "en": "{call} returns {got}, not {want}: x[idx] = tmp_val + h is stored as an integer again "
        "(3 + h → 3, 3 - h → 2), so h is lost; "
        "give it float x (np.array([3.0, -1.0, 2.0])), or raise a TypeError for integer x",
        "ja": "{call} の値が {want} ではなく {got} です。x[idx] = tmp_val + h が整数として格納されるので"
        "（3 + h → 3、3 - h → 2）、h が消えてしまいます。"
        "float の x（np.array([3.0, -1.0, 2.0])）を渡すか、整数の x では TypeError を出してください",
    },
    "fn.gd.mutates": {
        "en": "gradient_descent changed the caller's init_x (x = init_x is the same array, and x -= lr * grad "
        "writes into it), as the book's does; x = init_x.copy() keeps the starting point",
        "ja": "gradient_descent が呼び出し側の init_x を変えています（x = init_x は同じ配列で、x -= lr * grad が"
        "そこに書き込みます）。本のコードも同じですが、x = init_x.copy() にすれば初期値が残ります",
    },
    "fn.gd.sign": {
        "en": "; x moved uphill: x += lr * grad climbs the function; write x -= lr * grad",
        "ja": "。x が坂を登っています。x += lr * grad は関数を大きくします。x -= lr * grad と書いてください",
    },
    "fn.gd.steps": {
        "en": "; it took {taken} steps instead of step_num = {steps}: check the range of the loop",
        "ja": "。step_num = {steps} ではなく {taken} 回更新しています。ループの範囲を確かめてください",
    },
    "fn.gd.uses_ng": {
        "en": "; gradient_descent uses your numerical_gradient: check it too (bprop check FILE.py:numerical_gradient)",
        "ja": "。gradient_descent はあなたの numerical_gradient を使っています。そちらもチェックしてください"
        "（bprop check FILE.py:numerical_gradient）",
    },
    # --- im2col and col2im -----------------------------------------------------------------------
    "fn.conv.ok": {
        "en": "agrees with the book's on {count} geometries (stride 1 and 2, pad 0 and 1, non-square)",
        "ja": "{count} 通りの設定（stride 1 と 2、pad 0 と 1、正方形でない画像とフィルタ）で本の定義と一致します",
    },
    "fn.im2col.size": {
        "en": "; the book's col is (N·OH·OW, C·FH·FW) with OH = (H + 2*pad - FH) // stride + 1 = {oh} "
        "and OW = (W + 2*pad - FW) // stride + 1 = {ow}",
        "ja": "。本の col の形状は (N·OH·OW, C·FH·FW) で、OH = (H + 2*pad - FH) // stride + 1 = {oh}、"
        "OW = (W + 2*pad - FW) // stride + 1 = {ow} です",
    },
    "fn.im2col.columns": {
        "en": "; the right values in another column order: a row holds its window as (C, FH, FW); "
        "from an array col of shape (N, C, FH, FW, OH, OW), use col.transpose(0, 4, 5, 1, 2, 3)",
        "ja": "。値は合っていますが列の順序が違います。各行はウィンドウを (C, FH, FW) の順に並べます。"
        "形状 (N, C, FH, FW, OH, OW) の配列 col なら col.transpose(0, 4, 5, 1, 2, 3) です",
    },
    "fn.im2col.rows": {
        "en": "; the right values in another row order: the rows go (N, OH, OW), each sample's windows row by row; "
        "from an array col of shape (N, C, FH, FW, OH, OW), use col.transpose(0, 4, 5, 1, 2, 3)",
        "ja": "。値は合っていますが行の順序が違います。行は (N, OH, OW) の順、サンプルごとにウィンドウを行方向に並べます。"
        "形状 (N, C, FH, FW, OH, OW) の配列 col なら col.transpose(0, 4, 5, 1, 2, 3) です",
    },
    "fn.col2im.pad": {
        "en": "; it returns the padded image: cut the padding off, return img[:, :, pad:H + pad, pad:W + pad]",
        "ja": "。パディングが付いたままの画像を返しています。パディングを取り除いてください: "
        "return img[:, :, pad:H + pad, pad:W + pad]",
    },
    "fn.col2im.assign": {
        "en": "; overlapping windows must add up: with col all ones each pixel should count the windows over it "
        "(up to {most}), yours gives at most 1; write img[...] += col[...], not =",
        "ja": "。重なったウィンドウの値は足し合わせます。col がすべて 1 なら各画素はそこに重なるウィンドウの数"
        "（最大 {most}）になるはずですが、あなたのは最大 1 です。= ではなく img[...] += col[...] と書いてください",
    },
    "fn.col2im.adjoint.ok": {
        "en": "col2im is the adjoint of im2col (⟨im2col(x), col⟩ = ⟨x, col2im(col)⟩): it is the backward of im2col",
        "ja": "col2im は im2col の随伴です（⟨im2col(x), col⟩ = ⟨x, col2im(col)⟩）。つまり im2col の逆伝播になっています",
    },
    "fn.col2im.adjoint": {
        "en": "{call}: ⟨im2col(x), col⟩ = {lhs:.8g} but ⟨x, col2im(col)⟩ = {rhs:.8g}; col2im must add every entry "
        "of col back where im2col took it from, or Convolution's backward passes a wrong gradient",
        "ja": "{call}: ⟨im2col(x), col⟩ = {lhs:.8g} ですが ⟨x, col2im(col)⟩ = {rhs:.8g} です。col2im は col の各要素を "
        "im2col が取り出した場所に足し戻す必要があります。そうでないと Convolution の逆伝播の勾配が間違います",
    },
}
