"""Load and validate the raw manifests and the hand-curated tables.

Everything the database holds passes through here first. Each problem found is reported with the
file, the row, the column and the value, so a curator can go straight to it; the build refuses to
write anything while a single problem remains.

The file layout and the meaning of every column are described in data/curated/CURATION_GUIDE.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

from sdgcities import paths
from sdgcities.build.inputs.parsing import ValueParseError, parse_bool, parse_number, parse_percent_cell, parse_year_label, strip_whitespace

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

MANIFEST_KEYS = (
    "doc_id", "city_id", "file", "original_filename", "title_ja", "title_en", "publisher",
    "published_label", "published_on", "doc_type", "covers", "format", "source", "licence", "sha256",
)


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason the inputs cannot be built, located as precisely as possible."""

    file: str
    message: str
    row: int | None = None  # 1-based data row (the header is not counted)
    line: int | None = None  # 1-based line in the file where the row starts
    column: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
            if self.line is not None:
                where += f" (line {self.line})"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.value is not None:
            shown = str(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            where += f", value {shown!r}"
        return f"{where}: {self.message}"


class CuratedDataError(Exception):
    """Raised with every problem found; str() lists them one per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = problems[:50]
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the inputs:\n" + "\n".join(f"- {p}" for p in shown) + more)


# --------------------------------------------------------------------------------------------
# Reading CSV files strictly
# --------------------------------------------------------------------------------------------


@dataclass
class CsvRow:
    row: int
    line: int
    values: dict[str, str]


def read_csv(path: Path, expected_columns: tuple[str, ...], problems: list[Problem]) -> list[CsvRow]:
    """Read a curated CSV: UTF-8 (a BOM is tolerated), any line ending, exactly the expected header."""
    name = paths.relative(path)
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
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(name, f"malformed CSV: {error}", row=row_number + 1, line=line))
            return rows
        row_number += 1
        if not any(c.strip() for c in cells):
            line = reader.line_num + 1
            continue
        if len(cells) != len(expected_columns):
            problems.append(Problem(name, f"has {len(cells)} fields, expected {len(expected_columns)}", row=row_number, line=line, value=",".join(cells)))
        else:
            rows.append(CsvRow(row_number, line, {k: v for k, v in zip(expected_columns, cells)}))
        line = reader.line_num + 1
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


# --------------------------------------------------------------------------------------------
# The loaded, validated inputs
# --------------------------------------------------------------------------------------------


@dataclass
class Inputs:
    """Every validated record, ready to be written to the database. Lists are in a stable order."""

    cities: list[dict] = field(default_factory=list)
    sdg_goals: list[dict] = field(default_factory=list)
    sdg_targets: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    kpis: list[dict] = field(default_factory=list)
    kpi_observations: list[dict] = field(default_factory=list)
    priority_targets: list[dict] = field(default_factory=list)
    stakeholders: list[dict] = field(default_factory=list)
    synergies: list[dict] = field(default_factory=list)
    # Content tables (curated_content.py).
    initiatives: list[dict] = field(default_factory=list)
    initiative_kpis: list[dict] = field(default_factory=list)
    expert_comments: list[dict] = field(default_factory=list)
    city_facts: list[dict] = field(default_factory=list)
    financing: list[dict] = field(default_factory=list)
    input_files: list[Path] = field(default_factory=list)


def _parse_rows(path: Path, spec: dict[str, Callable], problems: list[Problem]) -> list[dict]:
    """Read a file and parse each cell with its column's parser; the record keeps its location."""
    records = []
    name = paths.relative(path)
    for csv_row in read_csv(path, tuple(spec), problems):
        record: dict[str, Any] = {"_file": name, "_row": csv_row.row, "_line": csv_row.line, "_raw": csv_row.values}
        ok = True
        for column, parse in spec.items():
            raw = csv_row.values[column]
            try:
                record[column] = parse(raw)
            except CellError as error:
                problems.append(Problem(name, f"{column} {error}", csv_row.row, csv_row.line, column, raw))
                ok = False
        for column, parse in OPTIONAL_COLUMNS.items():
            raw = csv_row.values.get(column, "")
            try:
                record[column] = parse(raw)
            except CellError as error:
                problems.append(Problem(name, f"{column} {error}", csv_row.row, csv_row.line, column, raw))
                ok = False
        if ok:
            records.append(record)
    return records


def _problem(record: dict, column: str | None, value: Any, message: str) -> Problem:
    return Problem(record["_file"], message, record["_row"], record["_line"], column, value)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifests(problems: list[Problem], known_cities: set[str]) -> tuple[list[dict], dict[str, str]]:
    """Read every data/raw/*.yaml manifest, verify its raw file's checksum, and return the texts."""
    from sdgcities.build.inputs.validate_sources import check_manifest  # imported here: that module imports Problem from this one
    documents, texts = [], {}
    raw = paths.raw_dir()
    for manifest_path in sorted(raw.glob("*.yaml")):
        name = paths.relative(manifest_path)
        try:
            manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            problems.append(Problem(name, f"unreadable manifest: {error}"))
            continue
        except ValueError:  # YAML reads an unquoted 2019-13-45 as a date and fails on it
            problems.extend(_manifest_date_problems(name, manifest_path))
            continue
        if not isinstance(manifest, dict):
            problems.append(Problem(name, "a manifest must be a YAML mapping of the keys " + ", ".join(MANIFEST_KEYS)))
            continue
        missing = [k for k in MANIFEST_KEYS if not str(manifest.get(k) or "").strip()]
        if missing:
            problems.append(Problem(name, f"manifest is missing {missing}"))
            continue
        manifest = {k: str(manifest[k]) for k in MANIFEST_KEYS}
        if manifest["doc_id"] != manifest_path.stem:
            problems.append(Problem(name, f"doc_id must equal the manifest's file name ({manifest_path.stem})", column="doc_id", value=manifest["doc_id"]))
        if manifest["city_id"] not in known_cities:
            problems.append(Problem(name, f"unknown city_id; known cities (data/curated/reference/cities.csv): {', '.join(sorted(known_cities))}", column="city_id", value=manifest["city_id"]))
        if manifest["doc_type"] not in DOC_TYPES:
            problems.append(Problem(name, f"doc_type not allowed; allowed: {', '.join(DOC_TYPES)}", column="doc_type", value=manifest["doc_type"]))
        if not check_manifest(manifest, manifest_path, raw, problems):
            continue
        raw_path = raw / manifest["file"]
        if not raw_path.is_file():
            problems.append(Problem(name, f"the raw file {paths.relative(raw_path)} does not exist", column="file", value=manifest["file"]))
            continue
        actual = sha256_of(raw_path)
        if actual != manifest["sha256"]:
            problems.append(Problem(
                paths.relative(raw_path),
                f"sha256 is {actual} but its manifest {name} records {manifest['sha256']}: the raw file was changed. "
                "Raw documents are immutable: restore the original, or add a new version as a new document with its own manifest.",
                column="sha256", value=actual))
            continue
        try:
            texts[manifest["doc_id"]] = raw_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(paths.relative(raw_path), f"raw document is not UTF-8 text: {error}"))
            continue
        manifest["raw_path"] = paths.relative(raw_path)
        documents.append(manifest)
    if not documents and not problems:
        problems.append(Problem(paths.relative(raw), "no raw documents: expected data/raw/<doc_id>.txt with data/raw/<doc_id>.yaml"))
    return documents, texts


def _manifest_date_problems(name: str, manifest_path: Path) -> list[Problem]:
    """Name the key and value of every date-like manifest value that is not a real date."""
    found = []
    raw_values = yaml.load(manifest_path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    for key, value in raw_values.items() if isinstance(raw_values, dict) else []:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value.strip()):
            try:
                _iso_date(value.strip())
            except CellError as error:
                found.append(Problem(name, f"{error}", column=key, value=value))
    return found or [Problem(name, "unreadable manifest: a value YAML reads as a date is not a real date")]


# City ids name report files (reports/<city>.html) and executed notebooks: these are taken.
RESERVED_CITY_IDS = ("comparison", "index", "executed", "ja", "en", "exports", "codebook", "readme", "all")


def _check_city_ids_name_no_report(inputs: Inputs, problems: list[Problem]) -> None:
    for record in inputs.cities:
        if record["city_id"] in RESERVED_CITY_IDS:
            problems.append(_problem(record, "city_id", record["city_id"], f"is the name of a report or folder; city ids must not be one of {', '.join(RESERVED_CITY_IDS)}"))


def load_inputs() -> Inputs:
    """Read, parse and validate every input; raise CuratedDataError listing all problems found."""
    # Imported here: these modules import Problem from this one.
    from sdgcities.build.inputs.row_counts import check_counts
    from sdgcities.build.inputs.validate_meaning import check_meaning
    from sdgcities.build.inputs.validate_sources import check_reference_checksums
    from sdgcities.build.inputs.curated_content import CONTENT_TABLES, check_content

    problems: list[Problem] = []
    inputs = Inputs()

    # Load inputs.
    reference = paths.reference_dir()
    for table, spec in REFERENCE_TABLES.items():
        path = reference / f"{table}.csv"
        inputs.input_files.append(path)
        if not path.is_file():
            problems.append(Problem(paths.relative(path), "reference table is missing"))
            continue
        setattr(inputs, table, _parse_rows(path, spec, problems))
    city_ids = {c["city_id"] for c in inputs.cities}
    goal_numbers = {g["goal"] for g in inputs.sdg_goals}
    target_goal = {t["target"]: t["goal"] for t in inputs.sdg_targets}
    _check_reference(inputs, problems)
    check_reference_checksums(reference, problems)
    _check_city_ids_name_no_report(inputs, problems)

    inputs.documents, texts = load_manifests(problems, city_ids)
    inputs.input_files += sorted(paths.raw_dir().glob("*.yaml")) + sorted(paths.raw_dir().glob("*.txt"))
    doc_ids = {d["doc_id"] for d in inputs.documents}
    curated = paths.curated_dir()
    folders = sorted(p for p in curated.iterdir() if p.is_dir() and p.name != "reference") if curated.is_dir() else []
    for folder in folders:
        if folder.name not in doc_ids and (folder / "kpis.csv").exists():
            problems.append(Problem(paths.relative(folder), f"curated folder has no raw document manifest data/raw/{folder.name}.yaml (known documents: {', '.join(sorted(doc_ids))})"))
    for document in inputs.documents:
        folder = curated / document["doc_id"]
        for table, spec in {**DOC_TABLES, **CONTENT_TABLES}.items():
            path = folder / f"{table}.csv"
            if not path.is_file():
                problems.append(Problem(paths.relative(path), f"missing: every document needs {table}.csv (a header line alone when there is nothing)"))
                continue
            inputs.input_files.append(path)
            records = _parse_rows(path, spec, problems)
            for record in records:
                record["_doc_id"] = document["doc_id"]
            getattr(inputs, table).extend(records)

    # Process data.
    _check_documents_columns(inputs, problems)
    _check_ids(inputs, problems)
    _check_targets(inputs, target_goal, goal_numbers, problems)
    _check_quotes(inputs, texts, problems)
    _check_stakeholder_conventions(inputs, problems)
    _derive_and_check_kpis(inputs, problems)
    check_content(inputs, texts, problems)
    check_meaning(inputs, texts, problems)
    check_counts([d["doc_id"] for d in inputs.documents], problems)

    if problems:
        raise CuratedDataError(problems)
    return inputs


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _check_reference(inputs: Inputs, problems: list[Problem]) -> None:
    for record in inputs.cities:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", record["city_id"]):
            problems.append(_problem(record, "city_id", record["city_id"], "city ids are lowercase ascii (a-z, 0-9, _)"))
    for record in inputs.sdg_goals:
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", record["colour"]):
            problems.append(_problem(record, "colour", record["colour"], "is not a hex colour like #E5243B"))
    for record in inputs.sdg_targets:
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2}|[a-z])", record["target"])
        if not match or int(match.group(1)) != record["goal"]:
            problems.append(_problem(record, "target", record["target"], f"is not a target id of goal {record['goal']}"))
    for table, key in (("cities", "city_id"), ("sdg_goals", "goal"), ("sdg_targets", "target")):
        _unique(getattr(inputs, table), key, problems)


def _unique(records: list[dict], key: str, problems: list[Problem]) -> None:
    seen: dict[Any, dict] = {}
    for record in records:
        value = record[key]
        if value in seen:
            first = seen[value]
            problems.append(_problem(record, key, value, f"duplicate id: already used at {first['_file']} row {first['_row']}"))
        else:
            seen[value] = record


def _check_documents_columns(inputs: Inputs, problems: list[Problem]) -> None:
    """Each curated row names the document of its folder."""
    for table in ("kpis", "priority_targets", "stakeholders", "synergies"):
        for record in getattr(inputs, table):
            if record["doc_id"] != record["_doc_id"]:
                problems.append(_problem(record, "doc_id", record["doc_id"], f"unknown or misplaced doc_id: rows in this folder belong to document {record['_doc_id']}"))


def _check_ids(inputs: Inputs, problems: list[Problem]) -> None:
    _unique(inputs.kpis, "kpi_id", problems)
    _unique(inputs.stakeholders, "stakeholder_id", problems)
    _unique(inputs.synergies, "synergy_id", problems)
    kpis = {k["kpi_id"]: k for k in inputs.kpis}
    for record in inputs.kpis:
        prefix = f"{record['doc_id']}:{record['table_code']}:"
        if not record["kpi_id"].startswith(prefix):
            problems.append(_problem(record, "kpi_id", record["kpi_id"], f"must start with '{prefix}' (doc_id:table_code:row)"))
        if not re.fullmatch(r"[a-z0-9_]+\.[a-z0-9_]+", record["indicator_key"]):
            problems.append(_problem(record, "indicator_key", record["indicator_key"], "must look like city.snake_case_name"))
    for record in inputs.kpi_observations:
        kpi = kpis.get(record["kpi_id"])
        if kpi is None:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], "no KPI with this id in kpis.csv"))
        elif kpi["_doc_id"] != record["_doc_id"]:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], f"the KPI belongs to document {kpi['_doc_id']}, not to this folder's"))
    for record in inputs.synergies:
        if record["kpi_id"] and record["kpi_id"] not in kpis:
            problems.append(_problem(record, "kpi_id", record["kpi_id"], "no KPI with this id in kpis.csv"))
        if record["from_side"] == record["to_side"]:
            problems.append(_problem(record, "to_side", record["to_side"], "a synergy links two different sides"))
    for record in inputs.stakeholders:
        if not re.fullmatch(r"[a-z0-9_]+", record["partner_key"]):
            problems.append(_problem(record, "partner_key", record["partner_key"], "must be ascii snake_case"))
        if not record["is_redacted"] and not record["name_ja"]:
            problems.append(_problem(record, "name_ja", None, "is empty but the row is not marked is_redacted"))


def _check_targets(inputs: Inputs, target_goal: dict[str, int], goals: set[int], problems: list[Problem]) -> None:
    valid = "valid targets look like 11.2 or 12.b (the 169 ids of data/curated/reference/sdg_targets.csv)"
    for record in inputs.kpis:
        targets = []
        for part in (record["sdg_targets"] or "").split(";"):
            part = part.strip()
            if not part:
                continue
            if part not in target_goal:
                problems.append(_problem(record, "sdg_targets", part, f"not an SDG target; {valid}"))
            targets.append(part)
        if len(set(targets)) != len(targets):
            problems.append(_problem(record, "sdg_targets", record["sdg_targets"], "lists a target twice"))
        record["sdg_targets"] = targets
    for record in inputs.priority_targets:
        target = record["sdg_target"]
        if target is not None:
            if target not in target_goal:
                problems.append(_problem(record, "sdg_target", target, f"not an SDG target; {valid}"))
            elif target_goal[target] != record["sdg_goal"]:
                problems.append(_problem(record, "sdg_target", target, f"belongs to goal {target_goal[target]}, not to sdg_goal {record['sdg_goal']}"))
        elif record["sdg_goal"] not in goals:
            problems.append(_problem(record, "sdg_goal", record["sdg_goal"], "unknown goal"))
    seen = {}
    for record in inputs.priority_targets:
        key = (record["doc_id"], record["side"], record["sdg_goal"], record["sdg_target"])
        if key in seen:
            problems.append(_problem(record, "sdg_target", record["sdg_target"], f"duplicate priority target: same document, side and target as row {seen[key]['_row']}"))
        seen[key] = record


def _check_quotes(inputs: Inputs, texts: dict[str, str], problems: list[Problem]) -> None:
    """Every quote must occur verbatim (whitespace aside) in its raw document."""
    stripped = {doc: strip_whitespace(text) for doc, text in texts.items()}
    for table in ("kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies"):
        for record in getattr(inputs, table):
            text = stripped.get(record["_doc_id"])
            if text is None:
                continue
            quote = strip_whitespace(record["source_quote"])
            record["_quote_stripped"] = quote
            if quote not in text:
                problems.append(_problem(record, "source_quote", record["source_quote"], f"not found verbatim (whitespace aside) in data/raw/{record['_doc_id']}.txt"))


def _check_stakeholder_conventions(inputs: Inputs, problems: list[Problem]) -> None:
    """A date has its event and the event its date (CURATION_GUIDE.md, "Stakeholders"). That role_ja and
    the printed date are copied from the row's quote is a rule of validate_meaning.QUOTE_RULES."""
    for record in inputs.stakeholders:
        # The printed date (event_on_label) carries the event; event_on is its calendar date, left empty
        # when the label prints none (a fiscal year 2021年度 is April 2021 to March 2022, not a date).
        if (record["event"] is None) != (record["event_on_label"] is None):
            column, value = ("event", record["event"]) if record["event_on_label"] is None else ("event_on_label", record["event_on_label"])
            problems.append(_problem(record, column, value, "event and event_on_label go together: a dated row names what happened on that date, an undated row has no event"))
        if record["event_on"] is not None and record["event_on_label"] is None:
            problems.append(_problem(record, "event_on_label", None, "event_on needs event_on_label, the date as printed"))


def _derive_and_check_kpis(inputs: Inputs, problems: list[Problem]) -> None:
    """Derive years and numbers, and check them against the quotes and against each other."""
    kpis = {k["kpi_id"]: k for k in inputs.kpis}
    for record in inputs.kpis:
        if not record["is_redacted"] and not record["indicator_ja"]:
            problems.append(_problem(record, "indicator_ja", None, "is empty but the row is not marked is_redacted"))
        if (record["synergy_from"] is None) != (record["synergy_to"] is None):
            problems.append(_problem(record, "synergy_to", record["synergy_to"], "synergy_from and synergy_to go together"))
        if record["synergy_from"] and record["synergy_from"] == record["synergy_to"]:
            problems.append(_problem(record, "synergy_to", record["synergy_to"], "a synergy links two different sides"))
        pct, word = parse_percent_cell(record["published_achievement"])
        record["published_achievement_pct"], record["published_achievement_text"] = pct, word
        printed = record["published_achievement"]
        if printed and "_quote_stripped" in record and strip_whitespace(printed) not in record["_quote_stripped"]:
            problems.append(_problem(record, "published_achievement", printed, "not printed in the row's source_quote"))
    for record in inputs.kpi_observations:
        year, fiscal = parse_year_label(record["label"])
        record["year"], record["is_fiscal_year"] = year, fiscal
        record["value_printed"] = record["value"]
        record["value"] = parse_number(record["value"]) if record["value"] is not None else None
        if record["value_printed"] is not None and record["value_text"] is not None:
            problems.append(_problem(record, "value_text", record["value_text"], "a cell holds either a number (value) or a text (value_text), not both"))
        if record["is_redacted"] and record["value_printed"] is not None:
            problems.append(_problem(record, "value", record["value_printed"], "a redacted cell has no value: leave it empty"))
        if record["value_printed"] is not None:
            printed = strip_whitespace(record["value_printed"])
            if "_quote_stripped" in record and printed not in record["_quote_stripped"]:
                problems.append(_problem(record, "value", record["value_printed"], "not printed in the observation's source_quote"))
            kpi = kpis.get(record["kpi_id"])
            if kpi is not None and "_quote_stripped" in kpi and printed not in kpi["_quote_stripped"]:
                problems.append(_problem(record, "value", record["value_printed"], f"not printed in the source_quote of its KPI row {record['kpi_id']} ({kpi['_file']} row {kpi['_row']})"))
        if record["kind"] == "target" and year is not None and not TARGET_YEAR_RANGE[0] <= year <= TARGET_YEAR_RANGE[1]:
            problems.append(_problem(record, "label", record["label"], f"target year {year} outside {TARGET_YEAR_RANGE[0]}-{TARGET_YEAR_RANGE[1]}"))
        if year is not None and not 1900 <= year <= 2100:
            problems.append(_problem(record, "label", record["label"], f"implausible year {year}"))
    by_kpi: dict[str, list[dict]] = {}
    for record in inputs.kpi_observations:
        by_kpi.setdefault(record["kpi_id"], []).append(record)
    for kpi_id, observations in by_kpi.items():
        baseline_years = [o["year"] for o in observations if o["kind"] == "baseline" and o["year"] is not None]
        for observation in observations:
            if observation["kind"] == "actual" and observation["year"] is not None and baseline_years and observation["year"] < min(baseline_years):
                problems.append(_problem(observation, "label", observation["label"], f"actual year {observation['year']} is before the baseline year {min(baseline_years)} of {kpi_id}"))
