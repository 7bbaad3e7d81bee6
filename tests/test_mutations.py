"""Mutation test: change every number of a document's curated rows in turn (each value of
kpi_observations, each numeric published_achievement of kpis, each year label) and show that the
validator refuses every change, naming the changed cell. kumamoto_progress_2022 is the richest
document; the other documents with KPI values are run too."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO
from sdgcities.build.inputs.curated import CuratedDataError, load_inputs
from sdgcities.build.inputs.printed import MINUS_SIGNS

DOCUMENTS = ["kumamoto_progress_2022", "kaga_plan_2026", "kaga_smartcity_2021", "hiratsuka_proposal_2022"]
_NUMBER = re.compile(r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


def number_mutations(printed: str, label: str | None) -> dict[str, str]:
    """{mutated text: kind of change} for a number as printed (and the year label of its cell)."""
    negative = printed[0] in MINUS_SIGNS
    body = printed[1:] if negative else printed
    found: dict[str, str] = {}

    def add(text: str, kind: str) -> None:
        if text and text != printed and text not in found:
            found[text] = kind

    add(body if negative else "-" + body, "sign flipped")
    for i, char in enumerate(printed):
        if char.isdigit():
            add(printed[:i] + printed[i + 1:], "a digit dropped")
    for i in range(1, len(body)):
        for part in (body[:i], body[i:]):  # a leading or trailing part that is itself a number
            if _NUMBER.fullmatch(part):
                add(("-" if negative else "") + part, "a part of the number")
    last = body.rstrip("0123456789")
    if body[-1].isdigit():
        for step in (-1, 1):
            digit = (int(body[-1]) + step) % 10
            add(("-" if negative else "") + last + body[len(last):-1] + str(digit), "a neighbouring number")
    year = re.search(r"\d{4}", label or "")
    if year:
        y = year.group()
        for part in (y, y[:2], y[:3], y[1:], y[2:]):
            add(part, "the year of its label, or a part of it")
    return found


def label_mutations(label: str) -> dict[str, str]:
    year = int(re.search(r"\d{4}", label).group())
    return {label.replace(str(year), str(year + step), 1): "a neighbouring year" for step in (-1, 1)}


def one_document_root(root: Path, doc: str) -> Path:
    """A root holding only this document (validation is per document; one document keeps it fast)."""
    (root / "data" / "raw").mkdir(parents=True)
    for suffix in (".txt", ".yaml"):
        shutil.copy(REPO / "data" / "raw" / f"{doc}{suffix}", root / "data" / "raw")
    for folder in ("reference", doc):
        shutil.copytree(REPO / "data" / "curated" / folder, root / "data" / "curated" / folder)
    shutil.copy(REPO / "pyproject.toml", root)
    return root


def planned_mutations(folder: Path) -> list[tuple[str, int, str, str, str, str]]:
    """(table, row, column, mutated text, kind, kpi_id) for every number and year label of the document."""
    planned = []
    for table, columns in (("kpi_observations", ("value", "label")), ("kpis", ("published_achievement",))):
        with open(folder / f"{table}.csv", encoding="utf-8", newline="") as f:
            for row, record in enumerate(csv.DictReader(f), start=1):
                for column in columns:
                    printed = record[column].strip()
                    if not printed or not re.search(r"\d", printed):
                        continue  # empty, or a word such as 達成
                    changes = label_mutations(printed) if column == "label" else number_mutations(printed, record.get("label"))
                    planned += [(table, row, column, text, kind, record["kpi_id"]) for text, kind in changes.items()]
    return planned


def rounds_of(planned: list[tuple]) -> list[list[tuple]]:
    """Group the changes into rounds holding at most one change per KPI (its row and its observations).

    Every rule reads one row, or one KPI with its own observations; nothing is compared across KPIs
    (the quotes, the other tables and the row counts are not changed). So changes to different KPIs
    in one round cannot hide or cause each other's refusal, and each must be refused by a problem
    naming its own cell: a round is the same as trying its changes one by one, only faster.
    """
    per_kpi: dict[str, list[tuple]] = {}
    for change in planned:
        per_kpi.setdefault(change[5], []).append(change)
    depth = max(len(changes) for changes in per_kpi.values())
    return [[changes[i] for changes in per_kpi.values() if i < len(changes)] for i in range(depth)]


def write_changes(folder: Path, originals: dict[str, bytes], changes: list[tuple]) -> list[str]:
    """Write the changes into the document's files (from their original bytes); return the tables changed."""
    tables = {}
    for table, row, column, text, _, _ in changes:
        rows = tables.setdefault(table, list(csv.reader(originals[table].decode("utf-8").splitlines())))
        rows[row][rows[0].index(column)] = text
    for table, rows in tables.items():
        with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return list(tables)


def apply_and_validate(folder: Path, originals: dict[str, bytes], changes: list[tuple]) -> list[str]:
    """Write the changes, validate, restore the files; return the changes that got through."""
    tables = write_changes(folder, originals, changes)
    try:
        load_inputs()
        problems = []
    except CuratedDataError as error:
        problems = error.problems
    finally:
        for table in tables:
            (folder / f"{table}.csv").write_bytes(originals[table])
    named = {(p.file.rsplit("/", 1)[-1], p.row, p.column) for p in problems}
    return [f"{table} row {row} {column} -> {text!r} ({kind})" for table, row, column, text, kind, _ in changes
            if (f"{table}.csv", row, column) not in named]


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_every_changed_number_is_refused(doc, tmp_path, monkeypatch, capsys):
    root = one_document_root(tmp_path / "repo", doc)
    monkeypatch.setenv("SDGCITIES_ROOT", str(root))
    folder = root / "data" / "curated" / doc
    load_inputs()  # the unchanged document is valid
    originals = {table: (folder / f"{table}.csv").read_bytes() for table in ("kpis", "kpi_observations")}
    planned = planned_mutations(folder)
    rounds = rounds_of(planned)
    escaped = [change for batch in rounds for change in apply_and_validate(folder, originals, batch)]
    # Cross-check the rounds against changes tried strictly one at a time (every 25th change).
    alone = [change for change in planned[::25] for change in apply_and_validate(folder, originals, [change])]
    kinds = Counter(change[4] for change in planned)
    cells = len({change[:3] for change in planned})
    with capsys.disabled():
        print(f"\nmutation test ({doc}): {len(planned)} changes of {cells} cells tried in {len(rounds)} rounds, "
              f"{len(planned) - len(escaped)} refused naming the changed cell, {len(escaped)} got through; "
              f"{len(planned[::25])} also tried alone, {len(alone)} got through; by kind: "
              + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    assert cells >= 10
    assert escaped == [] and alone == [], "\n".join(escaped + alone)
