"""Charts and report rendering: offline HTML drawn by a real browser, PDF text and fonts, atomic writes.

The fixture notebook is written here, executed by papermill with the venv's python3 kernel, and
rendered with ``sdgcities.publish.render``. Browser and PDF checks use Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from sdgcities.present import charts
from sdgcities.publish import render

CITIES = ["加賀市", "熊本市", "平塚市"]
CHARTS_PER_NOTEBOOK = 3
TITLE = "SDGs未来都市 比較レポート（テスト）"

# `make test` installs Chromium and poppler first (the Makefile's `system` target), so a missing one is
# a broken set-up: these markers fail the test with the install command instead of skipping it.
def _require(present: bool, message: str):
    def mark(test):
        def wrapper(*args, **kwargs):
            assert present, message
            return test(*args, **kwargs)

        wrapper.__name__, wrapper.__doc__ = test.__name__, test.__doc__
        import functools, inspect

        functools.update_wrapper(wrapper, test)
        wrapper.__signature__ = inspect.signature(test)
        return wrapper

    return mark


needs_chromium = _require(render.CHROMIUM_PATH.exists(), f"no Chromium: {render.CHROMIUM_INSTALL_COMMAND}")
needs_poppler = _require(bool(shutil.which("pdftotext") and shutil.which("pdffonts")), "no poppler: apt-get install -y poppler-utils")

SETUP = """\
import altair as alt
import pandas as pd
import polars as pl
from sdgcities.present import charts

charts.enable_theme()
cities = ["加賀市", "熊本市", "平塚市"]
population = pl.DataFrame({"都市": cities, "人口": [62_000, 738_000, 256_000], "重点目標": ["目標11", "目標3", "目標7"]})
"""

CHART_BAR = """\
bar = (
    alt.Chart(population)
    .mark_bar()
    .encode(
        x=alt.X("都市:N", sort=cities, title="都市"),
        y=alt.Y("人口:Q", title="人口（人）"),
        color=alt.Color("都市:N", scale=charts.city_colour_scale(cities), legend=None),
        tooltip=["都市", alt.Tooltip("人口:Q", format=",")],
    )
    .properties(title="人口の比較", width=320)
)
charts.show(bar, source="総務省「住民基本台帳に基づく人口」2024年")
"""

CHART_GOALS = """\
goals = (
    alt.Chart(population)
    .mark_bar()
    .encode(
        y=alt.Y("都市:N", sort=cities, title=None),
        x=alt.X("人口:Q", title="人口（人）"),
        color=alt.Color("重点目標:N"),
        tooltip=["都市", "重点目標"],
    )
    .properties(title=f"重点目標（{city}を含む比較）")
)
charts.show(goals, source="内閣府 地方創生推進事務局「SDGs未来都市」")
"""

CHART_LINE = """\
years = list(range(2016, 2025))
trend = pd.DataFrame(
    [{"年": y, "都市": c, "指標": round(10 + 3 * k + 0.8 * (y - 2016), 1)} for k, c in enumerate(cities) for y in years]
)
line = (
    alt.Chart(trend)
    .mark_line(point=True)
    .encode(
        x=alt.X("年:O", title="年度"),
        y=alt.Y("指標:Q", title="再生可能エネルギー比率（%）"),
        color=alt.Color("都市:N", scale=charts.city_colour_scale(cities), title="都市"),
        tooltip=["都市", "年", "指標"],
    )
    .properties(title="再生可能エネルギー比率の推移")
)
charts.show(line, source="各市 統計書")
"""


def fixture_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [
        new_code_cell('city = "加賀市"', metadata={"tags": ["parameters"]}),
        new_markdown_cell("# SDGs未来都市の比較\n\n加賀市・熊本市・平塚市の三都市を比較します。"),
        new_code_cell(SETUP),
        new_markdown_cell("## 人口\n\n各都市の人口です。"),
        new_code_cell(CHART_BAR),
        new_markdown_cell("### 重点目標"),
        new_code_cell(CHART_GOALS),
        new_markdown_cell("## 推移"),
        new_code_cell(CHART_LINE),
        new_markdown_cell("## 人口の表"),
        new_code_cell('charts.cite(population, source="総務省「住民基本台帳に基づく人口」2024年")'),
        new_code_cell('print(f"対象都市: {city}")'),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def ensure_kernel() -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    if "python3" not in KernelSpecManager().find_kernel_specs():
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--sys-prefix"], check=True)


def execute(source: Path, target: Path, city: str) -> Path:
    import papermill

    try:
        papermill.execute_notebook(str(source), str(target), parameters={"city": city}, kernel_name="python3", progress_bar=False)
    except RuntimeError:
        # A rare ZMQ port race when starting kernels: retry once.
        papermill.execute_notebook(str(source), str(target), parameters={"city": city}, kernel_name="python3", progress_bar=False)
    return target


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> list[Path]:
    """The fixture notebook executed twice (two cities), as the comparison report would get it."""
    ensure_kernel()
    folder = tmp_path_factory.mktemp("notebooks")
    source = folder / "comparison.ipynb"
    nbformat.write(fixture_notebook(), source)
    old = os.environ.get("SDGCITIES_CHART_MODE")
    os.environ["SDGCITIES_CHART_MODE"] = "report"  # as under papermill, even if pytest runs inside JupyterLab
    try:
        return [execute(source, folder / f"out-{i}.ipynb", city) for i, city in enumerate(["加賀市", "熊本市"])]
    finally:
        if old is None:
            os.environ.pop("SDGCITIES_CHART_MODE", None)
        else:
            os.environ["SDGCITIES_CHART_MODE"] = old


@pytest.fixture(scope="module")
def report(executed, tmp_path_factory) -> dict:
    assert render.CHROMIUM_PATH.exists(), f"no Chromium: {render.CHROMIUM_INSTALL_COMMAND}"
    folder = tmp_path_factory.mktemp("reports")
    out_html, out_pdf = folder / "comparison.html", folder / "comparison.pdf"
    started = time.perf_counter()
    render.render_report(executed, title=TITLE, out_html=out_html, out_pdf=out_pdf, lang="ja")
    seconds = time.perf_counter() - started
    print(f"\nrender_report of {len(executed)} notebooks took {seconds:.1f} s")
    return {"html": out_html, "pdf": out_pdf, "seconds": seconds, "folder": folder}


def chart_outputs(nb_path: Path) -> list[dict]:
    nb = nbformat.read(nb_path, as_version=4)
    return [
        o
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.get("metadata", {}).get("sdgcities", {}).get("kind") == "chart"
    ]


# ---------------------------------------------------------------------------------------------
# charts
# ---------------------------------------------------------------------------------------------


def test_colours_and_scales():
    scale = charts.city_colour_scale(CITIES).to_dict()
    assert scale == {"domain": CITIES, "range": charts.CITY_PALETTE[:3]}
    # The SDG colours are the reference table's (the one copy), in the order asked for.
    import csv

    from sdgcities import paths
    from sdgcities.present import marks

    with open(paths.reference_dir() / "sdg_goals.csv", encoding="utf-8") as f:
        colours = {int(r["goal"]): r["colour"] for r in csv.DictReader(f)}
    assert len(colours) == 17 and colours[1].upper() == "#E5243B" and colours[17].upper() == "#19486A"
    goals = marks.sdg_colour_scale(colours, ["目標11", "SDG 3"], [11, 3]).to_dict()
    assert goals == {"domain": ["目標11", "SDG 3"], "range": [colours[11], colours[3]]}
    with pytest.raises(KeyError, match="18"):
        marks.sdg_colours(colours, [18])
    with pytest.raises(ValueError):
        charts.city_colour_scale([f"市{i}" for i in range(9)])


def test_theme_registered_with_cjk_font():
    import altair as alt

    charts.enable_theme()
    assert alt.theme.active == charts.THEME_NAME
    config = alt.Chart().mark_point().to_dict()["config"]
    assert config["font"] == charts.FONT_FAMILY == "Noto Sans CJK JP"
    assert config["axis"]["labelFont"] == charts.FONT_FAMILY
    assert config["legend"]["titleFont"] == charts.FONT_FAMILY


def test_missing_font_names_apt_command(monkeypatch, tmp_path):
    monkeypatch.setenv("SDGCITIES_FONT_DIR", str(tmp_path))
    monkeypatch.setattr(charts, "_registered_font_dir", None)
    with pytest.raises(charts.FontNotFoundError, match=re.escape("apt-get install -y fonts-noto-cjk")):
        charts.register_fonts()


def test_report_bundle_has_no_png_unless_asked(monkeypatch):
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"都市": CITIES, "値": [1, 2, 3]})).mark_bar().encode(x="都市:N", y="値:Q")
    monkeypatch.delenv("SDGCITIES_CHART_PNG", raising=False)
    (data, _), = charts.chart_bundle(chart, source="テスト出典", mode="report")
    assert "image/png" not in data and 'class="sdg-fallback"' not in data["text/html"]
    assert {"text/html", charts.VEGALITE_MIME_TYPE, "text/plain"} <= set(data)


def test_chart_bundle_is_stable_and_offline(monkeypatch):
    import altair as alt
    import pandas as pd

    monkeypatch.setenv("SDGCITIES_CHART_PNG", "1")  # the optional static fallback
    chart = alt.Chart(pd.DataFrame({"都市": CITIES, "値": [1, 2, 3]})).mark_bar().encode(x="都市:N", y="値:Q", tooltip=["都市"])
    first = charts.chart_bundle(chart, source="テスト出典", mode="report")
    second = charts.chart_bundle(chart, source="テスト出典", mode="report")
    assert first == second  # stable ids and identical outputs on re-runs
    (data, metadata), = first
    assert {"text/html", "image/png", charts.VEGALITE_MIME_TYPE, "text/plain"} <= set(data)
    html = data["text/html"]
    assert re.search(r'<div class="sdg-chart" id="chart-[0-9a-f]{12}"', html)
    assert 'type="application/json" class="sdg-chart-spec"' in html
    assert "出典 / Source:" in html and "テスト出典" in html
    assert not re.search(r"<script[^>]+src=", html), "no script may be loaded by a chart"
    assert charts.png_size(base64.b64decode(data["image/png"]))[0] > 100
    nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[
        nbformat.v4.new_output("display_data", data=data, metadata=metadata)])]))
    with pytest.raises(ValueError, match="source"):
        charts.chart_bundle(chart, source="  ")


def test_lab_mode_bundle_uses_vega_mime_types():
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"都市": CITIES, "値": [1, 2, 3]})).mark_bar().encode(x="都市:N", y="値:Q")
    (data, _), (caption, _) = charts.chart_bundle(chart, source="出典X", mode="lab")
    assert "text/html" not in data  # JupyterLab would prefer text/html over its Vega renderer
    assert data[charts.JUPYTERLAB_VEGALITE_MIME_TYPE]["$schema"].endswith("/v5.json")
    assert charts.VEGALITE_MIME_TYPE in data and "image/png" in data
    assert "出典X" in caption["text/html"]


def test_cite_table_and_text():
    import pandas as pd
    import polars as pl

    data, _ = charts.cite_bundle(pl.DataFrame({"都市": CITIES, "人口": [62000, 738000, None]}), source="S")
    html = data["text/html"]
    assert "62,000" in html and "738,000" in html and "–" in html
    assert html.count('class="num"') == 3  # the header and two numbers
    assert "出典 / Source:" in html
    data, _ = charts.cite_bundle(pd.DataFrame({"v": [1.5]}, index=pd.Index(["加賀市"], name="都市")), source="S")
    assert "<th" in data["text/html"] and "都市" in data["text/html"] and "1.5" in data["text/html"]
    data, _ = charts.cite_bundle("本文 <b>", source="S")
    assert "&lt;b&gt;" in data["text/html"]


def test_executed_notebook_outputs(executed):
    first, second = (chart_outputs(p) for p in executed)
    assert len(first) == len(second) == CHARTS_PER_NOTEBOOK
    for output in first:
        assert 'class="sdg-chart"' in output["data"]["text/html"]
        assert "image/png" not in output["data"]  # report mode: drawn by vega-embed, no PNG fallback by default
    # Charts that do not depend on the parameter are byte-identical across kernels (stable ids).
    assert first[0]["data"]["text/html"] == second[0]["data"]["text/html"]
    assert first[2]["data"]["text/html"] == second[2]["data"]["text/html"]
    assert first[1]["data"]["text/html"] != second[1]["data"]["text/html"]


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------


def test_html_is_offline_and_embeds_vega_once(report):
    page = report["html"].read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\ssrc\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"<link[^>]*\shref\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"<(img|iframe|source|embed)[^>]*\ssrc\s*=\s*[\"']?(https?:)?//", page, re.I)
    assert not re.search(r"@import|url\(\s*[\"']?https?:", page)
    assert page.count('id="sdg-vega-bundle"') == 1
    assert page.count("window.vegaEmbed=") == 1
    assert page.count('class="sdg-chart-boot"') == 0  # the page draws every chart once
    assert page.count('class="sdg-chart"') == 2 * CHARTS_PER_NOTEBOOK
    ids = re.findall(r'<div[^>]*class="sdg-chart"[^>]*id="([^"]+)"', page)
    assert len(ids) == len(set(ids)) == 2 * CHARTS_PER_NOTEBOOK
    assert "Noto Sans CJK JP" in page
    assert 'lang="ja"' in page


def test_html_header_and_table_of_contents(report):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(report["html"].read_text(encoding="utf-8"), "html.parser")
    assert soup.title.string == TITLE
    assert soup.select_one("header h1").get_text() == TITLE
    assert re.search(r"作成日: \d{4}年\d{1,2}月\d{1,2}日", soup.select_one("header").get_text())
    links = soup.select("nav.sdg-toc a")
    texts = [a.get_text() for a in links]
    assert texts[:4] == ["SDGs未来都市の比較", "人口", "重点目標", "推移"]
    for a in links:
        assert soup.find(id=a["href"][1:]).name in ("h1", "h2", "h3")
    assert not soup.select(".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt")  # code is hidden
    assert "charts.show" not in soup.get_text()


def test_html_renders_every_chart_in_offline_browser(report):
    """Open the HTML in headless Chromium with the network off; every chart must be drawn."""
    from playwright.sync_api import sync_playwright

    console_errors, page_errors, requests = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(render.CHROMIUM_PATH), args=render.CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1100, "height": 900})
            context.route(re.compile(r"^(?!file:|data:|blob:).*"), lambda route: (requests.append(route.request.url), route.abort()))
            page = context.new_page()
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(report["html"].resolve().as_uri())
            page.wait_for_function(
                "() => document.documentElement.getAttribute('data-charts') === 'done'", timeout=60_000
            )
            charts_total = page.locator(".sdg-chart").count()
            drawn = page.locator(".sdg-chart svg.marks, .sdg-chart canvas").count()
            states = page.eval_on_selector_all(".sdg-chart", "els => els.map(e => e.getAttribute('data-state'))")
            fallbacks_visible = page.locator(".sdg-fallback:visible").count()
            # Tooltips survive: hovering a bar shows vega-tooltip's element.
            bar = page.locator(".sdg-chart").first.locator("g.mark-rect path").first
            bar.hover()
            page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
            tooltip = page.inner_text("#vg-tooltip-element")
            page.screenshot(path=str(report["folder"] / "screenshot.png"), full_page=True)
        finally:
            browser.close()
    assert charts_total == 2 * CHARTS_PER_NOTEBOOK
    assert drawn == charts_total, states
    assert set(states) == {"done"}
    assert fallbacks_visible == 0
    assert "加賀市" in tooltip
    assert console_errors == [] and page_errors == []
    assert requests == []


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def pdf_font_names(path: Path) -> set[str]:
    """/FontName and /BaseFont names in a PDF, looking inside compressed streams too."""
    data = path.read_bytes()
    blobs = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        start = match.end()
        end = data.find(b"endstream", start)
        try:
            blobs.append(zlib.decompress(data[start:end]))
        except zlib.error:
            pass
    names = set()
    for blob in blobs:
        names.update(m.decode("latin-1") for m in re.findall(rb"/(?:FontName|BaseFont)\s*/([A-Za-z0-9+_-]+)", blob))
    return names


@needs_poppler
def test_pdf_text_holds_japanese_and_page_numbers(report):
    text = subprocess.run(["pdftotext", "-layout", str(report["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    for city in CITIES:
        assert city in text
    assert "出典 [1]" in text and "総務省「住民基本台帳に基づく人口」2024年" in text and "目次" in text
    assert re.search(r"^\s*1\s*/\s*\d+\s*$", text, re.M), "page number 'n / N' in the footer"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(report["pdf"])], capture_output=True, text=True).stdout).group(1))
    assert re.search(rf"^\s*{pages}\s*/\s*{pages}\s*$", text, re.M)
    assert "\ufffd" not in text and "\u25a1" not in text  # no replacement characters or tofu boxes


@needs_poppler
def test_pdf_fonts_are_embedded_noto_cjk(report):
    listing = subprocess.run(["pdffonts", str(report["pdf"])], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert rows, listing
    # Columns from the right: emb sub uni object-id generation.
    assert all(row[-5] == "yes" for row in rows), listing
    # Chromium embeds CFF-based OpenType (all of Noto CJK) as Type 3 fonts, which pdffonts lists as
    # "[none]"; their font descriptors keep the name.
    names = pdf_font_names(report["pdf"])
    assert any("NotoSansCJKjp" in n or "NotoSansCJK" in n for n in names), names | {listing}


@needs_poppler
def test_pdf_first_page_is_a4_with_toc(report):
    info = subprocess.run(["pdfinfo", str(report["pdf"])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+|Page size:\s+595\.\d+ x 842\.\d+", info), info
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(report["pdf"]), "-"], capture_output=True, text=True, check=True).stdout
    assert "目次" in first and TITLE.split("（")[0] in first.replace("\n", "")


# ---------------------------------------------------------------------------------------------
# Atomic writes, errors and the command line
# ---------------------------------------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


@needs_chromium
def test_failure_while_printing_keeps_previous_report(report, executed, tmp_path, monkeypatch):
    out_html, out_pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    shutil.copy(report["html"], out_html)
    shutil.copy(report["pdf"], out_pdf)
    before = out_html.read_bytes(), out_pdf.read_bytes()

    def broken_print(html_path, pdf_path, **kwargs):
        Path(pdf_path).write_bytes(b"%PDF-1.7 half written")
        raise RuntimeError("simulated crash while printing")

    monkeypatch.setattr(render, "print_pdf", broken_print)
    with pytest.raises(RuntimeError, match="simulated crash"):
        render.render_report(executed, title="新しいタイトル", out_html=out_html, out_pdf=out_pdf)
    assert (out_html.read_bytes(), out_pdf.read_bytes()) == before
    assert leftovers(tmp_path) == []


def test_failure_while_building_html_keeps_previous_report(executed, tmp_path, monkeypatch):
    out_html = tmp_path / "r.html"
    out_html.write_text("last good report", encoding="utf-8")

    def broken_export(nb, *, path):
        raise RuntimeError("simulated nbconvert failure")

    monkeypatch.setattr(render, "export_notebook", broken_export)
    with pytest.raises(RuntimeError, match="simulated nbconvert"):
        render.render_report(executed, title="T", out_html=out_html, out_pdf=None)
    assert out_html.read_text(encoding="utf-8") == "last good report"
    assert leftovers(tmp_path) == []


def test_missing_chromium_names_apt_command(executed, tmp_path, monkeypatch):
    from sdgcities.publish import pdf

    monkeypatch.setattr(pdf, "CHROMIUM_PATH", tmp_path / "no-such-chromium")
    out_html = tmp_path / "r.html"
    with pytest.raises(render.ChromiumNotFoundError, match=re.escape("apt-get install -y chromium")):
        render.render_report(executed, title="T", out_html=out_html, out_pdf=tmp_path / "r.pdf")
    assert not out_html.exists()


def test_lab_mode_outputs_are_upgraded_in_report(tmp_path):
    """Charts shown in JupyterLab (vega mime types, no text/html) still become report figures."""
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"都市": CITIES, "値": [3, 1, 2]})).mark_bar().encode(x="都市:N", y="値:Q")
    outputs = [nbformat.v4.new_output("display_data", data=d, metadata=m) for d, m in charts.chart_bundle(chart, source="出典L", mode="lab")]
    nb = new_notebook(cells=[new_markdown_cell("# 見出し"), new_code_cell("charts.show(...)", outputs=outputs)])
    nbformat.validate(nb)
    path = tmp_path / "lab.ipynb"
    nbformat.write(nb, path)
    render.render_report([path], title="T", out_html=tmp_path / "lab.html", out_pdf=None, lang="en")
    page = (tmp_path / "lab.html").read_text(encoding="utf-8")
    assert page.count('class="sdg-chart"') == 1
    assert page.count("出典L") == 1  # the separate caption output is merged into the figure
    assert ">Contents<" in page and 'lang="en"' in page


def test_sources_become_one_numbered_list_per_section():
    """Citations under figures become markers; each h1/h2 section ends with its numbered list; the same
    source keeps one number within a section and numbering starts again in the next."""
    from bs4 import BeautifulSoup

    from sdgcities.present.words import Words
    from sdgcities.publish import sources

    def cell(inner: str) -> str:
        return f'<div class="jp-Cell">{inner}</div>'

    def figure(source: str) -> str:
        return charts.figure_html({"mark": "bar"}, source=source)

    page = BeautifulSoup(
        '<main><section class="sdg-notebook"><div class="jp-Notebook">'
        + cell("<h1>A</h1>") + cell(figure("doc X")) + cell(charts.cite_bundle("t", source="doc Y")[0]["text/html"])
        + cell(figure("doc X")) + cell("<h2>B</h2>") + cell(figure("doc Y <https://example.org/y>"))
        + '</div></section><section class="sdg-notebook"><div class="jp-Notebook">' + cell(figure("doc Z"))
        + "</div></section></main>", "html.parser")
    assert sources.number_sources(page.main, Words("ja")) == 3
    markers = [a.get_text() for a in page.select("a.sdg-source-ref")]
    assert markers == ["出典 [1]", "出典 [2]", "出典 [1]", "出典 [1]", "出典 [1]"]
    for a in page.select("a.sdg-source-ref"):
        assert page.find(id=a["href"][1:]).name == "li"
    lists = page.select("aside.sdg-sources")
    assert [[li.get_text() for li in aside.select("li")] for aside in lists] == [
        ["doc X", "doc Y"], ["doc Y <https://example.org/y>"], ["doc Z"]]
    assert lists[1].select_one("li a")["href"] == "https://example.org/y"  # links stay links
    # The first list closes section A: it stands just before the cell of heading B.
    assert lists[0].find_next_sibling("div").h2.get_text() == "B"
    assert not page.select(".sdg-source-label") and "出典 / Source" not in page.get_text()


def test_report_sources_and_chart_data(report):
    """In the rendered report every marker points to its entry, and every chart links a CSV (UTF-8
    with BOM) beside the page whose rows are the chart's inline data."""
    import csv
    import io
    import json

    from bs4 import BeautifulSoup

    from sdgcities.publish import sources

    soup = BeautifulSoup(report["html"].read_text(encoding="utf-8"), "html.parser")
    refs = soup.select("a.sdg-source-ref")
    # One marker under each chart and table (a table repeats its marker in the footer it prints on paper).
    assert len(soup.select("figcaption a.sdg-source-ref")) == 2 * (CHARTS_PER_NOTEBOOK + 1)
    assert all(soup.find(id=a["href"][1:]) is not None for a in refs)
    for aside in soup.select("aside.sdg-sources"):
        entries = [li.get_text() for li in aside.select("li")]
        assert len(entries) == len(set(entries))
    figures = soup.select("figure.sdg-chart-figure")
    assert len(figures) == 2 * CHARTS_PER_NOTEBOOK
    for figure in figures:
        link = figure.select_one("a.sdg-data-link")
        assert link.get_text() == "データ (CSV)" and link["href"].startswith("comparison_data/figure-")
        raw = (report["folder"] / link["href"]).read_bytes()
        assert raw.startswith("\ufeff".encode())
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        spec = json.loads(figure.select_one("script.sdg-chart-spec").string)
        expected = sources.chart_rows(spec)
        assert rows == [{k: sources.csv_cell(r.get(k)) for k in rows[0]} for r in expected]
        assert len(rows) == len(expected) > 0
    assert sources.csv_cell(["a", "b"]) == "a;b" and sources.csv_cell(None) == ""


@needs_poppler
def test_pdf_table_of_contents_has_page_numbers_and_bookmarks(report):
    from sdgcities.publish import pdf

    def page_text(number: int) -> str:
        return subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(report["pdf"]), "-"],
                              capture_output=True, text=True, check=True).stdout.replace("\n", " ")

    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(report["pdf"]), "-"],
                           capture_output=True, text=True, check=True).stdout
    entries = re.findall(r"^\s*(人口|推移|重点目標|人口の表)\s+(\d+)\s*$", first, re.M)
    assert {name for name, _ in entries} == {"人口", "推移", "重点目標", "人口の表"}, first
    for name, number in entries:
        assert name in page_text(int(number))
    marks = pdf.bookmarks(report["pdf"])
    assert [title for _, title, _ in marks][:2] == [TITLE, "目次"]


@needs_chromium
def test_command_line(executed, tmp_path):
    out_html, out_pdf = tmp_path / "cli.html", tmp_path / "cli.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "sdgcities.publish.render", "--title", "熊本市レポート", "--out-html", str(out_html),
         "--out-pdf", str(out_pdf), str(executed[1])],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert out_html.stat().st_size > 500_000 and out_pdf.read_bytes()[:5] == b"%PDF-"
    bad = subprocess.run([sys.executable, "-m", "sdgcities.publish.render", "--title", "T", "--out-html", str(out_html),
                          str(tmp_path / "missing.ipynb")], capture_output=True, text=True)
    assert bad.returncode == 1 and "not found" in bad.stderr


def test_the_javascript_bundle_is_made_once_and_read_from_the_cache_after(monkeypatch, tmp_path):
    """Making the Vega bundle starts vl-convert's JavaScript runtime (seconds, 120 MB): a second process
    reads it from the cache file named after the versions, without vl-convert."""
    import vl_convert as vlc

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    render.javascript_bundle.cache_clear()
    made = render.javascript_bundle()
    cache = render.bundle_cache_file()
    assert cache is not None and cache.parent == tmp_path / "sdgcities" and cache.read_text(encoding="utf-8") == made
    assert "vegaEmbed" in made and "</script" not in made.lower()
    render.javascript_bundle.cache_clear()

    def not_called(*args, **kwargs):
        raise AssertionError("the bundle was made again instead of read from the cache")

    monkeypatch.setattr(vlc, "javascript_bundle", not_called)
    try:
        assert render.javascript_bundle() == made
    finally:
        render.javascript_bundle.cache_clear()
    assert not [p for p in cache.parent.iterdir() if p != cache]  # no temporary file left beside it
