"""reports/index.html: one static page (no scripts, no network) linking every report and every
download (exports, codebook, data package, citation and licences). Written at the end of the report
run (sdgcities.publish.reports.run) or with `python -m sdgcities.publish.site`. Only files that exist are linked."""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path
from urllib.parse import quote

from sdgcities import paths
from sdgcities.publish.version import citation_text, dataset_version

_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
_LANG = re.compile(r"<html[^>]*\blang=\"([^\"]+)\"", re.I)
DOWNLOADS = (
    ("sdgcities.xlsx", "Excel ブック（ビューごとのシートとコードブック） / Excel workbook (a sheet per view and a codebook)"),
    ("codebook.html", "コードブック（全列とコード値、日英） / Codebook (every column and coded value, Japanese and English)"),
    ("datapackage.json", "Frictionless データパッケージ（CSV のスキーマ） / Frictionless Data Package (schemas of the CSV files)"),
    ("CITATION.cff", "引用情報（このデータ版） / Citation file (this dataset version)"),
    ("DATA_LICENSE.md", "出典文書の利用条件 / Terms of the source documents"),
    ("LICENSE", "コードのライセンス（MIT） / Code licence (MIT)"),
)
CSS = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222;line-height:1.6}
li{margin:.2rem 0} code{font-size:.9em} .missing{color:#a33}
"""


def _link(target: Path, base: Path, text: str) -> str:
    href = "/".join(quote(part) for part in Path(os.path.relpath(target, base)).parts)
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def _report_info(path: Path) -> tuple[str, str]:
    """(title, lang) of a report page, read from its head."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(200_000)
    title = _TITLE.search(head)
    lang = _LANG.search(head)
    return (html.unescape(title.group(1)).strip() if title else path.stem), (lang.group(1) if lang else "")


def report_pages(reports_dir: Path) -> list[Path]:
    """Every report HTML under reports/ (any language layout), without executed notebooks and the index."""
    pages = []
    for path in sorted(reports_dir.rglob("*.html")):
        relative = path.relative_to(reports_dir)
        if path.name == "index.html" or relative.parts[0] == "executed" or any(p.startswith(".") for p in relative.parts):
            continue
        pages.append(path)
    return pages


def index_html(reports_dir: Path, exports_dir: Path, database: Path | None = None) -> str:
    version = dataset_version(database)
    parts = [
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>sdgcities — レポートとデータ / Reports and data</title><style>{CSS}</style></head><body>",
        "<h1>SDGs未来都市 比較 — レポートとデータ / SDGs Future Cities — reports and data</h1>",
        f'<p>データ版 / Dataset version: <code class="dataset-version">{html.escape(version.short)}</code></p>',
        "<h2>レポート / Reports</h2><ul>",
    ]
    pages = report_pages(reports_dir)
    for page in pages:
        title, lang = _report_info(page)
        label = f"{title} ({lang})" if lang else title
        pdf = page.with_suffix(".pdf")
        extra = f" — {_link(pdf, reports_dir, 'PDF')}" if pdf.is_file() else ""
        parts.append(f"<li>{_link(page, reports_dir, label)}{extra}</li>")
    if not pages:
        parts.append('<li class="missing">レポートはまだありません / no report yet: <code>make reports</code></li>')
    parts.append("</ul><h2>データのダウンロード / Data to take away</h2>")
    if (exports_dir / "datapackage.json").is_file():
        parts.append("<ul>")
        for name, label in DOWNLOADS:
            if (exports_dir / name).is_file():
                parts.append(f"<li>{_link(exports_dir / name, reports_dir, name)}: {html.escape(label)}</li>")
        for folder, label in (("csv", "CSV（UTF-8 BOM付き、リストは「;」区切り） / CSV (UTF-8 with BOM, lists joined with ';')"), ("parquet", "Parquet")):
            files = sorted((exports_dir / folder).glob(f"*.{folder}"))
            if files:
                links = ", ".join(_link(f, reports_dir, f.stem) for f in files)
                parts.append(f"<li>{html.escape(label)}: {links}</li>")
        parts.append("</ul>")
    else:
        parts.append('<p class="missing">エクスポートはまだありません / no export yet: <code>make export</code></p>')
    citation = paths.root() / "CITATION.cff"
    parts.append("<h2>引用 / How to cite</h2>")
    parts.append(f"<p>{html.escape(citation_text(version, 'ja'))}<br>{html.escape(citation_text(version))}</p>")
    if citation.is_file():
        parts.append(f"<p>{_link(citation, reports_dir, 'CITATION.cff')}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_index(reports_dir: Path | None = None, exports_dir: Path | None = None, database: Path | None = None) -> Path:
    """Write reports/index.html (temporary file, then swap) and return its path."""
    from sdgcities.publish.export import exports_dir as default_exports

    reports_dir = Path(reports_dir) if reports_dir else paths.reports_dir()
    exports_dir = Path(exports_dir) if exports_dir else default_exports()
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / "index.html"
    temporary = reports_dir / f".index.html.tmp-{os.getpid()}"
    temporary.write_text(index_html(reports_dir, exports_dir, database), encoding="utf-8")
    os.replace(temporary, target)
    return target


if __name__ == "__main__":
    print(f"wrote {paths.relative(write_index())}")
    sys.exit(0)
