"""Benchmarks of the sdgcities report suite against the goals of issue 12 (`make bench`).

    python bench/run.py                 # everything: suite, Run All, render, 1,741 cities, 200 cities, profile (long)
    python bench/run.py --quick         # suite, Run All (ja), render: a few minutes
    python bench/run.py --scale200      # only the named sections (combinable): --suite --runall --render
                                        #   --large (1,741 cities) --scale200 --profile
    python bench/run.py --quick --profile

Every figure is printed beside its goal with PASS/FAIL and written to bench/RESULTS.md (goals table,
details, profile; the draft-bench section between its markers is kept) and --workdir/results.json
(each section replaced when it is run again, so a partial run keeps the other sections' figures).
bench/README.md describes each goal and how it is measured.

Everything runs on copies under --workdir (default bench/out/), never on the repository's database or
reports/, and on a snapshot of the code taken at the start (children import the package from it), so
that one run measures one state of the code while others edit the repository.
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
from memory_roles import role as process_role  # noqa: E402

GIB = 2**30
GOALS = {
    "reports_ratio": 1.5,  # 1. reports --force <= 1.5 x floor x notebook runs / cores
    "nochange_s": 1.0,  # 2. reports, nothing changed
    "runall_s": 2.0,  # 4. Run All of a report notebook in a started kernel
    "render_ratio": 1.5,  # 5. render every report <= 1.5 x printing static pages of the same size
    "scale200_s": 600.0,  # 6. reports --force at 200 cities
    "build_large_s": 5.0,  # 7. build at 1,741 cities
    "large_ratio": 2.0,  # 7. comparison notebook at 1,741 cities <= 2 x at 3 cities
    "memory_gib": 1.5,  # 8. peak memory of reports --force
}
LARGE = 1741  # the number of SDGs Future Cities candidates the suite must scale to (issue 12)
SCALE = 200
LARGE_ROUNDS = 3  # rounds of the comparison notebooks at 3 and at LARGE cities (fastest run of each kept)
SECTIONS = ("suite", "runall", "render", "large", "scale200", "profile")
QUICK = ("suite", "runall", "render")
SUMMARY = re.compile(r"reports: (\d+) notebook run\(s\), (\d+) report\(s\) rendered")
JOB_LINE = re.compile(r"\[\d+/\d+\] (\S+): executed in ([\d.]+) s")
RENDER_LINE = re.compile(r"rendered (\S+?)(?: and \.pdf)? in ([\d.]+) s")
CSS_COMMENT = "\n/* bench/run.py: a harmless comment (goal 3: a stylesheet change re-renders without running notebooks) */\n"

# The figures of bench/RESULTS.md as measured on 2026-11-23 (one language: 8 notebook runs, 4 reports).
BEFORE = [
    ("floor, cold (`python -m papermill` on bench/floor.ipynb)", "2.67 s"),
    ("floor, warm (papermill in a started process, kernel start included)", "0.87 s"),
    ("`reports --force`, wall (8 notebook runs, 4 reports, ja only)", "34.2 s = 9.87 × floor × 8 ÷ 2 (goal ≤ 1.5×: FAIL)"),
    ("… sum of the 8 notebook runs (each in a new kernel)", "39.3 s (4.3–5.7 s each)"),
    ("… sum of the 4 renders (HTML+PDF)", "22.8 s (comparison 10.9 s)"),
    ("`reports`, nothing changed", "0.23 s"),
    ("peak memory of `reports --force` (RSS summed over the tree)", "3,527 MiB"),
    ("build at 3 cities / at 1,741 cities", "0.89 s / 13.3 s"),
    ("comparison notebooks at 1,741 ÷ at 3 cities (papermill, new kernel each)", "1.2× – 2.1× (achievement 2.1×)"),
    ("render of the comparison report at 3 / 1,741 cities", "8.5 s / 20.7 s"),
    ("projected `reports --force` at 300 cities (estimate, not measured)", "41.2 min"),
]


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
    peak_tree_pss_mib: float | None = None  # sampled sum of PSS over the tree (shared pages split between sharers)
    load_after: float | None = None  # 1-minute load average when it ended (a long run sees the machine change)
    cpu_sampled_seconds: float | None = None  # user + system CPU of every process seen in the tree, read while it ran
    peak_pss_roles_mib: dict | None = None  # the PSS peak split by process role (bench/memory_roles.py's roles)
    cpu_roles_seconds: dict | None = None  # the sampled CPU split by process role
    timed_out: bool = False
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def brief(self) -> dict:
        data = asdict(self)
        data["stdout"] = self.stdout[-6000:]
        data["stderr"] = self.stderr[-4000:]
        return data


def _tree_memory(process, pss: bool, cpu: dict[tuple[int, float], tuple[str, float]] | None = None,
                 roles: dict[str, int] | None = None) -> tuple[int, int | None]:
    """(RSS, PSS or None) summed over a process and its descendants. A process that ends while it is
    read is skipped; PSS is None when a process's smaps cannot be read (no figure rather than a low one).
    With `cpu`, each process's role and CPU seconds so far are recorded there, by (pid, start time); with
    `roles`, the PSS read is also summed there by role."""
    try:
        processes = [process] + process.children(recursive=True)
    except psutil.Error:
        return 0, None
    rss, pss_total, readable = 0, 0, pss
    for p in processes:
        try:
            rss += p.memory_info().rss
            name = process_role(p, process.pid) if cpu is not None or roles is not None else ""
            if cpu is not None:
                times = p.cpu_times()
                key = (p.pid, p.create_time())
                if key in cpu and name == "gone":  # an ending process: keep the role read while it ran
                    name = cpu[key][0]
                cpu[key] = (name, times.user + times.system)
            if readable:
                value = p.memory_full_info().pss
                pss_total += value
                if roles is not None:
                    roles[name] = roles.get(name, 0) + value
        except psutil.NoSuchProcess:
            continue
        except (psutil.AccessDenied, AttributeError):
            readable = False
    return rss, pss_total if readable else None


def _by_role(cpu: dict[tuple[int, float], tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for name, seconds in cpu.values():
        totals[name] = totals.get(name, 0.0) + seconds
    return totals


def roles_text(run: dict | None) -> str:
    """What the tree held at its PSS peak and where its CPU went, by process role (largest first)."""
    if not run:
        return ""
    parts = []
    if run.get("peak_pss_roles_mib"):
        parts.append("PSS at the peak: " + ", ".join(f"{name} {value:,.0f} MiB" for name, value in
                                                      sorted(run["peak_pss_roles_mib"].items(), key=lambda item: -item[1])))
    if run.get("cpu_roles_seconds"):
        parts.append("CPU (sampled): " + ", ".join(f"{name} {value:.1f} s" for name, value in
                                                    sorted(run["cpu_roles_seconds"].items(), key=lambda item: -item[1]) if value >= 0.05))
    return "; ".join(parts)


def measure(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float | None = None,
            pss: bool = False) -> Run:
    """Run a command to completion: wall time, CPU, peak memory of its process tree, exit status and output.
    Memory is sampled every 100 ms; with `pss`, the tree's PSS too, every 500 ms (reading smaps costs more)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        peak, peak_pss, pss_ok = 0, 0, pss
        # wait4's CPU leaves out processes whose parent never waited for them (Chromium's renderers, when
        # the browser is closed with its children still up), so the tree is also read while it runs.
        cpu_seen: dict[tuple[int, float], tuple[str, float]] = {}
        peak_roles: dict[str, int] = {}
        done = threading.Event()
        timed_out = threading.Event()

        def sample() -> None:
            nonlocal peak, peak_pss, pss_ok, peak_roles
            if psutil is None:
                return
            try:
                process = psutil.Process(child.pid)
            except psutil.Error:
                return
            count = 0
            while not done.is_set():
                # PSS (smaps) costs far more to read than RSS: every 5th sample, so the sampler stays small
                # beside what it measures.
                roles: dict[str, int] = {}
                rss, tree_pss = _tree_memory(process, pss_ok and count % 5 == 0, cpu_seen, roles)
                count += 1
                peak = max(peak, rss)
                if pss_ok and count % 5 == 1 and tree_pss is None and rss:
                    pss_ok = False
                elif tree_pss is not None and tree_pss > peak_pss:
                    peak_pss, peak_roles = tree_pss, roles
                done.wait(0.1)

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
            cpu_seconds=usage.ru_utime + usage.ru_stime, load_before=load,
            peak_tree_pss_mib=peak_pss / 2**20 if pss and pss_ok and peak_pss else None, timed_out=timed_out.is_set(),
            load_after=os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
            cpu_sampled_seconds=sum(seconds for _, seconds in cpu_seen.values()) if psutil is not None else None,
            peak_pss_roles_mib={name: value / 2**20 for name, value in peak_roles.items()} if pss and pss_ok and peak_roles else None,
            cpu_roles_seconds=_by_role(cpu_seen) if psutil is not None else None,
            stdout=out.read().decode("utf-8", "replace"), stderr=err.read().decode("utf-8", "replace"),
        )


def last_json(run: Run):
    """The JSON a helper script printed on its last line (None when it printed none)."""
    for line in reversed(run.stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith(("{", "[")):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


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


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ---------------------------------------------------------------------------------------------
# Printing


def mem(run: Run | dict | None) -> str:
    if not run:
        return ""
    data = run if isinstance(run, dict) else asdict(run)
    tree, single, tree_pss = data.get("peak_tree_mib"), data.get("max_process_mib"), data.get("peak_tree_pss_mib")
    text = f"peak {tree:,.0f} MiB RSS tree" if tree is not None else f"peak {single:,.0f} MiB largest process"
    if tree_pss is not None:
        text += f" / {tree_pss:,.0f} MiB PSS tree"
    if data.get("cpu_seconds"):
        text += f"; CPU {data['cpu_seconds']:.1f} s"
        sampled = data.get("cpu_sampled_seconds")
        if sampled and data.get("seconds"):
            # What the tree's processes used, read while they ran, and how busy that kept the cores.
            text += f" (sampled {sampled:.1f} s = {sampled / data['seconds'] / cores():.0%} of {cores()} cores)"
    if data.get("load_before") is not None:
        text += f"; load {data['load_before']:.1f}"
        if data.get("load_after") is not None and data.get("seconds", 0) >= 60:
            text += f" → {data['load_after']:.1f}"
    return text


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def say(label: str, value: str, goal: str = "", ok: bool | None = None, extra: str = "") -> None:
    goal_text = f"goal {goal:<9} {verdict(ok)}" if goal else ""
    print(f"  {label:<58} {value:>12}   {goal_text:<20} {extra}".rstrip(), flush=True)


def fail_text(run: Run | dict) -> str:
    data = run if isinstance(run, dict) else asdict(run)
    if data.get("timed_out"):
        return f"timed out after {data['seconds']:.0f} s"
    lines = [line for line in (data.get("stderr") or data.get("stdout") or "").strip().splitlines() if line.strip()]
    return f"exit {data.get('returncode')}: " + (" | ".join(lines[-3:]) if lines else "no output")


def ok_run(run: dict | None) -> bool:
    return bool(run) and run.get("returncode") == 0 and not run.get("timed_out")


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
    for module in ("duckdb", "polars", "pyarrow", "papermill", "nbclient", "jupyter_client", "nbconvert", "altair", "vl_convert",
                   "playwright", "ipykernel", "psutil"):
        try:
            from importlib.metadata import version

            versions[module] = version({"vl_convert": "vl-convert-python", "jupyter_client": "jupyter-client"}.get(module, module))
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
    return {
        "cpu_model": model, "cores": os.cpu_count(), "cores_usable": cores(), "memory_gib": round(memory / GIB, 1) if memory else None,
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
        "package_sha": digest([p for p in (base / "src" / "sdgcities").rglob("*") if p.suffix in (".py", ".css", ".yaml") and p.is_file()]),
        "notebooks_sha": digest(list((base / "notebooks").glob("*.ipynb")) + list((base / "notebooks").glob("*.yaml"))),
        "notebooks": sorted(p.stem for p in (base / "notebooks").glob("*.ipynb")),
        "snapshot": str(base) if base != REPO else None,
        "taken": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
    }


# ---------------------------------------------------------------------------------------------
# The suite's reports and jobs


def suite_reports(root: Path, database: Path) -> list[dict]:
    """The suite's reports and their jobs at `root`, from notebooks/reports.yaml through
    sdgcities.publish.reports.load_config: [{stem, title, lang, jobs: [{name, notebook, parameters}]}]."""
    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        names = {r[0]: {"name_ja": r[1], "name_en": r[2]} for r in con.sql("select city_id, name_ja, name_en from cities order by city_id").fetchall()}
    previous = os.environ.get("SDGCITIES_ROOT")
    os.environ["SDGCITIES_ROOT"] = str(root)
    try:
        from sdgcities.publish import reports

        config = reports.load_config(root / "notebooks" / "reports.yaml", names)
    finally:
        if previous is None:
            os.environ.pop("SDGCITIES_ROOT", None)
        else:
            os.environ["SDGCITIES_ROOT"] = previous
    return [{"stem": r.stem, "title": r.title, "lang": r.lang,
             "jobs": [{"name": j.name, "notebook": str(j.notebook), "parameters": j.parameters} for j in r.jobs]} for r in config]


def comparison_jobs(config: list[dict], lang: str, root: Path) -> list[dict]:
    """The jobs of the comparison report in `lang`, their notebooks taken from `root`."""
    report = next(r for r in config if r["stem"] == f"{lang}/comparison")
    return [{**job, "notebook": str(root / "notebooks" / Path(job["notebook"]).name)} for job in report["jobs"]]


def short_name(job_name: str) -> str:
    """ja-comparison-coverage -> comparison coverage (ja); ja-kaga-city_profile -> kaga city_profile (ja)."""
    parts = job_name.split("-", 2)
    return f"{parts[1]} {parts[2]} ({parts[0]})" if len(parts) == 3 else job_name


def parse_report_run(run: Run) -> dict:
    """The report run's own account: its summary line (absent when a step failed), the worker timings of
    every notebook run and render, and the steps that failed."""
    summary = SUMMARY.findall(run.stdout)
    failed = re.findall(r"\[\d+/\d+\] (\S+): FAILED: (.*)", run.stdout) + re.findall(r"rendering (\S+): FAILED: (.*)", run.stdout)
    return {
        "notebook_runs": int(summary[-1][0]) if summary else None, "rendered": int(summary[-1][1]) if summary else None,
        "jobs": {name: float(s) for name, s in JOB_LINE.findall(run.stdout)},
        "renders": {name: float(s) for name, s in RENDER_LINE.findall(run.stdout)},
        "failed": [{"step": name, "error": error[:200]} for name, error in failed],
    }


def build_root(n: int, seed: int, workdir: Path, timeout: float) -> tuple[Path, dict]:
    """A root with the 3 real cities plus n - 3 synthetic ones (bench/synth.py), and its database built."""
    root = workdir / f"scale-{n}"
    generated = measure([PYTHON, str(BENCH / "synth.py"), "--cities", str(n), "--seed", str(seed), "--out", str(root), "--overwrite",
                         "--source", str(SNAPSHOT or REPO)], env=child_env(), timeout=timeout)
    entry: dict = {"cities": n, "root": str(root), "generate": generated.brief()}
    if not generated.ok:
        say(f"generate {n} cities (bench/synth.py)", "FAILED", extra=fail_text(generated))
        return root, entry
    say(f"generate {n} cities (bench/synth.py)", f"{generated.seconds:.1f} s")
    return root, entry


# ---------------------------------------------------------------------------------------------
# Sections


def section_suite(root: Path, database: Path, workdir: Path, timeout: float) -> dict:
    """Goals 1, 2, 3 and 8 (3 cities): floor, reports --force, nothing changed, a stylesheet change."""
    print("\n[suite] the report suite on a built copy of the repository (3 cities)", flush=True)
    result: dict = {"cores": cores()}
    build = measure([PYTHON, "-m", "sdgcities.build", "--force"], env=child_env(root), cwd=root, timeout=timeout)
    result["build"] = build.brief()
    say("build (python -m sdgcities.build --force)", f"{build.seconds:.2f} s" if build.ok else "FAILED",
        extra=mem(build) if build.ok else fail_text(build))
    if not build.ok:
        return result
    config = suite_reports(root, database)
    result["notebook_runs"] = sum(len(r["jobs"]) for r in config)
    result["reports"] = len(config)
    say("notebook runs / reports in the suite (load_config)", f"{result['notebook_runs']} / {result['reports']}")

    # Goal 1: the floor, a cold papermill process on the import-only notebook.
    out = workdir / "floor-executed.ipynb"
    floors = [measure([PYTHON, "-m", "papermill", str(BENCH / "floor.ipynb"), str(out)], env=child_env(root, database), cwd=BENCH, timeout=600)
              for _ in range(3)]
    result["floor_runs"] = [f.brief() for f in floors]
    if all(f.ok for f in floors):
        floor = statistics.median(f.seconds for f in floors)
        result["floor_s"] = floor
        result["ideal_s"] = floor * result["notebook_runs"] / result["cores"]
        result["floor_cpu_s"] = statistics.median(f.cpu_seconds for f in floors)
        say("floor: python -m papermill bench/floor.ipynb (median of 3)", f"{floor:.2f} s",
            extra=f"runs {', '.join(f'{f.seconds:.2f}' for f in floors)} s; {mem(floors[1])}")
        say(f"floor x {result['notebook_runs']} runs / {result['cores']} cores", f"{result['ideal_s']:.1f} s")
    else:
        say("floor", "FAILED", extra=fail_text(next(f for f in floors if not f.ok)))

    # Goals 1 and 8: the whole suite, forced.
    env = child_env(root)
    forced = measure([PYTHON, "-m", "sdgcities.publish.reports", "--force"], env=env, cwd=root, timeout=timeout, pss=True)
    result["forced"] = forced.brief()
    if not forced.ok:
        say("reports --force", "FAILED", f"<= {GOALS['reports_ratio']:g}x", False, fail_text(forced))
        return result
    result["forced_parsed"] = parse_report_run(forced)
    ratio = forced.seconds / result["ideal_s"] if result.get("ideal_s") else None
    result["ratio"] = ratio
    say("reports --force (both languages, HTML+PDF), wall", f"{forced.seconds:.1f} s", extra=mem(forced))
    if ratio is not None:
        say(f"  ratio to floor x {result['notebook_runs']} / {result['cores']}", f"{ratio:.2f}x", f"<= {GOALS['reports_ratio']:g}x",
            ratio <= GOALS["reports_ratio"], f"CPU: {cpu_note(result)}")
    parsed = result["forced_parsed"]
    if parsed["jobs"]:
        say("  sum of notebook runs (worker timings)", f"{sum(parsed['jobs'].values()):.1f} s",
            extra=", ".join(f"{short_name(n)} {s:.1f}" for n, s in sorted(parsed["jobs"].items(), key=lambda kv: -kv[1])[:6]) + " ...")
    if parsed["renders"]:
        say("  sum of renders (worker timings)", f"{sum(parsed['renders'].values()):.1f} s",
            extra=", ".join(f"{n} {s:.1f}" for n, s in parsed["renders"].items()))
    ok, figure = memory_verdict(result["forced"])
    say("  peak memory", figure, f"<= {GOALS['memory_gib']:g} GiB", ok, roles_text(result["forced"]))

    # Goal 2: nothing changed.
    nochange = measure([PYTHON, "-m", "sdgcities.publish.reports"], env=env, cwd=root, timeout=timeout)
    result["nochange"] = nochange.brief()
    say("reports, nothing changed", f"{nochange.seconds:.2f} s" if nochange.ok else "FAILED", f"<= {GOALS['nochange_s']:g} s",
        nochange.ok and nochange.seconds <= GOALS["nochange_s"], mem(nochange) if nochange.ok else fail_text(nochange))

    # Goal 3: a stylesheet change re-renders every report and runs no notebook.
    if SNAPSHOT is None:
        say("stylesheet change", "skipped", extra="--live-code: the harness edits only its snapshot's report.css")
        return result
    css = SNAPSHOT / "src" / "sdgcities" / "publish" / "report.css"
    original = css.read_bytes()
    css.write_bytes(original + CSS_COMMENT.encode("utf-8"))
    try:
        styled = measure([PYTHON, "-m", "sdgcities.publish.reports"], env=env, cwd=root, timeout=timeout)
    finally:
        css.write_bytes(original)  # later sections measure the code as it was
    result["css"] = {"run": styled.brief(), **parse_report_run(styled)}
    c = result["css"]
    passed = styled.ok and c["notebook_runs"] == 0 and c["rendered"] == result["reports"]
    say("stylesheet change: reports (notebook runs, reports rendered)",
        f"{c['notebook_runs']}, {c['rendered']}/{result['reports']}" if styled.ok else "FAILED", "0 runs, all", passed,
        f"{styled.seconds:.1f} s; {mem(styled)}" if styled.ok else fail_text(styled))
    return result


def cpu_note(suite: dict) -> str:
    """The same comparison in CPU seconds, which the machine's other load moves less than wall time."""
    if not suite.get("floor_cpu_s") or not suite.get("forced"):
        return ""
    work = suite["floor_cpu_s"] * suite["notebook_runs"]
    return (f"reports --force {suite['forced']['cpu_seconds']:.0f} s vs floor {suite['floor_cpu_s']:.1f} s x {suite['notebook_runs']} = "
            f"{work:.0f} s ({suite['forced']['cpu_seconds'] / work:.2f}x)")


def memory_verdict(run: dict | None) -> tuple[bool | None, str]:
    """Goal 8 on a run: PSS summed over the tree when sampled, else RSS summed (an upper bound)."""
    if not run or run.get("peak_tree_mib") is None:
        return None, "-"
    pss, rss = run.get("peak_tree_pss_mib"), run["peak_tree_mib"]
    used = pss if pss is not None else rss
    figure = (f"{pss / 1024:.2f} GiB PSS (RSS {rss / 1024:.2f})" if pss is not None else f"{rss / 1024:.2f} GiB RSS")
    return used / 1024 <= GOALS["memory_gib"], figure


def section_runall(root: Path, database: Path, workdir: Path, langs: list[str], timeout: float) -> dict:
    """Goal 4: each report notebook's Run All in a fresh, started kernel."""
    print(f"\n[runall] Run All of every report notebook in a started kernel ({', '.join(langs)}; 3 cities)", flush=True)
    config = suite_reports(root, database)
    jobs = [job for report in config if report["lang"] in langs for job in report["jobs"]]
    jobs_file = workdir / "runall-jobs.json"
    jobs_file.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    run = measure([PYTHON, str(BENCH / "nbtime.py"), "--mode", "fresh", "--jobs", str(jobs_file), "--out", str(workdir / "runall")],
                  env=child_env(root, database, SDGCITIES_CHART_MODE="report"), cwd=root, timeout=timeout)
    rows = last_json(run) or []
    result = {"langs": langs, "run": run.brief(), "rows": rows}
    if not rows:
        say("Run All", "FAILED", extra=fail_text(run))
        return result
    for row in rows:
        ok = row["run_s"] is not None and not row.get("error") and row["run_s"] <= GOALS["runall_s"]
        slow = "; ".join(f"{c['seconds']:.2f} s `{c['label'][:40]}`" for c in row.get("cells", [])[:2])
        say(f"{row['name']}: Run All (kernel start {row['kernel_s']:.2f} s)", f"{row['run_s']:.2f} s", f"<= {GOALS['runall_s']:g} s", ok,
            (f"FAILED: {row['error']}" if row.get("error") else f"slowest: {slow}"))
    say("Run All, all notebooks", f"{sum(r['run_s'] or 0 for r in rows):.1f} s", extra=mem(run))
    return result


def section_render(root: Path, database: Path, workdir: Path, timeout: float) -> dict:
    """Goal 5: rendering every report vs printing static pages of the same size in the same browser."""
    print("\n[render] every report rendered (HTML+PDF) vs static pages of the same size printed by the same browser", flush=True)
    config = suite_reports(root, database)
    executed = root / "reports" / "executed"
    missing = [j["name"] for r in config for j in r["jobs"] if not (executed / f"{j['name']}.ipynb").is_file()]
    if missing:
        say("executed notebooks missing: running reports --force first", f"{len(missing)}")
        prep = measure([PYTHON, "-m", "sdgcities.publish.reports", "--force"], env=child_env(root), cwd=root, timeout=timeout)
        if not prep.ok:
            say("reports --force", "FAILED", extra=fail_text(prep))
            return {"error": fail_text(prep)}
    reports = [{"stem": r["stem"], "title": r["title"], "lang": r["lang"], "notebooks": [str(executed / f"{j['name']}.ipynb") for j in r["jobs"]]}
               for r in config]
    reports_file = workdir / "render-reports.json"
    reports_file.write_text(json.dumps(reports, ensure_ascii=False), encoding="utf-8")
    run = measure([PYTHON, str(BENCH / "render_bench.py"), "--reports", str(reports_file), "--out", str(workdir / "render")],
                  env=child_env(root, database), cwd=root, timeout=timeout)
    data = last_json(run)
    result = {"run": run.brief()}
    if not data:
        say("render", "FAILED", extra=fail_text(run))
        return result
    result.update(data)
    for r in data["reports"]:
        say(f"{r['stem']}: render (build_html {r['build_html_s']:.2f} + PDF {r['pdf_s']:.2f})", f"{r['render_s']:.2f} s",
            extra=f"static {r['static_s']:.2f} s; {r['pages']} pages ({r['static_pages']} static); PDF load {r['pdf_load_s']:.2f} s, "
                  f"print {r['pdf_print_s']:.2f} s (page.pdf {' + '.join(f'{c:.2f}' for c in r.get('page_pdf_s') or [])}); "
                  f"{r['charts']} charts, contents {r['toc_entries']} entries")
    total = sum(r["render_s"] for r in data["reports"])
    static = sum(r["static_s"] for r in data["reports"])
    result["ratio"] = total / static if static else None
    say(f"render all {len(data['reports'])} reports / print static pages", f"{result['ratio']:.2f}x", f"<= {GOALS['render_ratio']:g}x",
        result["ratio"] <= GOALS["render_ratio"], f"{total:.1f} s vs {static:.1f} s (warm-up {data['warmup_s']:.1f} s); {mem(run)}")
    if all("again_s" in r for r in data["reports"]):
        again = sum(r["again_s"] for r in data["reports"])
        result["again_ratio"] = again / static if static else None
        single = sum(len(r["again_page_pdf_s"]) == 1 for r in data["reports"])
        say("the same reports rendered again over their previous version / static (not the goal's figure)", f"{result['again_ratio']:.2f}x",
            extra=f"{again:.1f} s; {single} of {len(data['reports'])} printed once")
    return result


def section_large(suite_root: Path, suite_db: Path, workdir: Path, seed: int, timeout: float) -> dict:
    """Goal 7: the build at 1,741 cities, and each comparison notebook at 1,741 vs 3 cities (two ways)."""
    print(f"\n[large] {LARGE} cities: build, and each comparison notebook at {LARGE} vs 3 cities", flush=True)
    root, result = build_root(LARGE, seed, workdir, timeout)
    if not ok_run(result["generate"]):
        return result
    database = root / "data" / "curated" / "sdgs.duckdb"
    builds = [measure([PYTHON, "-m", "sdgcities.build", "--force"], env=child_env(root), cwd=root, timeout=timeout) for _ in range(2)]
    result["builds"] = [b.brief() for b in builds]
    if not all(b.ok for b in builds):
        say("build --force", "FAILED", extra=fail_text(next(b for b in builds if not b.ok)))
        return result
    best = min(b.seconds for b in builds)
    result["build_s"] = best
    say(f"build --force at {LARGE} cities (best of 2)", f"{best:.2f} s", f"<= {GOALS['build_large_s']:g} s", best <= GOALS["build_large_s"],
        f"runs {', '.join(f'{b.seconds:.2f}' for b in builds)} s; {database.stat().st_size / 2**20:.1f} MiB; {mem(builds[-1])}")
    config = suite_reports(suite_root, suite_db)
    sizes = {3: (suite_root, suite_db), LARGE: (root, database)}
    for mode in ("engine", "fresh"):
        result[mode] = {}
        # The goal's measure (engine) is taken in LARGE_ROUNDS rounds, the two sizes alternated, and each notebook's
        # fastest run at each size is kept: one run of a notebook of about a second moved its ratio by ±0.25 on
        # this shared machine. The other measure (fresh) is informative and runs once.
        for round_no in range(LARGE_ROUNDS if mode == "engine" else 1):
            for n, (r, db) in sizes.items():
                jobs = comparison_jobs(config, "ja", r)
                jobs_file = workdir / f"large-{mode}-{n}-jobs.json"
                jobs_file.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
                run = measure([PYTHON, str(BENCH / "nbtime.py"), "--mode", mode, "--jobs", str(jobs_file), "--out", str(workdir / f"large-{mode}-{n}")],
                              env=child_env(r, db, SDGCITIES_CHART_MODE="report"), cwd=r, timeout=timeout)
                rows = last_json(run) or []
                if not rows:
                    say(f"{mode} at {n} cities (round {round_no + 1})", "FAILED", extra=fail_text(run))
                kept = result[mode].setdefault(str(n), {"run": run.brief(), "rows": [], "rounds": 0})
                kept["rounds"] += 1
                _keep_fastest(kept["rows"], rows)
    for mode, label in (("engine", "suite's way (engine, kernel started)"), ("fresh", "Run All in a fresh kernel")):
        small = {r["name"]: r for r in (result[mode].get("3") or {}).get("rows", []) if not r["name"].startswith("warm-up")}
        large = {r["name"]: r for r in (result[mode].get(str(LARGE)) or {}).get("rows", []) if not r["name"].startswith("warm-up")}
        for name, s in small.items():
            b = large.get(name)
            if not b or s.get("error") or b.get("error") or not s.get("run_s") or b.get("run_s") is None:
                say(f"{short_name(name)}, {label}", "FAILED", extra=(b or {}).get("error") or s.get("error") or "no result")
                continue
            ratio = b["run_s"] / s["run_s"]
            cpu = (f"; kernel CPU {s['run_cpu_s']:.2f} s at 3, {b['run_cpu_s']:.2f} s at {LARGE} ({b['run_cpu_s'] / s['run_cpu_s']:.2f}x)"
                   if s.get("run_cpu_s") and b.get("run_cpu_s") is not None else "")
            say(f"{short_name(name)}, {label}", f"{ratio:.2f}x", f"<= {GOALS['large_ratio']:g}x" if mode == "engine" else "",
                ratio <= GOALS["large_ratio"] if mode == "engine" else None, f"{s['run_s']:.2f} s at {3}, {b['run_s']:.2f} s at {LARGE}{cpu}")
    return result


def _keep_fastest(kept: list[dict], rows: list[dict]) -> None:
    """Merge one round's job rows into `kept`: per job name the row of its fastest run without error, with every
    round's run time in `runs_s`."""
    by_name = {row["name"]: row for row in kept}
    for row in rows:
        old = by_name.get(row["name"])
        runs = (old.get("runs_s", []) if old else []) + [row.get("run_s")]
        better = old is None or (not row.get("error") and row.get("run_s") is not None
                                 and (old.get("error") or old.get("run_s") is None or row["run_s"] < old["run_s"]))
        chosen = dict(row if better else old, runs_s=runs)
        if old is None:
            kept.append(chosen)
        else:
            kept[kept.index(old)] = chosen
        by_name[row["name"]] = chosen


def section_scale200(workdir: Path, seed: int, timeout: float) -> dict:
    """Goals 6 and 8: reports --force on 200 cities (a city report per city, both languages)."""
    print(f"\n[scale200] reports --force at {SCALE} cities (long)", flush=True)
    root, result = build_root(SCALE, seed, workdir, timeout)
    if not ok_run(result["generate"]):
        return result
    database = root / "data" / "curated" / "sdgs.duckdb"
    build = measure([PYTHON, "-m", "sdgcities.build", "--force"], env=child_env(root), cwd=root, timeout=timeout)
    result["build"] = build.brief()
    say(f"build --force at {SCALE} cities", f"{build.seconds:.2f} s" if build.ok else "FAILED", extra=mem(build) if build.ok else fail_text(build))
    if not build.ok:
        return result
    config = suite_reports(root, database)
    result["notebook_runs"] = sum(len(r["jobs"]) for r in config)
    result["reports"] = len(config)
    forced = measure([PYTHON, "-m", "sdgcities.publish.reports", "--force"], env=child_env(root), cwd=root, timeout=timeout, pss=True)
    result["forced"] = forced.brief()
    parsed = parse_report_run(forced)
    result["forced_parsed"] = {k: parsed[k] for k in ("notebook_runs", "rendered", "failed")}
    result["forced_parsed"].update({"jobs_done": len(parsed["jobs"]), "renders_done": len(parsed["renders"]),
                                    "jobs_sum_s": sum(parsed["jobs"].values()), "renders_sum_s": sum(parsed["renders"].values())})
    if not forced.ok:
        # A failed step does not stop the others: the wall time still covers the whole run, but the goal fails.
        failed = parsed["failed"]
        say(f"reports --force at {SCALE} cities", f"{forced.seconds:.0f} s" if not forced.timed_out else "TIMED OUT",
            f"<= {GOALS['scale200_s']:g} s", False,
            f"{len(failed)} step(s) failed (first: {failed[0]['step']}: {failed[0]['error']})" if failed else fail_text(forced))
        say("  notebook runs / renders done", f"{len(parsed['jobs'])} / {len(parsed['renders'])}", extra=mem(forced))
        return result
    say(f"reports --force at {SCALE} cities ({result['notebook_runs']} runs, {result['reports']} reports)", f"{forced.seconds:.0f} s",
        f"<= {GOALS['scale200_s']:g} s", forced.seconds <= GOALS["scale200_s"],
        f"notebook runs {result['forced_parsed']['jobs_sum_s']:.0f} s, renders {result['forced_parsed']['renders_sum_s']:.0f} s (worker sums); {mem(forced)}")
    ok, figure = memory_verdict(result["forced"])
    say("  peak memory", figure, f"<= {GOALS['memory_gib']:g} GiB", ok, roles_text(result["forced"]))
    return result


IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")
BUILD_HTML_PROFILE = (
    "import cProfile, json, os, pstats, sys, time; from pathlib import Path; from sdgcities.publish import render\n"
    "nbs = [Path(p) for p in sys.argv[1:]]; profiler = cProfile.Profile(); t = time.perf_counter(); profiler.enable()\n"
    "page = render.build_html(nbs, title='bench', lang='ja'); profiler.disable(); seconds = time.perf_counter() - t\n"
    "stats = pstats.Stats(profiler).stats\n"
    "rows = [{'function': f'{Path(f).name}:{l}({fn})', 'cumulative': ct, 'own': tt, 'calls': nc} for (f, l, fn), (cc, nc, tt, ct, _) in stats.items()]\n"
    "print(json.dumps({'seconds': seconds, 'charts': page.chart_count, 'html_bytes': len(page.html),\n"
    "                  'top': sorted(rows, key=lambda r: -r['cumulative'])[2:14]}))\n"
)


def top_functions(stats_path: Path, *, package_only: bool) -> dict:
    """The functions of a cProfile dump by cumulative time (the package's only, or all) and by own time."""
    import pstats

    stats = pstats.Stats(str(stats_path)).stats  # type: ignore[attr-defined]
    rows = [{"function": f"{Path(f).name}:{line}({fn})", "file": f, "cumulative": ct, "own": tt, "calls": nc}
            for (f, line, fn), (_cc, nc, tt, ct, _callers) in stats.items()]
    chosen = [r for r in rows if f"{os.sep}sdgcities{os.sep}" in r["file"]] if package_only else [
        r for r in rows if not r["function"].startswith(("<frozen", "~:0(<built-in method builtins.exec>)"))]
    strip = lambda r: {k: v for k, v in r.items() if k != "file"}  # noqa: E731
    return {"top": [strip(r) for r in sorted(chosen, key=lambda r: -r["cumulative"])[:15]],
            "own_top": [strip(r) for r in sorted(rows, key=lambda r: -r["own"])[:10]]}


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The distinct top-level import statements of the notebooks' code cells, in order."""
    import nbformat

    statements: list[str] = []
    for path in dict.fromkeys(notebooks):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                statements += [line.strip() for line in cell.source.splitlines() if re.match(r"(import|from)\s+\S+", line) and "(" not in line]
    return list(dict.fromkeys(statements))


def section_profile(suite_root: Path, suite_db: Path, workdir: Path, timeout: float) -> dict:
    """Goal 9: per notebook time per cell and top functions, the package's import times, the render split."""
    out_dir = workdir / "profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    print(f"\n[profile] notebooks in-process under cProfile, imports, render (details in {out_dir})", flush=True)
    result: dict = {"notebooks": {}}
    roots = {3: (suite_root, suite_db)}
    large_root = workdir / f"scale-{LARGE}"
    if (large_root / "data" / "curated" / "sdgs.duckdb").is_file():
        roots[LARGE] = (large_root, large_root / "data" / "curated" / "sdgs.duckdb")
    config = suite_reports(suite_root, suite_db)
    city = next(r for r in config if r["lang"] == "ja" and r["stem"] != "ja/comparison")
    for n, (root, database) in roots.items():
        jobs = comparison_jobs(config, "ja", root)
        if n == 3:
            jobs += city["jobs"]
        env = child_env(root, database, SDGCITIES_CHART_MODE="report")
        for job in jobs:
            key = f"{n}:{short_name(job['name'])}"
            json_out = out_dir / f"{n}-{job['name']}.json"
            run = measure([PYTHON, str(BENCH / "profile_nb.py"), job["notebook"], "--parameters", json.dumps(job["parameters"], ensure_ascii=False),
                           "--json", str(json_out), "--stats", str(out_dir / f"{n}-{job['name']}.pstats")],
                          env=env, cwd=Path(job["notebook"]).parent, timeout=timeout)
            if not json_out.is_file():
                say(f"profile {key}", "FAILED", extra=fail_text(run)[:200])
                continue
            data = json.loads(json_out.read_text(encoding="utf-8"))
            result["notebooks"][key] = {
                "cities": n, "seconds": data["seconds"], "error": data["error"], "cells": data["cells"],
                "charts": len(data["charts"]), "chart_seconds": data["chart_seconds"], "tables": len(data["tables"]),
                "table_seconds": data["table_seconds"], "package_top": data["package_top"][:10], "own_top": data["own_top"][:10],
            }
            slow = sorted(data["cells"], key=lambda c: -c["seconds"])[:2]
            say(f"profile {key} (in-process, no kernel)", f"{data['seconds']:.2f} s",
                extra=f"{len(data['charts'])} charts {data['chart_seconds']:.2f} s, {len(data['tables'])} tables {data['table_seconds']:.2f} s; "
                      + "; ".join(f"{c['seconds']:.2f} s `{c['label'][:40]}`" for c in slow))
    # Import time of the package (python -X importtime, fresh process): the notebook helper module, and every
    # import statement of the suite's notebooks (what a fresh kernel's Run All imports).
    statements = notebook_imports([Path(j["notebook"]) for r in config for j in r["jobs"]])
    result["imports"] = {}
    for key, code in (("notebook", "import sdgcities.present.notebook"), ("notebooks", "\n".join(statements))):
        imp = measure([PYTHON, "-X", "importtime", "-c", code], env=child_env(suite_root, suite_db))
        rows = []
        for line in imp.stderr.splitlines():
            m = IMPORT_LINE.match(line)
            if m:
                rows.append({"self_us": int(m.group(1)), "cumulative_us": int(m.group(2)), "depth": len(m.group(3)) // 2, "module": m.group(4)})
        total = sum(r["cumulative_us"] for r in rows if r["depth"] == 0)
        # The modules imported directly by the statements (depth 0), or by sdgcities.present.notebook (depth 1).
        top = sorted((r for r in rows if r["depth"] <= 1 and r["module"] != "sdgcities.present.notebook"), key=lambda r: -r["cumulative_us"])
        result["imports"][key] = {"code": code, "process_s": imp.seconds, "import_us": total, "top": top[:10],
                                  "top_self": sorted(rows, key=lambda r: -r["self_us"])[:10]}
        say(f"imports ({'import sdgcities.present.notebook' if key == 'notebook' else 'the notebooks import statements'})",
            f"{total / 1e6:.2f} s", extra="; ".join(f"{r['module']} {r['cumulative_us'] / 1e6:.2f}" for r in top[:6]))
    # The database build under cProfile at the largest size profiled (goal 7's build time).
    n = max(roots)
    root, _database = roots[n]
    stats_path = out_dir / f"{n}-build.pstats"
    run = measure([PYTHON, "-m", "cProfile", "-o", str(stats_path), "-m", "sdgcities.build", "--force"], env=child_env(root), cwd=root, timeout=timeout)
    if run.ok and stats_path.is_file():
        result["build"] = {"cities": n, "seconds": run.seconds, **top_functions(stats_path, package_only=True)}
        say(f"build --force at {n} cities under cProfile", f"{run.seconds:.1f} s",
            extra="; ".join(f"{e['function']} {e['cumulative']:.1f}" for e in result["build"]["top"][2:7]))
    else:
        say(f"build under cProfile at {n} cities", "FAILED", extra=fail_text(run)[:200])
    # `reports` with nothing changed (goal 2) under cProfile: one run first brings the copy up to date (the
    # suite section's stylesheet change leaves every report one render behind), then the profiled run.
    measure([PYTHON, "-m", "sdgcities.publish.reports"], env=child_env(suite_root), cwd=suite_root, timeout=timeout)
    stats_path = out_dir / "3-reports-nochange.pstats"
    run = measure([PYTHON, "-m", "cProfile", "-o", str(stats_path), "-m", "sdgcities.publish.reports"], env=child_env(suite_root), cwd=suite_root,
                  timeout=timeout)
    if run.ok and stats_path.is_file():
        result["nochange"] = {"seconds": run.seconds, "cpu_s": run.cpu_seconds, **top_functions(stats_path, package_only=False)}
        say("reports, nothing changed, under cProfile", f"{run.seconds:.2f} s",
            extra="; ".join(f"{e['function']} {e['cumulative']:.2f}" for e in result["nochange"]["top"][:6]))
    # build_html of the comparison report under cProfile (at every size profiled, from the executed notebooks).
    result["build_html"] = {}
    for n, (root, database) in roots.items():
        folder = root / "reports" / "executed" if n == 3 else workdir / f"large-engine-{n}"
        inputs = [folder / f"{j['name']}.ipynb" for j in comparison_jobs(config, "ja", root)]
        if not all(p.is_file() for p in inputs):
            continue
        run = measure([PYTHON, "-c", BUILD_HTML_PROFILE, *map(str, inputs)], env=child_env(root, database), cwd=root, timeout=timeout)
        data = last_json(run)
        if data:
            result["build_html"][str(n)] = data
            say(f"build_html of ja/comparison at {n} cities (cProfile)", f"{data['seconds']:.2f} s",
                extra="; ".join(f"{r['function']} {r['cumulative']:.2f}" for r in data["top"][:4]))
    return result


# ---------------------------------------------------------------------------------------------
# Goals table


def goal_rows(results: dict) -> list[dict]:
    """One row per goal of issue 12 (some goals have two), from whatever sections were measured."""
    rows: list[dict] = []

    def add(number, figure, measured, goal, ok, note="", at=""):
        rows.append({"n": number, "figure": figure, "measured": measured, "goal": goal, "ok": ok, "note": note, "at": at})

    suite = results.get("suite") or {}
    at = suite.get("at", "")
    if suite.get("forced"):
        f = suite["forced"]
        if ok_run(f) and suite.get("ratio") is not None:
            add("1", f"`reports --force` (both languages, HTML+PDF) ÷ (floor {suite['floor_s']:.2f} s × {suite['notebook_runs']} notebook runs ÷ "
                f"{suite['cores']} cores = {suite['ideal_s']:.1f} s)", f"{suite['ratio']:.2f}× ({f['seconds']:.1f} s)",
                f"≤ {GOALS['reports_ratio']:g}×", suite["ratio"] <= GOALS["reports_ratio"], f"{mem(f)}; CPU {cpu_note(suite)}", at)
        else:
            add("1", "`reports --force`", "FAILED: " + fail_text(f)[:200], f"≤ {GOALS['reports_ratio']:g}×", False, "", at)
    if suite.get("nochange"):
        f = suite["nochange"]
        add("2", "`reports` again, nothing changed", f"{f['seconds']:.2f} s" if ok_run(f) else "FAILED", f"≤ {GOALS['nochange_s']:g} s",
            ok_run(f) and f["seconds"] <= GOALS["nochange_s"], mem(f), at)
    if suite.get("css"):
        c = suite["css"]
        add("3", "stylesheet change (a CSS comment appended to report.css), then `reports`: notebook runs, reports re-rendered",
            f"{c['notebook_runs']} runs, {c['rendered']} of {suite['reports']} rendered, {c['run']['seconds']:.1f} s" if ok_run(c["run"]) else "FAILED",
            f"0 runs, {suite['reports']} rendered", ok_run(c["run"]) and c["notebook_runs"] == 0 and c["rendered"] == suite["reports"], mem(c["run"]), at)
    runall = results.get("runall") or {}
    if runall.get("rows"):
        good = [r for r in runall["rows"] if r["run_s"] is not None and not r.get("error")]
        worst = max(runall["rows"], key=lambda r: (r.get("error") is not None, r["run_s"] or 0))
        passed = sum(1 for r in good if r["run_s"] <= GOALS["runall_s"])
        add("4", f"Run All of each report notebook in a started kernel, slowest of {len(runall['rows'])} "
            f"({', '.join(runall['langs'])}; kernel start reported beside it)",
            f"{worst['run_s']:.2f} s ({short_name(worst['name'])}; kernel start {worst['kernel_s']:.2f} s)",
            f"≤ {GOALS['runall_s']:g} s each", passed == len(runall["rows"]), f"{passed} of {len(runall['rows'])} within the goal",
            runall.get("at", ""))
    render = results.get("render") or {}
    if render.get("ratio") is not None:
        total = sum(r["render_s"] for r in render["reports"])
        static = sum(r["static_s"] for r in render["reports"])
        add("5", f"render of all {len(render['reports'])} reports (HTML+PDF) ÷ printing static pages of the same size once, same browser",
            f"{render['ratio']:.2f}× ({total:.1f} s ÷ {static:.1f} s)", f"≤ {GOALS['render_ratio']:g}×", render["ratio"] <= GOALS["render_ratio"],
            mem(render.get("run")) + (f"; rendered again over the previous version: {render['again_ratio']:.2f}×" if render.get("again_ratio") else ""),
            render.get("at", ""))
    scale = results.get("scale200") or {}
    if scale.get("forced"):
        f = scale["forced"]
        p = scale.get("forced_parsed") or {}
        if ok_run(f):
            measured = f"{f['seconds']:.0f} s ({f['seconds'] / 60:.1f} min)"
        elif not f.get("timed_out") and p.get("jobs_done") is not None:
            measured = (f"{f['seconds']:.0f} s ({f['seconds'] / 60:.1f} min), exit {f['returncode']}: {len(p.get('failed') or [])} step(s) failed; "
                        f"{p['jobs_done']} notebook runs and {p['renders_done']} reports done")
        else:
            measured = "FAILED: " + fail_text(f)[:200]
        add("6", f"`reports --force` at {SCALE} cities ({scale.get('notebook_runs')} notebook runs, {scale.get('reports')} reports)",
            measured, f"≤ {GOALS['scale200_s']:g} s", ok_run(f) and f["seconds"] <= GOALS["scale200_s"], mem(f), scale.get("at", ""))
    large = results.get("large") or {}
    if large.get("build_s") is not None:
        add("7", f"build (`python -m sdgcities.build --force`) at {LARGE} cities, best of 2", f"{large['build_s']:.2f} s",
            f"≤ {GOALS['build_large_s']:g} s", large["build_s"] <= GOALS["build_large_s"], mem(large["builds"][-1]), large.get("at", ""))
    ratios = large_ratios(large)
    if ratios.get("engine"):
        worst = max(ratios["engine"], key=lambda r: r["ratio"] if r["ratio"] is not None else 1e9)
        fresh = {r["name"]: r for r in ratios.get("fresh", [])}
        fresh_worst = max((r for r in fresh.values() if r["ratio"] is not None), key=lambda r: r["ratio"], default=None)
        add("7", f"comparison notebooks, time at {LARGE} ÷ at 3 cities, the suite's way (engine, kernel started), largest of "
            f"{len(ratios['engine'])}", f"{worst['ratio']:.2f}× ({short_name(worst['name'])})" if worst["ratio"] is not None else "FAILED",
            f"≤ {GOALS['large_ratio']:g}× each", all(r["ratio"] is not None and r["ratio"] <= GOALS["large_ratio"] for r in ratios["engine"]),
            (f"Run All in a fresh kernel (not the goal's measure): largest {fresh_worst['ratio']:.2f}× ({short_name(fresh_worst['name'])})"
             if fresh_worst else ""), large.get("at", ""))
    for label, section, n in (("3", suite, 3), (str(SCALE), scale, SCALE)):
        if section.get("forced") and not section["forced"].get("timed_out"):
            ok, figure = memory_verdict(section["forced"])
            add("8", f"peak memory of `reports --force` at {n} cities, summed over the process tree "
                f"({'PSS' if section['forced'].get('peak_tree_pss_mib') is not None else 'RSS'} decides)", figure,
                f"≤ {GOALS['memory_gib']:g} GiB", ok, "", section.get("at", ""))
    return rows


def large_ratios(large: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for mode in ("engine", "fresh"):
        small = {r["name"]: r for r in ((large.get(mode) or {}).get("3") or {}).get("rows", []) if not r["name"].startswith("warm-up")}
        big = {r["name"]: r for r in ((large.get(mode) or {}).get(str(LARGE)) or {}).get("rows", []) if not r["name"].startswith("warm-up")}
        rows = []
        for name, s in small.items():
            b = big.get(name) or {}
            usable = s.get("run_s") and b.get("run_s") is not None and not s.get("error") and not b.get("error")
            cpu = (b["run_cpu_s"] / s["run_cpu_s"]) if usable and s.get("run_cpu_s") and b.get("run_cpu_s") is not None else None
            rows.append({"name": name, "small": s.get("run_s"), "large": b.get("run_s"), "small_kernel": s.get("kernel_s"),
                         "small_cpu": s.get("run_cpu_s"), "large_cpu": b.get("run_cpu_s"), "cpu_ratio": cpu,
                         "large_kernel": b.get("kernel_s"), "ratio": b["run_s"] / s["run_s"] if usable else None,
                         "error": s.get("error") or b.get("error")})
        if rows:
            out[mode] = rows
    return out


def print_goals(results: dict) -> None:
    rows = goal_rows(results)
    if not rows:
        return
    print("\ngoals (issue 12):", flush=True)
    for r in rows:
        print(f"  {r['n']:>2}  {verdict(r['ok']):<4}  {r['measured']:<44}  goal {r['goal']:<12}  {r['figure'][:90]}", flush=True)


# ---------------------------------------------------------------------------------------------
# RESULTS.md


def write_results_md(results: dict, path: Path) -> None:
    m = results.get("machine", {})
    lines = ["# Benchmark results", "",
             f"Written by `bench/run.py` ({results.get('updated', '')}); `make bench` runs every section, `python bench/run.py --quick` "
             "the 3-city ones. Each section shows when it was measured (a partial run keeps the others' figures). "
             "bench/README.md says how each figure is measured.", "",
             "## Machine", "",
             f"- CPU: {m.get('cpu_model')} — {m.get('cores')} cores ({m.get('cores_usable')} usable)",
             f"- Memory: {m.get('memory_gib')} GiB",
             f"- OS: {m.get('os')}; Chromium: {m.get('chromium')}",
             "- Versions: " + ", ".join(f"{k} {v}" for k, v in (m.get("versions") or {}).items()), ""]
    code = results.get("code", {})
    if code:
        lines += [f"Code measured: commit {code.get('commit')}, package {code.get('package_sha')}, notebooks {code.get('notebooks_sha')}"
                  + (f", from a snapshot taken {code.get('taken')}" if code.get("snapshot") else "") + ".", "",
                  "The machine is shared (other agents run on it): wall times move with its load, so each command's 1-minute load "
                  "average when it started and its CPU seconds are given beside it (user + system of the process tree: from wait4, and sampled from every process while it ran, which also counts Chromium processes wait4 misses). "
                  "Every ratio is measured side by side in one run.", ""]
    lines += ["## Goals (issue 12)", "", "| # | figure | measured | goal | result | memory, CPU, load | measured |", "|---|---|---|---|---|---|---|"]
    for r in goal_rows(results):
        lines.append(f"| {r['n']} | {r['figure']} | {r['measured']} | {r['goal']} | {verdict(r['ok'])} | {r['note']} | {r['at']} |")
    lines += ["", "## Before (2026-11-23, one language)", "",
              "From the previous bench/RESULTS.md (reports in Japanese only; each notebook run in a new kernel; PNG fallback in every chart):", "",
              "| figure | 2026-11-23 |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in BEFORE]

    suite = results.get("suite") or {}
    if suite.get("floor_runs"):
        lines += ["", "## Suite (3 cities)", "", f"_Measured {suite.get('at', '')}._", ""]
        floors = ", ".join(f"{f['seconds']:.2f}" for f in suite["floor_runs"])
        lines.append(f"- floor: `python -m papermill bench/floor.ipynb OUT` (process start, imports, kernel start): runs {floors} s, "
                     f"median {suite.get('floor_s', 0):.2f} s; {suite.get('notebook_runs')} notebook runs and {suite.get('reports')} reports "
                     f"(load_config); {suite.get('cores')} cores")
        if suite.get("build"):
            lines.append(f"- build at 3 cities (`python -m sdgcities.build --force`): {suite['build']['seconds']:.2f} s; {mem(suite['build'])}")
        parsed = suite.get("forced_parsed") or {}
        if parsed.get("jobs"):
            lines.append(f"- `reports --force`: sum of the notebook runs as the workers timed them {sum(parsed['jobs'].values()):.1f} s — "
                         + ", ".join(f"{n} {s:.1f}" for n, s in sorted(parsed["jobs"].items(), key=lambda kv: -kv[1])))
        if parsed.get("renders"):
            lines.append(f"- `reports --force`: sum of the renders as the workers timed them {sum(parsed['renders'].values()):.1f} s — "
                         + ", ".join(f"{n} {s:.1f}" for n, s in parsed["renders"].items()))
        if roles_text(suite.get("forced")):
            lines.append(f"- `reports --force` by process role: {roles_text(suite['forced'])}")
    runall = results.get("runall") or {}
    if runall.get("rows"):
        lines += ["", "## Run All in a started kernel (goal 4)", "",
                  f"_Measured {runall.get('at', '')}; 3 cities, SDGCITIES_CHART_MODE=report. Kernel start: jupyter_client start_kernel until "
                  "wait_for_ready returns. Run All: nbclient executing every cell (parameters injected as papermill does) in that kernel, "
                  "the package's imports included._", "",
                  "| notebook run | kernel start | Run All | Run All − kernel start | goal ≤ 2 s | kernel CPU in Run All | slowest cells |",
                  "|---|---|---|---|---|---|---|"]
        for r in runall["rows"]:
            if r["run_s"] is None:
                lines.append(f"| {r['name']} | {r.get('kernel_s') or 0:.2f} s | FAILED | | FAIL | | {r.get('error')} |")
                continue
            ok = r["run_s"] <= GOALS["runall_s"] and not r.get("error")
            cells = "; ".join(f"{c['seconds']:.2f} s `{c['label'][:50]}`" for c in r.get("cells", []))
            lines.append(f"| {r['name']} | {r['kernel_s']:.2f} s | {r['run_s']:.2f} s{' (error: ' + r['error'] + ')' if r.get('error') else ''} | "
                         f"{r['run_s'] - r['kernel_s']:+.2f} s | {verdict(ok)} | "
                         f"{'-' if r.get('run_cpu_s') is None else format(r['run_cpu_s'], '.2f') + ' s'} | {cells} |")
        lines.append(f"\nThe helper process: {mem(runall.get('run'))}.")
    render = results.get("render") or {}
    if render.get("reports"):
        lines += ["", "## Render vs static pages (goal 5)", "",
                  f"_Measured {render.get('at', '')}; one process, sequential, after one warm-up render (so the shared Chromium is started). "
                  "Render: sdgcities.publish.render.render_report (build_html: notebooks to page; PDF load: open the page and draw the charts; "
                  "PDF print: the rest of print_pdf — on a first render, printing twice when the page has a table of contents (a plain pagination printing, then the final one), reading the pages). Static: "
                  "the drawn page serialised without scripts, then opened in a new context of the same browser and printed once with "
                  "print_pdf's options._", "",
                  "| report | render | build_html | PDF load | PDF print (page.pdf calls) | static | render ÷ static | pages (static) | charts | HTML MiB (static) |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in render["reports"]:
            calls = " + ".join(f"{c:.2f}" for c in r.get("page_pdf_s") or [])
            lines.append(f"| {r['stem']} | {r['render_s']:.2f} s | {r['build_html_s']:.2f} s | {r['pdf_load_s']:.2f} s | {r['pdf_print_s']:.2f} s ({calls}) | "
                         f"{r['static_s']:.2f} s | {r['render_s'] / r['static_s']:.2f}× | {r['pages']} ({r['static_pages']}) | {r['charts']} | "
                         f"{r['html_bytes'] / 2**20:.1f} ({r['static_html_bytes'] / 2**20:.1f}) |")
        tot = {k: sum(r[k] for r in render["reports"]) for k in ("render_s", "build_html_s", "pdf_load_s", "pdf_print_s", "static_s")}
        lines.append(f"| **all** | {tot['render_s']:.2f} s | {tot['build_html_s']:.2f} s | {tot['pdf_load_s']:.2f} s | {tot['pdf_print_s']:.2f} s | "
                     f"{tot['static_s']:.2f} s | {render['ratio']:.2f}× | | | |")
        lines.append(f"\nWarm-up render {render.get('warmup_s', 0):.1f} s; the helper process: {mem(render.get('run'))}.")
        if render.get("again_ratio") is not None:
            again = ", ".join(f"{r['stem']} {r['again_s']:.2f} s ({len(r['again_page_pdf_s'])} page.pdf)" for r in render["reports"])
            lines.append(f"\nThe same reports rendered again over their previous version (as `reports --force` does; print_pdf tries the "
                         f"previous PDF's contents pages first and prints once when they hold; not the goal's figure, which is a first render): "
                         f"{sum(r['again_s'] for r in render['reports']):.1f} s = {render['again_ratio']:.2f}× static — {again}.")
    large = results.get("large") or {}
    ratios = large_ratios(large)
    if large.get("builds") or ratios:
        lines += ["", f"## {LARGE} cities (goal 7)", "",
                  f"_Measured {large.get('at', '')}; the 3 real cities plus {LARGE - 3} synthetic ones (bench/synth.py, seed "
                  f"{large.get('seed', 0)}). The suite's way: sdgcities.publish.engine.execute in one process after one warm-up run "
                  "(front_matter), the time of each run (papermill on the started kernel, fresh namespace); "
                  f"{(large.get('engine') or {}).get('3', {}).get('rounds', 1)} rounds, the two sizes alternated, each notebook's fastest run "
                  "at each size kept (every round's time in the list below the table). Run All: a fresh kernel per "
                  "notebook, as in goal 4 (kernel start not counted), one round._", ""]
        if large.get("builds"):
            builds = ", ".join(f"{b['seconds']:.2f}" for b in large["builds"])
            lines.append(f"- build --force: {builds} s "
                         f"(goal ≤ {GOALS['build_large_s']:g} s); {mem(large['builds'][-1])}")
        if ratios:
            fresh = {r["name"]: r for r in ratios.get("fresh", [])}
            lines += ["", f"| notebook | suite's way at 3 | at {LARGE} | ratio | goal ≤ 2× | kernel CPU at 3 / at {LARGE} (ratio) | "
                      f"Run All at 3 | at {LARGE} | ratio | kernel CPU ratio |", "|---|---|---|---|---|---|---|---|---|---|"]
            cpu = lambda r: "-" if not r or r.get("cpu_ratio") is None else f"{r['cpu_ratio']:.2f}×"  # noqa: E731
            fmt = lambda v: "-" if v is None else f"{v:.2f} s"  # noqa: E731
            for r in ratios.get("engine", []):
                f = fresh.get(r["name"], {})
                lines.append(f"| {short_name(r['name'])} | {fmt(r['small'])} | {fmt(r['large'])} | "
                             f"{'-' if r['ratio'] is None else format(r['ratio'], '.2f') + '×'} | "
                             f"{verdict(r['ratio'] is not None and r['ratio'] <= GOALS['large_ratio'])} | "
                             f"{fmt(r.get('small_cpu'))} / {fmt(r.get('large_cpu'))} ({cpu(r)}) | {fmt(f.get('small'))} | {fmt(f.get('large'))} | "
                             f"{'-' if f.get('ratio') is None else format(f['ratio'], '.2f') + '×'} | {cpu(f)} |")
            lines.append("")
            for n in ("3", str(LARGE)):
                rows = ((large.get("engine") or {}).get(n) or {}).get("rows", [])
                runs = [f"{short_name(r['name'])} {', '.join('-' if v is None else f'{v:.2f}' for v in r['runs_s'])}"
                        for r in rows if r.get("runs_s") and not r["name"].startswith("warm-up")]
                if runs:
                    lines.append(f"- the suite's way at {n} cities, every round (s): " + "; ".join(runs))
            for mode in ("engine", "fresh"):
                for n in ("3", str(LARGE)):
                    run = ((large.get(mode) or {}).get(n) or {}).get("run")
                    if run:
                        lines.append(f"- {mode} at {n} cities: {mem(run)}" + ("" if ok_run(run) else f" (FAILED: {fail_text(run)[:200]})"))
    scale = results.get("scale200") or {}
    if scale.get("forced"):
        p = scale.get("forced_parsed") or {}
        lines += ["", f"## {SCALE} cities (goals 6 and 8)", "", f"_Measured {scale.get('at', '')}._", "",
                  f"- build --force: {scale['build']['seconds']:.2f} s" if scale.get("build") else "",
                  f"- `reports --force`: {scale['forced']['seconds']:.0f} s, exit {scale['forced']['returncode']}; "
                  f"{p.get('jobs_done', p.get('notebook_runs'))} of {scale.get('notebook_runs')} notebook runs and "
                  f"{p.get('renders_done', p.get('rendered'))} of {scale.get('reports')} reports done; the workers' sums: notebook runs "
                  f"{p.get('jobs_sum_s', 0):.0f} s, renders {p.get('renders_sum_s', 0):.0f} s; {mem(scale['forced'])}"]
        if roles_text(scale["forced"]):
            lines.append(f"- by process role: {roles_text(scale['forced'])}")
        failed = p.get("failed") or []
        if p.get("note"):
            lines.append(f"- ({p['note']})")
        if failed:
            lines.append(f"- {len(failed)} step(s) failed: " + ", ".join(x["step"] for x in failed[:12]) + (" …" if len(failed) > 12 else "")
                         + f" — first error: {failed[0]['error']}")
    lines += profile_md(results.get("profile") or {})
    previous = path.read_text(encoding="utf-8") if path.is_file() else ""
    start, end = "<!-- draft-bench:start -->", "<!-- draft-bench:end -->"
    if start in previous and end in previous:  # bench/draft_bench.py's section stays as it last wrote it
        lines += ["", previous[previous.index(start):previous.index(end) + len(end)]]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")


def profile_md(prof: dict) -> list[str]:
    if not prof.get("notebooks") and not prof.get("imports"):
        return []
    lines = ["", "## Profile (goal 9)", "", f"_Measured {prof.get('at', '')}; each notebook's cells run in-process (IPython shell + "
             "cProfile: no kernel, imports counted in the cell that makes them). Full listings: bench/out/profile/._", ""]
    for key, p in prof.get("notebooks", {}).items():
        lines.append(f"### {key.replace(':', ' cities: ', 1)}: {p['seconds']:.2f} s" + (f" (FAILED: {p['error']})" if p.get("error") else ""))
        lines.append("")
        lines.append(f"- charts (chart_bundle): {p['charts']}, {p['chart_seconds']:.2f} s; tables (table_html): {p['tables']}, {p['table_seconds']:.2f} s")
        slow = sorted(p.get("cells", []), key=lambda c: -c["seconds"])[:4]
        lines.append("- slowest cells: " + "; ".join(f"{c['seconds']:.2f} s `{c['label'][:60]}`" for c in slow))
        lines.append("- package functions by cumulative time: " + "; ".join(
            f"`{e['function']}` {e['cumulative']:.2f} s ({e['calls']})" for e in p.get("package_top", [])[:6]))
        lines.append("- own time: " + "; ".join(f"`{e['function']}` {e['own']:.2f} s" for e in p.get("own_top", [])[:5]))
        lines.append("")
    all_imports = prof.get("imports") or {}
    if "top" in all_imports:  # results.json of an earlier run: one import figure
        all_imports = {"notebook": all_imports}
    for key, imports in all_imports.items():
        what = "`import sdgcities.present.notebook`" if key == "notebook" else "every import statement of the suite's notebooks"
        lines.append(f"Imports, {what} (`python -X importtime`, fresh process): {(imports.get('import_us') or 0) / 1e6:.2f} s "
                     f"(the process {imports['process_s']:.2f} s). Top 10 by cumulative time: "
                     + ", ".join(f"{r['module']} {r['cumulative_us'] / 1e6:.2f}" for r in imports["top"]) + ". By own time: "
                     + ", ".join(f"{r['module']} {r['self_us'] / 1e6:.2f}" for r in imports["top_self"][:6]) + ".")
        lines.append("")
    for n, data in (prof.get("build_html") or {}).items():
        lines.append(f"build_html of ja/comparison at {n} cities under cProfile: {data['seconds']:.2f} s, {data['charts']} charts, "
                     f"HTML {data['html_bytes'] / 2**20:.1f} MiB — " + "; ".join(f"`{r['function']}` {r['cumulative']:.2f} s" for r in data["top"][:8]))
        lines.append("")
    # Two cProfile dumps: the build at the largest size (goal 7) and `reports` with nothing changed (goal 2).
    for key, label in (("build", "Build (`python -m sdgcities.build --force`) at {cities} cities"), ("nochange", "`reports` with nothing changed (goal 2)")):
        dump = prof.get(key)
        if dump:
            lines.append(f"{label.format(cities=dump.get('cities'))} under cProfile: {dump['seconds']:.1f} s — by cumulative time: "
                         + "; ".join(f"`{e['function']}` {e['cumulative']:.1f} s ({e['calls']})" for e in dump["top"][:12])
                         + ". By own time: " + "; ".join(f"`{e['function']}` {e['own']:.1f} s ({e['calls']})" for e in dump["own_top"][:6]) + ".")
            lines.append("")
    lines.append("The render split (build_html, PDF load, PDF print) of every report is in the goal 5 table above.")
    return lines


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmarks of the sdgcities report suite against the goals of issue 12.")
    parser.add_argument("--quick", action="store_true", help="the 3-city sections only (suite, Run All in Japanese, render): a few minutes")
    for name, text in (("suite", "goals 1, 2, 3 and 8 at 3 cities"), ("runall", "goal 4: Run All of each report notebook"),
                       ("render", "goal 5: render vs static pages"), ("large", f"goal 7: {LARGE} cities (long)"),
                       ("scale200", f"goals 6 and 8: reports --force at {SCALE} cities (long)"), ("profile", "goal 9: profiles")):
        parser.add_argument(f"--{name}", action="store_true", help=f"run this section ({text}); several may be given")
    parser.add_argument("--langs", default=None, help="languages of the Run All section (default ja,en; ja with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic cities")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed for each command")
    parser.add_argument("--workdir", type=Path, default=BENCH / "out", help="where the copies and results go (default bench/out/)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md", help="the Markdown summary to write")
    parser.add_argument("--live-code", action="store_true",
                        help="measure the repository's code as it is on disk during the run (default: a snapshot taken at the start)")
    args = parser.parse_args(argv)
    chosen = [name for name in SECTIONS if getattr(args, name)]
    if args.quick:
        chosen = list(dict.fromkeys([*QUICK, *chosen]))
    sections = [name for name in SECTIONS if name in chosen] if chosen else list(SECTIONS)
    langs = [s.strip() for s in (args.langs or ("ja" if args.quick else "ja,en")).split(",") if s.strip()]
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    results_path = workdir / "results.json"
    try:
        results = json.loads(results_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    if results.get("format") != 2:
        results = {"format": 2}  # figures of the earlier harness measure other things

    def save() -> None:
        results["updated"] = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        write_results_md(results, args.results)

    def stamp() -> str:
        code = results.get("code", {})
        return f"{dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M')}, package {code.get('package_sha')}"

    global SNAPSHOT
    if not args.live_code:
        SNAPSHOT = snapshot(workdir)
        sys.path.insert(0, str(SNAPSHOT / "src"))  # the harness's own imports of sdgcities (load_config) too
    results["machine"] = machine()
    results["code"] = code_state(SNAPSHOT or REPO)
    m = results["machine"]
    print(f"machine: {m['cpu_model']}, {m['cores']} cores ({m['cores_usable']} usable), {m['memory_gib']} GiB; "
          + ", ".join(f"{k} {v}" for k, v in m["versions"].items() if k in ("python", "duckdb", "polars", "papermill")))
    if psutil is None:
        print("psutil is not installed: peak memory is the largest single process only (wait4), not the process tree")
    print(f"code {results['code']['commit']}, package {results['code']['package_sha']}, notebooks {results['code']['notebooks_sha']}"
          + (f" (snapshot {SNAPSHOT})" if SNAPSHOT else " (live)"))
    print(f"sections: {', '.join(sections)}; load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    # The suite: a copy of the repository (bench/synth.py with no synthetic city).
    suite_root = workdir / "suite"
    database = suite_root / "data" / "curated" / "sdgs.duckdb"
    # Made again on every run, from the code measured: a copy left by an earlier run holds that run's
    # notebooks and database, which the sections below would otherwise read.
    synth.generate(3, args.seed, suite_root, overwrite=True, source=SNAPSHOT or REPO)
    if "suite" in sections:
        results["suite"] = section_suite(suite_root, database, workdir, args.timeout)
        results["suite"]["at"] = stamp()
        save()
    else:
        built = measure([PYTHON, "-m", "sdgcities.build", "--force"], env=child_env(suite_root), cwd=suite_root)
        if not built.ok:
            print(f"the suite's database could not be built: {fail_text(built)}")
            return 1
    if not database.is_file():
        print("the suite's database could not be built; stopping")
        save()
        return 1
    if "runall" in sections:
        results["runall"] = section_runall(suite_root, database, workdir, langs, args.timeout)
        results["runall"]["at"] = stamp()
        save()
    if "render" in sections:
        results["render"] = section_render(suite_root, database, workdir, args.timeout)
        results["render"]["at"] = stamp()
        save()
    if "large" in sections:
        results["large"] = section_large(suite_root, database, workdir, args.seed, args.timeout)
        results["large"].update({"at": stamp(), "seed": args.seed})
        save()
    if "scale200" in sections:
        results["scale200"] = section_scale200(workdir, args.seed, args.timeout)
        results["scale200"].update({"at": stamp(), "seed": args.seed})
        save()
    if "profile" in sections:
        results["profile"] = section_profile(suite_root, database, workdir, args.timeout)
        results["profile"]["at"] = stamp()
    save()
    print_goals(results)
    print(f"\nwrote {args.results} and {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
