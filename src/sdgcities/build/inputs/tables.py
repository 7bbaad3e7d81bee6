"""The curated tables: their columns and closed vocabularies, the parser of each column kind, and the
strict CSV reader (exact header, UTF-8, every cell parsed with its column's parser).

The file layout and the meaning of every column are described in data/curated/CURATION_GUIDE.md.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from sdgcities import paths
from sdgcities.build.inputs.parsing import ValueParseError, parse_bool, parse_number
from sdgcities.build.inputs.problems import Problem
from sdgcities.build.inputs.row_counts import table_counts

SIDES = ("economy", "society", "environment", "integrated")
SYNERGY_SIDES = ("economy", "society", "environment")
DIRECTIONS = ("increase", "decrease")
OBSERVATION_KINDS = ("baseline", "actual", "target")
STAKEHOLDER_CATEGORIES = ("company", "university", "financial", "npo", "council", "government", "overseas", "other")
# The closed vocabularies of the conventions in data/curated/CURATION_GUIDE.md ("Stakeholders").
STAKEHOLDER_RELATIONS = ("partner", "data_source", "internal")
STAKEHOLDER_EVENTS = (
    "agreement", "founding", "selection", "adoption", "declaration", "signature", "membership", "registration", "joint_event",
)
STAKEHOLDER_THEMES = (
    "smart_city", "digital_government", "renewable_energy", "decarbonisation", "mobility", "health", "education",
    "human_resources", "inclusion", "disaster", "tourism", "industry", "agriculture", "environment", "food_loss",
    "finance", "sdgs_promotion", "international_exchange", "regional_cooperation", "urban_development", "comprehensive",
)
PRIORITY_BASES = ("priority_list", "kpi_table", "narrative")
DOC_TYPES = ("plan", "proposal", "progress_evaluation", "presentation", "smart_city_plan")
TARGET_YEAR_RANGE = (2015, 2050)


# --------------------------------------------------------------------------------------------
# Reading CSV files strictly
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)  # one per curated row: 200,000 at the scale of every city
class CsvRow:
    row: int
    line: int
    values: dict[str, str]


def read_csv(path: Path, expected_columns: tuple[str, ...], problems: list[Problem], name: str | None = None) -> list[CsvRow]:
    """Read a curated CSV: UTF-8 (a BOM is tolerated), any line ending, exactly the expected header.
    `name` is the file as messages name it (default: its path relative to the repository)."""
    name = name or paths.relative(path)
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 2]
        guess = ""
        try:
            data.decode("shift_jis")
            guess = " The file decodes as Shift_JIS: re-save it as UTF-8."
        except UnicodeDecodeError:
            pass
        problems.append(Problem(name, f"not valid UTF-8 (byte {bad.hex(' ')} at offset {error.start}).{guess}", row=max(line - 1, 0) or None, line=line, value=bad.hex(" ")))
        return []
    if "\x00" in text:
        problems.append(Problem(name, "contains NUL characters: this is not a text CSV file"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        problems.append(Problem(name, f"unreadable CSV header: {error}", line=1))
        return []
    if header is None:
        problems.append(Problem(name, f"empty file: expected the header line {','.join(expected_columns)}"))
        return []
    header = [h.strip() for h in header]
    if tuple(header) == expected_columns + tuple(OPTIONAL_COLUMNS):
        expected_columns = tuple(header)  # the optional trailing columns are present
    if tuple(header) != expected_columns:
        missing = [c for c in expected_columns if c not in header]
        extra = [c for c in header if c not in expected_columns]
        detail = []
        if missing:
            detail.append(f"missing {missing}")
        if extra:
            detail.append(f"unexpected {extra}")
        if not detail:
            detail.append("columns out of order")
        problems.append(Problem(name, f"header does not match ({'; '.join(detail)}); expected: {','.join(expected_columns)}", line=1, value=",".join(header)))
        return []
    rows: list[CsvRow] = []
    line = reader.line_num + 1
    row_number = 0
    width = len(expected_columns)
    try:
        for cells in reader:  # a for loop rather than next() in a try per row: the same rows, faster
            row_number += 1
            if not "".join(cells).strip():  # every cell blank
                line = reader.line_num + 1
                continue
            if len(cells) != width:
                problems.append(Problem(name, f"has {len(cells)} fields, expected {width}", row=row_number, line=line, value=",".join(cells)))
            else:
                rows.append(CsvRow(row_number, line, dict(zip(expected_columns, cells))))
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append(Problem(name, f"malformed CSV: {error}", row=row_number + 1, line=line))
    return rows


# --------------------------------------------------------------------------------------------
# Column kinds
# --------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def _optional(text: str) -> str | None:
    text = text.strip()
    return text or None


def _required(text: str) -> str:
    text = text.strip()
    if not text:
        raise CellError("is empty but required")
    return text


def _choice(allowed: tuple[str, ...], required: bool) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        value = _optional(text)
        if value is None:
            if required:
                raise CellError(f"is empty but required; allowed values: {', '.join(allowed)}")
            return None
        if value not in allowed:
            raise CellError(f"is not an allowed value; allowed: {', '.join(allowed)}")
        return value

    return parse


def _boolean(text: str) -> bool:
    try:
        return parse_bool(text)
    except ValueParseError as error:
        raise CellError(str(error)) from None


def _printed_number(text: str) -> str | None:
    value = _optional(text)
    if value is None:
        return None
    try:
        parse_number(value)
    except ValueParseError as error:
        raise CellError(str(error)) from None
    return value


def _iso_date(text: str) -> str | None:
    value = _optional(text)
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise CellError("is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY)")
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError as error:
        raise CellError(f"is not a real date ({error})") from None
    return value


def _goal(text: str) -> int:
    value = _required(text)
    if not re.fullmatch(r"\d{1,2}", value) or not 1 <= int(value) <= 17:
        raise CellError("is not an SDG goal number (1-17)")
    return int(value)


def _page(text: str) -> int | None:
    value = _optional(text)
    if value is None:
        return None
    if not re.fullmatch(r"\d{1,5}", value) or int(value) < 1:
        raise CellError("is not a page number (an integer from 1)")
    return int(value)


TEXT, REQUIRED = _optional, _required

# Optional trailing columns any document table may carry after its specified columns (issue 11).
# source_page: the page of the quote in a PDF source; files curated from text without page breaks omit it.
OPTIONAL_COLUMNS: dict[str, Callable] = {"source_page": _page}

# Column specifications of each curated table: name -> parser. The order is the file's header.
KPI_COLUMNS: dict[str, Callable] = {
    "kpi_id": REQUIRED, "doc_id": REQUIRED, "section": REQUIRED, "table_code": REQUIRED, "row_no": TEXT,
    "side": _choice(SIDES, False), "synergy_from": _choice(SYNERGY_SIDES, False), "synergy_to": _choice(SYNERGY_SIDES, False),
    "indicator_ja": TEXT, "indicator_key": REQUIRED, "unit": TEXT, "sdg_targets": TEXT, "is_repeat": _boolean,
    "direction": _choice(DIRECTIONS, False), "status_text": TEXT, "published_achievement": TEXT,
    "is_redacted": _boolean, "note": TEXT, "source_quote": REQUIRED,
}
OBSERVATION_COLUMNS: dict[str, Callable] = {
    "kpi_id": REQUIRED, "kind": _choice(OBSERVATION_KINDS, True), "label": TEXT, "column_label": TEXT,
    "value": _printed_number, "value_text": TEXT, "is_redacted": _boolean, "note": TEXT, "source_quote": REQUIRED,
}
PRIORITY_TARGET_COLUMNS: dict[str, Callable] = {
    "doc_id": REQUIRED, "side": _choice(SIDES, False), "section": TEXT, "sdg_goal": _goal, "sdg_target": TEXT,
    "basis": _choice(PRIORITY_BASES, True), "note": TEXT, "source_quote": REQUIRED,
}
STAKEHOLDER_COLUMNS: dict[str, Callable] = {
    "stakeholder_id": REQUIRED, "doc_id": REQUIRED, "name_ja": TEXT, "partner_key": REQUIRED,
    "category": _choice(STAKEHOLDER_CATEGORIES, True), "relation": _choice(STAKEHOLDER_RELATIONS, True), "role_ja": TEXT,
    "theme": _choice(STAKEHOLDER_THEMES, False), "event": _choice(STAKEHOLDER_EVENTS, False), "event_on": _iso_date,
    "event_on_label": TEXT, "is_redacted": _boolean, "note": TEXT, "source_quote": REQUIRED,
}
SYNERGY_COLUMNS: dict[str, Callable] = {
    "synergy_id": REQUIRED, "doc_id": REQUIRED, "from_side": _choice(SYNERGY_SIDES, True), "to_side": _choice(SYNERGY_SIDES, True),
    "description_ja": REQUIRED, "kpi_id": TEXT, "note": TEXT, "source_quote": REQUIRED,
}
DOC_TABLES: dict[str, dict[str, Callable]] = {
    "kpis": KPI_COLUMNS,
    "kpi_observations": OBSERVATION_COLUMNS,
    "priority_targets": PRIORITY_TARGET_COLUMNS,
    "stakeholders": STAKEHOLDER_COLUMNS,
    "synergies": SYNERGY_COLUMNS,
}
REFERENCE_TABLES: dict[str, dict[str, Callable]] = {
    "cities": {"city_id": REQUIRED, "name_ja": REQUIRED, "name_en": REQUIRED, "prefecture_ja": REQUIRED, "prefecture_en": REQUIRED},
    "sdg_goals": {"goal": _goal, "name_ja": REQUIRED, "name_en": REQUIRED, "colour": REQUIRED},
    "sdg_targets": {"target": REQUIRED, "goal": _goal},
}


def _parse_rows(path: Path, spec: dict[str, Callable], problems: list[Problem], name: str | None = None,
                counts: dict[Path, dict] | None = None) -> list[dict]:
    """Read a file and parse each cell with its column's parser; the record keeps its location (`name`:
    the file as messages name it, by default its path relative to the repository). When the file reads
    without a problem, `counts` (if given) receives its row counts (row_counts.table_counts), so that the
    check of the recorded counts need not read it again."""
    records = []
    name = name or paths.relative(path)
    parsers = [*spec.items(), *OPTIONAL_COLUMNS.items()]  # an optional column absent from the file reads as empty
    before = len(problems)
    csv_rows = read_csv(path, tuple(spec), problems, name)
    if counts is not None and len(problems) == before:
        counts[path] = table_counts(tuple(spec), [list(csv_row.values.values()) for csv_row in csv_rows])
    # A cell at a time is most of the build's reading at scale (200,000 rows): text columns are parsed inline,
    # and the other parsers, which depend on the text alone, remember the texts they have parsed.
    plan = [(column, parse, _INLINE.get(parse) or _PARSED.setdefault(parse, {})) for column, parse in parsers]
    for csv_row in csv_rows:
        values = csv_row.values
        record: dict[str, Any] = {"_file": name, "_row": csv_row.row, "_line": csv_row.line, "_raw": values}
        ok = True
        for column, parse, parsed in plan:
            raw = values.get(column, "")
            if parsed is _OPTIONAL:
                record[column] = raw.strip() or None
                continue
            if parsed is _REQUIRED:
                value = raw.strip()
                if value:
                    record[column] = value
                    continue
            elif raw in parsed:
                record[column] = parsed[raw]
                continue
            try:
                value = parse(raw)
            except CellError as error:
                problems.append(Problem(name, f"{column} {error}", csv_row.row, csv_row.line, column, raw))
                ok = False
                continue
            record[column] = value
            if len(parsed) < _PARSED_TEXTS:
                parsed[raw] = value
        if ok:
            records.append(record)
    return records


# The text columns' parsers, done inline by _parse_rows (same values, same errors: an empty required cell
# goes to _required for its message).
_OPTIONAL, _REQUIRED = object(), object()
_INLINE = {_optional: _OPTIONAL, _required: _REQUIRED}
# parser -> {text: value} of the cells parsed so far; a refused text is not kept (it is parsed again, to be
# reported again). Kept for the process: the texts of a column repeat across files and builds.
_PARSED: dict[Callable, dict[str, Any]] = {}
_PARSED_TEXTS = 1 << 16  # per parser
