"""Recorded row counts per curated table (and per printed section), so that lost rows are noticed.

Each document folder holds `row_counts.yaml`, written deliberately by

    python -m sdgcities.build --record-counts [DOC_ID ...]

The build compares every CSV file of the folder with it: a file with fewer (or more) rows than
recorded, a section that lost rows, or a table with no recorded count is refused, naming the table,
the section and both counts. Any CSV file in the folder is covered, so tables added later need no code.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from pathlib import Path

import yaml

from sdgcities import paths
from sdgcities.build.inputs.names import relative
from sdgcities.build.inputs.parsing import load_yaml
from sdgcities.build.inputs.problems import Problem

FILE_NAME = "row_counts.yaml"
SECTION_COLUMN = "section"
HEADER = (
    "# Curated rows per table and per printed section, recorded deliberately with\n"
    "#   python -m sdgcities.build --record-counts {doc_id}\n"
    "# The build refuses a table whose rows differ from these counts (a lost or truncated file).\n"
)


def count_rows(folder: Path, counted: dict[Path, dict] | None = None) -> dict[str, dict]:
    """{table: {"rows": n, "sections": {section: n}}} for every CSV file in a document folder. `counted` holds
    the counts of files already read by the build (tables._parse_rows), which are not read again."""
    counts: dict[str, dict] = {}
    # The files folder.glob("*.csv") finds, by one listing of the folder (glob's pattern matching costs a
    # tenth of a second at 1,741 folders); sorted by name, as Paths in one folder sort.
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries if entry.name.endswith(".csv"))
    except (FileNotFoundError, NotADirectoryError):
        names = []  # as glob finds nothing there
    for path in (folder / name for name in names):
        if counted is not None and path in counted:
            counts[path.stem] = counted[path]
            continue
        text = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader, [])]
        counts[path.stem] = table_counts(header, [cells for cells in reader if "".join(cells).strip()])  # a row of blank cells is no row
    return counts


def table_counts(header: Sequence[str], rows: list[Sequence[str]]) -> dict:
    """{"rows": n, "sections": {section: n}} of one file's rows (blank rows left out); sections when it has a section column."""
    entry: dict = {"rows": len(rows)}
    if SECTION_COLUMN in header:
        position = list(header).index(SECTION_COLUMN)
        sections: dict[str, int] = {}
        for cells in rows:
            section = cells[position].strip() if position < len(cells) else ""
            sections[section] = sections.get(section, 0) + 1
        entry["sections"] = sections
    return entry


def record_counts(doc_ids: list[str] | None = None) -> list[Path]:
    """Write row_counts.yaml for the given documents (default: every document folder)."""
    curated = paths.curated_dir()
    folders = [curated / d for d in doc_ids] if doc_ids else sorted(p for p in curated.iterdir() if p.is_dir() and (p / "kpis.csv").is_file())
    for folder in folders:
        if not folder.is_dir():
            raise FileNotFoundError(f"no curated folder {paths.relative(folder)}")
    return [write_counts(folder) for folder in folders]


def write_counts(folder: Path) -> Path:
    """Write one folder's row_counts.yaml from its CSV files as they are now."""
    text = HEADER.format(doc_id=folder.name) + yaml.safe_dump(count_rows(folder), allow_unicode=True, sort_keys=True, width=200)
    (folder / FILE_NAME).write_text(text, encoding="utf-8")
    return folder / FILE_NAME


def check_counts(doc_ids: list[str], problems: list[Problem], counted: dict[Path, dict] | None = None) -> None:
    """Compare each document folder's CSV files with its recorded counts (`counted`: as for count_rows)."""
    for doc_id in doc_ids:
        folder = paths.curated_dir() / doc_id
        record_path = folder / FILE_NAME
        command = f"python -m sdgcities.build --record-counts {doc_id}"
        name = relative(record_path)
        if not record_path.is_file():
            problems.append(Problem(name, f"missing: the curated row counts of this document are not recorded; after checking the rows, run `{command}`"))
            continue
        try:
            recorded = _load_counts(record_path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            problems.append(Problem(name, f"unreadable YAML: {error}; re-record with `{command}`"))
            continue
        actual = count_rows(folder, counted)
        folder_name = relative(folder)
        for table, entry in actual.items():
            file_name = f"{folder_name}/{table}.csv"
            expected = recorded.get(table) if isinstance(recorded, dict) else None
            if not isinstance(expected, dict) or "rows" not in expected:
                problems.append(Problem(file_name, f"table {table} has no recorded row count in {name}; after checking its rows, run `{command}`", value=entry["rows"]))
                continue
            if entry["rows"] != expected["rows"]:
                change = "lost" if entry["rows"] < expected["rows"] else "gained"
                problems.append(Problem(file_name, (
                    f"{change} rows: {entry['rows']} rows but {expected['rows']} recorded in {name}. Restore the lost rows "
                    f"(git diff {file_name}); if the change is deliberate, re-record with `{command}`"), column="rows", value=entry["rows"]))
            for section in sorted(set(expected.get("sections") or {}) | set(entry.get("sections", {}))):
                want = (expected.get("sections") or {}).get(section, 0)
                have = entry.get("sections", {}).get(section, 0)
                if "sections" in expected and have != want:
                    problems.append(Problem(file_name, (
                        f"section {section!r} has {have} rows but {want} recorded in {name}; restore them, or re-record with `{command}`"),
                        column=SECTION_COLUMN, value=section))
        for table in sorted(set(recorded) - set(actual)) if isinstance(recorded, dict) else []:
            problems.append(Problem(paths.relative(folder / f"{table}.csv"), f"missing, but {name} records {recorded[table].get('rows') if isinstance(recorded[table], dict) else '?'} rows for it; restore the file or re-record with `{command}`"))


# Reading row_counts.yaml: the YAML library takes a fifth of a second for 1,741 of these small files, so the
# form write_counts writes is read directly; anything else (hand edits, odd keys) goes to the YAML reader.
_STR_TAG = "tag:yaml.org,2002:str"
_COUNT = re.compile(r"0|[1-9][0-9]*")
_NOT_FIRST = set("-?:,[]{}#&*!|>'\"%@` ")


def _load_counts(text: str):
    """The recorded counts, exactly as load_yaml reads them."""
    fast = _read_written_form(text)
    return fast if fast is not None else load_yaml(text)


def _plain_key(key: str) -> bool:
    """Whether YAML reads `key: ...` (a plain scalar in block context) as exactly this string."""
    return (bool(key) and key == key.strip() and key.isprintable() and key[0] not in _NOT_FIRST and ": " not in key
            and " #" not in key and not key.endswith(":")
            and yaml.resolver.Resolver().resolve(yaml.ScalarNode, key, (True, False)) == _STR_TAG)


def _read_written_form(text: str) -> dict | None:
    """The counts of a file in the form write_counts writes (comments, `table:`, `  rows: n`, `  sections: {}` or
    `  sections:` with `    section: n` lines), or None when the file is in any other form."""
    result: dict = {}
    entry = sections = None
    for line in text.split("\n"):
        if not line or line.startswith("#"):
            continue
        if line.startswith("    "):
            key, separator, value = line[4:].rpartition(": ")
            if sections is None or not separator or not _COUNT.fullmatch(value) or not _plain_key(key) or key in sections:
                return None
            sections[key] = int(value)
            continue
        if sections is not None and not sections:
            return None  # `sections:` with nothing under it (YAML reads null)
        sections = None
        if line.startswith("  "):
            key, separator, value = line[2:].partition(":")
            if entry is None or key in entry:
                return None
            if key == "rows" and value.startswith(" ") and _COUNT.fullmatch(value[1:]):
                entry["rows"] = int(value[1:])
            elif key == "sections" and value == " {}":
                entry["sections"] = {}
            elif key == "sections" and value == "":
                sections = entry["sections"] = {}
            else:
                return None
            continue
        key = line[:-1]
        if not line.endswith(":") or not _plain_key(key) or key in result or entry == {}:
            return None  # (an earlier `table:` with nothing under it: YAML reads null)
        entry = result[key] = {}
    if (sections is not None and not sections) or entry == {}:
        return None
    return result or None  # no table at all: YAML reads null
