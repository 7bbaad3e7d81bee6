"""The drafted rows of one document, held as plain dicts keyed by the curated column names, plus the
two draft-only columns: `source_page` (kept when the document is promoted) and `review` (what a person
must check; dropped on promotion)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache

from sdgcities import paths
from sdgcities.build.draft.cells import parse_cells
from sdgcities.build.draft.text import REDACTION, Document, nfkc

SIDE_WORDS = {"経済": "economy", "社会": "society", "環境": "environment"}
SIDE_SLUGS = {"economy": "econ", "society": "soc", "environment": "env"}


@dataclass
class Draft:
    doc_id: str
    city: str
    document: Document
    form: str
    tables: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in ("kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies")})

    def add(self, table: str, start: int, end: int, review: list[str] | None = None, **values) -> dict:
        """Add a row whose quote is the document's text between norm offsets start and end."""
        row = dict(values)
        row["source_quote"] = self.document.quote(start, end)
        row["source_page"] = self.document.page(start)
        row["review"] = "; ".join(dict.fromkeys(r for r in (review or []) if r))
        self.tables[table].append(row)
        return row


def add_review(row: dict, message: str) -> None:
    row["review"] = "; ".join(dict.fromkeys([p for p in row["review"].split("; ") if p] + [message]))


@lru_cache(maxsize=1)
def known_targets() -> dict[str, int]:
    """The 169 SDG target ids of the reference table, with their goal."""
    path = paths.reference_dir() / "sdg_targets.csv"
    with path.open(encoding="utf-8") as handle:
        return {row["target"]: int(row["goal"]) for row in csv.DictReader(handle)}


def side_of(text: str) -> str | None:
    """The side named by a short side heading such as (経済), ① 経済, 【社会】 or ③ 環境面の取組."""
    match = re.fullmatch(r"\s*(?:#+\s*)?(?:[①-⑳]|[(（]?\d{1,2}[)）.]?)?\s*[(（【〈<]?\s*(経済|社会|環境)\s*(?:面の取組|面|分野)?\s*[)）】〉>]?\s*", nfkc(text))
    return SIDE_WORDS[match.group(1)] if match else None


def synergy_of(text: str) -> tuple[str, str] | None:
    """A direction such as 経済→環境 (arrow forms →, ⇒, ->) at the start of the text."""
    match = re.match(r"\s*[(（【●○◆■・]?\s*(経済|社会|環境)\s*(?:→|⇒|->|＞)\s*(経済|社会|環境)\s*[)）】]?", text)
    if not match or match.group(1) == match.group(2):
        return None
    return SIDE_WORDS[match.group(1)], SIDE_WORDS[match.group(2)]


_HEADING = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\(\d+(?:-\d+)*\)|（\d+）|\d+(?:\.\d+)*[.．]?\s|[①-⑳](?:-\d+)?|[0-9]\s)")


def is_heading(text: str) -> bool:
    """A short numbered line ((4) ..., 1.2 ..., ① ...) that is not a table line (no cell values, no 指標)."""
    stripped = text.strip()
    if not stripped or len(stripped) > 90 or "\t" in stripped or not _HEADING.match(stripped):
        return False
    return not (re.search(r"指\s*標\s*[:：]", stripped) or REDACTION.search(stripped) or any(cell.value or cell.redacted for cell in parse_cells(stripped, 0)))


def clean_heading(text: str) -> str:
    return re.sub(r"^\s*#+\s*", "", text).strip()
