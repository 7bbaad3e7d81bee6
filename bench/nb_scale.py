"""Kernel CPU of each comparison notebook at the 3 real cities and at a large synthetic database.

    python bench/nb_scale.py SMALL.duckdb LARGE.duckdb [--reps 3] [--only achievement,synergy]

Runs the notebooks the way the report suite does (sdgcities.publish.engine.execute: one started kernel,
a fresh namespace per run, imports kept) after one warm-up run, each notebook alternately on the two
databases (the `database` parameter), so that both see the same load on a shared machine. Prints per
notebook the smallest and the median kernel CPU seconds on each database and the ratio of the smallest
(issue 12 asks for at most 2 at 1,741 cities), then the same for the wall time of the engine.execute
call (the goal's measure; it follows the load of the machine more than the kernel CPU does). Make the large database with bench/synth.py and a build (README.md, "Benchmarks"):

    python bench/synth.py --cities 1741 --seed 0 --out /tmp/s1741 --overwrite
    SDGCITIES_ROOT=/tmp/s1741 python -m sdgcities.build --force
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

NOTEBOOKS = (("front_matter", {"report": "comparison"}), ("coverage", {}), ("synergy", {}), ("achievement", {}),
             ("stakeholders", {}), ("data_quality", {}), ("city_profile", {"city": "kaga"}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small", type=Path)
    parser.add_argument("large", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", default="", help="notebook names, comma-separated (default: all)")
    args = parser.parse_args(argv)
    os.environ.setdefault("SDGCITIES_CHART_MODE", "report")
    os.environ["SDGCITIES_DB"] = str(args.small.resolve())

    import psutil

    from sdgcities import paths
    from sdgcities.publish import engine

    folder = paths.notebooks_dir()
    only = {name for name in args.only.split(",") if name}
    databases = {"3 cities": str(args.small.resolve()), "large": str(args.large.resolve())}

    def kernel_cpu(process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    with tempfile.TemporaryDirectory() as out:
        engine.execute(str(folder / "front_matter.ipynb"), f"{out}/warm.ipynb",
                       parameters={"lang": "ja", "report": "comparison"}, cwd=str(folder))
        kernel = psutil.Process(engine._local.kernel.manager.provisioner.pid)
        for name, parameters in NOTEBOOKS:
            if only and name not in only:
                continue
            seconds: dict[str, list[float]] = {label: [] for label in databases}
            walls: dict[str, list[float]] = {label: [] for label in databases}
            for _ in range(args.reps):
                for label, database in databases.items():
                    before, started = kernel_cpu(kernel), time.perf_counter()
                    engine.execute(str(folder / f"{name}.ipynb"), f"{out}/{name}.ipynb",
                                   parameters={**parameters, "lang": "ja", "database": database}, cwd=str(folder))
                    walls[label].append(time.perf_counter() - started)
                    seconds[label].append(kernel_cpu(kernel) - before)
            for what, figures in (("cpu ", seconds), ("wall", walls)):
                small, large = (min(figures[label]) for label in databases)
                print(f"{name:14s} {what} 3 cities: min {small:5.2f} median {statistics.median(figures['3 cities']):5.2f}   "
                      f"large: min {large:5.2f} median {statistics.median(figures['large']):5.2f}   "
                      f"ratio {large / small:4.2f}", flush=True)
    engine.shutdown_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
