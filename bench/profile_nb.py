"""Profile one notebook's cells in-process (used by bench/run.py --profile).

    python bench/profile_nb.py NOTEBOOK [--parameters JSON] [--top 25] [--json OUT.json] [--stats OUT.pstats]

Runs the notebook's code cells in an IPython InteractiveShell (no kernel, no papermill), with the
papermill parameters injected after the cell tagged `parameters`, under cProfile. Prints:
- the wall time of every cell;
- the package functions (src/sdgcities) with the largest cumulative time, and the functions with
  the largest own time anywhere;
- every chart's display bundle (sdgcities.present.figures.chart_bundle through charts.show: the Vega-Lite
  spec, the figure HTML, and the static PNG when SDGCITIES_CHART_PNG=1), with the size of its spec, and
  every table's HTML (sdgcities.present.tables.table_html).
The database and root come from SDGCITIES_DB / SDGCITIES_ROOT.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path


def _label(source: str) -> str:
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line[:90]
    return source.strip().splitlines()[0][:90] if source.strip() else "(empty)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--parameters", default="{}")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", type=Path, default=None, help="write a machine-readable summary here")
    parser.add_argument("--stats", type=Path, default=None, help="write the raw cProfile statistics here")
    args = parser.parse_args(argv)
    os.environ.setdefault("SDGCITIES_CHART_MODE", "report")
    os.environ.pop("JPY_SESSION_NAME", None)

    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    from sdgcities.present import charts, figures, tables

    nb = nbformat.read(args.notebook, as_version=4)
    parameters = json.loads(args.parameters)
    cells: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cells.append(cell.source)
        if "parameters" in (cell.metadata.get("tags") or []) and parameters:
            cells.append("\n".join(f"{name} = {value!r}" for name, value in parameters.items()))

    # Charts (the display bundle: spec, figure HTML, PNG when SDGCITIES_CHART_PNG=1) and table HTML, timed one
    # by one. charts.show looks chart_bundle up in charts' globals; tables.cite_bundle calls tables.table_html.
    chart_rows: list[dict] = []
    tables_timed: list[dict] = []
    original_bundle, original_table = charts.chart_bundle, tables.table_html

    def timed_bundle(chart, *a, **k):
        started = time.perf_counter()
        result = original_bundle(chart, *a, **k)
        data = result[0][0] if result else {}
        spec = data.get(figures.VEGALITE_MIME_TYPE) or {}
        chart_rows.append({"seconds": time.perf_counter() - started, "spec_bytes": len(json.dumps(spec, ensure_ascii=False, default=str)),
                     "title": figures._chart_title(spec)[:80] if spec else "", "png_bytes": len(data.get("image/png") or "")})
        return result

    def timed_table(table, *a, **k):
        started = time.perf_counter()
        result = original_table(table, *a, **k)
        rows = getattr(table, "height", None) if not hasattr(table, "shape") else table.shape[0]
        tables_timed.append({"seconds": time.perf_counter() - started, "rows": rows, "html_bytes": len(result[0])})
        return result

    charts.chart_bundle, tables.table_html = timed_bundle, timed_table

    shell = InteractiveShell.instance()
    profiler = cProfile.Profile()
    timings: list[dict] = []
    error = None
    total_started = time.perf_counter()
    sink = io.StringIO()
    for index, source in enumerate(cells, start=1):
        started = time.perf_counter()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            profiler.enable()
            result = shell.run_cell(source, store_history=False, silent=False)
            profiler.disable()
        timings.append({"cell": index, "label": _label(source), "seconds": time.perf_counter() - started})
        if not result.success:
            error = repr(result.error_in_exec or result.error_before_exec)
            break
    total = time.perf_counter() - total_started

    if args.stats:
        profiler.dump_stats(str(args.stats))
    stats = pstats.Stats(profiler)
    entries = []
    for (filename, line, name), (cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        entries.append({"function": f"{Path(filename).name}:{line}({name})", "file": filename, "calls": nc, "own": tt, "cumulative": ct})
    package = sorted((e for e in entries if f"{os.sep}sdgcities{os.sep}" in e["file"]), key=lambda e: -e["cumulative"])[: args.top]
    own = sorted(entries, key=lambda e: -e["own"])[: args.top]

    out = io.StringIO()
    w = out.write
    w(f"notebook {args.notebook.name} parameters {json.dumps(parameters, ensure_ascii=False)}: {total:.2f} s in-process"
      f"{' (FAILED: ' + error + ')' if error else ''}\n\ncells (wall s):\n")
    for t in sorted(timings, key=lambda t: -t["seconds"]):
        w(f"  {t['seconds']:8.3f}  [{t['cell']:2d}] {t['label']}\n")
    chart_total = sum(p["seconds"] for p in chart_rows)
    w(f"\ncharts (charts.chart_bundle: spec, figure HTML, PNG if enabled): {len(chart_rows)} charts, {chart_total:.2f} s"
      + (f", mean {chart_total / len(chart_rows):.3f} s, max {max(p['seconds'] for p in chart_rows):.3f} s" if chart_rows else "") + "\n")
    for p in sorted(chart_rows, key=lambda p: -p["seconds"])[:15]:
        w(f"  {p['seconds']:8.3f} s  spec {p['spec_bytes'] / 1024:9.1f} KiB  png {p['png_bytes'] / 1024:8.1f} KiB  {p['title']}\n")
    table_total = sum(t["seconds"] for t in tables_timed)
    w(f"\ntables (tables.table_html): {len(tables_timed)} tables, {table_total:.2f} s, "
      f"{sum(t['html_bytes'] for t in tables_timed) / 1024:.0f} KiB of HTML\n")
    w(f"\npackage functions by cumulative time (top {args.top}):\n")
    for e in package:
        w(f"  {e['cumulative']:8.3f} cum  {e['own']:8.3f} own  {e['calls']:8d} calls  {e['function']}\n")
    w(f"\nall functions by own time (top {args.top}):\n")
    for e in own:
        w(f"  {e['own']:8.3f} own  {e['cumulative']:8.3f} cum  {e['calls']:8d} calls  {e['function']}  [{e['file'][-60:]}]\n")
    print(out.getvalue())
    if args.json:
        args.json.write_text(json.dumps({
            "notebook": args.notebook.name, "parameters": parameters, "seconds": total, "error": error, "cells": timings,
            "charts": chart_rows, "chart_seconds": chart_total, "tables": tables_timed, "table_seconds": table_total,
            "package_top": package, "own_top": own, "text": out.getvalue(),
        }, ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())
