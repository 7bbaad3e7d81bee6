"""Execute one notebook with papermill and print its timing as JSON (used by bench/run.py).

    python bench/nbexec.py NOTEBOOK OUTPUT [--parameters JSON] [--repeat N]

Python and papermill are imported before the clock starts, as in the report suite's worker
processes (sdgcities.publish.reports.execute), so `seconds` is papermill.execute_notebook alone: kernel
start-up, the package imports inside the kernel, the cells, and writing the output. The database
and root come from SDGCITIES_DB / SDGCITIES_ROOT in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--parameters", default="{}", help="papermill parameters as a JSON object")
    parser.add_argument("--repeat", type=int, default=1, help="execute this many times (the output is overwritten)")
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args(argv)

    import_started = time.perf_counter()
    import papermill

    import_seconds = time.perf_counter() - import_started
    os.environ.setdefault("SDGCITIES_CHART_MODE", "report")  # as sdgcities.publish.reports.execute does
    parameters = json.loads(args.parameters)
    seconds: list[float] = []
    error = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        try:
            papermill.execute_notebook(
                str(args.notebook), str(args.output), parameters=parameters, kernel_name=args.kernel,
                cwd=str(args.notebook.parent), progress_bar=False, log_output=False,
            )
        except Exception as exc:  # report it as data: the harness records failures and continues
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
            seconds.append(time.perf_counter() - started)
            break
        seconds.append(time.perf_counter() - started)
    size = args.output.stat().st_size if args.output.exists() else None
    print(json.dumps({"seconds": seconds, "papermill_import_seconds": import_seconds, "output_bytes": size, "error": error}))
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())
