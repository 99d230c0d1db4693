"""Texts of ``bprop.gradcheck.readings``: where an exception happened in the learner's file, and what it means."""

MESSAGES: dict[str, dict[str, str]] = {
    "exception.at": {
        "en": "\n      at {file}:{line}: {code}",
        "ja": "\n      場所 {file}:{line}: {code}",
    },
    "reading.exit": {
        "en": "\n      the code called sys.exit (or raised SystemExit): a layer must return its result, "
        "never end the program",
        "ja": "\n      sys.exit を呼んでいます（または SystemExit を送出）。レイヤは結果を返すもので、"
        "プログラムを終了させてはいけません",
    },
    "reading.none": {
        "en": "\n      a value that should be an array is None: something forward should have stored "
        "(self.x = x, self.mask = …) was never set, or a method returned nothing",
        "ja": "\n      配列であるはずの値が None です。forward で保存すべきもの（self.x = x、self.mask = … など）が"
        "設定されていないか、メソッドが何も返していません",
    },
    "reading.not_stored": {
        "en": "\n      backward reads self.{name}, but forward never stored it: set self.{name} = … in forward",
        "ja": "\n      backward が self.{name} を読んでいますが、forward で保存していません。"
        "forward の中で self.{name} = … を設定してください",
    },
    "reading.no_attribute": {
        "en": "\n      a {owner} has no attribute {name}: a typo, or something set nowhere",
        "ja": "\n      {owner} に属性 {name} がありません。綴りの誤りか、どこでも設定していない属性です",
    },
    "reading.np_alias": {
        "en": "\n      np.{name} was removed in NumPy 1.24: write the built-in {name} (e.g. .astype({name}))",
        "ja": "\n      np.{name} は NumPy 1.24 で削除されました。組み込みの {name} を使ってください"
        "（例: .astype({name})）",
    },
    "reading.transpose": {
        "en": "\n      a matrix product of {a} and {b}: the inner sizes differ; {fix} "
        "(as in dx = np.dot(dout, W.T), dW = np.dot(x.T, dout))",
        "ja": "\n      {a} と {b} の行列積で、内側のサイズが合いません。{fix}"
        "（dx = np.dot(dout, W.T)、dW = np.dot(x.T, dout) のように）",
    },
    "reading.matmul": {
        "en": "\n      a matrix product whose inner sizes differ: a transpose is probably missing "
        "(dx = dout @ W.T, dW = x.T @ dout)",
        "ja": "\n      行列積の内側のサイズが合いません。転置が抜けているようです（dx = dout @ W.T、dW = x.T @ dout）",
    },
    "reading.labels": {
        "en": "\n      t holds class labels of shape (N,), not one-hot rows (N, C): subtract 1 at each label "
        "instead, dx = y.copy(); dx[np.arange(N), t] -= 1 (the book handles both forms)",
        "ja": "\n      t は形状 (N,) のクラスラベルで、one-hot の (N, C) ではありません。"
        "dx = y.copy(); dx[np.arange(N), t] -= 1 のようにラベルの位置から 1 を引いてください（本は両方の形に対応しています）",
    },
    "reading.net_order": {
        "en": "\n      inside gradient(), a matrix product whose sizes do not fit: are the layers visited in reverse "
        "order (layers = list(self.layers.values()); layers.reverse())? Otherwise a layer's backward misses a "
        "transpose (dx = np.dot(dout, W.T))",
        "ja": "\n      gradient() の中でサイズの合わない行列積があります。レイヤを逆順にたどっていますか"
        "（layers = list(self.layers.values()); layers.reverse()）？ そうでなければ、どれかのレイヤの backward で"
        "転置が抜けています（dx = np.dot(dout, W.T)）",
    },
    "reading.np_max": {
        "en": "\n      np.max(a, b) is the largest element of a, along axis b; the elementwise maximum of two arrays "
        "is np.maximum(0, x)",
        "ja": "\n      np.max(a, b) は a の軸 b 方向の最大値です。2 つの配列の要素ごとの最大値は np.maximum(0, x) です",
    },
    "reading.truth_value": {
        "en": "\n      an if (or and/or) on a whole array: compare elementwise instead, y = x > 0, and convert, "
        "y.astype(int) (or np.where(x > 0, 1, 0))",
        "ja": "\n      配列全体に if（や and/or）を使っています。要素ごとに比較して y = x > 0 とし、"
        "y.astype(int)（または np.where(x > 0, 1, 0)）で変換してください",
    },
    "reading.broadcast": {
        "en": "\n      arrays of shapes {shapes} were combined elementwise but do not fit: a sum over an axis, "
        "a reshape or a transpose is missing",
        "ja": "\n      形状 {shapes} の配列を要素ごとに計算しようとしましたが合いません。"
        "軸方向の和・reshape・転置のどれかが抜けています",
    },
    "reading.reshape": {
        "en": "\n      a reshape to a size that does not fit: reshape back to the shape forward saw "
        "(keep self.original_x_shape = x.shape)",
        "ja": "\n      サイズの合わない reshape です。forward で受け取った形状に戻してください"
        "（self.original_x_shape = x.shape を保存しておく）",
    },
    "reading.name": {
        "en": "\n      {name} is not defined there: a missing import (import numpy as np) or a missing self.?",
        "ja": "\n      {name} が定義されていません。import（import numpy as np）か self. が抜けていませんか？",
    },
    "reading.index": {
        "en": "\n      an index out of range: labels as class indices vs one-hot rows, or an axis that does not exist",
        "ja": "\n      インデックスが範囲外です。クラス番号のラベルと one-hot の取り違えか、存在しない軸を指定しています",
    },
    "reading.recursion": {
        "en": "\n      the method calls itself without end (e.g. forward calling self.forward)",
        "ja": "\n      メソッドが自分自身を無限に呼んでいます（forward の中で self.forward を呼ぶなど）",
    },
}
