"""Print a report page to PDF with headless Debian Chromium (through playwright).

The page is opened with every network request refused and printed once every chart has been drawn.
The PDF carries bookmarks (Chromium's outline of the headings) and its table of contents gets page
numbers: the page is printed once plainly, each heading's page is read from the PDF's named destinations
(one per heading the contents link to), the numbers are written into the contents and the page is
printed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    # No spare renderer process kept ready for new pages: the shared browser reuses its pages (20 MB).
    "--disable-features=SpareRendererForSitePerProcess",
]
CHART_TIMEOUT_MS = 120_000

# Font stacks: Noto Sans CJK JP draws Japanese and Latin (the PDF embeds it); DejaVu Sans covers what it
# lacks (subscript digits such as the ₂ of "CO₂" printed in the sources). report.css uses the same stack.
BODY_FONT = '"Noto Sans CJK JP", "DejaVu Sans", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'


class RenderError(RuntimeError):
    """A report could not be rendered."""


class ChromiumNotFoundError(RenderError):
    """Headless Chromium, used to print the PDF, is not installed."""


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
    printings: int = 0  # page.pdf calls: 1 when the contents' page numbers were known beforehand, else 2
    released_charts: int = 0  # charts replaced by a copy of their drawing before printing (release_charts)


CHARTS_SETTLED_JS = ("() => Array.from(document.querySelectorAll('.sdg-chart')).every("
                     "e => ['done', 'error'].includes(e.getAttribute('data-state')))")
FONTS_READY_JS = "() => document.fonts.ready.then(() => true)"
STILL_CHARTS_JS = ("() => { const done = document.querySelectorAll('.sdg-chart[data-state=\"done\"]');"
                   " for (const el of done) { el.replaceWith(el.cloneNode(true)); } return done.length; }")  # charts replaced
CHART_STATE_JS = (
    "() => { const els = Array.from(document.querySelectorAll('.sdg-chart'));"
    " return { total: els.length,"
    " drawn: els.filter(e => e.querySelector('svg, canvas')).length,"
    " errors: els.filter(e => e.getAttribute('data-state') === 'error')"
    "   .map(e => e.id + ': ' + e.getAttribute('data-error')) }; }"
)


def _refuse_network(report: Callable[[], BrowserReport]):
    """A route handler: local files pass, every network request is refused and recorded in the report
    `report()` returns (the page's current one). It returns what playwright's call returns, so it serves
    the sync API and (awaited by playwright) the async one."""

    def refuse(route):
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            return route.continue_()
        report().blocked_requests.append(url)
        return route.abort("internetdisconnected")

    return refuse


def _watch(page, report: Callable[[], BrowserReport]) -> None:
    page.on("console", lambda msg: report().console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: report().page_errors.append(str(exc)))


def _record_charts(report: BrowserReport, state: dict) -> None:
    report.chart_count = state["total"]
    report.drawn_count = state["drawn"]
    report.chart_errors = list(state["errors"])


def _new_page(browser, html_path: Path, report: BrowserReport):
    """(sync API) A new page, in its own browser context, showing `html_path` with every network request
    refused, returned once every ``.sdg-chart`` has been drawn or failed; `report` gets what it saw."""
    context = browser.new_context(service_workers="block")
    context.route("**/*", _refuse_network(lambda: report))
    page = context.new_page()
    _watch(page, lambda: report)
    page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
    page.wait_for_function(CHARTS_SETTLED_JS, timeout=CHART_TIMEOUT_MS, polling=50)
    page.evaluate(FONTS_READY_JS)
    _record_charts(report, page.evaluate(CHART_STATE_JS))
    return context, page


async def _show_async(page, html_path: Path, report: BrowserReport) -> None:
    """_new_page's loading on playwright's async API, in a page of the shared browser."""
    await page.goto(Path(html_path).resolve().as_uri(), wait_until="load")
    await page.wait_for_function(CHARTS_SETTLED_JS, timeout=CHART_TIMEOUT_MS, polling=50)
    await page.evaluate(FONTS_READY_JS)
    _record_charts(report, await page.evaluate(CHART_STATE_JS))


def _launch(playwright, chromium: Path):
    return playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)


async def _launch_async(playwright, chromium: Path):
    return await playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)


@contextlib.contextmanager
def open_page(html_path: Path, *, chromium: Path | None = None) -> Iterator[tuple[object, BrowserReport]]:
    """Open a local HTML file in a headless Chromium of its own, with every network request refused.

    Yields (playwright page, BrowserReport) once every ``.sdg-chart`` has been drawn or failed; the page
    is used from the calling thread (tests, checks). The report run prints through the process's shared
    browser instead (print_pdf).
    """
    from playwright.sync_api import sync_playwright

    chromium = chromium or find_chromium()
    report = BrowserReport()
    with sync_playwright() as playwright:
        browser = _launch(playwright, chromium)
        try:
            _context, page = _new_page(browser, html_path, report)
            yield page, report
        finally:
            browser.close()


class SharedBrowser:
    """One headless Chromium per process, started on first use and kept for every PDF the process prints
    (starting it costs about 0.4 s, as much as printing a short report). Playwright's async API drives it
    from an event loop in a thread of its own, so the report run's threads print at the same time
    through the one browser (Chromium does the work in its own processes), and a thread with a running
    asyncio loop (a Jupyter kernel) can print too.

    Pages are kept and reused, one per report printed at the same time: a page that loads the next
    report keeps its renderer, whose script cache already holds the Vega bundle every report carries
    (this halves the browser's work per page load). The pages share one browser context, holding only
    the reports' own local files (no cookies or storage are used); a page whose work failed is closed,
    not reused. The browser is started again if it crashed, and closed when the process ends."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._playwright = None
        self._browser = None
        self._context = None
        self._idle: list = []  # pages ready for the next report
        self._current: dict = {}  # page -> the BrowserReport it is filling
        self._sessions: dict = {}  # page -> its DevTools session (for the garbage collection between reports)
        self._launching: asyncio.Lock | None = None

    def call(self, function, *args):
        """await function(self, *args) on the browser's loop; returns its result or raises its error."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=self._loop.run_forever, name="sdgcities-browser", daemon=True)
                self._thread.start()
                _register_close(self)
            loop = self._loop
        return asyncio.run_coroutine_threadsafe(function(self, *args), loop).result()

    async def _ready_context(self):
        if self._launching is None:
            self._launching = asyncio.Lock()
        async with self._launching:
            if self._browser is None or not self._browser.is_connected():
                if self._playwright is None:
                    from playwright.async_api import async_playwright

                    self._playwright = await async_playwright().start()
                self._browser = await _launch_async(self._playwright, find_chromium())
                self._context = await self._browser.new_context(service_workers="block")
                self._idle, self._current, self._sessions = [], {}, {}
        return self._context

    @contextlib.asynccontextmanager
    async def page(self, report: BrowserReport):
        """A page of the shared browser whose network refusals and console errors go to `report`."""
        context = await self._ready_context()
        page = None
        while self._idle and page is None:
            candidate = self._idle.pop()
            page = None if candidate.is_closed() else candidate
            if page is None:
                self._sessions.pop(candidate, None)
        if page is None:
            page = await context.new_page()
            await page.route("**/*", _refuse_network(lambda p=page: self._current[p]))
            _watch(page, lambda p=page: self._current[p])
        self._current[page] = report
        reusable = False
        try:
            yield page
            # An idle page holds an empty document, not the last report, and its renderer gives back what
            # the report used: without a collection the renderer kept 400-800 MB after a long report (the
            # heap of the page left behind), growing report after report (bench/memory_roles.py).
            await page.goto("about:blank")
            await self._collect_garbage(page)
            reusable = True
        finally:
            if reusable and context is self._context:
                self._idle.append(page)
            else:
                self._current.pop(page, None)
                self._sessions.pop(page, None)
                with contextlib.suppress(Exception):
                    await page.close()

    async def _collect_garbage(self, page) -> None:
        """A full garbage collection in the page's renderer (JavaScript and DOM heaps): 30-250 ms."""
        session = self._sessions.get(page)
        if session is None:
            session = self._sessions[page] = await page.context.new_cdp_session(page)
        await session.send("HeapProfiler.collectGarbage")

    async def _stop(self) -> None:
        with contextlib.suppress(Exception):
            if self._browser is not None:
                await self._browser.close()
        with contextlib.suppress(Exception):
            if self._playwright is not None:
                await self._playwright.stop()
        self._browser = self._playwright = self._context = self._launching = None
        self._idle, self._current, self._sessions = [], {}, {}

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None or not thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


_SHARED = SharedBrowser()
_close_registered = False


def restart_browser() -> None:
    """Stop the shared browser and its playwright driver; the next print starts them afresh (about 1 s).
    Both grow over hundreds of reports (the driver to about 200 MB at 200 cities): the report run restarts
    them before a long report, its memory peak, when nothing else is printing."""
    if _SHARED._thread is not None and _SHARED._thread.is_alive():
        _SHARED.call(SharedBrowser._stop)


def _register_close(browser: SharedBrowser) -> None:
    """Close the browser when the process ends: atexit in a normal process, multiprocessing's finaliser in
    a worker of a process pool (which leaves through os._exit, skipping atexit)."""
    global _close_registered
    if _close_registered:
        return
    import atexit
    from multiprocessing import util

    atexit.register(browser.close)
    util.Finalize(None, browser.close, exitpriority=10)
    _close_registered = True


def _footer_template() -> str:
    return (
        f'<div style="width:100%;font-size:9px;font-family:{html.escape(BODY_FONT, quote=True)};'
        'color:#555;text-align:center;padding:0 12mm;">'
        '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
    )


def _header_template(title: str, date: str) -> str:
    return (
        f'<div style="width:100%;font-size:8px;font-family:{html.escape(BODY_FONT, quote=True)};'
        'color:#777;padding:0 14mm;display:flex;justify-content:space-between;">'
        f'<span>{html.escape(title)}</span><span>{html.escape(date)}</span></div>'
    )


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def bookmarks(pdf_path: Path) -> list[tuple[int, str, int]]:
    """The PDF's bookmarks in order, as (level, title, 1-based page)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        marks = []
        for item in document.get_toc():
            destination = item.get_dest()
            index = destination.get_index() if destination is not None else None
            if index is not None:
                marks.append((item.level, _normalise(item.get_title()), index + 1))
        return marks
    finally:
        document.close()


def anchor_pages(pdf_path: Path) -> dict[str, int]:
    """{element id: 1-based page} from the PDF's named destinations: Chromium writes one for every element
    a link of the page points to, so every contents entry's heading is there, by its id."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        pages: dict[str, int] = {}
        for index in range(pdfium_c.FPDF_CountNamedDests(document.raw)):
            size = ctypes.c_long(0)
            pdfium_c.FPDF_GetNamedDest(document.raw, index, None, ctypes.byref(size))
            buffer = ctypes.create_string_buffer(size.value)
            destination = pdfium_c.FPDF_GetNamedDest(document.raw, index, buffer, ctypes.byref(size))
            if not destination:
                continue
            name = buffer.raw[: size.value].decode("utf-16-le").rstrip("\x00")
            page = pdfium_c.FPDFDest_GetDestPageIndex(document.raw, destination)
            if page >= 0:
                pages[name] = page + 1
        return pages
    finally:
        document.close()


TOC_ENTRIES_JS = ("() => Array.from(document.querySelectorAll('nav.sdg-toc li[data-anchor]'))"
                  ".map(li => [li.getAttribute('data-anchor'), li.getAttribute('data-text')])")
PAGINATION_ONLY_JS = (
    "(on) => { const old = document.getElementById('sdg-pagination-pass'); if (old) { old.remove(); }"
    " if (on) { const s = document.createElement('style'); s.id = 'sdg-pagination-pass';"
    " s.textContent = 'body * { visibility: hidden !important; } h1, h2, h3 { visibility: visible !important; }';"
    " document.head.appendChild(s); } return true; }"
)
FILL_TOC_JS = ("(pages) => { for (const li of document.querySelectorAll('nav.sdg-toc li[data-anchor]')) {"
               " const n = pages[li.getAttribute('data-anchor')]; const cell = li.querySelector('.toc-page');"
               " if (cell) { cell.textContent = n ? String(n) : ''; } } return true; }")  # a heading not found: no number


def print_pdf(html_path: Path, pdf_path: Path, *, title: str, date: str = "", expected_pages: dict[str, int] | None = None,
              release_charts: bool = False) -> BrowserReport:
    """Print a report page to PDF (A4, backgrounds, page numbers "n / N", bookmarks, page numbers in the
    table of contents) once charts are drawn.

    The contents need each heading's page, which only a printing tells. `expected_pages` ({heading id:
    page}, e.g. read from the previous version of the same report) is tried first: the page is printed
    with those numbers and kept when its headings are on exactly those pages; otherwise (or without it)
    the pages are taken from a printing and the page is printed again with them.

    `release_charts` (a long report: the run's memory peak): once drawn, each chart is replaced by a copy
    of its drawing, without the listeners that keep its Vega view (data, dataflow, scenegraph) alive, and
    the renderer collects the views before printing: 836 → 702 MiB at most for the 200-city comparison,
    for a garbage collection (30-250 ms) that a short report does not need."""

    async def work(browser: SharedBrowser) -> BrowserReport:
        report = BrowserReport()
        async with browser.page(report) as page:
            await _show_async(page, html_path, report)
            if report.chart_errors or report.drawn_count != report.chart_count:
                raise RenderError(
                    f"{html_path.name}: {report.chart_count - report.drawn_count} of {report.chart_count} charts were not drawn: "
                    + "; ".join(report.chart_errors or report.console_errors or ["no error reported"])
                )
            if release_charts:  # a printed chart needs only its drawing
                report.released_charts = await page.evaluate(STILL_CHARTS_JS)
                await browser._collect_garbage(page)
            options = dict(
                path=str(pdf_path),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template=_header_template(title, date),
                footer_template=_footer_template(),
                margin={"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
                outline=True,
                tagged=True,
            )
            toc = [anchor for anchor, _text in await page.evaluate(TOC_ENTRIES_JS)]

            def printed_pages() -> dict[str, int]:
                found = anchor_pages(pdf_path)
                pages = {anchor: found[anchor] for anchor in toc if anchor in found}
                if len(pages) < len(toc):
                    log.warning("%s: %d of %d contents entries not found in the printed page", html_path.name, len(toc) - len(pages), len(toc))
                return pages

            expected = None
            if toc and expected_pages and all(anchor in expected_pages for anchor in toc):
                expected = {anchor: expected_pages[anchor] for anchor in toc}
            if expected is not None:
                # The numbers fill cells of a fixed width, so they move no page break: when the headings
                # landed on the expected pages this printing is the final one, and when they did not, the
                # pages it tells are the right ones for the next.
                await page.evaluate(FILL_TOC_JS, expected)
                await page.pdf(**options)
                report.printings += 1
                pages = printed_pages()
                if pages != expected:
                    log.info("%s: the contents' expected pages were not right; printing again", html_path.name)
                    await page.evaluate(FILL_TOC_JS, pages)
                    await page.pdf(**options)
                    report.printings += 1
            else:
                if toc:
                    # A first, plain printing tells each heading's page: untagged, without the header and
                    # footer (they are drawn in the margins, which stay the same), and with everything but
                    # the headings hidden (visibility keeps every box where it is, so the pages are the
                    # same, but nothing else is drawn): about a third of the cost of a full printing.
                    await page.evaluate(PAGINATION_ONLY_JS, True)
                    plain = {key: value for key, value in options.items() if key not in ("header_template", "footer_template")}
                    await page.pdf(**{**plain, "outline": False, "tagged": False, "display_header_footer": False})
                    report.printings += 1
                    await page.evaluate(PAGINATION_ONLY_JS, False)
                    await page.evaluate(FILL_TOC_JS, printed_pages())
                await page.pdf(**options)
                report.printings += 1
        for message in report.page_errors + report.console_errors:
            log.warning("browser reported while printing %s: %s", html_path.name, message)
        return report

    find_chromium()
    return _SHARED.call(work)
