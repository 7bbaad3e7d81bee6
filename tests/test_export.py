"""The export (make export): every dictionary view as Parquet, CSV and xlsx with the database's rows
and values, a data package that frictionless validates, the codebook, atomic replacement, and the
index page of reports and downloads."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sdgcities.publish import export, site
from sdgcities.publish.datapackage import LIST_DELIMITER, load_dictionary
from sdgcities.publish.version import dataset_version

VIEWS = load_dictionary()


@pytest.fixture(scope="module")
def exported(built_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "exports"
    export.export(out, built_db, quiet=True)
    return out


@pytest.fixture(scope="module")
def database(built_db):
    from sdgcities.access import api

    with api.connect(built_db) as connection:
        yield connection


def db_rows(database, view: str) -> list[tuple]:
    return database.sql(f"select * from {view.name}").fetchall()


INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}


def from_text(text, duckdb_type: str):
    """A CSV cell read by pandas as text, back to the database's Python value (the documented format)."""
    if duckdb_type.endswith("[]"):
        return [] if pd.isna(text) else [from_text(item, duckdb_type[:-2]) for item in text.split(LIST_DELIMITER)]
    if pd.isna(text):
        return None
    if duckdb_type == "BOOLEAN":
        return {"true": True, "false": False}[text]
    if duckdb_type in INTEGER_TYPES:
        return int(text)
    if duckdb_type == "DOUBLE":
        return float(text)
    return text


def test_every_view_in_three_formats_with_the_database_row_counts(exported, database):
    from openpyxl import load_workbook

    workbook = load_workbook(exported / export.WORKBOOK, read_only=True)
    assert workbook.sheetnames == [v.name for v in VIEWS] + ["codebook"]
    for view in VIEWS:
        expected = database.sql(f"select count(*) from {view.name}").fetchall()[0][0]
        assert expected > 0, view.name
        parquet = exported / "parquet" / f"{view.name}.parquet"
        assert duckdb.sql(f"select count(*) from read_parquet('{parquet}')").fetchall()[0][0] == expected, view.name
        with (exported / "csv" / f"{view.name}.csv").open(encoding="utf-8-sig", newline="") as handle:
            assert sum(1 for _ in csv.reader(handle)) == expected + 1, view.name
        assert workbook[view.name].max_row == expected + 1, view.name


def test_parquet_keeps_lists_and_values(exported, database):
    parquet = exported / "parquet" / "kpis.parquet"
    types = dict(duckdb.sql(f"select column_name, column_type from (describe select * from read_parquet('{parquet}'))").fetchall())
    assert types["sdg_targets"] == "VARCHAR[]"
    assert duckdb.sql(f"select * from read_parquet('{parquet}')").fetchall() == database.sql("select * from kpis").fetchall()


def test_csv_has_bom_crlf_and_round_trips_through_pandas_with_lists(exported, database):
    for view in VIEWS:
        path = exported / "csv" / f"{view.name}.csv"
        assert path.read_bytes().startswith(b"\xef\xbb\xbf" + view.columns[0].name.encode() + b","), view.name
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
        assert list(frame.columns) == [c.name for c in view.columns]
        types = [c.duckdb_type for c in view.columns]
        read_back = [tuple(from_text(v, t) for v, t in zip(row, types)) for row in frame.itertuples(index=False)]
        assert read_back == db_rows(database, view), view.name
    # The lists really are lists after the round trip, e.g. the SDG targets of Kumamoto's KPI 3.
    kpis = pd.read_csv(exported / "csv" / "kpis.csv", encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    row = kpis.loc[kpis["kpi_id"] == "kumamoto_progress_2022:overall:03"].iloc[0]
    expected = database.sql("select sdg_targets, baseline_value from kpis where kpi_id = 'kumamoto_progress_2022:overall:03'").fetchall()[0]
    assert row["sdg_targets"].split(LIST_DELIMITER) == expected[0] and len(expected[0]) >= 2
    assert row["baseline_value"] == expected[1]


def test_xlsx_values_read_back_with_openpyxl(exported, database):
    from openpyxl import load_workbook

    workbook = load_workbook(exported / export.WORKBOOK, read_only=True)
    for view in VIEWS:
        rows = list(workbook[view.name].iter_rows(values_only=True))
        assert list(rows[0]) == [c.name for c in view.columns]
        expected = [tuple(LIST_DELIMITER.join(v) if isinstance(v, list) else v for v in row) for row in db_rows(database, view)]
        # Excel keeps 15-16 significant digits (xlsxwriter writes %.16g): floats agree to 1e-15, the rest exactly.
        assert [tuple(pytest.approx(v, rel=1e-15) if isinstance(v, float) else v for v in row) for row in expected] == [tuple(r) for r in rows[1:]], view.name
    codebook = list(workbook["codebook"].iter_rows(values_only=True))
    header = codebook[0]
    described = {(r[header.index("view")], r[header.index("column")]) for r in codebook[1:] if r[header.index("code")] is None}
    assert described == {(v.name, c.name) for v in VIEWS for c in v.columns}
    sides = {r[header.index("code")]: r[header.index("rows")] for r in codebook[1:] if (r[0], r[1]) == ("kpis", "side") and r[header.index("code")]}
    in_data = dict(database.sql("select coalesce(side, 'NULL'), count(*) from kpis group by all").fetchall())
    assert sides == {code: in_data.get(code, 0) for code in ["economy", "society", "environment", "integrated", "NULL"]}


def test_datapackage_validates_with_frictionless_and_its_constraints_bite(exported, built_db, tmp_path):
    from frictionless import Package

    # Same as `frictionless validate exports/datapackage.json` on the command line.
    report = Package(str(exported / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])[:10]
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == [v.name for v in VIEWS]
    assert package["version"] == dataset_version(built_db).short
    kpis = next(r for r in package["resources"] if r["name"] == "kpis")["schema"]
    fields = {f["name"]: f for f in kpis["fields"]}
    assert kpis["primaryKey"] == ["kpi_id"]
    assert fields["side"]["constraints"]["enum"] == ["economy", "society", "environment", "integrated"]
    assert fields["sdg_targets"]["type"] == "list" and fields["sdg_targets"]["delimiter"] == LIST_DELIMITER
    assert {"fields": ["doc_id"], "reference": {"resource": "documents", "fields": ["doc_id"]}} in kpis["foreignKeys"]

    # A copy with one wrong code and one unknown document is refused.
    broken = tmp_path / "broken"
    shutil.copytree(exported, broken)
    path = broken / "csv" / "kpis.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
    rows[1][rows[0].index("side")] = "economie"
    rows[2][rows[0].index("doc_id")] = "no_such_document"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)
    report = Package(str(broken / "datapackage.json")).validate()
    errors = {(task.name, error.type, error.row_number) for task in report.tasks for error in task.errors}
    assert {("kpis", "constraint-error", 2), ("kpis", "foreign-key", 3)} <= errors


def test_codebook_html_lists_every_column_and_code_in_both_languages(exported, database):
    page = (exported / "codebook.html").read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)
    for view in VIEWS:
        for column in view.columns:
            assert f'id="{view.name}.{column.name}"' in page
            for code in column.codes:
                assert f"<code>{code}</code>" in page, (view.name, column.name, code)
    economy = database.sql("select count(*) from kpis where side = 'economy'").fetchall()[0][0]
    assert re.search(rf"<code>economy</code></td><td>経済</td><td>Economy</td><td></td><td></td><td></td><td>{economy}</td>", page)
    assert 'id="kpis.side"><td><code>side</code></td><td>側面</td>' in page


def test_a_list_item_holding_the_delimiter_is_refused():
    assert export.cell_text(["9.1", "9.4"], where="x") == "9.1;9.4"
    assert export.cell_text(0.1 + 0.2, where="x") == "0.30000000000000004"
    with pytest.raises(export.ExportError, match=r"kpis, row 3, column sdg_targets"):
        export.cell_text(["9.1;9.4"], where="kpis, row 3, column sdg_targets")


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_interrupted_export_keeps_the_previous_one(built_db, tmp_path, monkeypatch):
    out = tmp_path / "exports"
    export.export(out, built_db, quiet=True)
    before = _hashes(out)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full while writing the workbook")

    monkeypatch.setattr(export, "write_xlsx", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        export.export(out, built_db, quiet=True)
    assert _hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exports"]  # no temporary directory left


def test_index_links_every_report_and_download_and_escapes_text(exported, built_db, tmp_path):
    reports = tmp_path / "reports"
    (reports / "en").mkdir(parents=True)
    (reports / "executed").mkdir()
    (reports / "en" / "comparison.html").write_text('<!DOCTYPE html><html lang="en"><head><title>Cities &lt;&amp;&gt; compared</title></head></html>', encoding="utf-8")
    (reports / "en" / "comparison.pdf").write_bytes(b"%PDF-1.4")
    (reports / "executed" / "job.html").write_text("<html></html>", encoding="utf-8")
    index = site.write_index(reports, exported, database=built_db)
    page = index.read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    for link in links:
        assert (reports / link).resolve().is_file(), link
    targets = {(reports / link).resolve() for link in links}
    expected = {(reports / "en" / "comparison.html").resolve(), (reports / "en" / "comparison.pdf").resolve()}
    expected |= {p.resolve() for p in exported.rglob("*") if p.is_file()}
    assert expected <= targets
    assert (reports / "executed" / "job.html").resolve() not in targets
    assert "Cities &lt;&amp;&gt; compared (en)" in page and "<script" not in page
    assert f'<code class="dataset-version">{dataset_version(built_db).short}</code>' in page


def test_sheet_names_fit_excel_and_stay_unique():
    long = "a_view_name_that_is_much_longer_than_excel_allows"
    names = export.sheet_names([long, long + "_too", "kpis", "code:book?"])
    assert names == [long[:31], long[:29] + "~2", "kpis", "code_book_", "codebook"]
    assert all(len(n) <= 31 for n in names)


def test_primary_keys_come_from_the_dictionary(exported):
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    keys = {r["name"]: r["schema"].get("primaryKey") for r in package["resources"]}
    assert keys["sdg_targets"] == ["target"] and keys["kpi_sdg_targets"] == ["kpi_id", "sdg_target"] and keys["stakeholders"] == ["stakeholder_id"]


def test_an_export_killed_between_the_two_renames_is_recovered(built_db, tmp_path):
    out = tmp_path / "exports"
    export.export(out, built_db, quiet=True)
    before = _hashes(out)
    dead = 2**22 + 12345  # above the usual pid_max of 2**22: no such process
    out.rename(tmp_path / f".exports.old-{dead}")  # the previous export moved aside ...
    (tmp_path / f".exports.tmp-{dead}").mkdir()  # ... and the new one not yet in place
    export._clean_up_after_killed_exports(out)
    assert _hashes(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["exports"]


def test_the_version_comes_from_the_file_the_export_reads_even_when_a_build_swaps_it(built_db, tmp_path):
    """A build replaces the database by renaming a new file over it; an export that already opened the
    old file states the old file's version (with its data), never the new file's."""
    from sdgcities.build import dbfile
    from sdgcities.publish.version import connection_version

    old = tmp_path / "sdgs.duckdb"
    shutil.copyfile(built_db, old)
    new = tmp_path / "next.duckdb"
    shutil.copyfile(built_db, new)
    with duckdb.connect(str(new)) as writer:
        writer.execute("update build_info set inputs_sha256 = ?", ["f" * 64])
    with dbfile.open_read_only(old) as con:
        before = connection_version(con)
        new.replace(old)  # what the build's swap does
        assert connection_version(con) == before
        assert before.inputs_sha256 == dbfile.build_info(con)["inputs_sha256"] != "f" * 64
    assert dataset_version(old, fresh=True).inputs_sha256 == "f" * 64
