"""Time notebook runs in a kernel, the two ways bench/run.py compares (prints JSON on the last line).

    python bench/nbtime.py --mode fresh  --jobs JOBS.json [--out DIR]
    python bench/nbtime.py --mode engine --jobs JOBS.json [--out DIR] [--warmup NAME]

JOBS.json is a list of {"name", "notebook", "parameters"} (the suite's jobs, sdgcities.publish.reports.load_config).
The database, root and chart mode come from the environment (SDGCITIES_DB, SDGCITIES_ROOT,
SDGCITIES_CHART_MODE=report as the suite sets them); each notebook runs with its folder as working directory.

- fresh: "Run All" in a running kernel. For each job a new kernel is started with jupyter_client
  (`kernel_s`: start_kernel until the client's wait_for_ready returns, the kernel's own start), then
  nbclient executes every cell of the notebook, parameters injected as papermill does
  (papermill.parameterize.parameterize_notebook), on that kernel (`run_s`). The kernel is then shut down.
- engine: the suite's way, sdgcities.publish.engine.execute (papermill on this process's one started
  kernel, fresh namespace per run). One untimed warm-up run first (the job named by --warmup, default the
  first), so the kernel is started and the package imported, as in a worker after its first notebook;
  then every job is timed (`run_s`: the whole engine.execute call, papermill included).

Per job also: the kernel's CPU seconds during the run (`run_cpu_s`, psutil; less moved by other load on
the machine than wall time), the slowest cells (from nbclient's execution timestamps; fresh mode) and any error.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path


def _cell_seconds(cell) -> float | None:
    timing = (cell.get("metadata") or {}).get("execution") or {}
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return None
    parse = lambda s: dt.datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def _cpu(manager) -> float | None:
    """CPU seconds (user + system) the kernel process has used so far: steadier than wall time on a busy machine."""
    try:
        import psutil

        times = psutil.Process(manager.provisioner.pid).cpu_times()
        return times.user + times.system + times.children_user + times.children_system
    except Exception:
        return None


def _slowest_cells(nb, top: int = 3) -> list[dict]:
    rows = []
    for index, cell in enumerate(nb.cells):
        seconds = _cell_seconds(cell) if cell.cell_type == "code" else None
        if seconds is not None:
            first = next((line.strip() for line in cell.source.splitlines() if line.strip() and not line.strip().startswith("#")), "")
            rows.append({"cell": index, "seconds": seconds, "label": first[:80]})
    return sorted(rows, key=lambda r: -r["seconds"])[:top]


async def _fresh(job: dict, out: Path | None) -> dict:
    import nbformat
    from jupyter_client.manager import AsyncKernelManager
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    notebook = Path(job["notebook"])
    nb = load_notebook_node(str(notebook))  # papermill's reader: fills the metadata its parameterisation reads
    nb = parameterize_notebook(nb, job["parameters"], kernel_name="python3", language="python")
    record: dict = {"name": job["name"], "kernel_s": None, "run_s": None, "error": None}
    km = AsyncKernelManager(kernel_name="python3")
    kc = None
    try:
        started = time.perf_counter()
        await km.start_kernel(cwd=str(notebook.parent))
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        record["kernel_s"] = time.perf_counter() - started
        cpu_ready = _cpu(km)
        client = NotebookClient(nb, km=km, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}})
        client.kc = kc  # the kernel and its client are already up: only the cells are timed
        started = time.perf_counter()
        try:
            await client.async_execute()
        except Exception as error:  # a failing cell is a result to report, not a crash of the harness
            record["error"] = f"{type(error).__name__}: {str(error).strip().splitlines()[-1] if str(error).strip() else ''}"[:400]
        record["run_s"] = time.perf_counter() - started
        cpu_done = _cpu(km)
        record["kernel_cpu_s"], record["run_cpu_s"] = cpu_ready, (cpu_done - cpu_ready) if cpu_ready is not None and cpu_done is not None else None
        record["cells"] = _slowest_cells(nb)
        if out is not None:
            nbformat.write(nb, out / f"{job['name']}.ipynb")
    finally:
        if kc is not None:
            kc.stop_channels()
        await km.shutdown_kernel(now=True)
    return record


def _engine(jobs: list[dict], warmup: str | None, out: Path) -> list[dict]:
    import papermill

    from sdgcities.publish import engine

    first = next((j for j in jobs if j["name"] == warmup), jobs[0])
    started = time.perf_counter()
    engine.execute(first["notebook"], out / "warmup.ipynb", parameters=first["parameters"], cwd=Path(first["notebook"]).parent)
    warm = {"name": f"warm-up ({first['name']})", "run_s": time.perf_counter() - started}
    records = [warm]
    for job in jobs:
        record: dict = {"name": job["name"], "run_s": None, "error": None}
        kernel = getattr(engine._local, "kernel", None)
        cpu_before = _cpu(kernel.manager) if kernel is not None else None
        started = time.perf_counter()
        try:
            engine.execute(job["notebook"], out / f"{job['name']}.ipynb", parameters=job["parameters"], cwd=Path(job["notebook"]).parent)
        except papermill.PapermillExecutionError as error:
            record["error"] = f"{error.ename}: {error.evalue}"[:400]
        record["run_s"] = time.perf_counter() - started
        # The kernel's CPU during the run (None when the engine had to start another kernel for it).
        cpu_after = _cpu(kernel.manager) if kernel is not None and getattr(engine._local, "kernel", None) is kernel else None
        record["run_cpu_s"] = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
        records.append(record)
    engine.shutdown_all()
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("fresh", "engine"), required=True)
    parser.add_argument("--jobs", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=None, help="write the executed notebooks here")
    parser.add_argument("--warmup", default=None, help="engine mode: the job run once, untimed, before the timed runs")
    args = parser.parse_args(argv)
    os.environ.setdefault("SDGCITIES_CHART_MODE", "report")
    jobs = json.loads(args.jobs.read_text(encoding="utf-8"))
    out = args.out
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    if args.mode == "fresh":
        async def all_jobs() -> list[dict]:
            return [await _fresh(job, out) for job in jobs]

        records = asyncio.run(all_jobs())
    else:
        import tempfile

        if out is None:
            out = Path(tempfile.mkdtemp(prefix="nbtime-"))
        records = _engine(jobs, args.warmup, out)
    print(json.dumps(records, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
