"""A finding of ``bprop learn``'s own checks, told with ``bprop.learn.messages`` (then the checker's texts).

It is the checker's ``Finding`` (a report renders and serialises it the same way); only where its words
come from differs. A ``what`` field given as [key, fields] is a phrase told in the same language first.

>>> LearnFinding("case", "pass", "learn.hidden.ok", {"k": 2}).message("en")
'hidden check 2: agrees with the reference solution'
"""

from __future__ import annotations

from dataclasses import dataclass

from bprop.gradcheck.report import Finding

__all__ = ["LearnFinding"]


@dataclass
class LearnFinding(Finding):
    def message(self, lang: str = "en") -> str:
        from bprop.learn import messages

        params = dict(self.params)
        if isinstance(params.get("what"), (list, tuple)):
            key, fields = params["what"]
            params["what"] = messages.text(key, lang, **fields)
        text = messages.text(self.key, lang, **params)
        text += "".join(messages.text(key, lang, **fields) for key, fields in self.extra)
        return f"[{self.label}] {text}" if self.label else text
