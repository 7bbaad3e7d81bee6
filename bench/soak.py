"""Soak benchmark (`make soak`; not part of `make test`): rebuild the database 50 times while 3 readers
and report runs keep going, and count errors and mixed builds.

    python bench/soak.py                         # 50 rebuilds, 3 readers, report runs (HTML only)
    python bench/soak.py --rebuilds 10 --readers 2

Everything runs on a copy of the repository's inputs under --workdir (default bench/out/soak/).
- Rebuilds: two builder loops share the rebuilds (so builds also meet each other at the lock); every
  second rebuild changes an input (a note of a curated row), the others are `--force` rebuilds of the
  same inputs. Each is `python -m sdgcities.build` in its own process; an exit code other than 0 is
  an error.
- Readers: separate processes that open `api.connect()`, read the build id and three views, check
  that the counts belong to that build (same connection, one file) and close, in a loop. Any
  exception is an error.
- Report runs: `python -m sdgcities.publish.reports --no-pdf` in a loop until the rebuilds end (at least
  one). A failed run is an error. A mixed build is an executed notebook or a rendered report whose
  build id differs from the one its run printed, or a report whose notebooks read different builds.
Figures go to stdout and --workdir/soak.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

READER = r"""
import json, sys, time
from pathlib import Path
from sdgcities.access import api
stop = Path(sys.argv[1])
opened, errors, builds, messages = 0, 0, set(), []
while not stop.exists():
    try:
        with api.connect() as con:
            build = api.build_id(con)
            counts = (api.kpis(con).height, api.kpi_observations(con).height, api.data_quality_findings(con).height)
            again = api.build_id(con)
            if again != build:
                raise RuntimeError(f"build changed inside one connection: {build} -> {again}")
        opened += 1
        builds.add(build)
    except Exception as error:
        errors += 1
        messages.append(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")
    time.sleep(0.02)
print(json.dumps({"opened": opened, "errors": errors, "builds": len(builds), "messages": messages[:5]}))
"""


def copy_inputs(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "data").mkdir(parents=True)
    shutil.copytree(REPO / "data/raw", root / "data/raw")
    shutil.copytree(REPO / "data/curated", root / "data/curated", ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.*"))
    for folder in ("sql", "notebooks"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")


def toggle_note(root: Path, number: int) -> None:
    """Change the note of one curated row: the inputs differ, the data stay valid."""
    path = root / "data/curated/kumamoto_progress_2022/kpis.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    column = rows[0].index("note")
    rows[1][column] = re.sub(r" \[soak \d+\]$", "", rows[1][column]) + f" [soak {number}]"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def report_run_figures(reports_dir: Path, printed: str) -> dict:
    """Mixed builds in one report run's outputs, checked against the build id the run printed."""
    sys.path.insert(0, str(REPO / "src"))
    import nbformat

    from sdgcities.publish.snapshot import notebook_builds

    found = re.search(r"rendered from build (\S+),", printed)
    run_build = found.group(1) if found else None
    mixed = []
    executed = {p.stem: set(notebook_builds(nbformat.read(p, as_version=4))) for p in (reports_dir / "executed").glob("*.ipynb")}
    for name, builds in executed.items():
        if builds != {run_build}:
            mixed.append(f"{name}.ipynb read {sorted(builds)} (run: {run_build})")
    for page in reports_dir.glob("*.html"):
        meta = re.search(r'<meta content="([^"]+)" name="sdgcities-build"', page.read_text(encoding="utf-8"))
        if not meta or meta.group(1) != run_build:
            mixed.append(f"{page.name} shows build {meta.group(1) if meta else None} (run: {run_build})")
    return {"build": run_build, "mixed": mixed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuilds", type=int, default=50)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=REPO / "bench/out/soak")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    root = args.workdir / "repo"
    copy_inputs(root)
    env = {**os.environ, "SDGCITIES_ROOT": str(root), "PYTHONPATH": str(REPO / "src")}
    env.pop("SDGCITIES_DB", None)
    subprocess.run([sys.executable, "-m", "sdgcities.build"], env=env, check=True, capture_output=True)
    stop = args.workdir / "stop"
    stop.unlink(missing_ok=True)

    readers = [subprocess.Popen([sys.executable, "-c", READER, str(stop)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(args.readers)]

    report_runs: list[dict] = []
    builds_done = threading.Event()

    def report_loop() -> None:
        while True:
            out_dir = args.workdir / f"reports-{len(report_runs)}"
            shutil.rmtree(out_dir, ignore_errors=True)
            code = "import sys; from pathlib import Path; from sdgcities.publish import reports; reports.run(pdf=False, reports_dir=Path(sys.argv[1]))"
            result = subprocess.run([sys.executable, "-c", code, str(out_dir)], env=env, capture_output=True, text=True)
            entry = {"exit": result.returncode, "error": result.stderr.strip().splitlines()[-1] if result.returncode else None}
            entry.update(report_run_figures(out_dir, result.stdout) if result.returncode == 0 else {"build": None, "mixed": []})
            entry["rebuilt_during_run"] = "rebuilt during this run" in result.stdout
            report_runs.append(entry)
            if builds_done.is_set():
                return

    reporter = threading.Thread(target=report_loop)
    reporter.start()

    build_results: list[dict] = []
    lock = threading.Lock()
    counter = iter(range(args.rebuilds))

    def builder() -> None:
        while True:
            with lock:
                number = next(counter, None)
                if number is None:
                    return
                if number % 2 == 0:
                    toggle_note(root, number)
            t0 = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "sdgcities.build", "--force"], env=env, capture_output=True, text=True)
            build_results.append({"exit": result.returncode, "seconds": time.perf_counter() - t0, "waited": "waiting" in result.stderr,
                                  "error": result.stderr.strip().splitlines()[-1] if result.returncode else None})

    builders = [threading.Thread(target=builder) for _ in range(2)]
    for thread in builders:
        thread.start()
    for thread in builders:
        thread.join()
    builds_done.set()
    reporter.join()
    stop.touch()
    reader_results = [json.loads(r.communicate(timeout=120)[0].strip().splitlines()[-1]) for r in readers]

    figures = {
        "rebuilds": len(build_results),
        "rebuild_errors": sum(r["exit"] != 0 for r in build_results),
        "rebuilds_that_waited_for_the_lock": sum(r["waited"] for r in build_results),
        "rebuild_seconds_median": sorted(r["seconds"] for r in build_results)[len(build_results) // 2],
        "readers": len(reader_results),
        "reader_opens": sum(r["opened"] for r in reader_results),
        "reader_errors": sum(r["errors"] for r in reader_results),
        "reader_builds_seen": max(r["builds"] for r in reader_results),
        "report_runs": len(report_runs),
        "report_run_errors": sum(r["exit"] != 0 for r in report_runs),
        "report_runs_rebuilt_during_run": sum(r["rebuilt_during_run"] for r in report_runs),
        "mixed_builds": sum(len(r["mixed"]) for r in report_runs),
        "seconds": round(time.perf_counter() - started, 1),
        "details": {"build_errors": [r["error"] for r in build_results if r["error"]][:5],
                    "reader_messages": [m for r in reader_results for m in r["messages"]][:5],
                    "report_errors": [r["error"] for r in report_runs if r["error"]][:5],
                    "mixed": [m for r in report_runs for m in r["mixed"]][:5]},
    }
    (args.workdir / "soak.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")
    for key, value in figures.items():
        if key != "details":
            print(f"{key:36} {value}")
    for key, value in figures["details"].items():
        for line in value:
            print(f"  {key}: {line}")
    failed = figures["rebuild_errors"] + figures["reader_errors"] + figures["report_run_errors"] + figures["mixed_builds"]
    print("soak: PASS (0 errors, 0 mixed builds)" if not failed else f"soak: FAIL ({failed} errors or mixed builds)")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
