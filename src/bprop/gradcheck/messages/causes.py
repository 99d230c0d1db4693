"""Texts of ``bprop.gradcheck.causes``: the causes of a wrong gradient that know what the layer is."""

MESSAGES: dict[str, dict[str, str]] = {
    "grad.x_for_y": {
        "en": "{target} = {form} uses the input x where the output y belongs: {layer}'s derivative is {right}, "
        "with y what forward returned (keep it: self.out = out)",
        "ja": "{target} = {form} では、出力 y を使うべき所で入力 x を使っています。{layer} の微分は {right} で、"
        "y は forward の出力です（self.out = out として保存しておく）",
    },
    "grad.wrong_derivative": {
        "en": "{target} = {form}: that is not {layer}'s derivative, which is {right}",
        "ja": "{target} = {form} になっていますが、これは {layer} の微分ではありません。正しい微分は {right} です",
    },
    "grad.derivative_of": {
        "en": "{target}: backward disagrees with central differences; forward is {layer}, whose derivative is {right}",
        "ja": "{target}: backward が中心差分と一致しません。forward は {layer} で、その微分は {right} です",
    },
    "grad.no_mask": {
        "en": "backward ignores the mask: {target} passes dout where forward dropped the unit; "
        "multiply by the mask kept in forward (dx = dout * self.mask)",
        "ja": "backward でマスクを使っていません。forward で消したユニットにも {target} に dout が流れています。"
        "forward で保存したマスクを掛けてください（dx = dout * self.mask）",
    },
    "grad.dropout_scale": {
        "en": "{target} is {k:.4g} times the right value: backward must scale dout as forward scaled x "
        "(inverted dropout: dx = dout * self.mask / (1 - dropout_ratio), or keep the scaled mask)",
        "ja": "{target} が正しい値の {k:.4g} 倍です。forward で x を縮尺したのと同じように dout も縮尺してください"
        "（inverted dropout なら dx = dout * self.mask / (1 - dropout_ratio)、または縮尺済みのマスクを保存）",
    },
    "grad.loss_summed": {
        "en": "{target} is 1/{N} of the gradient of the loss forward returns: forward sums the loss over the "
        "batch while backward divides by N = {N}; average in forward (the book's cross_entropy_error divides "
        "by batch_size)",
        "ja": "{target} が forward の返す損失の勾配の 1/{N} です。forward がバッチ全体の和を返しているのに、"
        "backward は N = {N} で割っています。forward でも平均を取ってください（本の cross_entropy_error は batch_size で割ります）",
    },
    "grad.divided_by_classes": {
        "en": "{target} is divided by the number of classes C = {C} where the batch size N = {N} belongs: "
        "batch_size = x.shape[0]; dx = (y - t) / batch_size",
        "ja": "{target} をクラス数 C = {C} で割っていますが、割るのはバッチサイズ N = {N} です: "
        "batch_size = x.shape[0]; dx = (y - t) / batch_size",
    },
    "grad.onehot": {
        "en": "backward subtracts t as if it were one-hot rows, but t holds class labels of shape (N,): "
        "dx = y.copy(); dx[np.arange(batch_size), t] -= 1; dx = dx / batch_size",
        "ja": "backward が t を one-hot の行として引いていますが、t は形状 (N,) のクラスラベルです。"
        "dx = y.copy(); dx[np.arange(batch_size), t] -= 1; dx = dx / batch_size としてください",
    },
    "grad.softmax_axis": {
        "en": "the softmax is taken over axis 0, across the batch: each row (sample) must sum to 1 — "
        "np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True), after subtracting each row's max",
        "ja": "softmax を axis 0（バッチ方向）で計算しています。各行（サンプル）の和が 1 になるように、"
        "各行の最大値を引いてから np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True) としてください",
    },
    "grad.dx_from_w": {
        "en": "{target} = dout·W: use the transpose, dx = np.dot(dout, self.W.T) (W is square here, so no shape "
        "error warned you)",
        "ja": "{target} = dout·W になっています。転置を使って dx = np.dot(dout, self.W.T) としてください"
        "（ここでは W が正方行列なので形状エラーになりませんでした）",
    },
    "grad.dw_transposed": {
        "en": "{target} is the transpose of the right value: dW = np.dot(self.x.T, dout) — x.T first, then dout",
        "ja": "{target} が正しい値の転置になっています。dW = np.dot(self.x.T, dout)（x.T が先、dout が後）としてください",
    },
    "grad.dw_no_xt": {
        "en": "{target} = np.dot(x, dout): x needs its transpose, dW = np.dot(self.x.T, dout) (x and W are square "
        "here, so no shape error warned you)",
        "ja": "{target} = np.dot(x, dout) になっています。x は転置が必要です: dW = np.dot(self.x.T, dout)"
        "（ここでは x と W が正方行列なので形状エラーになりませんでした）",
    },
    "grad.bn_dgamma_xc": {
        "en": "{target} uses the centred xc = x − μ where the normalised xn = xc / std belongs: "
        "dgamma = np.sum(self.xn * dout, axis=0)",
        "ja": "{target} で正規化後の xn = xc / std を使うべき所で、中心化しただけの xc = x − μ を使っています。"
        "dgamma = np.sum(self.xn * dout, axis=0) としてください",
    },
    "grad.bn_missing_n": {
        "en": "{target} misses a 1/N, a division by the batch size N = {N}: in the backward of the mean and the variance, "
        "dxc += (2.0 / N) * xc * dvar and dx = dxc - dmu / N",
        "ja": "{target} で 1/N（バッチサイズ N = {N} による割り算）が 1 つ抜けています。平均と分散の逆伝播は "
        "dxc += (2.0 / N) * xc * dvar、dx = dxc - dmu / N です",
    },
    "grad.every_position": {
        "en": "{target} sends the gradient to every position of each window; max pooling passes it only to "
        "the position of the maximum (keep the argmax in forward and scatter dout there)",
        "ja": "{target} で勾配が各ウィンドウのすべての位置に流れています。Max プーリングでは最大値の位置にだけ流します"
        "（forward で argmax を保存し、その位置に dout を入れてください）",
    },
    "grad.reordered": {
        "en": "{target} has the right numbers in the wrong places: a reshape or transpose in the wrong axis order "
        "(for a convolution's dW: np.dot(col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW))",
        "ja": "{target} の値は正しいのに並び順が違います。reshape や transpose の軸の順序が間違っています"
        "（畳み込みの dW なら np.dot(col.T, dout).transpose(1, 0).reshape(FN, C, FH, FW)）",
    },
    "grad.applied_twice": {
        "en": "{target} = {form}: y is already {layer}(x), so applying the function to y again is one time too "
        "many; the derivative is {right}",
        "ja": "{target} = {form} になっています。y はすでに {layer}(x) なので、y にもう一度関数を適用するのは"
        " 1 回多すぎます。微分は {right} です",
    },
    "grad.bn_no_dmu": {
        "en": "{target} leaves out the path through the batch mean μ: after dxc, subtract its mean over the "
        "batch, dmu = np.sum(dxc, axis=0); dx = dxc - dmu / N (N = {N})",
        "ja": "{target} でバッチ平均 μ を通る経路が抜けています。dxc を求めたあと、dmu = np.sum(dxc, axis=0); "
        "dx = dxc - dmu / N（N = {N}）としてください",
    },
    "grad.node_own_input": {
        "en": "{target} = dout times the input it is the gradient of; for z = x·y, dx = dout·y and dy = dout·x: "
        "did forward keep an input under the wrong name (self.x = x; self.y = y)?",
        "ja": "{target} が dout とその入力自身の積になっています。z = x·y なら dx = dout·y、dy = dout·x です。"
        "forward で入力を取り違えて保存していませんか（self.x = x; self.y = y）？",
    },
    "grad.bn_no_dvar": {
        "en": "{target} leaves out the path through the batch variance: dstd = -np.sum(dxn * xc / (std * std), "
        "axis=0); dvar = 0.5 * dstd / std; dxc += (2.0 / N) * xc * dvar (N = {N})",
        "ja": "{target} でバッチの分散を通る経路が抜けています: dstd = -np.sum(dxn * xc / (std * std), axis=0); "
        "dvar = 0.5 * dstd / std; dxc += (2.0 / N) * xc * dvar（N = {N}）",
    },
    "grad.reordered_pool": {
        "en": "{target} has the right numbers in the wrong places: an axis order is off; in max pooling, "
        "dout.transpose(0, 2, 3, 1) before flattening it, and col2im's (N, C, H, W) order after",
        "ja": "{target} の値は正しいのに並び順が違います。軸の順序がずれています。Max プーリングでは平坦化の前に "
        "dout.transpose(0, 2, 3, 1) とし、col2im の後は (N, C, H, W) の順に戻してください",
    },
    "grad.reordered_plain": {
        "en": "{target} has the right numbers in the wrong places: a reshape or transpose in the wrong axis order",
        "ja": "{target} の値は正しいのに並び順が違います。reshape や transpose の軸の順序が間違っています",
    },
    "grad.swapped": {
        "en": "{target} holds what {other} should be: the two gradients are swapped "
        "(for z = x·y: dx = dout·y, dy = dout·x)",
        "ja": "{target} に {other} の値が入っています。2 つの勾配が入れ替わっています（z = x·y なら dx = dout·y、dy = dout·x）",
    },
}
