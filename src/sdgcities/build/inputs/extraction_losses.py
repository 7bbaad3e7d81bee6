"""Parts of a document lost when its PDF was turned into text, as the curator declares them.

data/curated/<doc_id>/extraction_losses.yaml is optional (no file: nothing was lost). Each entry
names what was lost (loss_kind), the part as the document numbers or titles it (lost_part; for a
table printed without its heading, the headings printed before and after it), the curated table
whose rows the loss affects and how many of its rows. Reports read these columns (the
extraction_losses view); nothing reads the rows' notes to find a loss.

    - loss_kind: section            # section | category_heading | table_heading
      lost_part: "(3) 2030年のあるべき姿の実現へ向けた優先的なゴール"
      table: priority_targets       # kpis | kpi_observations | priority_targets | stakeholders | synergies
      rows_affected: 23             # rows of that table (of this document) whose values the loss shaped
      note: The priority goal icons of (3) are images; the targets come from the KPI table's brackets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sdgcities import paths
from sdgcities.build.inputs.parsing import load_yaml
from sdgcities.build.inputs.problems import Problem

FILE_NAME = "extraction_losses.yaml"
LOSS_KINDS = ("section", "category_heading", "table_heading")
AFFECTED_TABLES = ("kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies")
REQUIRED_KEYS = ("loss_kind", "lost_part", "table", "rows_affected")
OPTIONAL_KEYS = ("lost_part_until", "note")


def load_losses(folder: Path, doc_id: str, rows_per_table: dict[str, int], problems: list[Problem]) -> list[dict[str, Any]]:
    """The declared losses of one document, checked; problems name the file, entry, key and value."""
    path = folder / FILE_NAME
    if not path.is_file():
        return []
    where = paths.relative(path)
    try:
        entries = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(Problem(where, f"is not valid YAML: {error}"))
        return []
    if entries is None:
        return []
    if not isinstance(entries, list):
        problems.append(Problem(where, "must be a list of losses (one `- loss_kind: ...` entry each)"))
        return []
    losses = []
    for number, entry in enumerate(entries, start=1):
        at = f"{where}, entry {number}"
        if not isinstance(entry, dict):
            problems.append(Problem(at, f"must be a mapping with {', '.join(REQUIRED_KEYS)}, not {entry!r}"))
            continue
        before = len(problems)
        for key in REQUIRED_KEYS:
            if entry.get(key) in (None, ""):
                problems.append(Problem(at, f"{key}: missing (every entry needs {', '.join(REQUIRED_KEYS)})"))
        for key in sorted(set(entry) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)):
            problems.append(Problem(at, f"{key}: unknown key (known: {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)})"))
        kind, table, rows = entry.get("loss_kind"), entry.get("table"), entry.get("rows_affected")
        if kind is not None and kind not in LOSS_KINDS:
            problems.append(Problem(at, f"loss_kind: {kind!r} is not one of {', '.join(LOSS_KINDS)}"))
        if table is not None and table not in AFFECTED_TABLES:
            problems.append(Problem(at, f"table: {table!r} is not one of {', '.join(AFFECTED_TABLES)}"))
        if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 1):
            problems.append(Problem(at, f"rows_affected: {rows!r} must be a whole number of rows, 1 or more"))
        elif isinstance(rows, int) and table in AFFECTED_TABLES and rows > rows_per_table.get(table, 0):
            problems.append(Problem(at, f"rows_affected: {rows} is more than the {rows_per_table.get(table, 0)} rows of {table}.csv of {doc_id}"))
        until = entry.get("lost_part_until")
        if until not in (None, "") and kind != "table_heading":
            problems.append(Problem(at, f"lost_part_until: {until!r} is only for loss_kind table_heading (the heading printed after the table)"))
        if len(problems) > before:
            continue
        losses.append({"doc_id": doc_id, "loss_kind": kind, "lost_part": str(entry["lost_part"]),
                       "lost_part_until": None if until in (None, "") else str(until), "table_name": table,
                       "rows_affected": rows, "note": entry.get("note"), "_row": number})
    return losses
