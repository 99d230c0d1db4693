"""What ``check_layer`` found, and how it reads: a table of gradient errors, then one line per check.

``Report.render(lang)`` writes it in English or Japanese (``bprop.gradcheck.messages``);
CJK characters count two columns, so the table lines up in a terminal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field
from html import escape

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

    label: str = ""  # which run of a check, when there are several: "4-D input", "stride 2, pad 1"

    def message(self, lang: str = "en") -> str:
        text = messages.text(self.key, lang, **self.params)
        text += "".join(messages.text(key, lang, **params) for key, params in self.extra)
        return f"[{self.label}] {text}" if self.label else text


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
    """What a check found. ``ok``; ``failures``; ``str(report)`` in English, ``render('ja')``; ``to_dict()`` for JSON.

    ``kind`` is what was checked: 'layer' (check_layer), 'optimizer', 'net' or
    'function'; ``subject`` names it; ``inputs`` describes what it was fed;
    ``rows`` is the gradient table (layers and nets), ``tol`` its tolerance.
    """

    subject: str
    inputs: str
    dtype: str
    tol: float
    unit_dout: bool
    findings: list[Finding]
    rows: list[GradRow]
    kind: str = "layer"

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed]

    @property
    def ok(self) -> bool:
        return not self.failures

    def render(self, lang: str = "en") -> str:
        def t(key, **params):
            return messages.text(key, lang, **params)

        title = "title" if self.kind == "layer" else "title." + self.kind
        lines = [t(title, layer=self.subject, inputs=self.inputs, dtype=self.dtype), ""]
        if self.rows:
            heading = "table.unit_dout" if self.unit_dout else "table.random_dout"
            lines += [t(heading if self.kind == "layer" else "table." + self.kind, tol=self.tol)]
            lines += self._table(lang) + [""]
        lines.append(t("checks"))
        order = {"fail": 0, "note": 1, "pass": 2}
        width = max(_width(t("status." + s)) for s in order)
        for f in sorted(self.findings, key=lambda f: order[f.status]):
            lines.append(f"  {_pad(t('status.' + f.status), width)}  {f.message(lang)}")
        lines += ["", t("summary.ok") if self.ok else t("summary.fail", count=len(self.failures))]
        return "\n".join(lines)

    def extend(self, other: Report, label: str) -> None:
        """Add another run's findings and rows (the same subject checked another way), marked with ``label``."""
        for f in other.findings:
            f.label = label
            self.findings.append(f)
        for r in other.rows:
            r.target = f"{r.target} [{label}]"
            self.rows.append(r)

    def to_dict(self, lang: str = "en") -> dict:
        """Everything in the report as plain JSON types: verdict, checks with their words and numbers, the table."""
        return {
            "kind": self.kind, "subject": self.subject, "inputs": self.inputs, "dtype": self.dtype,
            "ok": self.ok, "tolerance": self.tol, "unit_dout": self.unit_dout,
            "checks": [{"check": f.check, "status": f.status, "key": f.key, "label": f.label, "message": f.message(lang),
                        "params": _plain(f.params)} for f in self.findings],
            "gradients": [_plain(asdict(r)) for r in self.rows],
        }

    def _table(self, lang: str) -> list[str]:
        analytic = "gradient" if self.kind == "net" else "backward"  # a net's analytic gradient is gradient()'s
        columns = ("target", "max_abs", "rel", "index", analytic, "numerical", "kinks", "ok")
        head = [messages.text("col." + c, lang) for c in columns]
        body = [[r.target, f"{r.max_abs:.1e}", f"{r.rel:.1e}", r.index, f"{r.backward:.6g}",
                 f"{r.numerical:.6g}", str(r.kinks), messages.text("status.pass" if r.ok else "status.fail", lang)]
                for r in self.rows]
        widths = [max(_width(row[i]) for row in [head] + body) for i in range(len(head))]
        return ["  " + "  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in [head] + body]

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        """One line: ``<Report on MySigmoid: 1 problem(s) found. print() it for the table>``."""
        verdict = messages.text("summary.ok") if self.ok else messages.text("summary.fail", count=len(self.failures))
        return f"<Report on {self.subject}: {verdict} print() it for the table>"

    def _repr_html_(self, lang: str = "en") -> str:
        """The report as Jupyter shows it: the title, one table row per gradient (its relative error, ok or
        FAIL, and for a failure the likely cause in words), then the other checks and the verdict. Escaped."""
        def t(key, **params):
            return messages.text(key, lang, **params)

        title = "title" if self.kind == "layer" else "title." + self.kind
        out = [f"<div><p><b>{escape(t(title, layer=self.subject, inputs=self.inputs, dtype=self.dtype))}</b></p>"]
        causes = {_row_target(f): f.message(lang) for f in self.findings if f.check == "gradient" and not f.passed}
        if self.rows:
            heading = "table.unit_dout" if self.unit_dout else "table.random_dout"
            out.append(f"<p>{escape(t(heading if self.kind == 'layer' else 'table.' + self.kind, tol=self.tol))}</p>")
            cells = "".join(f"<th>{escape(t('col.' + c))}</th>" for c in ("target", "rel", "max_abs", "index", "ok"))
            out.append(f"<table><thead><tr>{cells}<th>{escape(t('col.cause'))}</th></tr></thead><tbody>")
            for r in self.rows:
                status = "pass" if r.ok else "fail"
                colour = "" if r.ok else ' style="color:#b00020;font-weight:bold"'
                cells = "".join(f"<td>{escape(c)}</td>" for c in (r.target, f"{r.rel:.1e}", f"{r.max_abs:.1e}", r.index))
                out.append(f"<tr>{cells}<td{colour}>{escape(t('status.' + status))}</td>"
                           f"<td>{escape(causes.get(r.target, ''))}</td></tr>")
            out.append("</tbody></table>")
        in_table = {r.target for r in self.rows}
        others = [f for f in self.findings if not (f.check == "gradient" and _row_target(f) in in_table)]
        if others:
            order = {"fail": 0, "note": 1, "pass": 2}
            out.append(f"<p>{escape(t('checks'))}</p><ul>")
            out += [f"<li><b>{escape(t('status.' + f.status))}</b> {escape(f.message(lang))}</li>"
                    for f in sorted(others, key=lambda f: order[f.status])]
            out.append("</ul>")
        verdict = t("summary.ok") if self.ok else t("summary.fail", count=len(self.failures))
        out.append(f"<p><b>{escape(verdict)}</b></p></div>")
        return "\n".join(out)


def _row_target(finding: Finding) -> str:
    """The gradient table's name for a gradient finding's target: 'dW', or 'dW [stride 2]' after ``extend``."""
    target = str(finding.params.get("target", ""))
    return f"{target} [{finding.label}]" if finding.label else target


def _width(s: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def _plain(value):
    """JSON-ready: tuples to lists, NumPy scalars to Python numbers, anything else as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)
