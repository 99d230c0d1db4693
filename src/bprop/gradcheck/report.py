"""What ``check_layer`` found, and how it reads: a table of gradient errors, then one line per check.

``Report.render(lang)`` writes it in English or Japanese (``bprop.gradcheck.messages``);
CJK characters count two columns, so the table lines up in a terminal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from bprop.gradcheck import messages

__all__ = ["Finding", "GradRow", "Report"]

@dataclass
class Finding:
    """One outcome: ``check`` (what was checked), ``status`` ('pass', 'fail' or 'note'),
    the message ``key`` in bprop.gradcheck.messages with its ``params``, and ``extra`` sentences
    appended to it as (key, params)."""

    check: str
    status: str
    key: str
    params: dict = field(default_factory=dict)
    extra: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status != "fail"

    def message(self, lang: str = "en") -> str:
        text = messages.text(self.key, lang, **self.params)
        return text + "".join(messages.text(key, lang, **params) for key, params in self.extra)


@dataclass
class GradRow:
    """One line of the gradient table: backward vs. central differences for one gradient."""

    target: str  # 'dx', 'dW', "grads['W']", …
    max_abs: float
    rel: float
    index: str  # the worst element, e.g. '(0, 3)'
    backward: float
    numerical: float
    kinks: int  # elements left out because they sit on a kink
    ok: bool


@dataclass
class Report:
    """What check_layer found. ``ok``; ``failures``; ``str(report)`` in English, ``render('ja')``."""

    layer: str
    inputs: str
    dtype: str
    tol: float
    unit_dout: bool
    findings: list[Finding]
    rows: list[GradRow]

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed]

    @property
    def ok(self) -> bool:
        return not self.failures

    def render(self, lang: str = "en") -> str:
        def t(key, **params):
            return messages.text(key, lang, **params)

        lines = [t("title", layer=self.layer, inputs=self.inputs, dtype=self.dtype), ""]
        if self.rows:
            lines += [t("table.unit_dout" if self.unit_dout else "table.random_dout", tol=self.tol)]
            lines += self._table(lang) + [""]
        lines.append(t("checks"))
        order = {"fail": 0, "note": 1, "pass": 2}
        width = max(_width(t("status." + s)) for s in order)
        for f in sorted(self.findings, key=lambda f: order[f.status]):
            lines.append(f"  {_pad(t('status.' + f.status), width)}  {f.message(lang)}")
        lines += ["", t("summary.ok") if self.ok else t("summary.fail", count=len(self.failures))]
        return "\n".join(lines)

    def _table(self, lang: str) -> list[str]:
        columns = ("target", "max_abs", "rel", "index", "backward", "numerical", "kinks", "ok")
        head = [messages.text("col." + c, lang) for c in columns]
        body = [[r.target, f"{r.max_abs:.1e}", f"{r.rel:.1e}", r.index, f"{r.backward:.6g}",
                 f"{r.numerical:.6g}", str(r.kinks), messages.text("status.pass" if r.ok else "status.fail", lang)]
                for r in self.rows]
        widths = [max(_width(row[i]) for row in [head] + body) for i in range(len(head))]
        return ["  " + "  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]

    def __str__(self) -> str:
        return self.render("en")


def _width(s: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))
