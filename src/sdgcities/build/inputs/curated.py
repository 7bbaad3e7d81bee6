"""Load and validate the raw manifests and the hand-curated tables.

Everything the database holds passes through here first. Each problem found is reported with the
file, the row, the column and the value, so a curator can go straight to it; the build refuses to
write anything while a single problem remains.

The file layout and the meaning of every column are described in data/curated/CURATION_GUIDE.md.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sdgcities import paths
from sdgcities.build.inputs.beside import Beside
from sdgcities.build.inputs.checks import (
    _check_documents_columns, _check_ids, _check_quotes, _check_reference, _check_stakeholder_conventions,
    _check_targets, _derive_and_check_kpis, derive_kpi_values, derive_targets,
)
from sdgcities.build.inputs.extraction_losses import load_losses
from sdgcities.build.inputs.manifests import load_manifests
from sdgcities.build.inputs.names import by_parts, folders_resolved_once, relative
from sdgcities.build.inputs.problems import CuratedDataError, Problem, _problem
from sdgcities.build.inputs.row_counts import check_counts
from sdgcities.build.inputs.tables import DOC_TABLES, REFERENCE_TABLES, _parse_rows, parse_files
from sdgcities.build.inputs.validate_sources import check_reference_checksums

# Where each part lives: problems.py (Problem, CuratedDataError), tables.py (columns, vocabularies, the CSV
# reader), manifests.py (data/raw/*.yaml), checks.py (checks across rows); this module loads them all.
__all__ = ["CuratedDataError", "Inputs", "PendingChecks", "Problem", "RESERVED_CITY_IDS", "load_inputs", "load_inputs_beside"]


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
    # Parts lost in the text extraction (extraction_losses.py; an optional YAML file per document).
    extraction_losses: list[dict] = field(default_factory=list)
    input_files: list[Path] = field(default_factory=list)


# City ids name report files (reports/<city>.html) and executed notebooks: these are taken.
RESERVED_CITY_IDS = ("comparison", "index", "executed", "ja", "en", "exports", "codebook", "readme", "all")


def _check_city_ids_name_no_report(inputs: Inputs, problems: list[Problem]) -> None:
    for record in inputs.cities:
        if record["city_id"] in RESERVED_CITY_IDS:
            problems.append(_problem(record, "city_id", record["city_id"], f"is the name of a report or folder; city ids must not be one of {', '.join(RESERVED_CITY_IDS)}"))


def _files_in(folder: Path) -> set[str]:
    """The names in a folder that Path.is_file() finds to be files (links followed), in one listing of it
    rather than a look-up per file."""
    try:
        with os.scandir(folder) as entries:
            return {entry.name for entry in entries if entry.is_file()}
    except (FileNotFoundError, NotADirectoryError):
        return set()


def load_inputs() -> Inputs:
    """Read, parse and validate every input; raise CuratedDataError listing all problems found."""
    with folders_resolved_once():
        try:
            inputs, last_checks = _load_inputs()
            last_checks()
            return inputs
        finally:
            _forget_readings()


class PendingChecks:
    """The input checks across rows, running beside the caller: confirm() waits for them
    and raises CuratedDataError with their problems, as load_inputs would have; cancel() drops them."""

    def __init__(self, beside: Beside | None):
        self._beside = beside

    def confirm(self) -> None:
        if self._beside is not None:
            beside, self._beside = self._beside, None
            problems = beside.result()
            if problems:
                raise CuratedDataError(problems)

    def cancel(self) -> None:
        if self._beside is not None:
            self._beside.cancel()
            self._beside = None


def load_inputs_beside() -> tuple[Inputs, PendingChecks]:
    """As load_inputs, but the checks across rows (half of the checks' time at scale) run in a forked process
    (beside.py) while the caller writes the database: the inputs, and the checks to confirm before the
    database is used. A problem found while reading the files stops here, after every check has run, as in
    load_inputs; otherwise confirm() raises the problems of the checks, in load_inputs's order."""
    with folders_resolved_once():
        try:
            inputs, last_checks = _load_inputs(beside=True)
            if isinstance(last_checks, Beside):
                return inputs, PendingChecks(last_checks)
            last_checks()
            return inputs, PendingChecks(None)
        finally:
            _forget_readings()


def _forget_readings() -> None:
    """Empty the caches of the checks' readings (every quote's tokens, labels, numbers: about a million entries
    at 1,741 cities) once the inputs are checked: kept, they would hold memory for the rest of the build and
    cost the cycle collector a pass over them (half a second) when it is turned on again."""
    from sdgcities.build.inputs import parsing, printed, validate_meaning

    for module in (parsing, printed, validate_meaning):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _read_tables_per_file(inputs: Inputs, tables: dict, folders: list[tuple[str, Path, str, set[str]]], problems: list[Problem],
                          csv_counts: dict[Path, dict]) -> None:
    """Read every document's tables and its extraction losses, a file at a time, adding every problem found."""
    rows_per_document: Counter[tuple[str, str]] = Counter()  # (doc_id, table) -> rows read so far
    for doc_id, folder, folder_name, files in folders:
        for table, spec in tables.items():
            path = folder / f"{table}.csv"
            if f"{table}.csv" not in files:
                problems.append(Problem(f"{folder_name}/{table}.csv", f"missing: every document needs {table}.csv (a header line alone when there is nothing)"))
                continue
            inputs.input_files.append(path)
            records = _parse_rows(path, spec, problems, f"{folder_name}/{table}.csv", csv_counts, doc_id)
            getattr(inputs, table).extend(records)
            rows_per_document[(doc_id, table)] += len(records)
        rows_per_table = {table: rows_per_document[(doc_id, table)] for table in DOC_TABLES}
        inputs.extraction_losses += load_losses(folder, doc_id, rows_per_table, problems)


def _read_tables_together(inputs: Inputs, tables: dict, folders: list[tuple[str, Path, str, set[str]]], problems: list[Problem],
                          csv_counts: dict[Path, dict]) -> bool:
    """As _read_tables_per_file, reading the files of each table together (tables.parse_files: each column parsed
    once for 1,741 files rather than once per file), when every file is there and reads without a problem; False,
    with nothing read, otherwise (its problems are then found, and ordered, by reading a file at a time)."""
    if any(f"{table}.csv" not in files for _, _, _, files in folders for table in tables) or len({doc_id for doc_id, *_ in folders}) < len(folders):
        return False  # (a document named twice reads its files twice, and counts their rows together)
    found: list[Problem] = []
    files = {doc_id: [folder / f"{table}.csv" for table in tables] for doc_id, folder, _, _ in folders}  # in the order of `tables`
    read = {table: parse_files(spec, [(files[doc_id][number], f"{folder_name}/{table}.csv", doc_id) for doc_id, _, folder_name, _ in folders],
                               found, csv_counts)
            for number, (table, spec) in enumerate(tables.items())}
    if found:
        return False
    for table, records in read.items():
        getattr(inputs, table).extend(records)
    for doc_id, folder, _, _ in folders:
        inputs.input_files += files[doc_id]
        # Every row read is a record (no problem found): the rows of each file are its records.
        rows_per_table = {table: csv_counts[path]["rows"] for table, path in zip(tables, files[doc_id]) if table in DOC_TABLES}
        inputs.extraction_losses += load_losses(folder, doc_id, rows_per_table, problems)
    return True


def _load_inputs(beside: bool = False):
    """(inputs as read, the checks across rows): a function that runs them and raises every problem found, or,
    with `beside` and no problem found while reading, a Beside running them in a forked process that returns
    their problems (and the inputs with the values the checks derive)."""
    # Imported here: these modules import Inputs from this one.
    from sdgcities.build.inputs.curated_content import CONTENT_TABLES, check_content, derive_content_values
    from sdgcities.build.inputs.validate_meaning import check_meaning

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
    inputs.input_files += sorted(paths.raw_dir().glob("*.yaml"), key=by_parts) + sorted(paths.raw_dir().glob("*.txt"), key=by_parts)
    doc_ids = {d["doc_id"] for d in inputs.documents}
    curated = paths.curated_dir()
    folders = sorted((p for p in curated.iterdir() if p.is_dir() and p.name != "reference"), key=by_parts) if curated.is_dir() else []
    for folder in folders:
        if folder.name not in doc_ids and (folder / "kpis.csv").exists():
            problems.append(Problem(paths.relative(folder), f"curated folder has no raw document manifest data/raw/{folder.name}.yaml (known documents: {', '.join(sorted(doc_ids))})"))
    csv_counts: dict[Path, dict] = {}  # the row counts of the files read, for check_counts
    tables = {**DOC_TABLES, **CONTENT_TABLES}
    # Each document's folder, its name as messages give it (once per folder: resolving every file's path costs
    # seconds at scale) and its files.
    folders_read = [(document["doc_id"], curated / document["doc_id"]) for document in inputs.documents]
    folders_read = [(doc_id, folder, relative(folder), _files_in(folder)) for doc_id, folder in folders_read]
    if not _read_tables_together(inputs, tables, folders_read, problems, csv_counts):
        csv_counts.clear()
        _read_tables_per_file(inputs, tables, folders_read, problems, csv_counts)

    # Process data.
    doc_ids = [d["doc_id"] for d in inputs.documents]

    def check(found: list[Problem], *, derive_only: bool = False) -> list[Problem]:
        """Every check across rows, in order, appending to `found`. Three of them also derive values the database
        holds (SDG target lists, the years and numbers of KPI cells, the amounts of content rows): with
        derive_only, only their derivations run (their checks left to a copy running them all)."""
        if derive_only:  # the derivations of _check_targets, _derive_and_check_kpis and check_content, without their checks
            derive_targets(inputs)
            derive_kpi_values(inputs)
            derive_content_values(inputs)
            return found
        _check_documents_columns(inputs, found)
        _check_ids(inputs, found)
        _check_targets(inputs, target_goal, goal_numbers, found)
        _check_quotes(inputs, texts, found)
        _check_stakeholder_conventions(inputs, found)
        _derive_and_check_kpis(inputs, found)
        check_content(inputs, texts, found)
        check_meaning(inputs, texts, found)
        check_counts(doc_ids, found, csv_counts)
        return found

    if beside and not problems:
        # The copy checks the rows as read (fork: before any derivation here); this process derives and goes on.
        pending = Beside(lambda: check([]))
        check([], derive_only=True)
        return inputs, pending

    def run_and_raise() -> None:
        if check(problems):
            raise CuratedDataError(problems)

    return inputs, run_and_raise
