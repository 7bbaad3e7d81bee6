"""Where things live in the repository. Every path the package uses is derived from here."""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    # SDGCITIES_ROOT lets tests and benchmarks point the whole pipeline at a copy of the repository.
    override = os.environ.get("SDGCITIES_ROOT")
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "data").is_dir():
            return parent
    # Installed outside a checkout: fall back to the working directory.
    return Path.cwd()


ROOT = _find_root()


def root() -> Path:
    return Path(os.environ["SDGCITIES_ROOT"]).resolve() if os.environ.get("SDGCITIES_ROOT") else ROOT


def raw_dir() -> Path:
    return root() / "data" / "raw"


def curated_dir() -> Path:
    return root() / "data" / "curated"


def reference_dir() -> Path:
    return curated_dir() / "reference"


def sql_dir() -> Path:
    return root() / "sql"


def database_path() -> Path:
    override = os.environ.get("SDGCITIES_DB")
    return Path(override).resolve() if override else curated_dir() / "sdgs.duckdb"


def reports_dir() -> Path:
    return root() / "reports"


def notebooks_dir() -> Path:
    return root() / "notebooks"


def relative(path: Path) -> str:
    """A path relative to the repository root, for messages and the documents table."""
    try:
        return str(Path(path).resolve().relative_to(root()))
    except ValueError:
        return str(path)


def package_dir() -> Path:
    """The sdgcities package itself (its code is an input of the build and of the reports)."""
    return Path(__file__).resolve().parent
