"""The build checks the rows in a forked process beside the database writing (curated.load_inputs_beside,
inputs/beside.py). That path must give exactly what load_inputs gives: the same records on the real inputs,
and the same problems, in the same order, on corrupted copies (whether found while reading the files, by
the checks across rows, or by several of them); and the build must refuse such a copy as before."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import pytest

from test_build import build_and_refuse, edit_cell
from test_mutations import planned_mutations, rounds_of, write_changes
from sdgcities.build import run as build
from sdgcities.build.inputs import beside
from sdgcities.build.inputs.curated import CuratedDataError, load_inputs, load_inputs_beside

KUMAMOTO = Path("data/curated/kumamoto_progress_2022")
KAGA = Path("data/curated/kaga_plan_2026")


def serial(root: Path):
    """(inputs, problems) of load_inputs: the reference."""
    try:
        return load_inputs(), []
    except CuratedDataError as error:
        return None, error.problems


def forked(root: Path):
    """(inputs, problems) of load_inputs_beside and its confirm(), as the build calls them."""
    try:
        inputs, pending = load_inputs_beside()
        pending.confirm()
        return inputs, []
    except CuratedDataError as error:
        return None, error.problems


def append_row(root: Path, relative: Path, copy_of: int) -> None:
    path = root / relative
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows.append(rows[copy_of])
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


# Each corruption: what it does to a copy of the inputs. Some are found while reading the files (then every
# check runs in this process), most by the checks across rows (in the forked process), some by both.
CORRUPTIONS = {
    "value not in its quote": lambda root: edit_cell(root, KUMAMOTO / "kpi_observations.csv", 1, "value", "99,999"),
    "year label changed": lambda root: edit_cell(root, KUMAMOTO / "kpi_observations.csv", 2, "label", "2099年度"),
    "duplicate kpi id": lambda root: edit_cell(root, KUMAMOTO / "kpis.csv", 2, "kpi_id", "kumamoto_progress_2022:overall:01"),
    "quote not in the document": lambda root: edit_cell(root, KAGA / "stakeholders.csv", 1, "source_quote", "どこにもない引用文です"),
    "target of another goal": lambda root: edit_cell(root, KUMAMOTO / "priority_targets.csv", 1, "sdg_target", "3.1"),
    "row added (row counts)": lambda root: append_row(root, KUMAMOTO / "synergies.csv", 1),
    "id with a space": lambda root: edit_cell(root, KUMAMOTO / "kpis.csv", 3, "indicator_key", " kumamoto.x"),
    "unknown side (read)": lambda root: edit_cell(root, KUMAMOTO / "kpis.csv", 1, "side", "sideways"),
    "read and checks": lambda root: (edit_cell(root, KUMAMOTO / "kpis.csv", 1, "is_repeat", "maybe"),
                                     edit_cell(root, KAGA / "kpi_observations.csv", 1, "value", "12345")),
}


@pytest.fixture
def root(workspace):
    return workspace


def test_the_forked_checks_give_the_same_records_on_the_real_inputs(root):
    reference, problems = serial(root)
    assert problems == []
    inputs, problems = forked(root)
    assert problems == []
    # Every table, record by record, and the input files. Only the checks' own note of a row's quote (without
    # whitespace, which no table holds) is missing here: those checks ran in the forked process.
    for name in [field for field in vars(reference) if field != "input_files"]:
        assert [_without_check_notes(r) for r in getattr(inputs, name)] == [_without_check_notes(r) for r in getattr(reference, name)], name
    assert inputs.input_files == reference.input_files
    assert sum(len(getattr(inputs, name)) for name in build.SOURCE_SCHEMAS) > 1000


def _without_check_notes(record: dict) -> dict:
    return {key: value for key, value in record.items() if key != "_quote_stripped"}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_the_forked_checks_give_the_same_problems_on_a_corrupted_copy(root, name):
    CORRUPTIONS[name](root)
    _, reference = serial(root)
    assert reference, "the corruption is refused"
    _, problems = forked(root)
    assert problems == reference  # the same problems (file, row, line, column, value, message), in order


def test_the_forked_checks_give_the_same_problems_on_every_changed_number(root):
    # test_mutations.py's changes of kumamoto_progress_2022, a round at a time.
    folder = root / KUMAMOTO
    originals = {table: (folder / f"{table}.csv").read_bytes() for table in ("kpis", "kpi_observations")}
    rounds = rounds_of(planned_mutations(folder))
    for batch in rounds[:6]:
        tables = write_changes(folder, originals, batch)
        _, reference = serial(root)
        _, problems = forked(root)
        assert reference and problems == reference
        for table in tables:
            (folder / f"{table}.csv").write_bytes(originals[table])


def test_a_build_refuses_rows_the_forked_checks_refuse(root):
    build.build(quiet=True)
    edit_cell(root, KUMAMOTO / "kpi_observations.csv", 1, "value", "99,999")
    message = build_and_refuse(root)  # the previous database is kept, no temporary file is left
    assert "not printed as a whole number" in message and "kpi_observations.csv" in message


def test_an_error_in_the_forked_checks_is_raised_here():
    def broken():
        raise KeyError("a bug in a check")

    with pytest.raises(KeyError, match="a bug in a check"):
        beside.Beside(broken).result()
    assert beside.Beside(lambda: {"pid": os.getpid()}).result()["pid"] != os.getpid() or beside.cores() == 1


@pytest.mark.skipif(beside.cores() < 2 or not sys.platform.startswith("linux"), reason="runs in line on one core")
def test_a_check_process_that_dies_says_so_and_how_to_check_in_line():
    """A copy killed before it answers (out of memory, a kill): the build learns it, with what to do."""
    import signal

    running = beside.Beside(lambda: os.kill(os.getpid(), signal.SIGKILL))
    with pytest.raises(RuntimeError, match=r"second process beside the build \(PID \d+\).*taskset -c 0 make data"):
        running.result()
