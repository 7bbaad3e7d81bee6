"""bench/synth.py: synthetic cities the real build accepts, deterministic for a seed."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import sys
from pathlib import Path

import duckdb
import pytest

from sdgcities.build import run as build
from sdgcities.build.inputs import curated
from sdgcities.build.inputs.curated import CuratedDataError
from sdgcities.build.inputs.parsing import strip_whitespace

REPO = Path(__file__).resolve().parents[1]


def _load_synth():
    spec = importlib.util.spec_from_file_location("bench_synth", REPO / "bench" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


def file_hashes(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "root"
    synth.generate(5, 7, root)
    return root


@pytest.fixture
def on_root(monkeypatch):
    def point(root: Path) -> Path:
        monkeypatch.setenv("SDGCITIES_ROOT", str(root))
        monkeypatch.delenv("SDGCITIES_DB", raising=False)
        return root

    return point


def test_the_real_build_accepts_five_cities(synthetic_root, on_root, tmp_path):
    on_root(synthetic_root)
    database = tmp_path / "sdgs.duckdb"
    counts = build.build(database, quiet=True, force=True)
    assert counts["cities"] == 5
    with duckdb.connect(str(database), read_only=True) as con:
        cities = [r[0] for r in con.sql("select city_id from cities order by city_id").fetchall()]
        assert cities == ["hiratsuka", "kaga", "kumamoto", "synth_0001", "synth_0002"]
        per_city = dict(con.sql("select city_id, count(*) from kpis group by city_id").fetchall())
        assert per_city["synth_0001"] >= 5 and per_city["synth_0002"] >= 5
        for table in ("priority_targets", "stakeholders"):
            rows = dict(con.sql(f"select d.city_id, count(*) from {table} t join documents d using (doc_id) group by 1").fetchall())
            assert rows.get("synth_0001", 0) >= 5 and rows.get("synth_0002", 0) >= 5
        # The real cities are all there, unchanged in number.
        assert con.sql("select count(*) from kpis where city_id in ('kaga', 'kumamoto', 'hiratsuka')").fetchall()[0][0] == 73
        # Observations hold numbers, and the audit found the published rates.
        numbers = con.sql("select count(value) from kpi_observations o join kpis k using (kpi_id) where k.city_id like 'synth_%'").fetchall()[0][0]
        assert numbers > 10


def test_every_quote_is_verified_by_the_build(synthetic_root, on_root):
    on_root(synthetic_root)
    inputs = curated.load_inputs()  # raises if any quote or printed value is not found
    texts = {d["doc_id"]: strip_whitespace((synthetic_root / "data" / "raw" / d["file"]).read_text(encoding="utf-8")) for d in inputs.documents}
    synthetic = 0
    for table in ("kpis", "kpi_observations", "priority_targets", "stakeholders", "synergies"):
        for record in getattr(inputs, table):
            if record["_doc_id"].startswith("synth_"):
                synthetic += 1
                assert record["_quote_stripped"] in texts[record["_doc_id"]]
    assert synthetic > 50


def test_a_broken_quote_is_refused(tmp_path, on_root):
    """The build really checks the synthetic quotes: change one and it refuses, naming the file."""
    root = on_root(tmp_path / "root")
    synth.generate(4, 3, root)
    folder = next(p for p in (root / "data" / "curated").iterdir() if p.name.startswith("synth_"))
    path = folder / "kpi_observations.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    column = rows[0].index("source_quote")
    rows[1][column] = rows[1][column] + "（改変）"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    with pytest.raises(CuratedDataError) as error:
        build.build(tmp_path / "db.duckdb", quiet=True, force=True)
    assert f"{folder.name}/kpi_observations.csv" in str(error.value)
    assert "not found verbatim" in str(error.value)


def test_deterministic_for_a_seed_and_different_for_another(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    synth.generate(5, 11, first)
    synth.generate(5, 11, second)
    synth.generate(5, 12, other)
    hashes_first, hashes_second, hashes_other = file_hashes(first), file_hashes(second), file_hashes(other)
    assert hashes_first == hashes_second
    synthetic_first = {k: v for k, v in hashes_first.items() if "synth_" in k}
    synthetic_other = {k: v for k, v in hashes_other.items() if "synth_" in k}
    assert synthetic_first and synthetic_first != synthetic_other
    # The real data is copied byte for byte whatever the seed.
    real = [k for k in hashes_first if k.startswith("data/raw/kumamoto") or k.startswith("data/curated/kumamoto")]
    assert real and all(hashes_first[k] == hashes_other[k] for k in real)


def test_refuses_too_few_cities_and_foreign_directories(tmp_path):
    with pytest.raises(SystemExit):
        synth.generate(2, 0, tmp_path / "few")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        synth.generate(5, 0, foreign, overwrite=True)
    assert (foreign / "precious.txt").exists()
