"""Write every view of the data dictionary to exports/ as data a researcher can take away (`make export`).

    python -m sdgcities.publish.export              # from data/curated/sdgs.duckdb into exports/

exports/
    parquet/<view>.parquet     lists kept as lists (DuckDB COPY ... FORMAT parquet)
    csv/<view>.csv             UTF-8 with BOM, comma, CRLF; empty cell = NULL; list items joined with ";"
    sdgcities.xlsx             one sheet per view and a "codebook" sheet
    datapackage.json           Frictionless Data Package of the CSV files (schemas from the dictionary)
    codebook.html              every column and coded value, in Japanese and English
    CITATION.cff, LICENSE, DATA_LICENSE.md   with the dataset version filled in

The export is written to a temporary directory next to exports/ and swapped in only when complete,
so a failed export leaves the previous one as it was.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import yaml

from sdgcities.build import dbfile
from sdgcities import paths
from sdgcities.publish.codebook import codebook_rows, write_codebook_html
from sdgcities.publish.datapackage import CSV_ENCODING, LIST_DELIMITER, View, csv_resource, load_dictionary
from sdgcities.publish.version import DatasetVersion, citation_text, connection_version

WORKBOOK = "sdgcities.xlsx"
SHEET_NAME_LIMIT = 31  # Excel's limit
XLSX_CELL_LIMIT = 32_767  # characters in one Excel cell
CODEBOOK_SHEET = "codebook"
COPIED_FILES = ("LICENSE", "DATA_LICENSE.md")


class ExportError(Exception):
    """The export could not be written; the previous export is left as it was."""


def exports_dir() -> Path:
    return paths.root() / "exports"


def _exported_views(con: duckdb.DuckDBPyConnection, views: list[View]) -> list[View]:
    """The dictionary's views, checked against the database (names and column order)."""
    existing = {r[0] for r in con.sql("select table_name from information_schema.tables").fetchall()}
    for view in views:
        if view.name not in existing:
            raise ExportError(f"data_dictionary.yaml documents the view {view.name!r} but the database has no such view: run `make data`")
        actual = [r[0] for r in con.sql(f"select column_name from (describe {view.name})").fetchall()]  # name from the dictionary, checked above
        documented = [c.name for c in view.columns]
        if actual != documented:
            raise ExportError(f"{view.name}: the database columns {actual} differ from data_dictionary.yaml {documented}: run `make data`")
    return views


def cell_text(value, *, where: str) -> str:
    """A value as CSV/xlsx text: NULL empty, booleans true/false, floats exact (shortest repr), lists
    joined with ';'. A list item that itself holds ';' or is empty could not be read back: refused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return repr(value)
    if isinstance(value, (list, tuple)):
        items = [cell_text(item, where=where) for item in value]
        for item in items:
            if item == "" or LIST_DELIMITER in item:
                raise ExportError(f"{where}: the list item {item!r} is empty or holds {LIST_DELIMITER!r}, so a {LIST_DELIMITER!r}-joined cell could not be read back")
        return LIST_DELIMITER.join(items)
    return str(value)


def write_csv(path: Path, columns: list[str], rows: list[tuple], view: str) -> None:
    with path.open("w", encoding=CSV_ENCODING, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for number, row in enumerate(rows, start=1):
            writer.writerow([cell_text(v, where=f"{view}, row {number}, column {c}") for c, v in zip(columns, row)])


def sheet_names(views: list[str]) -> list[str]:
    """Excel sheet names (at most 31 characters, unique, no []:*?/\\) for the views, then the codebook."""
    names: list[str] = []
    used: set[str] = set()
    for view in [*views, CODEBOOK_SHEET]:
        base = "".join("_" if ch in "[]:*?/\\" else ch for ch in view)[:SHEET_NAME_LIMIT]
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base[:SHEET_NAME_LIMIT - len(str(n)) - 1]}~{n}"
        used.add(name.lower())
        names.append(name)
    return names


def write_xlsx(path: Path, tables: dict[str, tuple[list[str], list[tuple]]], codebook: list[dict], version: DatasetVersion) -> None:
    import xlsxwriter

    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    workbook = xlsxwriter.Workbook(str(path), options)
    workbook.set_properties({"title": "sdgcities: SDGs Future Cities dataset", "subject": f"dataset version {version.short}", "comments": citation_text(version)})
    header = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    names = sheet_names(list(tables))

    def put(sheet, row: int, col: int, value, where: str) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            sheet.write_number(row, col, value)
        else:
            text = cell_text(value, where=where)
            if len(text) > XLSX_CELL_LIMIT:
                raise ExportError(f"{where}: {len(text)} characters do not fit an Excel cell ({XLSX_CELL_LIMIT})")
            sheet.write_string(row, col, text)

    def add_table(sheet_name: str, columns: list[str], rows: list[tuple], label: str) -> None:
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_row(0, 0, columns, header)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                put(sheet, r, c, value, f"{label}, row {r}, column {columns[c]}")
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        for c, name in enumerate(columns):
            sheet.set_column(c, c, min(max(len(name) + 2, 10), 40))

    for name, (view, (columns, rows)) in zip(names, tables.items()):
        add_table(name, columns, rows, view)
    book_columns = list(codebook[0]) if codebook else ["view"]
    add_table(names[-1], book_columns, [tuple(entry.values()) for entry in codebook], "codebook")
    workbook.close()


def _package(views: list[View], counts: dict[str, int], version: DatasetVersion, sources: list[dict], created: str) -> dict:
    known = {v.name for v in views}
    return {
        "name": "sdgcities",
        "title": "SDGs Future Cities (Kaga, Kumamoto, Hiratsuka): curated indicators, targets, stakeholders and audits",
        "description": "Curated from public municipal documents; every row carries its document id and a verbatim quote. "
        "Redacted values are empty (NULL) with is_redacted true, never 0. Fiscal-year labels (年度) are kept as printed. "
        f"CSV files are UTF-8 with a byte-order mark; list cells are joined with '{LIST_DELIMITER}'. How to cite: {citation_text(version)}",
        "version": version.short,
        "created": created,
        "licenses": [{"path": "DATA_LICENSE.md", "title": "See DATA_LICENSE.md: the project's own work is MIT; the quoted source documents keep their publishers' terms, listed per document"}],
        "sources": sources,
        "sdgcities": {**version.as_dict(), "citation": citation_text(version), "parquet": [f"parquet/{v.name}.parquet" for v in views], "workbook": WORKBOOK},
        "resources": [csv_resource(v, f"csv/{v.name}.csv", known, counts[v.name]) for v in views],
    }


def _sources(con: duckdb.DuckDBPyConnection, views: list[View]) -> list[dict]:
    if "documents" not in {v.name for v in views}:
        return []
    rows = con.sql("select doc_id, title_ja, publisher, published_label, source from documents order by doc_id").fetchall()
    return [{"title": f"{title} ({publisher}, {label})", "description": f"{doc_id}: {source}"} for doc_id, title, publisher, label, source in rows]


def _citation_file(version: DatasetVersion, released: str) -> str:
    citation_path = paths.root() / "CITATION.cff"
    citation = yaml.safe_load(citation_path.read_text(encoding="utf-8"))
    citation.update({"type": "dataset", "version": version.short, "date-released": released})
    if version.commit != "unknown":
        citation["commit"] = version.commit.removesuffix("+dirty")
    return "# CITATION.cff of the repository with this export's dataset version filled in.\n" + yaml.safe_dump(citation, allow_unicode=True, sort_keys=False)


def _created() -> _dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")  # reproducible builds fix the clock
    return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc) if epoch else _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


def write_export(target: Path, database: Path) -> dict[str, int]:
    """Write the complete export into the empty directory `target`; returns rows per view."""
    # Load inputs.
    views = load_dictionary()
    created = _created()
    (target / "parquet").mkdir(parents=True)
    (target / "csv").mkdir()
    tables: dict[str, tuple[list[str], list[tuple]]] = {}
    # The database is read like any reader's (dbfile.READ_ONLY_CONFIG: no file access), so Parquet is
    # written from Arrow rather than by DuckDB's COPY; lists stay lists either way. One connection
    # reads the version and every view: a build swapping the file meanwhile cannot mix two builds.
    with dbfile.open_read_only(database) as con:
        version = connection_version(con)
        views = _exported_views(con, views)
        for view in views:
            relation = con.sql(f"select * from {view.name}")  # the name was checked against the database above
            tables[view.name] = (list(relation.columns), relation.fetchall())
            pq.write_table(con.sql(f"select * from {view.name}").to_arrow_table(), target / "parquet" / f"{view.name}.parquet")
        sources = _sources(con, views)
        codebook = codebook_rows(con, views)

    # Process data.
    counts = {name: len(rows) for name, (_, rows) in tables.items()}
    package = _package(views, counts, version, sources, created.isoformat())

    # Save outputs.
    for name, (columns, rows) in tables.items():
        write_csv(target / "csv" / f"{name}.csv", columns, rows, name)
    write_xlsx(target / WORKBOOK, tables, codebook, version)
    (target / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    write_codebook_html(target / "codebook.html", views, codebook, version, counts)
    for name in COPIED_FILES:
        source = paths.root() / name
        if source.is_file():
            shutil.copyfile(source, target / name)
    (target / "CITATION.cff").write_text(_citation_file(version, created.date().isoformat()), encoding="utf-8")
    return counts


def _swap(temporary: Path, final: Path) -> None:
    """Put `temporary` in place of `final`. A directory cannot be replaced in one rename, so the old
    export is moved aside first and moved back if the second rename fails."""
    previous = final.with_name(f".{final.name}.old-{os.getpid()}")
    if final.exists():
        os.replace(final, previous)
    try:
        os.replace(temporary, final)
    except BaseException:
        if previous.exists():
            os.replace(previous, final)
        raise
    if previous.exists():
        shutil.rmtree(previous)


def _clean_up_after_killed_exports(out: Path) -> None:
    """Remove what a killed export left (its temporary directory) and, when it was killed between the
    two renames of the swap, put the previous export back. Directories of running exports are kept."""
    for leftover in sorted(out.parent.glob(f".{out.name}.*-*")):
        kind, _, pid = leftover.name.rpartition("-")
        if not pid.isdigit() or dbfile.pid_alive(int(pid)):
            continue
        if kind.endswith(".old") and not out.exists():
            os.replace(leftover, out)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def export(out: Path | None = None, database: Path | None = None, *, quiet: bool = False) -> dict[str, int]:
    """Write the export atomically; returns rows per view."""
    started = time.perf_counter()
    out = Path(out) if out else exports_dir()
    database = Path(database) if database else paths.database_path()
    if not database.is_file():
        raise ExportError(f"{paths.relative(database)} does not exist: run `make data` first")
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_up_after_killed_exports(out)
    temporary = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    try:
        counts = write_export(temporary, database)
        _swap(temporary, out)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    if not quiet:
        sizes = {kind: sum(f.stat().st_size for f in out.glob(pattern)) for kind, pattern in (("parquet", "parquet/*.parquet"), ("csv", "csv/*.csv"), ("xlsx", WORKBOOK))}
        print(f"exported {len(counts)} views ({sum(counts.values())} rows) to {paths.relative(out)} in {time.perf_counter() - started:.2f} s; "
              + ", ".join(f"{kind} {size:,} bytes" for kind, size in sizes.items()))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export every view of the data dictionary to exports/ (Parquet, CSV, xlsx, data package, codebook).")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default exports/)")
    parser.add_argument("--database", type=Path, default=None, help="database to read (default data/curated/sdgs.duckdb)")
    args = parser.parse_args(argv)
    try:
        export(args.out, args.database)
    except (ExportError, duckdb.Error, OSError) as error:
        print(f"make export: the export failed; the previous export is unchanged.\n{error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
