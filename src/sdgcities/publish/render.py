"""Turn executed notebooks into one offline HTML report and its PDF.

``render_report`` concatenates executed notebooks (papermill output) into a single self-contained
HTML page: code inputs and prompts hidden, vega / vega-lite / vega-embed embedded once in the head
(from vl-convert, nothing is loaded from the network), every chart drawn by vegaEmbed from the spec
that :func:`sdgcities.present.charts.show` left in the notebook, a header with the title and build date and
a table of contents built from the h1-h3 headings. The PDF is printed from that page by headless
Debian Chromium (through playwright) once every chart has been drawn.

Both files are written to a temporary file in the destination folder and moved into place with
``os.replace`` only when everything succeeded, so an interrupted run leaves the last good report.

Command line::

    python -m sdgcities.publish.render --title T --out-html X.html --out-pdf X.pdf nb1.ipynb nb2.ipynb
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import datetime as _dt
import functools
import html
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, Tag

from sdgcities.present import charts
from sdgcities.publish.version import report_version_html
from sdgcities.present.htmlsafe import neutralise_active_content
from sdgcities.publish.snapshot import BUILD_MIME_TYPE, report_build

log = logging.getLogger(__name__)

CHROMIUM_PATH = Path(os.environ.get("SDGCITIES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_INSTALL_COMMAND = "apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
]
CHART_TIMEOUT_MS = 120_000

LABELS = {
    "ja": {"toc": "目次", "built": "作成日", "notebooks": "元のノートブック"},
    "en": {"toc": "Contents", "built": "Built", "notebooks": "Source notebooks"},
}

# Font stacks: Noto Sans CJK JP first (the PDF embeds it), common Japanese fonts as fallbacks for
# readers of the HTML on other systems.
# Noto Sans CJK JP draws Japanese and Latin; DejaVu Sans covers what it lacks (subscript digits such as the
# ₂ of "CO₂" printed in the sources). The Mac and Windows names serve readers of the HTML elsewhere.
BODY_FONT = '"Noto Sans CJK JP", "DejaVu Sans", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'
MONO_FONT = '"Noto Sans Mono CJK JP", "DejaVu Sans Mono", monospace'

REPORT_CSS = f"""
:root {{
  --jp-content-font-family: {BODY_FONT};
  --jp-ui-font-family: {BODY_FONT};
  --jp-code-font-family: {MONO_FONT};
  --jp-content-font-size1: 15px;
  --sdg-accent: #00689D;
}}
html, body {{ background: #ffffff; }}
body {{ font-family: {BODY_FONT}; color: #1f1f1f; margin: 0; padding: 0; line-height: 1.6;
  overflow: visible !important; }}
.sdg-page {{ max-width: 1000px; margin: 0 auto; padding: 0 24px 48px; }}
.sdg-report-header {{ border-bottom: 3px solid var(--sdg-accent); padding: 28px 0 12px; margin-bottom: 20px; }}
.sdg-report-header h1.sdg-report-title {{ font-size: 28px; margin: 0 0 6px; line-height: 1.3; color: #111; }}
.sdg-report-header .sdg-report-meta {{ color: #555; font-size: 13px; margin: 0; }}
nav.sdg-toc {{ background: #f6f8fa; border: 1px solid #e1e4e8; border-radius: 6px; padding: 12px 20px; margin: 0 0 28px; }}
nav.sdg-toc h2 {{ font-size: 17px; margin: 0 0 6px; border: 0; padding: 0; }}
nav.sdg-toc ol {{ margin: 0; padding-left: 1.4em; }}
nav.sdg-toc li {{ margin: 2px 0; }}
nav.sdg-toc li.toc-h1 {{ font-weight: bold; margin-top: 6px; }}
nav.sdg-toc li.toc-h2 {{ margin-left: 1.2em; }}
nav.sdg-toc li.toc-h3 {{ margin-left: 2.4em; font-size: 0.95em; }}
nav.sdg-toc ol {{ list-style: none; padding-left: 0; }}
nav.sdg-toc a {{ color: #0b4f7a; text-decoration: none; }}
main.sdg-report .jp-Notebook {{ padding: 0; overflow: visible; }}
main.sdg-report .jp-Cell {{ padding: 0; margin: 0 0 6px; }}
main.sdg-report .jp-OutputArea-prompt, main.sdg-report .jp-InputArea-prompt {{ display: none; }}
main.sdg-report .jp-OutputArea-output {{ padding: 0; overflow: visible; display: block; }}
/* nbconvert keeps each output in one unsplittable, clipped block; let long outputs flow instead
   (charts still avoid page breaks through their figure). */
main.sdg-report .jp-OutputArea, main.sdg-report .jp-OutputArea-child {{ overflow: visible; }}
main.sdg-report .jp-OutputArea-child {{ display: block; break-inside: auto; page-break-inside: auto; }}
main.sdg-report .jp-RenderedHTMLCommon {{ padding-right: 0; font-family: {BODY_FONT}; }}
main.sdg-report h1, main.sdg-report h2, main.sdg-report h3 {{ font-family: {BODY_FONT}; line-height: 1.35; }}
main.sdg-report h1 {{ font-size: 24px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; margin-top: 28px; }}
main.sdg-report h2 {{ font-size: 20px; margin-top: 24px; }}
main.sdg-report h3 {{ font-size: 17px; margin-top: 18px; }}
main.sdg-report a.anchor-link {{ display: none; }}
figure.sdg-figure {{ margin: 12px 0 20px; padding: 0; }}
figure.sdg-chart-figure {{ break-inside: avoid; page-break-inside: avoid; }}
.sdg-chart {{ max-width: 100%; }}
.sdg-chart svg, .sdg-chart canvas {{ max-width: 100%; height: auto; }}
.sdg-fallback img {{ max-width: 100%; height: auto; }}
figcaption.sdg-source, p.sdg-source {{ font-size: 12px; color: #555; margin: 4px 0 0; }}
.sdg-source-label {{ font-weight: bold; }}
/* Wide tables scroll inside their own box, never the page: nbconvert's output area is a flex row whose
   items would otherwise grow to the table's width (min-width: auto). */
main.sdg-report .jp-Cell-outputWrapper, main.sdg-report .jp-OutputArea, main.sdg-report .jp-OutputArea-child,
main.sdg-report .jp-OutputArea-output, figure.sdg-figure {{ min-width: 0; max-width: 100%; }}
.sdg-table-wrap {{ overflow-x: auto; max-width: 100%; }}
/* Narrow columns under Japanese headers: at least four characters per line, never one. */
main.sdg-report table.sdg-table th {{ min-width: 4.5em; }}
table.sdg-table tfoot.sdg-print-source {{ display: none; }}
main.sdg-report table.sdg-table tfoot.sdg-print-source td {{ font-size: 10px; color: #555; border: 0; padding: 4px 0 0;
  font-weight: normal; overflow-wrap: normal; }}
table.sdg-table {{ border-collapse: collapse; font-size: 13px; margin: 0; }}
main.sdg-report table.sdg-table th, main.sdg-report table.sdg-table td {{ border-bottom: 1px solid #d8dee4; padding: 3px 10px; line-height: 1.4; }}
main.sdg-report table.sdg-table thead th {{ border-bottom: 2px solid #666; background: #f6f8fa; }}
table.sdg-table tbody tr:nth-child(even) {{ background: #fafbfc; }}
.sdg-table-note {{ font-size: 12px; color: #666; margin: 2px 0; }}
section.sdg-notebook {{ margin: 0; }}
#vg-tooltip-element {{ font-family: {BODY_FONT}; }}
@media print {{
  @page {{ size: A4; }}
  /* The print scale, set on purpose: reports used to be shrunk to about 80 % by Chromium because a table
     overflowed the page; now nothing overflows, and this keeps the same compact A4 page. */
  html {{ zoom: 0.8; }}
  .sdg-page {{ max-width: none; padding: 0; }}
  nav.sdg-toc {{ break-after: page; page-break-after: always; background: none; border: 0; padding: 0; }}
  section.sdg-notebook + section.sdg-notebook {{ break-before: page; page-break-before: always; }}
  main.sdg-report h1, main.sdg-report h2, main.sdg-report h3 {{ break-after: avoid; page-break-after: avoid; }}
  table.sdg-table thead {{ display: table-header-group; }}
  table.sdg-table tr {{ break-inside: avoid; }}
  figure.sdg-table-figure {{ break-inside: auto; }}
  /* Keep a source line with what it cites. Chromium ignores break-before: avoid after a table, so a table
     prints its source as a footer group (repeated under every page of a long table) instead of the
     caption, which could otherwise land alone at the top of the next page. */
  figcaption.sdg-source, p.sdg-source {{ break-before: avoid; page-break-before: avoid; break-inside: avoid; }}
  table.sdg-table tfoot.sdg-print-source {{ display: table-footer-group; }}
  figure.sdg-table-figure:has(tfoot.sdg-print-source) > figcaption.sdg-source {{ display: none; }}
  /* A scroll container cannot be split across pages: let long tables flow. */
  .sdg-table-wrap {{ overflow: visible; }}
  /* Paper cannot scroll: smaller table text so that wide tables fit the page. */
  table.sdg-table {{ font-size: 10px; }}
  main.sdg-report table.sdg-table th, main.sdg-report table.sdg-table td {{ padding: 2px 5px; }}
  /* A table wider than the page makes Chromium shrink every page to fit: on paper short labels may wrap
     too (numbers stay whole). */
  main.sdg-report table.sdg-table td {{ white-space: normal !important; }}
  main.sdg-report table.sdg-table td.num {{ white-space: nowrap !important; }}
  main.sdg-report table.sdg-table th {{ min-width: 3.5em; }}
  a {{ color: inherit; text-decoration: none; }}
}}
"""

# Draw every chart once the page (with the vega bundle in its head) is parsed.
FINAL_SCRIPT = (
    "(function(){var render=" + charts.RENDER_FIGURE_JS + ";"
    "var figs=Array.prototype.slice.call(document.querySelectorAll('figure.sdg-chart-figure'));"
    "Promise.all(figs.map(function(f){return render(f);})).then(function(){"
    "document.documentElement.setAttribute('data-charts','done');});})();"
)


class RenderError(RuntimeError):
    """A report could not be rendered."""


class ChromiumNotFoundError(RenderError):
    """Headless Chromium, used to print the PDF, is not installed."""


# ---------------------------------------------------------------------------------------------
# JavaScript bundle
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def javascript_bundle(vl_version: str | None = None) -> str:
    """vega + vega-lite + vega-embed from vl-convert, safe to inline in one <script> element.

    The bundle is wrapped in a function so that its top-level ``const`` names stay private; it
    sets ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite`` itself.
    """
    import vl_convert as vlc

    version = vl_version or charts.vegalite_version()
    source = vlc.javascript_bundle(vl_version=version) if version else vlc.javascript_bundle()
    # Inside a <script> element the HTML parser must never see "</script" or "<!--".
    source = re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE).replace("<!--", "<\\!--")
    return "(function(){\n" + source + "\n})();"


# ---------------------------------------------------------------------------------------------
# Notebook preparation
# ---------------------------------------------------------------------------------------------

REMOVE_CELL_TAGS = {"remove-cell", "remove_cell", "hide-cell", "report-skip"}
REMOVE_OUTPUT_TAGS = {"remove-output", "remove_output", "hide-output"}


def _as_spec(value) -> dict | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def upgrade_chart_outputs(nb: nbformat.NotebookNode) -> int:
    """Give every Vega-Lite output without ``text/html`` the report figure; return how many.

    Outputs made by ``charts.show`` in "lab" mode (and charts displayed by Altair's own mimetype
    renderer) carry the spec but no HTML; nbconvert would show them as plain text.
    """
    upgraded = 0
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs", [])
        kept = []
        skip_next_caption_for: str | None = None
        for output in outputs:
            meta = output.get("metadata", {}) or {}
            info = meta.get("sdgcities", {}) if isinstance(meta, dict) else {}
            if skip_next_caption_for and info.get("kind") == "source" and info.get("chart_id") == skip_next_caption_for:
                skip_next_caption_for = None
                continue
            skip_next_caption_for = None
            data = output.get("data")
            if output.get("output_type") in ("display_data", "execute_result") and data and "text/html" not in data:
                spec = next((_as_spec(data[m]) for m in charts.VEGALITE_MIME_TYPES if m in data), None)
                if spec is not None:
                    source = info.get("source")
                    png = None
                    if isinstance(data.get("image/png"), str):
                        with contextlib.suppress(ValueError):
                            png = base64.b64decode(data["image/png"])
                    data["text/html"] = charts.figure_html(
                        spec, source=source, png=png, figure_id=info.get("chart_id"), boot_script=False
                    )
                    upgraded += 1
                    if info.get("chart_id"):
                        skip_next_caption_for = info["chart_id"]
            kept.append(output)
        cell["outputs"] = kept
    return upgraded


def prepare_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the notebook ready for export: tagged cells removed, chart outputs upgraded."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []) or [])
        if tags & REMOVE_CELL_TAGS:
            continue
        if cell.get("cell_type") == "code":
            if tags & REMOVE_OUTPUT_TAGS:
                cell["outputs"] = []
            if "# NBVAL_CHECK_OUTPUT" in cell.get("source", ""):
                # Plain-text key results printed for nbval: the narrative states them for readers.
                cell["outputs"] = []
            # The build id notebook.setup records is for the report run's checks, not for readers.
            cell["outputs"] = [o for o in cell.get("outputs", []) if BUILD_MIME_TYPE not in (o.get("data") or {})]
            if not cell.get("outputs"):
                continue  # input is hidden anyway: nothing to show
        if cell.get("cell_type") == "raw":
            continue
        cells.append(cell)
    nb.cells = cells
    upgrade_chart_outputs(nb)
    return nb


def export_notebook(nb: nbformat.NotebookNode, *, path: Path) -> str:
    """The notebook as a full HTML page from nbconvert's lab template, inputs and prompts hidden."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    resources = {"metadata": {"path": str(path.parent), "name": path.stem}}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


# ---------------------------------------------------------------------------------------------
# Page assembly
# ---------------------------------------------------------------------------------------------

_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


@dataclass
class Page:
    html: str
    chart_count: int
    headings: list[tuple[int, str, str]] = field(default_factory=list)  # (level, id, text)
    removed_external: list[str] = field(default_factory=list)
    neutralised: list[str] = field(default_factory=list)  # live links/scripts from notebook outputs made inert
    build_id: str | None = None


def _build_date(lang: str) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        if epoch
        else _dt.datetime.now().astimezone()
    )
    return f"{when.year}年{when.month}月{when.day}日" if lang == "ja" else when.strftime("%Y-%m-%d")


def _strip_external(soup: BeautifulSoup) -> list[str]:
    """Remove everything that would make the browser contact a network host; return what went."""
    removed: list[str] = []
    for tag in soup.find_all(["script", "link", "img", "iframe", "source", "audio", "video", "embed", "object"]):
        for attr in ("src", "href", "data", "srcset"):
            value = tag.get(attr)
            if isinstance(value, str) and _EXTERNAL.match(value):
                removed.append(f"<{tag.name} {attr}={value}>")
                if tag.name == "img" and tag.get("alt"):
                    tag.replace_with(soup.new_string(f"[{tag['alt']}]"))
                else:
                    tag.decompose()
                break
    for script in soup.find_all("script"):
        text = script.string or ""
        if re.search(r"\bimport\b[^;]*['\"]https?://", text):
            removed.append("<script type=module> importing from the network")
            script.decompose()
    return removed


def _heading_text(tag: Tag) -> str:
    parts = []
    for node in tag.descendants:
        if isinstance(node, str) and not (node.parent and "anchor-link" in (node.parent.get("class") or [])):
            parts.append(node)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def assemble_page(exports: Sequence[tuple[Path, str]], *, title: str, lang: str, build_id: str | None = None) -> Page:
    """One HTML page from nbconvert exports of several notebooks."""
    labels = LABELS.get(lang, LABELS["en"])
    styles: list[str] = []
    sections: list[str] = []
    for index, (path, page_html) in enumerate(exports):
        soup = BeautifulSoup(page_html, "html.parser")
        if index == 0 and soup.head:
            # nbconvert's lab CSS (identical for every notebook); its scripts (require.js,
            # MathJax, mermaid) come from CDNs and are left out.
            styles = [str(s) for s in soup.head.find_all("style") if "jp-Mermaid" not in (s.string or "")]
        main = soup.find("main") or soup.body
        inner = main.decode_contents() if main else ""
        sections.append(
            f'<section class="sdg-notebook" data-notebook="{html.escape(path.name, quote=True)}">'
            f'<div class="jp-Notebook">{inner}</div></section>'
        )

    build_meta = f'<meta name="sdgcities-build" content="{html.escape(build_id, quote=True)}">' if build_id else ""
    soup = BeautifulSoup(
        "<!DOCTYPE html>"
        f'<html lang="{html.escape(lang, quote=True)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
        f'<meta name="generator" content="sdgcities.publish.render">{build_meta}'
        f"<title>{html.escape(title)}</title></head>"
        '<body class="jp-Notebook-body" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">'
        '<div class="sdg-page">'
        '<header class="sdg-report-header">'
        f'<h1 class="sdg-report-title">{html.escape(title)}</h1>'
        f'<p class="sdg-report-meta">{labels["built"]}: {html.escape(_build_date(lang))}</p>'
        f"{report_version_html(lang)}"  # dataset version and how to cite it
        "</header>"
        '<nav class="sdg-toc" id="toc"></nav>'
        f'<main class="sdg-report">{"".join(sections)}</main>'
        "</div></body></html>",
        "html.parser",
    )
    report = soup.find("main")

    # Anchor links and the per-chart boot scripts: the page draws every chart once at the end.
    for anchor in report.select("a.anchor-link"):
        anchor.decompose()
    for boot in report.select("script.sdg-chart-boot"):
        boot.decompose()
    neutralised = neutralise_active_content(report)
    for item in neutralised:
        log.warning("made inert in the report: %s", item)

    # Unique chart ids (the same chart may appear in two notebooks).
    seen: dict[str, int] = {}
    charts_found = report.select("figure.sdg-chart-figure")
    for figure in charts_found:
        div = figure.select_one(".sdg-chart")
        if div is None:
            continue
        base = div.get("id") or "chart"
        seen[base] = seen.get(base, 0) + 1
        if seen[base] > 1:
            div["id"] = f"{base}-{seen[base]}"
            figure["data-chart-id"] = div["id"]

    # Headings: stable unique ids and the table of contents.
    headings: list[tuple[int, str, str]] = []
    for number, heading in enumerate(report.find_all(["h1", "h2", "h3"]), start=1):
        text = _heading_text(heading)
        if not text:
            continue
        anchor = f"sec-{number}"
        heading["id"] = anchor
        headings.append((int(heading.name[1]), anchor, text))
    toc = soup.find("nav", id="toc")
    if headings:
        toc.append(BeautifulSoup(f"<h2>{html.escape(labels['toc'])}</h2>", "html.parser"))
        items = "".join(
            f'<li class="toc-h{level}"><a href="#{anchor}">{html.escape(text)}</a></li>' for level, anchor, text in headings
        )
        toc.append(BeautifulSoup(f"<ol>{items}</ol>", "html.parser"))
    else:
        toc.decompose()

    removed = _strip_external(soup)
    for item in removed:
        log.warning("removed a reference to the network from the report: %s", item)

    head = soup.head
    for style in styles:
        head.append(BeautifulSoup(style, "html.parser"))
    report_style = soup.new_tag("style", attrs={"id": "sdg-report-css"})
    report_style.string = REPORT_CSS
    head.append(report_style)
    if charts_found:
        bundle = soup.new_tag("script", attrs={"id": "sdg-vega-bundle"})
        bundle.string = "__SDG_VEGA_BUNDLE__"
        head.append(bundle)
        final = soup.new_tag("script", attrs={"id": "sdg-render-charts"})
        final.string = FINAL_SCRIPT
        soup.body.append(final)

    text = str(soup)
    if charts_found:
        # Inserted after serialisation so the 900 KB bundle is never parsed or escaped by bs4.
        text = text.replace("__SDG_VEGA_BUNDLE__", javascript_bundle(), 1)
    return Page(html=text, chart_count=len(charts_found), headings=headings, removed_external=removed, neutralised=neutralised)


def build_html(notebooks: Sequence[Path], *, title: str, lang: str = "ja") -> Page:
    """The report page for a list of executed notebooks."""
    exports, read = [], []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        read.append(nb)
        exports.append((path, export_notebook(prepare_notebook(nb), path=path)))
    build_id = report_build(read, [Path(p).stem for p in notebooks])  # MixedBuildError when they differ
    page = assemble_page(exports, title=title, lang=lang, build_id=build_id)
    return page


# ---------------------------------------------------------------------------------------------
# PDF through headless Chromium
# ---------------------------------------------------------------------------------------------


def find_chromium() -> Path:
    """Debian's Chromium, or a clear error naming the apt command."""
    path = CHROMIUM_PATH
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ChromiumNotFoundError(
            f"Chromium not found at {path}; it prints the PDF reports. Install it with: "
            f"sudo {CHROMIUM_INSTALL_COMMAND} (or pass out_pdf=None for HTML only)"
        )
    return path


@dataclass
class BrowserReport:
    """What the browser saw while rendering a page."""

    chart_count: int = 0
    drawn_count: int = 0
    chart_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)


def _run_outside_event_loop(function, *args, **kwargs):
    """Run a function using playwright's sync API, in a thread if an asyncio loop is running here
    (as in a Jupyter kernel), where the sync API refuses to work."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    result: dict = {}

    def target():
        try:
            result["value"] = function(*args, **kwargs)
        except BaseException as exc:  # re-raised in the calling thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="sdgcities-pdf")
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")


@contextlib.contextmanager
def open_page(html_path: Path, *, chromium: Path | None = None) -> Iterator[tuple[object, BrowserReport]]:
    """Open a local HTML file in headless Chromium with every network request refused.

    Yields (playwright page, BrowserReport) once every ``.sdg-chart`` has been drawn or failed.
    """
    from playwright.sync_api import sync_playwright

    chromium = chromium or find_chromium()
    report = BrowserReport()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(service_workers="block")

            def refuse(route):
                url = route.request.url
                if url.startswith(("file:", "data:", "blob:", "about:")):
                    route.continue_()
                else:
                    report.blocked_requests.append(url)
                    route.abort("internetdisconnected")

            context.route("**/*", refuse)
            page = context.new_page()
            page.on("console", lambda msg: report.console_errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
            page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.sdg-chart')).every("
                "e => ['done', 'error'].includes(e.getAttribute('data-state')))",
                timeout=CHART_TIMEOUT_MS,
                polling=100,
            )
            page.evaluate("() => document.fonts.ready.then(() => true)")
            state = page.evaluate(
                "() => { const els = Array.from(document.querySelectorAll('.sdg-chart'));"
                " return { total: els.length,"
                " drawn: els.filter(e => e.querySelector('svg, canvas')).length,"
                " errors: els.filter(e => e.getAttribute('data-state') === 'error')"
                "   .map(e => e.id + ': ' + e.getAttribute('data-error')) }; }"
            )
            report.chart_count = state["total"]
            report.drawn_count = state["drawn"]
            report.chart_errors = list(state["errors"])
            yield page, report
        finally:
            browser.close()


def _footer_template(lang: str) -> str:
    return (
        f'<div style="width:100%;font-size:9px;font-family:{html.escape(BODY_FONT, quote=True)};'
        'color:#555;text-align:center;padding:0 12mm;">'
        '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
    )


def _header_template(title: str, lang: str) -> str:
    return (
        f'<div style="width:100%;font-size:8px;font-family:{html.escape(BODY_FONT, quote=True)};'
        'color:#777;padding:0 14mm;display:flex;justify-content:space-between;">'
        f'<span>{html.escape(title)}</span><span>{html.escape(_build_date(lang))}</span></div>'
    )


def print_pdf(html_path: Path, pdf_path: Path, *, title: str, lang: str = "ja") -> BrowserReport:
    """Print a report page to PDF (A4, backgrounds, page numbers "n / N") once charts are drawn."""

    def work() -> BrowserReport:
        with open_page(html_path) as (page, report):
            if report.chart_errors or report.drawn_count != report.chart_count:
                raise RenderError(
                    f"{report.chart_count - report.drawn_count} of {report.chart_count} charts were not drawn: "
                    + "; ".join(report.chart_errors or report.console_errors or ["no error reported"])
                )
            page.pdf(
                path=str(pdf_path),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=_header_template(title, lang),
                footer_template=_footer_template(lang),
                margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                outline=True,
                tagged=True,
            )
        for message in report.page_errors + report.console_errors:
            log.warning("browser reported while printing %s: %s", html_path.name, message)
        return report

    return _run_outside_event_loop(work)


# ---------------------------------------------------------------------------------------------
# Atomic writing and the public function
# ---------------------------------------------------------------------------------------------


def _temp_path(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Keep the real extension last: Chromium decides from it that a file:// page is HTML.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}")
    os.close(fd)
    # mkstemp makes the file private; give it the mode an ordinary new file would have.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


def render_report(
    notebooks: list[Path],
    *,
    title: str,
    out_html: Path,
    out_pdf: Path | None,
    lang: str = "ja",
) -> None:
    """Render executed notebooks into one offline HTML report and (unless out_pdf is None) a PDF.

    Both outputs are replaced only when everything succeeded; on any error the previous files are
    left untouched and no temporary file remains.
    """
    notebooks = [Path(n) for n in notebooks]
    if not notebooks:
        raise ValueError("render_report needs at least one notebook")
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing:
        raise FileNotFoundError(f"notebooks not found: {', '.join(missing)}")
    if lang not in LABELS:
        raise ValueError(f"lang must be one of {sorted(LABELS)}, not {lang!r}")
    out_html = Path(out_html)
    out_pdf = Path(out_pdf) if out_pdf is not None else None
    if out_pdf is not None:
        find_chromium()  # fail before doing any work
        charts.find_font_dir()  # without the font the PDF would show empty boxes

    started = time.perf_counter()
    temps: list[Path] = []
    try:
        page = build_html(notebooks, title=title, lang=lang)
        tmp_html = _temp_path(out_html)
        temps.append(tmp_html)
        tmp_html.write_text(page.html, encoding="utf-8")
        if out_pdf is not None:
            tmp_pdf = _temp_path(out_pdf)
            temps.append(tmp_pdf)
            print_pdf(tmp_html, tmp_pdf, title=title, lang=lang)
            if tmp_pdf.stat().st_size == 0:
                raise RenderError("Chromium wrote an empty PDF")
        os.replace(tmp_html, out_html)
        if out_pdf is not None:
            os.replace(tmp_pdf, out_pdf)
        temps.clear()
    finally:
        for temp in temps:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
    log.info(
        "rendered %s (%d notebooks, %d charts) in %.1f s",
        out_html.name,
        len(notebooks),
        page.chart_count,
        time.perf_counter() - started,
    )


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sdgcities.publish.render",
        description="Render executed notebooks into one offline HTML report and a PDF.",
    )
    parser.add_argument("notebooks", nargs="+", type=Path, help="executed notebooks, in report order")
    parser.add_argument("--title", required=True, help="report title")
    parser.add_argument("--out-html", required=True, type=Path, help="HTML file to write")
    parser.add_argument("--out-pdf", type=Path, default=None, help="PDF file to write (omit for HTML only)")
    parser.add_argument("--lang", default="ja", choices=sorted(LABELS), help="language of the report labels")
    parser.add_argument("-q", "--quiet", action="store_true", help="only print errors")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    started = time.perf_counter()
    try:
        render_report(args.notebooks, title=args.title, out_html=args.out_html, out_pdf=args.out_pdf, lang=args.lang)
    except (RenderError, charts.FontNotFoundError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        written = [str(args.out_html)] + ([str(args.out_pdf)] if args.out_pdf else [])
        print(f"wrote {', '.join(written)} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
