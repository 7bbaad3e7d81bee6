"""Tables as report HTML: numbers right-aligned with thousands separators, long ids breakable, the
citation under the table (and in a footer that only print shows). :func:`sdgcities.present.charts.cite`
displays what :func:`cite_bundle` builds. A long table prints its first rows and carries every row as
data, which the renderer writes beside the report as CSV (LONG_TABLE_ROWS)."""

from __future__ import annotations

import datetime as _dt
import decimal
import html
import math
import re
import sys
from collections.abc import Sequence
from typing import Any

from sdgcities.present.figures import SOURCE_LABEL, _check_source, chart_mode, source_html, spec_json


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


def _table_rows(table: Any) -> tuple[list[str], list[Sequence[Any]]]:
    """Column names and every row (Python values) of a pandas or polars table."""
    module = type(table).__module__
    if module.startswith("polars"):
        # polars' row tuples as they are: the rows are only read (and JSON writes a tuple as an array);
        # copying 20,000 of them into lists cost ~5 ms a table at 1,741 cities.
        return [str(c) for c in table.columns], table.rows()
    import pandas as pd

    if isinstance(table, pd.Series):
        table = table.to_frame()
    if isinstance(table, pd.DataFrame):
        frame = table
        default_index = isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0 and frame.index.step == 1 and frame.index.name is None
        if not default_index:
            frame = frame.reset_index()
        columns = [" / ".join(str(p) for p in c) if isinstance(c, tuple) else str(c) for c in frame.columns]
        return columns, [list(r) for r in frame.itertuples(index=False, name=None)]
    raise TypeError(f"cite() needs a pandas/polars table or a string, got {type(table).__name__}")


def _breakable(text: str) -> str:
    """Escaped cell text; a machine id without spaces (kumamoto_progress_2022:initiatives:03) may break
    after its colons, so that it does not make a table wider than the page."""
    escaped = html.escape(text)
    return escaped.replace(":", ":<wbr>") if len(text) > 12 and not any(c.isspace() for c in text) else escaped


# ---------------------------------------------------------------------------------------------
# Long tables: a printed page and the complete table
# ---------------------------------------------------------------------------------------------

# A report table of more than LONG_TABLE_ROWS rows prints its first PRINTED_ROWS rows (the analysis
# orders them, most telling first) and carries every row as data; the renderer writes that data beside
# the report as <report>_data/table-NN.csv and puts a note under the table saying how many of how many
# rows are printed, linking the CSV (publish.sources.table_data_files). LONG_TABLE_ROWS is above the
# longest table of the 3-city reports (94 rows), so those print in full; at 200 cities a per-city table
# (200 rows, 4-5 pages) becomes half a page.
LONG_TABLE_ROWS = 100
PRINTED_ROWS = 25
TABLE_DATA_CLASS = "sdg-table-data"  # <script type="application/json"> holding {"columns", "rows"}
TABLE_NOTE_CLASS = "sdg-table-note"
LAB_SCROLL_STYLE = "max-height:32em;overflow:auto"  # JupyterLab: every row, in a box of its own
# ... up to LAB_MAX_ROWS: the output of a 20,000-row table (1,741 cities) would make the notebook slow to
# open and save, and the reader holds the whole frame in the kernel anyway.
LAB_MAX_ROWS = 2_000


def json_value(value: Any) -> Any:
    """One cell as a JSON value that the CSV writes as the table holds it: numbers stay numbers,
    dates their ISO text, missing values null, infinities and decimals as text."""
    if _is_missing(value):
        return None
    if isinstance(value, bool) or value is None:
        return value
    if hasattr(value, "dtype") and hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()  # a numpy scalar (pandas cells)
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)) or hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        value = value.tolist()  # a numpy array or a polars Series in a list cell
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return str(value)


def table_data_html(columns: list[str], rows: Sequence[Sequence[Any]]) -> str:
    """The complete table as JSON in the figure, for the renderer to write as CSV (and drop from the page).

    JSON's own encoder writes the cells it can hold as they are, and json_value is asked only for the
    others (dates, decimals, numpy scalars): a table of 20,000 rows (1,741 cities) costs a fraction of
    converting every cell in Python. A NaN or an infinity, which JSON cannot hold, stops that encoder;
    the table is then converted cell by cell. Both give the same JSON."""
    try:
        text = spec_json({"columns": columns, "rows": rows}, default=json_value)
    except ValueError:  # a NaN or an infinity
        text = spec_json({"columns": columns, "rows": [[json_value(v) for v in row] for row in rows]})
    return f'<script type="application/json" class="{TABLE_DATA_CLASS}">{text}</script>'


def long_table_parts(columns: list[str], rows: Sequence[Sequence[Any]], shown: int) -> str:
    """What follows a long table's printed rows: the place of its note (the renderer writes it in the
    report's language, with the link to the CSV) and the complete table as data. In JupyterLab, where no
    renderer follows, the note alone, language-neutral ("… 2,000 / 20,000")."""
    total = len(rows)
    note = f'<p class="{TABLE_NOTE_CLASS}" data-shown="{shown}" data-total="{total}">… {shown:,} / {total:,}</p>'
    return note if chart_mode() == "lab" else note + table_data_html(columns, rows)


def printed_rows(total: int, *, max_rows: int = LONG_TABLE_ROWS, shown_rows: int = PRINTED_ROWS) -> int:
    """How many of `total` rows a report prints: all of them up to `max_rows`, else `shown_rows`
    (never more than max_rows). JupyterLab shows every row (lab mode, in a scrolling box): a reader at
    the notebook can scroll and search the whole table, and has no CSV beside it; up to LAB_MAX_ROWS."""
    if chart_mode() == "lab":
        return min(total, LAB_MAX_ROWS)
    if total <= max_rows:
        return total
    return min(shown_rows, max_rows)


def table_html(table: Any, *, decimals: int | None = None, max_rows: int = LONG_TABLE_ROWS,
               shown_rows: int = PRINTED_ROWS, print_footer: str | None = None) -> tuple[str, str]:
    """(html, plain text) of a table; numbers right-aligned with thousands separators.

    Alignment is written inline so it also holds in JupyterLab, whose CSS right-aligns every cell.
    ``print_footer`` (HTML, the source line) goes into a ``<tfoot class="sdg-print-source">`` that only
    print shows: a footer group stays with the table's rows, where a caption can be orphaned.
    A table of more than ``max_rows`` rows shows its first ``shown_rows`` and carries every row as data
    (see LONG_TABLE_ROWS).
    """
    columns, rows = _table_rows(table)
    total = len(rows)
    shown = rows[: printed_rows(total, max_rows=max_rows, shown_rows=shown_rows)]
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
    foot = (f'<tfoot class="sdg-print-source"><tr><td colspan="{len(columns)}">{print_footer}</td></tr></tfoot>'
            if print_footer else "")
    out = (
        f'<div class="sdg-table-wrap"{scroll_style(total)}><table class="sdg-table">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody>{foot}</table></div>"
    )
    if len(shown) < total:
        out += long_table_parts(columns, rows, len(shown))
        plain.append(f"… {len(shown):,} / {total:,}")
    return out, "\n".join(plain)


def scroll_style(total: int, max_rows: int = LONG_TABLE_ROWS) -> str:
    """The style attribute of a long table's box in JupyterLab (it scrolls), else nothing."""
    return f' style="{LAB_SCROLL_STYLE}"' if total > max_rows and chart_mode() == "lab" else ""


_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")


def _lang_attribute(text: str) -> str:
    return ' lang="ja"' if _JAPANESE.search(text) else ""


def cite_bundle(table_or_text: Any, *, source: str, decimals: int | None = None, max_rows: int = LONG_TABLE_ROWS,
                shown_rows: int = PRINTED_ROWS) -> tuple[dict, dict]:
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
        inner, plain = table_html(table_or_text, decimals=decimals, max_rows=max_rows, shown_rows=shown_rows,
                                  print_footer=source_html(source))
        kind = "table"
    figure = (
        f'<figure class="sdg-figure sdg-{kind}-figure">{inner}'
        f'<figcaption class="sdg-source">{source_html(source)}</figcaption></figure>'
    )
    data = {"text/html": figure, "text/plain": f"{plain}\n{SOURCE_LABEL}{source}"}
    return data, {"sdgcities": {"kind": kind, "source": source}}
