"""Texts of ``bprop check``'s usage errors (exit status 2) and of how a checked run ended (a timeout, an exit)."""

MESSAGES: dict[str, dict[str, str]] = {
    "cli.bad_target": {
        "en": "expected FILE.py:CLASS, e.g. tests/learner/relu.py:Relu; got {target!r}",
        "ja": "FILE.py:CLASS の形で指定してください（例: tests/learner/relu.py:Relu）。指定: {target!r}",
    },
    "cli.no_file": {"en": "no such file: {path}", "ja": "ファイルがありません: {path}"},
    "cli.import_failed": {
        "en": "could not import {path}: {error}",
        "ja": "{path} を読み込めませんでした: {error}",
    },
    "cli.no_class": {
        "en": "{path} has no class or function {cls} (defined there: {found})",
        "ja": "{path} にクラスや関数 {cls} がありません（定義されているもの: {found}）",
    },
    "cli.import_exit": {
        "en": "importing {path} called sys.exit({code}): bprop check imports and runs the file, so code "
        "that should not run on import belongs under if __name__ == \"__main__\":",
        "ja": "{path} を読み込むと sys.exit({code}) が呼ばれました。bprop check はファイルを import して実行します。"
        "import 時に動かしたくないコードは if __name__ == \"__main__\": の下に置いてください",
    },
    "cli.bad_param": {
        "en": "--param expects NAME=VALUE: a number (stride=2), a shape for an array (W=4,3,3,3), "
        "True/False/None or a word; got {param!r}",
        "ja": "--param は NAME=VALUE の形で指定してください: 数（stride=2）、配列の形状（W=4,3,3,3）、"
        "True/False/None、または文字列。指定: {param!r}",
    },
    "cli.unknown_arg": {
        "en": "cannot build {cls}: bprop check does not know what to pass as {arg}; "
        "give it with --param {arg}=VALUE (a number, or an array's shape such as 4,3,3,3)",
        "ja": "{cls} を作れません: 引数 {arg} に何を渡せばよいか分かりません。"
        "--param {arg}=VALUE で指定してください（数、または 4,3,3,3 のような配列の形状）",
    },
    "cli.bad_shape": {
        "en": "--shape expects positive integers separated by commas, e.g. 4,5; got {shape!r}",
        "ja": "--shape にはカンマ区切りの正の整数を指定してください（例: 4,5）。指定: {shape!r}",
    },
    "cli.affine_shape": {
        "en": "{cls}(W, b) needs --shape N,D (two numbers at least); got {shape}",
        "ja": "{cls}(W, b) には --shape N,D（2 つ以上の数）が必要です。指定: {shape}",
    },
    "cli.loss_shape": {
        "en": "{cls} needs --shape N,C: logits of N samples and C ≥ 2 classes; got {shape}",
        "ja": "{cls} には --shape N,C（N 個のサンプル、C ≥ 2 クラスのロジット）が必要です。指定: {shape}",
    },
    "cli.what_is_it": {
        "en": "{cls} is neither a layer (forward and backward), an optimizer (update), a net (loss and gradient) "
        "nor a function: bprop check does not know how to check it",
        "ja": "{cls} はレイヤ（forward と backward）、オプティマイザ（update）、ネットワーク（loss と gradient）、"
        "関数のどれでもありません。bprop check はチェックの仕方が分かりません",
    },
    "run.timeout": {
        "en": "{where} did not return within {seconds:g} s: an endless loop? (bprop check stopped it; "
        "--timeout SECONDS gives it longer)",
        "ja": "{where} が {seconds:g} 秒以内に終わりませんでした。無限ループではありませんか？"
        "（bprop check が止めました。--timeout SECONDS で時間を延ばせます）",
    },
    "run.internal": {
        "en": "bprop check could not run the check: {error}",
        "ja": "bprop check がチェックを実行できませんでした: {error}",
    },
    "run.died": {
        "en": "the checked code ended the process during {where} (exit status {code}; os._exit or a crash): "
        "a layer must return its result, never end the program",
        "ja": "チェック中のコードが {where} の途中でプロセスを終了させました（終了ステータス {code}、os._exit かクラッシュ）。"
        "レイヤは結果を返すもので、プログラムを終了させてはいけません",
    },
    "cli.construct_failed": {
        "en": "building {cls} raised {error}",
        "ja": "{cls} を作るときに例外が発生しました: {error}",
    },
    "cli.no_method": {
        "en": "{cls} has no {method} method; a layer needs forward and backward",
        "ja": "{cls} に {method} メソッドがありません。レイヤには forward と backward が必要です",
    },
    "cli.forward_args": {
        "en": "cannot tell what {cls}.forward({args}) takes; bprop check handles forward(x), "
        "forward(x, t) and forward(x, y), and book 2's forward(x, h_prev, c_prev) of an LSTM cell",
        "ja": "{cls}.forward({args}) に何を渡せばよいか分かりません。bprop check が扱えるのは "
        "forward(x)、forward(x, t)、forward(x, y) と、『ゼロから作るDeep Learning 2』の LSTM セルの "
        "forward(x, h_prev, c_prev) です",
    },
}
