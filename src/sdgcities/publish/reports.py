"""The report suite (`make reports`): execute every notebook through papermill, then render the reports.

Parameter sets live in notebooks/reports.yaml. Every report is made in each of its `languages`, from one
run: reports/ja/<report>.html|pdf and reports/en/<report>.html|pdf (+ <report>_data/ with the charts' data
as CSV), and reports/index.html links them all. Each run of a notebook is a job; independent jobs run in
parallel, one thread per core, each thread with its own kernel that runs job after job
(publish.engine), and every PDF is printed by one shared browser (publish.pdf).

Whether a step is up to date is decided per step by content hashes: a notebook run's key covers the
notebook file, its parameters, the code and catalogues notebooks use (present/, access/) and the
database's build id; a render's key covers the executed notebooks it is made of, the render code and
the stylesheet (render_inputs). So changing only the stylesheet re-renders the reports without running
any notebook. Reports are written to temporary files and renamed into place, so an interrupted run
leaves the last good reports.

    python -m sdgcities.publish.reports              # everything, skipping what is up to date
    python -m sdgcities.publish.reports --force      # re-run every job
    python -m sdgcities.publish.reports --no-pdf     # HTML only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sdgcities.build import dbfile
from sdgcities import paths

STATE_FILE = ".state.json"
# A report whose executed notebooks hold more than this is rendered alone (at most one at a time): the
# comparison report (1.6 MB at 3 cities, 6.6 MB at 200); a city report holds about 0.3 MB.
HEAVY_RENDER_BYTES = 1 << 20


class ReportConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Job:
    """One execution of one notebook with one parameter set."""

    name: str  # output stem, e.g. "comparison-coverage" or "kaga-city_profile"
    notebook: Path
    parameters: dict[str, Any]

    def output(self, executed_dir: Path) -> Path:
        return executed_dir / f"{self.name}.ipynb"


@dataclass
class Report:
    """One HTML (+ PDF) report made of the executed notebooks of its jobs, in order."""

    stem: str  # reports/<stem>.html, e.g. "ja/comparison"
    title: str
    lang: str
    jobs: list[Job] = field(default_factory=list)


def load_config(path: Path, city_names: dict[str, dict[str, str]]) -> list[Report]:
    """Read notebooks/reports.yaml into reports and jobs; every notebook it names must exist."""
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ReportConfigError(f"{paths.relative(path)}: {error}") from error
    notebooks = paths.notebooks_dir()
    reports: list[Report] = []

    def job(name: str, entry: dict, extra: dict) -> Job:
        notebook = notebooks / f"{entry['notebook']}.ipynb"
        if not notebook.is_file():
            raise ReportConfigError(f"{paths.relative(path)}: notebook {entry['notebook']!r} does not exist ({paths.relative(notebook)})")
        return Job(name, notebook, {**(entry.get("parameters") or {}), **extra})

    def report_languages(entry: dict) -> list[str]:
        from sdgcities.present.words import languages

        chosen = entry.get("languages") or [entry.get("lang", "ja")]
        unknown = [lang for lang in chosen if lang not in languages()]
        if unknown or len(set(chosen)) != len(chosen):
            raise ReportConfigError(f"{paths.relative(path)}: languages {chosen} must be distinct, among {list(languages())}")
        return list(chosen)

    comparison = config["comparison"]
    for lang in report_languages(comparison):
        report = Report(f"{lang}/comparison", comparison["title"][lang], lang)
        for entry in comparison["notebooks"]:
            report.jobs.append(job(f"{lang}-comparison-{entry['notebook']}", entry, {"lang": lang}))
        reports.append(report)

    per_city = config["city"]
    from sdgcities.build.inputs.curated import RESERVED_CITY_IDS

    for city, names in city_names.items():
        # The build refuses such ids; a database built elsewhere is checked again before any file is named after it.
        if city in RESERVED_CITY_IDS or not re.fullmatch(r"[a-z][a-z0-9_]*", city):
            raise ReportConfigError(f"city id {city!r} cannot name a report (reserved or not matching [a-z][a-z0-9_]*): rename it in data/curated/reference/cities.csv")
        for lang in report_languages(per_city):
            report = Report(f"{lang}/{city}", per_city["title"][lang].format(city=city, **names), lang)
            for entry in per_city["notebooks"]:
                report.jobs.append(job(f"{lang}-{city}-{entry['notebook']}", entry, {"lang": lang, "city": city}))
            reports.append(report)
    return reports


def _hash_files(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files):
        digest.update(str(file.relative_to(paths.root()) if file.is_relative_to(paths.root()) else file).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def notebook_inputs() -> list[Path]:
    """The code and catalogues a notebook run uses: present/ (analyses, charts, words and their
    catalogues), access/ (the read-only API) and paths.py."""
    package = paths.package_dir()
    files = [package / "paths.py"]
    for folder in ("present", "access"):
        files += [f for f in (package / folder).rglob("*") if f.suffix in (".py", ".yaml") and f.is_file()]
    return sorted(files)


def render_inputs() -> list[Path]:
    """What a render uses besides the executed notebooks: the render code, the stylesheet and the
    report's words."""
    from sdgcities import publish

    package = paths.package_dir()
    code = [package / "publish" / f"{name}.py" for name in ("render", "prepare", "sources", "pdf", "snapshot", "version")]
    present = [package / "present" / f"{name}.py" for name in ("charts", "figures", "htmlsafe", "words")]
    catalogues = sorted((package / "present" / "catalogues").glob("*/report.yaml"))
    return [f for f in [*code, *present, *catalogues, publish.STYLESHEET] if f.is_file()]


def code_fingerprint() -> str:
    """Content hash of the code and catalogues notebook runs use."""
    return _hash_files(notebook_inputs())


def render_fingerprint() -> str:
    """Content hash of the render code, the stylesheet and the report words."""
    return _hash_files(render_inputs())


def report_key(report: Report, executed_dir: Path, render_key: str, pdf: bool) -> str | None:
    """The content hash of a render: its executed notebooks, the render inputs, its title and language;
    None while one of its notebooks has not run."""
    digest = hashlib.sha256(f"{render_key}\0{pdf}\0{report.title}\0{report.lang}".encode())
    for job in report.jobs:
        output = job.output(executed_dir)
        if not output.is_file():
            return None
        digest.update(hashlib.sha256(output.read_bytes()).digest())
    return digest.hexdigest()


def job_key(job: Job, database_key: str, code_key: str) -> str:
    digest = hashlib.sha256()
    digest.update(job.notebook.read_bytes())
    digest.update(json.dumps(job.parameters, sort_keys=True, ensure_ascii=False).encode())
    digest.update(database_key.encode())
    digest.update(code_key.encode())
    return digest.hexdigest()


def execute(job: Job, output: str, database: str, build_id: str | None = None) -> float:
    """Run one notebook (in a thread of the run, on that thread's kernel: publish.engine). Writes to a
    temporary file, then renames it, only when the notebook read the build `build_id` (when given)
    throughout."""
    import papermill

    from sdgcities.publish import engine

    started = time.perf_counter()
    temporary = str(Path(output).with_name(f".{Path(output).stem}.tmp-{os.getpid()}.ipynb"))
    # The kernel's environment only: the run shares its process with its caller (a test, a notebook).
    env = {"SDGCITIES_DB": database, "SDGCITIES_CHART_MODE": os.environ.get("SDGCITIES_CHART_MODE", "report")}
    try:
        for attempt in (1, 2):
            try:
                engine.execute(job.notebook, temporary, parameters=job.parameters, cwd=job.notebook.parent, env=env)
                break
            except papermill.PapermillExecutionError:
                raise  # a cell failed: running it again would fail the same way
            except Exception:
                # The kernel died or would not start (the engine drops it): one retry, on a new kernel.
                if attempt == 2:
                    raise
        if build_id is not None:
            from sdgcities.publish.snapshot import check_notebook_build

            check_notebook_build(Path(temporary), build_id, name=job.name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.replace(temporary, output)
    return time.perf_counter() - started


def _load_state(reports_dir: Path) -> dict:
    try:
        return json.loads((reports_dir / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_state(reports_dir: Path, state: dict) -> None:
    temporary = reports_dir / f"{STATE_FILE}.tmp"
    temporary.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, reports_dir / STATE_FILE)


def run(*, force: bool = False, pdf: bool = True, workers: int | None = None, database: Path | None = None, reports_dir: Path | None = None) -> dict[str, Any]:
    """Execute the jobs that are out of date, then render the reports that are out of date."""
    started = time.perf_counter()
    database = Path(database) if database else paths.database_path()
    reports_dir = Path(reports_dir) if reports_dir else paths.reports_dir()
    executed_dir = reports_dir / "executed"
    executed_dir.mkdir(parents=True, exist_ok=True)
    if not database.is_file():
        raise FileNotFoundError(f"{database} does not exist: run `make data` first")

    # Load inputs.
    from sdgcities.build.dbfile import build_lock
    from sdgcities.publish.snapshot import pinned_build

    # One report run per reports folder at a time (a second waits), so that only the lock holder
    # removes temporary files and no run removes another's.
    with build_lock(reports_dir / "executed" / "run", what="report run"):
        for stale in executed_dir.glob(".*.tmp-*"):
            stale.unlink()  # left by a run that was killed
        with pinned_build(database, executed_dir) as pinned:
            return _run_pinned(pinned, force=force, pdf=pdf, workers=workers, reports_dir=reports_dir, executed_dir=executed_dir, started=started)


def _run_pinned(pinned, *, force: bool, pdf: bool, workers: int | None, reports_dir: Path, executed_dir: Path, started: float) -> dict[str, Any]:
    """run() on one build: every notebook reads the run's snapshot of the database (pinned.path)."""
    database = pinned.path
    with dbfile.open_read_only(database) as con:
        city_names = {r[0]: {"name_ja": r[1], "name_en": r[2]} for r in con.sql("select city_id, name_ja, name_en from cities order by city_id").fetchall()}
    reports = load_config(paths.notebooks_dir() / "reports.yaml", city_names)
    # The build id, not only the inputs hash: outputs are current only for the very build they read.
    database_key, code_key = pinned.build_id, code_fingerprint()
    state = {} if force else _load_state(reports_dir)
    jobs = {job.name: job for report in reports for job in report.jobs}
    keys = {name: job_key(job, database_key, code_key) for name, job in jobs.items()}
    stale = [name for name in jobs if state.get("jobs", {}).get(name) != keys[name] or not jobs[name].output(executed_dir).exists()]

    # Process data. A report whose notebooks all stay is current when its render key is the recorded one.
    render_key = render_fingerprint()
    report_keys: dict[str, str | None] = {r.stem: report_key(r, executed_dir, render_key, pdf) for r in reports}

    def report_is_current(report: Report) -> bool:
        html_path, pdf_path = reports_dir / f"{report.stem}.html", reports_dir / f"{report.stem}.pdf"
        key = report_keys[report.stem]
        return key is not None and state.get("reports", {}).get(report.stem) == key and html_path.exists() and (not pdf or pdf_path.exists())

    to_render = [r for r in reports if not report_is_current(r) or any(j.name in stale for j in r.jobs)]
    total = len(stale)
    print(f"reports: {len(jobs)} notebook runs, {len(jobs) - total} up to date, {total} to run; "
          f"{len(to_render)} of {len(reports)} reports to render; {workers or os.cpu_count()} worker(s)", flush=True)
    timings: dict[str, float] = {}
    rendered = 0
    if stale or to_render:
        failures = []
        waiting = {r.stem: {j.name for j in r.jobs if j.name in stale} for r in to_render}
        by_stem = {r.stem: r for r in reports}
        slots = workers or os.cpu_count() or 1
        from sdgcities.publish import engine

        # Threads, not processes: the work happens in each thread's kernel (publish.engine) and in the one
        # shared browser (publish.pdf); the threads only hand it out and assemble the pages. Notebooks run
        # on half the slots (at least one), renders on any: a kernel (about 250 MB) lives in a run thread
        # only, so a render never has an idle kernel of its own thread beside it (the peak of the run was
        # two kernels beside a render); with `slots` tasks at most in flight, the cores stay as busy.
        run_slots = max(1, slots // 2)
        with (engine.kernels_stopped(),
              ThreadPoolExecutor(max_workers=run_slots, thread_name_prefix="sdgcities-run") as run_pool,
              ThreadPoolExecutor(max_workers=slots, thread_name_prefix="sdgcities-render") as pool):
            futures: dict[Future, tuple[str, str]] = {}
            # Work is handed out one task per free slot: a run in each free run thread, then renders as their
            # notebooks are done. Runs go in configuration order (the comparison first).
            queued_runs = list(stale)
            queued_renders: list[Report] = []

            def submit_render(report: Report) -> None:
                # The key of what is rendered now: the executed notebooks as they are after this run's jobs.
                report_keys[report.stem] = report_key(report, executed_dir, render_key, pdf)
                outputs = [str(j.output(executed_dir)) for j in report.jobs]
                html_path, pdf_path = reports_dir / f"{report.stem}.html", reports_dir / f"{report.stem}.pdf"
                future = pool.submit(render_one, outputs, report.title, str(html_path), str(pdf_path) if pdf else None, report.lang,
                                     alone=is_heavy(report))
                futures[future] = ("render", report.stem)

            heavy: dict[str, bool] = {}  # report stem -> is heavy, read when its notebooks have all run

            def is_heavy(report: Report) -> bool:
                if report.stem not in heavy:
                    heavy[report.stem] = sum(j.output(executed_dir).stat().st_size for j in report.jobs) > HEAVY_RENDER_BYTES
                return heavy[report.stem]

            def next_render() -> Report | None:
                # A heavy render (a long report: a large renderer and print compositor, the run's memory
                # peak) is the only task in flight: it waits until every notebook has run (the kernels are
                # then stopped) and no other render is going on, and nothing starts beside it.
                in_flight = list(futures.values())
                if any(kind == "render" and is_heavy(by_stem[name]) for kind, name in in_flight):
                    return None
                runs_left = bool(queued_runs) or any(kind == "job" for kind, _ in in_flight)
                for report in queued_renders:
                    if not is_heavy(report) or (not runs_left and not in_flight):
                        queued_renders.remove(report)
                        return report
                return None

            def next_run() -> str | None:
                running = sum(kind == "job" for kind, _ in futures.values())
                return queued_runs.pop(0) if queued_runs and running < run_slots else None

            def hand_out() -> None:
                while len(futures) < slots:
                    # Runs first: they make the reports that the renders wait for.
                    name = next_run()
                    if name is not None:
                        futures[run_pool.submit(execute, jobs[name], str(jobs[name].output(executed_dir)), str(database), pinned.build_id)] = ("job", name)
                        continue
                    report = next_render()
                    if report is None:
                        break
                    submit_render(report)

            def stop_kernels_when_runs_are_over() -> None:
                # The kernels (about 250 MB each) are not needed for the renders left.
                if not queued_runs and not any(kind == "job" for kind, _ in futures.values()):
                    engine.shutdown_all()

            # Reports whose notebooks are all up to date can be rendered straight away.
            queued_renders += [by_stem[stem] for stem, pending in waiting.items() if not pending]
            hand_out()
            done_jobs = 0
            failed_jobs: set[str] = set()
            while futures:
                finished, _ = wait(list(futures), return_when=FIRST_COMPLETED)
                for future in finished:
                    kind, name = futures.pop(future)
                    try:
                        seconds = future.result()
                    except Exception as error:  # report every failure, keep the others running
                        failures.append((name, error))
                        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
                        if kind == "job":
                            done_jobs += 1
                            failed_jobs.add(name)
                            state.setdefault("jobs", {}).pop(name, None)
                            print(f"  [{done_jobs}/{total}] {name}: FAILED: {first_line}", flush=True)
                        else:
                            print(f"  rendering {name}: FAILED: {first_line}", flush=True)
                        continue
                    if kind == "job":
                        done_jobs += 1
                        timings[name] = seconds
                        state.setdefault("jobs", {})[name] = keys[name]
                        print(f"  [{done_jobs}/{total}] {name}: executed in {seconds:.1f} s", flush=True)
                        for stem, pending in waiting.items():
                            if name in pending:
                                pending.discard(name)
                                # A report is rendered once all its notebooks ran, and only if none failed.
                                if not pending and not failed_jobs & {j.name for j in by_stem[stem].jobs}:
                                    queued_renders.append(by_stem[stem])
                    else:
                        rendered += 1
                        state.setdefault("reports", {})[name] = report_keys[name]
                        print(f"  rendered {paths.relative(reports_dir / (name + '.html'))}{' and .pdf' if pdf else ''} in {seconds:.1f} s", flush=True)
                    _save_state(reports_dir, state)
                stop_kernels_when_runs_are_over()  # before a heavy render can start
                hand_out()
        _save_state(reports_dir, state)
        if failures:
            details = "\n".join(f"- {name}: {error}" for name, error in failures)
            raise RuntimeError(f"{len(failures)} step(s) failed; the reports they feed keep their previous version:\n{details}")

    # Reports of the earlier layout (reports/<report>.html, one language) would linger beside the new folders.
    for report in reports:
        for suffix in (".html", ".pdf"):
            (reports_dir / f"{Path(report.stem).name}{suffix}").unlink(missing_ok=True)

    from sdgcities.publish.site import write_index  # reports/index.html: every report and every download

    write_index(reports_dir, database=database)
    elapsed = time.perf_counter() - started
    print(f"reports: {total} notebook run(s), {rendered} report(s) rendered from build {pinned.build_id}, {elapsed:.1f} s", flush=True)
    rebuilt = pinned.rebuilt_since()
    if rebuilt:
        print(f"reports: {rebuilt}", flush=True)
    return {"executed": total, "rendered": rendered, "seconds": elapsed, "timings": timings, "jobs": len(jobs), "build_id": pinned.build_id, "rebuilt_during_run": bool(rebuilt)}


def _give_back_memory() -> None:
    """Before a heavy render (the run's memory peak): collect this process's garbage and hand the free heap
    back to the system. Hundreds of pages assembled before leave it fragmented (257 MiB PSS at 200 cities);
    glibc's malloc_trim returns what is free, elsewhere nothing happens."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def render_one(notebooks: list[str], title: str, html_path: str, pdf_path: str | None, lang: str, *, alone: bool = False) -> float:
    """Render one report (in a render thread of the run, which holds no kernel); returns its wall time. A
    heavy report (`alone`, rendered with nothing beside it) starts from a fresh browser and a trimmed
    heap, and releases its charts' views before printing."""
    from sdgcities.publish import render

    started = time.perf_counter()
    if alone:
        from sdgcities.publish import pdf

        pdf.restart_browser()
        _give_back_memory()
    render.render_report([Path(n) for n in notebooks], title=title, out_html=Path(html_path), out_pdf=Path(pdf_path) if pdf_path else None, lang=lang,
                         release_charts=alone)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute the notebooks and render the HTML/PDF reports into reports/<lang>/.")
    parser.add_argument("--force", action="store_true", help="re-run every notebook and re-render every report")
    parser.add_argument("--no-pdf", action="store_true", help="write HTML reports only")
    parser.add_argument("--workers", type=int, default=None, help="parallel notebook runs (default: one per core)")
    args = parser.parse_args(argv)
    try:
        run(force=args.force, pdf=not args.no_pdf, workers=args.workers)
    except (ReportConfigError, FileNotFoundError, RuntimeError) as error:
        print(f"make reports: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
