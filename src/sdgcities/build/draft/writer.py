"""Write a draft in the curated format: the columns of each table come from curated.py's specs (so a
column added there appears here, empty, for review), then `source_page` and `review`."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

import yaml

from sdgcities.build.inputs.manifests import MANIFEST_KEYS
from sdgcities.build.inputs.tables import DOC_TABLES, OPTIONAL_COLUMNS
from sdgcities.build.draft.forms import DOC_TYPES
from sdgcities.build.draft.model import Draft

DRAFT_COLUMNS = ("review",)  # dropped on promotion
TO_REVIEW = "TO REVIEW"


def columns(table: str) -> list[str]:
    return list(DOC_TABLES[table]) + list(OPTIONAL_COLUMNS) + list(DRAFT_COLUMNS)


def write_tables(draft: Draft, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in DOC_TABLES:
        rows = draft.tables.get(table, [])
        path = folder / f"{table}.csv"
        temporary = path.with_suffix(".csv.tmp")
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns(table))
            for row in rows:
                writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns(table)])
        temporary.replace(path)
        counts[table] = len(rows)
    return counts


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(draft: Draft, raw_text: Path, source: Path, folder: Path) -> Path:
    """The draft manifest: what can be known is filled in, the rest is marked TO REVIEW."""
    manifest: dict[str, str] = {key: TO_REVIEW for key in MANIFEST_KEYS}
    title = next((line.text.strip() for line in draft.document.lines if line.text.strip()), "")
    manifest.update({
        "doc_id": draft.doc_id,
        "city_id": draft.city,
        "file": raw_text.name,
        "original_filename": source.name,
        "title_ja": title.lstrip("# ").strip() or TO_REVIEW,
        "doc_type": DOC_TYPES[draft.form] or TO_REVIEW,
        "format": "Plain text extracted from the PDF by pdfplumber (pages separated by form feeds)." if source.suffix.lower() == ".pdf" else "Plain text as received.",
        "sha256": sha256(raw_text),
    })
    manifest["drafted"] = {
        "by": "python -m sdgcities.build.draft",
        "on": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "form": draft.form,
        "source_file": source.name,
        "source_sha256": sha256(source),
        "to_review": [key for key in MANIFEST_KEYS if manifest[key] == TO_REVIEW],
    }
    path = folder / f"{draft.doc_id}.yaml"
    path.write_text(
        "# Draft origin manifest written by the draft tool. Fill in every TO REVIEW field before promoting;\n"
        "# the 'drafted' block is dropped on promotion.\n"
        + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=110),
        encoding="utf-8",
    )
    return path
