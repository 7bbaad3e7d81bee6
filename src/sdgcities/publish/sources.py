"""Sources and chart data of a report page, done at render time.

Notebooks cite every chart and table in full (charts.show / charts.cite with source=...). Repeated
under every figure those citations crowd the report, so the renderer gathers them into one numbered
list per section (h1 or h2): each figure keeps a short marker "出典 [3]" / "Source [3]" linking to
its entry, and figures citing the same documents share a number.

Every chart also offers the data drawn in it as a CSV file written beside the report
(<report>_data/figure-07.csv; UTF-8 with BOM, lists joined with ';'), read from the chart's inline
Vega-Lite data. A table too long to print in full (present/tables.py, LONG_TABLE_ROWS) is written there
whole (<report>_data/table-03.csv) from the data it carries, which leaves the page; the note under the
printed rows says how many of how many rows are printed, in the report's language, and links the file.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass, field
from collections.abc import Iterable
from typing import Any

from bs4 import BeautifulSoup, Tag

from sdgcities.present.words import Words

SECTION_HEADINGS = ("h1", "h2")


def _is_source(tag: Tag) -> bool:
    return tag.name in ("figcaption", "p") and "sdg-source" in (tag.get("class") or [])


def _is_boundary(tag: Tag) -> bool:
    return tag.name in SECTION_HEADINGS or (tag.name == "section" and "sdg-notebook" in (tag.get("class") or []))


def _source_content(caption: Tag) -> tuple[str, str]:
    """(key, inner HTML) of a citation line without its "出典 / Source:" label."""
    caption = BeautifulSoup(caption.decode_contents(), "html.parser")
    for label in caption.select(".sdg-source-label"):
        label.decompose()
    inner = caption.decode_contents().strip()
    return re.sub(r"\s+", " ", caption.get_text()).strip(), inner


@dataclass
class _Group:
    """The sources of one section: its number (for unique ids) and its entries in citation order."""

    number: int
    entries: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (n, inner html)

    def cite(self, key: str, inner: str) -> int:
        if key not in self.entries:
            self.entries[key] = (len(self.entries) + 1, inner)
        return self.entries[key][0]

    def anchor(self, n: int) -> str:
        return f"src-{self.number}-{n}"


def _list_html(group: _Group, words: Words) -> str:
    items = "".join(f'<li id="{group.anchor(n)}" value="{n}">{inner}</li>' for n, inner in group.entries.values())
    return (f'<aside class="sdg-sources" data-sources="{group.number}">'
            f'<p class="sdg-sources-title">{words("report.sources.title")}</p><ol>{items}</ol></aside>')


def number_sources(report: Tag, words: Words) -> int:
    """Replace every citation line under `report` by a numbered marker, and put each section's list of
    sources at its end (before the next h1/h2 heading or the end of the notebook). Returns how many
    lists were written."""
    events = report.find_all(lambda t: _is_boundary(t) or _is_source(t))
    groups: list[tuple[_Group, Tag]] = []  # (group, element its list goes before; None: end of notebook)
    current: _Group | None = None
    notebook: Tag | None = None

    def close(before: Tag | None) -> None:
        nonlocal current
        if current is not None and current.entries:
            aside = BeautifulSoup(_list_html(current, words), "html.parser")
            if before is not None:
                before.insert_before(aside)
            else:
                (notebook.select_one("div.jp-Notebook") or notebook).append(aside)
            groups.append((current, before))
        current = None

    number = 0
    for tag in events:
        if tag.name == "section":
            close(None)
            notebook = tag
            continue
        if tag.name in SECTION_HEADINGS:
            cell = tag.find_parent("div", class_="jp-Cell") or tag
            close(cell)
            continue
        if current is None:
            number += 1
            current = _Group(number)
        key, inner = _source_content(tag)
        if not key:
            continue
        n = current.cite(key, inner)
        marker = f'<a class="sdg-source-ref" href="#{current.anchor(n)}">{words("report.sources.marker", n=n)}</a>'
        tag.clear()
        tag.append(BeautifulSoup(marker, "html.parser"))
        figure = tag.find_parent("figure")
        if figure is not None:
            for footer in figure.select("tfoot.sdg-print-source td"):
                footer.clear()
                footer.append(BeautifulSoup(marker, "html.parser"))
    if notebook is None:
        notebook = report
    close(None)
    return len(groups)


# ---------------------------------------------------------------------------------------------
# Chart data as CSV
# ---------------------------------------------------------------------------------------------


def _inline_tables(spec: Any, found: list[list[dict]]) -> None:
    """Every inline data set of a Vega-Lite spec (top-level datasets, then data.values anywhere)."""
    if isinstance(spec, dict):
        values = spec.get("values")
        if isinstance(values, list) and values and all(isinstance(v, dict) for v in values):
            found.append(values)
        for key, value in spec.items():
            if key != "values":
                _inline_tables(value, found)
    elif isinstance(spec, list):
        for value in spec:
            _inline_tables(value, found)


def chart_tables(spec: dict) -> list[list[dict]]:
    """The distinct data sets drawn in a chart, in order, each a list of records."""
    tables = [rows for rows in (spec.get("datasets") or {}).values() if isinstance(rows, list) and rows]
    _inline_tables({k: v for k, v in spec.items() if k != "datasets"}, tables)
    distinct: list[list[dict]] = []
    for rows in tables:
        if rows not in distinct:
            distinct.append(rows)
    return distinct


def chart_rows(spec: dict) -> list[dict]:
    """The records of a chart's CSV: its one data set, or every data set one after the other with a
    first column `part` (1, 2, ...) saying which (a layered or concatenated chart draws several)."""
    tables = chart_tables(spec)
    if len(tables) == 1:
        return tables[0]
    return [{"part": part, **row} for part, rows in enumerate(tables, start=1) for row in rows]


def csv_cell(value: Any) -> str:
    """One value as CSV text: lists joined with ';', missing values empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(csv_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def table_csv(rows: list[dict]) -> bytes:
    """A data set as CSV bytes (UTF-8 with BOM, the columns in order of first appearance)."""
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    return rows_csv(columns, ([row.get(c) for c in columns] for row in rows))


def rows_csv(columns: list[str], rows: Iterable[list[Any]]) -> bytes:
    """Rows of values under their column names as CSV bytes (UTF-8 with BOM; a table may repeat a name)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def chart_data_files(report: Tag, data_dir: str, words: Words) -> dict[str, bytes]:
    """Add a "Data (CSV)" link to every chart figure under `report`; return {file name: CSV bytes} to
    write into the folder `data_dir` (a name relative to the report page)."""
    files: dict[str, bytes] = {}
    for index, figure in enumerate(report.select("figure.sdg-chart-figure"), start=1):
        script = figure.select_one("script.sdg-chart-spec")
        try:
            spec = json.loads(script.string or "") if script is not None else None
        except ValueError:
            spec = None
        if not isinstance(spec, dict):
            continue
        rows = chart_rows(spec)
        if not rows:
            continue
        name = f"figure-{index:02d}.csv"
        files[name] = table_csv(rows)
        links = [f'<a class="sdg-data-link" href="{data_dir}/{name}" data-csv="{name}">{words("report.sources.data_csv")}</a>']
        if links:
            paragraph = BeautifulSoup(f'<p class="sdg-chart-data">{" ".join(links)}</p>', "html.parser")
            caption = figure.find("figcaption")
            if caption is not None:
                caption.insert_before(paragraph)
            else:
                figure.append(paragraph)
    return files


# ---------------------------------------------------------------------------------------------
# Long tables as CSV
# ---------------------------------------------------------------------------------------------

TABLE_DATA_SELECTOR = "script.sdg-table-data"


def table_data_files(report: Tag, data_dir: str | None, words: Words) -> dict[str, bytes]:
    """Write the note under every long table under `report` (its printed rows of all, and a link to the
    complete table) and take the table's data out of the page; return {file name: CSV bytes} to write
    into the folder `data_dir` (a name relative to the report page; None: no files, the note alone).
    Tables are numbered in page order, counting every table, as charts are."""
    files: dict[str, bytes] = {}
    for index, figure in enumerate(report.select("figure.sdg-table-figure"), start=1):
        script = figure.select_one(TABLE_DATA_SELECTOR)
        if script is None:
            continue
        data = json.loads(script.string or "{}")
        script.decompose()  # the page carries the printed rows only
        note = figure.select_one("p.sdg-table-note[data-shown]")
        if note is None:
            raise ValueError(f"table {index} of the report carries its data but no note (present.tables.long_table_parts)")
        total, shown = len(data["rows"]), int(note["data-shown"])
        text = html.escape(words("report.table.rows_shown", shown=shown, total=total))
        if data_dir is not None:
            name = f"table-{index:02d}.csv"
            files[name] = rows_csv(data["columns"], data["rows"])
            path = f"{data_dir}/{name}"
            link = html.escape(words("report.table.complete_csv", file=path))
            text += f' <a class="sdg-data-link" href="{html.escape(path, quote=True)}" data-csv="{name}">{link}</a>'
        note.clear()
        note.append(BeautifulSoup(text, "html.parser"))
    return files
