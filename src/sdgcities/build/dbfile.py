"""The database file and what lives beside it: the build lock, stale temporary files, a stale
write-ahead log (.wal), the build record (sidecar) and read-only checks of a swapped-in file.

Files beside data/curated/sdgs.duckdb:
    sdgs.duckdb.lock          held (flock) by the one build writing the database; never deleted
    sdgs.duckdb.build.json    what the last build wrote: build id, inputs hash, size and content hash
    sdgs.duckdb.tmp-*         a build in progress (only the lock holder removes stale ones)
    sdgs.duckdb.kept-*        a database set aside with the .wal a killed read-write connection left
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import fcntl
import hashlib
import json
import os
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import duckdb

from sdgcities import paths

# Every read-only connection of a project database uses this one configuration (no access to other files,
# settings locked), because DuckDB refuses a second connection to a file that is open in the same process
# under another configuration.
READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one owned by another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_read_only(database: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection of `database` with READ_ONLY_CONFIG (it reads views; it writes no file)."""
    return duckdb.connect(str(database), read_only=True, config=dict(READ_ONLY_CONFIG))


class DatabaseFileError(Exception):
    """The database file cannot be built or opened as asked; the message says what to do."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def sidecar_path(database: Path) -> Path:
    return database.with_name(database.name + ".build.json")


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def new_build_id() -> str:
    """A unique id for one build: UTC time and a random part (sortable, never reused)."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ") + "-" + uuid.uuid4().hex[:12]


def temporary_path(database: Path) -> Path:
    """A name for the database being written that no other process can have chosen."""
    return database.with_name(f"{database.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}")


@contextlib.contextmanager
def build_lock(database: Path, *, wait: bool = True, quiet: bool = False, what: str = "build") -> Iterator[None]:
    """Hold the build lock of `database` (flock on sdgs.duckdb.lock) for the whole build.

    A second build waits for the first (saying so) or, with wait=False, stops with a message.
    The lock is released by the kernel when the process ends, even after kill -9.
    """
    path = lock_path(database)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            if not wait:
                raise DatabaseFileError(
                    f"another {what} (PID {holder}) is writing {paths.relative(database)}; "
                    "wait for it to finish, then run it again"
                ) from None
            if not quiet:
                print(f"another {what} (PID {holder}) is writing {paths.relative(database)}: waiting for it to finish ...", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def remove_stale_temporaries(database: Path) -> list[Path]:
    """Remove what killed builds left. Call only while holding the build lock: then no other build
    is running, so every temporary file is stale."""
    removed = []
    for stale in database.parent.glob(f"{database.name}.tmp-*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
            removed.append(stale)
    return removed


def _pid_in(message: str) -> str | None:
    found = re.search(r"PID (\d+)", message)
    return found.group(1) if found else None


def writer_holding(database: Path) -> str | None:
    """A description of a read-write connection another process (or this one) holds on `database`,
    or None. DuckDB refuses a read-only open while a writer holds the file's lock."""
    if not database.is_file():
        return None
    try:
        open_read_only(database).close()
    except duckdb.Error as error:
        text = str(error)
        if "lock" in text.lower():
            pid = _pid_in(text)
            return f"PID {pid}" if pid else "a process"
        if "different configuration" in text:
            return f"this process (PID {os.getpid()})"
    return None


def writer_message(database: Path, holder: str) -> str:
    """What to do when a read-write connection holds the project's database."""
    name = paths.relative(database)
    return (
        f"{holder} holds a read-write connection to {name}. Writes there are lost at the next rebuild, and "
        f"while it is open nobody else can read the file. Close that connection (con.close(), or stop the "
        f"kernel/process), then run `make data` again. To keep tables of your own, copy the database "
        f"(cp {name} my_copy.duckdb) and write to the copy; to read, use sdgcities.access.api.connect() (read-only)."
    )


def set_aside_wal(database: Path) -> str | None:
    """Move a .wal left beside the database by a killed read-write connection out of the way,
    together with (a hard link to) the database it belongs to, so that nothing is deleted.
    Returns a message saying where they went, or None when there was no .wal."""
    wal = wal_path(database)
    if not wal.exists():
        return None
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    kept = database.with_name(f"{database.name}.kept-{stamp}.duckdb")
    if database.exists():
        try:
            os.link(database, kept)
        except OSError:
            import shutil

            shutil.copy2(database, kept)
    os.replace(wal, kept.with_name(kept.name + ".wal"))
    return (
        f"a read-write connection that ended without closing left {paths.relative(wal)}; it was moved with the "
        f"database it was written against to {paths.relative(kept)} (+ .wal), so those writes are kept "
        f"(open that copy with duckdb.connect to get them back; delete it when not needed)"
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_sidecar(database: Path, build_id: str, inputs_key: str) -> None:
    """Record what the build wrote, to tell a hand-edited or replaced database from the built one."""
    record = {"build_id": build_id, "inputs_sha256": inputs_key, "size": database.stat().st_size, "database_sha256": file_sha256(database)}
    path = sidecar_path(database)
    temporary = path.with_name(f"{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    temporary.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(temporary, path)


def build_info(con: duckdb.DuckDBPyConnection) -> dict:
    """The one row of build_info as read through `con` (so it describes the data that connection reads)."""
    relation = con.sql("select * from build_info")
    return dict(zip(relation.columns, relation.fetchall()[0]))


def read_build_info(database: Path) -> dict:
    """build_info of a database, opened read-only (raises duckdb.Error when it does not open)."""
    with open_read_only(database) as con:
        return build_info(con)


def out_of_date_reason(database: Path, inputs_key: str) -> str | None:
    """Why the database must be rebuilt, or None when it is exactly what the last build wrote
    from these inputs (the file itself is compared, not only the inputs)."""
    if not database.is_file():
        return "no database yet"
    if wal_path(database).exists():
        return f"{paths.relative(wal_path(database))} exists (a read-write connection wrote to the database)"
    try:
        record = json.loads(sidecar_path(database).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no build record beside the database"
    if record.get("inputs_sha256") != inputs_key:
        return "inputs changed"
    if record.get("size") != database.stat().st_size or record.get("database_sha256") != file_sha256(database):
        return "the database file differs from the one the last build wrote (edited or replaced by hand)"
    try:
        info = read_build_info(database)
    except duckdb.Error as error:
        return f"the database does not open: {str(error).splitlines()[0]}"
    if info.get("build_id") != record.get("build_id") or info.get("inputs_sha256") != inputs_key:
        return "the database's build record differs from the sidecar"
    return None


def is_disk_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    text = str(error).lower()
    return any(marker in text for marker in ("no space left", "disk full", "file too large", "quota exceeded", "could not write all bytes"))
