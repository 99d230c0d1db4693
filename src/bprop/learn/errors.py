"""The error of ``bprop learn``: a message key of ``bprop.learn.messages`` and its fields, told in either language.

>>> LearnError("learn.no_workspace", start="/tmp").message("en").startswith("no bprop learn workspace")
True
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["LearnError", "parse_json"]


def parse_json(text: str) -> Any:
    """json.loads, with each way it refuses a text (bad syntax, a 5,000-digit number, 100,000 levels deep) as
    one ValueError saying why in words: what the progress file and a teacher's checks file report."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"not JSON bprop can read ({type(exc).__name__}: {str(exc)[:120]})") from None


class LearnError(Exception):
    """Something a user can fix (no workspace, an unknown exercise, a broken file): exit status 2 in the CLI."""

    def __init__(self, key: str, **params: object) -> None:
        from bprop.learn import messages

        super().__init__(messages.text(key, "en", **params))
        self.key, self.params = key, params

    def message(self, lang: str = "en") -> str:
        from bprop.learn import messages

        return messages.text(self.key, lang, **self.params)
