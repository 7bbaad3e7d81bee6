"""Compare a draft with a curated folder (or two curated folders), table by table.

Rows are matched by what identifies them in the document, never by id: a KPI by where its quote sits in
the document (the drafted and curated quotes of one printed row overlap), a priority target by
(side, goal, target), a stakeholder by its name, a synergy by its direction. The same matching gives the
benchmark's precision and recall (bench/draft_bench.py)."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sdgcities import paths
from sdgcities.build.inputs.tables import DOC_TABLES
from sdgcities.build.draft.text import nfkc, squash

KPI_COLUMNS_COMPARED = ("indicator_ja", "sdg_targets", "published_achievement", "is_repeat", "is_redacted", "side", "synergy_from", "synergy_to")
# Cells compared between rows of the other tables that match by key.
COLUMNS_COMPARED = {
    "priority_targets": ("section", "basis"),
    "stakeholders": ("category", "relation", "event", "event_on", "event_on_label"),
    "synergies": ("kpi_id", "description_ja"),
}


def read_folder(folder: Path) -> dict[str, list[dict]]:
    tables = {}
    for table in DOC_TABLES:
        path = Path(folder) / f"{table}.csv"
        if not path.exists():
            tables[table] = []
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            tables[table] = list(csv.DictReader(handle))
    return tables


def document_text(folder: Path) -> str:
    """The raw text a folder's quotes come from: the draft's own copy, else data/raw/<doc_id>.txt."""
    folder = Path(folder)
    for candidate in (folder / f"{folder.name}.txt", paths.raw_dir() / f"{folder.name}.txt"):
        if candidate.exists():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError(f"no raw text for {folder.name}: expected {folder / (folder.name + '.txt')} or data/raw/{folder.name}.txt")


def _spans(rows: list[dict], text: str) -> list[tuple[int, int]]:
    """Where each row's quote sits in the squashed text; repeated quotes take successive occurrences."""
    spans, cursor = [], 0
    for row in rows:
        quote = squash(row.get("source_quote", ""))
        position = text.find(quote, cursor) if quote else -1
        if position < 0:
            position = text.find(quote) if quote else -1
        if position < 0:
            spans.append((-1, -1))
            continue
        spans.append((position, position + len(quote)))
        cursor = position + 1
    return spans


def match_kpis(draft: list[dict], curated: list[dict], text: str) -> list[tuple[int, int]]:
    """Pairs (draft index, curated index) whose quotes overlap most, each row used once."""
    squashed = squash(text)
    draft_spans, curated_spans = _spans(draft, squashed), _spans(curated, squashed)
    candidates = []
    for i, (a, b) in enumerate(draft_spans):
        for j, (c, d) in enumerate(curated_spans):
            overlap = min(b, d) - max(a, c)
            if a >= 0 and c >= 0 and overlap > 0:
                candidates.append((overlap / (max(b, d) - min(a, c)), i, j))
    pairs, used_draft, used_curated = [], set(), set()
    for _, i, j in sorted(candidates, reverse=True):
        if i not in used_draft and j not in used_curated:
            pairs.append((i, j))
            used_draft.add(i)
            used_curated.add(j)
    return sorted(pairs, key=lambda pair: pair[1])


def _norm(value: str | None) -> str:
    return squash(nfkc(value or ""))


def observation_cells(observations: list[dict]) -> Counter:
    cells = Counter()
    for row in observations:
        value = "REDACTED" if row.get("is_redacted") == "true" else _norm(row.get("value")) or _norm(row.get("value_text"))
        cells[(row["kind"], _norm(row.get("label")), value)] += 1
    return cells


def kpi_cells(kpi: dict, observations: list[dict]) -> Counter:
    """The cells the benchmark counts for one KPI row: its values with their labels, SDG targets and rate."""
    cells = observation_cells(observations)
    for target in filter(None, (kpi.get("sdg_targets") or "").split(";")):
        cells[("sdg_target", target.strip(), "")] += 1
    if kpi.get("published_achievement"):
        cells[("rate", "", _norm(kpi["published_achievement"]))] += 1
    return cells


def row_key(table: str, row: dict) -> tuple:
    if table == "priority_targets":
        return (row.get("side") or "", row["sdg_goal"], row.get("sdg_target") or "")
    if table == "stakeholders":
        return ("<redacted>",) if row.get("is_redacted") == "true" else (_norm(row.get("name_ja")),)
    if table == "synergies":
        return (row["from_side"], row["to_side"])
    raise KeyError(table)


@dataclass
class Score:
    found: int = 0
    drafted: int = 0
    curated: int = 0
    missed: list = field(default_factory=list)
    extra: list = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.found / self.drafted if self.drafted else None

    @property
    def recall(self) -> float | None:
        return self.found / self.curated if self.curated else None


def _count(score: Score, drafted: Counter, curated: Counter, where: str = "") -> None:
    score.drafted += sum(drafted.values())
    score.curated += sum(curated.values())
    score.found += sum((drafted & curated).values())
    score.missed += [(where, key) for key in (curated - drafted).elements()]
    score.extra += [(where, key) for key in (drafted - curated).elements()]


def compare(draft_dir: Path, curated_dir: Path) -> dict[str, Score]:
    """Scores per table: kpis (rows), kpi_cells, priority_targets, stakeholders, synergies."""
    draft, curated = read_folder(draft_dir), read_folder(curated_dir)
    text = document_text(draft_dir)
    pairs = match_kpis(draft["kpis"], curated["kpis"], text)
    scores = {name: Score() for name in ("kpis", "kpi_cells", "priority_targets", "stakeholders", "synergies")}
    rows = scores["kpis"]
    rows.found, rows.drafted, rows.curated = len(pairs), len(draft["kpis"]), len(curated["kpis"])
    matched_draft = {i for i, _ in pairs}
    matched_curated = {j for _, j in pairs}
    rows.extra = [("", d["kpi_id"]) for i, d in enumerate(draft["kpis"]) if i not in matched_draft]
    rows.missed = [("", c["kpi_id"]) for j, c in enumerate(curated["kpis"]) if j not in matched_curated]

    def observations_of(tables, kpi_id):
        return [o for o in tables["kpi_observations"] if o["kpi_id"] == kpi_id]

    for i, j in pairs:
        d, c = draft["kpis"][i], curated["kpis"][j]
        _count(scores["kpi_cells"], kpi_cells(d, observations_of(draft, d["kpi_id"])), kpi_cells(c, observations_of(curated, c["kpi_id"])), c["kpi_id"])
    for i, d in enumerate(draft["kpis"]):
        if i not in matched_draft:
            _count(scores["kpi_cells"], kpi_cells(d, observations_of(draft, d["kpi_id"])), Counter(), d["kpi_id"])
    for j, c in enumerate(curated["kpis"]):
        if j not in matched_curated:
            _count(scores["kpi_cells"], Counter(), kpi_cells(c, observations_of(curated, c["kpi_id"])), c["kpi_id"])
    for table in ("priority_targets", "stakeholders", "synergies"):
        _count(scores[table], Counter(row_key(table, r) for r in draft[table]), Counter(row_key(table, r) for r in curated[table]))
    return scores


def differences(draft_dir: Path, curated_dir: Path) -> list[str]:
    """Readable lines: per table, the rows only on one side and the cells that differ."""
    draft, curated = read_folder(draft_dir), read_folder(curated_dir)
    text = document_text(draft_dir)
    scores = compare(draft_dir, curated_dir)
    lines = []
    pairs = match_kpis(draft["kpis"], curated["kpis"], text)
    lines.append(f"kpis: {len(pairs)} rows matched, {len(draft['kpis']) - len(pairs)} only in the draft, {len(curated['kpis']) - len(pairs)} only in the curated folder")
    for _, kpi_id in scores["kpis"].extra:
        lines.append(f"  only in draft: {kpi_id}")
    for _, kpi_id in scores["kpis"].missed:
        lines.append(f"  only in curated: {kpi_id}")
    for i, j in pairs:
        d, c = draft["kpis"][i], curated["kpis"][j]
        for column in KPI_COLUMNS_COMPARED:
            if _norm(d.get(column)) != _norm(c.get(column)):
                lines.append(f"  {d['kpi_id']} ~ {c['kpi_id']}: {column} draft {d.get(column)!r} / curated {c.get(column)!r}")
    cells = scores["kpi_cells"]
    lines.append(f"kpi_observations and cells: {cells.found} cells agree, {len(cells.extra)} only in the draft, {len(cells.missed)} only in the curated folder")
    for where, key in cells.extra:
        lines.append(f"  only in draft: {where} {key}")
    for where, key in cells.missed:
        lines.append(f"  only in curated: {where} {key}")
    kpi_ids = {draft["kpis"][i]["kpi_id"]: curated["kpis"][j]["kpi_id"] for i, j in pairs}
    for table in ("priority_targets", "stakeholders", "synergies"):
        score = scores[table]
        lines.append(f"{table}: {score.found} rows agree, {len(score.extra)} only in the draft, {len(score.missed)} only in the curated folder")
        lines += [f"  only in draft: {key}" for _, key in score.extra]
        lines += [f"  only in curated: {key}" for _, key in score.missed]
        by_key: dict[tuple, list[dict]] = {}
        for row in curated[table]:
            by_key.setdefault(row_key(table, row), []).append(row)
        for row in draft[table]:
            others = by_key.get(row_key(table, row))
            if not others:
                continue
            other = others.pop(0)
            for column in COLUMNS_COMPARED[table]:
                mine = kpi_ids.get(row.get(column), row.get(column)) if column == "kpi_id" else row.get(column)
                if _norm(mine) != _norm(other.get(column)):
                    lines.append(f"  {row_key(table, row)}: {column} draft {mine!r} / curated {other.get(column)!r}")
    return lines
