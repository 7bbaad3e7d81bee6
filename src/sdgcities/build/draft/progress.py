"""Progress sheet (進捗評価シート) KPI tables: a header `No / 指標名 / 当初値 / yearly actuals / 目標値 / 達成度`
then one row per KPI. The header says how many value cells a row has and which is which; a row may be
printed with tabs, with spaces, as HTML cells, or wrapped over several lines."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sdgcities.build.draft.cells import Cell, parse_cells, split_rate
from sdgcities.build.draft.model import SIDE_SLUGS, SIDE_WORDS, Draft, add_review, clean_heading, is_heading, known_targets
from sdgcities.build.draft.text import Line, is_redacted, nfkc, sdg_targets

_COLUMN = re.compile(
    r"当初値|基準値"
    r"|(?:(?:19|20)\d{2}\s*年\s*度?\s*)?[（(]?\s*(?:現状値|実績値?|目標値)\s*[）)]?(?:\s*[（(]\s*(?:19|20)\d{2}\s*年\s*度?\s*[）)])?"
    r"|達成度"
)


@dataclass
class Header:
    line_index: int
    columns: list[tuple[str, str]]  # (kind, label as printed) of the value columns, in order
    has_rate: bool


def find_header(line: Line, index: int) -> Header | None:
    text = nfkc(line.text)
    if "指標" not in text or not re.search(r"当初値|基準値", text) or "目標" not in text:
        return None
    columns, has_rate = [], False
    for match in _COLUMN.finditer(line.text):
        printed = match.group(0).strip()
        if printed.startswith("達成度"):
            has_rate = True
        elif re.search(r"当初値|基準値", printed):
            columns.append(("baseline", printed))
        elif "目標" in printed:
            columns.append(("target", printed))
        else:
            columns.append(("actual", printed))
    if not columns or columns[0][0] != "baseline" or columns[-1][0] != "target":
        return None
    return Header(index, columns, has_rate)


def _row_start(text: str, expected_no: int | None) -> bool:
    match = re.match(r"\s*(\d{1,3})(?:\s|$)", nfkc(text))
    return bool(match) and expected_no is not None and int(match.group(1)) == expected_no


def _complete(text: str, header: Header) -> bool:
    rest, rate = split_rate(text) if header.has_rate else (text, None)
    return len(parse_cells(rest, 0)) >= len(header.columns) and (rate is not None or not header.has_rate)


def table_rows(lines: list[Line], header: Header) -> list[tuple[int, int]]:
    """Spans (norm offsets) of the rows below a header; a row may run over several lines."""
    rows: list[tuple[int, int]] = []
    current: list[Line] = []
    for line in lines[header.line_index + 1 :]:
        if not line.text.strip():
            if current and not _complete(" ".join(l.text for l in current), header):
                continue  # a wrapped row may have blank lines inside (PDF extraction)
            break
        if find_header(line, 0):
            break
        complete = not current or _complete("\n".join(l.text for l in current), header)
        if complete and is_heading(line.text):
            break  # a numbered heading after a complete row: the table has ended (texts without blank lines)
        if current:
            joined = "\n".join(l.text for l in current)
            previous_no = re.match(r"\s*(\d{1,3})(?:\s|$)", nfkc(joined))
            next_no = int(previous_no.group(1)) + 1 if previous_no else None
            if _complete(joined, header) or _row_start(line.text, next_no):
                rows.append((current[0].start, current[-1].end))
                current = []
        if not current and not parse_cells(line.text, 0) and not re.match(r"\s*\d{1,3}\s", nfkc(line.text)) and rows:
            break  # a line that is neither a row nor its start: the table has ended
        current.append(line)
    if current:
        rows.append((current[0].start, current[-1].end))
    return rows


def _section(lines: list[Line], index: int) -> str:
    for line in reversed(lines[:index]):
        if is_heading(line.text):
            return clean_heading(line.text)
    return ""


def extract(draft: Draft) -> None:
    doc = draft.document
    lines = doc.lines
    table_number = 0
    targets_seen: list[tuple[str, int, int]] = []
    for index, line in enumerate(lines):
        header = find_header(line, index)
        if not header:
            continue
        table_number += 1
        section = _section(lines, index)
        side = None
        counters: dict[str, int] = {}
        for start, end in table_rows(lines, header):
            text = doc.norm[start:end]
            rest, rate = split_rate(text) if header.has_rate else (text, None)
            cells = parse_cells(rest, start)
            if not cells:
                continue
            prefix_end = cells[0].start - start
            prefix = text[:prefix_end]
            row_no, indicator, before, indicator_start = _split_prefix(prefix, start)
            side_marker = re.search(r"【\s*(経済|社会|環境)\s*】", nfkc(before))
            if side_marker:
                side = SIDE_WORDS[side_marker.group(1)]
            synergy = re.search(r"【\s*(経済|社会|環境)\s*(?:→|⇒|->)\s*(経済|社会|環境)\s*】", indicator)
            review: list[str] = []
            targets = []
            for bracket in re.findall(r"【([^】]*)】", indicator):
                found = sdg_targets(bracket)
                targets += [t for t in found if t in known_targets()]
                if any(t not in known_targets() for t in found):
                    review.append(f"SDG target(s) not in the 169 targets left out: {', '.join(t for t in found if t not in known_targets())}")
            repeat = "再掲" in indicator
            name = re.sub(r"【[^】]*】|[（(]\s*再掲\s*[）)]", "", indicator)
            name = re.sub(r"\s*\n\s*", "", name).strip()
            code = f"t{table_number}"
            row_side = "integrated" if synergy else side
            if side and not synergy:
                code += f"_{SIDE_SLUGS[side]}"
            counters[code] = counters.get(code, 0) + 1
            kpi_id = f"{draft.doc_id}:{code}:{counters[code]:02d}"
            if len(cells) != len(header.columns):
                review.append(f"{len(cells)} value cells for {len(header.columns)} columns: check which cell is which")
            redacted = is_redacted(text)
            kpi = draft.add(
                "kpis", indicator_start, end, review,
                kpi_id=kpi_id, doc_id=draft.doc_id, section=section, table_code=code,
                row_no=row_no or str(counters[code]), side=row_side or "",
                synergy_from=SIDE_WORDS[synergy.group(1)] if synergy else "",
                synergy_to=SIDE_WORDS[synergy.group(2)] if synergy else "",
                indicator_ja="" if is_redacted(name) else name,
                indicator_key=f"{draft.city}.{code}_{counters[code]:02d}",
                unit=_unit(cells), sdg_targets=";".join(targets), is_repeat="true" if repeat else "false",
                direction="", status_text="", published_achievement=rate or "",
                is_redacted="true" if redacted else "false", note="",
            )
            add_review(kpi, "indicator_key: choose the key shared by every printing of this indicator")
            add_review(kpi, "direction: judge from the indicator's meaning")
            _observations(draft, kpi_id, cells, header)
            targets_seen += [(t, indicator_start, start + prefix_end, table_number) for t in targets]
    _priority_from_tables(draft, targets_seen)


def _split_prefix(prefix: str, offset: int) -> tuple[str, str, str, int]:
    """(row number, indicator cell, the cells before it, norm offset of the quote start)."""
    parts = [(m.start(), m.group(0)) for m in re.finditer(r"[^\t]+", prefix) if m.group(0).strip()]
    row_no = ""
    number = re.match(r"\s*(\d{1,3})(?=\s)", nfkc(prefix))
    if len(parts) <= 1:
        text = parts[0][1] if parts else ""
        if number:
            row_no = number.group(1)
            text = prefix[number.end() :]
        return row_no, text.strip(), "", offset + (number.start(1) if number else (parts[0][0] if parts else 0))
    if re.fullmatch(r"\s*\d{1,3}\s*", nfkc(parts[0][1])):
        row_no = nfkc(parts[0][1]).strip()
    first, last = parts[0], parts[-1]
    before = "\t".join(p[1] for p in parts[1 if row_no else 0 : -1])
    quote_start = first[0] if row_no else last[0]
    return row_no, last[1].strip(), before, offset + quote_start


def _unit(cells: list[Cell]) -> str:
    units = [c.unit for c in cells if c.unit]
    return max(set(units), key=units.count) if units else ""


def _observations(draft: Draft, kpi_id: str, cells: list[Cell], header: Header) -> None:
    kinds = [kind for kind, _ in header.columns]
    labels = [label for _, label in header.columns]
    if len(cells) != len(kinds):
        kinds = ["baseline"] + ["actual"] * max(len(cells) - 2, 0) + (["target"] if len(cells) > 1 else [])
        labels = [""] * len(cells)
    for cell, kind, column_label in zip(cells, kinds, labels):
        review = []
        if cell.empty:
            review.append("no value printed in this cell")
        elif cell.redacted:
            review.append("redacted: value left empty, is_redacted true")
        year_in_header = re.search(r"(?:19|20)\d{2}", column_label)
        if year_in_header and year_in_header.group(0) not in cell.label:
            review.append(f"cell label {cell.label} differs from its column {column_label}: the cell's label is kept")
        draft.add(
            "kpi_observations", cell.start, cell.end, review,
            kpi_id=kpi_id, kind=kind, label=cell.label, column_label=column_label,
            value=cell.value or "", value_text=cell.value_text or "",
            is_redacted="true" if cell.redacted else "false", note="",
        )


def _priority_from_tables(draft: Draft, targets_seen: list[tuple[str, int, int, int]]) -> None:
    """A progress sheet lists its priority goals as a figure, usually lost in the text; the targets printed
    with the KPIs of the first table that has them stand in, for a person to confirm."""
    if not targets_seen:
        return
    doc = draft.document
    first_table = targets_seen[0][3]
    seen = set()
    for target, start, end, table in targets_seen:
        if table != first_table:
            continue
        if target in seen:
            continue
        seen.add(target)
        kpi_section = _section(doc.lines, next(i for i, l in enumerate(doc.lines) if l.end >= start))
        draft.add(
            "priority_targets", start, end,
            ["taken from the 【】 target list of the first KPI table: the priority-goal figure is not in the text; confirm"],
            doc_id=draft.doc_id, side="", section=kpi_section, sdg_goal=str(known_targets()[target]),
            sdg_target=target, basis="kpi_table", note="",
        )
