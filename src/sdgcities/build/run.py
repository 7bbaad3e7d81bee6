"""Build data/curated/sdgs.duckdb from the raw documents and the curated tables (`make data`).

The build is deterministic (same inputs, same content) and atomic: it writes a temporary file next
to the database, validates it, and only then renames it over the previous one, so a failed or killed
build leaves the last good database intact and readable.

    python -m sdgcities.build            # validate and build
    python -m sdgcities.build --check    # validate the inputs and the model graph only, write nothing
    python -m sdgcities.build --graph    # print the models in build order with what each reads
    python -m sdgcities.build --force    # rebuild even when up to date (`make data FORCE=1`)
    python -m sdgcities.build --no-wait  # stop instead of waiting when another build runs

One build at a time: a second one waits for the lock (sdgs.duckdb.lock) and says so. See dbfile.py
for the files kept beside the database.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import operator
import os
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from sdgcities.build import dbfile, graph
from sdgcities import paths
from sdgcities.build.inputs.curated import CuratedDataError, Inputs, PendingChecks, load_inputs, load_inputs_beside
from sdgcities.build.inputs.curated_content import CONTENT_SCHEMAS, CONTENT_SORT_KEYS
from sdgcities.build.inputs.names import by_parts

# Column types of the source tables the SQL models read. Private columns (starting with _) are
# locations for messages and are not written, except _row (printed order within a file).
SOURCE_SCHEMAS: dict[str, dict[str, pa.DataType]] = {
    "cities": {"city_id": pa.string(), "name_ja": pa.string(), "name_en": pa.string(), "prefecture_ja": pa.string(), "prefecture_en": pa.string()},
    "sdg_goals": {"goal": pa.int32(), "name_ja": pa.string(), "name_en": pa.string(), "colour": pa.string()},
    "sdg_targets": {"target": pa.string(), "goal": pa.int32()},
    "documents": {
        "doc_id": pa.string(), "city_id": pa.string(), "file": pa.string(), "raw_path": pa.string(), "original_filename": pa.string(),
        "title_ja": pa.string(), "title_en": pa.string(), "publisher": pa.string(), "published_label": pa.string(), "published_on": pa.string(),
        "doc_type": pa.string(), "covers": pa.string(), "format": pa.string(), "source": pa.string(), "licence": pa.string(), "sha256": pa.string(),
    },
    "kpis": {
        "kpi_id": pa.string(), "doc_id": pa.string(), "section": pa.string(), "table_code": pa.string(), "row_no": pa.string(),
        "side": pa.string(), "synergy_from": pa.string(), "synergy_to": pa.string(), "indicator_ja": pa.string(), "indicator_key": pa.string(),
        "unit": pa.string(), "sdg_targets": pa.list_(pa.string()), "is_repeat": pa.bool_(), "direction": pa.string(), "status_text": pa.string(),
        "published_achievement": pa.string(), "published_achievement_pct": pa.float64(), "published_achievement_text": pa.string(),
        "is_redacted": pa.bool_(), "note": pa.string(), "source_quote": pa.string(), "_row": pa.int32(),
    },
    "kpi_observations": {
        "kpi_id": pa.string(), "kind": pa.string(), "label": pa.string(), "column_label": pa.string(), "year": pa.int32(),
        "is_fiscal_year": pa.bool_(), "value": pa.float64(), "value_printed": pa.string(), "value_text": pa.string(), "is_redacted": pa.bool_(),
        "note": pa.string(), "source_quote": pa.string(), "_row": pa.int32(),
    },
    "priority_targets": {
        "doc_id": pa.string(), "side": pa.string(), "section": pa.string(), "sdg_goal": pa.int32(), "sdg_target": pa.string(),
        "basis": pa.string(), "note": pa.string(), "source_quote": pa.string(), "_row": pa.int32(),
    },
    "stakeholders": {
        "stakeholder_id": pa.string(), "doc_id": pa.string(), "name_ja": pa.string(), "partner_key": pa.string(), "category": pa.string(),
        "relation": pa.string(), "role_ja": pa.string(), "theme": pa.string(), "event": pa.string(), "event_on": pa.string(),
        "event_on_label": pa.string(), "is_redacted": pa.bool_(), "note": pa.string(),
        "source_quote": pa.string(), "_row": pa.int32(),
    },
    "synergies": {
        "synergy_id": pa.string(), "doc_id": pa.string(), "from_side": pa.string(), "to_side": pa.string(), "description_ja": pa.string(),
        "kpi_id": pa.string(), "note": pa.string(), "source_quote": pa.string(), "_row": pa.int32(),
    },
}

# Stable orders, so that the same inputs always give the same tables.
SORT_KEYS = {
    "cities": ("city_id",), "sdg_goals": ("goal",), "sdg_targets": ("goal", "_target_sort"), "documents": ("doc_id",),
    "kpis": ("kpi_id",), "kpi_observations": ("kpi_id", "_row"), "priority_targets": ("doc_id", "_row"),
    "stakeholders": ("stakeholder_id",), "synergies": ("synergy_id",),
}
SOURCE_SCHEMAS["extraction_losses"] = {
    "doc_id": pa.string(), "loss_kind": pa.string(), "lost_part": pa.string(), "lost_part_until": pa.string(),
    "table_name": pa.string(), "rows_affected": pa.int32(), "note": pa.string(), "_row": pa.int32(),
}
SORT_KEYS["extraction_losses"] = ("doc_id", "_row")
SOURCE_SCHEMAS.update(CONTENT_SCHEMAS)  # initiatives, initiative_kpis, expert_comments, city_facts, financing
SORT_KEYS.update(CONTENT_SORT_KEYS)


# Whether the checks across rows run in a forked process beside the database writing (False: in line, before
# it; bench/build_steps.py times them so).
CHECK_BESIDE = True


def _pause_point(stage: str) -> None:
    """Let the kill tests stop a build at a named stage (SDGCITIES_PAUSE_AT=stage): it says so and waits."""
    if os.environ.get("SDGCITIES_PAUSE_AT") == stage:
        print(f"paused at {stage}", flush=True)
        time.sleep(600)


class BuildError(Exception):
    """The database could not be built; the previous database is left as it was."""


def build_steps() -> list[graph.Model]:
    """The models under sql/ in build order: each after every model it reads (graph.py)."""
    try:
        return graph.build_order({f"src_{name}" for name in SOURCE_SCHEMAS})
    except graph.GraphError as error:
        raise BuildError(str(error)) from error


def _target_sort(target: str) -> tuple[int, str]:
    tail = target.split(".", 1)[1]
    return (int(tail), "") if tail.isdigit() else (1000, tail)


def _arrow_table(name: str, records: list[dict]) -> pa.Table:
    schema = SOURCE_SCHEMAS[name]
    if name == "sdg_targets":
        for record in records:
            record["_target_sort"] = _target_sort(record["target"])
    ordered = sorted(records, key=operator.itemgetter(*SORT_KEYS[name]))
    # Only the schema's columns; a missing one is null. Converted as one struct array, which reads the records
    # in Arrow's C++ (half the time of Table.from_pylist, which gathers each column in Python; same table).
    rows = pa.array(ordered, type=pa.struct([pa.field(column, kind) for column, kind in schema.items()]))
    table = pa.Table.from_struct_array(rows)
    return table.rename_columns([column.lstrip("_") if column == "_row" else column for column in schema])


def input_files() -> list[Path]:
    """Every file the build reads, and only those: the raw documents and manifests, the curated tables
    (not the data dictionaries, which document the database for readers), the models and data tests
    under sql/, and the build code with paths.py. Code under present/ and publish/ and the word
    catalogues are not inputs: changing them leaves the database up to date."""
    root = paths.root()
    files = [path for path, is_file in _entries(root / "data" / "raw") if is_file]
    files += [path for path, _ in _entries(paths.curated_dir(), below=True)
              if path.suffix in (".csv", ".yaml", ".sha256") and not path.name.startswith("data_dictionary")]
    files += [path for path, is_file in _entries(paths.sql_dir(), below=True) if is_file and "__pycache__" not in path.parts]
    files += sorted((paths.package_dir() / "build").rglob("*.py")) + [paths.package_dir() / "paths.py"]
    return sorted(files, key=by_parts)


def _entries(folder: Path, below: bool = False) -> list[tuple[Path, bool]]:
    """(path, whether it is a file, links followed) of every entry of a folder, and with `below` of the folders
    within it (not those behind links): what folder.glob("*") or folder.rglob("*") find, and path.is_file() says,
    from one listing of each folder (rglob lists each twice, and is_file asks again for each file)."""
    found: list[tuple[Path, bool]] = []
    folders = [folder] if folder.is_dir() else []
    while folders:
        current = folders.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except PermissionError:
            continue
        for entry in entries:
            path = current / entry.name
            try:
                is_file = entry.is_file()
            except OSError:
                is_file = False
            found.append((path, is_file))
            if below and entry.is_dir(follow_symlinks=False):
                folders.append(path)
    return found


def fingerprint(files: list[Path]) -> str:
    """A content hash of every input of the build (data, SQL, and the build code itself)."""
    digest = hashlib.sha256()
    root = paths.root()
    prefix = str(root).rstrip("/") + "/"
    for path in sorted(set(files), key=by_parts):
        # The path relative to the root as found, as paths.relative gives it for a file that is not a link
        # (without resolving every file, which costs seconds at scale). str(path.relative_to(root)) for a
        # path under the root, by its text (pathlib's relative_to costs a tenth of a second at 20,000 files).
        text = str(path)
        if text.startswith(prefix) and len(text) > len(prefix):
            name = text[len(prefix):]
        else:
            try:
                name = str(path.relative_to(root))
            except ValueError:
                name = paths.relative(path)
        digest.update(name.encode())
        digest.update(b"\0")
        with open(text, "rb") as file:
            digest.update(file.read())
        digest.update(b"\0")
    return digest.hexdigest()


@contextlib.contextmanager
def _arrow_allocator():
    """Arrow allocates with the C library's allocator meanwhile: with its default (mimalloc) the source tables
    and the Python models' columns made from Python values spent about 0.8 s of system time on fresh pages in
    a build at 1,741 cities, against 0.05 s. Every buffer is freed by the allocator that made it."""
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def write_database(inputs: Inputs, target: Path, inputs_key: str, build_id: str = "") -> dict[str, int]:
    """Write every source table and run the models (sql/, in graph order) into a new database at `target`."""
    with _arrow_allocator():
        return _write_database(inputs, target, inputs_key, build_id)


def _write_database(inputs: Inputs, target: Path, inputs_key: str, build_id: str) -> dict[str, int]:
    con = duckdb.connect(str(target))
    try:
        con.execute("set threads to 1")  # one thread: the build is small, and the output order stays fixed
        # One transaction for the whole file: committed statement by statement, each of the ~80 tables was
        # written to the write-ahead log and synced to disk, then written again into the file at a checkpoint;
        # one commit of it all is written once, straight into the file.
        con.execute("begin transaction")
        for name in SOURCE_SCHEMAS:
            table = _arrow_table(name, getattr(inputs, name))
            con.register("incoming", table)
            con.execute(f"create table src_{name} as select * from incoming")  # name comes from SOURCE_SCHEMAS, never from input
            con.unregister("incoming")
        _pause_point("source_tables_written")
        exported: dict[str, object] = {}  # relations the Python models read or wrote, as Arrow (graph.run_python)
        for model in build_steps():
            try:
                if model.is_python:
                    graph.run_python(model, con, exported)
                else:
                    con.execute(f"create {model.kind} {model.name} as\n{model.path.read_text(encoding='utf-8')}")
            except graph.GraphError as error:
                raise BuildError(str(error)) from error
            except duckdb.Error as error:
                raise BuildError(f"{paths.relative(model.path)}: {error}") from error
        # build_id names this one build (readers check they read one build throughout: api.build_id).
        con.execute(
            "create table build_info as select ? as inputs_sha256, ? as duckdb_version, ? as build_id, ? as built_at",
            [inputs_key, duckdb.__version__, build_id, build_id.split("-", 1)[0]],
        )
        _pause_point("models_run")
        _check_database(con)
        counts = {name: con.sql(f"select count(*) from {name}").fetchall()[0][0] for name in CONTRACT_VIEWS}
        con.execute("commit")
        con.execute("checkpoint")
    finally:
        with contextlib.suppress(duckdb.Error):  # after a fatal error (disk full) close raises again
            con.close()
    return counts


CONTRACT_VIEWS = ("cities", "documents", "kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies", "sdg_goals", "sdg_targets", "achievement_audit", "data_quality_findings",
                  "initiatives", "initiative_kpis", "expert_comments", "city_facts", "financing",
                  "kpi_rule_results", "published_rate_checks", "kpi_ambition", "city_kpi_summary",
                  "city_comparability", "extraction_losses", "city_sdg_coverage", "city_target_links")


def _check_database(con: duckdb.DuckDBPyConnection) -> None:
    """Run the data tests in sql/tests: each returns the rows that break a rule (none when all is well)."""
    failures = []
    for test in sorted((paths.sql_dir() / "tests").glob("*.sql")):
        rows = con.sql(test.read_text(encoding="utf-8")).fetchall()
        if rows:
            shown = "; ".join(str(r) for r in rows[:10])
            failures.append(f"{paths.relative(test)}: {len(rows)} row(s) break it: {shown}")
    if failures:
        raise BuildError("database checks failed:\n" + "\n".join(f"- {f}" for f in failures))


def built_fingerprint(database: Path) -> str | None:
    """The inputs fingerprint recorded in an existing database, or None."""
    if not database.is_file():
        return None
    try:
        return dbfile.read_build_info(database)["inputs_sha256"]
    except duckdb.Error:
        return None


def _counts(database: Path) -> dict[str, int]:
    with dbfile.open_read_only(database) as con:
        return {name: con.sql(f"select count(*) from {name}").fetchall()[0][0] for name in CONTRACT_VIEWS}


def _refuse_writer(database: Path) -> None:
    holder = dbfile.writer_holding(database)
    if holder:
        raise BuildError(dbfile.writer_message(database, holder))


def _write_failed(error: BaseException, database: Path) -> BuildError:
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    if dbfile.is_disk_full(error):
        return BuildError(
            f"the disk holding {paths.relative(database.parent)} is full (or the file size limit was reached) while "
            f"writing the new database: {first}. Free some space there and run `make data` again."
        )
    return BuildError(f"writing the new database failed: {type(error).__name__}: {first}")


@contextlib.contextmanager
def _no_cycle_collection():
    """Pause Python's cycle collector: the build creates hundreds of thousands of rows that live until it
    ends, and the collector's repeated passes over them (about a tenth of a large build) free nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(database: Path | None = None, *, quiet: bool = False, force: bool = False, wait: bool = True) -> dict[str, int]:
    """Validate the inputs and atomically replace the database. Returns row counts per view.

    One build at a time owns the file (a lock beside it; a second build waits, or stops when wait is
    False). The database is up to date, and left as it is unless force is set, only when the file is
    exactly what the last build wrote (sidecar: size, content hash, build id) from the same inputs
    (content hashes of every input). A read-write connection held by another process is refused
    (its writes would vanish); a .wal it left behind is set aside with its database, never deleted.
    After the swap the new file is opened read-only and checked before "built" is printed.
    """
    started = time.perf_counter()
    database = Path(database) if database else paths.database_path()
    database.parent.mkdir(parents=True, exist_ok=True)
    with dbfile.build_lock(database, wait=wait, quiet=quiet):
        dbfile.remove_stale_temporaries(database)  # left by killed builds: the lock says none is running
        _refuse_writer(database)
        # Hashed before any input is read (never beside the reading, even when forced): a file changed during
        # the build then leaves a fingerprint that differs from the inputs, and the next build rebuilds.
        inputs_key = fingerprint(input_files())
        reason = dbfile.out_of_date_reason(database, inputs_key)
        if not force and reason is None:
            if not quiet:
                print(f"{paths.relative(database)} is up to date (inputs and database file unchanged, {time.perf_counter() - started:.2f} s)")
            return _counts(database)

        # The collector stays paused from reading the inputs until the rows are written and let go (when
        # _load_and_write returns): turned on in between, its first pass walks every row read and frees nothing.
        with _no_cycle_collection():
            build_id, counts, kept_wal = _load_and_write(database, inputs_key)
        _verify_swapped(database, build_id, counts)
        dbfile.write_sidecar(database, build_id, inputs_key)
    if kept_wal:
        print(f"make data: {kept_wal}", file=sys.stderr)
    if not quiet:
        summary = ", ".join(f"{name} {count}" for name, count in counts.items())
        print(f"built {paths.relative(database)} (build {build_id}) in {time.perf_counter() - started:.2f} s: {summary}")
    return counts


def _load_and_write(database: Path, inputs_key: str) -> tuple[str, dict[str, int], Path | None]:
    """Validate the inputs, write the new database to a temporary file and swap it in: (build id, row counts
    per view, the .wal set aside or None)."""
    # Load inputs. The checks across rows run beside the writing, on the other core (load_inputs_beside); the
    # new database is swapped in only once they found nothing, and a failed write reports their problems first,
    # as when they ran before it.
    inputs, pending = load_inputs_beside() if CHECK_BESIDE else (load_inputs(), PendingChecks(None))
    _pause_point("inputs_loaded")

    # Process data.
    build_id = dbfile.new_build_id()
    temporary = dbfile.temporary_path(database)
    try:
        try:
            counts = write_database(inputs, temporary, inputs_key, build_id)
        except Exception as error:
            pending.confirm()  # rows the checks refuse may break the writing: their problems are the ones to report
            if isinstance(error, (duckdb.Error, OSError)):
                raise _write_failed(error, database) from error
            raise
        pending.confirm()
        _pause_point("before_swap")
        # Save outputs.
        _refuse_writer(database)  # a researcher may have opened it read-write while we built
        kept_wal = dbfile.set_aside_wal(database)
        os.replace(temporary, database)
    except BaseException:
        pending.cancel()
        for leftover in (temporary, temporary.with_name(temporary.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    return build_id, counts, kept_wal


def _verify_swapped(database: Path, build_id: str, counts: dict[str, int]) -> None:
    """Open the swapped-in file read-only, as every reader will, and check it is this build."""
    try:
        info = dbfile.read_build_info(database)
        reopened = _counts(database)
    except duckdb.Error as error:
        raise BuildError(
            f"the new {paths.relative(database)} does not open read-only: {str(error).splitlines()[0]}. "
            "Run `make data` again (it sets a stale .wal aside and rebuilds)"
        ) from error
    if info.get("build_id") != build_id or reopened != counts:
        raise BuildError(f"{paths.relative(database)} is not the file this build wrote (build id {info.get('build_id')}, expected {build_id})")


def _arrow_without_pandas() -> None:
    """pyarrow imports pandas (a fifth of a second of CPU) at its first conversion of Python values, only to ask
    whether they are pandas objects, which the build's records never are. For a process that only builds, its
    first conversion is made with pandas hidden: pyarrow then takes it to be absent, and imports it only when
    asked for a pandas object (to_pandas), as does any `import pandas` later in the process."""
    if "pandas" in sys.modules:
        return
    hidden = _NoPandas()
    sys.meta_path.insert(0, hidden)  # an import of pandas now raises ImportError
    try:
        pa.array([], type=pa.int32())
    finally:
        sys.meta_path.remove(hidden)


class _NoPandas:
    """An import finder that refuses pandas."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is hidden while pyarrow is primed (sdgcities.build.run)")
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Validate the curated data and build data/curated/sdgs.duckdb.")
    parser.add_argument("--check", action="store_true", help="validate the inputs only; write nothing")
    parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
    parser.add_argument("--no-wait", action="store_true", help="stop with a message instead of waiting when another build holds the database")
    parser.add_argument("--database", type=Path, default=None, help="where to write the database (default data/curated/sdgs.duckdb)")
    parser.add_argument("--record-counts", nargs="*", metavar="DOC_ID", default=None,
                        help="record the curated row counts (per table and section) of these documents, or of all; writes data/curated/<doc_id>/row_counts.yaml")
    parser.add_argument("--graph", action="store_true", help="print the models in build order with what each reads; build nothing")
    args = parser.parse_args(argv)
    try:
        if args.graph:
            print(graph.describe(build_steps()))
        elif args.record_counts is not None:
            from sdgcities.build.inputs.row_counts import record_counts

            for path in record_counts(args.record_counts):
                print(f"recorded {paths.relative(path)}")
        elif args.check:
            inputs = load_inputs()
            models = build_steps()  # the model graph too: a cycle or an unknown reference is an input error
            print(f"inputs valid: {len(inputs.documents)} documents, {len(inputs.kpis)} KPI rows, {len(inputs.kpi_observations)} observations; "
                  f"{len(models)} models")
        else:
            _arrow_without_pandas()
            build(args.database, force=args.force, wait=not args.no_wait)
    except CuratedDataError as error:
        print(f"make data: the inputs were refused, nothing was written.\n{error}", file=sys.stderr)
        return 1
    except dbfile.DatabaseFileError as error:
        print(f"make data: {error}", file=sys.stderr)
        return 1
    except BuildError as error:
        print(f"make data: the build failed, the previous database is unchanged.\n{error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
