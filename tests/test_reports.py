"""The report suite on the real notebooks and database: every report in Japanese and English (HTML and
PDF) from one run, offline charts in a real browser, text in the PDFs with a font that covers every
character, page numbers in the contents, a CSV of every chart's data, skipping what did not change (per
step: notebooks and renders), and no half-written report after a failure."""

from __future__ import annotations

import csv
import io
import json
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
from sdgcities import publish
from sdgcities.publish import render, reports

CITIES = {"ja": {"kaga": "加賀市", "kumamoto": "熊本市", "hiratsuka": "平塚市"},
          "en": {"kaga": "Kaga", "kumamoto": "Kumamoto", "hiratsuka": "Hiratsuka"}}
LANGUAGES = ["ja", "en"]
REPORTS = ["comparison", "hiratsuka", "kaga", "kumamoto"]
STEMS = [f"{lang}/{report}" for lang in LANGUAGES for report in REPORTS]
TOC_TITLE = {"ja": "目次", "en": "Contents"}


@pytest.fixture(scope="module")
def suite(report_suite):
    return report_suite


def test_every_report_in_both_languages_from_one_run(suite):
    folder = suite["folder"]
    for stem in STEMS:
        assert (folder / f"{stem}.html").stat().st_size > 10_000
        assert (folder / f"{stem}.pdf").read_bytes().startswith(b"%PDF")
        assert f'lang="{stem.split("/")[0]}"' in (folder / f"{stem}.html").read_text(encoding="utf-8")[:2000]
    executed = sorted(p.name for p in (folder / "executed").glob("*.ipynb"))
    names = {c: {"name_ja": CITIES["ja"][c], "name_en": CITIES["en"][c]} for c in CITIES["ja"]}
    config = reports.load_config(REPO / "notebooks/reports.yaml", names)
    assert sorted(r.stem for r in config) == sorted(STEMS)
    assert len(executed) == sum(len(r.jobs) for r in config) == suite["summary"]["jobs"]
    assert not [p for p in folder.rglob("*") if ".tmp" in p.name]
    # The index links every report of both languages and its PDF.
    index = (folder / "index.html").read_text(encoding="utf-8")
    for stem in STEMS:
        assert f'href="{stem}.html"' in index and f'href="{stem}.pdf"' in index


@pytest.mark.parametrize("stem", STEMS)
def test_every_chart_renders_offline_without_console_errors(suite, stem):
    with render.open_page(suite["folder"] / f"{stem}.html") as (page, seen):
        html_text = page.content()
    assert seen.chart_count > 0
    assert seen.drawn_count == seen.chart_count, seen.chart_errors
    assert seen.console_errors == [] and seen.page_errors == [] and seen.blocked_requests == []
    assert not re.search(r"<script[^>]+src=\"https?://", html_text)
    # Every chart and table cites its sources: a marker pointing to an entry of its section's list.
    assert html_text.count('class="sdg-source-ref"') >= seen.chart_count
    for target in set(re.findall(r'class="sdg-source-ref" href="#([^"]+)"', html_text)):
        assert f'id="{target}"' in html_text


@pytest.mark.parametrize("stem", STEMS)
def test_every_chart_offers_its_data_as_csv(suite, stem):
    from bs4 import BeautifulSoup

    from sdgcities.publish import sources

    page = suite["folder"] / f"{stem}.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    figures = soup.select("figure.sdg-chart-figure")
    assert figures
    for figure in figures:
        link = figure.select_one("a.sdg-data-link")
        assert link is not None and link["href"].startswith(f"{page.stem}_data/figure-"), figure.get("data-chart-id")
        raw = (page.parent / link["href"]).read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        expected = sources.chart_rows(json.loads(figure.select_one("script.sdg-chart-spec").string))
        assert len(rows) == len(expected) > 0
        assert rows == [{k: sources.csv_cell(r.get(k)) for k in rows[0]} for r in expected]


def pdf_text(path: Path, first: int | None = None) -> str:
    pages = ["-f", str(first), "-l", str(first)] if first else []
    return subprocess.run(["pdftotext", *pages, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_holds_city_names_page_numbers_and_a_numbered_contents(suite, stem):
    lang, report = stem.split("/")
    path = suite["folder"] / f"{stem}.pdf"
    text = pdf_text(path)
    names = CITIES[lang].values() if report == "comparison" else [CITIES[lang][report]]
    for name in names:
        assert name in text
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout).group(1))
    assert re.search(rf"^\s*{pages}\s*/\s*{pages}\s*$", text, re.M), "last page number 'N / N' in the footer"
    assert TOC_TITLE[lang] in text
    # Contents with page numbers: every heading of the first level is listed with the page it is on.
    from sdgcities.publish import pdf

    marks = pdf.bookmarks(path)
    assert len(marks) > 5
    contents = pdf_text(path, 1) + (pdf_text(path, 2) if pages > 1 else "")
    numbered = re.findall(r"^\s*(\S.*?\S)\s{2,}(\d+)\s*$", contents, re.M)
    assert len(numbered) >= 5, contents
    for title, number in numbered:  # every entry, not a sample: the numbers come from a separate printing
        assert 1 <= int(number) <= pages
        page_text = " ".join(pdf_text(path, int(number)).split())
        assert " ".join(title.split())[:12] in page_text, (title, number)


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_fonts_are_embedded(suite, stem):
    listing = subprocess.run(["pdffonts", str(suite["folder"] / f"{stem}.pdf")], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows), listing


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


def test_changing_only_the_stylesheet_re_renders_without_running_a_notebook(suite, monkeypatch, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(suite["folder"], folder)
    assert publish.STYLESHEET in reports.render_inputs() and publish.STYLESHEET not in reports.notebook_inputs()
    stylesheet = tmp_path / "report.css"
    stylesheet.write_text(publish.STYLESHEET.read_text(encoding="utf-8") + "\n.sdg-test-rule { color: red; }\n", encoding="utf-8")
    # HTML only, to keep the test short (a render key covers the PDF choice too, so record it first).
    reports.run(database=suite["db"], reports_dir=folder, pdf=False)
    monkeypatch.setattr(publish, "STYLESHEET", stylesheet)
    again = reports.run(database=suite["db"], reports_dir=folder, pdf=False)
    assert again["executed"] == 0 and again["rendered"] == len(STEMS)
    unchanged = reports.run(database=suite["db"], reports_dir=folder, pdf=False)
    assert unchanged["executed"] == 0 and unchanged["rendered"] == 0
    assert all(".sdg-test-rule" in (folder / f"{stem}.html").read_text(encoding="utf-8") for stem in STEMS)
    # The notebooks' inputs: the code and catalogues they read, never the render's.
    package = REPO / "src" / "sdgcities"
    inputs = set(reports.notebook_inputs())
    assert package / "present" / "catalogues" / "ja" / "codes.yaml" in inputs and package / "access" / "api.py" in inputs
    assert package / "publish" / "render.py" not in inputs


def test_a_failed_render_leaves_the_previous_reports(suite, monkeypatch, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(suite["folder"], folder)
    before = {str(p): sha256(p) for p in folder.glob("*/*.html")}

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure while rendering")

    monkeypatch.setattr(render, "print_pdf", broken)
    (folder / ".state.json").unlink()  # forget what was rendered, so every report is rendered again
    with pytest.raises(RuntimeError, match="simulated"):
        reports.run(database=suite["db"], reports_dir=folder)
    assert {str(p): sha256(p) for p in folder.glob("*/*.html")} == before
    assert not [p for p in folder.rglob("*") if ".tmp" in p.name]


def test_a_killed_report_run_leaves_no_half_written_report(suite, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(suite["folder"], folder)
    before = {str(p): sha256(p) for p in folder.glob("*/*.*") if p.suffix in (".html", ".pdf")}
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
    after = {str(p): sha256(p) for p in folder.glob("*/*.*") if p.suffix in (".html", ".pdf")}
    assert after == before
    # Executed notebooks are complete files (written then renamed), never half-written.
    import nbformat

    for path in (folder / "executed").glob("*.ipynb"):
        if not path.name.startswith("."):  # the killed run's own temporary files are hidden and cleared by the next run
            nbformat.read(path, as_version=4)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("stem", ["comparison", "kaga"])
def test_the_front_matter_opens_every_report(suite, stem, lang):
    """The summary of findings, the comparability table and the dataset version come before the first
    analysis: first in the HTML after the contents, and on the first pages of the PDF."""
    from sdgcities.present.words import Words
    from sdgcities.publish.version import dataset_version

    words, version = Words(lang), dataset_version(suite["db"], fresh=True).short
    page = (suite["folder"] / lang / f"{stem}.html").read_text(encoding="utf-8")
    body = page[page.index("</nav>", page.index('id="toc"')):]
    analyses = [m.start() for m in re.finditer(r"<h1[ >]", body)][1]  # the heading of the first analysis
    for text in (words("front.heading.summary"), words("front.heading.comparability"), words("front.table.kpi_rows")):
        assert re.search(rf">\s*{re.escape(text)}\s*<", body[:analyses]), text
    assert version in body[:analyses]
    first_pages = subprocess.run(["pdftotext", "-f", "1", "-l", "4", str(suite["folder"] / lang / f"{stem}.pdf"), "-"],
                                 capture_output=True, text=True, check=True).stdout.replace("\n", "")
    for text in (words("front.heading.summary"), words("front.heading.comparability"), version):
        assert text in first_pages, text


def test_the_run_leaves_its_callers_environment_alone(suite):
    """The run happens in its caller's process (threads): the snapshot it gives its kernels as
    SDGCITIES_DB must not stay in the caller's environment after the run."""
    assert suite["environment_kept"]


def test_heavy_reports_render_alone_and_the_kernels_stop_when_the_runs_are_over(suite, monkeypatch, tmp_path):
    """The run's memory peak is a long report printing: it is rendered once every notebook has run and
    the kernels are stopped, with nothing beside it. Notebooks run on half the slots (one kernel with two
    workers), so that no render has an idle kernel beside it. Real executed notebooks decide which reports
    are heavy; the runs and renders themselves are stand-ins that record when they ran."""
    from sdgcities.publish import engine

    folder = tmp_path / "copy"
    shutil.copytree(suite["folder"], folder)
    events: list[tuple] = []  # (kind, name, start, end, alone)
    stopped: list[float] = []

    def fake_execute(job, output, database, build_id=None):
        start = time.perf_counter()
        time.sleep(0.02)
        events.append(("run", job.name, start, time.perf_counter(), False))
        return 0.02

    def fake_render(notebooks, title, html_path, pdf_path, lang, *, alone=False):
        start = time.perf_counter()
        time.sleep(0.3 if alone else 0.05)
        events.append(("render", html_path, start, time.perf_counter(), alone))
        return 0.1

    monkeypatch.setattr(reports, "execute", fake_execute)
    monkeypatch.setattr(reports, "render_one", fake_render)
    monkeypatch.setattr(engine, "shutdown_all", lambda: stopped.append(time.perf_counter()))
    summary = reports.run(force=True, database=suite["db"], reports_dir=folder, workers=2)
    runs = [e for e in events if e[0] == "run"]
    renders = [e for e in events if e[0] == "render"]
    assert summary["executed"] == len(runs) == 24 and summary["rendered"] == len(renders) == 8
    heavy = [e for e in renders if e[4]]
    assert sorted(Path(e[1]).parent.name + "/" + Path(e[1]).stem for e in heavy) == ["en/comparison", "ja/comparison"]
    last_run_end = max(e[3] for e in runs)
    first_heavy_start = min(h[2] for h in heavy)
    assert first_heavy_start >= last_run_end, "a heavy render started while notebooks were running"
    for h in heavy:
        assert not any(other is not h and other[2] < h[3] and h[2] < other[3] for other in renders), "a render beside a heavy one"
    for first_run, second_run in zip(sorted(runs, key=lambda e: e[2]), sorted(runs, key=lambda e: e[2])[1:]):
        assert second_run[2] >= first_run[3], "two notebooks ran at once with two workers"
    assert any(r[2] < last_run_end for r in renders if not r[4]), "no light report was rendered beside the runs"
    assert any(last_run_end <= t <= first_heavy_start for t in stopped), "the kernels were up beside a heavy render"


def test_a_long_report_printed_with_its_charts_released_prints_the_same_pages(suite, tmp_path):
    """release_charts (heavy reports) replaces each drawn chart by a copy of its drawing before printing,
    so that the renderer can drop the Vega views: the PDF has the same pages, text and contents."""
    from sdgcities.publish import pdf

    first = suite["folder"] / "ja" / "kaga.pdf"
    title = re.search(r"^Title:\s+(.*)$", subprocess.run(["pdfinfo", str(first)], capture_output=True, text=True).stdout, re.M).group(1)
    out = tmp_path / "released.pdf"
    report = pdf.print_pdf(suite["folder"] / "ja" / "kaga.html", out, title=title, date=render._build_date("ja"), release_charts=True)
    assert report.released_charts == report.chart_count == report.drawn_count > 0  # every chart was replaced
    assert pdf.anchor_pages(out) == pdf.anchor_pages(first)
    pages = int(re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout, re.M).group(1))
    assert pages > 5
    for page in range(1, pages + 1):  # every page's text (charts' labels included) below the header line
        assert pdf_text(out, page).splitlines()[1:] == pdf_text(first, page).splitlines()[1:], page


def test_a_report_printed_again_tries_its_previous_pages_and_checks_them(suite, monkeypatch, tmp_path):
    """Printing a report over its previous PDF tries that PDF's pages for the contents: one printing when
    they still hold; when they do not (here: another report's PDF in its place), the printing tells the
    right pages and the report is printed once more. Either way the contents are those of a first print."""
    from sdgcities.publish import pdf

    printings: list[int] = []
    original_print = pdf.print_pdf

    def counted(*args, **kwargs):
        report = original_print(*args, **kwargs)
        printings.append(report.printings)
        return report

    monkeypatch.setattr(render, "print_pdf", counted)
    notebooks = [suite["folder"] / "executed" / f"ja-kaga-{name}.ipynb" for name in ("front_matter", "city_profile")]
    first = suite["folder"] / "ja" / "kaga.pdf"
    title = re.search(r"^Title:\s+(.*)$", subprocess.run(["pdfinfo", str(first)], capture_output=True, text=True).stdout, re.M).group(1)
    for previous, expected_printings in ((first, 1), (suite["folder"] / "ja" / "comparison.pdf", 2)):
        out = tmp_path / f"again-{expected_printings}.pdf"
        shutil.copy(previous, out)
        render.render_report(notebooks, title=title, out_html=tmp_path / f"again-{expected_printings}.html", out_pdf=out, lang="ja")
        assert printings[-1] == expected_printings
        assert pdf.anchor_pages(out) == pdf.anchor_pages(first)
        # The contents page, its numbers included (below the header line, which holds the day of printing).
        assert pdf_text(out, 1).splitlines()[1:] == pdf_text(first, 1).splitlines()[1:]
