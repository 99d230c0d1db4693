"""The languages bprop speaks to a learner, and which one to use.

English and Japanese: the checker's reports (``bprop.gradcheck.messages``) and
``bprop check`` come in both. A module of its own so that the CLI can offer
``--lang`` without importing the checker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("en", "ja")


def pick_language(lang: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """'en' or 'ja': ``lang`` when given, else from the locale variables.

    As in POSIX, the first non-empty of LC_ALL, LC_MESSAGES and LANG decides;
    a value starting with ``ja`` (``ja_JP.UTF-8``) gives Japanese, anything
    else English.
    """
    if lang is not None:
        if lang not in LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {lang!r}")
        return lang
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
