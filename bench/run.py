"""Benchmarks of the sdgcities pipeline (`make bench`): speed and scale figures, each with its goal.

    python bench/run.py                          # everything: floor, make data, make reports, scale 3,30,300,1741
    python bench/run.py --scale --sizes 3,30     # the scale benchmark only (3 is always included)
    python bench/run.py --no-scale               # floor, make data and make reports only
    python bench/run.py --profile                # also profile every notebook at the largest size

What it measures (all on copies under --workdir, default bench/out/, never on the repository's
own database or reports/):

- floor: papermill executing bench/floor.ipynb (imports the package, opens the database), median
  of 3 warm runs; and the number of notebook executions the suite makes (notebooks/reports.yaml
  through sdgcities.publish.reports.load_config).
- make data: `python -m sdgcities.build --force`, then the same without --force (nothing changed).
- make reports: `python -m sdgcities.publish.reports --force` on a built copy of the repository, its ratio
  to floor x executions / cores, then a second run with nothing changed.
- scale: for each size N, a root with the 3 real cities plus N - 3 synthetic ones (bench/synth.py),
  the database build, each comparison notebook executed by papermill on it, the comparison report
  (and one city report) rendered to HTML + PDF by sdgcities.publish.render; ratios time(N) / time(3) next
  to N / 3.

Peak memory: every command runs as a child process; the harness samples the RSS of its whole
process tree (psutil, a dependency of ipykernel already in the environment; not added) every 50 ms
and also reads the largest single process's max RSS from os.wait4 (the child's RUSAGE_CHILDREN).
Results go to --workdir/results.json (each section replaced when it is run again) and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # the harness still runs; tree memory is then not sampled
    psutil = None

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = sys.executable
sys.path.insert(0, str(BENCH))
import synth  # noqa: E402

COMPARISON_NOTEBOOKS = ("coverage", "synergy", "achievement", "stakeholders", "data_quality", "city_profile")
PROFILE_CITY = "kaga"  # the city whose profile notebook / report is timed at every size
GOALS = {
    "reports_ratio": 1.5,  # make reports --force <= 1.5 x floor x executions / cores
    "reports_nochange_s": 2.0,  # second make reports, nothing changed
    "data_s": 2.0,  # make data (--force and no-change)
    "scale_ratio": 3.0,  # comparison notebook at the largest size <= 3 x its 3-city time
}
DEFAULT_SIZES = (3, 30, 300, 1741)


# ---------------------------------------------------------------------------------------------
# Measuring a child process


@dataclass
class Run:
    command: str
    seconds: float
    returncode: int
    peak_tree_mib: float | None  # sampled sum of RSS over the process tree (psutil)
    max_process_mib: float  # the largest single process's max RSS (wait4 rusage)
    cpu_seconds: float = 0.0  # user + system CPU of the child and the descendants it waited for (wait4 rusage)
    load_before: float | None = None  # 1-minute load average when the command started (other work on the machine)
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def brief(self) -> dict:
        data = asdict(self)
        data["stdout"] = self.stdout[-4000:]
        data["stderr"] = self.stderr[-4000:]
        return data


def _tree_rss(process) -> int:
    total = 0
    try:
        processes = [process] + process.children(recursive=True)
    except psutil.Error:
        return 0
    for p in processes:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float | None = None) -> Run:
    """Run a command to completion; wall time, peak memory, exit status and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        peak = 0
        done = threading.Event()
        timed_out = threading.Event()

        def sample() -> None:
            nonlocal peak
            if psutil is None:
                return
            try:
                process = psutil.Process(child.pid)
            except psutil.Error:
                return
            while not done.is_set():
                peak = max(peak, _tree_rss(process))
                done.wait(0.05)

        def watchdog() -> None:
            if timeout and not done.wait(timeout):
                timed_out.set()
                try:
                    os.killpg(child.pid, signal.SIGKILL)  # the child's own process group (start_new_session)
                except ProcessLookupError:
                    pass

        threads = [threading.Thread(target=sample, daemon=True), threading.Thread(target=watchdog, daemon=True)]
        for thread in threads:
            thread.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        child.returncode = os.waitstatus_to_exitcode(status)
        for thread in threads:
            thread.join(timeout=1)
        out.seek(0)
        err.seek(0)
        return Run(
            command=" ".join(str(c) for c in command), seconds=seconds, returncode=child.returncode,
            peak_tree_mib=peak / 2**20 if psutil is not None else None, max_process_mib=usage.ru_maxrss / 1024,
            cpu_seconds=usage.ru_utime + usage.ru_stime, load_before=load, timed_out=timed_out.is_set(), stdout=out.read().decode("utf-8", "replace"), stderr=err.read().decode("utf-8", "replace"),
        )


SNAPSHOT: Path | None = None  # a frozen copy of the code, notebooks and data measured (see snapshot())


def snapshot(workdir: Path) -> Path:
    """Copy the package, notebooks, SQL and data once, so that every figure of a run measures the same
    code even while others edit the repository; children import the package from it (PYTHONPATH)."""
    target = workdir / "snapshot"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copytree(REPO / "src" / "sdgcities", target / "src" / "sdgcities", ignore=shutil.ignore_patterns("__pycache__"))
    synth.copy_repository_parts(target, REPO)
    return target


def child_env(root: Path | None = None, database: Path | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SDGCITIES_")}
    if SNAPSHOT is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(SNAPSHOT / "src")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    if root is not None:
        env["SDGCITIES_ROOT"] = str(root)
    if database is not None:
        env["SDGCITIES_DB"] = str(database)
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------------
# Printing


def mem(run: Run | dict | None) -> str:
    if run is None:
        return ""
    data = run if isinstance(run, dict) else asdict(run)
    tree = data.get("peak_tree_mib")
    single = data.get("max_process_mib")
    text = f"peak {tree:,.0f} MiB tree / {single:,.0f} MiB largest process" if tree is not None else f"peak {single:,.0f} MiB largest process"
    if data.get("cpu_seconds"):
        text += f"; CPU {data['cpu_seconds']:.1f} s"
    if data.get("load_before") is not None:
        text += f"; load {data['load_before']:.1f}"
    return text


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def say(label: str, value: str, goal: str = "", ok: bool | None = None, extra: str = "") -> None:
    goal_text = f"goal {goal:<10} {verdict(ok)}" if goal else ""
    print(f"  {label:<52} {value:>12}   {goal_text:<20} {extra}".rstrip(), flush=True)


def fail_text(run: Run) -> str:
    if run.timed_out:
        return f"timed out after {run.seconds:.0f} s"
    lines = [line for line in (run.stderr or run.stdout).strip().splitlines() if line.strip()]
    return f"exit {run.returncode}: " + (" | ".join(lines[-3:]) if lines else "no output")


# ---------------------------------------------------------------------------------------------
# The machine and the code


def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for module in ("duckdb", "polars", "pyarrow", "papermill", "nbconvert", "altair", "vl_convert", "playwright", "ipykernel", "psutil"):
        try:
            from importlib.metadata import version

            versions[module] = version({"vl_convert": "vl-convert-python"}.get(module, module))
        except Exception:
            versions[module] = "not installed"
    chromium = "not found"
    for candidate in (os.environ.get("SDGCITIES_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            try:
                chromium = subprocess.run([candidate, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
            except (OSError, subprocess.SubprocessError):
                pass
            break
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu_model": model, "cores": os.cpu_count(), "cores_usable": affinity, "memory_gib": round(memory / 2**30, 1) if memory else None,
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})", "versions": versions, "chromium": chromium,
    }


def code_state(base: Path) -> dict:
    """What was measured: the commit, and content hashes of the package and notebooks (others edit them)."""
    def digest(paths: list[Path]) -> str:
        h = hashlib.sha256()
        for p in sorted(paths):
            h.update(str(p.relative_to(base)).encode())
            h.update(p.read_bytes())
        return h.hexdigest()[:12]

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "src", "notebooks", "sql"], cwd=REPO, capture_output=True, text=True).stdout.strip())
    except OSError:
        commit, dirty = "unknown", True
    return {
        "commit": commit + (" + uncommitted changes" if dirty else ""),
        "package_sha": digest(list((base / "src" / "sdgcities").rglob("*.py"))),
        "notebooks_sha": digest(list((base / "notebooks").glob("*.ipynb")) + list((base / "notebooks").glob("*.yaml"))),
        "notebooks": sorted(p.stem for p in (base / "notebooks").glob("*.ipynb")),
        "snapshot": str(base) if base != REPO else None,
        "taken": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
    }


# ---------------------------------------------------------------------------------------------
# Sections


def executions(root: Path, database: Path) -> dict:
    """How many notebook runs the suite makes, from reports.yaml through sdgcities.publish.reports.load_config."""
    import duckdb
    import yaml

    with duckdb.connect(str(database), read_only=True) as con:
        names = {r[0]: {"name_ja": r[1], "name_en": r[2]} for r in con.sql("select city_id, name_ja, name_en from cities order by city_id").fetchall()}
    previous = os.environ.get("SDGCITIES_ROOT")
    os.environ["SDGCITIES_ROOT"] = str(root)
    try:
        from sdgcities.publish import reports

        try:
            config = reports.load_config(root / "notebooks" / "reports.yaml", names)
            jobs = [job.name for report in config for job in report.jobs]
            return {"executions": len(jobs), "reports": len(config), "source": "sdgcities.publish.reports.load_config", "jobs": jobs}
        except reports.ReportConfigError as error:
            # A notebook named in reports.yaml does not exist yet: count from the YAML itself.
            data = yaml.safe_load((root / "notebooks" / "reports.yaml").read_text(encoding="utf-8"))
            n = len(data["comparison"]["notebooks"]) + len(data["city"]["notebooks"]) * len(names)
            return {"executions": n, "reports": 1 + len(names), "source": f"reports.yaml (load_config refused: {error})", "jobs": []}
    finally:
        if previous is None:
            os.environ.pop("SDGCITIES_ROOT", None)
        else:
            os.environ["SDGCITIES_ROOT"] = previous


def section_data(root: Path) -> dict:
    print("\nmake data (python -m sdgcities.build) on a copy of the repository", flush=True)
    env = child_env(root)
    forced = measure([PYTHON, "-m", "sdgcities.build", "--force"], env=env, cwd=root)
    if not forced.ok:
        say("build --force", "FAILED", f"<= {GOALS['data_s']:g} s", False, fail_text(forced))
        return {"forced": forced.brief(), "nochange": None}
    say("make data, full build (--force)", f"{forced.seconds:.2f} s", f"<= {GOALS['data_s']:g} s", forced.seconds <= GOALS["data_s"], mem(forced))
    nochange = measure([PYTHON, "-m", "sdgcities.build"], env=env, cwd=root)
    say("make data, nothing changed", f"{nochange.seconds:.2f} s", f"<= {GOALS['data_s']:g} s", nochange.ok and nochange.seconds <= GOALS["data_s"], mem(nochange))
    return {"forced": forced.brief(), "nochange": nochange.brief()}


def section_floor(root: Path, database: Path, workdir: Path) -> dict:
    print("\nfloor: papermill executing bench/floor.ipynb (import the package, open the database)", flush=True)
    out = workdir / "floor-executed.ipynb"
    run = measure([PYTHON, str(BENCH / "nbexec.py"), str(BENCH / "floor.ipynb"), str(out), "--repeat", "3"],
                  env=child_env(root, database), cwd=BENCH, timeout=600)
    if not run.ok:
        say("floor", "FAILED", extra=fail_text(run))
        return {"run": run.brief(), "seconds": None}
    timing = json.loads(run.stdout.strip().splitlines()[-1])
    floor = statistics.median(timing["seconds"])
    say("floor (median of 3 warm papermill runs)", f"{floor:.2f} s", extra=f"runs {', '.join(f'{s:.2f}' for s in timing['seconds'])} s; {mem(run)}")
    cold = measure([PYTHON, "-m", "papermill", "--no-progress-bar", str(BENCH / "floor.ipynb"), str(out), "-k", "python3"],
                   env=child_env(root, database), cwd=BENCH, timeout=600)
    say("floor, cold (python -m papermill CLI, one process)", f"{cold.seconds:.2f} s" if cold.ok else "FAILED", extra=mem(cold))
    count = executions(root, database)
    say("notebook executions in the suite", f"{count['executions']}", extra=f"{count['reports']} reports; from {count['source']}")
    return {"run": run.brief(), "seconds": floor, "warm_runs": timing["seconds"], "cold_seconds": cold.seconds if cold.ok else None, **count}


_JOB = re.compile(r"\[\d+/\d+\] (\S+): executed in ([\d.]+) s")
_RENDER = re.compile(r"rendered (\S+?)(?: and \.pdf)? in ([\d.]+) s")


def section_reports(root: Path, floor: dict, timeout: float) -> dict:
    print("\nmake reports (python -m sdgcities.publish.reports) on the built copy", flush=True)
    env = child_env(root)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    forced = measure([PYTHON, "-m", "sdgcities.publish.reports", "--force"], env=env, cwd=root, timeout=timeout)
    result: dict = {"forced": forced.brief(), "cores": cores}
    if not forced.ok:
        say("make reports --force", "FAILED", f"<= {GOALS['reports_ratio']:g}x", False, fail_text(forced))
        return result
    jobs = {name: float(s) for name, s in _JOB.findall(forced.stdout)}
    renders = {name: float(s) for name, s in _RENDER.findall(forced.stdout)}
    result.update({"jobs": jobs, "renders": renders})
    ideal = floor["seconds"] * floor["executions"] / cores if floor.get("seconds") else None
    ratio = forced.seconds / ideal if ideal else None
    result.update({"ideal_seconds": ideal, "ratio": ratio})
    say("make reports --force, wall", f"{forced.seconds:.1f} s", extra=mem(forced))
    if ratio is not None:
        say(f"  ratio to floor x {floor['executions']} executions / {cores} cores", f"{ratio:.2f}x", f"<= {GOALS['reports_ratio']:g}x",
            ratio <= GOALS["reports_ratio"], f"(floor x executions / cores = {ideal:.1f} s)")
    if jobs:
        say("  sum of notebook executions (as the workers timed them)", f"{sum(jobs.values()):.1f} s",
            extra=", ".join(f"{n} {s:.1f}" for n, s in sorted(jobs.items(), key=lambda kv: -kv[1])))
    if renders:
        say("  sum of report renders (HTML+PDF, sequential)", f"{sum(renders.values()):.1f} s",
            extra=", ".join(f"{Path(n).name} {s:.1f}" for n, s in renders.items()))
    nochange = measure([PYTHON, "-m", "sdgcities.publish.reports"], env=env, cwd=root, timeout=timeout)
    result["nochange"] = nochange.brief()
    say("make reports, nothing changed", f"{nochange.seconds:.2f} s" if nochange.ok else "FAILED", f"<= {GOALS['reports_nochange_s']:g} s",
        nochange.ok and nochange.seconds <= GOALS["reports_nochange_s"], mem(nochange) if nochange.ok else fail_text(nochange))
    return result


def notebook_parameters(root: Path) -> dict[str, dict]:
    """Parameters of each notebook as the suite runs it (reports.yaml); city_profile for PROFILE_CITY."""
    import yaml

    config = yaml.safe_load((root / "notebooks" / "reports.yaml").read_text(encoding="utf-8"))
    params: dict[str, dict] = {}
    lang = config["comparison"].get("lang", "ja")
    for entry in config["comparison"]["notebooks"]:
        params[entry["notebook"]] = {**(entry.get("parameters") or {}), "lang": lang}
    for entry in config["city"]["notebooks"]:
        params[entry["notebook"]] = {**(entry.get("parameters") or {}), "lang": config["city"].get("lang", "ja"), "city": PROFILE_CITY}
    for name in COMPARISON_NOTEBOOKS:
        params.setdefault(name, {"lang": lang})
    return params


def comparison_order(root: Path) -> list[str]:
    import yaml

    config = yaml.safe_load((root / "notebooks" / "reports.yaml").read_text(encoding="utf-8"))
    return [entry["notebook"] for entry in config["comparison"]["notebooks"]]


def scale_one(n: int, seed: int, workdir: Path, timeout: float) -> dict:
    root = workdir / f"scale-{n}"
    print(f"\nscale: {n} cities ({root})", flush=True)
    generated = measure([PYTHON, str(BENCH / "synth.py"), "--cities", str(n), "--seed", str(seed), "--out", str(root), "--overwrite",
                         "--source", str(SNAPSHOT or REPO)])
    entry: dict = {"cities": n, "root": str(root), "generate": generated.brief()}
    if not generated.ok:
        say("generate", "FAILED", extra=fail_text(generated))
        return entry
    say("generate (bench/synth.py)", f"{generated.seconds:.1f} s")
    database = root / "data" / "curated" / "sdgs.duckdb"
    built = measure([PYTHON, "-m", "sdgcities.build", "--force"], env=child_env(root), cwd=root, timeout=timeout)
    entry["build"] = built.brief()
    if not built.ok:
        say("database build", "FAILED", extra=fail_text(built))
        return entry
    say("database build (make data --force)", f"{built.seconds:.2f} s", extra=f"{database.stat().st_size / 2**20:.1f} MiB; {mem(built)}")
    params = notebook_parameters(root)
    executed_dir = root / "reports" / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    notebooks: dict[str, dict] = {}
    for name in COMPARISON_NOTEBOOKS:
        path = root / "notebooks" / f"{name}.ipynb"
        if not path.is_file():
            continue
        out = executed_dir / f"{name}.ipynb"
        run = measure([PYTHON, str(BENCH / "nbexec.py"), str(path), str(out), "--parameters", json.dumps(params[name], ensure_ascii=False)],
                      env=child_env(root, database, SDGCITIES_CHART_MODE="report"), cwd=path.parent, timeout=timeout)
        record = {"run": run.brief(), "parameters": params[name]}
        try:
            timing = json.loads(run.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            timing = {"seconds": [], "error": fail_text(run)}
        record.update({"seconds": timing["seconds"][0] if timing.get("seconds") and not timing.get("error") else None,
                       "error": timing.get("error") or (None if run.ok else fail_text(run)), "output_bytes": timing.get("output_bytes")})
        notebooks[name] = record
        if record["seconds"] is None:
            say(f"notebook {name}", "FAILED", extra=(record["error"] or "")[:200])
        else:
            say(f"notebook {name}", f"{record['seconds']:.2f} s", extra=f"output {record['output_bytes'] / 2**20:.1f} MiB; {mem(run)}")
    entry["notebooks"] = notebooks
    # Rendering: the comparison report from the executed comparison notebooks, and one city report.
    renders: dict[str, dict] = {}
    comparison = [executed_dir / f"{nb}.ipynb" for nb in comparison_order(root) if notebooks.get(nb, {}).get("seconds") is not None]
    targets = {"comparison": comparison}
    if notebooks.get("city_profile", {}).get("seconds") is not None:
        targets["city_profile"] = [executed_dir / "city_profile.ipynb"]
    for report, inputs in targets.items():
        if not inputs:
            continue
        html, pdf = root / "reports" / f"{report}.html", root / "reports" / f"{report}.pdf"
        run = measure([PYTHON, "-m", "sdgcities.publish.render", "--title", f"bench {report} {n}", "--out-html", str(html), "--out-pdf", str(pdf), "-q",
                       *map(str, inputs)], env=child_env(root, database), cwd=root, timeout=timeout)
        renders[report] = {"run": run.brief(), "notebooks": [p.stem for p in inputs], "seconds": run.seconds if run.ok else None,
                           "html_bytes": html.stat().st_size if run.ok and html.exists() else None,
                           "pdf_bytes": pdf.stat().st_size if run.ok and pdf.exists() else None}
        if run.ok:
            say(f"render {report} report (HTML+PDF, {len(inputs)} notebooks)", f"{run.seconds:.2f} s",
                extra=f"HTML {renders[report]['html_bytes'] / 2**20:.1f} MiB, PDF {renders[report]['pdf_bytes'] / 2**20:.1f} MiB; {mem(run)}")
        else:
            say(f"render {report} report", "FAILED", extra=fail_text(run)[:300])
    entry["renders"] = renders
    return entry


def scale_summary(sizes: dict[int, dict], floor: float | None, cores: int) -> dict:
    """Ratios to the 3-city figures, goals, and the projected make reports time at each size."""
    base = sizes.get(3)
    summary: dict = {"rows": []}
    if not base:
        return summary
    names = [n for n in COMPARISON_NOTEBOOKS if base.get("notebooks", {}).get(n, {}).get("seconds") is not None]
    largest = max(sizes)
    for n, entry in sorted(sizes.items()):
        row = {"cities": n, "n_over_3": n / 3}
        if entry.get("build", {}).get("returncode") == 0:
            row["build"] = entry["build"]["seconds"]
            row["build_ratio"] = row["build"] / base["build"]["seconds"]
        for name in names:
            t = entry.get("notebooks", {}).get(name, {}).get("seconds")
            row[name] = t
            row[f"{name}_cpu"] = entry.get("notebooks", {}).get(name, {}).get("run", {}).get("cpu_seconds")
            row[f"{name}_load"] = entry.get("notebooks", {}).get(name, {}).get("run", {}).get("load_before")
            if t is not None:
                ratio = t / base["notebooks"][name]["seconds"]
                row[f"{name}_ratio"] = ratio
                row[f"{name}_linear_ok"] = ratio <= max(n / 3, 1.0) * 1.0 + 1e-9 or n == 3
                if n == largest and n > 3:
                    row[f"{name}_goal_ok"] = ratio <= GOALS["scale_ratio"]
        for report in ("comparison", "city_profile"):
            r = entry.get("renders", {}).get(report, {}).get("seconds")
            b0 = base.get("renders", {}).get(report, {}).get("seconds")
            row[f"render_{report}"] = r
            if r is not None and b0:
                row[f"render_{report}_ratio"] = r / b0
        # Projected make reports --force at this size: every comparison notebook once, the city
        # profile once per city, spread over the cores; renders run one after the other.
        profile_t = row.get("city_profile")
        comp = [row.get(nb) for nb in comparison_order(Path(entry["root"]))] if Path(entry["root"]).exists() else []
        if profile_t is not None and comp and all(t is not None for t in comp):
            render_comp = row.get("render_comparison") or 0.0
            render_city = row.get("render_city_profile") or 0.0
            row["projected_reports_s"] = (sum(comp) + n * profile_t) / cores + render_comp + n * render_city
        peaks = [v.get("run", {}).get("peak_tree_mib") or 0 for v in entry.get("notebooks", {}).values()]
        peaks += [v.get("run", {}).get("peak_tree_mib") or 0 for v in entry.get("renders", {}).values()]
        peaks.append((entry.get("build") or {}).get("peak_tree_mib") or 0)
        row["peak_mib"] = max(peaks) if peaks else None
        summary["rows"].append(row)
    summary["notebooks"] = names
    summary["largest"] = largest
    return summary


def print_scale_table(summary: dict) -> None:
    if not summary.get("rows"):
        return
    names = summary["notebooks"]
    print("\nscale table: seconds, and time(N)/time(3) in brackets next to N/3", flush=True)
    header = f"  {'N':>5} {'N/3':>7} {'build':>14}" + "".join(f" {n[:13]:>20}" for n in names) + f" {'render comp.':>18} {'render city':>16} {'peak MiB':>9}"
    print(header)
    for row in summary["rows"]:
        cells = f"  {row['cities']:>5} {row['n_over_3']:>7.1f} {fmt_pair(row.get('build'), row.get('build_ratio')):>14}"
        for name in names:
            mark = ""
            if f"{name}_goal_ok" in row:
                mark = " ok" if row[f"{name}_goal_ok"] else " !!"
            cells += f" {fmt_pair(row.get(name), row.get(f'{name}_ratio')) + mark:>20}"
        cells += f" {fmt_pair(row.get('render_comparison'), row.get('render_comparison_ratio')):>18}"
        cells += f" {fmt_pair(row.get('render_city_profile'), row.get('render_city_profile_ratio')):>16}"
        cells += f" {row.get('peak_mib') or 0:>9,.0f}"
        print(cells)
    largest = summary["largest"]
    last = next(r for r in summary["rows"] if r["cities"] == largest)
    print(f"  goal: at {largest} cities each comparison notebook <= {GOALS['scale_ratio']:g} x its 3-city time ('ok' / '!!'),"
          " and time(N)/time(3) <= N/3 (at most linear)")
    for row in summary["rows"]:
        if row.get("projected_reports_s") is not None and row["cities"] > 3:
            print(f"  projected make reports --force at {row['cities']} cities (comparison + {row['cities']} city profiles, "
                  f"renders sequential): {row['projected_reports_s'] / 60:,.1f} min (estimate from the times above, not measured)")
    _ = last


def fmt_pair(value: float | None, ratio: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} ({ratio:.1f}x)" if ratio is not None else f"{value:.1f}"


def section_profile(n: int, seed: int, workdir: Path, timeout: float) -> dict:
    """cProfile of each notebook in-process, chart PNG timings, import times and a build profile at size n."""
    root = workdir / f"scale-{n}"
    database = root / "data" / "curated" / "sdgs.duckdb"
    if not (root / synth.MARKER).is_file() or json.loads((root / synth.MARKER).read_text())["cities"] != n or not database.is_file():
        synth.generate(n, seed, root, overwrite=True, source=SNAPSHOT or REPO)
        measure([PYTHON, "-m", "sdgcities.build", "--force"], env=child_env(root), cwd=root)
    out_dir = workdir / "profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"\nprofile at {n} cities (details in {out_dir})", flush=True)
    result: dict = {"cities": n, "notebooks": {}}
    params = notebook_parameters(root)
    env = child_env(root, database, SDGCITIES_CHART_MODE="report")
    for name in COMPARISON_NOTEBOOKS:
        path = root / "notebooks" / f"{name}.ipynb"
        if not path.is_file():
            continue
        json_out = out_dir / f"{n}-{name}.json"
        run = measure([PYTHON, str(BENCH / "profile_nb.py"), str(path), "--parameters", json.dumps(params[name], ensure_ascii=False),
                       "--json", str(json_out), "--stats", str(out_dir / f"{n}-{name}.pstats")], env=env, cwd=path.parent, timeout=timeout)
        if json_out.is_file():
            data = json.loads(json_out.read_text(encoding="utf-8"))
            result["notebooks"][name] = {k: data[k] for k in ("seconds", "error", "png_seconds", "table_seconds", "cells", "package_top", "own_top")}
            result["notebooks"][name]["n_pngs"] = len(data["pngs"])
            result["notebooks"][name]["pngs"] = sorted(data["pngs"], key=lambda p: -p["seconds"])[:10]
            result["notebooks"][name]["n_tables"] = len(data["tables"])
            top = data["package_top"][:3]
            say(f"profile {name}", f"{data['seconds']:.2f} s",
                extra=f"{len(data['pngs'])} chart PNGs {data['png_seconds']:.2f} s; {len(data['tables'])} tables {data['table_seconds']:.2f} s; top: "
                + "; ".join(f"{e['function']} {e['cumulative']:.2f}" for e in top))
        else:
            say(f"profile {name}", "FAILED", extra=fail_text(run)[:200])
    # Import time of what a notebook imports (python -X importtime), in a fresh process.
    modules = "sdgcities.present.notebook, sdgcities.present.charts, sdgcities.access.api, " + ", ".join(
        f"sdgcities.present.analyses.{m}" for m in ("coverage", "synergy", "achievement", "stakeholders", "data_quality", "profile")
        if (REPO / "src" / "sdgcities" / "present" / "analyses" / m).is_dir())
    imp = measure([PYTHON, "-X", "importtime", "-c", f"import {modules}"], env=env)
    rows = []
    for line in imp.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if m:
            rows.append({"self_us": int(m.group(1)), "cumulative_us": int(m.group(2)), "depth": len(m.group(3)) // 2, "module": m.group(4)})
    top_level = sorted((r for r in rows if r["depth"] <= 1), key=lambda r: -r["cumulative_us"])[:15]
    result["imports"] = {"seconds": imp.seconds, "top": top_level}
    say("import of the notebook modules (python -X importtime)", f"{imp.seconds:.2f} s",
        extra="; ".join(f"{r['module']} {r['cumulative_us'] / 1e6:.2f}" for r in top_level[:6]))
    # The database build under cProfile.
    stats_path = out_dir / f"{n}-build.pstats"
    run = measure([PYTHON, "-m", "cProfile", "-o", str(stats_path), "-m", "sdgcities.build", "--force"], env=child_env(root), cwd=root, timeout=timeout)
    if run.ok and stats_path.is_file():
        import pstats

        stats = pstats.Stats(str(stats_path))
        entries = [{"function": f"{Path(f).name}:{l}({fn})", "cumulative": ct, "own": tt, "calls": nc}
                   for (f, l, fn), (cc, nc, tt, ct, _) in stats.stats.items() if f"{os.sep}sdgcities{os.sep}" in f]  # type: ignore[attr-defined]
        result["build"] = {"seconds": run.seconds, "top": sorted(entries, key=lambda e: -e["cumulative"])[:15]}
        say("build under cProfile", f"{run.seconds:.2f} s",
            extra="; ".join(f"{e['function']} {e['cumulative']:.2f}" for e in result["build"]["top"][:5]))
    # Rendering split: notebook -> HTML (nbconvert + BeautifulSoup) and HTML -> PDF (Chromium).
    executed = root / "reports" / "executed"
    inputs = [executed / f"{nb}.ipynb" for nb in comparison_order(root) if (executed / f"{nb}.ipynb").is_file()]
    if inputs:
        code = (
            "import json, sys, time; from pathlib import Path; from sdgcities.publish import render\n"
            "nbs = [Path(p) for p in sys.argv[2:]]; out = Path(sys.argv[1])\n"
            "t = time.perf_counter(); page = render.build_html(nbs, title='bench', lang='ja'); t_html = time.perf_counter() - t\n"
            "out.write_text(page.html, encoding='utf-8')\n"
            "t = time.perf_counter(); render.print_pdf(out, out.with_suffix('.pdf'), title='bench', lang='ja'); t_pdf = time.perf_counter() - t\n"
            "print(json.dumps({'html_s': t_html, 'pdf_s': t_pdf, 'charts': page.chart_count, 'html_bytes': len(page.html)}))\n"
        )
        run = measure([PYTHON, "-c", code, str(out_dir / f"{n}-render.html"), *map(str, inputs)], env=env, cwd=root, timeout=timeout)
        if run.ok:
            split = json.loads(run.stdout.strip().splitlines()[-1])
            result["render"] = split
            say("render split (comparison report)", f"{split['html_s'] + split['pdf_s']:.2f} s",
                extra=f"HTML assembly {split['html_s']:.2f} s, PDF print {split['pdf_s']:.2f} s, {split['charts']} charts, "
                      f"HTML {split['html_bytes'] / 2**20:.1f} MiB")
        else:
            say("render split", "FAILED", extra=fail_text(run)[:200])
    return result


# ---------------------------------------------------------------------------------------------
# RESULTS.md


def write_results_md(results: dict, path: Path) -> None:
    m = results.get("machine", {})
    lines = ["# Benchmark results", "",
             f"Written by `bench/run.py` ({results.get('updated', '')}). Each section shows when it was last run; "
             "rerun with `make bench` (everything) or `python bench/run.py --scale --sizes 3,30,300,1741`.", "",
             "## Machine", "",
             f"- CPU: {m.get('cpu_model')} — {m.get('cores')} cores ({m.get('cores_usable')} usable)",
             f"- Memory: {m.get('memory_gib')} GiB",
             f"- OS: {m.get('os')}; Chromium: {m.get('chromium')}",
             "- Versions: " + ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items()), ""]
    code = results.get("code", {})
    if code:
        lines += [f"Code measured: commit {code.get('commit')}, package {code.get('package_sha')}, notebooks {code.get('notebooks_sha')} "
                  f"({', '.join(code.get('notebooks', [])) or 'none'})"
                  + (f", from a snapshot taken {code.get('taken')} (others were editing the repository)" if code.get("snapshot") else "") + ".", "",
                  "Wall times depend on what else runs on the machine: each command's 1-minute load average when it started and its CPU "
                  "seconds (user + system of the process tree, from wait4) are recorded beside the peak memory.", ""]
    lines += ["## Suite figures", "", "| figure | measured | goal | result | peak memory |", "|---|---|---|---|---|"]
    floor = results.get("floor") or {}
    data = results.get("data") or {}
    rep = results.get("reports") or {}

    def row(label, value, goal="", ok=None, run=None):
        lines.append(f"| {label} | {value} | {goal} | {verdict(ok) if goal else ''} | {mem(run)} |")

    if floor.get("seconds") is not None:
        row("floor: papermill runs a notebook that imports the package and opens the database (median of 3)", f"{floor['seconds']:.2f} s", run=floor.get("run"))
        if floor.get("cold_seconds"):
            row("floor, cold (`python -m papermill`, process start and imports included)", f"{floor['cold_seconds']:.2f} s")
        row("notebook executions in the suite", f"{floor.get('executions')} ({floor.get('source', '')[:60]})")
    if data.get("forced"):
        f = data["forced"]
        row("`make data` (`python -m sdgcities.build --force`)", f"{f['seconds']:.2f} s" if f["returncode"] == 0 else "FAILED",
            f"≤ {GOALS['data_s']:g} s", f["returncode"] == 0 and f["seconds"] <= GOALS["data_s"], f)
    if data.get("nochange"):
        f = data["nochange"]
        row("`make data`, nothing changed", f"{f['seconds']:.2f} s", f"≤ {GOALS['data_s']:g} s", f["returncode"] == 0 and f["seconds"] <= GOALS["data_s"], f)
    if rep.get("forced"):
        f = rep["forced"]
        if f["returncode"] == 0 and not f.get("timed_out"):
            row("`make reports` (`python -m sdgcities.publish.reports --force`), wall", f"{f['seconds']:.1f} s", run=f)
            if rep.get("ratio") is not None:
                row(f"… ratio to floor × {floor.get('executions')} executions ÷ {rep.get('cores')} cores ({rep['ideal_seconds']:.1f} s)",
                    f"{rep['ratio']:.2f}×", f"≤ {GOALS['reports_ratio']:g}×", rep["ratio"] <= GOALS["reports_ratio"])
            if rep.get("jobs"):
                row("… sum of notebook executions (worker timings)", f"{sum(rep['jobs'].values()):.1f} s — "
                    + ", ".join(f"{n} {s:.1f}" for n, s in sorted(rep["jobs"].items(), key=lambda kv: -kv[1])))
            if rep.get("renders"):
                row("… sum of report renders (HTML+PDF)", f"{sum(rep['renders'].values()):.1f} s — "
                    + ", ".join(f"{Path(n).name} {s:.1f}" for n, s in rep["renders"].items()))
        else:
            row("`make reports --force`", "FAILED: " + fail_text(Run(**{k: f[k] for k in Run.__dataclass_fields__ if k in f})).replace("|", "/")[:300],
                f"≤ {GOALS['reports_ratio']:g}×", False)
    if rep.get("nochange"):
        f = rep["nochange"]
        row("`make reports`, nothing changed", f"{f['seconds']:.2f} s", f"≤ {GOALS['reports_nochange_s']:g} s",
            f["returncode"] == 0 and f["seconds"] <= GOALS["reports_nochange_s"], f)
    lines.append("")
    for key, label in (("floor", "floor"), ("data", "make data"), ("reports", "make reports")):
        if results.get(f"{key}_at"):
            lines.append(f"_{label}: measured {results[f'{key}_at']}_  ")
    scale = results.get("scale") or {}
    summary = scale.get("summary") or {}
    if summary.get("rows"):
        names = summary["notebooks"]
        lines += ["", "## Scale", "", f"_Measured {scale.get('at', '')}, seed {scale.get('seed')}; the 3 real cities plus N − 3 synthetic ones "
                  "(bench/synth.py). Seconds, with time(N) / time(3) in brackets; compare with N / 3. Notebook times are papermill's "
                  f"execute_notebook (kernel start included; the floor is {floor.get('seconds') or 0:.2f} s). city_profile runs for "
                  f"`{PROFILE_CITY}`._", "",
                  "| N | N/3 | build | " + " | ".join(names) + " | render comparison | render city | peak MiB |",
                  "|" + "---|" * (6 + len(names))]
        for r in summary["rows"]:
            cells = [str(r["cities"]), f"{r['n_over_3']:.1f}", fmt_pair(r.get("build"), r.get("build_ratio"))]
            for name in names:
                text = fmt_pair(r.get(name), r.get(f"{name}_ratio"))
                if f"{name}_goal_ok" in r:
                    text += " ✅" if r[f"{name}_goal_ok"] else " ❌"
                cells.append(text)
            cells += [fmt_pair(r.get("render_comparison"), r.get("render_comparison_ratio")),
                      fmt_pair(r.get("render_city_profile"), r.get("render_city_profile_ratio")), f"{r.get('peak_mib') or 0:,.0f}"]
            lines.append("| " + " | ".join(cells) + " |")
        largest = summary["largest"]
        lines += ["", "CPU seconds of the same notebook runs (user + system of papermill, the kernel and their children; less sensitive "
                  "to other load on the machine than wall time), and the load average when each started:", "",
                  "| N | " + " | ".join(names) + " |", "|" + "---|" * (1 + len(names))]
        base_row = summary["rows"][0]
        for r in summary["rows"]:
            cells = [str(r["cities"])]
            for name in names:
                cpu, cpu0 = r.get(f"{name}_cpu"), base_row.get(f"{name}_cpu")
                load = r.get(f"{name}_load")
                text = "-" if cpu is None else (f"{cpu:.1f} ({cpu / cpu0:.1f}x)" if cpu0 else f"{cpu:.1f}")
                if load is not None and cpu is not None:
                    text += f", load {load:.1f}"
                cells.append(text)
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", f"Goal: at {largest} cities each comparison notebook finishes in ≤ {GOALS['scale_ratio']:g} × its 3-city time "
                  "(✅ / ❌), and cost grows at most linearly (ratio ≤ N/3)."]
        last = next(r for r in summary["rows"] if r["cities"] == largest)
        verdicts = []
        for name in names:
            ratio = last.get(f"{name}_ratio")
            if ratio is None:
                verdicts.append(f"- {name}: no result at {largest} (failed or timed out)")
            else:
                linear = all(r.get(f"{name}_ratio") is None or r[f"{name}_ratio"] <= max(r["n_over_3"], 1) for r in summary["rows"])
                verdicts.append(f"- {name}: {ratio:.1f}× at {largest} cities — goal ≤ {GOALS['scale_ratio']:g}× "
                                f"{verdict(ratio <= GOALS['scale_ratio']) if largest > 3 else 'n/a'}; at most linear {verdict(linear)}")
        lines += [""] + verdicts
        failures = []
        for n, entry in sorted((int(k), v) for k, v in (scale.get("sizes") or {}).items()):
            for name, nb in (entry.get("notebooks") or {}).items():
                if nb.get("seconds") is None:
                    failures.append(f"- {n} cities, {name}: {(nb.get('error') or '')[:300]}")
            for name, rr in (entry.get("renders") or {}).items():
                if rr.get("seconds") is None:
                    failures.append(f"- {n} cities, render {name}: {fail_text(Run(**{k: rr['run'][k] for k in Run.__dataclass_fields__ if k in rr['run']}))[:300]}")
        if failures:
            lines += ["", "Failures:", ""] + failures
        projected = [r for r in summary["rows"] if r.get("projected_reports_s") is not None and r["cities"] > 3]
        if projected:
            lines += ["", "Projected `make reports --force` (every comparison notebook once, city_profile once per city, over the cores; "
                      "renders one after the other — an estimate from the measured times, not a measurement):", ""]
            lines += [f"- {r['cities']} cities: {r['projected_reports_s'] / 60:,.1f} min" for r in projected]
    prof = results.get("profile") or {}
    if prof.get("notebooks"):
        lines += ["", f"## Profile at {prof['cities']} cities", "", f"_Measured {prof.get('at', '')}; in-process (IPython shell + cProfile), "
                  "so no kernel start-up. Full listings: bench/out/profile/._", ""]
        for name, p in prof["notebooks"].items():
            lines.append(f"### {name}: {p['seconds']:.2f} s in-process" + (f" (FAILED: {p['error']})" if p.get("error") else ""))
            lines.append("")
            lines.append(f"- chart PNGs (charts.static_png, vl-convert): {p['n_pngs']} charts, {p['png_seconds']:.2f} s; "
                         f"tables (charts.table_html): {p['n_tables']}, {p['table_seconds']:.2f} s")
            for png in p.get("pngs", [])[:3]:
                lines.append(f"  - PNG {png['seconds']:.2f} s, spec {png['spec_bytes'] / 1024:,.0f} KiB: {png['title']}")
            slow_cells = sorted(p.get("cells", []), key=lambda c: -c["seconds"])[:3]
            lines.append("- slowest cells: " + "; ".join(f"{c['seconds']:.2f} s `{c['label'][:60]}`" for c in slow_cells))
            lines.append("- package functions by cumulative time: " + "; ".join(
                f"`{e['function']}` {e['cumulative']:.2f} s ({e['calls']} calls)" for e in p.get("package_top", [])[:8]))
            lines.append("")
        if prof.get("imports"):
            lines.append(f"Imports of the notebook modules (python -X importtime, fresh process): {prof['imports']['seconds']:.2f} s — "
                         + ", ".join(f"{r['module']} {r['cumulative_us'] / 1e6:.2f} s" for r in prof["imports"]["top"][:8]))
            lines.append("")
        if prof.get("build"):
            lines.append(f"Build under cProfile: {prof['build']['seconds']:.2f} s — " + "; ".join(
                f"`{e['function']}` {e['cumulative']:.2f} s" for e in prof["build"]["top"][:8]))
            lines.append("")
        if prof.get("render"):
            r = prof["render"]
            lines.append(f"Comparison report render: HTML assembly {r['html_s']:.2f} s, PDF print {r['pdf_s']:.2f} s, {r['charts']} charts, "
                         f"HTML {r['html_bytes'] / 2**20:.1f} MiB.")
            lines.append("")
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Speed and scale benchmarks of the sdgcities pipeline.")
    parser.add_argument("--scale", action="store_true", help="run the scale benchmark only (and the floor it is compared with)")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale benchmark")
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="city counts of the scale benchmark (3 is always added)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic cities")
    parser.add_argument("--profile", action="store_true", help="profile every notebook, the imports, the build and the render at --profile-size")
    parser.add_argument("--profile-size", type=int, default=None, help="city count to profile at (default: the largest size)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed for each command")
    parser.add_argument("--workdir", type=Path, default=BENCH / "out", help="where the copies and results go (default bench/out/)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="the Markdown summary to write")
    parser.add_argument("--live-code", action="store_true",
                        help="measure the repository's code as it is on disk during the run (default: a snapshot taken at the start)")
    args = parser.parse_args(argv)
    sizes = sorted({3, *(int(s) for s in args.sizes.split(",") if s.strip())})
    if min(sizes) < 3:
        parser.error("--sizes: every size must be at least 3 (the real cities)")
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    results_path = workdir / "results.json"
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}

    def save() -> None:
        results["updated"] = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        write_results_md(results, args.results)

    stamp = lambda: dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")  # noqa: E731

    def now() -> str:
        """When a section was measured, and on which code (sections of earlier runs may remain)."""
        code = results.get("code", {})
        return f"{stamp()}, package {code.get('package_sha')}, notebooks {code.get('notebooks_sha')}"

    global SNAPSHOT
    if not args.live_code:
        SNAPSHOT = snapshot(workdir)
        sys.path.insert(0, str(SNAPSHOT / "src"))  # the harness's own imports of sdgcities (load_config) too
    results["machine"] = machine()
    results["code"] = code_state(SNAPSHOT or REPO)
    m = results["machine"]
    print(f"machine: {m['cpu_model']}, {m['cores']} cores, {m['memory_gib']} GiB; "
          + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if k in ("python", "duckdb", "polars", "papermill")))
    if psutil is None:
        print("psutil is not installed: peak memory is the largest single process only (wait4), not the process tree")
    print(f"notebooks present: {', '.join(results['code']['notebooks']) or 'none'}; code {results['code']['commit']}, "
          f"package {results['code']['package_sha']}, notebooks {results['code']['notebooks_sha']}"
          + (f" (snapshot {SNAPSHOT})" if SNAPSHOT else " (live)"))
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (other work on the machine slows every figure)")

    # The suite: a copy of the repository (bench/synth.py with no synthetic city), built.
    suite_root = workdir / "suite"
    synth.generate(3, args.seed, suite_root, overwrite=True, source=SNAPSHOT or REPO)
    database = suite_root / "data" / "curated" / "sdgs.duckdb"
    if not args.scale:
        results["data"] = section_data(suite_root)
        results["data_at"] = now()
        save()
    else:
        measure([PYTHON, "-m", "sdgcities.build", "--force"], env=child_env(suite_root), cwd=suite_root)
    if not database.is_file():
        print("the database could not be built; stopping")
        save()
        return 1
    results["floor"] = section_floor(suite_root, database, workdir)
    results["floor_at"] = now()
    save()
    if not args.scale:
        results["reports"] = section_reports(suite_root, results["floor"], args.timeout)
        results["reports_at"] = now()
        save()

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not args.no_scale:
        per_size: dict[int, dict] = {}
        for n in sizes:
            per_size[n] = scale_one(n, args.seed, workdir, args.timeout)
            results["scale"] = {"at": now(), "seed": args.seed, "sizes": {str(k): v for k, v in per_size.items()},
                                "summary": scale_summary(per_size, results["floor"].get("seconds"), cores)}
            save()
        print_scale_table(results["scale"]["summary"])
    if args.profile:
        size = args.profile_size or (max(sizes) if not args.no_scale else 3)
        results["profile"] = section_profile(size, args.seed, workdir, args.timeout)
        results["profile"]["at"] = now()
    save()
    print(f"\nwrote {args.results} and {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
