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
from itertools import repeat
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
    opened = _open_csv(path, expected_columns, problems, name)
    if opened is None:
        return []
    reader, expected_columns, _ = opened
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


def _open_csv(path: Path, expected_columns: tuple[str, ...], problems: list[Problem], name: str):
    """(a csv reader past the header, the file's columns, its text), or None with the problem added: the file is not UTF-8
    text, or its header is not exactly the expected columns (optionally followed by OPTIONAL_COLUMNS)."""
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
        return None
    if "\x00" in text:
        problems.append(Problem(name, "contains NUL characters: this is not a text CSV file"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        problems.append(Problem(name, f"unreadable CSV header: {error}", line=1))
        return None
    if header is None:
        problems.append(Problem(name, f"empty file: expected the header line {','.join(expected_columns)}"))
        return None
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
        return None
    return reader, expected_columns, text


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
                counts: dict[Path, dict] | None = None, doc_id: str | None = None) -> list[dict]:
    """Read a file and parse each cell with its column's parser; the record keeps its location (`name`:
    the file as messages name it, by default its path relative to the repository) and, when given, the
    document of its folder (`_doc_id`). When the file reads without a problem, `counts` (if given) receives
    its row counts (as row_counts.table_counts gives them), so that the check of the recorded counts need
    not read it again. The problems are those of read_csv, then those of the cells, row by row and in the
    order of the columns within a row; a row with a refused cell gives no record."""
    return parse_files(spec, [(path, name or paths.relative(path), doc_id)], problems, counts)


def parse_files(spec: dict[str, Callable], files: list[tuple[Path, str, str | None]], problems: list[Problem],
                counts: dict[Path, dict] | None = None) -> list[dict]:
    """_parse_rows of each file (path, name, doc_id) in turn, its records and problems in that order: the files of
    one table read together, so that each column is parsed once for them all rather than once per file."""
    width = len(spec) + len(OPTIONAL_COLUMNS)
    rows: list[list[str]] = []  # every file's rows, with the optional columns it lacks as empty cells
    names: list[str] = []
    doc_ids: list[str | None] = []
    numbers: list[int] = []
    lines: list[int] = []
    file_columns: list[tuple[str, ...]] = []
    read_problems: list[list[Problem]] = []  # per file
    ends: list[int] = []  # per file, the end of its rows in `rows`
    for path, name, doc_id in files:
        found: list[Problem] = []
        read = _read_rows(path, tuple(spec), found, name)
        read_problems.append(found)
        if read is not None:
            columns, file_rows, file_numbers, file_lines, clean = read
            if counts is not None and clean:
                counts[path] = table_counts(tuple(spec), file_rows)
            count = len(file_rows)
            file_columns += repeat(columns, count)
            if len(columns) < width:
                padding = [""] * (width - len(columns))
                file_rows = [cells + padding for cells in file_rows]
            rows += file_rows
            names += repeat(name, count)
            doc_ids += repeat(doc_id, count)
            numbers += file_numbers
            lines += file_lines
        ends.append(len(rows))
    # A column at a time (200,000 rows at the scale of every city): text columns stripped by map, the other
    # parsers run once per distinct text of the column (they depend on the text alone), remembered for the
    # process; the records made by map too (no Python frame per row). An optional column absent from a file
    # reads as empty.
    values = []
    refused: list[tuple[int, int, Problem]] = []  # (row index, column index, problem)
    by_column = list(zip(*rows)) if rows else [()] * width  # the texts of each column
    for position, (column, parse) in enumerate([*spec.items(), *OPTIONAL_COLUMNS.items()]):
        texts = by_column[position]
        kind = _INLINE.get(parse)
        if kind is _OPTIONAL:
            stripped = list(map(str.strip, texts))
            values.append([text or None for text in stripped] if "" in stripped else stripped)
            continue
        if kind is _REQUIRED:
            parsed = list(map(str.strip, texts))
            if not all(parsed):
                for k, value in enumerate(parsed):
                    if not value:
                        refused.append((k, position, _cell_problem(names[k], column, parse, texts[k], numbers[k], lines[k])))
            values.append(parsed)
            continue
        known = _PARSED.setdefault(parse, {})
        parsed_texts: dict[str, Any] = {}
        bad: set[str] = set()
        for text in set(texts):
            if text in known:
                parsed_texts[text] = known[text]
                continue
            try:
                parsed_texts[text] = value = parse(text)
            except CellError:
                bad.add(text)  # a refused text is not kept: it is reported at each of its cells
                continue
            if len(known) < _PARSED_TEXTS:
                known[text] = value
        if bad:
            for k, text in enumerate(texts):
                if text in bad:
                    refused.append((k, position, _cell_problem(names[k], column, parse, text, numbers[k], lines[k])))
        values.append(list(map(parsed_texts.get, texts)))
    with_doc = any(doc_id is not None for _, _, doc_id in files)
    # The cells as written are kept with the file's columns, for the checks that read them (raw_cells): a dict
    # of them per row would cost the build a tenth of a second that only the checks need.
    keys = ("_file", "_row", "_line", "_cells", "_columns", *spec, *OPTIONAL_COLUMNS) + (("_doc_id",) if with_doc else ())
    extra = (doc_ids,) if with_doc else ()
    records = list(map(dict, map(zip, repeat(keys), zip(names, numbers, lines, rows, file_columns, *values, *extra))))
    if not refused:
        for found in read_problems:
            problems += found
        return records
    # Each file's problems in turn: those of its reading, then those of its cells, by row and column.
    refused.sort(key=lambda item: (item[0], item[1]))
    position = 0
    for found, end in zip(read_problems, ends):
        problems += found
        while position < len(refused) and refused[position][0] < end:
            problems.append(refused[position][2])
            position += 1
    dropped = {k for k, _, _ in refused}
    return [record for k, record in enumerate(records) if k not in dropped]


def raw_cells(record: dict) -> dict[str, str]:
    """A record's cells as written in its file (column -> text, before any parsing); {} for a record not read
    from a curated table."""
    cells = record.get("_cells")
    return dict(zip(record["_columns"], cells)) if cells is not None else {}


def _cell_problem(name: str, column: str, parse: Callable, text: str, row: int, line: int) -> Problem:
    """The problem of a cell its column's parser refuses (its message)."""
    try:
        parse(text)
    except CellError as error:
        return Problem(name, f"{column} {error}", row, line, column, text)
    raise AssertionError(f"{column}: {text!r} was refused once and accepted now")


def _read_rows(path: Path, expected_columns: tuple[str, ...], problems: list[Problem], name: str):
    """The rows of a file as read_csv reads them, as (the file's columns, the cells of each row, their row numbers,
    their first lines, whether the file read without a problem), or None when it has no rows to read (its
    problem added). The same rows and problems as read_csv, without a CsvRow per row."""
    opened = _open_csv(path, expected_columns, problems, name)
    if opened is None:
        return None
    reader, columns, text = opened
    first = reader.line_num  # the header's last line
    try:
        rows = list(reader)
    except csv.Error:
        # Read again row by row, to name the row and line where it breaks.
        before = len(problems)
        csv_rows = read_csv(path, expected_columns, problems, name)
        return (columns, [list(r.values.values()) for r in csv_rows], [r.row for r in csv_rows], [r.line for r in csv_rows],
                len(problems) == before)
    count = len(rows)
    if reader.line_num - first == count:  # one line per row (no line break within a quoted cell)
        lines = range(first + 1, first + 1 + count)
    else:
        lines = _first_lines(text)
    width = len(columns)
    numbers = range(1, count + 1)
    if all(len(cells) == width for cells in rows) and all(cells[0].strip() or "".join(cells).strip() for cells in rows):
        return columns, rows, numbers, lines, True
    kept, kept_numbers, kept_lines = [], [], []
    clean = True
    for cells, number, line in zip(rows, numbers, lines):
        if not "".join(cells).strip():  # every cell blank
            continue
        if len(cells) != width:
            problems.append(Problem(name, f"has {len(cells)} fields, expected {width}", row=number, line=line, value=",".join(cells)))
            clean = False
        else:
            kept.append(cells)
            kept_numbers.append(number)
            kept_lines.append(line)
    return columns, kept, kept_numbers, kept_lines, clean


def _first_lines(text: str) -> list[int]:
    """The line each row of a file's text starts on, as read_csv counts them, when some row spans several lines
    (a quoted line break): read again row by row, for the csv module's line count after each."""
    again = csv.reader(io.StringIO(text, newline=""), strict=True)
    next(again)
    lines = []
    line = again.line_num + 1
    for _ in again:
        lines.append(line)
        line = again.line_num + 1
    return lines


# The text columns' parsers, done inline by _parse_rows (same values, same errors: an empty required cell
# goes to _required for its message).
_OPTIONAL, _REQUIRED = object(), object()
_INLINE = {_optional: _OPTIONAL, _required: _REQUIRED}
# parser -> {text: value} of the cells parsed so far; a refused text is not kept (it is parsed again, to be
# reported again). Kept for the process: the texts of a column repeat across files and builds.
_PARSED: dict[Callable, dict[str, Any]] = {}
_PARSED_TEXTS = 1 << 16  # per parser
