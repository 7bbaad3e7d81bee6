"""Add the fictional fourth city of tests/fixtures/fourth_city to a copy of the repository, the way a
curator adds a real one: drop in the raw document, its manifest and curated rows, and one row in
data/curated/reference/cities.csv. No code changes."""

from __future__ import annotations

import shutil
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "fourth_city"


def add_fourth_city(root: Path) -> str:
    for path in (FIXTURE / "raw").iterdir():
        shutil.copy(path, root / "data" / "raw" / path.name)
    for folder in (FIXTURE / "curated").iterdir():
        shutil.copytree(folder, root / "data" / "curated" / folder.name)
    cities = root / "data" / "curated" / "reference" / "cities.csv"
    cities.write_text(cities.read_text(encoding="utf-8") + (FIXTURE / "cities_row.csv").read_text(encoding="utf-8"), encoding="utf-8")
    return "kaku"
