"""Tables as report HTML: numbers right-aligned with thousands separators, long ids breakable, the
citation under the table (and in a footer that only print shows). :func:`sdgcities.present.charts.cite`
displays what :func:`cite_bundle` builds."""

from __future__ import annotations

import datetime as _dt
import decimal
import html
import math
import re
import sys
from typing import Any

from sdgcities.present.figures import SOURCE_LABEL, _check_source, source_html


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas' missing markers exist only once pandas is imported: a polars table never pays its import.
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def format_value(value: Any, decimals: int | None = None) -> tuple[str, bool]:
    """(text, is_number) for one table cell."""
    if _is_missing(value):
        return "–", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, int) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu"):
        return f"{int(value):,}", True
    if isinstance(value, (float, decimal.Decimal)) or (hasattr(value, "dtype") and getattr(value.dtype, "kind", "") == "f"):
        number = float(value)
        if math.isinf(number):
            return ("∞" if number > 0 else "−∞"), True
        if decimals is not None:
            return f"{number:,.{decimals}f}", True
        if number != 0 and (abs(number) >= 1e15 or abs(number) < 1e-4):
            return f"{number:.3e}", True
        text = f"{number:,.4f}".rstrip("0").rstrip(".")
        return (text if text not in ("-0", "") else "0"), True
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat(), False
    if hasattr(value, "isoformat"):
        return value.isoformat(), False
    return str(value), False


def _table_rows(table: Any, limit: int) -> tuple[list[str], list[list[Any]], int]:
    """Column names, the first `limit` rows and the total row count of a pandas or polars table (only the
    shown rows become Python values: a table of 20,000 rows shows 200)."""
    module = type(table).__module__
    if module.startswith("polars"):
        columns = [str(c) for c in table.columns]
        return columns, [list(r) for r in table.head(limit).rows()], table.height
    import pandas as pd

    if isinstance(table, pd.Series):
        table = table.to_frame()
    if isinstance(table, pd.DataFrame):
        frame = table
        default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1 and frame.index.name is None
        if not default_index:
            frame = frame.reset_index()
        columns = [" / ".join(str(p) for p in c) if isinstance(c, tuple) else str(c) for c in frame.columns]
        rows = [list(r) for r in frame.head(limit).itertuples(index=False, name=None)]
        return columns, rows, len(frame)
    raise TypeError(f"cite() needs a pandas/polars table or a string, got {type(table).__name__}")


def _breakable(text: str) -> str:
    """Escaped cell text; a machine id without spaces (kumamoto_progress_2022:initiatives:03) may break
    after its colons, so that it does not make a table wider than the page."""
    escaped = html.escape(text)
    return escaped.replace(":", ":<wbr>") if len(text) > 12 and not any(c.isspace() for c in text) else escaped


def table_html(table: Any, *, decimals: int | None = None, max_rows: int = 200,
               print_footer: str | None = None) -> tuple[str, str]:
    """(html, plain text) of a table; numbers right-aligned with thousands separators.

    Alignment is written inline so it also holds in JupyterLab, whose CSS right-aligns every cell.
    ``print_footer`` (HTML, the source line) goes into a ``<tfoot class="sdg-print-source">`` that only
    print shows: a footer group stays with the table's rows, where a caption can be orphaned.
    """
    columns, shown, total = _table_rows(table, max_rows)
    cells = [[format_value(value, decimals) for value in row] for row in shown]
    numeric_column = [
        any(c[i][1] for c in cells) and all(c[i][1] or c[i][0] == "–" for c in cells) for i in range(len(columns))
    ]

    def align(numeric: bool, nowrap: bool = False) -> str:
        wrap = ";white-space:nowrap" if nowrap else ""
        return f' class="num" style="text-align:right{wrap}"' if numeric else f' style="text-align:left{wrap}"'

    head = "".join(f"<th{align(numeric_column[i])}>{html.escape(c)}</th>" for i, c in enumerate(columns))
    body = []
    plain = ["\t".join(columns)]
    for row in cells:
        # Numbers and short labels (city names, goal labels) never break inside; long text wraps.
        tds = "".join(
            f"<td{align(numeric, numeric or len(text) <= 12)}>{_breakable(text)}</td>" for text, numeric in row
        )
        body.append(f"<tr>{tds}</tr>")
        plain.append("\t".join(text for text, _ in row))
    note = ""
    if total > len(shown):
        omitted = total - len(shown)
        note = f'<p class="sdg-table-note">… {omitted:,} 行省略 / rows omitted (全 {total:,} 行 / rows)</p>'
        plain.append(f"... {omitted} rows omitted")
    foot = (f'<tfoot class="sdg-print-source"><tr><td colspan="{len(columns)}">{print_footer}</td></tr></tfoot>'
            if print_footer else "")
    out = (
        '<div class="sdg-table-wrap"><table class="sdg-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>{foot}</table></div>{note}"
    )
    return out, "\n".join(plain)


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _lang_attribute(text: str) -> str:
    return ' lang="ja"' if _JAPANESE.search(text) else ""


def cite_bundle(table_or_text: Any, *, source: str, decimals: int | None = None, max_rows: int = 200) -> tuple[dict, dict]:
    """The display output (data, metadata) that :func:`cite` emits."""
    source = _check_source(source)
    if isinstance(table_or_text, str):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", table_or_text) if p.strip()]
        # Cited text is quoted as printed (a comment, a passage): marked verbatim, in its language.
        inner = "".join(f'<p data-verbatim{_lang_attribute(p)}>{html.escape(p).replace(chr(10), "<br>")}</p>' for p in paragraphs)
        plain = table_or_text.strip()
        kind = "text"
    elif hasattr(table_or_text, "to_html") and type(table_or_text).__name__ == "Styler":
        inner = f'<div class="sdg-table-wrap">{table_or_text.to_html()}</div>'
        plain = str(table_or_text.data)
        kind = "table"
    else:
        inner, plain = table_html(table_or_text, decimals=decimals, max_rows=max_rows, print_footer=source_html(source))
        kind = "table"
    figure = (
        f'<figure class="sdg-figure sdg-{kind}-figure">{inner}'
        f'<figcaption class="sdg-source">{source_html(source)}</figcaption></figure>'
    )
    data = {"text/html": figure, "text/plain": f"{plain}\n{SOURCE_LABEL}{source}"}
    return data, {"sdgcities": {"kind": kind, "source": source}}
