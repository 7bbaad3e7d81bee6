"""The report suite on the real notebooks and database: four HTML and four PDF reports, offline
charts in a real browser, Japanese text in the PDFs with a font that covers every character,
skipping what did not change, and no half-written report after a failure."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, sha256
from sdgcities.publish import render, reports

CITIES_JA = {"kaga": "加賀市", "kumamoto": "熊本市", "hiratsuka": "平塚市"}
STEMS = ["comparison", "hiratsuka", "kaga", "kumamoto"]


@pytest.fixture(scope="module")
def suite(built_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    summary = reports.run(database=built_db, reports_dir=folder)
    return {"folder": folder, "summary": summary, "db": built_db}


def test_four_html_and_four_pdf_reports(suite):
    folder = suite["folder"]
    for stem in STEMS:
        assert (folder / f"{stem}.html").stat().st_size > 10_000
        assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
    executed = sorted(p.name for p in (folder / "executed").glob("*.ipynb"))
    config = reports.load_config(REPO / "notebooks/reports.yaml", {c: {"name_ja": n, "name_en": c} for c, n in CITIES_JA.items()})
    assert len(executed) == sum(len(r.jobs) for r in config) == suite["summary"]["jobs"]
    assert not [p for p in folder.rglob("*") if ".tmp" in p.name]


@pytest.mark.parametrize("stem", STEMS)
def test_every_chart_renders_offline_without_console_errors(suite, stem):
    with render.open_page(suite["folder"] / f"{stem}.html") as (page, seen):
        html_text = page.content()
    assert seen.chart_count > 0
    assert seen.drawn_count == seen.chart_count, seen.chart_errors
    assert seen.console_errors == [] and seen.page_errors == [] and seen.blocked_requests == []
    assert not re.search(r"<script[^>]+src=\"https?://", html_text)
    # Every chart and table cites its sources.
    assert html_text.count("sdg-source") >= seen.chart_count


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_holds_japanese_city_names_and_page_numbers(suite, stem):
    text = pdf_text(suite["folder"] / f"{stem}.pdf")
    names = CITIES_JA.values() if stem == "comparison" else [CITIES_JA[stem]]
    for name in names:
        assert name in text
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(suite["folder"] / f"{stem}.pdf")], capture_output=True, text=True).stdout).group(1))
    assert re.search(rf"^\s*{pages}\s*/\s*{pages}\s*$", text, re.M), "last page number 'N / N' in the footer"
    assert "目次" in text


def test_the_fonts_cover_every_character_drawn(suite):
    """Every character in the PDFs is in Noto Sans CJK JP or, failing that, in DejaVu Sans: the report's
    font stack (render.BODY_FONT) on Debian. A character neither has would print as an empty box."""
    from fontTools.ttLib import TTCollection, TTFont

    from sdgcities.present import charts

    assert render.BODY_FONT.startswith('"Noto Sans CJK JP", "DejaVu Sans"')
    collection = TTCollection(str(next(charts.find_font_dir().glob("NotoSansCJK-Regular.tt*"))))
    noto = set(next(f for f in collection.fonts if "JP" in f["name"].getDebugName(1)).getBestCmap())
    dejavu = set(TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").getBestCmap())
    drawn = set("".join(pdf_text(suite["folder"] / f"{stem}.pdf") for stem in STEMS))
    drawn = {c for c in drawn if ord(c) > 0x20 and not c.isspace()}
    assert sorted(c for c in drawn if ord(c) not in noto | dejavu) == []
    # Nearly everything is drawn in the CJK font itself; the fallback only fills rare gaps.
    assert len([c for c in drawn if ord(c) not in noto]) <= 3
    assert "\ufffd" not in drawn


def test_a_second_run_with_nothing_changed_skips_everything(suite):
    started = time.perf_counter()
    again = reports.run(database=suite["db"], reports_dir=suite["folder"])
    assert again["executed"] == 0 and again["rendered"] == 0
    assert time.perf_counter() - started < 10


def test_a_failed_render_leaves_the_previous_reports(suite, monkeypatch, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(suite["folder"], folder)
    before = {p.name: sha256(p) for p in folder.glob("*.html")}

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure while rendering")

    monkeypatch.setattr(render, "print_pdf", broken)
    (folder / ".state.json").unlink()  # forget what was rendered, so every report is rendered again
    with pytest.raises(RuntimeError, match="simulated"):
        reports.run(database=suite["db"], reports_dir=folder)
    assert {p.name: sha256(p) for p in folder.glob("*.html")} == before
    assert not [p for p in folder.glob("*") if ".tmp" in p.name]


def test_a_killed_report_run_leaves_no_half_written_report(suite, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(suite["folder"], folder)
    before = {p.name: sha256(p) for p in folder.glob("*.*") if p.suffix in (".html", ".pdf")}
    script = (f"import sys; sys.argv=['x']; from pathlib import Path; from sdgcities.publish import reports; "
              f"reports.run(force=True, database=Path({str(suite['db'])!r}), reports_dir=Path({str(folder)!r}))")
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, start_new_session=True)
    started = False
    try:
        for line in process.stdout:
            if "executed in" in line:  # the first notebook finished: the run is well under way
                started = True
                break
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert started, "the report run stopped before its first notebook finished: nothing was killed mid-run"
    after = {p.name: sha256(p) for p in folder.glob("*.*") if p.suffix in (".html", ".pdf")}
    assert after == before
    # Executed notebooks are complete files (written then renamed), never half-written.
    import nbformat

    for path in (folder / "executed").glob("*.ipynb"):
        if not path.name.startswith("."):  # the killed run's own temporary files are hidden and cleared by the next run
            nbformat.read(path, as_version=4)


@pytest.mark.parametrize("stem", ["comparison", "kaga"])
def test_the_front_matter_opens_every_report(suite, stem):
    """The summary of findings, the comparability table and the dataset version come before the first
    analysis: first in the HTML after the contents, and on the first pages of the PDF."""
    from sdgcities.present.words import Words
    from sdgcities.publish.version import dataset_version

    words, version = Words("ja"), dataset_version(suite["db"], fresh=True).short
    page = (suite["folder"] / f"{stem}.html").read_text(encoding="utf-8")
    body = page[page.index("</nav>", page.index('id="toc"')):]
    analyses = [m.start() for m in re.finditer(r"<h1[ >]", body)][1]  # the heading of the first analysis
    for text in (words("front.heading.summary"), words("front.heading.comparability"), words("front.table.kpi_rows")):
        assert re.search(rf">\s*{re.escape(text)}\s*<", body[:analyses]), text
    assert version in body[:analyses]
    first_pages = subprocess.run(["pdftotext", "-f", "1", "-l", "4", str(suite["folder"] / f"{stem}.pdf"), "-"],
                                 capture_output=True, text=True, check=True).stdout.replace("\n", "")
    for text in (words("front.heading.summary"), words("front.heading.comparability"), version):
        assert text in first_pages, text
