"""Shared fixtures: a throw-away copy of the repository's inputs, and the real database built once."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def copy_inputs(destination: Path) -> Path:
    """Copy what the build reads (raw documents, curated tables, SQL) into `destination`."""
    (destination / "data").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "data" / "raw", destination / "data" / "raw")
    shutil.copytree(REPO / "data" / "curated", destination / "data" / "curated",
                    ignore=shutil.ignore_patterns("*.duckdb", "*.duckdb.*"))
    shutil.copytree(REPO / "sql", destination / "sql")
    shutil.copy(REPO / "pyproject.toml", destination / "pyproject.toml")
    return destination


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A copy of the inputs with SDGCITIES_ROOT pointing at it; the build writes its database there."""
    root = copy_inputs(tmp_path / "repo")
    monkeypatch.setenv("SDGCITIES_ROOT", str(root))
    monkeypatch.delenv("SDGCITIES_DB", raising=False)
    return root


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    """The real database, built once from the repository's inputs into a temporary folder."""
    from sdgcities.build import run as build

    target = tmp_path_factory.mktemp("db") / "sdgs.duckdb"
    build.build(target, quiet=True)
    return target


@pytest.fixture
def con(built_db):
    from sdgcities.access import api

    connection = api.connect(built_db)
    yield connection
    connection.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def report_suite(built_db, tmp_path_factory) -> dict:
    """The real report suite (every report in every language), run once per test session for the tests
    of reports, layout and languages."""
    from sdgcities.publish import reports

    folder = tmp_path_factory.mktemp("reports")
    environment = dict(os.environ)
    summary = reports.run(database=built_db, reports_dir=folder)
    return {"folder": folder, "summary": summary, "db": built_db, "environment_kept": dict(os.environ) == environment}
