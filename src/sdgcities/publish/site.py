"""reports/index.html: one static page (no scripts, no network) linking every report of every language
(reports/<lang>/) and every download (exports, codebook, data package, citation and licences). Written at the end of the report
run (sdgcities.publish.reports.run) or with `python -m sdgcities.publish.site`. Only files that exist are linked."""

from __future__ import annotations

import html
import os
import re
import sys
from pathlib import Path
from urllib.parse import quote

from sdgcities import paths
from sdgcities.present.words import Words, languages
from sdgcities.publish.version import citation_text, dataset_version

_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
_LANG = re.compile(r"<html[^>]*\blang=\"([^\"]+)\"", re.I)
# Downloads of exports/ and the catalogue key describing each (report.index.<key>).
DOWNLOADS = (
    ("sdgcities.xlsx", "xlsx"),
    ("codebook.html", "codebook"),
    ("datapackage.json", "datapackage"),
    ("CITATION.cff", "citation"),
    ("DATA_LICENSE.md", "data_license"),
    ("LICENSE", "license"),
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
    """Every report HTML under reports/<lang>/, the comparison first, then the city reports."""
    pages = []
    for lang in _languages():
        found = sorted((reports_dir / lang).glob("*.html"), key=lambda p: (p.stem != "comparison", p.stem))
        pages += [p for p in found if not p.name.startswith(".")]
    return pages


def _languages() -> list[str]:
    """The report languages, Japanese first."""
    return sorted(languages(), key=lambda lang: (lang != "ja", lang))


def _both(key: str, **params) -> str:
    """A label in every language, joined with " / " (the index serves readers of both)."""
    return " / ".join(Words(lang)(f"report.index.{key}", **params) for lang in _languages())


def index_html(reports_dir: Path, exports_dir: Path, database: Path | None = None) -> str:
    version = dataset_version(database)
    parts = [
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>sdgcities — {html.escape(_both('title'))}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(_both('title'))}</h1>",
        f'<p>{html.escape(_both("version"))}: <code class="dataset-version">{html.escape(version.short)}</code></p>',
        f"<h2>{html.escape(_both('reports'))}</h2>",
    ]
    pages = report_pages(reports_dir)
    for lang in _languages():
        in_lang = [p for p in pages if p.parent.name == lang]
        if not in_lang:
            continue
        words = Words(lang)
        parts.append(f'<h3 lang="{lang}">{html.escape(words("report.index.language"))}</h3><ul lang="{lang}">')
        for page in in_lang:
            title, _ = _report_info(page)
            pdf = page.with_suffix(".pdf")
            extra = f" — {_link(pdf, reports_dir, 'PDF')}" if pdf.is_file() else ""
            parts.append(f'<li class="report" data-lang="{lang}">{_link(page, reports_dir, f"{title} ({lang})")}{extra}</li>')
        parts.append("</ul>")
    if pages:
        parts.append(f"<p>{' '.join(html.escape(Words(lang)('report.index.layout')) for lang in _languages())}</p>")
    else:
        parts.append(f'<p class="missing">{html.escape(_both("no_report"))} <code>make reports</code></p>')
    parts.append(f"<h2>{html.escape(_both('downloads'))}</h2>")
    if (exports_dir / "datapackage.json").is_file():
        parts.append("<ul>")
        for name, key in DOWNLOADS:
            if (exports_dir / name).is_file():
                parts.append(f"<li>{_link(exports_dir / name, reports_dir, name)}: {html.escape(_both(key))}</li>")
        for folder in ("csv", "parquet"):
            files = sorted((exports_dir / folder).glob(f"*.{folder}"))
            if files:
                links = ", ".join(_link(f, reports_dir, f.stem) for f in files)
                parts.append(f"<li>{html.escape(_both(folder))}: {links}</li>")
        parts.append("</ul>")
    else:
        parts.append(f'<p class="missing">{html.escape(_both("no_export"))} <code>make export</code></p>')
    citation = paths.root() / "CITATION.cff"
    parts.append(f"<h2>{html.escape(_both('cite'))}</h2>")
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
