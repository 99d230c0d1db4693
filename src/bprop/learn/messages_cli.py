"""What ``bprop learn``'s commands print (``bprop.learn.views``), English and Japanese; ``messages.text`` reads
them with the checks' texts.
"""

from __future__ import annotations

__all__ = ["MESSAGES"]

MESSAGES = {
    "learn.file.head": {
        "en": "Exercise {number:02d} of {total}: {title}\n{chapter}",
        "ja": "演習 {number:02d} / {total}: {title}\n{chapter}",
    },
    "learn.file.foot": {
        "en": "Check this file:  bprop learn check {name}     (or leave `bprop learn watch` running)\n"
              "A hint:           bprop learn hint {name}      (one more each time)",
        "ja": "このファイルのチェック:  bprop learn check {name}     （または bprop learn watch を動かしたままに）\n"
              "ヒント:                  bprop learn hint {name}      （1 回ごとに 1 つずつ）",
    },
    "learn.status.passed": {"en": "passed", "ja": "合格"},
    "learn.status.failing": {"en": "failing", "ja": "未合格"},
    "learn.status.edited": {"en": "edited, not checked", "ja": "編集済み・未チェック"},
    "learn.status.not_started": {"en": "not started", "ja": "未着手"},
    "learn.status.missing": {"en": "missing", "ja": "ファイルなし"},
    "learn.form.blank": {"en": "(fill in the blanks)", "ja": "（穴埋め）"},
    "learn.exercise": {"en": "{number:02d} {name} ({file})", "ja": "{number:02d} {name}（{file}）"},
    "learn.list.head": {
        "en": "bprop learn: {total} exercises, {passed} passed, {failing} failing, {todo} not started  [{root}]",
        "ja": "bprop learn: 演習 {total} 問、合格 {passed}、未合格 {failing}、未着手 {todo}  [{root}]",
    },
    "learn.list.next": {
        "en": "Next: {exercise}; check it with `bprop learn check {name}`",
        "ja": "次の演習: {exercise}。`bprop learn check {name}` でチェックできます",
    },
    "learn.all_done": {
        "en": "All {total} exercises have passed. Well done!",
        "ja": "{total} 問すべてに合格しました。おめでとうございます！",
    },
    "learn.check.passed": {"en": "Passed: {name}.", "ja": "合格: {name}。"},
    "learn.check.next": {"en": "Next: {exercise}.", "ja": "次の演習: {exercise}。"},
    "learn.check.not_yet": {
        "en": "Not yet: {name} does not pass these checks; the FAIL lines above say what is wrong.",
        "ja": "まだです: {name} は上のチェックに合格していません。NG の行が何が違うかを示しています。",
    },
    "learn.check.cannot": {
        "en": "{name} cannot be checked yet: fix what the message above says, then check again.",
        "ja": "{name} はまだチェックできません。上のメッセージの問題を直してから、もう一度チェックしてください。",
    },
    "learn.check.this_hint": {"en": "This is what a hint says about it: {hint}", "ja": "これについてのヒント: {hint}"},
    "learn.check.stuck": {
        "en": "Stuck? `bprop learn hint {name}` gives a hint ({seen} of {total} seen).",
        "ja": "行き詰まったら `bprop learn hint {name}` でヒントが見られます（{total} 個中 {seen} 個表示済み）。",
    },
    "learn.check.summary": {"en": "{passed} of {total} passed.", "ja": "{total} 問中 {passed} 問合格。"},
    "learn.hint.head": {
        "en": "Hints for {name} ({seen} of {total}):",
        "ja": "{name} のヒント（{total} 個中 {seen} 個）:",
    },
    "learn.hint.last": {
        "en": "That was the last hint. `bprop learn solution {name} --force` shows the reference solution.",
        "ja": "これが最後のヒントです。`bprop learn solution {name} --force` で参考解答が見られます。",
    },
    "learn.solution.head": {
        "en": "Reference solution of {name} (your file: {file}):",
        "ja": "{name} の参考解答（あなたのファイル: {file}）:",
    },
    "learn.reset.backup": {
        "en": "{file} holds the skeleton again; your version was saved as {backup}.",
        "ja": "{file} を最初の状態に戻しました。あなたの版は {backup} に保存してあります。",
    },
    "learn.reset.done": {
        "en": "{file} holds the skeleton again (there was nothing of yours to keep).",
        "ja": "{file} を最初の状態に戻しました（保存が必要な変更はありませんでした）。",
    },
    "learn.init.done": {
        "en": "Wrote a workspace of {written} files to {root}.\nStart with {first}: read its statement, "
              "write the TODO, then run `bprop learn check {name}` (or `bprop learn watch`) in {root}.",
        "ja": "{root} にワークスペース（{written} ファイル）を作りました。\n{first} から始めましょう。"
              "問題文を読んで TODO を書き、{root} で `bprop learn check {name}`（または `bprop learn watch`）を"
              "実行してください。",
    },
    "learn.init.added": {
        "en": "Added {written} missing files to {root}; kept the {kept} already there (none was overwritten).",
        "ja": "{root} に足りないファイル {written} 個を追加しました。既存の {kept} 個はそのままです（上書きなし）。",
    },
    "learn.watch.current": {
        "en": "Watching {exercise}: save the file to check it (Ctrl-C stops).",
        "ja": "{exercise} を監視中です。ファイルを保存するとチェックします（Ctrl-C で終了）。",
    },
    "learn.watch.stopped": {"en": "Stopped watching.", "ja": "監視を終了しました。"},
}
