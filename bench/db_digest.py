"""Print a content digest of every table and view of a built database, to show two builds hold the same data.

    python bench/db_digest.py [DATABASE] [--out FILE]
    diff <(python bench/db_digest.py before.duckdb) <(python bench/db_digest.py after.duckdb)

One line per table or view: name, row count, then two sha256 digests (first 16 hex digits):
- `sorted`: the column names and types, then every row (all columns, repr of the Python values) with the
  rows sorted, so that the digest depends on the content only;
- `stored`: the same rows in the order a plain `select *` returns them (for base tables, the order the
  build wrote them), so that a change of row order shows too.
build_info is left out apart from duckdb_version: its build id, time and inputs hash differ at every build.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import duckdb

# build_info columns that name one build rather than its content.
VOLATILE = {"build_info": ("build_id", "built_at", "inputs_sha256")}


def table_digests(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int, str, str]]:
    names = [r[0] for r in con.sql(
        "select table_name from information_schema.tables where table_schema = 'main' order by table_name").fetchall()]
    result = []
    for name in names:
        relation = con.table(name)
        kept = [c for c in relation.columns if c not in VOLATILE.get(name, ())]
        relation = relation.select(*[duckdb.ColumnExpression(c) for c in kept])
        header = repr(list(zip(relation.columns, [str(t) for t in relation.types]))).encode()
        rows = [repr(row).encode() for row in relation.fetchall()]
        in_order = hashlib.sha256(header)
        for row in rows:
            in_order.update(row + b"\n")
        by_content = hashlib.sha256(header)
        for row in sorted(rows):
            by_content.update(row + b"\n")
        result.append((name, len(rows), by_content.hexdigest()[:16], in_order.hexdigest()[:16]))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", type=Path, default=Path("data/curated/sdgs.duckdb"))
    parser.add_argument("--out", type=Path, help="also write the lines to this file")
    args = parser.parse_args(argv)
    con = duckdb.connect(str(args.database), read_only=True)
    try:
        lines = [f"{name}\t{count}\tsorted {by_content}\tstored {in_order}" for name, count, by_content, in_order in table_digests(con)]
    finally:
        con.close()
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
