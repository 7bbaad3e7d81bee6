"""Progress sheets and plans generated in the tests: invented indicators, numbers and years, printed in the
ways real documents print tables (tabs, spaces, HTML cells, rows wrapped over two lines). Nothing here
comes from the seed documents."""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WORDS = ("市民菜園", "雨水タンク", "自転車道", "図書館", "夜間学級", "里山", "水辺", "防災倉庫", "地域食堂", "移動販売", "木造住宅", "公衆無線")
MEASURES = ("の設置数", "の利用者数", "の整備延長", "の参加率", "の登録件数", "の満足度")
UNITS = ("件", "人", "km", "%", "箇所", "千円", "t-CO2")
TARGETS = ("2.4", "3.d", "4.4", "6.1", "7.2", "8.9", "9.c", "11.7", "12.5", "13.3", "15.2", "17.17")


@dataclass
class Cell:
    kind: str
    label: str
    value: str
    unit: str

    def printed(self) -> str:
        return f"{self.label} {self.value} {self.unit}"


@dataclass
class Row:
    no: int
    name: str
    targets: list[str]
    cells: list[Cell]
    rate: str


def _number(rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.1:
        return f"▲{rng.randint(1, 999)}"
    if choice < 0.3:
        return f"{rng.randint(1000, 99999):,}"
    if choice < 0.6:
        return f"{rng.uniform(0, 100):.1f}"
    return str(rng.randint(0, 999))


def progress_rows(seed: int, count: int, actual_years: list[int]) -> list[Row]:
    rng = random.Random(seed)
    rows = []
    for no in range(1, count + 1):
        name = rng.choice(WORDS) + rng.choice(MEASURES) + f"（第{no}区）"
        unit = rng.choice(UNITS)
        base_year = rng.randint(2012, actual_years[0] - 1)
        cells = [Cell("baseline", f"{base_year}年度", _number(rng), unit)]
        # Some sheets print Japanese era years (令和3年度 = fiscal 2021), kept as printed.
        cells += [Cell("actual", f"令和{year - 2018}年度" if rng.random() < 0.2 else f"{year}年度", _number(rng), unit) for year in actual_years]
        cells.append(Cell("target", f"{rng.randint(actual_years[-1] + 1, 2035)}年度", _number(rng), unit))
        rate = rng.choice([f"{rng.randint(-300, 400)}%", "達成"])
        rows.append(Row(no, name, rng.sample(TARGETS, rng.randint(1, 3)), cells, rate))
    return rows


def header_cells(actual_years: list[int], target_year: int) -> list[str]:
    return ["No", "指標名 ※[]内はゴール・ターゲット番号", "当初値"] + [f"{y}年実績" for y in actual_years] + [f"{target_year}年目標値", "達成度（%）"]


def row_cells(row: Row) -> list[str]:
    return [str(row.no), f"{row.name}【{','.join(row.targets)}】"] + [c.printed() for c in row.cells] + [row.rate]


def progress_sheet(rows: list[Row], actual_years: list[int], style: str, target_year: int = 2030) -> str:
    """The sheet as text: style is tabs, spaces, html, split (each row wrapped after its indicator) or noblank
    (tabs without any blank line)."""
    header = header_cells(actual_years, target_year)
    lines = ["SDGs未来都市等進捗評価シート", "", "(4) 2030年のあるべき姿の実現へ向けた取組の達成状況", ""]
    if style == "html":
        lines.append("<table><tr>" + "".join(f"<td>{c}</td>" for c in header) + "</tr>")
        for row in rows:
            lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in row_cells(row)) + "</tr>")
        lines.append("</table>")
    else:
        separator = "   " if style == "spaces" else "\t"
        lines.append(separator.join(header))
        for row in rows:
            cells = row_cells(row)
            if style == "split":
                lines.append("\t".join(cells[:2]))
                lines.append("\t" + "\t".join(cells[2:]))
            else:
                lines.append(separator.join(cells))
    lines += ["", "(5) 進捗状況や課題等", "", "1 本文は2021年度 32 件の実績を踏まえる。"]
    text = "\n".join(lines) + "\n"
    # Extractions from PDFs often have no blank lines at all.
    return text.replace("\n\n", "\n") if style == "noblank" else text


def print_pdf(html: Path, pdf: Path) -> None:
    """Print an HTML file to PDF with headless Chromium (installed by `make system`)."""
    chromium = shutil.which("chromium")
    assert chromium, "chromium is needed to print the test PDF (make system)"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={pdf}", html.as_uri()], check=True, capture_output=True, timeout=120)


def pdf_sheet(folder: Path, years: list[int]) -> tuple[list[Row], list[Row], Path]:
    """A two-page progress sheet PDF: one KPI table per page. Returns the rows of each page and the PDF."""
    first, second = progress_rows(21, 4, years), progress_rows(22, 3, years)
    for row in second:
        row.no += len(first)

    def table(rows):
        cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row_cells(r)) + "</tr>" for r in rows)
        return "<table><tr>" + "".join(f"<td>{c}</td>" for c in header_cells(years, 2030)) + "</tr>" + cells + "</table>"

    html = folder / "sheet.html"
    html.write_text(
        "<html><head><meta charset='utf-8'><style>body{font-family:'Noto Sans CJK JP'} td{border:1px solid #000;padding:3px}</style></head><body>"
        "<p>SDGs未来都市等進捗評価シート</p><p>(4) 2030年のあるべき姿の実現へ向けた取組の達成状況</p>" + table(first)
        + "<div style='page-break-before:always'></div><p>(1) 自治体SDGsの推進に資する取組の達成状況</p>" + table(second)
        + "</body></html>", encoding="utf-8")
    pdf = folder / "sheet.pdf"
    print_pdf(html, pdf)
    return first, second, pdf
