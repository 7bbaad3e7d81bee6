"""Draft curation: read a city's document (text or PDF), recognise its form and propose the curated rows,
each with its verbatim quote, its page and what a person must check. See README "Adding a city"."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sdgcities import paths
from sdgcities.build.draft import forms, generic, plan, progress, simple
from sdgcities.build.draft.model import Draft
from sdgcities.build.draft.text import Document
from sdgcities.build.draft.writer import write_manifest, write_tables


def staging_dir() -> Path:
    return paths.root() / "data" / "staging"


def read_source(path: Path, folder: Path, doc_id: str) -> Path:
    """Put the document's text beside the draft as <doc_id>.txt (from a PDF: pages separated by form feeds)."""
    text_path = folder / f"{doc_id}.txt"
    if path.suffix.lower() == ".pdf":
        from sdgcities.build.draft.pdf import pdf_text

        text_path.write_text(pdf_text(path), encoding="utf-8")
        shutil.copy(path, folder / f"{doc_id}.pdf")
    elif path.resolve() != text_path.resolve():
        shutil.copy(path, text_path)
    return text_path


def draft_text(raw: str, doc_id: str, city: str) -> Draft:
    document = Document.from_raw(raw)
    draft = Draft(doc_id, city, document, forms.recognise(document))
    if draft.form == "progress":
        progress.extract(draft)
    elif draft.form in ("plan", "proposal"):
        plan.extract(draft)
    else:
        simple.extract(draft)
        generic.sdg_mentions(draft)
    generic.mark_repeats(draft)
    generic.synergies(draft)
    generic.stakeholders(draft)
    if draft.form == "other":
        for table in draft.tables.values():
            for row in table:
                row["review"] = ("low confidence (document form not recognised); " + row["review"]).rstrip("; ")
    return draft


def draft_document(path: Path, doc_id: str | None = None, city: str | None = None, out: Path | None = None) -> tuple[Path, Draft]:
    path = Path(path)
    doc_id = doc_id or re.sub(r"[^a-z0-9_]+", "_", path.stem.lower()).strip("_")
    city = city or doc_id.split("_")[0]
    folder = Path(out or staging_dir()) / doc_id
    if folder.resolve().is_relative_to(paths.curated_dir().resolve()):
        raise ValueError(f"refusing to draft into {folder}: drafts go to a staging folder, then --promote")
    folder.mkdir(parents=True, exist_ok=True)
    text_path = read_source(path, folder, doc_id)
    draft = draft_text(text_path.read_text(encoding="utf-8"), doc_id, city)
    write_tables(draft, folder)
    write_manifest(draft, text_path, path, folder)
    return folder, draft
