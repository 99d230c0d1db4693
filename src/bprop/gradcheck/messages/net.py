"""Texts of check_net (``bprop.gradcheck.net``) and of building a learner's net for it."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- the report's frame -------------------------------------------------------------
    "title.net": {
        "en": "Gradient check of the net {layer} (inputs: {inputs}; dtype checked: {dtype})",
        "ja": "ネットワーク {layer} の勾配チェック（入力: {inputs}、チェックした dtype: {dtype}）",
    },
    "table.net": {
        "en": "gradient() vs. the numerical gradient of loss(x, t) (float64, tolerance {tol:.0e}):",
        "ja": "gradient() と loss(x, t) の数値微分の比較（float64、許容誤差 {tol:.0e}）:",
    },
    # --- loss, inputs, params -------------------------------------------------------------
    "net.loss_ok": {
        "en": "loss(x, t) returns a finite scalar ({value:.6g})",
        "ja": "loss(x, t) は有限のスカラーを返します（{value:.6g}）",
    },
    "net.loss_nonfinite": {
        "en": "loss(x, t) is {value} on ordinary inputs; gradients not checked",
        "ja": "通常の入力で loss(x, t) が {value} になります。勾配はチェックしていません",
    },
    "net.loss_not_scalar": {
        "en": "loss(x, t) returned {got}, not a single number: sum the losses and divide by the batch size",
        "ja": "loss(x, t) の戻り値が {got} で、1 つの数ではありません。損失を合計してバッチサイズで割ってください",
    },
    "net.loss_labels_only": {
        "en": "loss(x, t) raised {error} with one-hot t (N, C), so t is given as labels (N,); "
        "the book's cross_entropy_error takes both (if t.ndim == 2: t = t.argmax(axis=1))",
        "ja": "one-hot の t (N, C) で loss(x, t) が {error} を出したので、t はラベル (N,) で渡しています。"
        "本の cross_entropy_error はどちらも受け付けます（if t.ndim == 2: t = t.argmax(axis=1)）",
    },
    "net.inputs_kept": {
        "en": "loss() and gradient() leave x and t unchanged",
        "ja": "loss() も gradient() も x と t を書き換えていません",
    },
    "net.inputs_changed": {
        "en": "{where}() wrote into its input {name} (the first change at {index}), so the caller's array changes; "
        "make a new array instead (x = x / 255.0, not x /= 255.0)",
        "ja": "{where}() が入力 {name} を書き換えています（最初の変更は {index}）。呼び出し側の配列が変わってしまうので、"
        "新しい配列を作ってください（x /= 255.0 ではなく x = x / 255.0）",
    },
    "net.params_kept": {
        "en": "gradient() leaves params unchanged",
        "ja": "gradient() は params を書き換えていません",
    },
    "net.params_changed": {
        "en": "gradient() changed params[{name!r}] (the first change at {index}): it must only compute the "
        "gradients; the update params[key] -= lr * grads[key] belongs to the training loop or the optimizer",
        "ja": "gradient() が params[{name!r}] を書き換えています（最初の変更は {index}）。gradient() は勾配を"
        "計算するだけにして、更新 params[key] -= lr * grads[key] は学習ループかオプティマイザで行ってください",
    },
    "net.random": {
        "en": "gradients not checked: loss(x, t) gave {first:.6g}, then {second:.6g} for the same x, t and params, "
        "though np.random's state was replayed before each call (a Generator made inside loss?)",
        "ja": "勾配はチェックしていません: 同じ x、t、params なのに loss(x, t) が {first:.6g}、次に {second:.6g} "
        "になりました。呼ぶたびに np.random の状態は戻しています（loss の中で Generator を作っていませんか？）",
    },
    "net.bad_scores": {
        "en": "predict(x) returned {got}, not scores of shape (N, classes)",
        "ja": "predict(x) の戻り値が {got} で、形状 (N, クラス数) のスコアではありません",
    },
    "net.not_dict": {
        "en": "gradient() returned {got}, not a dict keyed like params (grads['W1'], …)",
        "ja": "gradient() の戻り値が {got} です。params と同じキーの辞書（grads['W1'] など）を返してください",
    },
    # --- keys and shapes ----------------------------------------------------------------
    "net.keys_ok": {
        "en": "gradient() returns every key of params, each with its parameter's shape",
        "ja": "gradient() は params のすべてのキーを、それぞれのパラメータと同じ形状で返します",
    },
    "net.grad_missing": {
        "en": "gradient() gave no array for {target}, though params has {name!r}: "
        "the optimizer updates every key of params",
        "ja": "params に {name!r} があるのに、gradient() が {target} の配列を返していません。"
        "オプティマイザは params のすべてのキーを更新します",
    },
    "net.grad_extra": {
        "en": "gradient() returned {target}, but params has no such key (its keys: {keys})",
        "ja": "gradient() が {target} を返していますが、params にそのキーはありません（params のキー: {keys}）",
    },
    "net.grad_shape": {
        "en": "{target} has shape {got}, but params[{name!r}] has shape {want}",
        "ja": "{target} の形状が {got} ですが、params[{name!r}] の形状は {want} です",
    },
    "net.shape_transposed": {
        "en": ": it is transposed; in dW = np.dot(x.T, dout) the .T belongs on the layer's input x",
        "ja": "。転置になっています。dW = np.dot(x.T, dout) のように、.T は層の入力 x の側に付けます",
    },
    "net.shape_of_other": {
        "en": ": that is the shape of params[{other!r}]; are the two keys swapped?",
        "ja": "。これは params[{other!r}] の形状です。2 つのキーが入れ替わっていませんか？",
    },
    # --- gradients ----------------------------------------------------------------------
    "net.grad_ok": {
        "en": "{target} agrees with the numerical gradient of loss (relative error {rel:.1e})",
        "ja": "{target} は loss の数値微分と一致します（相対誤差 {rel:.1e}）",
    },
    "net.worst": {
        "en": " — at {index}: gradient() {got:.4g}, numerical {numerical:.4g}",
        "ja": "（{index} で gradient() は {got:.4g}、数値微分は {numerical:.4g}）",
    },
    "net.grad_mismatch": {
        "en": "{target} disagrees with the numerical gradient of loss; check the net's layers one by one "
        "(bprop check FILE.py:Affine, …)",
        "ja": "{target} が loss の数値微分と一致しません。ネットワークの層を 1 つずつチェックしてください"
        "（bprop check FILE.py:Affine など）",
    },
    "net.grad_close": {
        "en": "{target} is near the numerical gradient but outside the tolerance (relative error {rel:.1e}): "
        "a small term is off, e.g. the 1e-7 of log(y + 1e-7) where t's class has a small probability",
        "ja": "{target} は数値微分に近いものの許容誤差を超えています（相対誤差 {rel:.1e}）。小さな項がずれています"
        "（t のクラスの確率が小さいときの log(y + 1e-7) の 1e-7 など）",
    },
    "net.stale_forward": {
        "en": "gradient() uses the forward pass of an earlier call: {targets} agree with the numerical gradient "
        "only right after loss(x, t) ran on the same x; start gradient() with self.loss(x, t)",
        "ja": "gradient() が前の呼び出しの順伝播を使っています: {targets} は、同じ x で loss(x, t) を呼んだ直後"
        "にだけ数値微分と一致します。gradient() の最初で self.loss(x, t) を呼んでください",
    },
    "net.not_shared": {
        "en": "{target} is not 0, but moving params[{name!r}] does not change the loss: the layers do not share "
        "params[{name!r}]'s array but hold a copy, so the optimizer's updates never reach them; pass the array "
        "itself (self.W = W, not W.copy() or np.array(W))",
        "ja": "{target} は 0 でないのに、params[{name!r}] を動かしても loss が変わりません。層が params[{name!r}] の"
        "配列を共有せずコピーを持っているため、オプティマイザの更新が層に届きません。配列そのものを渡してください"
        "（self.W = W。W.copy() や np.array(W) ではなく）",
    },
    "net.decay_missing_in_gradient": {
        "en": "{target} = numerical − λ·W (λ = {lam:g}): the weight-decay term λ·W is missing from gradient(); "
        "add self.weight_decay_lambda * W (or the loss adds λ·ΣW² without the ½)",
        "ja": "{target} = 数値微分 − λ·W（λ = {lam:g}）: gradient() に荷重減衰の項 λ·W がありません。"
        "self.weight_decay_lambda * W を足してください（あるいは loss が ½ なしで λ·ΣW² を足しています）",
    },
    "net.decay_half": {
        "en": "{target} has only half the weight-decay term: 0.5·λ·W where λ·W belongs (λ = {lam:g}); the ½ of the "
        "loss's 0.5·λ·ΣW² cancels against the 2 of the derivative, so add self.weight_decay_lambda * W",
        "ja": "{target} の荷重減衰の項が半分しかありません。λ·W であるべき所が 0.5·λ·W です（λ = {lam:g}）。"
        "loss の 0.5·λ·ΣW² の ½ は微分の 2 と打ち消し合うので、self.weight_decay_lambda * W を足してください",
    },
    "net.decay_missing_in_loss": {
        "en": "{target} = numerical + λ·W (λ = {lam:g}): gradient() adds the weight-decay term λ·W, but loss() "
        "lacks ½·λ·ΣW²; add it to the loss",
        "ja": "{target} = 数値微分 + λ·W（λ = {lam:g}）: gradient() は荷重減衰の項 λ·W を足していますが、"
        "loss() に ½·λ·ΣW² がありません。loss に足してください",
    },
    "net.swapped_values": {
        "en": "{target} holds the gradient of params[{other!r}]: the keys are swapped in gradient()",
        "ja": "{target} に params[{other!r}] の勾配が入っています。gradient() でキーが入れ替わっています",
    },
    "net.transposed_values": {
        "en": "{target} is the transpose of the right gradient: in dW = np.dot(x.T, dout) the .T belongs on "
        "the layer's input x",
        "ja": "{target} が正しい勾配の転置になっています。dW = np.dot(x.T, dout) のように、.T は層の入力 x の側に"
        "付けます",
    },
    "net.batch_division": {
        "en": "{target} is {N} times too large: the loss averages over the batch (N = {N}), but backward does not; "
        "the loss layer's backward needs dx = (y - t) / batch_size",
        "ja": "{target} が {N} 倍大きすぎます。loss はバッチ（N = {N}）で平均していますが、backward が割っていません。"
        "損失レイヤの backward は dx = (y - t) / batch_size です",
    },
    # --- accuracy -----------------------------------------------------------------------
    "net.no_predict": {
        "en": "accuracy not checked: the net has no predict(x) to compare it with",
        "ja": "predict(x) がないため、accuracy はチェックしていません",
    },
    "net.accuracy_labels_ok": {
        "en": "accuracy(x, t) with labels (N,) agrees with argmax(predict(x)) ({want:g})",
        "ja": "ラベル (N,) での accuracy(x, t) は argmax(predict(x)) と一致します（{want:g}）",
    },
    "net.accuracy_onehot_ok": {
        "en": "accuracy(x, t) with one-hot t (N, C) agrees with argmax(predict(x)) ({want:g})",
        "ja": "one-hot の t (N, C) での accuracy(x, t) は argmax(predict(x)) と一致します（{want:g}）",
    },
    "net.accuracy_labels": {
        "en": "accuracy with labels (N,) gives {got}, but argmax(predict(x)) matches {want:g} of them; "
        "take np.argmax(t, axis=1) of one-hot t only: if t.ndim != 1: t = np.argmax(t, axis=1)",
        "ja": "ラベル (N,) での accuracy が {got} ですが、argmax(predict(x)) と一致するのは {want:g} です。"
        "np.argmax(t, axis=1) は one-hot の t にだけ使います: if t.ndim != 1: t = np.argmax(t, axis=1)",
    },
    "net.accuracy_onehot": {
        "en": "accuracy ignores one-hot labels: with one-hot t it gives {got}, but argmax(predict(x)) matches "
        "{want:g} of the rows; convert first: if t.ndim != 1: t = np.argmax(t, axis=1)",
        "ja": "accuracy が one-hot のラベルを扱えていません: one-hot の t で {got} ですが、argmax(predict(x)) と"
        "一致するのは {want:g} です。先に変換してください: if t.ndim != 1: t = np.argmax(t, axis=1)",
    },
    "net.accuracy_labels_raised": {
        "en": "accuracy with labels (N,) raised {error}; if t.ndim != 1: t = np.argmax(t, axis=1) accepts both forms",
        "ja": "ラベル (N,) で accuracy が {error} を出しました。if t.ndim != 1: t = np.argmax(t, axis=1) とすれば"
        "両方の形を受け付けます",
    },
    "net.accuracy_onehot_raised": {
        "en": "accuracy ignores one-hot labels: with one-hot t (N, C) it raised {error}; convert first: "
        "if t.ndim != 1: t = np.argmax(t, axis=1)",
        "ja": "accuracy が one-hot のラベルを扱えていません: one-hot の t (N, C) で {error} が出ました。"
        "先に変換してください: if t.ndim != 1: t = np.argmax(t, axis=1)",
    },
    # --- building the net (LearnerError) ----------------------------------------------------
    "net.no_value": {
        "en": "cannot build {cls}: no value for its argument {name}; pass one with --param {name}=VALUE "
        "(e.g. --param hidden_size=5)",
        "ja": "{cls} を作れません: 引数 {name} の値がありません。--param {name}=VALUE で指定してください"
        "（例: --param hidden_size=5）",
    },
    "net.unknown_param": {
        "en": "{cls} takes no argument {name} (its arguments: {args})",
        "ja": "{cls} に引数 {name} はありません（引数: {args}）",
    },
    "net.build_failed": {
        "en": "building {cls}({args}) raised {error}; change an argument with --param NAME=VALUE",
        "ja": "{cls}({args}) を作るときに {error} が出ました。--param NAME=VALUE で引数を変えてください",
    },
    "net.no_method": {
        "en": "{cls} has no {method}(x, t); a net needs loss(x, t) and gradient(x, t)",
        "ja": "{cls} に {method}(x, t) がありません。ネットワークには loss(x, t) と gradient(x, t) が必要です",
    },
    "net.no_params": {
        "en": "{cls} has no params dict of float arrays (params['W1'], …) to check gradient() against",
        "ja": "{cls} に、gradient() と照らし合わせる params（params['W1'] などの浮動小数点配列の辞書）がありません",
    },
    "net.not_float64": {
        "en": "{cls}'s params[{name!r}] is {dtype}; check_net needs float64 parameters (np.random.randn gives them)",
        "ja": "{cls} の params[{name!r}] が {dtype} です。check_net には float64 のパラメータが必要です"
        "（np.random.randn なら float64 になります）",
    },
    "net.no_input_shape": {
        "en": "cannot tell what x {cls} takes: give it an input_size or input_dim attribute, "
        "or pass x and t: check_net(net, x, t)",
        "ja": "{cls} に渡す x の形が分かりません。input_size か input_dim の属性を持たせるか、"
        "x と t を渡してください: check_net(net, x, t)",
    },
}
