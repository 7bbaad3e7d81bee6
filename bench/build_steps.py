"""Time each step of one database build (wall and CPU seconds, no profiler): the input checks, each model, writing.

    SDGCITIES_ROOT=/tmp/synth python bench/build_steps.py [--database PATH]

It runs the real build (sdgcities.build.run.build, forced) with timers wrapped around its steps and
prints them, most CPU first. The checks across rows run in line, before the writing (the build runs them in
a forked process beside it: --beside, where they are not timed). Steps nest: `run.load_inputs` holds the input checks, `write_database (all)`
the models. The database goes to a temporary file unless --database names one.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

from sdgcities.build import graph, run
from sdgcities.build.inputs import curated, curated_content, validate_meaning

TIMES: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # label -> [wall, CPU] seconds


@contextlib.contextmanager
def _clock(label: str):
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        TIMES[label][0] += time.perf_counter() - wall
        TIMES[label][1] += time.process_time() - cpu


def _timed(label: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with _clock(label):
            return function(*args, **kwargs)
    return wrapper


class _TimedConnection:
    """A connection whose execute() is timed per statement: `create table|view <name>` names a model."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def execute(self, query, *args, **kwargs):
        found = re.match(r"create (?:table|view) (\w+)", query)
        label = ("write src_* tables" if found.group(1).startswith("src_") else f"model {found.group(1)}") if found else "other SQL"
        with _clock(label):
            return self._con.execute(query, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


def _install() -> None:
    for module, names in ((curated, ("_parse_rows", "load_manifests", "load_losses", "check_reference_checksums", "_check_reference",
                                     "_check_documents_columns", "_check_ids", "_check_targets", "_check_quotes",
                                     "_check_stakeholder_conventions", "_derive_and_check_kpis", "check_counts",
                                     "derive_targets", "derive_kpi_values", "parse_files")),
                          (run, ("fingerprint", "load_inputs", "_check_database", "_verify_swapped")),
                          (run.dbfile, ("write_sidecar",))):
        for name in names:
            if hasattr(module, name):  # (names an older version lacks)
                setattr(module, name, _timed(f"{module.__name__.rsplit('.', 1)[-1]}.{name}", getattr(module, name)))
    curated_content.check_content = _timed("curated_content.check_content", curated_content.check_content)
    if hasattr(curated_content, "derive_content_values"):
        curated_content.derive_content_values = _timed("curated_content.derive_content_values", curated_content.derive_content_values)
    validate_meaning.check_meaning = _timed("validate_meaning.check_meaning", validate_meaning.check_meaning)
    original_run_python = graph.run_python
    graph.run_python = lambda model, *args: _timed(f"model {model.name} (python)", original_run_python)(model, *args)
    connect = duckdb.connect
    run.duckdb = type("duckdb_proxy", (), {"connect": staticmethod(lambda *a, **k: _TimedConnection(connect(*a, **k))),
                                          "Error": duckdb.Error, "__version__": duckdb.__version__})
    run.write_database = _timed("write_database (all)", run.write_database)
    run._arrow_table = _timed("run._arrow_table (source tables to Arrow)", run._arrow_table)
    run.input_files = _timed("run.input_files", run.input_files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, help="where to write the database (default: a temporary directory)")
    parser.add_argument("--beside", action="store_true",
                        help="check the rows in a forked process beside the writing, as the build does (its steps are then not timed)")
    args = parser.parse_args(argv)
    run.CHECK_BESIDE = args.beside  # in line by default, so that every check is timed
    _install()
    if hasattr(run, "_arrow_without_pandas"):
        run._arrow_without_pandas()  # as the build command (run.main) does
    with tempfile.TemporaryDirectory() as scratch:
        database = args.database or Path(scratch) / "sdgs.duckdb"
        with contextlib.redirect_stdout(sys.stderr), _clock("build total"):
            run.build(database, force=True, quiet=True)
    print("    wall      CPU  step (seconds; the CPU figure is steadier on a shared machine)")
    for label, (wall, cpu) in sorted(TIMES.items(), key=lambda item: -item[1][1]):
        print(f"{wall:8.2f} {cpu:8.2f}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
