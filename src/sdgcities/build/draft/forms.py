"""Recognise which of the Cabinet Office's standard forms a document follows."""

from __future__ import annotations

import re

from sdgcities.build.draft.progress import find_header
from sdgcities.build.draft.text import Document, nfkc

FORMS = ("progress", "plan", "proposal", "other")
DOC_TYPES = {"progress": "progress_evaluation", "plan": "plan", "proposal": "proposal", "other": ""}


def recognise(document: Document) -> str:
    head = nfkc(document.norm[:3000])
    if "進捗評価" in head or any(find_header(line, 0) for line in document.lines):
        return "progress"
    kpi_blocks = len(re.findall(r"指\s*標\s*[:：]", document.norm))
    baselines = len(re.findall(r"現?在\s*[(（]\s*(?:19|20)\d{2}", nfkc(document.norm)))
    if kpi_blocks or baselines:
        return "proposal" if "提案書" in head else "plan"
    return "other"
