"""python -m sdgcities.build.draft PATH [--doc-id ID] [--city CITY] [--out DIR]
python -m sdgcities.build.draft --compare DRAFT_DIR CURATED_DIR
python -m sdgcities.build.draft --promote DRAFT_DIR [--force]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from sdgcities.build.inputs.curated import CuratedDataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sdgcities.build.draft", description="Draft the curated rows of a city's document (text or PDF), compare a draft with curated rows, or promote a reviewed draft.")
    parser.add_argument("path", nargs="?", type=Path, help="the document to draft (.txt or .pdf)")
    parser.add_argument("--doc-id", help="document id (default: from the file name)")
    parser.add_argument("--city", help="city id, e.g. kaga (default: the doc id's first word)")
    parser.add_argument("--out", type=Path, help="staging folder (default data/staging/)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("DRAFT_DIR", "CURATED_DIR"), help="print the rows and cells that differ")
    parser.add_argument("--promote", type=Path, metavar="DRAFT_DIR", help="copy a reviewed draft into data/curated/ and build")
    parser.add_argument("--force", action="store_true", help="with --promote: replace an existing curated folder")
    args = parser.parse_args(argv)

    if args.compare:
        from sdgcities.build.draft.compare import differences

        print("\n".join(differences(*args.compare)))
        return 0
    if args.promote:
        from sdgcities.build.run import BuildError
        from sdgcities.build.draft.promote import PromoteError, promote

        try:
            counts = promote(args.promote, force=args.force)
        except (PromoteError, CuratedDataError, BuildError) as error:
            why = "refused" if isinstance(error, PromoteError) else "the build failed; data/curated and data/raw were restored"
            print(f"promote: {why}.\n{error}", file=sys.stderr)
            return 1
        print(f"promoted {args.promote.name}; build passed: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        return 0
    if not args.path:
        parser.error("give a document PATH, --compare or --promote")
    if not args.path.is_file():
        parser.error(f"{args.path}: no such file")
    from sdgcities.build.draft import draft_document

    started = time.perf_counter()
    folder, draft = draft_document(args.path, args.doc_id, args.city, args.out)
    counts = ", ".join(f"{table} {len(rows)}" for table, rows in draft.tables.items())
    to_review = sum(1 for rows in draft.tables.values() for row in rows if row.get("review"))
    print(f"drafted {folder} ({draft.form} form) in {time.perf_counter() - started:.2f} s: {counts}; {to_review} rows to review")
    return 0


if __name__ == "__main__":
    sys.exit(main())
