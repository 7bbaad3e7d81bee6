"""Compare the forced database build of two versions of the code on one project root: wall and CPU seconds
(runs alternated, so that both see the same machine), and whether the two databases hold the same data.

    python bench/build_compare.py --root /tmp/s1741 --base HEAD~3 [--runs 3]
    python bench/build_compare.py --root . --base main --head /path/to/other/checkout

The base (and the head, when it is a git revision) is exported with `git archive` to a temporary folder and
put first on PYTHONPATH; the default head is this checkout as it is now. Each run is
`python -m sdgcities.build --force` with SDGCITIES_ROOT=root (as bench/run.py's large section runs it);
CPU is user + system of the build process. The digests are bench/db_digest.py's lines of the database
each version built last: "same data" when every line is equal.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from db_digest import table_digests
from run import PYTHON, child_env, measure

import duckdb

REPO = Path(__file__).resolve().parent.parent


def export(revision: str, into: Path) -> Path:
    """The src/ folder of a git revision of this repository, written below `into`."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def digest_lines(database: Path) -> list[str]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return [f"{name}\t{count}\t{by_content}\t{in_order}" for name, count, by_content, in_order in table_digests(con)]
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="project root to build (bench/synth.py output, or the repository)")
    parser.add_argument("--base", required=True, help="git revision of the code to compare against")
    parser.add_argument("--head", default=None, help="git revision or checkout folder (default: this checkout as it is)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each version (alternated)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    database = root / "data" / "curated" / "sdgs.duckdb"
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("base", "head"):
            Path(scratch, name).mkdir()
        versions = {"base": export(args.base, Path(scratch, "base"))}
        if args.head is None:
            versions["head"] = REPO / "src"
        elif Path(args.head).is_dir():
            versions["head"] = Path(args.head).resolve() / "src"
        else:
            versions["head"] = export(args.head, Path(scratch, "head"))
        figures: dict[str, list[tuple[float, float]]] = {name: [] for name in versions}
        digests: dict[str, list[str]] = {}
        for _ in range(args.runs):
            for name, source in versions.items():
                env = child_env(root)
                env["PYTHONPATH"] = os.pathsep.join([str(source)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
                run = measure([PYTHON, "-m", "sdgcities.build", "--force"], env=env, cwd=root)
                if not run.ok:
                    print(f"{name}: the build failed:\n{run.stderr[-2000:]}", file=sys.stderr)
                    return 1
                figures[name].append((run.seconds, run.cpu_seconds))
                digests[name] = digest_lines(database)
    print(f"{'version':8} {'wall best':>9} {'CPU best':>9}  runs (wall/CPU s)")
    for name, runs in figures.items():
        shown = ", ".join(f"{wall:.2f}/{cpu:.2f}" for wall, cpu in runs)
        print(f"{name:8} {min(w for w, _ in runs):9.2f} {min(c for _, c in runs):9.2f}  {shown}")
    different = [a.split("\t")[0] for a, b in zip(digests["base"], digests["head"]) if a != b]
    if len(digests["base"]) != len(digests["head"]):
        different.append("(the two databases have different tables)")
    print("databases: same data (every digest line equal)" if not different else f"databases DIFFER: {', '.join(different)}")
    return 0 if not different else 1


if __name__ == "__main__":
    sys.exit(main())
