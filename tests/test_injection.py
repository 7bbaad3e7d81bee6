"""Text from the data is text in the reports (issue 13 case 8): a Markdown link, an HTML tag, an
autolink and an event handler written into every free-text field of a copy of the data come out of
the report suite as visible text, never as a live link or a script."""

from __future__ import annotations

import csv
import io
import logging
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO
from sdgcities.build import run as build
from sdgcities.publish import reports
from sdgcities.build.inputs.curated import CuratedDataError

PAYLOAD = " [x](javascript:alert(1)) <script>alert(2)</script> <img src=x onerror=alert(3)> <javascript:alert(4)> [y][r]\n\n[r]: javascript:alert(5)"
# Free-text columns; ids, codes, numbers, dates and quotes are checked by the build and stay as they are.
TEXT_COLUMNS = {"note", "indicator_ja", "unit", "status_text", "name_ja", "name_en", "prefecture_ja", "prefecture_en", "role_ja",
                "event_on_label", "description_ja", "comment_ja", "goal_ja", "fact_ja", "item_ja", "owning_division", "section", "published_achievement", "label", "column_label", "value_text"}
MANIFEST_TEXT = ("title_ja", "title_en", "publisher", "published_label", "covers", "source", "licence")


def inject(root) -> dict[str, set[str]]:
    """Append the payload to every free-text value of the curated tables and manifests; return the
    columns written per file (the build's own checks refuse some: those are put back)."""
    written: dict[str, set[str]] = {}
    for path in sorted((root / "data/curated").rglob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = rows[0]
        columns = [i for i, name in enumerate(header) if name in TEXT_COLUMNS]
        for row in rows[1:]:
            for i in columns:
                if row[i].strip():
                    row[i] += PAYLOAD
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
        written[str(path.relative_to(root))] = {header[i] for i in columns}
    for path in sorted((root / "data/raw").glob("*.yaml")):
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in MANIFEST_TEXT:
            manifest[key] = str(manifest[key]) + PAYLOAD
        path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
        written[str(path.relative_to(root))] = set(MANIFEST_TEXT)
    return written


def put_back_refused(root, error: CuratedDataError) -> int:
    """Restore the cells the build refused (their column must match the quote, a pattern ...)."""
    refused = {(p.file, p.column) for p in error.problems if p.column}
    for relative, column in refused:
        path, original = root / relative, REPO / relative
        if path.suffix == ".yaml":
            manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
            manifest[column] = yaml.safe_load(original.read_text(encoding="utf-8"))[column]
            path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
            continue
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        originals = list(csv.reader(io.StringIO(original.read_text(encoding="utf-8"))))
        if column not in rows[0]:  # a rule of the whole file (reference checksums, row counts)
            shutil.copyfile(original, path)
            continue
        index = rows[0].index(column)
        for row, old in zip(rows[1:], originals[1:]):
            row[index] = old[index]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8")
    return len(refused)


def test_data_text_never_becomes_a_live_link_or_script(workspace, caplog):
    shutil.copytree(REPO / "notebooks", workspace / "notebooks")
    inject(workspace)
    for _ in range(10):
        try:
            build.build(quiet=True)
            break
        except CuratedDataError as error:
            assert put_back_refused(workspace, error) > 0, str(error)
    database = workspace / "data/curated/sdgs.duckdb"
    from sdgcities.access import api

    with api.connect(database) as con:
        carried = {
            "cities.name_ja": con.sql("select count(*) from cities where name_ja like '%javascript:alert(1)%'").fetchall()[0][0],
            "documents.title_ja": con.sql("select count(*) from documents where title_ja like '%javascript:alert(1)%'").fetchall()[0][0],
            "kpis.note": con.sql("select count(*) from kpis where note like '%javascript:alert(1)%'").fetchall()[0][0],
            "stakeholders.note": con.sql("select count(*) from stakeholders where note like '%<script>%'").fetchall()[0][0],
        }
    assert all(carried.values()), carried  # the payload reached the database through the main text fields
    out = workspace / "reports"
    with caplog.at_level(logging.WARNING):
        reports.run(pdf=False, database=database, reports_dir=out)
    pages = sorted([*out.glob("*.html"), *out.glob("*/*.html")])
    reports_found = ["comparison", "hiratsuka", "kaga", "kumamoto"]
    assert [p.relative_to(out).as_posix() for p in pages] == [
        *(f"en/{r}.html" for r in reports_found), "index.html", *(f"ja/{r}.html" for r in reports_found)]
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        links = [a.get("href", "") for a in soup.find_all("a")]
        assert not [h for h in links if "javascript:" in h.lower()], page.name
        for script in soup.find_all("script"):
            if script.get("type") == "application/json":
                assert "<" not in (script.string or ""), page.name  # chart data: escaped JSON only
            else:
                assert "alert(" not in (script.string or ""), page.name
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (page.name, tag.name)
            assert not (tag.name == "img" and tag.get("src") == "x"), page.name
        if page.parent.name == "en":
            continue  # the payload sits in the Japanese names and titles
        # The payload is there, as text a reader can see.
        assert "[x](javascript:alert(1))" in soup.get_text(), page.name
        assert "<script>alert(2)</script>" in soup.get_text(), page.name
    # Escaping where data text enters Markdown and HTML did it all: the report-wide guard had nothing to do.
    assert not [r for r in caplog.records if "made inert" in r.getMessage()]


def test_markdown_from_the_data_renders_as_text():
    from pathlib import Path

    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from sdgcities.publish import render
    from sdgcities.present.htmlsafe import markdown_text

    sentence = f"Kaga's note:{PAYLOAD} **counted**"
    for text, live in ((sentence, True), (markdown_text(sentence), False)):
        cell = new_code_cell("x", outputs=[new_output("display_data", data={"text/markdown": text, "text/plain": ""})])
        exported = render.export_notebook(render.prepare_notebook(new_notebook(cells=[cell])), path=Path("x.ipynb"))
        soup = BeautifulSoup(exported, "html.parser").find("main")
        hrefs = [a.get("href", "") for a in soup.find_all("a")]
        # Before: nbconvert turns the raw Markdown into live javascript: links; escaped, it stays text.
        assert any(h.startswith("javascript:") for h in hrefs) is live
        assert soup.find("strong").get_text() == "counted"
        if not live:
            assert "[x](javascript:alert(1))" in soup.get_text() and "<script>alert(2)</script>" in soup.get_text()
        page = render.assemble_page([(Path("x.ipynb"), exported)], title="t", lang="en")
        assert "javascript:" not in "".join(a.get("href", "") for a in BeautifulSoup(page.html, "html.parser").find_all("a"))
        assert bool(page.neutralised) is live  # the report-wide guard catches what escaping would have


@pytest.mark.parametrize("href, safe", [
    ("javascript:alert(1)", False), (" JaVaScRiPt:alert(1)", False), ("java\tscript:alert(1)", False),
    ("&#106;avascript:alert(1)", False), ("vbscript:x", False), ("data:text/html,<script>", False),
    ("data:image/svg+xml,<svg onload=alert(1)>", False),
    ("https://example.org", True), ("#sec-1", True), ("exports/kpis.csv", True), ("mailto:a@b.c", True),
    ("data:text/csv;charset=utf-8,a%2Cb", True),
])
def test_only_safe_links_stay_live(href, safe):
    from sdgcities.present.htmlsafe import neutralise_active_content

    soup = BeautifulSoup(f'<main><p><a href="{href}">link</a></p></main>', "html.parser")
    changed = neutralise_active_content(soup.main)
    assert (soup.find("a") is not None) is safe and bool(changed) is not safe
    assert soup.get_text() == "link"


def test_embedded_images_stay():
    from sdgcities.present.htmlsafe import neutralise_active_content

    soup = BeautifulSoup('<main><img src="data:image/png;base64,iVBORw0KGgo=" alt="chart"></main>', "html.parser")
    assert neutralise_active_content(soup.main) == [] and soup.find("img")["src"].startswith("data:image/png")
