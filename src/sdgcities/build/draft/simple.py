"""Plain KPI tables of documents outside the standard forms: a tab header `指標 / 現状値 / 目標値（2025年）`
and one row per KPI, `No / name / current cell / target cell`. Cells may hold a number with its unit
(`0人`) or a status text (`未構築`, `2022年構築`); a year printed in the cell is its label, otherwise the
column header's year is."""

from __future__ import annotations

import re

from sdgcities.build.draft.model import Draft, add_review, clean_heading, is_heading
from sdgcities.build.draft.text import YEAR_LABEL, nfkc, squash

_NUMBER = re.compile(r"^\s*(?P<number>[▲△\-－−]?[0-9０-９][0-9０-９,，]*(?:[.．][0-9０-９]+)?)\s*(?P<unit>\D{0,12})$")


def _header(text: str) -> list[tuple[str, str]] | None:
    cells = [c.strip() for c in text.split("\t")]
    if not any(re.fullmatch(r"指標名?|項目|KPI", nfkc(c)) for c in cells):
        return None
    columns = []
    for cell in cells:
        if re.match(r"現状値|当初値|基準値|現在", cell):
            columns.append(("baseline", cell))
        elif re.match(r"目標値?|目標", cell):
            columns.append(("target", cell))
    return columns if len(columns) == 2 else None


def extract(draft: Draft) -> None:
    lines = draft.document.lines
    table_number = 0
    for index, line in enumerate(lines):
        columns = _header(line.text)
        if not columns:
            continue
        table_number += 1
        code = f"t{table_number}"
        section = next((clean_heading(l.text) for l in reversed(lines[:index]) if is_heading(l.text) or l.text.strip().startswith(("■", "#"))), "")
        for row_line in lines[index + 1 :]:
            cells = row_line.cells()
            texts = [row_line.doc.norm[a:b].strip() for a, b in cells]
            if len(texts) < 3 or not re.fullmatch(r"\d{1,3}", nfkc(texts[0])):
                break
            number = int(nfkc(texts[0]))
            value_spans = cells[-2:]
            kpi_id = f"{draft.doc_id}:{code}:{number:02d}"
            statuses, units = [], []
            observations = []
            for (kind, header), (a, b) in zip(columns, value_spans):
                printed = row_line.doc.norm[a:b].strip()
                match = None if YEAR_LABEL.match(printed) else _NUMBER.match(nfkc(printed))
                year = YEAR_LABEL.search(printed)
                header_year = YEAR_LABEL.search(header)
                label = squash(year.group(0)) if year else (squash(header_year.group(0)) if header_year and match else "")
                if match:
                    units.append(squash(match.group("unit")))
                else:
                    statuses.append(printed)
                observations.append((kind, header, label, a, b, squash(match.group("number")) if match else "", "" if match else printed))
            kpi = draft.add(
                "kpis", row_line.start, row_line.end, ["plain KPI table outside the standard forms: check every cell"],
                kpi_id=kpi_id, doc_id=draft.doc_id, section=section, table_code=code, row_no=str(number), side="",
                synergy_from="", synergy_to="", indicator_ja=texts[1], indicator_key=f"{draft.city}.{code}_{number:02d}",
                unit=next((u for u in units if u), ""), sdg_targets="", is_repeat="false", direction="",
                status_text=";".join(statuses), published_achievement="", is_redacted="false", note="",
            )
            add_review(kpi, "indicator_key: choose the key shared by every printing of this indicator")
            for kind, header, label, a, b, value, value_text in observations:
                draft.add(
                    "kpi_observations", row_line.start, b, [],
                    kpi_id=kpi_id, kind=kind, label=label, column_label=header, value=value, value_text=value_text,
                    is_redacted="false", note="",
                )
