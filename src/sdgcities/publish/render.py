"""Turn executed notebooks into one offline HTML report and its PDF.

``render_report`` concatenates executed notebooks (papermill output, prepared by publish.prepare) into a
single self-contained HTML page: code inputs and prompts hidden, vega / vega-lite / vega-embed embedded
once in the head (from vl-convert, nothing is loaded from the network), every chart drawn by vegaEmbed
from the spec that :func:`sdgcities.present.charts.show` left in the notebook, a header with the title and
build date, a table of contents built from the h1-h3 headings, one numbered list of sources per section
and a CSV of every chart's data and of every table too long to print in full beside the page
(publish.sources). The stylesheet is report.css; the
words come from the catalogues (report.yaml). The PDF is printed from that page by headless Debian
Chromium (publish.pdf) once every chart has been drawn.

Both files are written to a temporary file in the destination folder and moved into place with
``os.replace`` only when everything succeeded, so an interrupted run leaves the last good report.

Command line::

    python -m sdgcities.publish.render --title T --out-html X.html --out-pdf X.pdf nb1.ipynb nb2.ipynb
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import functools
import html
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, Tag

from sdgcities.present import figures, fonts  # not charts: it imports Altair, which rendering never needs
from sdgcities.publish.version import report_version_html
from sdgcities.present.htmlsafe import neutralise_active_content
from sdgcities.present.words import Words, languages
from sdgcities import publish
from sdgcities.publish import sources
from sdgcities.publish.pdf import (  # noqa: F401  (the printing API, also reachable from here)
    BODY_FONT,
    CHROMIUM_ARGS,
    CHROMIUM_INSTALL_COMMAND,
    CHROMIUM_PATH,
    BrowserReport,
    ChromiumNotFoundError,
    RenderError,
    anchor_pages,
    find_chromium,
    open_page,
    print_pdf,
)
from sdgcities.publish.prepare import export_notebook, prepare_notebook, upgrade_chart_outputs  # noqa: F401
from sdgcities.publish.snapshot import report_build

log = logging.getLogger(__name__)

def report_css() -> str:
    return publish.STYLESHEET.read_text(encoding="utf-8")


# Draw every chart once the page (with the vega bundle in its head) is parsed.
FINAL_SCRIPT = (
    "(function(){var render=" + figures.RENDER_FIGURE_JS + ";"
    "var figs=Array.prototype.slice.call(document.querySelectorAll('figure.sdg-chart-figure'));"
    "Promise.all(figs.map(function(f){return render(f);})).then(function(){"
    "document.documentElement.setAttribute('data-charts','done');});})();"
)


# ---------------------------------------------------------------------------------------------
# JavaScript bundle
# ---------------------------------------------------------------------------------------------


def bundle_cache_file(vl_version: str | None = None) -> Path | None:
    """Where the bundle made by these versions of Altair and vl-convert is kept between runs
    ($XDG_CACHE_HOME/sdgcities or ~/.cache/sdgcities); None when the versions cannot be read."""
    from importlib import metadata

    try:
        key = f"altair-{metadata.version('altair')}_vl-convert-{metadata.version('vl-convert-python')}_{vl_version or 'default'}"
    except metadata.PackageNotFoundError:
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sdgcities"
    return base / f"vega-bundle_{re.sub(r'[^A-Za-z0-9._-]', '_', key)}.js"


@functools.lru_cache(maxsize=2)
def javascript_bundle(vl_version: str | None = None) -> str:
    """vega + vega-lite + vega-embed from vl-convert, safe to inline in one <script> element.

    The bundle is wrapped in a function so that its top-level ``const`` names stay private; it
    sets ``window.vegaEmbed``, ``window.vega`` and ``window.vegaLite`` itself.

    Making it starts vl-convert's JavaScript runtime (1.4 s and 120 MB that stay with the process), so
    the bundle is kept in a cache file named after the versions that made it, written atomically.
    """
    cache = bundle_cache_file(vl_version)
    if cache is not None and cache.is_file():
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return cache.read_text(encoding="utf-8")
    import vl_convert as vlc

    version = vl_version or figures.vegalite_version()
    source = vlc.javascript_bundle(vl_version=version) if version else vlc.javascript_bundle()
    # Inside a <script> element the HTML parser must never see "</script" or "<!--".
    source = re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE).replace("<!--", "<\\!--")
    bundle = "(function(){\n" + source + "\n})();"
    if cache is not None:
        with contextlib.suppress(OSError):  # no cache (read-only home): the next run makes it again
            cache.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=cache.parent, prefix=cache.name + ".", suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(bundle)
                os.replace(temporary, cache)
            finally:
                Path(temporary).unlink(missing_ok=True)
    return bundle


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
    data_files: dict[str, bytes] = field(default_factory=dict)  # chart and long-table data: CSV file name -> bytes
    source_lists: int = 0


def _build_date(lang: str) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc)
        if epoch
        else _dt.datetime.now().astimezone()
    )
    return Words(lang)("report.date", year=when.year, month=when.month, day=when.day)


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


_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S | re.I)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.S | re.I)


def _export_parts(page_html: str) -> tuple[str, str]:
    """(head, contents of <main>, else of <body>) of an nbconvert page. Cut out as text: the page is parsed
    once, assembled (parsing each ~300 KB export first took a third of the render's Python time)."""
    end = page_html.find("</head>")
    head = page_html[:end] if end >= 0 else ""
    match = _MAIN.search(page_html, max(end, 0)) or _BODY.search(page_html, max(end, 0))
    return head, match.group(1) if match else ""


def assemble_page(exports: Sequence[tuple[Path, str]], *, title: str, lang: str, build_id: str | None = None,
                  data_dir: str | None = None) -> Page:
    """One HTML page from nbconvert exports of several notebooks. With `data_dir` (a folder name beside
    the page), every chart and every table too long to print in full links to a CSV of its data there
    (returned in Page.data_files)."""
    words = Words(lang)
    styles: list[str] = []
    sections: list[str] = []
    for index, (path, page_html) in enumerate(exports):
        head, inner = _export_parts(page_html)
        if index == 0:
            # nbconvert's lab CSS (identical for every notebook); its scripts (require.js,
            # MathJax, mermaid) come from CDNs and are left out.
            styles = [style for style in _STYLE.findall(head) if "jp-Mermaid" not in style]
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
        f'<p class="sdg-report-meta">{html.escape(words("report.built"))}: {html.escape(_build_date(lang))}</p>'
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
        toc.append(BeautifulSoup(f"<h2>{html.escape(words('report.toc'))}</h2>", "html.parser"))
        # The page cell stays empty in the HTML; the PDF printer fills in each heading's page.
        items = "".join(
            f'<li class="toc-h{level}" data-anchor="{anchor}" data-text="{html.escape(text, quote=True)}">'
            f'<a href="#{anchor}"><span class="toc-text">{html.escape(text)}</span><span class="toc-page"></span></a></li>'
            for level, anchor, text in headings
        )
        toc.append(BeautifulSoup(f"<ol>{items}</ol>", "html.parser"))
    else:
        toc.decompose()

    # One numbered list of sources per section instead of a citation under every figure.
    source_lists = sources.number_sources(report, words)
    data_files = sources.chart_data_files(report, data_dir, words) if data_dir else {}
    data_files.update(sources.table_data_files(report, data_dir, words))  # and the data leaves the page

    removed = _strip_external(soup)
    for item in removed:
        log.warning("removed a reference to the network from the report: %s", item)

    head = soup.head
    for style in styles:
        head.append(BeautifulSoup(style, "html.parser"))
    report_style = soup.new_tag("style", attrs={"id": "sdg-report-css"})
    report_style.string = report_css()
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
    return Page(html=text, chart_count=len(charts_found), headings=headings, removed_external=removed, neutralised=neutralised,
                build_id=build_id, data_files=data_files, source_lists=source_lists)


def build_html(notebooks: Sequence[Path], *, title: str, lang: str = "ja", data_dir: str | None = None) -> Page:
    """The report page for a list of executed notebooks."""
    exports, read = [], []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        read.append(nb)
        exports.append((path, export_notebook(prepare_notebook(nb), path=path)))
    build_id = report_build(read, [Path(p).stem for p in notebooks])  # MixedBuildError when they differ
    page = assemble_page(exports, title=title, lang=lang, build_id=build_id, data_dir=data_dir)
    return page


# ---------------------------------------------------------------------------------------------
# Atomic writing and the public function
# ---------------------------------------------------------------------------------------------


def _temp_path(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Keep the real extension last: Chromium decides from it that a file:// page is HTML.
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}")
    os.close(fd)
    # mkstemp makes the file private; give it the mode an ordinary new file would have.
    os.chmod(name, 0o666 & ~_umask())
    return Path(name)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def data_folder(out_html: Path) -> Path:
    """The folder of a report's chart and table data: reports/ja/comparison.html -> reports/ja/comparison_data/."""
    return Path(out_html).with_name(f"{Path(out_html).stem}_data")


def _replace_folder(new: Path, target: Path) -> None:
    """Put the folder `new` in place of `target` (the old one is moved aside, then removed)."""
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _previous_pages(pdf_path: Path) -> dict[str, int] | None:
    """{heading id: page} of the report's previous PDF, if there is one: the pages its contents most likely
    have again (print_pdf checks them, and prints again when they moved)."""
    if not pdf_path.is_file():
        return None
    try:
        return anchor_pages(pdf_path)
    except Exception as error:  # an unreadable old file only means no guess
        log.info("%s: previous pages not read (%s)", pdf_path.name, error)
        return None


def render_report(
    notebooks: list[Path],
    *,
    title: str,
    out_html: Path,
    out_pdf: Path | None,
    lang: str = "ja",
    release_charts: bool = False,
) -> None:
    """Render executed notebooks into one offline HTML report and (unless out_pdf is None) a PDF.

    Both outputs are replaced only when everything succeeded; on any error the previous files are
    left untouched and no temporary file remains. `release_charts`: see pdf.print_pdf (a long report).
    """
    notebooks = [Path(n) for n in notebooks]
    if not notebooks:
        raise ValueError("render_report needs at least one notebook")
    missing = [str(n) for n in notebooks if not n.is_file()]
    if missing:
        raise FileNotFoundError(f"notebooks not found: {', '.join(missing)}")
    if lang not in languages():
        raise ValueError(f"lang must be one of {list(languages())}, not {lang!r}")
    out_html = Path(out_html)
    out_pdf = Path(out_pdf) if out_pdf is not None else None
    if out_pdf is not None:
        find_chromium()  # fail before doing any work
        fonts.find_font_dir()  # without the font the PDF would show empty boxes

    started = time.perf_counter()
    temps: list[Path] = []
    data_dir = data_folder(out_html)
    try:
        page = build_html(notebooks, title=title, lang=lang, data_dir=data_dir.name)
        tmp_html = _temp_path(out_html)
        temps.append(tmp_html)
        tmp_html.write_text(page.html, encoding="utf-8")
        tmp_data = Path(tempfile.mkdtemp(dir=out_html.parent, prefix=f".{data_dir.name}.tmp-"))
        temps.append(tmp_data)
        for name, content in page.data_files.items():
            (tmp_data / name).write_bytes(content)
        os.chmod(tmp_data, 0o777 & ~_umask())
        if out_pdf is not None:
            tmp_pdf = _temp_path(out_pdf)
            temps.append(tmp_pdf)
            print_pdf(tmp_html, tmp_pdf, title=title, date=_build_date(lang), expected_pages=_previous_pages(out_pdf),
                      release_charts=release_charts)
            if tmp_pdf.stat().st_size == 0:
                raise RenderError("Chromium wrote an empty PDF")
        os.replace(tmp_html, out_html)
        _replace_folder(tmp_data, data_dir)
        if out_pdf is not None:
            os.replace(tmp_pdf, out_pdf)
        temps.clear()
    finally:
        for temp in temps:
            if temp.is_dir():
                shutil.rmtree(temp, ignore_errors=True)
            else:
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
    parser.add_argument("--lang", default="ja", choices=list(languages()), help="language of the report labels")
    parser.add_argument("-q", "--quiet", action="store_true", help="only print errors")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    started = time.perf_counter()
    try:
        render_report(args.notebooks, title=args.title, out_html=args.out_html, out_pdf=args.out_pdf, lang=args.lang)
    except (RenderError, fonts.FontNotFoundError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        written = [str(args.out_html)] + ([str(args.out_pdf)] if args.out_pdf else [])
        print(f"wrote {', '.join(written)} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
