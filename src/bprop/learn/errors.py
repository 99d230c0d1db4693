"""The error of ``bprop learn``: a message key of ``bprop.learn.messages`` and its fields, told in either language.

>>> LearnError("learn.no_workspace", start="/tmp").message("en").startswith("no bprop learn workspace")
True
"""

from __future__ import annotations

__all__ = ["LearnError"]


class LearnError(Exception):
    """Something a user can fix (no workspace, an unknown exercise, a broken file): exit status 2 in the CLI."""

    def __init__(self, key: str, **params):
        from bprop.learn import messages

        super().__init__(messages.text(key, "en", **params))
        self.key, self.params = key, params

    def message(self, lang: str = "en") -> str:
        from bprop.learn import messages

        return messages.text(self.key, lang, **self.params)
