"""Plan (SDGs未来都市計画) and proposal (提案書) KPI blocks and priority-target tables.

The shared outline prints each KPI as two table lines under a `ゴール、ターゲット番号 / KPI` header:
`<goal> <target> 指標：<name>` then `現在（<year>）：<value> <unit>  <year>：<value> <unit>`. The target
cells of the block's lines are the KPI's SDG targets; under a side heading ((経済), ① 経済, ② 社会面の取組)
they are that side's priority targets. Redacted proposals print [REDACTED], [] or █ instead of values,
or leave the cell empty.
"""

from __future__ import annotations

import re

from sdgcities.build.draft.cells import parse_cells
from sdgcities.build.draft.model import SIDE_SLUGS, Draft, add_review, clean_heading, is_heading, known_targets, side_of, synergy_of
from sdgcities.build.draft.text import REDACTION, Line, is_redacted, nfkc, sdg_targets

_INDICATOR = re.compile(r"指\s*標\s*[:：]")
_TABLE_HEADER = re.compile(r"ゴール\s*[、,]?\s*ターゲット番号|^\s*KPI\b")


def _target_cells(text: str) -> str:
    """The part of a block line before its KPI cell (where the goal and target numbers are printed)."""
    cut = len(text)
    for pattern in (_INDICATOR, re.compile(r"現?在\s*[(（]"), REDACTION):
        match = pattern.search(text)
        if match:
            cut = min(cut, match.start())
    labels = parse_cells(text, 0)
    if labels:
        cut = min(cut, labels[0].start)
    return text[:cut]


def _only_redactions(text: str) -> bool:
    cells = [c.strip() for c in re.split(r"\t|\s{2,}", _target_cells_rest(text)) if c.strip()]
    return bool(cells) and all(REDACTION.fullmatch(c) for c in cells)


def _target_cells_rest(text: str) -> str:
    return text[len(_target_cells(text)) :]


def extract(draft: Draft) -> None:
    doc = draft.document
    lines = doc.lines
    side: str | None = None
    synergy: tuple[str, str] | None = None
    section = ""
    in_table = False
    table_number = 0
    counters: dict[str, int] = {}
    current: dict | None = None  # the KPI being read
    priority_seen: set[tuple] = set()
    index = 0
    while index < len(lines):
        line = lines[index]
        text = line.text
        stripped = text.strip()
        if not stripped:
            in_table, current = False, None
            index += 1
            continue
        direction = synergy_of(stripped) if len(stripped) <= 20 else None
        if direction:
            synergy, side, section = direction, None, clean_heading(stripped)
        elif side_of(stripped):
            side, synergy, section = side_of(stripped), None, clean_heading(stripped)
        elif is_heading(stripped) and not _INDICATOR.search(stripped):
            side, synergy, section = None, None, clean_heading(stripped)
            in_table, current = False, None
        if _TABLE_HEADER.search(nfkc(stripped)) and not _INDICATOR.search(stripped):
            in_table, current = True, None
            table_number += 1
            index += 1
            continue
        starts_kpi = bool(_INDICATOR.search(text))
        pair = (not starts_kpi and in_table and _only_redactions(text) and index + 1 < len(lines)
                and _only_redactions(lines[index + 1].text))
        if starts_kpi or pair:
            if not in_table:
                table_number += 1
                in_table = True
            current = _start_kpi(draft, line, lines[index + 1] if pair else None, table_number, side, synergy, section, counters)
            if pair:
                index += 1
        elif current is not None and (parse_cells(text, 0) or _only_redactions(text)):
            _continue_kpi(draft, current, line)
        elif current is None and not in_table:
            index += 1
            continue
        if in_table and side and not synergy:
            _priority_targets(draft, line, side, section, priority_seen)
        index += 1


def _start_kpi(draft: Draft, line: Line, second: Line | None, table_number: int, side, synergy, section, counters) -> dict:
    text = line.text
    match = _INDICATOR.search(text)
    review: list[str] = []
    if match:
        name = text[match.end() :].split("\t")[0]
    else:
        name = ""
        review.append("a line pair of redaction marks read as one redacted KPI")
    repeat = bool(re.search(r"再掲", name))
    name = re.sub(r"\s{2,}", " ", re.sub(r"[(（]\s*再掲\s*[)）]", "", name)).strip()
    redacted = not name or is_redacted(name)
    if not name:
        review.append("indicator printed empty: redacted or missing")
    code = f"t{table_number}"
    if synergy:
        code += f"_{SIDE_SLUGS[synergy[0]]}_{SIDE_SLUGS[synergy[1]]}"
    elif side:
        code += f"_{SIDE_SLUGS[side]}"
    counters[code] = counters.get(code, 0) + 1
    kpi_id = f"{draft.doc_id}:{code}:{counters[code]:02d}"
    targets = [t for t in sdg_targets(_target_cells(text)) if t in known_targets()]
    kpi = draft.add(
        "kpis", line.start, (second or line).end, review,
        kpi_id=kpi_id, doc_id=draft.doc_id, section=section, table_code=code, row_no=str(counters[code]),
        side="integrated" if synergy else (side or ""), synergy_from=synergy[0] if synergy else "",
        synergy_to=synergy[1] if synergy else "", indicator_ja="" if redacted else name,
        indicator_key=f"{draft.city}.{code}_{counters[code]:02d}", unit="", sdg_targets=";".join(targets),
        is_repeat="true" if repeat else "false", direction="", status_text="", published_achievement="",
        is_redacted="true" if redacted else "false", note="",
    )
    if not redacted:
        add_review(kpi, "indicator_key: choose the key shared by every printing of this indicator")
        add_review(kpi, "direction: judge from the indicator's meaning")
    kpi["_start"] = line.start
    kpi["_observed"] = False
    if second is not None:
        _add_targets(kpi, second.text)
        for kind in ("baseline", "target"):
            draft.add("kpi_observations", second.start, second.end, ["values redacted; the year labels were redacted too"],
                      kpi_id=kpi_id, kind=kind, label="", column_label="", value="", value_text="", is_redacted="true", note="")
        kpi["_observed"] = True
    return kpi


def _add_targets(kpi: dict, text: str) -> None:
    targets = [t for t in kpi["sdg_targets"].split(";") if t]
    targets += [t for t in sdg_targets(_target_cells(text)) if t in known_targets() and t not in targets]
    kpi["sdg_targets"] = ";".join(targets)


def _continue_kpi(draft: Draft, kpi: dict, line: Line) -> None:
    _add_targets(kpi, line.text)
    kpi["source_quote"] = draft.document.quote(kpi["_start"], line.end)
    cells = parse_cells(line.text, line.start)
    if not cells or kpi["_observed"]:
        return
    kpi["_observed"] = True
    for position, cell in enumerate(cells):
        kind = "baseline" if position == 0 else "target"
        review = []
        if cell.empty:
            review.append("cell printed empty: redacted or not printed")
        elif cell.redacted:
            review.append("redacted: value left empty, is_redacted true")
        if position not in (0, len(cells) - 1):
            kind = "actual"
            review.append("more than two values in a plan KPI: check the kind")
        redacted = cell.redacted or cell.empty or kpi["is_redacted"] == "true" and cell.value is None
        draft.add(
            "kpi_observations", cell.start, cell.end, review,
            kpi_id=kpi["kpi_id"], kind=kind, label=cell.label, column_label="", value=cell.value or "",
            value_text=cell.value_text or "", is_redacted="true" if redacted else "false", note="",
        )
        if cell.unit and not kpi["unit"]:
            kpi["unit"] = cell.unit
        if redacted and kpi["is_redacted"] != "true":
            kpi["is_redacted"] = "true"


def _priority_targets(draft: Draft, line: Line, side: str, section: str, seen: set) -> None:
    cells = _target_cells(line.text)
    for target in sdg_targets(cells):
        if target not in known_targets():
            continue
        key = (side, target)
        if key in seen:
            continue
        seen.add(key)
        draft.add(
            "priority_targets", line.start, line.end, [],
            doc_id=draft.doc_id, side=side, section=section, sdg_goal=str(known_targets()[target]), sdg_target=target, basis="priority_list", note="",
        )
