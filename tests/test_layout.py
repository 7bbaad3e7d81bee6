"""Layout of the real reports in both languages: no report scrolls sideways in a 1,280 px browser window,
and no printed page starts with a source marker cut off from the table or chart it cites.

The reports are built once per test session from the real notebooks and database (as `make reports`
does; the `report_suite` fixture) and looked at in Debian's headless Chromium and with poppler's
pdftotext.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from sdgcities.present import charts
from sdgcities.present.words import Words
from sdgcities.publish import render

WINDOW_WIDTH = 1280
STEMS = [f"{lang}/{report}" for lang in ("ja", "en") for report in ("comparison", "hiratsuka", "kaga", "kumamoto")]
# A source marker ("出典 [3]" / "Source [3]") alone on a line, in any language.
SOURCE_MARKER = re.compile("^(?:" + "|".join(re.escape(Words(lang)("report.sources.marker", n=0)).replace("0", r"\d+")
                                              for lang in ("ja", "en")) + ")$")


@pytest.fixture(scope="module")
def built_reports(report_suite) -> Path:
    return report_suite["folder"]


def narrowest_headers(page) -> list[tuple[str, float]]:
    """Japanese table headers of more than two characters narrower than three of their characters (the width of a
    header that wraps one or two characters a line), as (text, width in em)."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('table.sdg-table th')).map(th => {"
        " const em = parseFloat(getComputedStyle(th).fontSize);"
        " const pad = parseFloat(getComputedStyle(th).paddingLeft) + parseFloat(getComputedStyle(th).paddingRight);"
        " return [th.innerText.trim(), (th.getBoundingClientRect().width - pad) / em]; })"
        ".filter(([text, w]) => /[^\\x00-\\x7F]/.test(text) && text.length > 2 && w < 2.9)"
    )


def page_width(html_path: Path, width: int = WINDOW_WIDTH) -> tuple[int, list[str]]:
    """The document's scroll width at a window `width` px wide, once every chart is drawn, and the
    innermost elements reaching past the window's right edge (for the failure message)."""
    with render.open_page(html_path) as (page, _seen):
        page.set_viewport_size({"width": width, "height": 900})
        assert narrowest_headers(page) == []
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        culprits = page.evaluate(
            "(w) => Array.from(document.querySelectorAll('body *'))"
            ".filter(e => e.getBoundingClientRect().right > w + 1"
            " && !Array.from(e.children).some(c => c.getBoundingClientRect().right > w + 1))"
            ".slice(0, 5).map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().width) + 'px: '"
            " + (e.innerText || '').slice(0, 60))",
            width,
        )
    return scroll_width, culprits


def pdf_pages(pdf: Path) -> list[list[str]]:
    """The non-blank text lines of every page of a PDF (pdftotext, one call per page)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    n_pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    pages = []
    for number in range(1, n_pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        # -layout pads columns with runs of spaces that vary from page to page: collapse them.
        pages.append([" ".join(line.split()) for line in text.splitlines() if line.strip()])
    return pages


def pages_starting_with_a_source(pdf: Path) -> list[int]:
    """Pages (1-based) whose first line of body text is a source marker: the marker was pushed away from
    what it cites. The running header (report title and date, the first line of every page) and the
    page-number footer are not body text."""
    pages = pdf_pages(pdf)
    header = pages[0][0] if pages and pages[0] else ""
    orphaned = []
    for number, lines in enumerate(pages, start=1):
        body = [line for line in lines if line != header and not line.replace(" ", "").replace("/", "").isdigit()]
        if body and SOURCE_MARKER.match(body[0]):
            orphaned.append(number)
    return orphaned


@pytest.mark.parametrize("stem", [*STEMS, "index"])
def test_no_report_scrolls_sideways_at_1280_px(built_reports, stem):
    """...and no table header is squeezed to one or two characters a line (checked in page_width)."""
    scroll_width, culprits = page_width(built_reports / f"{stem}.html")
    assert scroll_width <= WINDOW_WIDTH, culprits


@pytest.mark.parametrize("stem", STEMS)
def test_no_printed_page_starts_with_a_source_line(built_reports, stem):
    assert pages_starting_with_a_source(built_reports / f"{stem}.pdf") == []


def test_the_checks_catch_a_wide_table_and_an_orphaned_source(tmp_path):
    """The two detectors fail on a page made to have both defects: a 1,600 px table outside any scroll
    box, and a source line forced onto a page of its own."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>bad</title></head><body>"
        "<p>report title</p><table style='width:1600px'><tr><td>wide</td></tr></table>"
        "<p style='break-before: page'>Source [3]</p></body></html>",
        encoding="utf-8",
    )
    scroll_width, _ = page_width(page)
    assert scroll_width >= 1600
    pdf = tmp_path / "bad.pdf"
    subprocess.run([str(render.find_chromium()), *render.CHROMIUM_ARGS, "--headless", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", page.resolve().as_uri()], check=True, capture_output=True, timeout=120)
    assert pages_starting_with_a_source(pdf) == [2]


def test_a_table_prints_its_source_as_a_footer_and_ids_may_break_at_colons():
    import polars as pl

    data, _ = charts.cite_bundle(pl.DataFrame({"KPI": ["kumamoto_progress_2022:initiatives:03"], "値": [1.5]}), source="S doc")
    html = data["text/html"]
    assert "kumamoto_progress_2022:<wbr>initiatives:<wbr>03" in html
    footer = html[html.index("<tfoot"):html.index("</tfoot>")]
    assert 'class="sdg-print-source"' in footer and 'colspan="2"' in footer and "S doc" in footer
    assert "出典 / Source:" in footer  # in the notebook; the report replaces it by a numbered marker
