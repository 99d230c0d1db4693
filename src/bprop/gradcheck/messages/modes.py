"""Texts of check_layer's train/test-mode checks (Dropout, BatchNormalization) and of its precision note."""

MESSAGES: dict[str, dict[str, str]] = {
    "precision.float32": {
        "en": "the layer computes in {dtype} inside (float64 in, {dtype} out): gradients are checked with "
        "{dtype}'s precision (ε = {eps:g}, tolerance {tol:g}); the book's layers compute in float64",
        "ja": "レイヤ内部で {dtype} で計算しています（float64 を入れると {dtype} が出ます）。勾配は {dtype} の精度で"
        "チェックしました（ε = {eps:g}、許容誤差 {tol:g}）。本のレイヤは float64 で計算します",
    },
    "mode.running_still": {
        "en": "{name} does not change in training mode: update the running averages in forward when train_flg is "
        "True (running_mean = momentum * running_mean + (1 - momentum) * mu)",
        "ja": "訓練モードで {name} が変わりません。train_flg が True のとき forward で移動平均を更新してください"
        "（running_mean = momentum * running_mean + (1 - momentum) * mu）",
    },
    "mode.running_ok": {
        "en": "training mode moves the running averages as {m:g}·old + (1 − {m:g})·batch mean",
        "ja": "訓練モードで移動平均が {m:g}·old + (1 − {m:g})·バッチ平均 のとおりに更新されます",
    },
    "mode.running_swapped": {
        "en": "running_mean moves as (1 − momentum)·old + momentum·batch mean: momentum and 1 − momentum are "
        "swapped (the book: running_mean = momentum * running_mean + (1 - momentum) * mu, momentum = {m:g})",
        "ja": "running_mean が (1 − momentum)·old + momentum·バッチ平均 で更新されています。momentum と 1 − momentum が"
        "逆です（本: running_mean = momentum * running_mean + (1 - momentum) * mu、momentum = {m:g}）",
    },
    "mode.running_moved": {
        "en": "training mode moves the running averages (not by the book's momentum formula: check it if you "
        "meant that one)",
        "ja": "訓練モードで移動平均は更新されます（本の momentum の式とは違います。その式のつもりなら確認してください）",
    },
    "mode.test_ok": {
        "en": "test mode ({name}=False): forward is finite and deterministic and changes nothing",
        "ja": "テストモード（{name}=False）: forward は有限・決定的で、何も書き換えません",
    },
    "mode.test_nonfinite": {
        "en": "test mode ({name}=False): forward gives NaN or inf",
        "ja": "テストモード（{name}=False）で forward が NaN や inf を返します",
    },
    "mode.test_random": {
        "en": "test mode ({name}=False): forward is random; at test time a layer must give the same output "
        "for the same input (no mask)",
        "ja": "テストモード（{name}=False）で forward の出力が乱数で変わります。テスト時は同じ入力に同じ出力を"
        "返してください（マスクなし）",
    },
    "mode.test_moves": {
        "en": "test mode changed {name}: update the running averages only when {mode} is True",
        "ja": "テストモードで {name} が変わりました。移動平均の更新は {mode} が True のときだけにしてください",
    },
    "test_inplace.ok": {
        "en": "test mode leaves the inputs unchanged",
        "ja": "テストモードでも入力は書き換えられません",
    },
    "test_inplace.fail": {
        "en": "test mode wrote into its input {name} (the first change at {index}); compute on a copy",
        "ja": "テストモードで入力 {name} が書き換えられています（最初の変更は {index}）。コピーに対して計算してください",
    },
    "mode.dropout_book": {
        "en": "test mode scales by 1 − dropout_ratio = {keep:g}, as the book's Dropout (training keeps x as is)",
        "ja": "テストモードで 1 − dropout_ratio = {keep:g} を掛けています（本の Dropout のとおり。訓練時は x をそのまま残す）",
    },
    "mode.dropout_inverted": {
        "en": "inverted dropout: training divides by 1 − ratio (×{scale:.4g}) and test mode passes x through: right",
        "ja": "inverted dropout です: 訓練時に 1 − ratio で割り（×{scale:.4g}）、テスト時は x をそのまま通します。正しい形です",
    },
    "mode.dropout_no_scale": {
        "en": "test mode returns x unscaled, but training keeps x unscaled too: at test time multiply by "
        "(1 - dropout_ratio) = {keep:g} (the book: return x * (1.0 - self.dropout_ratio)), or divide by it in "
        "training (inverted dropout)",
        "ja": "テストモードで x をそのまま返していますが、訓練時も x を縮めていません。テスト時に "
        "1 - dropout_ratio = {keep:g} を掛けてください（本: return x * (1.0 - self.dropout_ratio)）。"
        "または訓練時に割ってください（inverted dropout）",
    },
    "mode.dropout_double": {
        "en": "training already divides by 1 − ratio (×{scale:.4g}, inverted dropout), so test mode must return x "
        "unchanged; it scales x again",
        "ja": "訓練時にすでに 1 − ratio で割っている（×{scale:.4g}、inverted dropout）ので、テスト時は x をそのまま"
        "返してください。テスト時にもう一度スケールしています",
    },
    "mode.dropout_test_wrong": {
        "en": "test mode's output is neither x · (1 − dropout_ratio) (the book) nor x (inverted dropout)",
        "ja": "テストモードの出力が x · (1 − dropout_ratio)（本）でも x（inverted dropout）でもありません",
    },
    "mode.dropout_all": {
        "en": "training mode drops every unit: the mask is all zeros",
        "ja": "訓練モードですべてのユニットが消えています（マスクがすべて 0）",
    },
    "mode.dropout_fraction_ok": {
        "en": "training mode drops {dropped:.0%} of the units for dropout_ratio = {ratio:g}",
        "ja": "dropout_ratio = {ratio:g} に対して、訓練モードで {dropped:.0%} のユニットを消しています",
    },
    "mode.dropout_fraction_swapped": {
        "en": "training mode drops {dropped:.0%} of the units, but dropout_ratio = {ratio:g} is the share to drop: "
        "the mask is inverted (keep where np.random.rand(*x.shape) > dropout_ratio)",
        "ja": "訓練モードで {dropped:.0%} のユニットを消していますが、dropout_ratio = {ratio:g} は消す割合です。"
        "マスクが逆です（np.random.rand(*x.shape) > dropout_ratio の所を残す）",
    },
    "mode.dropout_fraction_off": {
        "en": "training mode drops {dropped:.0%} of the units for dropout_ratio = {ratio:g}",
        "ja": "dropout_ratio = {ratio:g} なのに、訓練モードで {dropped:.0%} のユニットを消しています",
    },
    "mode.bn_test_ok": {
        "en": "test mode normalises with the running averages ({form})",
        "ja": "テストモードでは移動平均で正規化しています（{form}）",
    },
    "mode.bn_test_wrong": {
        "en": "test mode does not give gamma * (x - running_mean) / sqrt(running_var + eps) + beta: at test time "
        "normalise with the running averages, not the batch's statistics",
        "ja": "テストモードの出力が gamma * (x - running_mean) / sqrt(running_var + eps) + beta になっていません。"
        "テスト時はバッチの統計ではなく移動平均で正規化してください",
    },
    "bn.per_element": {
        "en": "normalises (N, C, H, W) per element, over N only (as the book: x.reshape(N, -1))",
        "ja": "(N, C, H, W) を要素ごとに N 方向だけで正規化しています（本のとおり x.reshape(N, -1)）",
    },
    "bn.per_channel": {
        "en": "normalises (N, C, H, W) per channel, over N, H and W (as torch's BatchNorm2d)",
        "ja": "(N, C, H, W) をチャンネルごとに N・H・W 方向で正規化しています（torch の BatchNorm2d のとおり）",
    },
}
