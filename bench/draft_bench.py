"""Benchmark of the draft tool (`make bench-draft`, also run by `make bench`): draft each raw document
that has a hand-curated folder and compare the draft with the hand-curated rows.

Figures per document: seconds to draft (best of 3), precision and recall of KPI rows, of KPI cells (each
baseline/actual/target value with its year label, each SDG target, each published rate; a redacted cell
counts as found when drafted as redacted), of priority targets, stakeholders and synergies. Rows are
matched as `python -m sdgcities.build.draft --compare` matches them (sdgcities.build.draft.compare). The section
"Draft curation" of bench/RESULTS.md is replaced; the rest of the file is kept.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "src"))

from sdgcities import paths  # noqa: E402
from sdgcities.build.draft import draft_document  # noqa: E402
from sdgcities.build.draft.compare import compare  # noqa: E402

TABLES = ("kpis", "kpi_cells", "priority_targets", "stakeholders", "synergies")
START, END = "<!-- draft-bench:start -->", "<!-- draft-bench:end -->"


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def run(runs: int = 3) -> tuple[list[dict], dict]:
    results, details = [], {}
    with tempfile.TemporaryDirectory() as out:
        for manifest in sorted(paths.raw_dir().glob("*.yaml")):
            doc_id = manifest.stem
            curated = paths.curated_dir() / doc_id
            if not curated.is_dir():
                continue
            seconds = []
            for _ in range(runs):
                started = time.perf_counter()
                folder, draft = draft_document(paths.raw_dir() / f"{doc_id}.txt", doc_id, None, Path(out))
                seconds.append(time.perf_counter() - started)
            scores = compare(folder, curated)
            results.append({"doc_id": doc_id, "form": draft.form, "seconds": min(seconds), "scores": scores})
            details[doc_id] = scores
    return results, details


def section(results: list[dict]) -> list[str]:
    lines = [START, "## Draft curation (`python -m sdgcities.build.draft`, bench/draft_bench.py)", "",
             "Each raw document drafted and compared with its hand-curated rows. P = precision (drafted rows or cells",
             "that the curator also has), R = recall (curated ones the draft found), with the counts found/drafted/curated.",
             "KPI cells: each baseline/actual/target value with its year label, each SDG target, each published rate.",
             "Seconds: best of 3, reading the text and writing the draft folder. The extractor holds no document id,",
             "indicator name or number of these documents; its rules were written while reading them, so the variant",
             "tests (tests/test_draft.py: generated sheets, spaces, HTML, wrapped rows, a Chromium PDF) are the check",
             "that they generalise.", "",
             "| document | form | seconds | " + " | ".join(TABLES) + " |",
             "|---|---|---|" + "---|" * len(TABLES)]
    for result in results:
        cells = []
        for table in TABLES:
            score = result["scores"][table]
            if not score.drafted and not score.curated:
                cells.append("(none)")
            else:
                cells.append(f"P {_figure(score.precision)} R {_figure(score.recall)} ({score.found}/{score.drafted}/{score.curated})")
        lines.append(f"| {result['doc_id']} | {result['form']} | {result['seconds']:.2f} | " + " | ".join(cells) + " |")
    lines += ["", "### Cells and rows the draft gets wrong", ""]
    for result in results:
        scores = result["scores"]
        wrong = []
        for table in ("kpis", "kpi_cells", "priority_targets", "synergies"):
            wrong += [f"- {table}: only in draft {where} {key}" for where, key in scores[table].extra]
            wrong += [f"- {table}: missed {where} {key}" for where, key in scores[table].missed]
        stake = scores["stakeholders"]
        names = lambda keys: ", ".join(key[0] for _, key in keys) or "none"  # noqa: E731
        wrong.append(f"- stakeholders missed ({len(stake.missed)}): {names(stake.missed)}")
        wrong.append(f"- stakeholders only in draft ({len(stake.extra)}): {names(stake.extra)}")
        lines += [f"**{result['doc_id']}**", ""] + wrong + [""]
    lines.append(END)
    return lines


def write(lines: list[str], path: Path) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + "\n".join(lines) + after
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    results, _ = run(args.runs)
    lines = section(results)
    print("\n".join(lines[:8 + len(results)]))
    write(lines, args.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
