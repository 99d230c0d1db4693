"""How nets show themselves: a one-line repr's values, and the summary table as HTML for notebooks.

``print(net)`` shows the text table (``bprop.nets.summary``); a notebook cell
ending in ``net`` calls ``_repr_html_``, which shows the same rows as an HTML
table, every label escaped (a layer's repr holds ``<`` or ``&`` only by
accident, but a notebook would read it as markup).
"""

from __future__ import annotations

import html

__all__ = ["short_value", "table_html"]

# A list longer than this shows its first values and its length (CBOW's config holds one count per word).
_LIST_SHOWN = 8


def short_value(value) -> str:
    """repr(value), with a long list or tuple cut to its first values: [5, 3, 1, … (10,000 values)]."""
    if isinstance(value, (list, tuple)) and len(value) > _LIST_SHOWN:
        first = ", ".join(repr(v) for v in value[:3])
        return f"[{first}, … ({len(value):,} values)]"
    return repr(value)


def table_text(title: str, header: tuple[str, ...], rows: list[tuple], total: int) -> str:
    """The rows of ``table_html`` as aligned text: left-aligned columns, the last (a count) right-aligned."""
    lines = [tuple(str(v) for v in header), *((*map(str, row[:-1]), f"{row[-1]:,}") for row in rows),
             ("total", *[""] * (len(header) - 2), f"{total:,}")]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join([*(v.ljust(w) for v, w in zip(line[:-1], widths)), line[-1].rjust(widths[-1])])
            for line in lines]
    return "\n".join([title, *(line.rstrip() for line in text)])


def table_html(title: str, header: tuple[str, ...], rows: list[tuple], total: int) -> str:
    """A <table>: title as its caption, header, one row per tuple (the last cell a count, right-aligned), a total.

    Every cell is escaped; counts are written with thousands separators, as in the text table.
    """
    def cells(values, tag):
        parts = []
        for i, v in enumerate(values):
            text = f"{v:,}" if isinstance(v, int) else html.escape(str(v))
            align = ' style="text-align:right"' if i == len(values) - 1 else ' style="text-align:left"'
            parts.append(f"<{tag}{align}>{text}</{tag}>")
        return "<tr>" + "".join(parts) + "</tr>"

    body = [cells(row, "td") for row in rows]
    body.append(cells(("total", *[""] * (len(header) - 2), total), "th"))
    return (f"<table><caption>{html.escape(title)}</caption><thead>{cells(header, 'th')}</thead>"
            f"<tbody>{''.join(body)}</tbody></table>")
