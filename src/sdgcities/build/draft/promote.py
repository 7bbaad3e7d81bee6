"""Promote a reviewed draft into data/curated/ (and its raw text + manifest into data/raw/), then run the
validating build. Whatever the build refuses is rolled back: data/curated and data/raw end as they were."""

from __future__ import annotations

import csv
import shutil
import tempfile
from pathlib import Path

import yaml

from sdgcities import paths
from sdgcities.build.inputs.manifests import MANIFEST_KEYS, sha256_of
from sdgcities.build.inputs.tables import DOC_TABLES, OPTIONAL_COLUMNS
from sdgcities.build.inputs.curated_content import CONTENT_TABLES
from sdgcities.build.inputs.row_counts import write_counts
from sdgcities.build.draft.writer import TO_REVIEW


class PromoteError(Exception):
    pass


def _reviewed_manifest(draft_dir: Path, doc_id: str) -> dict:
    path = draft_dir / f"{doc_id}.yaml"
    if not path.exists():
        raise PromoteError(f"{path}: the draft has no manifest")
    manifest = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    open_fields = [key for key in MANIFEST_KEYS if str(manifest.get(key) or "").strip() in ("", TO_REVIEW)]
    if open_fields:
        raise PromoteError(f"{path}: fill in {', '.join(open_fields)} (marked {TO_REVIEW}) before promoting")
    drafted = manifest.pop("drafted", {}) or {}
    if drafted.get("source_file", "").lower().endswith(".pdf"):
        manifest["source_pdf"] = f"{doc_id}.pdf"
        manifest["source_pdf_sha256"] = drafted["source_sha256"]
    return manifest


def _copy_table(source: Path, target: Path, spec_columns: list[str]) -> None:
    """Write a drafted table with the columns curated.py specifies now (a column added to the format after
    the draft was made comes out empty), plus source_page when any row has a page; `review` is dropped."""
    rows: list[dict] = []
    if source.exists():
        with source.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    columns = spec_columns + [c for c in OPTIONAL_COLUMNS if any(row.get(c) for row in rows)]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c) or "" for c in columns])


def promote(draft_dir: Path, *, force: bool = False, build=None) -> dict[str, int]:
    """Copy the draft in, build, and roll everything back if the build refuses it. Returns the build's counts."""
    draft_dir = Path(draft_dir)
    doc_id = draft_dir.name
    curated_folder = paths.curated_dir() / doc_id
    if curated_folder.exists() and not force:
        raise PromoteError(f"{paths.relative(curated_folder)} already exists: use --force to replace it")
    manifest = _reviewed_manifest(draft_dir, doc_id)
    raw_text = draft_dir / f"{doc_id}.txt"
    if manifest.get("sha256") != sha256_of(raw_text):
        raise PromoteError(f"{raw_text}: sha256 differs from the draft manifest's; re-run the draft")
    raw_targets = {raw_text: paths.raw_dir() / f"{doc_id}.txt"}
    if (draft_dir / f"{doc_id}.pdf").exists():
        raw_targets[draft_dir / f"{doc_id}.pdf"] = paths.raw_dir() / f"{doc_id}.pdf"
    for source, target in raw_targets.items():
        if target.exists() and sha256_of(target) != sha256_of(source):
            raise PromoteError(f"{paths.relative(target)} exists with other content: raw documents are immutable")

    backup = Path(tempfile.mkdtemp(prefix="promote-"))
    created: list[Path] = []
    try:
        if curated_folder.exists():
            shutil.copytree(curated_folder, backup / "curated")
            shutil.rmtree(curated_folder)
        curated_folder.mkdir(parents=True)
        created.append(curated_folder)
        # The content tables (initiatives, facts ...) are not drafted yet: header-only files, to be filled by hand.
        for table, spec in {**DOC_TABLES, **CONTENT_TABLES}.items():
            _copy_table(draft_dir / f"{table}.csv", curated_folder / f"{table}.csv", list(spec))
        # Promoting is the reviewer's acceptance of these rows: record their counts, which the build
        # then holds every later edit of the folder to (row_counts.yaml).
        write_counts(curated_folder)
        for source, target in raw_targets.items():
            if not target.exists():
                shutil.copy(source, target)
                created.append(target)
        manifest_path = paths.raw_dir() / f"{doc_id}.yaml"
        if manifest_path.exists():
            shutil.copy(manifest_path, backup / "manifest.yaml")
        else:
            created.append(manifest_path)
        manifest_path.write_text("# Origin manifest of a raw document, promoted from a reviewed draft.\n"
                                 + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
        if build is None:
            from sdgcities.build.run import build
        return build(quiet=True, force=True)
    except BaseException:
        for path in created:
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        if (backup / "curated").exists():
            shutil.copytree(backup / "curated", curated_folder)
        if (backup / "manifest.yaml").exists():
            shutil.copy(backup / "manifest.yaml", paths.raw_dir() / f"{doc_id}.yaml")
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)

