"""DATA_LICENSE.md: what is known of the terms of each source document, generated from the
manifests (data/raw/<doc_id>.yaml, fields `licence` and `source`).

    python -m sdgcities.publish.licences          # rewrite DATA_LICENSE.md from the manifests
    python -m sdgcities.publish.licences --check  # exit 1 when DATA_LICENSE.md is out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


from sdgcities import paths
from sdgcities.build.inputs.parsing import load_yaml

HEADER = """\
# Data licence

<!-- Generated from the manifests data/raw/<doc_id>.yaml by `python -m sdgcities.publish.licences`; do not edit by hand. -->

## What the MIT licence covers

The repository is released under the MIT licence (see `LICENSE`). That grant can only cover what the
project itself wrote: the code, the structure of the tables, identifiers and keys, the curators'
notes, and the computed audits and findings.

## What it does not cover: the source documents

The raw texts in `data/raw/` and the verbatim quotes (`source_quote`, `quotes`, and the printed names,
labels and values) in `data/curated/`, the database and `exports/` come from the public municipal
documents listed below. The MIT licence does not and cannot license them. Their terms are those of
their publishers; what the project knows of them is copied from each manifest's `licence` field.
Where that field says no licence is stated, the terms are **unknown**: the project quotes the
documents for research (Japanese copyright law, article 32, quotation) and names each source, and
anyone reusing the quotes beyond that should check with the publisher.

## Source documents

| doc_id | title | publisher | date label (see the source column for what is printed) | terms known | where it comes from |
|---|---|---|---|---|---|
"""


def _cell(value: object) -> str:
    return " ".join(str(value).split()).replace("|", "\\|")


def manifests() -> list[dict]:
    """Every manifest of data/raw, sorted by doc_id."""
    # Read as the build reads them (build.inputs.parsing.load_yaml), so both accept the same files.
    return [load_yaml(p.read_text(encoding="utf-8")) for p in sorted(paths.raw_dir().glob("*.yaml"))]


def data_licence_text() -> str:
    rows = [
        f"| `{_cell(m['doc_id'])}` | {_cell(m['title_ja'])} ({_cell(m['title_en'])}) | {_cell(m['publisher'])} | "
        f"{_cell(m['published_label'])} | {_cell(m['licence'])} | {_cell(m['source'])} |"
        for m in manifests()
    ]
    return HEADER + "\n".join(rows) + "\n"


def data_licence_path() -> Path:
    return paths.root() / "DATA_LICENSE.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write DATA_LICENSE.md from the manifests in data/raw.")
    parser.add_argument("--check", action="store_true", help="only check that DATA_LICENSE.md is up to date")
    args = parser.parse_args(argv)
    text, path = data_licence_text(), data_licence_path()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            print(f"{paths.relative(path)} is out of date: run `python -m sdgcities.publish.licences`", file=sys.stderr)
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    print(f"wrote {paths.relative(path)} ({len(manifests())} documents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
