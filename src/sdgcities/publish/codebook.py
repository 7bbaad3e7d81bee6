"""The bilingual codebook: every column of every exported view and every coded value, with its
Japanese label (data/curated/data_dictionary_ja.yaml), English meaning (data_dictionary.yaml) and
how often each code occurs in the data. Written as a static HTML page and as the xlsx sheet."""

from __future__ import annotations

import html
from pathlib import Path

import duckdb
import yaml

from sdgcities import paths
from sdgcities.publish.datapackage import LIST_DELIMITER, View, field_type
from sdgcities.publish.version import DatasetVersion, citation_text

UNTRANSLATED = "（未翻訳）"


def japanese_labels(path: Path | None = None) -> dict:
    path = Path(path) if path else paths.curated_dir() / "data_dictionary_ja.yaml"
    if not path.is_file():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _column_ja(labels: dict, view: str, column: str) -> str:
    override = (labels.get("views_columns") or {}).get(view) or {}
    return override.get(column) or (labels.get("columns") or {}).get(column) or UNTRANSLATED


def codebook_rows(con: duckdb.DuckDBPyConnection, views: list[View]) -> list[dict]:
    """One row per column, then one row per coded value of that column with its count in the data."""
    from sdgcities.present.words import CODE_GROUPS, Words, null_key

    labels = japanese_labels()
    ja, en = Words("ja"), Words("en")
    rows = []
    for view in views:
        for column in view.columns:
            rows.append({
                "view": view.name, "column": column.name, "code": None,
                "label_ja": _column_ja(labels, view.name, column.name), "meaning_en": column.meaning,
                "type": column.duckdb_type, "data_package_type": field_type(column.duckdb_type) if not column.is_list else f"list of {field_type(column.duckdb_type)} ('{LIST_DELIMITER}'-joined)",
                "allowed_values": column.allowed, "example": column.example, "rows": None,
            })
            if not column.codes:
                continue
            # Names come from the dictionary and were checked against the database by the export.
            counts = dict(con.sql(f'select "{column.name}", count(*) from "{view.name}" group by all').fetchall())
            # The labels of the codes are the catalogues' (present/catalogues), the ones the reports show.
            group = CODE_GROUPS.get((view.name, column.name))
            for code in [*column.codes, None]:
                if code is None and not counts.get(None):
                    continue
                key = null_key(group) if code is None and group else f"{group}.{code}" if group else None
                rows.append({
                    "view": view.name, "column": column.name, "code": code if code is not None else "NULL",
                    "label_ja": ja(key) if key and ja.has(key) else UNTRANSLATED,
                    "meaning_en": en(key) if key and en.has(key) else "",
                    "type": "", "data_package_type": "", "allowed_values": "", "example": "", "rows": counts.get(code, 0),
                })
    return rows


CSS = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222;line-height:1.5}
table{border-collapse:collapse;width:100%;margin:0 0 2rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;text-align:left;overflow-wrap:anywhere}
th{background:#e8eef4}
tr.code td{background:#fafafa;font-size:.85rem}
td.code{padding-left:1.5rem}
td:nth-child(4){white-space:nowrap}
code{font-size:.9em}
.untranslated{color:#a33}
"""


def _cell(value) -> str:
    text = "" if value is None else str(value)
    escaped = html.escape(text)
    return f'<span class="untranslated">{escaped}</span>' if text == UNTRANSLATED else escaped


def write_codebook_html(path: Path, views: list[View], rows: list[dict], version: DatasetVersion, counts: dict[str, int]) -> None:
    """A static page (no scripts, no network) with one table per view."""
    labels = japanese_labels()
    view_ja = labels.get("views") or {}
    parts = [
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>コードブック / Codebook — sdgcities</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>コードブック / Codebook</h1>",
        f'<p>データ版 / Dataset version: <code class="dataset-version">{html.escape(version.short)}</code></p>',
        f"<p>引用 / Cite as: {html.escape(citation_text(version, 'ja'))}<br>{html.escape(citation_text(version))}</p>",
        "<p>CSV: UTF-8（BOM付き）、カンマ区切り。空欄は NULL（黒塗り・記載なし）で、0 ではありません。"
        f"一覧（リスト）の列は「{html.escape(LIST_DELIMITER)}」で連結しています。<br>"
        "CSV files are UTF-8 with a byte-order mark, comma-separated. An empty cell is NULL (redacted or not printed), "
        f"never 0. List columns are joined with '{html.escape(LIST_DELIMITER)}'.</p>",
        "<nav><ol>",
    ]
    parts += [f'<li><a href="#{html.escape(v.name, quote=True)}">{html.escape(v.name)}</a> — {_cell(view_ja.get(v.name, UNTRANSLATED))}</li>' for v in views]
    parts.append("</ol></nav>")
    for view in views:
        parts.append(f'<section id="{html.escape(view.name, quote=True)}"><h2>{html.escape(view.name)} — {_cell(view_ja.get(view.name, UNTRANSLATED))}</h2>')
        parts.append(f"<p>{html.escape(view.about)} ({counts.get(view.name, 0)} rows / 行)</p>")
        parts.append("<table><thead><tr><th>列 / column</th><th>日本語</th><th>English meaning</th><th>型 / type</th>"
                     "<th>値の範囲 / allowed values</th><th>例 / example</th><th>行数 / rows</th></tr></thead><tbody>")
        for row in (r for r in rows if r["view"] == view.name):
            if row["code"] is None:
                parts.append(f'<tr class="column" id="{html.escape(view.name + "." + row["column"], quote=True)}">'
                             f'<td><code>{_cell(row["column"])}</code></td><td>{_cell(row["label_ja"])}</td><td>{_cell(row["meaning_en"])}</td>'
                             f'<td>{_cell(row["type"])}<br><small>{_cell(row["data_package_type"])}</small></td>'
                             f'<td>{_cell(row["allowed_values"])}</td><td>{_cell(row["example"])}</td><td></td></tr>')
            else:
                parts.append(f'<tr class="code"><td class="code"><code>{_cell(row["code"])}</code></td><td>{_cell(row["label_ja"])}</td>'
                             f'<td>{_cell(row["meaning_en"])}</td><td></td><td></td><td></td><td>{_cell(row["rows"])}</td></tr>')
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
