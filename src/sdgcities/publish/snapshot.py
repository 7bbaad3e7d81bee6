"""One build per report run: a private snapshot of the database, and checks that every notebook of
a report read that build.

A rebuild replaces data/curated/sdgs.duckdb by renaming a new file over it, so a file opened once
is one build from start to end. A report run copies the database it finds through one open file
into reports/executed/.snapshot-<pid>-<random>.duckdb, runs every notebook against that copy and
removes it at the end. Notebooks record the build id they read (notebook.setup); a notebook or a
report whose build differs from the run's is refused.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import nbformat

from sdgcities.build import dbfile
from sdgcities import paths
from sdgcities.build.dbfile import read_build_info
from sdgcities.present import BUILD_MIME_TYPE  # re-exported: render and the tests read it here


class MixedBuildError(RuntimeError):
    """Outputs made from different builds of the database would be put together."""


@dataclass
class PinnedBuild:
    path: Path  # the snapshot every notebook of the run reads
    build_id: str
    source: Path  # the project's database the snapshot was taken from

    def rebuilt_since(self) -> str | None:
        """A note when the project's database is no longer the build this run read."""
        try:
            current = read_build_info(self.source).get("build_id")
        except duckdb.Error as error:
            return f"{paths.relative(self.source)} does not open now ({str(error).splitlines()[0]}); these reports show build {self.build_id}"
        if current != self.build_id:
            return (
                f"the database was rebuilt during this run (now build {current}); these reports show build "
                f"{self.build_id}, and they are recorded as up to date for that build only: run again to update them"
            )
        return None


def remove_stale_snapshots(folder: Path) -> None:
    """Remove snapshots of report runs that were killed (their process is gone)."""
    for stale in folder.glob(".snapshot-*.duckdb*"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not dbfile.pid_alive(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()


@contextlib.contextmanager
def pinned_build(database: Path, folder: Path) -> Iterator[PinnedBuild]:
    """A snapshot of `database` in `folder` for the length of a report run."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_snapshots(folder)
    snapshot = folder / f".snapshot-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"
    try:
        # One open() sees one file: a rebuild renaming a new database over it does not change what we copy.
        with open(database, "rb") as source, open(snapshot, "wb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)
        wal = database.with_name(database.name + ".wal")
        if wal.exists():
            raise MixedBuildError(
                f"{paths.relative(wal)} exists: a read-write connection changed the database outside the build. "
                "Close it, or run `make data` (it sets a stale .wal aside), then run the reports again"
            )
        try:
            build_id = read_build_info(snapshot)["build_id"]
        except (duckdb.Error, KeyError) as error:
            raise MixedBuildError(f"{paths.relative(database)} does not hold a complete build ({error}): run `make data`") from error
        yield PinnedBuild(snapshot, build_id, database)
    finally:
        for leftover in (snapshot, snapshot.with_name(snapshot.name + ".wal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def notebook_builds(notebook: nbformat.NotebookNode) -> list[str]:
    """The build ids a executed notebook recorded (notebook.setup leaves one per connection)."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data") or {}
            if BUILD_MIME_TYPE in data:
                found.append(data[BUILD_MIME_TYPE].get("build_id"))
    return found


def check_notebook_build(path: Path, build_id: str, *, name: str) -> None:
    """Refuse an executed notebook that read another build than `build_id`, or none that it said."""
    builds = notebook_builds(nbformat.read(path, as_version=4))
    if not builds:
        raise MixedBuildError(f"{name}: the notebook recorded no build id (does it call notebook.setup?)")
    other = sorted(set(builds) - {build_id})
    if other:
        raise MixedBuildError(f"{name}: the notebook read build {', '.join(other)}, not the run's build {build_id}")


def report_build(notebooks: list[nbformat.NotebookNode], names: list[str]) -> str | None:
    """The one build the notebooks of a report read, or MixedBuildError naming what differs."""
    by_build: dict[str, list[str]] = {}
    for notebook, name in zip(notebooks, names):
        for build in dict.fromkeys(notebook_builds(notebook)):
            by_build.setdefault(build, []).append(name)
    if len(by_build) > 1:
        listed = "; ".join(f"build {b}: {', '.join(n)}" for b, n in by_build.items())
        raise MixedBuildError(f"the notebooks of this report read different builds of the database ({listed}); run the reports again")
    return next(iter(by_build), None)
