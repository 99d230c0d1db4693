"""Texts of check_optimizer (``bprop.gradcheck.optimizer``)."""

MESSAGES: dict[str, dict[str, str]] = {
    # --- the report's frame and building the optimizer ----------------------------------------------
    "title.optimizer": {
        "en": "Check of the optimizer {layer} ({inputs}; dtypes checked: {dtype})",
        "ja": "オプティマイザ {layer} のチェック（{inputs}、チェックした dtype: {dtype}）",
    },
    "optim.cannot_build": {
        "en": "cannot build {cls}: __init__ needs {arg}, which has no default and is none of the book's "
        "hyperparameters (lr, momentum, decay_rate, beta1, beta2, eps); give it a default: {arg}=...",
        "ja": "{cls} を作れません: __init__ の引数 {arg} にデフォルト値がなく、本のハイパーパラメータ"
        "（lr, momentum, decay_rate, beta1, beta2, eps）でもありません。{arg}=... のようにデフォルト値を付けてください",
    },
    "optim.unknown_param": {
        "en": "{cls}.__init__ takes no argument {arg} (it takes: {args})",
        "ja": "{cls}.__init__ に引数 {arg} はありません（受け取る引数: {args}）",
    },
    "optim.build_failed": {
        "en": "building {cls} raised {error}",
        "ja": "{cls} を作るときに例外が発生しました: {error}",
    },
    "optim.no_update": {
        "en": "{cls} has no update(params, grads) method; an optimizer needs one, as in the book",
        "ja": "{cls} に update(params, grads) メソッドがありません。本と同じく、オプティマイザには update が必要です",
    },
    "optim.bad_param": {
        "en": "after update, {param} is {got}, not an array of the parameter's shape",
        "ja": "update の後、{param} が {got} になっています。パラメータと同じ形状の配列であるべきです",
    },
    # --- how update is called, what it reads -----------------------------------------------------------
    "optim.form.dict": {
        "en": "update takes params and grads as dicts keyed 'W1', 'b1', … (book 1's net.params)",
        "ja": "update は params と grads を 'W1', 'b1', … をキーとする辞書で受け取ります（本 1 巻の net.params）",
    },
    "optim.form.list": {
        "en": "update takes params and grads as lists of arrays in one order (book 2's model.params); "
        "dicts raised an error, so lists were used",
        "ja": "update は params と grads を同じ順序の配列のリストで受け取ります（本 2 巻の model.params）。"
        "辞書ではエラーになったので、リストで渡しました",
    },
    "optim.hyper": {
        "en": "the reference uses the optimizer's own hyperparameters: {values}",
        "ja": "参照実装はオプティマイザ自身のハイパーパラメータを使います: {values}",
    },
    "optim.hyper_assumed": {
        "en": "not found on the optimizer as a number, so the reference uses the book's value: {values}",
        "ja": "オプティマイザに数値として見つからなかったので、参照実装は本の値を使います: {values}",
    },
    "optim.unknown_name": {
        "en": "no reference update exists for the name {cls} (known: SGD, Momentum, Nesterov, AdaGrad, RMSprop, "
        "Adam): checked only that it descends on a quadratic, updates in place and leaves grads alone",
        "ja": "{cls} という名前の参照実装はありません（あるのは SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam）。"
        "2 次関数で損失が下がること、その場で更新すること、grads を変えないことだけをチェックしました",
    },
    # --- the contract: in place, grads untouched ---------------------------------------------------------
    "optim.inplace.ok": {
        "en": "update changes the parameter arrays in place: the caller's arrays (and the layers sharing them) "
        "see the new values",
        "ja": "update はパラメータの配列をその場で書き換えます。呼び出し側の配列（それを共有するレイヤ）にも新しい値が見えます",
    },
    "optim.rebound": {
        "en": "update put a new array into {param} instead of changing the old one in place: the caller's "
        "arrays, and the layers that share them (net.params['W1'] is the Affine layer's W), never change, "
        "so the net does not learn; write {fix} (-= changes the array itself, p = p - ... makes a new one)",
        "ja": "update が {param} の配列をその場で書き換えず、新しい配列に置き換えています。呼び出し側の配列と、"
        "それを共有するレイヤ（net.params['W1'] は Affine レイヤの W そのもの）は変わらないので、ネットワークは学習しません。"
        "{fix} と書いてください（-= は配列そのものを変え、p = p - ... は新しい配列を作ります）",
    },
    "optim.unchanged": {
        "en": "update changed no parameter: the values in params are as before. In a loop, p = p - lr * g "
        "only rebinds the name p to a new array; write {fix}",
        "ja": "update がパラメータを 1 つも変えていません（params の値が前と同じです）。ループの中の p = p - lr * g は"
        "名前 p に新しい配列を結び付けるだけです。{fix} と書いてください",
    },
    "optim.returned": {
        "en": " (update returned a {type}; the training loop ignores what update returns)",
        "ja": "（update が {type} を返していますが、学習ループは update の戻り値を使いません）",
    },
    "optim.grads.ok": {
        "en": "update leaves grads unchanged",
        "ja": "update は grads を書き換えていません",
    },
    "optim.grads_written": {
        "en": "update wrote into {grad} at step {step} (the first change at {index}); grads belong to the caller: "
        "compute the step into a new array (self.lr * grads[key]) instead of changing grads[key] in place",
        "ja": "update がステップ {step} で {grad} を書き換えています（最初の変更は {index}）。grads は呼び出し側のものです。"
        "grads[key] をその場で変えずに、self.lr * grads[key] のように新しい配列で計算してください",
    },
    # --- against the reference --------------------------------------------------------------------------
    "optim.ok.book": {
        "en": "{steps} steps agree with the book's {algo} (largest difference {err:.1e} of a step)",
        "ja": "{steps} ステップとも本の {algo} と一致します（差は最大でステップ幅の {err:.1e}）",
    },
    "optim.ok.torch_adam": {
        "en": "{steps} steps agree with Adam in PyTorch's form, m̂ / (√v̂ + eps) with eps = {eps:g} "
        "(largest difference {err:.1e} of a step); the book's lr_t form differs only in what eps is added to",
        "ja": "{steps} ステップとも PyTorch の形の Adam、m̂ / (√v̂ + eps)（eps = {eps:g}）と一致します"
        "（差は最大でステップ幅の {err:.1e}）。本の lr_t の形とは eps を足す相手が違うだけです",
    },
    "optim.ok.torch_momentum": {
        "en": "{steps} steps agree with Momentum in PyTorch's form, v = μ·v + g; p -= lr·v (largest difference "
        "{err:.1e} of a step): the book's v is -lr times this v, the same steps while lr is constant; "
        "with a changing lr (a schedule) the two differ",
        "ja": "{steps} ステップとも PyTorch の形の Momentum、v = μ·v + g; p -= lr·v と一致します"
        "（差は最大でステップ幅の {err:.1e}）。本の v はこの v の -lr 倍で、lr が一定なら同じ更新です。"
        "lr を途中で変える（スケジュール）と両者は違ってきます",
    },
    "optim.ok.book2_nesterov": {
        "en": "{steps} steps agree with Nesterov in book 2's form (also book 1's first printing), which uses v after "
        "its update: p += μ²·v - (1+μ)·lr·g (largest difference {err:.1e} of a step); book 1's corrected code "
        "and PyTorch use v before its update; both converge",
        "ja": "{steps} ステップとも本 2 巻の形（本 1 巻の初期の版も同じ）の Nesterov と一致します。更新後の v を使う "
        "p += μ²·v - (1+μ)·lr·g です（差は最大でステップ幅の {err:.1e}）。本 1 巻の修正後のコードと PyTorch は"
        "更新前の v を使います。どちらも収束します",
    },
    "optim.at": {
        "en": " — at step {step}, {param} at {index}: yours {got:.6g}, {algo} gives {want:.6g} (before: {start:.6g})",
        "ja": "（ステップ {step} の {param} の {index}: あなたの値は {got:.6g}、{algo} は {want:.6g}。元の値は {start:.6g}）",
    },
    "optim.mismatch": {
        "en": "{param} differs from the book's {algo} from step {step} on, and no known mistake explains it; "
        "compare your update with the book's: {fix}",
        "ja": "{param} がステップ {step} から本の {algo} と違います。よくある間違いのどれにも当てはまりません。"
        "本の更新式と見比べてください: {fix}",
    },
    "optim.cause.sign": {
        "en": "{param} moved up the gradient (by +lr·grad where the book moves -lr·grad): the sign of the step "
        "is wrong; write {fix}",
        "ja": "{param} が勾配の方向に進んでいます（本は -lr·grad 進むところを +lr·grad）。更新の符号が逆です。{fix} と書いてください",
    },
    "optim.cause.lr_minus_grad": {
        "en": "{param} moved by grad - lr: the update reads params[key] -= self.lr - grads[key] "
        "(a '-' typed for the '*'); write {fix}",
        "ja": "{param} が grad - lr だけ動いています。params[key] -= self.lr - grads[key] になっています"
        "（'*' のはずが '-'）。{fix} と書いてください",
    },
    "optim.cause.reset": {
        "en": "{param} agrees with the book's {algo} at step 1 only: the state ({state}) starts from zero at "
        "every call, so nothing is remembered between steps: create it once, while it is still None, keep it on "
        "self, and add to it (h += grads[key] * grads[key]), never assign it (h = …)",
        "ja": "{param} が本の {algo} と一致するのはステップ 1 だけです。状態（{state}）を呼び出しのたびに 0 から"
        "作り直しているので、前のステップが覚えられていません。まだ None のときに 1 回だけ作って self に持ち続け、"
        "代入（h = …）ではなく加算（h += grads[key] * grads[key]）してください",
    },
    "optim.cause.no_sqrt": {
        "en": "{param} follows {algo} divided by h itself, not by its square root: write "
        "lr * grads[key] / (np.sqrt(h) + eps)",
        "ja": "{param} が h の平方根ではなく h そのもので割った {algo} と一致します。"
        "lr * grads[key] / (np.sqrt(h) + eps) と書いてください",
    },
    "optim.cause.nesterov_is_momentum": {
        "en": "{param} follows plain Momentum (v = momentum·v − lr·grad; p += v), not Nesterov: Nesterov looks "
        "ahead — the book: v *= momentum; v -= lr * grad; p += momentum * momentum * v; p -= (1 + momentum) * lr * grad",
        "ja": "{param} が Nesterov ではなく普通の Momentum（v = momentum·v − lr·grad; p += v）と一致します。"
        "Nesterov は先を見て更新します。本: v *= momentum; v -= lr * grad; p += momentum * momentum * v; "
        "p -= (1 + momentum) * lr * grad",
    },
    "optim.cause.v_from_grads": {
        "en": "{param} follows {algo} with v starting as the first gradient instead of zeros: create the "
        "velocity as np.zeros_like(val)",
        "ja": "{param} が、v を 0 ではなく最初の勾配から始めた {algo} と一致します。速度は np.zeros_like(val) で"
        "作ってください",
    },
    "optim.cause.not_squared": {
        "en": "{param} follows {algo} that adds |grad| to h, not its square: "
        "h += grads[key] * grads[key]",
        "ja": "{param} が、h に勾配の 2 乗ではなく |grad| を足す {algo} と一致します。"
        "h += grads[key] * grads[key] としてください",
    },
    "optim.cause.betas_swapped": {
        "en": "{param} follows {algo} with beta1 and beta2 swapped: m (the mean of the gradients) decays with "
        "beta1 = 0.9, v (the mean of their squares) with beta2 = 0.999",
        "ja": "{param} が beta1 と beta2 を入れ替えた {algo} と一致します。m（勾配の平均）は beta1 = 0.9、"
        "v（勾配の 2 乗の平均）は beta2 = 0.999 で減衰させます",
    },
    "optim.cause.shared": {
        "en": "one state ({state}) is shared by all parameters: with parameters of one shape, {param} follows "
        "the book's {algo} run with a single state for W1, W2 and W3 in turn, so values mix between keys; keep "
        "one per key: self.v[key] = np.zeros_like(val) for each key",
        "ja": "すべてのパラメータが 1 つの状態（{state}）を共有しています。同じ形状のパラメータで試すと、{param} は "
        "W1, W2, W3 を 1 つの状態で順に更新した本の {algo} と一致し、キーの間で値が混ざっています。"
        "キーごとに self.v[key] = np.zeros_like(val) のように 1 つずつ持ってください",
    },
    "optim.shared_raised": {
        "en": "; with parameters of different shapes update raised {error}",
        "ja": "。形状の違うパラメータでは update で例外が発生しました: {error}",
    },
    "optim.cause.no_bias_correction": {
        "en": "{param} follows Adam without bias correction (p -= lr·m / (√v + eps)): the first steps come out "
        "too small (at step 1 by √(1-β2)/(1-β1) ≈ 0.32 with the book's betas); use "
        "lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)",
        "ja": "{param} はバイアス補正のない Adam（p -= lr·m / (√v + eps)）と一致します。最初のステップが小さすぎます"
        "（本の beta ではステップ 1 で √(1-β2)/(1-β1) ≈ 0.32 倍）。"
        "lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter) を使ってください",
    },
    "optim.cause.eps_inside": {
        "en": "{param}: eps = {eps:g} is inside the square root, √(h + eps); for gradients of about √eps = "
        "{root:.1g} or smaller that shrinks the step a lot; the book adds eps outside the root: {fix}",
        "ja": "{param}: eps = {eps:g} が平方根の中にあります（√(h + eps)）。勾配が √eps = {root:.1g} 程度以下だと、"
        "ステップが大きく縮みます。本では eps を平方根の外に足します: {fix}",
    },
    "optim.cause.no_eps": {
        "en": "{param} follows the update without eps: where the gradient is 0, √h (or √v) is 0 too and "
        "the step is 0/0 = NaN; add eps to the denominator: {fix}",
        "ja": "{param} は eps のない更新式と一致します。勾配が 0 の所では √h（や √v）も 0 で、ステップが 0/0 = NaN "
        "になります。分母に eps を足してください: {fix}",
    },
    "optim.cause.t_frozen": {
        "en": "{param} follows Adam with the step count stuck at t = {t}: self.{counter} is never incremented "
        "(t = 0 divides 0 by 0 in lr_t, t = 1 keeps the first step's bias correction); "
        "write self.{counter} += 1 at the start of update",
        "ja": "{param} はステップ数が t = {t} のまま変わらない Adam と一致します。self.{counter} が増えていません"
        "（t = 0 だと lr_t が 0/0、t = 1 だと最初のステップのバイアス補正のまま）。update の最初に "
        "self.{counter} += 1 と書いてください",
    },
    "optim.cause.decay_swapped": {
        "en": "{param} follows RMSprop with decay_rate and 1 - decay_rate swapped (h = (1-ρ)·h + ρ·g²), so h "
        "forgets almost at once; write self.h[key] *= self.decay_rate; "
        "self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]",
        "ja": "{param} は decay_rate と 1 - decay_rate を入れ替えた RMSprop（h = (1-ρ)·h + ρ·g²）と一致し、h がすぐに"
        "忘れてしまいます。self.h[key] *= self.decay_rate; "
        "self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key] と書いてください",
    },
    "optim.cause.momentum_no_lr": {
        "en": "{param} follows Momentum without lr in the velocity (v = momentum·v - grad): every step is "
        "1/lr times too large; write {fix}",
        "ja": "{param} は速度の式に lr のない Momentum（v = momentum·v - grad）と一致します。どのステップも 1/lr 倍"
        "大きすぎます。{fix} と書いてください",
    },
    "optim.cause.momentum_average": {
        "en": "{param} follows Momentum as an average, v = μ·v + (1-μ)·g; p -= lr·v (as in some courses): its "
        "steps are (1-μ) times the book's; the book's Momentum is {fix}",
        "ja": "{param} は平均の形の Momentum、v = μ·v + (1-μ)·g; p -= lr·v（講座によってはこの形）と一致します。"
        "ステップは本の (1-μ) 倍です。本の Momentum は {fix} です",
    },
    "optim.cause.scaled": {
        "en": "every step of {param} is {k:.4g} times the book's {algo}, as if lr were {lr_used:.4g} while the "
        "optimizer holds lr = {lr:g}: is self.lr used in update, or a number written in its place?",
        "ja": "{param} のどのステップも本の {algo} の {k:.4g} 倍で、オプティマイザの lr = {lr:g} ではなく "
        "lr = {lr_used:.4g} で更新したようになっています。update で self.lr を使っていますか？数値を直接書いていませんか？",
    },
    # --- lr, zero gradients, dtype, descent -------------------------------------------------------------
    "optim.lr.ok": {
        "en": "the steps follow self.{attr}: changed from {lr:g} to {new:g}, the steps grew by the same factor",
        "ja": "ステップは self.{attr} に従います: {lr:g} から {new:g} に変えると、ステップも同じ倍率で大きくなりました",
    },
    "optim.lr.ignored": {
        "en": "self.{attr} changed from {lr:g} to {new:g} and the steps stayed as they were: update does not read "
        "self.{attr} (a number written in its place?); use self.{attr} in update",
        "ja": "self.{attr} を {lr:g} から {new:g} に変えてもステップが変わりません。update が self.{attr} を読んでいません"
        "（数値を直接書いていませんか？）。update の中で self.{attr} を使ってください",
    },
    "optim.lr.other": {
        "en": "self.{attr} changed from {lr:g} to {new:g} and the steps changed, but not by that factor: does "
        "update use lr in some other way than the book (lr·grad)?",
        "ja": "self.{attr} を {lr:g} から {new:g} に変えるとステップは変わりましたが、その倍率ではありません。"
        "update で lr を本（lr·grad）とは違う形で使っていませんか？",
    },
    "optim.zero.ok": {
        "en": "zero and tiny gradients (0 and about 1e-4) give finite steps that still agree with the reference",
        "ja": "0 やごく小さい勾配（0 と 1e-4 程度）でもステップは有限で、参照実装と一致します",
    },
    "optim.zero.finite": {
        "en": "zero and tiny gradients (0 and about 1e-4) give finite steps",
        "ja": "0 やごく小さい勾配（0 と 1e-4 程度）でもステップは有限です",
    },
    "optim.zero.nonfinite": {
        "en": "{param} at {index} became {value} at step {step}, where its gradient was {grad:.3g}: a division by "
        "something that is 0 there (√h of zero gradients); add eps to the denominator, as the book does: "
        "np.sqrt(h) + 1e-7",
        "ja": "{param} の {index} がステップ {step} で {value} になりました。そこでの勾配は {grad:.3g} です。"
        "そこで 0 になるもの（0 の勾配の √h）で割っています。本のように分母に eps を足してください: np.sqrt(h) + 1e-7",
    },
    "optim.zero.context": {
        "en": " (seen with gradients of 0 and about 1e-4, where eps matters; ordinary gradients agree)",
        "ja": "（0 や 1e-4 程度の勾配で見つかりました。eps が効くのはこういう所で、通常の勾配では一致します）",
    },
    "optim.zero.mismatch": {
        "en": "{param} differs from the book's {algo} with zero and tiny gradients: look at how eps enters the "
        "denominator (the book: np.sqrt(h) + 1e-7)",
        "ja": "0 やごく小さい勾配で {param} が本の {algo} と違います。分母への eps の入れ方を確かめてください"
        "（本では np.sqrt(h) + 1e-7）",
    },
    "optim.dtype.ok": {
        "en": "float32 parameters stay float32, and so does the optimizer's state",
        "ja": "float32 のパラメータは float32 のままで、オプティマイザの状態も float32 です",
    },
    "optim.dtype.params": {
        "en": "float32 parameters came back as {got} in {param}: a {got} array replaced them",
        "ja": "float32 のパラメータが {param} で {got} になりました。{got} の配列に置き換わっています",
    },
    "optim.dtype.state": {
        "en": "with float32 parameters the state {what} is float64, so each step computes in float64: "
        "np.zeros(val.shape) makes float64; np.zeros_like(val) keeps the parameter's dtype",
        "ja": "float32 のパラメータなのに状態 {what} が float64 なので、毎ステップ float64 で計算しています。"
        "np.zeros(val.shape) は float64 になります。np.zeros_like(val) ならパラメータの dtype のままです",
    },
    "optim.descent.ok": {
        "en": "the loss of a quadratic fell from {start:.4g} to {end:.4g} in {steps} steps",
        "ja": "2 次関数の損失が {steps} ステップで {start:.4g} から {end:.4g} に下がりました",
    },
    "optim.descent.fail": {
        "en": "the loss of a quadratic went from {start:.4g} to {end:.4g} in {steps} steps instead of falling "
        "(grads = a·(p - c)): the update moves up the gradient, or lr is too large",
        "ja": "2 次関数の損失が {steps} ステップで {start:.4g} から {end:.4g} になり、下がりませんでした"
        "（grads = a·(p - c)）。勾配の方向に進んでいるか、lr が大きすぎます",
    },
    "optim.descent.nonfinite": {
        "en": "on a quadratic, {param} at {index} became NaN or inf at step {step} of {steps}",
        "ja": "2 次関数で、{param} の {index} が {steps} ステップ中のステップ {step} で NaN や inf になりました",
    },
}
