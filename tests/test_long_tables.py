"""Long report tables: the printed page shows the first rows and a note in the report's language, the
complete table is a CSV beside the report (present/tables.py, publish/sources.py, publish/render.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import nbformat
import polars as pl
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_notebook, new_output
from polars.testing import assert_frame_equal

from sdgcities.present import charts, marks, tables
from sdgcities.present.analyses import data_quality as dq
from sdgcities.present.words import Words
from sdgcities.publish import render, sources

LONG = tables.LONG_TABLE_ROWS + 37


def frame(n: int) -> pl.DataFrame:
    """A table of n rows with the kinds of values reports print (text with commas, quotes, line breaks
    and Japanese; whole and decimal numbers; missing values; dates)."""
    return pl.DataFrame({
        "都市": [f"市{i}, \"{i}\"\n行" for i in range(n)],
        "KPI数": [i * 1_000 for i in range(n)],
        "値": [None if i % 7 == 0 else i / 3 for i in range(n)],
        "日付": [dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(n)],
    })


@pytest.fixture(autouse=True)
def report_mode(monkeypatch):
    monkeypatch.setenv("SDGCITIES_CHART_MODE", "report")


def notebook(path, *tables_shown: pl.DataFrame):
    outputs = [new_output("display_data", data=d, metadata=m)
               for d, m in (charts.cite_bundle(t, source="出典S") for t in tables_shown)]
    nbformat.write(new_notebook(cells=[new_code_cell("charts.cite(t, source='出典S')", outputs=outputs)]), path)
    return path


def read_csv(raw: bytes, schema: dict) -> pl.DataFrame:
    assert raw.startswith("\ufeff".encode())
    return pl.read_csv(io.BytesIO(raw), schema=schema, encoding="utf8-lossy")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_long_table_prints_its_first_rows_and_its_csv_holds_every_row(tmp_path, lang):
    long, short = frame(LONG), frame(tables.LONG_TABLE_ROWS)
    nb = notebook(tmp_path / "t.ipynb", short, long)
    out = tmp_path / "r.html"
    render.render_report([nb], title="T", out_html=out, out_pdf=None, lang=lang)

    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    first, second = soup.select("figure.sdg-table-figure")
    # A table of LONG_TABLE_ROWS rows prints in full, with no note and no CSV.
    assert len(first.select("tbody tr")) == tables.LONG_TABLE_ROWS and first.select_one("p.sdg-table-note") is None
    # The long one: its first PRINTED_ROWS rows, in order, and a note counting them of all.
    rows = second.select("tbody tr")
    assert len(rows) == tables.PRINTED_ROWS
    assert rows[-1].td.get_text().startswith(f"市{tables.PRINTED_ROWS - 1},")
    note = second.select_one("p.sdg-table-note")
    link = note.select_one("a.sdg-data-link")
    counted = note.get_text().replace(link.get_text(), "")
    assert sorted(int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", counted)) == [tables.PRINTED_ROWS, LONG]
    assert link["href"] == "r_data/table-02.csv"  # numbered among all the report's tables
    assert not soup.select("script.sdg-table-data")  # the data left the page

    files = sorted(p.name for p in (tmp_path / "r_data").iterdir())
    assert files == ["table-02.csv"]
    read = read_csv((tmp_path / link["href"]).read_bytes(), long.schema)
    assert_frame_equal(read, long)


def test_the_note_is_in_the_report_language():
    data, _ = charts.cite_bundle(frame(LONG), source="S")
    notes = {}
    for lang in ("ja", "en"):
        soup = BeautifulSoup(f"<main>{data['text/html']}</main>", "html.parser")
        files = sources.table_data_files(soup.main, "x_data", Words(lang))
        assert list(files) == ["table-01.csv"]
        notes[lang] = soup.select_one("p.sdg-table-note").get_text()
    assert notes["ja"] != notes["en"]
    assert all(f"{LONG:,}" in text and str(tables.PRINTED_ROWS) in text for text in notes.values())


def test_quote_tables_keep_every_row_and_full_quote_in_the_csv(tmp_path):
    n = dq.MAX_FINDING_ROWS + 5
    quotes = pl.DataFrame({"No.": [f"{i:03d}" for i in range(n)], "quotes": [["あ" * 300, f"q{i}"] for i in range(n)]})
    data, metadata = dq.quote_table_bundle(quotes, source="S", quote_column="quotes")
    path = tmp_path / "q.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x", outputs=[new_output("display_data", data=data, metadata=metadata)])]), path)
    render.render_report([path], title="T", out_html=tmp_path / "q.html", out_pdf=None, lang="en")
    soup = BeautifulSoup((tmp_path / "q.html").read_text(encoding="utf-8"), "html.parser")
    assert len(soup.select("figure.sdg-table-figure tbody tr")) == tables.PRINTED_ROWS
    raw = (tmp_path / "q_data" / "table-01.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["No.", "quotes"] and len(rows) == n + 1
    assert rows[-1] == [f"{n - 1:03d}", "あ" * 300 + f";q{n - 1}"]  # whole quotes, joined with ';'
    # A list of MAX_FINDING_ROWS findings prints in full.
    data, _ = dq.quote_table_bundle(quotes.head(dq.MAX_FINDING_ROWS), source="S", quote_column="quotes")
    assert "sdg-table-note" not in data["text/html"] and "sdg-table-data" not in data["text/html"]


def test_jupyterlab_shows_every_row_in_a_scrolling_box(monkeypatch):
    monkeypatch.setenv("SDGCITIES_CHART_MODE", "lab")
    data, _ = charts.cite_bundle(frame(LONG), source="S")
    soup = BeautifulSoup(data["text/html"], "html.parser")
    assert len(soup.select("tbody tr")) == LONG
    assert "overflow" in soup.select_one("div.sdg-table-wrap")["style"]
    assert not soup.select("p.sdg-table-note, script.sdg-table-data")
    # A table of very many rows shows LAB_MAX_ROWS of them and says so; it carries no data for a renderer.
    data, _ = charts.cite_bundle(frame(tables.LAB_MAX_ROWS + 5), source="S")
    soup = BeautifulSoup(data["text/html"], "html.parser")
    assert len(soup.select("tbody tr")) == tables.LAB_MAX_ROWS
    note = soup.select_one("p.sdg-table-note")
    assert (int(note["data-shown"]), int(note["data-total"])) == (tables.LAB_MAX_ROWS, tables.LAB_MAX_ROWS + 5)
    assert not soup.select("script.sdg-table-data")


def test_json_values_keep_what_the_csv_must_print():
    import decimal
    import math

    values = [None, float("nan"), True, 3, 0.1 + 0.2, float("inf"), decimal.Decimal("1.10"), dt.date(2024, 4, 1), ["a", None]]
    cells = [sources.csv_cell(tables.json_value(v)) for v in values]
    assert cells == ["", "", "true", "3", repr(0.1 + 0.2), "inf", "1.10", "2024-04-01", "a;"]
    assert not math.isnan(float(cells[4]))


def test_most_first_orders_only_with_many_cities():
    rows = pl.DataFrame({"city_id": ["a", "b", "b", "c", "d"], "v": [1, None, 5, 5, 2]})
    few = [f"c{i}" for i in range(marks.MANY_CITIES)]
    many = [f"c{i}" for i in range(marks.MANY_CITIES + 1)]
    assert marks.most_first(rows, few, "v").equals(rows)
    assert marks.most_first(rows, many, "v")["city_id"].to_list() == ["b", "c", "d", "a", "b"]  # ties keep order, missing last
    assert marks.most_first(rows, many, marks.rows_per_city())["city_id"].to_list() == ["b", "b", "a", "c", "d"]


def test_with_many_cities_the_largest_differences_are_printed_first():
    """published_table (achievement): ordered by KPI id with few cities, by the size of the difference
    between published and recomputed values with many (the rows that cannot be compared last)."""
    from sdgcities.present import notebook as nb
    from sdgcities.present.analyses import achievement as ach

    comparison = pl.DataFrame({
        "kpi_id": ["k1", "k2", "k3", "k4", "k5"], "city": ["A", "B", "C", "D", "E"], "indicator_ja": ["i"] * 5,
        "baseline_value": [1.0] * 5, "actual_value": [2.0] * 5, "target_value": [3.0] * 5,
        "published_pct": [50.0, 10.0, None, 90.0, 60.0], "score": [52.0, 80.0, 40.0, 50.0, 60.0],
        "agreement": ["differs", "differs", "not_comparable", "differs", "agrees"],
    })

    def kpis(cities: int) -> list[str]:
        ctx = nb.Context(None, [f"c{i}" for i in range(cities)], "en")
        return ach.published_table(ctx, comparison)["KPI"].to_list()

    assert kpis(3) == ["k1", "k2", "k3", "k4"]
    assert kpis(marks.MANY_CITIES + 1) == ["k2", "k4", "k1", "k3"]


def test_the_carried_table_is_the_same_json_whichever_way_it_is_encoded():
    """table_data_html lets JSON's encoder write what it can and converts the rest; a NaN or an infinity
    sends the whole table through json_value cell by cell. Either way the JSON is that of json_value."""
    import decimal
    import json

    plain = [[1, "a,b", None, dt.date(2024, 4, 1), decimal.Decimal("1.10"), ["x", None], True, 0.5]]
    odd = plain + [[2, "c", float("nan"), dt.date(2025, 1, 1), decimal.Decimal("2"), [], False, float("-inf")]]
    columns = [f"c{i}" for i in range(8)]
    for rows in (plain, odd):
        carried = BeautifulSoup(tables.table_data_html(columns, rows), "html.parser").select_one("script").string
        assert json.loads(carried) == {"columns": columns, "rows": [[tables.json_value(v) for v in row] for row in rows]}
