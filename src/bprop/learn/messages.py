"""The texts of ``bprop learn``, English and Japanese: what its checks say (here) and what its commands print
(``messages_cli``). Keys start with ``learn.``; a key not found here is one of the checker's
(``bprop.gradcheck.messages``), so that a finding of either kind renders through ``text``.

>>> text("learn.hidden.ok", "ja", k=1)
'非公開チェック 1: 参考解答と一致しました'
"""

from __future__ import annotations

from bprop.gradcheck import messages as checker_messages
from bprop.learn import messages_cli

__all__ = ["MESSAGES", "text"]

_CHECKS = {
    "learn.title": {
        "en": "Check of {subject} against the course's reference solution ({count} cases)",
        "ja": "{subject} を講座の参考解答と比べたチェック（{count} ケース）",
    },
    "learn.case.ok": {
        "en": "{call}: agrees with the reference solution",
        "ja": "{call}: 参考解答と一致しました",
    },
    "learn.case.value": {
        "en": "{call}: {what} differs from the reference solution at index {index}: got {got}, expected {want}",
        "ja": "{call}: {what} が参考解答と違います（インデックス {index}）: 結果 {got}、正しくは {want}",
    },
    "learn.case.value_scalar": {
        "en": "{call}: {what} differs from the reference solution: got {got}, expected {want}",
        "ja": "{call}: {what} が参考解答と違います: 結果 {got}、正しくは {want}",
    },
    "learn.case.shape": {
        "en": "{call}: {what} has shape {got}, the reference solution's has {want}",
        "ja": "{call}: {what} の形状が {got} です。参考解答では {want} です",
    },
    "learn.case.type": {
        "en": "{call}: {what} is {got}, the reference solution's is {want}",
        "ja": "{call}: {what} が {got} です。参考解答では {want} です",
    },
    "learn.case.missing": {
        "en": "{call}: {what} is not set (the reference solution sets it)",
        "ja": "{call}: {what} が設定されていません（参考解答では設定されます）",
    },
    "learn.case.warned": {
        "en": "{call}: agrees with the reference solution, but NumPy warned \"{warning}\"",
        "ja": "{call}: 参考解答と一致しましたが、NumPy が警告を出しました:「{warning}」",
    },
    "learn.case.no_method": {
        "en": "{where} is not defined: the class needs this method",
        "ja": "{where} が定義されていません。このクラスにはこのメソッドが必要です",
    },
    "learn.hidden.ok": {
        "en": "hidden check {k}: agrees with the reference solution",
        "ja": "非公開チェック {k}: 参考解答と一致しました",
    },
    "learn.hidden.value": {
        "en": "hidden check {k}: {what} differs from the reference solution (by up to {error})",
        "ja": "非公開チェック {k}: {what} が参考解答と違います（差は最大 {error}）",
    },
    "learn.hidden.value_scalar": {
        "en": "hidden check {k}: {what} differs from the reference solution (by {error})",
        "ja": "非公開チェック {k}: {what} が参考解答と違います（差 {error}）",
    },
    "learn.hidden.shape": {
        "en": "hidden check {k}: {what} has another shape than the reference solution's",
        "ja": "非公開チェック {k}: {what} の形状が参考解答と違います",
    },
    "learn.hidden.type": {
        "en": "hidden check {k}: {what} is not of the kind the reference solution gives",
        "ja": "非公開チェック {k}: {what} の種類が参考解答と違います",
    },
    "learn.hidden.missing": {
        "en": "hidden check {k}: {what} is not set (the reference solution sets it)",
        "ja": "非公開チェック {k}: {what} が設定されていません（参考解答では設定されます）",
    },
    "learn.hidden.exception": {
        "en": "hidden check {k}: your code raised {error}",
        "ja": "非公開チェック {k}: あなたのコードで {error} が発生しました",
    },
    "learn.hidden.exception_at": {
        "en": "hidden check {k}: your code raised {error} at line {line} of your file",
        "ja": "非公開チェック {k}: あなたのファイルの {line} 行目で {error} が発生しました",
    },
    "learn.what.result": {"en": "the result{part}", "ja": "戻り値{part}"},
    "learn.what.arg": {"en": "the argument {name}{part} after the call", "ja": "呼び出し後の引数 {name}{part}"},
    "learn.what.attr": {"en": "self.{name}{part}", "ja": "self.{name}{part}"},
    # errors a user can fix (LearnError)
    "learn.unknown": {
        "en": "no exercise is called {name!r}; did you mean {close}? (bprop learn list shows them all)",
        "ja": "{name!r} という演習はありません。{close} のことですか？（一覧は bprop learn list）",
    },
    "learn.no_workspace": {
        "en": "no bprop learn workspace in {start} or above it: make one with `bprop learn init [DIR]`, "
              "or give --dir DIR",
        "ja": "{start} とその上のフォルダに bprop learn のワークスペースがありません。`bprop learn init [DIR]` "
              "で作るか、--dir DIR で指定してください",
    },
    "learn.not_workspace": {
        "en": "{dir} is not a bprop learn workspace (it has no .bprop-learn folder); make one with "
              "`bprop learn init {dir}`",
        "ja": "{dir} は bprop learn のワークスペースではありません（.bprop-learn フォルダがありません）。"
              "`bprop learn init {dir}` で作れます",
    },
    "learn.init.exists": {
        "en": "{dir} is already a workspace ({count} exercise files); nothing was changed. "
              "--force adds only the files that are missing, and never overwrites yours",
        "ja": "{dir} はすでにワークスペースです（演習ファイル {count} 個）。何も変更していません。"
              "--force を付けると足りないファイルだけを追加します（あなたのファイルは上書きしません）",
    },
    "learn.init.is_file": {
        "en": "{dir} is a file; give the name of a folder for the workspace",
        "ja": "{dir} はファイルです。ワークスペースにはフォルダの名前を指定してください",
    },
    "learn.init.not_empty": {
        "en": "{dir} holds files already; give a new folder, or --force to add the workspace beside them "
              "(no file is overwritten)",
        "ja": "{dir} にはすでにファイルがあります。新しいフォルダを指定するか、--force で既存のファイルの横に"
              "追加してください（上書きはしません）",
    },
    "learn.missing_file": {
        "en": "{file} is missing: `bprop learn reset {name}` writes the exercise again",
        "ja": "{file} がありません。`bprop learn reset {name}` で演習ファイルを作り直せます",
    },
    "learn.solution.locked": {
        "en": "the solution of {name} is shown once your file passes (`bprop learn check {name}`); "
              "--force shows it now",
        "ja": "{name} の解答は、あなたのファイルが合格すると表示されます（`bprop learn check {name}`）。"
              "今すぐ見るには --force を付けてください",
    },
    "learn.progress.rebuilt": {
        "en": "the progress file {file} could not be used ({reason}); it was kept as {kept} and rebuilt from the "
              "exercise files: {passed} passed, {failing} failing (hints seen start again from 0)",
        "ja": "進捗ファイル {file} が使えませんでした（{reason}）。{kept} として残し、演習ファイルから作り直しました: "
              "合格 {passed}、未合格 {failing}（見たヒントの数は 0 に戻ります）",
    },
    "learn.not_utf8": {
        "en": "{file} is not UTF-8 text (byte {position}): save it as UTF-8, the encoding Python reads source in",
        "ja": "{file} が UTF-8 ではありません（{position} バイト目）。Python はソースを UTF-8 で読むので、"
              "UTF-8 で保存し直してください",
    },
    "learn.extra.bad": {
        "en": "the extra checks file {file} cannot be used: {reason}",
        "ja": "追加チェックのファイル {file} が使えません: {reason}",
    },
}

MESSAGES: dict[str, dict[str, str]] = {**_CHECKS, **messages_cli.MESSAGES}


def text(key: str, lang: str = "en", **params: object) -> str:
    """The message ``key`` in ``lang`` formatted with ``params``; the checker's messages for keys not here."""
    entry = MESSAGES.get(key)
    if entry is None:
        return checker_messages.text(key, lang, **params)
    return entry[lang].format(**params)
