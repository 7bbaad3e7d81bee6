"""The build under concurrency and faults (issue 13 cases 1, 4, 5, 6, 7): two builds at once, a
read-write connection held or killed beside the database, a database edited by hand, a full disk,
odd ids and dates. Each test reproduces the failure as it was reported and checks the fix."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import REPO, sha256
from sdgcities.access import api
from sdgcities.build import run as build, dbfile
from sdgcities.build.inputs.curated import CuratedDataError

KUMAMOTO_KPIS = Path("data/curated/kumamoto_progress_2022/kpis.csv")


def run_build(root: Path, *args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    environment = {**os.environ, "SDGCITIES_ROOT": str(root), **(env or {})}
    environment.pop("SDGCITIES_DB", None)
    return subprocess.run([sys.executable, "-m", "sdgcities.build", *args], env=environment, capture_output=True, text=True, timeout=300, **kwargs)


def start_build(root: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    environment = {**os.environ, "SDGCITIES_ROOT": str(root), **(env or {})}
    environment.pop("SDGCITIES_DB", None)
    return subprocess.Popen([sys.executable, "-m", "sdgcities.build", *args], env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def start_writer(database: Path) -> subprocess.Popen:
    """A researcher's kernel holding a read-write connection in which it created a table."""
    code = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "c.execute('create table my_notes as select 42 as answer'); print('ready', flush=True); time.sleep(300)"
    )
    writer = subprocess.Popen([sys.executable, "-c", code, str(database)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "ready"
    return writer


def change_an_input(root: Path) -> None:
    """Edit a note (free text) of a curated row: the inputs change, the data stay valid."""
    path = root / KUMAMOTO_KPIS
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    assert "note" in header
    import csv
    import io

    rows = list(csv.reader(io.StringIO("".join(lines))))
    rows[1][header.index("note")] = (rows[1][header.index("note")] + " edited").strip()
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.fixture
def built(workspace):
    build.build(quiet=True)
    return workspace / "data/curated/sdgs.duckdb"


# ---------------------------------------------------------------- case 6: two builds at once


def test_concurrent_builds_never_crash_on_each_others_files(built):
    root = built.parents[2]
    for trial in range(4):
        # The second build starts while the first is writing its temporary file: the old build then
        # removed it as "stale" and the first crashed with FileNotFoundError (6 of 8 trials).
        first = start_build(root, "--force")
        deadline = time.monotonic() + 120
        while not list(built.parent.glob("sdgs.duckdb.tmp-*")) and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        processes = [first, start_build(root, "--force")]
        results = [(p.wait(timeout=300), *p.communicate()) for p in processes]
        for code, out, err in results:
            assert code == 0, err
            assert "Traceback" not in err and "FileNotFoundError" not in err
            assert out.startswith("built ")
        with api.connect(built) as con:
            assert api.kpis(con).height == 73
    assert not list(built.parent.glob("sdgs.duckdb.tmp-*"))


def test_a_second_build_waits_or_stops_with_a_message(built):
    root = built.parents[2]
    first = start_build(root, "--force", env={"SDGCITIES_PAUSE_AT": "models_run"})
    try:
        assert first.stdout.readline().strip() == "paused at models_run"
        stopped = run_build(root, "--force", "--no-wait")
        assert stopped.returncode == 1 and f"another build (PID {first.pid})" in stopped.stderr
        waiting = start_build(root, "--force")
        # It waits (and says so) while the first holds the lock; the first is then killed half-way.
        line = waiting.stderr.readline()
        assert f"another build (PID {first.pid})" in line and "waiting" in line
        assert list(built.parent.glob("sdgs.duckdb.tmp-*")), "the first build's temporary file is there"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        out, err = waiting.communicate(timeout=300)
        assert waiting.returncode == 0 and out.startswith("built "), err
    finally:
        for process in (first,):
            if process.poll() is None:
                process.kill()
    assert not list(built.parent.glob("sdgs.duckdb.tmp-*"))  # the lock holder removed the stale temporary


# ---------------------------------------------------------------- case 1 and 5: read-write connections


def test_a_live_writer_is_refused_and_keeps_its_writes(built):
    root = built.parents[2]
    before = sha256(built)
    writer = start_writer(built)
    try:
        change_an_input(root)
        result = run_build(root)
        # Before: "built", exit 0, and the writer's table vanished with the old file.
        assert result.returncode == 1 and "built" not in result.stdout
        assert f"PID {writer.pid} holds a read-write connection" in result.stderr and "cp " in result.stderr
        assert sha256(built) == before
    finally:
        writer.send_signal(signal.SIGTERM)
        writer.wait(timeout=30)


def test_a_writer_killed_after_writing_leaves_a_wal_that_is_set_aside(built):
    root = built.parents[2]
    writer = start_writer(built)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    wal = dbfile.wal_path(built)
    assert wal.exists()
    change_an_input(root)
    result = run_build(root)
    assert result.returncode == 0 and result.stdout.startswith("built "), result.stderr
    assert not wal.exists() and "were kept" not in result.stderr and "so those writes are kept" in result.stderr
    with api.connect(built) as con:
        assert api.kpis(con).height == 73 and api.build_id(con) in result.stdout
    # Nothing was deleted: the killed writer's table is in the copy kept beside the database.
    kept = [p for p in built.parent.glob("sdgs.duckdb.kept-*.duckdb")]
    assert len(kept) == 1 and Path(str(kept[0]) + ".wal").exists()
    with duckdb.connect(str(kept[0]), read_only=True) as con:
        assert con.sql("select answer from my_notes").fetchall() == [(42,)]


def test_a_stale_wal_that_no_longer_matches_is_reported_and_cleared(built, tmp_path):
    """The reported outage: the database was replaced under a writer that was then killed."""
    root = built.parents[2]
    writer = start_writer(built)
    # What the build used to do under a live writer: rename a new database over the file.
    other = tmp_path / "other.duckdb"
    build.build(other, quiet=True)
    os.replace(other, built)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    with pytest.raises(api.DatabaseAccessError, match="make data"):
        api.connect(built)
    from sdgcities.publish import snapshot

    with pytest.raises(snapshot.MixedBuildError, match="make data"):
        with snapshot.pinned_build(built, tmp_path / "executed"):
            pass
    # Inputs unchanged, but the build does not call this "up to date": it sets the .wal aside and rebuilds.
    result = run_build(root)
    assert result.returncode == 0 and result.stdout.startswith("built "), result.stderr
    with api.connect(built) as con:
        assert api.kpis(con).height == 73


def test_reports_give_a_message_not_a_traceback_on_a_stale_wal(built, tmp_path):
    writer = start_writer(built)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    env = {**os.environ, "SDGCITIES_ROOT": str(built.parents[2])}
    result = subprocess.run([sys.executable, "-m", "sdgcities.publish.reports", "--no-pdf"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "sdgs.duckdb.wal exists" in result.stderr and "make data" in result.stderr


def test_the_swapped_file_is_opened_before_built_is_printed(built, monkeypatch, capsys, tmp_path):
    # A .wal that does not belong to the new file (written against a copy of the old one by a killed
    # writer), and a build that fails to set it aside.
    copy = tmp_path / "copy.duckdb"
    shutil.copy(built, copy)
    writer = start_writer(copy)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    shutil.copy(dbfile.wal_path(copy), dbfile.wal_path(built))
    set_aside = dbfile.set_aside_wal
    monkeypatch.setattr(dbfile, "set_aside_wal", lambda database: None)
    with pytest.raises(build.BuildError, match="does not open read-only.*make data"):
        build.build(force=True)
    assert "built" not in capsys.readouterr().out
    monkeypatch.setattr(dbfile, "set_aside_wal", set_aside)
    build.build(quiet=True)
    with api.connect(built) as con:
        assert api.kpis(con).height == 73


# ---------------------------------------------------------------- case 5: up to date means the file too


def test_a_database_edited_by_hand_is_not_up_to_date(built, capsys):
    with api.connect(built) as con:
        first = api.build_id(con)
    build.build()
    assert "up to date" in capsys.readouterr().out
    with duckdb.connect(str(built)) as con:  # a hand edit, closed properly (checkpointed into the file)
        con.execute("create table hand_edit as select 1 as x")
    assert dbfile.out_of_date_reason(built, build.fingerprint(build.input_files())).startswith("the database file differs")
    build.build()
    assert capsys.readouterr().out.startswith("built ")
    with api.connect(built) as con:
        assert api.build_id(con) != first
        assert con.sql("select count(*) from duckdb_tables() where table_name = 'hand_edit'").fetchall()[0][0] == 0


def test_make_data_passes_force():
    forced = subprocess.run(["make", "-n", "data", "FORCE=1"], cwd=REPO, capture_output=True, text=True)
    plain = subprocess.run(["make", "-n", "data"], cwd=REPO, capture_output=True, text=True)
    assert "sdgcities.build --force" in forced.stdout
    assert "sdgcities.build" in plain.stdout and "--force" not in plain.stdout


# ---------------------------------------------------------------- case 7: faults give messages


def _can_mount_tmpfs(folder: Path, size_bytes: int) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    size = f"size={size_bytes // 1024 + 1}k"
    return subprocess.run(["mount", "-t", "tmpfs", "-o", size, "tmpfs", str(folder)], capture_output=True).returncode == 0


def test_a_full_disk_gives_a_message_and_keeps_the_database(workspace, tmp_path):
    # A disk one and a half databases large: the first build fits, a second copy beside it does not.
    reference = tmp_path / "reference" / "sdgs.duckdb"
    assert run_build(workspace, "--database", str(reference)).returncode == 0
    disk = tmp_path / "small-disk"
    disk.mkdir()
    if not _can_mount_tmpfs(disk, reference.stat().st_size * 3 // 2):
        pytest.skip("mounting a small tmpfs needs root; test_a_file_size_limit_gives_a_message covers the write failure")
    try:
        database = disk / "sdgs.duckdb"
        assert run_build(workspace, "--database", str(database)).returncode == 0
        before = sha256(database)
        result = run_build(workspace, "--database", str(database), "--force")  # a second copy does not fit
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "is full" in result.stderr and "No space left on device" in result.stderr and "previous database is unchanged" in result.stderr
        assert sha256(database) == before and not list(disk.glob("sdgs.duckdb.tmp-*"))
        with api.connect(database) as con:
            assert api.kpis(con).height == 73
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_file_size_limit_gives_a_message(built):
    """The same write failure without root: the kernel refuses to grow the new file past 2 MB."""
    before = sha256(built)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))

    environment = {**os.environ, "SDGCITIES_ROOT": str(built.parents[2])}
    result = subprocess.run([sys.executable, "-m", "sdgcities.build", "--force"], env=environment, capture_output=True, text=True, timeout=300, preexec_fn=limit)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "is full (or the file size limit was reached)" in result.stderr
    assert sha256(built) == before and not list(built.parent.glob("sdgs.duckdb.tmp-*"))


def test_an_impossible_manifest_date_names_the_file(built):
    manifest = built.parents[2] / "data/raw/kumamoto_progress_2022.yaml"
    text = manifest.read_text(encoding="utf-8")
    import re

    assert re.search(r"^published_on: .+$", text, flags=re.M)
    manifest.write_text(re.sub(r"^published_on: .+$", "published_on: 2019-13-45", text, flags=re.M), encoding="utf-8")
    with pytest.raises(CuratedDataError) as error:
        build.build(quiet=True)
    message = str(error.value)
    assert "data/raw/kumamoto_progress_2022.yaml" in message and "published_on" in message and "2019-13-45" in message


# ---------------------------------------------------------------- case 4: ids that name reports


@pytest.mark.parametrize("city_id", ["comparison", "index", "../x", "Kaga", "a/b"])
def test_a_city_id_that_names_a_report_or_a_path_is_refused(built, city_id):
    cities = built.parents[2] / "data/curated/reference/cities.csv"
    with open(cities, "a", encoding="utf-8") as f:
        f.write(f"{city_id},比較市,Hikaku,石川県,Ishikawa\n")
    before = sha256(built)
    with pytest.raises(CuratedDataError) as error:
        build.build(quiet=True)
    assert f"column 'city_id', value '{city_id}'" in str(error.value)
    assert sha256(built) == before


def test_the_report_suite_refuses_a_city_that_would_overwrite_a_report(tmp_path):
    from sdgcities.publish import reports

    names = {"comparison": {"name_ja": "比較市", "name_en": "Hikaku"}, "kaga": {"name_ja": "加賀市", "name_en": "Kaga"}}
    with pytest.raises(reports.ReportConfigError, match="'comparison'"):
        reports.load_config(REPO / "notebooks" / "reports.yaml", names)
