"""Render every report of the suite, then print static pages of the same size with the same browser (bench/run.py).

    python bench/render_bench.py --reports REPORTS.json --out DIR

REPORTS.json is a list of {"stem", "title", "lang", "notebooks": [executed .ipynb, ...]} (the suite's reports,
sdgcities.publish.reports.load_config, their notebooks in reports/executed). In one process, one after
the other:

1. one untimed warm-up render (the first report), so the process's shared Chromium (publish.pdf) is started;
2. every report rendered with sdgcities.publish.render.render_report (HTML + PDF), timed, split into
   build_html (notebooks -> page), PDF load (publish.pdf._show_async: load the page, draw every chart) and
   the rest of print_pdf (printing, twice when the page has a table of contents; each page.pdf call is
   timed too);
3. every report rendered again over its previous version (as `reports --force` does: the previous PDF's
   contents pages are tried first, one printing when they hold), timed;
4. for each rendered report: its HTML opened in the same browser, charts drawn, the DOM serialised with
   every script removed into a static HTML file (untimed); then the time to open that static file in a
   page of the same shared browser and print it once with print_pdf's page.pdf options (A4, backgrounds, header/footer,
   margins, outline, tagged).

The last line of stdout is JSON: one record per report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

SERIALISE_JS = ("() => { for (const s of Array.from(document.querySelectorAll('script'))) { s.remove(); }"
                " return '<!DOCTYPE html>\\n' + document.documentElement.outerHTML; }")


def _pages(pdf_path: Path) -> int | None:
    try:
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(pdf_path))
        try:
            return len(document)
        finally:
            document.close()
    except Exception:
        return None


def _pdf_options(pdf_path: Path, title: str, date: str) -> dict:
    """The options publish.pdf.print_pdf passes to page.pdf."""
    from sdgcities.publish import pdf

    return dict(path=str(pdf_path), format="A4", print_background=True, display_header_footer=True,
                header_template=pdf._header_template(title, date), footer_template=pdf._footer_template(),
                margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"}, outline=True, tagged=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    reports = json.loads(args.reports.read_text(encoding="utf-8"))
    out = args.out
    out.mkdir(parents=True, exist_ok=True)

    from sdgcities.publish import pdf, render

    # Timing wrappers: render_report calls build_html and print_pdf through render's globals, and
    # print_pdf loads the page through pdf._show_async (on the shared browser's loop).
    split: dict[str, float] = {}
    original_build, original_print, original_show = render.build_html, render.print_pdf, pdf._show_async

    def timed(key, function):
        def wrapper(*a, **k):
            started = time.perf_counter()
            try:
                return function(*a, **k)
            finally:
                split[key] = split.get(key, 0.0) + time.perf_counter() - started
        return wrapper

    prints: list[float] = []  # each page.pdf call of the current report (print_pdf prints twice with a contents list)
    timed_pages: set[int] = set()

    async def shown_page(page, html_path, report):
        started = time.perf_counter()
        await original_show(page, html_path, report)
        split["pdf_load_s"] = split.get("pdf_load_s", 0.0) + time.perf_counter() - started
        if id(page) not in timed_pages:  # pages are reused: wrap each page's pdf() once
            timed_pages.add(id(page))
            original_pdf = page.pdf

            async def timed_pdf(*a, **k):
                started = time.perf_counter()
                try:
                    return await original_pdf(*a, **k)
                finally:
                    prints.append(time.perf_counter() - started)

            page.pdf = timed_pdf

    render.build_html = timed("build_html_s", original_build)
    render.print_pdf = timed("print_pdf_s", original_print)
    pdf._show_async = shown_page

    def render_one(report: dict, folder: Path) -> tuple[Path, Path]:
        html_path = folder / f"{report['stem']}.html"
        pdf_path = html_path.with_suffix(".pdf")
        html_path.parent.mkdir(parents=True, exist_ok=True)
        render.render_report([Path(p) for p in report["notebooks"]], title=report["title"], out_html=html_path, out_pdf=pdf_path, lang=report["lang"])
        return html_path, pdf_path

    started = time.perf_counter()
    render_one(reports[0], out / "warmup")
    warmup_s = time.perf_counter() - started

    # First renders into an empty folder (the goal's figure); then every report again over its previous
    # version, as `reports --force` does (print_pdf tries the previous PDF's contents pages first).
    shutil.rmtree(out / "rendered", ignore_errors=True)
    records = []
    for report in reports:
        split.clear()
        prints.clear()
        started = time.perf_counter()
        html_path, pdf_path = render_one(report, out / "rendered")
        total = time.perf_counter() - started
        records.append({
            "stem": report["stem"], "render_s": total, "build_html_s": split.get("build_html_s"),
            "pdf_s": split.get("print_pdf_s"), "pdf_load_s": split.get("pdf_load_s"),
            "pdf_print_s": (split["print_pdf_s"] - split.get("pdf_load_s", 0.0)) if "print_pdf_s" in split else None,
            "page_pdf_s": list(prints),
            "html_bytes": html_path.stat().st_size, "pdf_bytes": pdf_path.stat().st_size, "pages": _pages(pdf_path),
        })

    for report, record in zip(reports, records):
        prints.clear()
        started = time.perf_counter()
        render_one(report, out / "rendered")
        record["again_s"] = time.perf_counter() - started
        record["again_page_pdf_s"] = list(prints)

    # Static pages: the drawn DOM without scripts, printed once by the same browser (a page of its own).
    async def make_static(browser, html_path: Path, static_path: Path) -> dict:
        report = pdf.BrowserReport()
        async with browser.page(report) as page:
            await original_show(page, html_path, report)
            static_path.write_text(await page.evaluate(SERIALISE_JS), encoding="utf-8")
            toc = await page.evaluate(pdf.TOC_ENTRIES_JS)
        return {"charts": report.chart_count, "toc_entries": len(toc)}

    async def print_static(browser, static_path: Path, pdf_path: Path, title: str, lang_date: str) -> float:
        report = pdf.BrowserReport()
        async with browser.page(report) as page:
            started = time.perf_counter()
            await page.goto(static_path.resolve().as_uri(), wait_until="load")
            await page.evaluate("() => document.fonts.ready.then(() => true)")
            await page.pdf(**_pdf_options(pdf_path, title, lang_date))
            return time.perf_counter() - started

    static_dir = out / "static"
    for report, record in zip(reports, records):
        html_path = out / "rendered" / f"{report['stem']}.html"
        static_path = static_dir / f"{report['stem']}.html"
        static_path.parent.mkdir(parents=True, exist_ok=True)
        record.update(pdf._SHARED.call(make_static, html_path, static_path))
        static_pdf = static_path.with_suffix(".pdf")
        record["static_s"] = pdf._SHARED.call(print_static, static_path, static_pdf, report["title"], render._build_date(report["lang"]))
        record["static_html_bytes"] = static_path.stat().st_size
        record["static_pages"] = _pages(static_pdf)
    print(json.dumps({"warmup_s": warmup_s, "reports": records, "pid": os.getpid()}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
